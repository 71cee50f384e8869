"""Channel names and the patterns that select them.

A channel name is 1-200 characters of `/`-separated segments of letters, digits and `_ . : -`;
names starting with `$` are reserved for the server. A pattern may use `*` for one whole
segment and a final `**` for any number of further segments; wildcards never match `$` names
unless the pattern itself starts with `$`.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from .exceptions import InvalidChannel, InvalidInput

MAX_CHANNEL_LENGTH = 200
_SEGMENT = re.compile(r"[A-Za-z0-9_.:-]+\Z")



def check_channel(name: Any, *, allow_reserved: bool = False) -> str:
    """Return `name` if it is a valid channel name, else raise InvalidChannel."""
    if not isinstance(name, str):
        raise InvalidChannel(f"channel must be a string, not {type(name).__name__}")
    if not 1 <= len(name) <= MAX_CHANNEL_LENGTH:
        raise InvalidChannel(
            f"channel name must be 1-{MAX_CHANNEL_LENGTH} characters, got {len(name)}"
        )
    if name.startswith("$") and not allow_reserved:
        raise InvalidChannel(f"channel {name!r}: names starting with '$' are reserved")
    body = name[1:] if name.startswith("$") else name
    for segment in body.split("/"):
        if not _SEGMENT.match(segment):
            raise InvalidChannel(_segment_problem(name, segment))
    return name


def _segment_problem(name: str, segment: str) -> str:
    if not segment:
        return f"channel {name!r} has an empty segment (leading, trailing or double '/')"
    bad = next((c for c in segment if not _SEGMENT.match(c)), segment[:1])
    return (
        f"channel {name!r}: segment {segment!r} contains {bad!r}; "
        "segments may use letters, digits and _ . : -"
    )


def check_pattern(pattern: Any) -> str:
    """Return `pattern` if valid: segments, `*` for one segment, a final `**` for any."""
    if not isinstance(pattern, str):
        raise InvalidChannel(f"pattern must be a string, not {type(pattern).__name__}")
    if not 1 <= len(pattern) <= MAX_CHANNEL_LENGTH:
        raise InvalidChannel(
            f"pattern must be 1-{MAX_CHANNEL_LENGTH} characters, got {len(pattern)}"
        )
    segments = pattern.split("/")
    for i, segment in enumerate(segments):
        if segment == "*":
            continue
        if segment == "**":
            if i != len(segments) - 1:
                raise InvalidChannel(
                    f"pattern {pattern!r}: '**' is allowed only as the last segment"
                )
            continue
        if i == 0 and segment.startswith("$"):
            segment = segment[1:]
        if not _SEGMENT.match(segment):
            if "*" in segment:
                raise InvalidChannel(
                    f"pattern {pattern!r}: '*' must be a whole segment, as in 'train/*'"
                )
            problem = _segment_problem(pattern, segment)
            raise InvalidChannel(problem.replace("channel", "pattern", 1))
    return pattern


def check_patterns(patterns: list[Any], limit: int) -> list[str]:
    """`patterns` if each is valid and there are at most `limit` (`PushApp.max_patterns`) of
    them, for one subscription over any transport; else InvalidChannel / InvalidInput."""
    if len(patterns) > limit:
        raise InvalidInput(
            f"{len(patterns)} patterns in one subscription; the limit is {limit} "
            "(PushApp.max_patterns)"
        )
    return [check_pattern(p) for p in patterns]


def is_wildcard(pattern: str) -> bool:
    return "*" in pattern


def compile_pattern(pattern: str) -> Callable[[str], bool]:
    """A predicate for `pattern` (assumed valid). Wildcards never match the reserved `$`
    channels unless the pattern itself starts with `$`."""
    if not is_wildcard(pattern):
        return pattern.__eq__
    segments = pattern.split("/")
    tail = ""
    if segments[-1] == "**":
        segments.pop()
        tail = r"(?:/.+)?" if segments else r".+"  # zero or more further segments
    body = "/".join(r"[^/]+" if s == "*" else re.escape(s) for s in segments)
    match = re.compile(body + tail + r"\Z").match
    if pattern.startswith("$"):
        return lambda name: match(name) is not None
    return lambda name: not name.startswith("$") and match(name) is not None


def matches(pattern: str, name: str) -> bool:
    return compile_pattern(pattern)(name)


class PatternSet:
    """Several patterns, matched as one (an event matching two patterns is delivered once)."""

    __slots__ = ("_exact", "_predicates", "patterns")

    def __init__(self, patterns: list[str] | tuple[str, ...] = ("**",)):
        self.patterns: tuple[str, ...] = tuple(dict.fromkeys(patterns))
        self._exact = frozenset(p for p in self.patterns if not is_wildcard(p))
        self._predicates = tuple(compile_pattern(p) for p in self.patterns if is_wildcard(p))

    @property
    def exact_only(self) -> bool:
        return not self._predicates

    @property
    def exact(self) -> frozenset[str]:
        return self._exact

    def __call__(self, name: str) -> bool:
        if name in self._exact:
            return True
        return bool(self._predicates) and any(p(name) for p in self._predicates)

    def __repr__(self) -> str:
        return f"PatternSet({list(self.patterns)!r})"


class CheckedNames:
    """The channel names already found valid, so a name published again is not checked again.

    Callers test `name in names.known` on their hot path and call `names.check(name)` only
    for a name not known yet; the memo forgets everything past `limit` names.
    """

    __slots__ = ("_check", "known", "limit")

    def __init__(self, limit: int, check: Callable[[Any], str] = check_channel):
        self.known: set[str] = set()
        self.limit = limit
        self._check = check

    def check(self, name: Any) -> str:
        """`name` if valid (remembered), else raise InvalidChannel."""
        checked = self._check(name)
        if len(self.known) >= self.limit:
            self.known.clear()
        self.known.add(checked)
        return checked
