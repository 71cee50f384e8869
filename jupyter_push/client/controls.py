"""control(), on() and ask(): a running cell hears values sent from a page, the dashboard or
another process, while it runs.

    stop = control("train/stop", False, kind="button")
    lr = control("train/lr", 0.01, kind="slider", min=0.0001, max=0.1)
    while not stop.value:          # a plain attribute read: no blocking, no comm, no I/O
        step(lr.value)

Values arrive on the publisher's own WebSocket and its thread (the one push() uses), so they
are heard while the main thread is busy. A control declares itself on `$controls/<channel>`
(retained), which front ends draw and the server checks every value against: a bad value is
refused to its sender and never arrives here (it is checked here again all the same). After
each accepted value the declaration is published again with `"value"`, the value the code
now sees, which front ends show as confirmed. Events this process published itself are not
handed back to it (use `Control.set` to change a control from the code).
"""

from __future__ import annotations

import inspect
import logging
import threading
from typing import Any, Callable

from ..declarations import check_value, declaration_channel, declare
from ..events import InvalidInput, PatternSet, check_channel, check_pattern
from . import _inprocess as local
from .encoding import sized

log = logging.getLogger("jupyter_push")
Callback = Callable[..., Any]


class Control:
    """A value set from outside the code: `.value` is the latest accepted one."""

    def __init__(self, declaration: dict[str, Any]):
        self.channel: str = declaration["channel"]
        self.declaration = declaration
        self._value = declaration["default"]
        self._version = 0  # accepted values so far
        self._looked = 0  # the version `changed()` last reported
        self._lock = threading.Lock()

    @property
    def value(self) -> Any:
        """The latest value sent (the default until one arrives)."""
        return self._value

    @property
    def kind(self) -> str:
        return str(self.declaration["kind"])

    def changed(self) -> bool:
        """True when a value arrived since the last call (a button: clicked again)."""
        version = self._version
        if version == self._looked:
            return False
        self._looked = version
        return True

    def set(self, value: Any) -> None:
        """Set the value from the code: checked like any other, then published to every
        front end (and any other listener on the channel)."""
        check_value(self.declaration, value)
        self._accept(value)
        _publish(self.channel, value)

    def close(self) -> None:
        """Withdraw the control: front ends remove it; values sent to it are no longer checked."""
        if _controls.get(self.channel) is self:
            del _controls[self.channel]
        _publish(declaration_channel(self.channel), None)

    def _accept(self, value: Any) -> None:
        with self._lock:
            self._value = value
            self._version += 1
            confirmed = {**self.declaration, "value": value}
            self.declaration = confirmed
        _publish(declaration_channel(self.channel), confirmed)  # what front ends draw

    def __repr__(self) -> str:
        return f"<control {self.channel!r} ({self.kind}) = {self._value!r}>"


def control(
    channel: str,
    default: Any = False,
    *,
    kind: str = "button",
    min: float | None = None,
    max: float | None = None,
    options: list[Any] | None = None,
    step: float | None = None,
    label: str | None = None,
) -> Control:
    """A value the outside world may set while the code runs (see the module docstring).

    `kind` is how front ends draw it and what it accepts: "button" / "toggle" (true or
    false), "slider" (a number in [min, max]; whole numbers when min, max and default are),
    "text" (a string of at most `max` characters, default 1000), "choice" (one of
    `options`), "chat" (a message: a string or {"from", "text"}). Declaring a channel again
    replaces the earlier control (which stops receiving).
    """
    check_channel(channel)
    try:
        declaration = declare(channel, default, kind, min=min, max=max, step=step,
                              options=options, label=label)
    except InvalidInput as e:
        raise ValueError(str(e)) from None
    made = Control(declaration)
    _controls[channel] = made
    _follow([channel])  # listening before the declaration is out: no value can slip by
    _publish(declaration_channel(channel), declaration)
    return made


def on(channel: str, callback: Callback) -> Callable[[], None]:
    """Call `callback(value)` (or `callback(value, event)`) for every event sent to channels
    matching `channel` by someone else, on the publisher's thread: keep it short, and
    never wait in it for other events. Returns a function that stops the calls."""
    check_pattern(channel)
    entry = (PatternSet([channel]), callback, _takes_event(callback))
    _listeners.append(entry)
    _follow([channel])

    def remove() -> None:
        if entry in _listeners:
            _listeners.remove(entry)

    return remove


def ask(prompt: str, channel: str = "ask", timeout: float | None = None, *,
        options: list[Any] | None = None) -> Any:
    """Show `prompt` (a text box, or a choice among `options`) to every front end that may
    set `channel`, wait for the first answer and return it. Raises TimeoutError after
    `timeout` seconds without one. The question is withdrawn either way."""
    answers: list[Any] = []
    answered = threading.Event()

    def take(value: Any) -> None:
        if not answers:
            answers.append(value)
            answered.set()

    kind = "choice" if options else "text"
    question = control(channel, options[0] if options else "", kind=kind, options=options,
                       label=prompt)
    stop = on(channel, take)
    try:
        if not answered.wait(timeout):
            raise TimeoutError(f"no answer on {channel!r} within {timeout:g} s")
        return answers[0]
    finally:
        stop()
        question.close()


# --------------------------------------------------------------------------- receiving


_controls: dict[str, Control] = {}
_listeners: list[tuple[PatternSet, Callback, bool]] = []


def receive(events: list[dict[str, Any]], me: dict[str, Any]) -> None:
    """Hand events from the server to the controls and listeners they are for (on the
    publisher's thread). `me` is this process's source: its own events are skipped."""
    for event in events:
        channel, data = event.get("channel"), event.get("data")
        if not isinstance(channel, str) or _is_own(event.get("source"), me):
            continue
        made = _controls.get(channel)
        if made is not None:
            try:
                check_value(made.declaration, data)
            except InvalidInput as e:  # the server refuses these: a value sent before it knew
                log.warning("jupyter_push: control value ignored: %s", e)
                continue
            made._accept(data)
        for patterns, callback, with_event in tuple(_listeners):
            if patterns(channel):
                try:
                    callback(data, event) if with_event else callback(data)
                except Exception:
                    log.exception("jupyter_push: on(%r) callback failed", channel)


def _is_own(source: Any, me: dict[str, Any]) -> bool:
    if not isinstance(source, dict):
        return False
    for key in ("kernel", "origin"):
        if me.get(key) is not None:
            return bool(source.get(key) == me[key])
    return False


def _follow(patterns: list[str]) -> None:
    from .api import get_publisher

    publisher = get_publisher()
    if publisher.inbox is None:
        me = publisher.base_source  # (without the cell, which changes)
        publisher.inbox = lambda events: receive(events, me)
    publisher.follow(patterns)


def _publish(channel: str, data: Any) -> None:
    """push() for the library's own channels (`$controls/...` too)."""
    from .api import get_publisher

    local.dispatch(channel, data)
    publisher = get_publisher()
    if not publisher.discarding:
        publisher.put(channel, *sized(data))


def _takes_event(callback: Callback) -> bool:
    try:
        parameters = inspect.signature(callback).parameters.values()
    except (TypeError, ValueError):
        return False
    positional = [p for p in parameters if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    return len(positional) >= 2 or any(p.kind is p.VAR_POSITIONAL for p in parameters)
