"""Controls' declarations and the values they accept: pure rules, shared by the server (which
refuses a bad value before it is published) and the kernel (which checks again on receipt).

A control on channel `C` declares itself with a retained event on `$controls/C`:

    {"channel": "train/lr", "kind": "slider", "default": 0.01, "value": 0.02,
     "min": 0.0001, "max": 0.1, "step": null, "options": null, "label": "learning rate"}

`value` is the value the kernel last confirmed (front ends draw it). Publishing `null` on
`$controls/C` withdraws the control.
"""

from __future__ import annotations

import json
import math
from typing import Any, Literal

from .events import InvalidInput, check_channel

PREFIX = "$controls/"
Kind = Literal["button", "toggle", "slider", "text", "choice", "chat"]
KINDS: tuple[str, ...] = ("button", "toggle", "slider", "text", "choice", "chat")
TEXT_MAX = 1000  # characters of a text value unless the declaration says `max`
CHAT_MAX = 2000  # characters of a chat message's text unless the declaration says `max`
NAME_MAX = 64  # characters of a chat message's "from"
MAX_OPTIONS = 200


def declaration_channel(channel: str) -> str:
    return PREFIX + channel


def declared_channel(declaration_channel: str) -> str | None:
    """`C` for `$controls/C`, else None."""
    return declaration_channel[len(PREFIX):] if declaration_channel.startswith(PREFIX) else None


def declare(
    channel: str,
    default: Any,
    kind: str = "button",
    *,
    min: float | None = None,
    max: float | None = None,
    step: float | None = None,
    options: list[Any] | None = None,
    label: str | None = None,
) -> dict[str, Any]:
    """A checked declaration (raises ValueError saying what is wrong)."""
    decl = {
        "channel": channel, "kind": kind, "default": default, "value": default,
        "min": min, "max": max, "step": step,
        "options": list(options) if options is not None else None,
        "label": label if label is not None else channel.rsplit("/", 1)[-1],
    }
    check_declaration(decl)
    return decl


def check_declaration(decl: Any) -> dict[str, Any]:
    """Return `decl` if it is a valid declaration; raise InvalidInput naming the problem."""
    if not isinstance(decl, dict):
        raise InvalidInput("a control declaration is an object with at least channel and kind")
    check_channel(decl.get("channel"))
    kind = decl.get("kind")
    if kind not in KINDS:
        raise InvalidInput(f"control kind {kind!r}: use one of {', '.join(KINDS)}")
    lo, hi = decl.get("min"), decl.get("max")
    for name, bound in (("min", lo), ("max", hi), ("step", decl.get("step"))):
        if bound is not None and not _is_number(bound):
            raise InvalidInput(f"control {name} must be a number, got {bound!r}")
    if kind == "slider":
        if lo is None or hi is None:
            raise InvalidInput("a slider needs min and max")
        if not lo < hi:
            raise InvalidInput(f"slider min {lo!r} must be below max {hi!r}")
    options = decl.get("options")
    if kind == "choice":
        if not isinstance(options, list) or not options or len(options) > MAX_OPTIONS:
            raise InvalidInput(f"a choice needs options: a list of 1-{MAX_OPTIONS} values")
        if not all(isinstance(o, str | int | float | bool) for o in options):
            raise InvalidInput("choice options must be strings or numbers")
    label = decl.get("label")
    if label is not None and not isinstance(label, str):
        raise InvalidInput("control label must be a string")
    for field in ("default", "value"):
        if field in decl and decl[field] is not None:
            try:
                check_value(decl, decl[field])
            except InvalidInput as e:
                raise InvalidInput(f"control {field}: {e}") from e
    return decl


def check_value(decl: dict[str, Any], value: Any) -> Any:
    """Return `value` if the control declared by `decl` accepts it; else raise InvalidInput
    with a message its sender can act on."""
    kind, channel = decl["kind"], decl["channel"]
    where = f"control {channel!r} ({kind})"
    if kind in ("button", "toggle"):
        if not isinstance(value, bool):
            raise InvalidInput(f"{where} takes true or false, not {_show(value)}")
    elif kind == "slider":
        _check_number(where, decl, value)
    elif kind == "text":
        if not isinstance(value, str):
            raise InvalidInput(f"{where} takes a string, not {_show(value)}")
        limit = int(decl.get("max") or TEXT_MAX)
        if len(value) > limit:
            raise InvalidInput(f"{where}: {len(value)} characters; at most {limit}")
    elif kind == "choice":
        options = decl["options"]
        if not any(value == o and type(value) is type(o) for o in options):
            raise InvalidInput(f"{where}: {_show(value)} is not one of {options}")
    elif kind == "chat":
        _check_message(where, decl, value)
    return value


def _check_number(where: str, decl: dict[str, Any], value: Any) -> None:
    if not _is_number(value):
        raise InvalidInput(f"{where} takes a number, not {_show(value)}")
    lo, hi = decl["min"], decl["max"]
    if not lo <= value <= hi:
        raise InvalidInput(f"{where}: {_show(value)} is out of range [{lo}, {hi}]")
    integral = all(isinstance(x, int) for x in (lo, hi, decl.get("default", 0)))
    if integral and decl.get("step") in (None, 1) and value != int(value):
        raise InvalidInput(f"{where} takes whole numbers, not {value!r}")


def _check_message(where: str, decl: dict[str, Any], value: Any) -> None:
    text, name = value, None
    if isinstance(value, dict):
        if set(value) - {"text", "from"}:
            raise InvalidInput(f'{where}: a message is a string or {{"from", "text"}}')
        text, name = value.get("text"), value.get("from")
    if not isinstance(text, str) or not text.strip():
        raise InvalidInput(f"{where}: the message text must be a non-empty string")
    limit = int(decl.get("max") or CHAT_MAX)
    if len(text) > limit:
        raise InvalidInput(f"{where}: {len(text)} characters; at most {limit}")
    if name is not None and (not isinstance(name, str) or len(name) > NAME_MAX):
        raise InvalidInput(f'{where}: "from" must be a string of at most {NAME_MAX} characters')


def _is_number(x: Any) -> bool:
    return isinstance(x, int | float) and not isinstance(x, bool) and math.isfinite(x)


def _show(value: Any) -> str:
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
