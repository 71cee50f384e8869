"""Share-link keys kept in Redis, so every server on one Redis key prefix (a JupyterHub user's
servers) signs and verifies links with the same secret and revokes them together.

Redis holds a hash `<prefix>share` ({secret, generation}) and a pub/sub channel of the same
name on which a revocation announces its new generation; the servers keep the keys in memory
(verifying a link never waits for Redis) and end the streams their share links hold when
another server revokes. The local key file is the fallback while Redis is unreachable.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Callable

import redis.asyncio as aioredis

from ..tokens import KeyFile, Keys

RETRY_SECONDS = (0.5, 1.0, 2.0, 5.0)


class RedisShareKeys:
    """The `KeyStore` of ShareTokens when the broker is Redis."""

    def __init__(self, url: str, prefix: str, local: KeyFile, *, configured_secret: bool,
                 on_revoke: Callable[[], Any] | None = None,
                 log: logging.Logger | None = None):
        self.url = url
        self.key = prefix + "share"
        self.local = local
        self.keys = local.current()
        self.configured_secret = configured_secret  # never stored in Redis then
        self.on_revoke = on_revoke
        self.log = log or logging.getLogger(__name__)
        self.write_error = local.write_error
        self._client: Any = None
        self._listener: asyncio.Task[None] | None = None

    def current(self) -> Keys:
        return self.keys

    async def start(self) -> None:
        if self._listener is None:
            self._client = aioredis.Redis.from_url(self.url, socket_connect_timeout=2)
            self._listener = asyncio.ensure_future(self._listen())

    async def stop(self) -> None:
        listener, self._listener = self._listener, None
        if listener is not None:
            listener.cancel()
            await asyncio.wait({listener}, timeout=2)
        client, self._client = self._client, None
        if client is not None:
            await client.aclose()

    async def bump_generation(self) -> int:
        """Revoke every link on every server of this prefix; returns the new generation.
        Takes effect here at once, even when Redis is unreachable (then here only)."""
        try:
            generation = int(await self._client.hincrby(self.key, "generation", 1))
            await self._client.publish(self.key, str(generation))
        except (aioredis.RedisError, OSError) as e:
            self.log.warning("jupyter_push: share links revoked on this server only: Redis "
                             "unreachable (%s)", e)
            generation = self.keys.generation + 1
        self._adopt(Keys(self.keys.secret, max(generation, self.keys.generation + 1)))
        return self.keys.generation

    async def _listen(self) -> None:
        failures = 0
        while True:
            try:
                pubsub = self._client.pubsub()
                await pubsub.subscribe(self.key)
                await self._load()  # after subscribing: no revocation falls in between
                failures = 0
                async for message in pubsub.listen():
                    if message.get("type") == "message":
                        self._revoked(int(message["data"]))
            except asyncio.CancelledError:
                raise
            except (aioredis.RedisError, OSError, ValueError) as e:
                delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)]
                if failures == 0:
                    self.log.warning("jupyter_push: share keys not shared through Redis (%s); "
                                     "retrying", e)
                failures += 1
                await asyncio.sleep(delay)

    async def _load(self) -> None:
        """Take the keys from Redis, storing ours first if it has none."""
        if not self.configured_secret:
            await self._client.hsetnx(self.key, "secret", self.keys.secret)
        await self._client.hsetnx(self.key, "generation", self.keys.generation)
        stored = await self._client.hgetall(self.key)
        secret = stored.get(b"secret", b"").decode() if not self.configured_secret else ""
        generation = int(stored.get(b"generation", 0))
        if generation > self.keys.generation:
            self._revoked(generation)
        if secret and secret != self.keys.secret:
            self._adopt(Keys(secret, self.keys.generation))

    def _revoked(self, generation: int) -> None:
        if generation <= self.keys.generation:
            return
        self._adopt(Keys(self.keys.secret, generation))
        if self.on_revoke is not None:
            self.on_revoke()

    def _adopt(self, keys: Keys) -> None:
        self.keys = keys
