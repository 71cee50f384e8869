"""Two real Jupyter servers sharing one real redis-server: channels, resume, restarts, faults."""

from __future__ import annotations

import asyncio
import json
import uuid

import httpx
import websockets

from tests.conftest import publish
from tests.support.streams import data_of, sse

from .conftest import NEEDS_REDIS, TIMEOUT, client, server_config

pytestmark = NEEDS_REDIS


async def take(stream, n: int) -> list:
    return [await asyncio.wait_for(stream.__anext__(), TIMEOUT) for _ in range(n)]


async def test_event_posted_on_one_server_reaches_sse_subscriber_on_the_other(pair):
    a, b = pair
    async with client(a) as on_a, client(b) as on_b:
        async with sse(on_b, "cross/**", retained=0) as stream:
            event_id = await publish(on_a, "cross/x", {"from": "a"})
            (msg,) = await take(stream, 1)
        assert msg.id == event_id
        assert json.loads(msg.data)["data"] == {"from": "a"}


async def test_subscriber_moving_to_the_other_server_gets_exactly_the_missed_events(pair):
    a, b = pair
    async with client(a) as on_a, client(b) as on_b:
        async with sse(on_a, "move", retained=0) as stream:
            await publish(on_a, "move", 1)
            (last,) = await take(stream, 1)
        missed = [await publish(on_a if i % 2 else on_b, "move", i) for i in range(2, 6)]
        async with sse(on_b, "move", headers={"Last-Event-ID": last.id}) as stream:
            replay = await take(stream, 4)
            assert [m.id for m in replay] == missed
            assert data_of(replay) == [2, 3, 4, 5]
            live = await publish(on_a, "move", 6)
            (msg,) = await take(stream, 1)
            assert msg.id == live and msg.event == "message"


async def test_history_and_retained_values_survive_a_server_restart(pair):
    a, _ = pair
    async with client(a) as on_a:
        ids = [await publish(on_a, "keep", i) for i in range(3)]
    a.stop()
    a.start()
    async with client(a) as on_a:
        history = (await on_a.get("history", params={"channel": "keep"})).json()
        assert [e["id"] for e in history["events"]] == ids and history["gap"] is False
        channels = (await on_a.get("channels", params={"channel": "keep"})).json()["channels"]
        assert channels[0]["last"]["id"] == ids[-1] and channels[0]["count"] == 3
        async with sse(on_a, "keep") as stream:
            (retained,) = await take(stream, 1)
            assert retained.id == ids[-1] and data_of([retained]) == [2]


async def test_prefixes_keep_users_apart_on_a_shared_redis(redis_server, start_jupyter):
    # prefixes of this test alone: the session's Redis is shared with other tests' users
    run = uuid.uuid4().hex[:8]
    alice = start_jupyter("alice", server_config(redis_server.url, f"jupyter_push:{run}-alice:"))
    bob = start_jupyter("bob", server_config(redis_server.url, f"jupyter_push:{run}-bob:"))
    async with client(alice) as on_alice, client(bob) as on_bob:
        await publish(on_alice, "private", "alice's")
        assert (await on_bob.get("channels")).json()["channels"] == []
        names = [c["name"] for c in (await on_alice.get("channels")).json()["channels"]]
        assert names == ["private"]


async def test_redis_restart_mid_stream_gives_gap_then_live_events(own_redis, start_jupyter):
    config = server_config(own_redis.url, "restart:")
    a = start_jupyter("a", config)
    b = start_jupyter("b", config)
    ws_url = b.push_url.replace("http:", "ws:") + "ws"
    async with client(a) as on_a, client(b) as on_b, \
            websockets.connect(ws_url, additional_headers=b.headers) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["tick"], "retained": False}))
        async with sse(on_b, "tick", retained=0) as stream:
            before = await publish(on_a, "tick", 1)
            assert data_of(await take(stream, 1)) == [1]
            assert (await _recv(sock))["id"] == before
            own_redis.kill()
            own_redis.start()
            gap = await asyncio.wait_for(stream.__anext__(), TIMEOUT + 5)
            assert gap.event == "gap" and json.loads(gap.data) == {"since": before}
            assert await _recv(sock) == {"op": "gap", "since": before}
            await publish(on_a, "tick", 2)
            (live,) = await take(stream, 1)
            assert live.event == "message" and data_of([live]) == [2]
            assert (await _recv(sock))["data"] == 2
    assert a.alive() and b.alive()


async def test_unreachable_redis_at_start_is_logged_and_publishes_get_503_until_it_is_up(
    tmp_path, start_jupyter
):
    from .servers import RedisServer, free_port

    redis = RedisServer(tmp_path / "late-redis", port=free_port())
    server = start_jupyter(
        "early", server_config(redis.url, "late:", redis_publish_timeout=0.3)
    )
    try:
        async with client(server) as http:
            assert (await http.get("status")).status_code == 200
            refused = await http.post("events", json={"channel": "early", "data": 1})
            assert refused.status_code == 503
            assert "unreachable" in refused.json()["message"]
            assert (await http.get("history")).status_code == 503
            assert "cannot reach Redis" in server.log()
            redis.start()
            accepted = await _post_until_accepted(http, {"channel": "early", "data": 2})
            assert accepted.status_code == 200
            history = (await http.get("history", params={"channel": "early"})).json()
            assert [e["data"] for e in history["events"]] == [2]
    finally:
        redis.stop()
    assert server.alive()


async def _post_until_accepted(http: httpx.AsyncClient, body: dict) -> httpx.Response:
    """Publishes wait 0.3 s for Redis; the reconnect backoff is at most 2 s."""
    for _ in range(40):
        r = await http.post("events", json=body)
        if r.status_code != 503:
            return r
    return r


async def _recv(sock) -> dict:
    return json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT + 5))
