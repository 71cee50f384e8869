"""The watchdog: rules from `PushApp.watch` and from notebooks (`expect()`, `alert_if()`
declare them on `$watch/...`), evaluated in the server, so a kernel that hangs or dies is
noticed too. An alert is an event on `$alerts/...` plus a notification on `$notify`; both are
published again, as "cleared", when the events resume or the value is back in range.

Costs: one subscription to `$watch/**` (rule declarations) and, while rules exist, one to what
they watch; a timer only while an `expect` rule exists.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ..channels import PatternSet
from ..reserved import NOTIFY, WATCH
from ..watch_rules import AlertIf, Expect, Transition, rule_from_declaration
from .hub import Hub, Subscriber

Rule = Expect | AlertIf
MIN_TICK, MAX_TICK = 0.05, 1.0


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
        self._sub: Subscriber | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._changed = asyncio.Event()

    async def start(self) -> None:
        self._sub, _ = await self.hub.open(self._patterns(), retained=True, internal=True)
        self._tasks = [asyncio.ensure_future(self._read()), asyncio.ensure_future(self._tick())]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        if self._sub is not None:
            self.hub.close(self._sub)
            self._sub = None

    def _patterns(self) -> PatternSet:
        watched = [r.pattern if isinstance(r, Expect) else r.channel for r in self.rules.values()]
        return PatternSet([f"{WATCH}/**", *watched])

    # ------------------------------------------------------------------ events

    async def _read(self) -> None:
        sub = self._sub
        assert sub is not None
        while True:
            await sub.ready.wait()
            events = sub.take()
            now = time.time()
            if sub.overflowed:  # more than a queue's worth at once: that is activity
                sub.overflowed = False
                for rule in self.rules.values():
                    if isinstance(rule, Expect):
                        await self._emit(rule, rule.observe(rule.pattern, now))
            for event in events:
                if event.id is None:  # a gap notice
                    continue
                if event.channel.startswith(WATCH + "/"):
                    await self._declare(event.channel, event.data, event.source_json, now)
                    continue
                for rule in list(self.rules.values()):
                    if isinstance(rule, Expect):
                        await self._emit(rule, rule.observe(event.channel, now))
                    else:
                        await self._emit(rule, rule.observe(event.channel, event.data))

    async def _declare(self, channel: str, data: Any, source: bytes | None, now: float) -> None:
        old = self.rules.pop(channel, None)
        if isinstance(data, dict) and data.get("cancelled"):
            if old is not None and old.raised:
                old.raised = False
                await self._publish(old.alert_channel, {**old.describe(), "state": "cleared",
                                                        "level": "info",
                                                        "message": "the rule was cancelled"},
                                    source)
        else:
            try:
                rule = rule_from_declaration(data, now)
            except (ValueError, TypeError) as e:
                self.log.warning("jupyter_push: ignoring the watch rule on %s: %s", channel, e)
            else:
                self.rules[channel] = rule
                self.sources[channel] = source
        assert self._sub is not None
        self.hub.update(self._sub, self._patterns())
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
                await self._emit(rule, rule.check(now))

    # ------------------------------------------------------------------ alerts

    async def _emit(self, rule: Rule, transition: Transition | None) -> None:
        if transition is None:
            return
        source = self.sources.get(rule.rule_channel)
        data = {**transition.data, "message": transition.message}
        await self._publish(transition.channel, data, source)
        watched = rule.pattern if isinstance(rule, Expect) else rule.channel
        await self._publish(NOTIFY, {"message": transition.message,
                                     "level": "warning" if transition.raised else "info",
                                     "alert": transition.channel, "watched": watched}, source)

    async def _publish(self, channel: str, data: dict[str, Any], source: bytes | None) -> None:
        try:
            await self.hub.publish([self.hub.draft(channel, data, source, internal=True)])
        except Exception:
            self.log.warning("jupyter_push: could not publish %s", channel, exc_info=True)


__all__ = ["Watchdog"]
