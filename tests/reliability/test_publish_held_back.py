"""An HTTP publish while subscribers are behind waits (answered more slowly) up to
PushApp.publish_wait_timeout, then gets 429 with Retry-After: all or nothing per request,
nothing accepted before is lost, and the same request sent again once the subscribers have
drained is published whole."""

from __future__ import annotations

import asyncio
import json

import pytest

from tests.support.stalled import hold_back, stalled_sse_client
from tests.support.streams import sse
from tests.support.waiting import until

# the stalled subscriber holds publishers back until the test lets it go
HELD = {"slow_subscriber_timeout": 60.0, "queue_max_events": 50, "queue_max_bytes": 1 << 30}


async def collect(stream, into: list) -> None:
    async for message in stream:
        into.append((message.event, json.loads(message.data)))


def batch(start: int, stop: int) -> list[dict]:
    return [{"channel": "data", "data": i} for i in range(start, stop)]


async def stored(http) -> list:
    r = await http.get("history", params={"channel": "data"})
    return [e["data"] for e in r.json()["events"]]


@pytest.mark.parametrize("push_config", [{**HELD, "publish_wait_timeout": 0.5},
                                         {**HELD, "publish_wait_timeout": 0}])
async def test_a_publish_held_back_longer_than_the_wait_gets_429_and_nothing_of_it_is_stored(
        http, push_url, jupyter_token, push_app):
    hub = push_app.state.hub
    stalled = stalled_sse_client(push_url, jupyter_token, "fill", "data")
    try:
        async with sse(http, "data", retained=0) as healthy:
            await until(lambda: hub.subscribers == 2, what="two subscribers")
            got: list = []
            reader = asyncio.ensure_future(collect(healthy, got))
            assert (await http.post("events", json=batch(0, 3))).status_code == 200
            await hold_back(http, hub, "fill")

            refused = await http.post("events", json=batch(3, 6))
            assert refused.status_code == 429, refused.text
            assert 1 <= int(refused.headers["Retry-After"]) <= 60
            message = refused.json()["message"]
            assert "nothing of this request was published" in message
            assert "PushApp.publish_wait_timeout" in message
            assert hub.backlog.behind
            assert await stored(http) == [0, 1, 2]  # none of the refused batch

            stalled.close()  # the stalled reader goes: nobody holds publishers back
            await until(lambda: hub.subscribers == 1 and not hub.backlog.behind,
                        what="the stalled subscriber gone")
            again = await http.post("events", json=batch(3, 6))
            assert again.status_code == 200, again.text
            await until(lambda: len(got) == 6, what="every accepted event")
            assert [kind for kind, _ in got] == ["message"] * 6  # no gap, no cut-off
            assert [e["data"] for _, e in got] == list(range(6))  # once each, in order
            assert await stored(http) == list(range(6))
            reader.cancel()
    finally:
        stalled.close()


@pytest.mark.parametrize("push_config", [{**HELD, "publish_wait_timeout": 60.0}])
async def test_a_publish_waits_while_subscribers_are_behind_and_is_stored_once_they_drain(
        http, push_url, jupyter_token, push_app):
    hub = push_app.state.hub
    stalled = stalled_sse_client(push_url, jupyter_token, "fill", "data")
    try:
        async with sse(http, "data", retained=0) as healthy:
            await until(lambda: hub.subscribers == 2, what="two subscribers")
            got: list = []
            reader = asyncio.ensure_future(collect(healthy, got))
            await hold_back(http, hub, "fill")
            waiting = asyncio.ensure_future(http.post("events", json=batch(0, 3)))
            await until(lambda: hub.backlog._waiters, what="the publish waiting")
            assert not waiting.done()
            assert await stored(http) == []  # nothing stored while it waits

            stalled.close()
            r = await waiting
            assert r.status_code == 200, r.text
            assert len(r.json()["ids"]) == 3
            await until(lambda: len(got) == 3, what="the events")
            assert [e["data"] for _, e in got] == [0, 1, 2]
            reader.cancel()
    finally:
        stalled.close()
