"""How long an HTTP publish waits for subscribers that fell behind, and what it answers when
they stay behind.

While a subscriber's queue is above the backpressure mark (`Backlog`), publishers are held
back. A kernel's WebSocket simply is not read meanwhile (its own bounded buffer absorbs the
burst). An HTTP publish waits before anything of it is stored, at most
`PushApp.publish_wait_timeout` seconds; if the subscribers are still behind then, it is
refused with 429 and a `Retry-After`: all or nothing per request, and nothing accepted
before is lost. The wait is bounded in any case by `slow_subscriber_timeout`, after which a
stalled subscriber is cut off (`Backlog.drained` does it), so `Retry-After` says when the
subscribers behind now will have drained or been cut off at the latest.
"""

from __future__ import annotations

import asyncio
import math
import time

from ..exceptions import WriteRefused
from .hub import Backlog


async def wait_for_subscribers(backlog: Backlog, timeout: float) -> None:
    """Return once no subscriber is behind (at once when none is). Raise WriteRefused (429)
    when some still are after `timeout` seconds (0: do not wait)."""
    if not backlog.behind:
        return
    if timeout > 0:
        try:
            await asyncio.wait_for(backlog.drained(), None if math.isinf(timeout) else timeout)
            return
        except asyncio.TimeoutError:
            if not backlog.behind:  # drained just as the time ran out
                return
    wait = retry_after(backlog)
    behind = len(backlog.behind)
    who = f"{behind} subscribers are" if behind > 1 else "a subscriber is"
    raise WriteRefused(
        429,
        f"{who} not keeping up, and the server holds publishers back until none is behind "
        f"(a stalled one is cut off after PushApp.slow_subscriber_timeout): nothing of this "
        f"request was published; send it again in {wait} s (Retry-After), or let requests "
        f"wait longer with PushApp.publish_wait_timeout (now {timeout:g} s)",
        retry_after=wait,
    )


def retry_after(backlog: Backlog, now: float | None = None) -> int:
    """Whole seconds (at least 1) until every subscriber behind now has drained or has been
    cut off for waiting longer than its timeout."""
    now = time.monotonic() if now is None else now
    latest = max((sub.waiting_since + sub.timeout - now for sub in backlog.behind), default=1.0)
    return max(1, math.ceil(latest))
