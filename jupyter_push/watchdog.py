"""expect() and alert_if(): watchdog rules declared from a notebook, evaluated by the server.

A rule is a retained event on `$watch/...`; the server's watchdog raises `$alerts/...` and a
`$notify` warning when it trips, and clears both when things are back to normal. Because the
server evaluates it, a kernel that hangs, or dies, still trips its own `expect`.
"""

from __future__ import annotations

from typing import Any

from .watch_rules import AlertIf, Expect


class Rule:
    """A declared rule; `cancel()` withdraws it (and clears its alert)."""

    def __init__(self, channel: str, declaration: dict[str, Any]):
        self.channel = channel
        self.declaration = declaration

    def cancel(self) -> None:
        from .client.api import push

        push(self.channel, {**self.declaration, "cancelled": True})

    def __repr__(self) -> str:
        return f"<jupyter_push rule {self.channel}: {self.declaration}>"


def expect(pattern: str, every: float, *, name: str = "") -> Rule:
    """Alert when no event on a channel matching `pattern` arrives for `every` seconds
    (`$alerts/stalled/<name>`, by default the pattern's literal segments)."""
    from .client.api import push

    rule = Expect(pattern, every, name)
    declaration = {"rule": "expect", "pattern": pattern, "every": every, "name": rule.name}
    push(rule.rule_channel, declaration)
    return Rule(rule.rule_channel, declaration)


def alert_if(channel: str, condition: str | None = None, *, above: float | None = None,
             below: float | None = None, field: str = "value") -> Rule:
    """Alert when a value on `channel` is NaN (`alert_if("train/loss", "nan")`), above or
    below a bound (`alert_if("gpu", above=0.95)`); a dict value is read at `field`."""
    from .client.api import push

    if condition not in (None, "nan"):
        raise ValueError(f'alert_if({channel!r}, {condition!r}): the condition is "nan", '
                         "or use above= / below=")
    rule = AlertIf(channel, nan=condition == "nan", above=above, below=below, field=field)
    declaration = {**rule.describe(), "field": field}
    push(rule.rule_channel, declaration)
    return Rule(rule.rule_channel, declaration)
