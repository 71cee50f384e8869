"""The watchdog: rules from `PushApp.watch` and from notebooks (`expect()`, `alert_if()`
declare them on `$watch/...`), evaluated in the server, so a kernel that hangs or dies is
noticed too. An alert is an event on `$alerts/...` plus a notification on `$notify`; both are
published again, as "cleared", when the events resume or the value is back in range.

Costs: one hub watcher on `$watch/**` (rule declarations) and, while rules exist, on what they
watch; a timer only while an `expect` rule exists. Rules see each event as it is handed out
(the hub calls `_receive`, which must not block); the alerts they raise wait in `_due`, one per
alert channel, for a task to publish them: bounded by the rules, whatever the event rate (an
alert raised and cleared again before it went out is not published at all).
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any, NamedTuple

from ..channels import PatternSet
from ..events import Event
from ..reserved import NOTIFY, WATCH
from ..watch_rules import AlertIf, Expect, Transition, rule_from_declaration
from .hub import Hub, Subscriber

Rule = Expect | AlertIf
MIN_TICK, MAX_TICK = 0.05, 1.0


class _Due(NamedTuple):
    """An alert to publish: on its alert channel, and as a `$notify` when `notify`."""

    transition: Transition
    watched: str  # what its rule watches (a pattern or a channel)
    source: bytes | None  # the rule's publisher
    notify: bool


class Watchdog:
    def __init__(self, hub: Hub, configured: dict[str, float] | None = None,
                 log: logging.Logger | None = None):
        self.hub = hub
        self.log = log or logging.getLogger("jupyter_push")
        self.rules: dict[str, Rule] = {}
        self.sources: dict[str, bytes | None] = {}  # a rule's publisher: its alerts' source
        now = time.time()
        for pattern, every in (configured or {}).items():
            rule = Expect(pattern, float(every), started=now)
            self.rules[rule.rule_channel] = rule
            self.sources[rule.rule_channel] = None
        self._watcher: Subscriber | None = None
        self._early: list[Event] | None = None  # live events while the retained ones load
        self._due: dict[str, _Due] = {}  # alert channel -> its latest unpublished alert
        self._has_due = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()

    async def start(self) -> None:
        patterns = self._patterns()
        self._early = []
        self._watcher = self.hub.watch(patterns, self._receive)
        try:
            retained = await self.hub.latest(patterns)
        finally:
            early, self._early = self._early, None
        # what was retained first, then what arrived meanwhile (once)
        seen = {e.id for e in early}
        self._observe([e for e in retained if e.id not in seen] + early)
        self._tasks = [asyncio.ensure_future(self._send()), asyncio.ensure_future(self._tick())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._watcher is not None:
            self.hub.unwatch(self._watcher)
            self._watcher = None

    def _patterns(self) -> PatternSet:
        watched = [_watched(r) for r in self.rules.values()]
        return PatternSet([f"{WATCH}/**", *watched])

    # ------------------------------------------------------------------ events

    def _receive(self, events: list[Event]) -> None:
        if self._early is not None:
            self._early.extend(events)
        else:
            self._observe(events)

    def _observe(self, events: list[Event]) -> None:
        now = time.time()
        for event in events:
            if event.channel.startswith(WATCH + "/"):
                self._declare(event.channel, event.data, event.source_json, now)
                continue
            for rule in list(self.rules.values()):
                if isinstance(rule, Expect):
                    self._raise(rule, rule.observe(event.channel, now))
                else:
                    self._raise(rule, rule.observe(event.channel, event.data))

    def _declare(self, channel: str, data: Any, source: bytes | None, now: float) -> None:
        old = self.rules.pop(channel, None)
        if isinstance(data, dict) and data.get("cancelled"):
            if old is not None and old.raised:
                old.raised = False
                cleared = Transition(old.alert_channel, False, "the rule was cancelled",
                                     {**old.describe(), "state": "cleared", "level": "info"})
                self._queue(_Due(cleared, _watched(old), source, notify=False))
        else:
            try:
                rule = rule_from_declaration(data, now)
            except (ValueError, TypeError) as e:
                self.log.warning("jupyter_push: ignoring the watch rule on %s: %s", channel, e)
            else:
                self.rules[channel] = rule
                self.sources[channel] = source
        if self._watcher is not None:
            self.hub.rewatch(self._watcher, self._patterns())
        self._changed.set()

    # ------------------------------------------------------------------ time

    async def _tick(self) -> None:
        while True:
            expects = [r for r in self.rules.values() if isinstance(r, Expect)]
            if not expects:
                self._changed.clear()
                await self._changed.wait()
                continue
            interval = min(MAX_TICK, max(MIN_TICK, min(r.every for r in expects) / 4))
            await asyncio.sleep(interval)
            now = time.time()
            for rule in expects:
                self._raise(rule, rule.check(now))

    # ------------------------------------------------------------------ alerts

    def _raise(self, rule: Rule, transition: Transition | None) -> None:
        if transition is not None:
            source = self.sources.get(rule.rule_channel)
            self._queue(_Due(transition, _watched(rule), source, notify=True))

    def _queue(self, due: _Due) -> None:
        channel = due.transition.channel
        waiting = self._due.pop(channel, None)
        if waiting is not None and waiting.transition.raised != due.transition.raised:
            return  # raised and cleared (or back) before either went out: nothing changed
        self._due[channel] = due
        self._has_due.set()

    async def _send(self) -> None:
        while True:
            await self._has_due.wait()
            self._has_due.clear()
            while self._due:
                due = self._due.pop(next(iter(self._due)))
                transition = due.transition
                data = {**transition.data, "message": transition.message}
                await self._publish(transition.channel, data, due.source)
                if due.notify:
                    await self._publish(NOTIFY, {
                        "message": transition.message,
                        "level": "warning" if transition.raised else "info",
                        "alert": transition.channel, "watched": due.watched}, due.source)

    async def _publish(self, channel: str, data: dict[str, Any], source: bytes | None) -> None:
        try:
            await self.hub.publish([self.hub.draft(channel, data, source, internal=True)])
        except Exception:
            self.log.warning("jupyter_push: could not publish %s", channel, exc_info=True)


def _watched(rule: Rule) -> str:
    return rule.pattern if isinstance(rule, Expect) else rule.channel


__all__ = ["Watchdog"]
