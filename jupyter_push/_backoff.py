"""How long to wait before reconnecting: exponential backoff with full jitter, as a pure
function, for every reconnecting loop (the kernel's publisher, Python subscriptions, the Redis
relay).

Full jitter (a uniform draw up to the exponential bound) spreads the retries of many clients
that lost the same server at the same moment, so a restarted server is not hit by every kernel
in lockstep.
"""

from __future__ import annotations

import random as _random
from typing import Callable

FIRST = 0.05  # seconds: the bound of the first retry
CAP = 2.0  # seconds: the bound never grows beyond this


def backoff_delay(attempt: int, *, first: float = FIRST, cap: float = CAP,
                  random: Callable[[], float] = _random.random) -> float:
    """The wait before retry `attempt` (0 for the first): uniform in
    [0, min(cap, first · 2^attempt)]."""
    bound = cap if attempt >= 64 else min(cap, first * (1 << max(attempt, 0)))
    return bound * random()
