"""The Redis broker: several Jupyter servers share channels, history and retained values.

Layout under a key prefix (per JupyterHub user by default):
- `<prefix>events`: a Stream, one entry per event (`c` channel, `d` data JSON, `s` source
  JSON or "", `t` time); trimmed to about `history_size` entries (at least RELAY_MIN, so a
  briefly slow reader never loses entries). Stream ids are the event ids.
- `<prefix>last`: a hash, channel -> the retained event ("id\\ntime\\nsource\\ndata").
- `<prefix>count`: a hash, channel -> number of events published.

One script call stores a whole publish batch (one round trip). Each server runs one reader
(XREAD BLOCK) that builds every Event once and hands the batch to the hub, so local fan-out is
the same encode-once path as with the memory broker.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from redis import asyncio as aioredis
from redis.asyncio.connection import parse_url
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError

from ..._backoff import backoff_delay
from ...events import Event
from ...exceptions import AlreadyPublished, BrokerUnavailable
from .base import Broker, Draft, Matcher, Origin

RELAY_MIN = 1000
READ_BLOCK_MS = 1000
READ_COUNT = 1000
BARRIER_TIMEOUT = 2.0
# A read (subscribe, channels, history) waits this long for an unreachable Redis, then gets
# 503 at once: reads have nothing to buffer, and a page should not hang for publish_timeout.
READ_WAIT = 0.5
LOCAL_MAX = 100_000
LOST = (RedisConnectionError, RedisTimeoutError, ConnectionError, OSError)

_PUBLISH = """
local stream, last, count, seen = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local maxlen, t, ref, ttl, call = ARGV[1], ARGV[2], tonumber(ARGV[3]), ARGV[4], ARGV[5]
local before = redis.call('GET', seen)
if before then
  local stored_ref, stored_call, stored_ids = string.match(before, '^(%S+) (%S+) ?(.*)$')
  if stored_call == call then
    local ids = {'retried'}
    for id in string.gmatch(stored_ids, '%S+') do
      ids[#ids + 1] = id
    end
    return ids
  end
  if ref <= tonumber(stored_ref) then
    return {'resent'}
  end
end
local ids = {'new'}
for i = 6, #ARGV, 3 do
  local ch, data, src = ARGV[i], ARGV[i + 1], ARGV[i + 2]
  local id = redis.call('XADD', stream, 'MAXLEN', '~', maxlen, '*',
                        'c', ch, 'd', data, 's', src, 't', t)
  redis.call('HSET', last, ch, id .. '\\n' .. t .. '\\n' .. src .. '\\n' .. data)
  redis.call('HINCRBY', count, ch, 1)
  ids[#ids + 1] = id
end
redis.call('SET', seen, ref .. ' ' .. call .. ' ' .. table.concat(ids, ' ', 2), 'EX', ttl)
return ids
"""
# Every publish records what it stored under a key, so that it is stored once even when it
# runs twice: redis-py resends a command once on a fresh connection when the reply is lost
# (the same call: answered with the ids stored the first time), and a publisher resends a
# frame after reconnecting, to this server or another (a ref its session already stored:
# AlreadyPublished). The key is the publisher's session (its refs increase frame by frame),
# or, for a publish without one, a key of this call alone.
SESSION_TTL = 24 * 3600
CALL_TTL = 60


def stream_position(event_id: str | bytes) -> tuple[int, int] | None:
    """`"1763790000125-3"` -> (1763790000125, 3); None for anything that is not a stream id."""
    if isinstance(event_id, bytes):
        event_id = event_id.decode()
    ms, sep, seq = event_id.partition("-")
    if not sep or not ms.isdigit() or not seq.isdigit():
        return None
    return int(ms), int(seq)


def event_from_entry(event_id: str, fields: dict[bytes, bytes]) -> Event:
    source = fields.get(b"s") or None
    return Event(event_id, fields[b"c"].decode(), fields[b"d"], float(fields[b"t"]), source)


def event_from_retained(channel: str, packed: bytes) -> Event:
    event_id, t, source, data = packed.split(b"\n", 3)
    return Event(event_id.decode(), channel, data, float(t), source or None)


def redact(url: str) -> str:
    """The URL without its password, for log messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.rsplit("@", 1)[1]
    user = f"{parts.username}:***@" if parts.username else ":***@"
    return urlunsplit(parts._replace(netloc=user + netloc))


def check_url(url: str) -> None:
    """Raises ValueError saying what is wrong with a Redis URL (without connecting)."""
    try:
        parse_url(url)
    except ValueError as e:
        raise ValueError(f"PushApp.broker_url {redact(url)!r}: {e}") from None
    parts = urlsplit(url)
    database = parts.path.strip("/")
    if parts.scheme in ("redis", "rediss") and database and not database.isdigit():
        raise ValueError(
            f"PushApp.broker_url {redact(url)!r}: the database after the port is a number, "
            f"not {database!r} (e.g. redis://host:6379/0)"
        )


class _Barrier:
    """Futures waiting for the reader to reach a stream position."""

    def __init__(self) -> None:
        self.position: tuple[int, int] = (0, 0)
        self.waiters: list[tuple[tuple[int, int], asyncio.Future[None]]] = []

    def advance(self, position: tuple[int, int]) -> None:
        self.position = position
        if self.waiters:
            still = []
            for target, fut in self.waiters:
                if target <= position:
                    if not fut.done():
                        fut.set_result(None)
                else:
                    still.append((target, fut))
            self.waiters = still

    def release_all(self) -> None:
        for _, fut in self.waiters:
            if not fut.done():
                fut.set_result(None)
        self.waiters = []

    async def reached(self, target: tuple[int, int] | None, timeout: float) -> None:
        """Wait until the reader has delivered `target` (gives up quietly after `timeout`)."""
        if target is None or target <= self.position:
            return
        fut = asyncio.get_running_loop().create_future()
        self.waiters.append((target, fut))
        try:
            await asyncio.wait_for(fut, timeout)
        except asyncio.TimeoutError:
            pass


class RedisBroker(Broker):
    def __init__(
        self,
        url: str,
        *,
        history_size: int = 10_000,
        prefix: str = "jupyter_push:",
        publish_timeout: float = 5.0,
        buffer_events: int = 10_000,
        log: logging.Logger | None = None,
    ):
        check_url(url)
        self.url = url
        self.history_size = max(history_size, 0)
        self.prefix = prefix
        self.stream_key = prefix + "events"
        self.last_key = prefix + "last"
        self.count_key = prefix + "count"
        self.publish_timeout = publish_timeout
        self.buffer_events = buffer_events
        self.log = log or logging.getLogger(__name__)
        self._client: Any = None  # redis.asyncio.Redis (its annotations are too loose)
        self._script: Any = None
        self._reader: asyncio.Task[None] | None = None
        self._connected: asyncio.Event | None = None
        self._barrier = _Barrier()
        self._last_id = "0-0"  # last stream id the reader delivered
        self._positioned = False
        self._local: dict[str, Event] = {}  # published here, not yet relayed: reuse the encoding
        self._buffered = 0
        self._outage_logged = False
        self._stopping = False

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        if self._reader is not None or self._stopping:
            return
        self._connected = asyncio.Event()
        self._client = aioredis.Redis.from_url(
            self.url, socket_connect_timeout=2, socket_timeout=READ_BLOCK_MS / 1000 + 5,
            retry=Retry(NoBackoff(), 1),  # once, on a fresh connection: the pool may hold
            # sockets of a Redis that restarted
        )
        self._script = self._client.register_script(_PUBLISH)
        self._reader = asyncio.ensure_future(self._relay())

    async def stop(self) -> None:
        self._stopping = True
        reader, self._reader = self._reader, None
        if reader is not None:
            reader.cancel()
            await asyncio.wait({reader}, timeout=2)
        self._barrier.release_all()
        client, self._client = self._client, None
        if client is not None:
            try:
                await asyncio.wait_for(client.aclose(), 2)
            except (asyncio.TimeoutError, *LOST):
                pass

    async def _ready(self, wait: float = READ_WAIT) -> Any:
        """The client once Redis is reachable; waits up to `wait` seconds while it is not
        (a publish: publish_timeout; a read: READ_WAIT), then raises BrokerUnavailable."""
        await self.start()
        if self._connected is None:
            raise self._unavailable()  # stopped
        if not self._connected.is_set():
            try:
                await asyncio.wait_for(self._connected.wait(), wait)
            except asyncio.TimeoutError:
                raise self._unavailable() from None
        if self._client is None:
            raise self._unavailable()
        return self._client

    @contextmanager
    def _translating_loss(self) -> Iterator[None]:
        """A lost connection to Redis inside the block is raised as BrokerUnavailable."""
        try:
            yield
        except LOST as e:
            raise self._unavailable() from e

    def _unavailable(self) -> BrokerUnavailable:
        return BrokerUnavailable(
            f"the event store (Redis at {redact(self.url)}) is unreachable; "
            "retrying in the background, try again shortly"
        )

    # ------------------------------------------------------------------ relay

    async def _relay(self) -> None:
        attempt = 0
        assert self._connected is not None and self._client is not None
        while not self._stopping:
            try:
                await self._position()
                self._connected.set()
                if self._outage_logged:
                    self.log.warning("jupyter_push: Redis at %s is back", redact(self.url))
                self._outage_logged = False
                attempt = 0
                while not self._stopping:
                    await self._read_once()
            except LOST as e:
                self._lost(e)
            except Exception:  # a bug or an unexpected reply must not end the relay
                self.log.exception("jupyter_push: Redis relay failed; restarting it")
                self._lost(RuntimeError("relay restarted"))
            await asyncio.sleep(backoff_delay(attempt))
            attempt += 1

    async def _position(self) -> None:
        """Where to read from: the stream's end on first contact; after an outage, on from
        the last delivered id if Redis still holds it, else tell subscribers of the gap."""
        assert self._client is not None
        newest = await self._client.xrevrange(self.stream_key, "+", "-", count=1)
        newest_id = newest[0][0].decode() if newest else "0-0"
        if not self._positioned:
            self._set_last(newest_id)
            self._positioned = True
            return
        if await self._holds(self._last_id):
            return
        since = self._last_id
        self._local.clear()
        if (stream_position(newest_id) or (0, 0)) < (stream_position(since) or (0, 0)):
            self._set_last("0-0")  # a new stream (Redis restarted): everything in it is new
        self.log.warning("jupyter_push: Redis lost events after %s; subscribers get a gap", since)
        self._gap(since)

    async def _holds(self, event_id: str) -> bool:
        assert self._client is not None
        return bool(await self._client.xrange(self.stream_key, event_id, event_id, count=1))

    async def _read_once(self) -> None:
        assert self._client is not None
        reply = await self._client.xread(
            {self.stream_key: self._last_id}, count=READ_COUNT, block=READ_BLOCK_MS
        )
        if not reply:
            return
        entries = reply[0][1]
        lagging = len(entries) == READ_COUNT and self._last_id != "0-0"
        if lagging and not await self._holds(self._last_id):
            # Far behind: trimming may have taken entries we never read.
            self._local.clear()
            self._gap(self._last_id)
        local = self._local
        events = []
        for raw_id, fields in entries:
            event_id = raw_id.decode()
            event = local.pop(event_id, None) or event_from_entry(event_id, fields)
            events.append(event)
        self._set_last(events[-1].id)
        self._deliver(events)

    def _set_last(self, event_id: str) -> None:
        self._last_id = event_id
        self._barrier.advance(stream_position(event_id) or (0, 0))

    def _lost(self, error: BaseException) -> None:
        assert self._connected is not None
        self._connected.clear()
        self._barrier.release_all()
        if not self._outage_logged:
            self.log.error(
                "jupyter_push: cannot reach Redis at %s (%s). Still serving: publishes wait up "
                "to %.1f s for it, then get 503; reconnecting with backoff. Check that "
                "redis-server runs there and PushApp.broker_url is right.",
                redact(self.url), error, self.publish_timeout,
            )
            self._outage_logged = True

    # ------------------------------------------------------------------ broker API

    async def publish(self, drafts: list[Draft], origin: Origin | None = None) -> list[Event]:
        # Only publishes that wait for an unreachable Redis are bounded: a batch larger than
        # buffer_events (a kernel's burst) is written at once while Redis is up.
        connected = self._connected is not None and self._connected.is_set()
        if not connected and self._buffered + len(drafts) > self.buffer_events:
            raise self._unavailable()
        self._buffered += len(drafts)
        call = secrets.token_hex(8)
        if origin is not None:
            seen, ref, ttl = f"{self.prefix}session:{origin.session}", origin.ref, SESSION_TTL
        else:
            seen, ref, ttl = f"{self.prefix}call:{call}", 0, CALL_TTL
        try:
            client = await self._ready(self.publish_timeout)
            now = time.time()
            t = repr(now)
            args: list[Any] = [max(self.history_size, RELAY_MIN), t, ref, ttl, call]
            for channel, data_json, source_json in drafts:
                args += [channel, data_json, source_json or b""]
            with self._translating_loss():
                outcome, *ids = await self._script(
                    keys=[self.stream_key, self.last_key, self.count_key, seen], args=args,
                    client=client,
                )
        finally:
            self._buffered -= len(drafts)
        if outcome == b"resent":
            raise AlreadyPublished()
        events = []
        relayed = self._barrier.position
        if len(self._local) > LOCAL_MAX:  # the reader is far behind or gone: stop caching
            self._local.clear()
        for raw_id, (channel, data_json, source_json) in zip(ids, drafts, strict=True):
            event = Event(raw_id.decode(), channel, data_json, now, source_json)
            if (stream_position(event.id) or (0, 0)) > relayed:  # else the reader built it
                self._local[event.id] = event
            events.append(event)
        # Local subscribers have the events when publish returns, as with the memory broker.
        await self._barrier.reached(stream_position(events[-1].id), BARRIER_TIMEOUT)
        return events

    async def _recent(self, client: Any, since: str | None) -> list[Any]:
        """Raw entries newest first: the last `history_size` (down to `since` inclusive)."""
        low = since if since is not None else "-"
        return await client.xrevrange(self.stream_key, "+", low, count=self.history_size + 1)

    async def replay(self, patterns: Matcher, since: str) -> tuple[list[Event], bool]:
        if stream_position(since) is None:
            return [], True
        client = await self._ready()
        with self._translating_loss():
            entries = await self._recent(client, since)
        if not entries or entries[-1][0].decode() != since:
            return [], True  # trimmed, never held, or more than history_size events ago
        entries.pop()
        # What the reader delivers up to here is already queued; the hub drops the doubles.
        if entries:
            await self._barrier.reached(stream_position(entries[0][0]), BARRIER_TIMEOUT)
        return _matching(reversed(entries), patterns), False

    async def latest(self, patterns: Matcher) -> list[Event]:
        client = await self._ready()
        with self._translating_loss():
            retained = await client.hgetall(self.last_key)
        found = [
            event_from_retained(name, packed)
            for name, packed in ((k.decode(), v) for k, v in retained.items())
            if patterns(name)
        ]
        found.sort(key=lambda e: stream_position(e.id) or (0, 0))
        if found:
            await self._barrier.reached(stream_position(found[-1].id), BARRIER_TIMEOUT)
        return found

    async def held(self, patterns: Matcher) -> list[Event]:
        client = await self._ready()
        with self._translating_loss():
            entries = await client.xrevrange(self.stream_key, "+", "-", count=self.history_size)
        return _matching(reversed(entries), patterns) if self.history_size else []

    async def channels(self, patterns: Matcher) -> list[tuple[str, Event, int]]:
        client = await self._ready()
        with self._translating_loss():
            async with client.pipeline(transaction=True) as pipe:
                pipe.hgetall(self.last_key).hgetall(self.count_key)
                retained, counts = await pipe.execute()
        out = []
        for raw_name, packed in sorted(retained.items()):
            name = raw_name.decode()
            if patterns(name):
                out.append((name, event_from_retained(name, packed), int(counts.get(raw_name, 0))))
        return out


def _matching(entries: Any, patterns: Matcher) -> list[Event]:
    return [
        event_from_entry(raw_id.decode(), fields)
        for raw_id, fields in entries
        if patterns(fields[b"c"].decode())
    ]
