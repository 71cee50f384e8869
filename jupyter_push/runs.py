"""Runs: names that put the same measurement of several runs side by side.

A run's values go to `runs/<run>/<channel>`: `track(..., "progress", run="lr=1e-3")` pushes to
`runs/lr_1e-3/progress`, `push(run_channel("loss", "lr=1e-3"), 0.3)` to `runs/lr_1e-3/loss`.
A tile bound to the pattern `runs/*/<channel>` (the viewer's `?overlay=runs/*/loss`, the panel's
"Compare…", `Chart("loss", run="*")`) draws every run as its own series, named by the run: the
part of the channel the pattern's wildcards matched (`series_name` here, `overlayName` in the
tile library).
"""

from __future__ import annotations

import re

from .channels import check_channel, check_pattern
from .exceptions import InvalidChannel

RUNS = "runs"
MAX_RUN_LENGTH = 64
_NOT_IN_SEGMENT = re.compile(r"[^A-Za-z0-9_.:-]+")


def run_segment(run: str) -> str:
    """A run name as one channel segment: characters a segment cannot hold become `_`
    (`"lr=1e-3"` → `"lr_1e-3"`, `"bs 32, adam"` → `"bs_32_adam"`)."""
    if not isinstance(run, str):
        raise InvalidChannel(f"run must be a string, not {type(run).__name__}")
    segment = _NOT_IN_SEGMENT.sub("_", run.strip()).strip("_")
    if not segment:
        raise InvalidChannel(
            f"run {run!r} has no letters or digits; name runs like 'lr=1e-3' or 'baseline'"
        )
    if len(segment) > MAX_RUN_LENGTH:
        raise InvalidChannel(
            f"run {run!r} is longer than {MAX_RUN_LENGTH} characters; give it a shorter name"
        )
    return segment


def run_channel(channel: str, run: str) -> str:
    """The channel of `channel` for one run: `runs/<run>/<channel>`."""
    return check_channel(f"{RUNS}/{run_segment(run)}/{check_channel(channel)}")


def runs_pattern(channel: str, run: str = "*") -> str:
    """A pattern over runs: `runs/*/<channel>` for every run, or one run's channel. `channel`
    may itself be a pattern (`runs/*/train/*`)."""
    segment = "*" if run == "*" else run_segment(run)
    return check_pattern(f"{RUNS}/{segment}/{check_pattern(channel)}")


def series_name(pattern: str, channel: str) -> str:
    """The name of `channel`'s series on a tile bound to `pattern`: the segments the pattern's
    wildcards matched, joined by `/` (`runs/*/loss` + `runs/a/loss` → `a`); the channel itself
    when the pattern has no wildcard."""
    parts, names = pattern.split("/"), channel.split("/")
    if "**" in parts:
        i = parts.index("**")
        matched = [n for p, n in zip(parts[:i], names, strict=False) if p == "*"] + names[i:]
    else:
        matched = [n for p, n in zip(parts, names, strict=False) if p == "*"]
    return "/".join(matched) or channel
