"""jupyter_push.subscribe() against a real server: iterator, callback handle, gap, resume."""

from __future__ import annotations

import asyncio
import json
import queue
import threading

import pytest
import websockets

from jupyter_push import NoServer, subscribe
from jupyter_push.client import subscriber
from jupyter_push.exceptions import SubscribeError
from tests.client.support import subscribed
from tests.conftest import publish, ws_url
from tests.support.waiting import handled

TIMEOUT = 10


async def next_of(q: queue.Queue) -> dict:
    return await asyncio.to_thread(q.get, True, TIMEOUT)


@pytest.fixture
def subscriptions():
    opened = []

    def open_(*patterns, **kw):
        s = subscribe(*patterns, **kw)
        opened.append(s)
        return s

    yield open_
    for s in opened:
        s.close()


async def test_callback_gets_retained_value_then_live_events(subscriptions, http, push_url,
                                                             kernel_token):
    await publish(http, "train/loss", 0.9)
    got: queue.Queue = queue.Queue()
    subscriptions("train/**", url=push_url, token=kernel_token, callback=got.put)
    assert (await next_of(got))["data"] == 0.9  # retained
    event_id = await publish(http, "train/loss", 0.5)
    await publish(http, "other", 1)
    await publish(http, "train/acc", 0.7)
    live = [await next_of(got), await next_of(got)]
    assert [(e["channel"], e["data"]) for e in live] == [("train/loss", 0.5), ("train/acc", 0.7)]
    assert live[0]["id"] == event_id


async def test_iterator_in_a_thread_with_since_replays_in_order(subscriptions, http, push_url,
                                                                kernel_token):
    first = await publish(http, "log", "a")
    await publish(http, "log", "b")
    await publish(http, "log", "c")
    sub = subscriptions("log", since=first, url=push_url, token=kernel_token)

    def take_two() -> list:
        it = iter(sub)
        return [next(it)["data"], next(it)["data"]]

    assert await asyncio.to_thread(take_two) == ["b", "c"]


async def test_unknown_since_yields_a_gap_marker_before_retained_values(
        subscriptions, http, push_url, kernel_token):
    await publish(http, "g", 1)
    got: queue.Queue = queue.Queue()
    subscriptions("g", since="zzzzz-000000000001", url=push_url, token=kernel_token,
                  callback=got.put)
    assert await next_of(got) == {"op": "gap", "since": "zzzzz-000000000001"}
    assert (await next_of(got))["data"] == 1


async def test_no_retained_skips_the_latest_value(subscriptions, http, push_url, kernel_token):
    await publish(http, "r", "old")
    got: queue.Queue = queue.Queue()
    sub = subscriptions("r", retained=False, url=push_url, token=kernel_token, callback=got.put)
    await subscribed(http, 1)
    await publish(http, "r", "new")
    assert (await next_of(got))["data"] == "new"
    assert sub.last_id is not None


async def test_subscription_resumes_after_the_server_drops_it_without_loss_or_repeat(
        subscriptions, http, push_url, kernel_token, push_app, monkeypatch):
    # away while 2, 3, 4 are published
    monkeypatch.setattr(subscriber, "backoff_delay", lambda attempt: 0.5)
    got: queue.Queue = queue.Queue()
    sub = subscriptions("seq", retained=False, url=push_url, token=kernel_token, callback=got.put)
    await subscribed(http, 1)
    await publish(http, "seq", 1)
    assert (await next_of(got))["data"] == 1
    for close in list(push_app.state.closers):
        close()
    for i in (2, 3, 4):  # published while the subscriber is away
        await publish(http, "seq", i)
    assert [(await next_of(got))["data"] for _ in range(3)] == [2, 3, 4]
    assert sub.connections == 2
    await publish(http, "seq", 5)  # the next event after 4 is 5: nothing came twice
    assert (await next_of(got))["data"] == 5


async def test_close_ends_the_iterator(subscriptions, http, push_url, kernel_token):
    sub = subscriptions("quiet", url=push_url, token=kernel_token)
    ended = asyncio.ensure_future(asyncio.to_thread(list, sub))
    await subscribed(http, 1)  # the iterator is open and waiting
    await asyncio.to_thread(sub.close)
    assert await asyncio.wait_for(ended, TIMEOUT) == []


async def test_a_bad_token_is_refused_with_the_servers_message(push_url):
    sub = subscribe("x", url=push_url, token="wrong")
    with pytest.raises(SubscribeError, match=r"HTTP 40[13]"):
        await asyncio.to_thread(next, iter(sub))


def test_bad_pattern_is_a_value_error(push_url, kernel_token):
    with pytest.raises(ValueError, match="whole segment"):
        subscribe("train*", url=push_url, token=kernel_token)


def test_no_server_is_raised_at_once(tmp_path, monkeypatch):
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))
    monkeypatch.delenv("JUPYTER_PUSH_URL", raising=False)
    with pytest.raises(NoServer, match="pass --url/--token"):
        subscribe("x")


@pytest.mark.parametrize("push_config", [{"queue_max_bytes": 1 << 20, "history_size": 100_000}])
async def test_a_slow_consumer_that_falls_behind_resumes_without_loss(
        subscriptions, http, push_url, auth, kernel_token):
    TOTAL = 5000
    release = threading.Event()
    got: queue.Queue = queue.Queue()

    def slow(event: dict) -> None:
        release.wait(TIMEOUT)  # stop reading until everything is published
        got.put(event)

    sub = subscriptions("flood", retained=False, url=push_url, token=kernel_token, callback=slow)
    await subscribed(http, 1)
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as publisher:
        filler = "x" * 6000
        for start in range(0, TOTAL, 50):  # 30 MB: more than the socket buffers hold
            await publisher.send(json.dumps({"op": "publish", "events": [
                {"channel": "flood", "data": [i, filler]} for i in range(start, start + 50)]}))
        await handled(publisher)  # every batch is stored before the consumer reads again
    release.set()
    received = [(await next_of(got)) for _ in range(TOTAL)]
    assert all("op" not in e for e in received)
    assert [e["data"][0] for e in received] == list(range(TOTAL))
    assert sub.connections >= 2  # it did fall behind and resumed
