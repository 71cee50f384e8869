"""The Redis broker on its own, against a real redis-server: encoding round trips and limits."""

from __future__ import annotations

import pytest

from jupyter_push.channels import PatternSet
from jupyter_push.events import Event
from jupyter_push.exceptions import BrokerUnavailable
from jupyter_push.server.brokers.redis import (
    RedisBroker,
    event_from_retained,
    redact,
    stream_position,
)
from tests.support.waiting import until

from .conftest import NEEDS_REDIS
from .servers import free_port


def draft(channel: str, data_json: bytes, source_json: bytes | None = None):
    """A broker's input: (channel, data_json, source_json), a plain tuple."""
    return (channel, data_json, source_json)


@pytest.mark.parametrize(
    ("event_id", "position"),
    [("1763790000125-0", (1763790000125, 0)), ("1763790000125-12", (1763790000125, 12)),
     (b"5-1", (5, 1)), ("k3f9-000000000042", None), ("nonsense", None), ("1-", None)],
)
def test_stream_ids_order_by_time_then_sequence(event_id, position):
    assert stream_position(event_id) == position


def test_retained_value_round_trips_to_the_same_bytes():
    event = Event("1763790000125-3", "train/loss", b'{"a":"x\\ny"}', 1763790000.125,
                  b'{"kernel":"k"}')
    packed = b"\n".join([event.id.encode(), repr(event.time).encode(),
                         event.source_json or b"", event.data_json])
    again = event_from_retained("train/loss", packed)
    assert again.json == event.json and again.sse == event.sse


def test_passwords_are_kept_out_of_log_messages():
    assert redact("redis://:s3cret@host:6379/0") == "redis://:***@host:6379/0"
    assert redact("redis://user:s3cret@host/0") == "redis://user:***@host/0"
    assert redact("redis://host:6379/0") == "redis://host:6379/0"


@NEEDS_REDIS
async def test_one_broker_relays_what_another_stores_once_each_with_the_same_ids(redis_server):
    a = RedisBroker(redis_server.url, prefix="relay-test:")
    b = RedisBroker(redis_server.url, prefix="relay-test:")
    seen: list[Event] = []
    b.bind(seen.extend)
    try:
        await b.start()
        await b.latest(PatternSet())  # connected and positioned
        events = await a.publish([draft("r", b"1"), draft("r", b"2"), draft("s", b"3", b"{}")])
        await until(lambda: len(seen) >= 3, what="the relay of three events")
        assert [e.id for e in seen] == [e.id for e in events]
        assert [e.json for e in seen] == [e.json for e in events]
        assert [name for name, _, _ in await b.channels(PatternSet())] == ["r", "s"]
    finally:
        await a.stop()
        await b.stop()


async def test_publish_beyond_the_buffer_is_refused_at_once_while_redis_is_unreachable():
    broker = RedisBroker(f"redis://127.0.0.1:{free_port()}/0", publish_timeout=0.2,
                         buffer_events=2)
    try:
        with pytest.raises(BrokerUnavailable, match="unreachable"):
            await broker.publish([draft("x", b"1")] * 3)
        with pytest.raises(BrokerUnavailable, match="unreachable"):
            await broker.publish([draft("x", b"1")])  # waited 0.2 s, then refused
    finally:
        await broker.stop()


@NEEDS_REDIS
async def test_a_batch_larger_than_the_outage_buffer_is_stored_while_redis_is_up(redis_server):
    broker = RedisBroker(redis_server.url, prefix="big-batch:", buffer_events=2)
    try:
        await broker.latest(PatternSet())  # connected
        events = await broker.publish([draft("big", str(i).encode()) for i in range(5)])
        assert [e.data_json for e in events] == [str(i).encode() for i in range(5)]
    finally:
        await broker.stop()


@NEEDS_REDIS
async def test_publish_made_while_redis_is_down_is_stored_once_it_comes_up(tmp_path):
    import asyncio

    from .servers import RedisServer

    redis = RedisServer(tmp_path / "redis", port=free_port())
    broker = RedisBroker(redis.url, prefix="late:", publish_timeout=20)
    try:
        pending = asyncio.ensure_future(broker.publish([draft("late", b"1")]))
        await asyncio.sleep(0.2)  # time passes with Redis down: the publish still waits
        assert not pending.done()
        await asyncio.get_running_loop().run_in_executor(None, redis.start)
        (event,) = await asyncio.wait_for(pending, 20)
        history, gap = await broker.history(PatternSet(), None, None)
        assert [e.id for e in history] == [event.id] and not gap
    finally:
        await broker.stop()
        redis.stop()
