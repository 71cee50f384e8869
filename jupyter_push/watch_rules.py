"""Watchdog rules and their alerts (pure: no clock, no I/O; the server feeds events and time).

- `Expect(pattern, every)`: an event on a channel matching `pattern` at least every `every`
  seconds; otherwise the run looks stuck (`$alerts/stalled/<name>`).
- `AlertIf(channel, nan=…, above=…, below=…)`: a value on `channel` is NaN (or null, which is
  what NaN becomes in JSON), above or below a bound (`$alerts/value/<channel>`). A value may be
  a number, or a dict read at `field` (default "value").

An alert is raised once and cleared once, each a `Transition` the server publishes on the
rule's alert channel and as a notification.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from .channels import check_pattern, compile_pattern, is_wildcard
from .reserved import ALERTS, WATCH


def rule_name(pattern: str) -> str:
    """A channel-safe name for a pattern: its literal segments (`train/**` → `train`)."""
    literal = [s for s in pattern.lstrip("$").split("/") if not is_wildcard(s)]
    return "/".join(literal) or "all"


@dataclass
class Transition:
    channel: str  # the alert channel, `$alerts/...`
    raised: bool
    message: str
    data: dict[str, Any]


@dataclass
class Expect:
    pattern: str
    every: float
    name: str = ""
    started: float = 0.0  # when the rule began to count (its first deadline is every after it)
    last: float | None = None  # the last matching event
    raised: bool = False

    def __post_init__(self) -> None:
        check_pattern(self.pattern)
        if not (isinstance(self.every, (int, float)) and self.every > 0):
            raise ValueError(f"expect({self.pattern!r}, every=…): seconds must be > 0")
        self.name = self.name or rule_name(self.pattern)
        self._match = compile_pattern(self.pattern)

    @property
    def alert_channel(self) -> str:
        return f"{ALERTS}/stalled/{self.name}"

    @property
    def rule_channel(self) -> str:
        return f"{WATCH}/stalled/{self.name}"

    def describe(self) -> dict[str, Any]:
        return {"rule": "expect", "pattern": self.pattern, "every": self.every}

    def observe(self, channel: str, now: float) -> Transition | None:
        if not self._match(channel):
            return None
        self.last = now
        if not self.raised:
            return None
        self.raised = False
        return Transition(self.alert_channel, False,
                          f"{self.pattern}: events again ({channel})",
                          {**self.describe(), "state": "cleared", "level": "success"})

    def check(self, now: float) -> Transition | None:
        since = self.last if self.last is not None else self.started
        if self.raised or now - since < self.every:
            return None
        self.raised = True
        waited = now - since
        what = "no event" if self.last is None else "no event since the last one"
        return Transition(self.alert_channel, True,
                          f"{self.pattern}: {what} for {waited:.0f} s (expected every "
                          f"{self.every:g} s)",
                          {**self.describe(), "state": "raised", "level": "warning",
                           "last": self.last})


@dataclass
class AlertIf:
    channel: str
    nan: bool = False
    above: float | None = None
    below: float | None = None
    field: str = "value"
    raised: bool = False

    def __post_init__(self) -> None:
        check_pattern(self.channel)
        if not self.nan and self.above is None and self.below is None:
            raise ValueError(f'alert_if({self.channel!r}): give "nan", above= or below=')
        for bound in (self.above, self.below):
            if bound is not None and not isinstance(bound, (int, float)):
                raise ValueError(f"alert_if({self.channel!r}): bounds must be numbers")
        self._match = compile_pattern(self.channel)

    @property
    def name(self) -> str:
        return rule_name(self.channel)

    @property
    def alert_channel(self) -> str:
        return f"{ALERTS}/value/{self.name}"

    @property
    def rule_channel(self) -> str:
        return f"{WATCH}/value/{self.name}"

    def describe(self) -> dict[str, Any]:
        rule: dict[str, Any] = {"rule": "alert_if", "channel": self.channel}
        rule.update({k: v for k, v in (("nan", self.nan or None), ("above", self.above),
                                        ("below", self.below)) if v is not None})
        return rule

    def problem(self, value: Any) -> str | None:
        """What is wrong with `value`, or None."""
        if isinstance(value, dict):
            value = value.get(self.field)
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return "is NaN" if self.nan else None
        if isinstance(value, str) and value.lower() == "nan":
            return "is NaN" if self.nan else None
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if self.above is not None and value > self.above:
            return f"is {value:g}, above {self.above:g}"
        if self.below is not None and value < self.below:
            return f"is {value:g}, below {self.below:g}"
        return None

    def observe(self, channel: str, value: Any) -> Transition | None:
        if not self._match(channel):
            return None
        problem = self.problem(value)
        if problem is not None and not self.raised:
            self.raised = True
            return Transition(self.alert_channel, True, f"{channel} {problem}",
                              {**self.describe(), "state": "raised", "level": "warning",
                               "value": value})
        if problem is None and self.raised:
            self.raised = False
            return Transition(self.alert_channel, False, f"{channel} is back in range",
                              {**self.describe(), "state": "cleared", "level": "success",
                               "value": value})
        return None


def rule_from_declaration(data: Any, now: float) -> Expect | AlertIf:
    """A rule from its declaration on `$watch/...` (what expect() / alert_if() publish).
    Raises ValueError with a message for a bad one."""
    if not isinstance(data, dict):
        raise ValueError("a watch rule is an object")
    kind = data.get("rule")
    if kind == "expect":
        return Expect(data.get("pattern"), data.get("every"), data.get("name") or "",  # type: ignore[arg-type]
                      started=now)
    if kind == "alert_if":
        return AlertIf(data.get("channel"), nan=bool(data.get("nan")),  # type: ignore[arg-type]
                       above=data.get("above"), below=data.get("below"),
                       field=data.get("field") or "value")
    raise ValueError(f"unknown watch rule {kind!r}: expect or alert_if")
