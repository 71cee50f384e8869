"""Limits on connections and publish rates: pure bookkeeping, no I/O."""

from __future__ import annotations

import time

from ..exceptions import WriteRefused


class ConnectionLimiter:
    """Counts open streaming connections (SSE + WebSocket), in total and per credential."""

    def __init__(self, total: int, per_credential: int):
        self.total = total
        self.per_credential = per_credential
        self.open = 0
        self.by_credential: dict[str, int] = {}

    def refusal(self, key: str) -> str | None:
        """Why one more connection for `key` would be refused, or None if it is admitted."""
        if self.total and self.open >= self.total:
            return (
                f"too many connections: the server holds {self.open} "
                f"(PushApp.max_connections = {self.total}); retry later"
            )
        held = self.by_credential.get(key, 0)
        if self.per_credential and held >= self.per_credential:
            return (
                f"too many connections for this credential: {held} open "
                f"(PushApp.max_connections_per_credential = {self.per_credential})"
            )
        return None

    def acquire(self, key: str) -> str | None:
        """Count a connection; returns the refusal instead when over a limit."""
        refusal = self.refusal(key)
        if refusal is None:
            self.open += 1
            self.by_credential[key] = self.by_credential.get(key, 0) + 1
        return refusal

    def release(self, key: str) -> None:
        held = self.by_credential.get(key, 0) - 1
        if held > 0:
            self.by_credential[key] = held
        else:
            self.by_credential.pop(key, None)
        self.open = max(self.open - 1, 0)


class TokenBucket:
    """`rate` events per second with bursts of up to `burst`; rate 0 means unlimited."""

    __slots__ = ("burst", "rate", "stamp", "tokens")

    def __init__(self, rate: float, burst: float | None = None, now: float | None = None):
        self.rate = rate
        self.burst = burst if burst is not None else rate
        self.tokens = self.burst
        self.stamp = time.monotonic() if now is None else now

    def take(self, n: int, now: float | None = None) -> bool:
        """Spend `n` tokens if available (all or nothing)."""
        if not self.rate:
            return True
        now = time.monotonic() if now is None else now
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if n > self.tokens:
            return False
        self.tokens -= n
        return True

    def retry_after(self, n: int) -> float:
        """Seconds until `n` tokens are available."""
        return max((n - self.tokens) / self.rate, 0.0) if self.rate else 0.0


class PublishRates:
    """`PushApp.max_publish_rate` / `max_publish_burst`: one bucket per credential, shared by
    its HTTP requests and WebSocket connections (a second socket does not double the rate)."""

    MAX_CREDENTIALS = 10_000  # beyond this, forget every bucket (each starts full again)

    def __init__(self, rate: float, burst: float):
        self.rate, self.burst = rate, burst
        self.buckets: dict[str, TokenBucket] = {}

    def admit(self, credential: str, count: int, now: float | None = None) -> None:
        """Charge `count` events to `credential`, or raise WriteRefused(429) with nothing
        charged."""
        if not self.rate or not count:
            return
        bucket = self.buckets.get(credential)
        if bucket is None:
            if len(self.buckets) >= self.MAX_CREDENTIALS:
                self.buckets.clear()
            bucket = self.buckets[credential] = TokenBucket(self.rate, self.burst, now)
        if not bucket.take(count, now):
            wait = bucket.retry_after(count)
            raise WriteRefused(
                429, f"publish rate limit ({self.rate:g} events/s, PushApp.max_publish_rate): "
                f"nothing was published; retry in {wait:.2f} s", retry_after=wait)
