"""While Redis is down, reads are answered at once with 503 and a message naming the
unreachable Redis, instead of waiting for the publish timeout (here 60 s, so the clients' 10 s
timeout would expire first); once Redis is back they work again. Real redis-server, killed."""

from __future__ import annotations

import json

import httpx
import httpx_sse
import websockets
from websockets.exceptions import InvalidStatus

from tests.conftest import publish

from .conftest import NEEDS_REDIS, client, server_config
from .servers import wait_until

pytestmark = NEEDS_REDIS
READS = ["channels", "history?channel=tick", "history?channel=tick&since=0-1"]


async def test_reads_answer_at_once_with_503_while_redis_is_down(own_redis, start_jupyter):
    server = start_jupyter("a", server_config(own_redis.url, "down:", redis_publish_timeout=60))
    async with client(server) as http:
        await publish(http, "tick", 1)
        own_redis.kill()
        wait_until(lambda: "cannot reach Redis" in server.log(), 10, "the outage noticed")
        for _ in range(3):  # (the check: 1 of 28 probes answered in a 3 s outage)
            for route in READS:
                r = await http.get(route)
                assert r.status_code == 503, (route, r.text)
                assert f"Redis at {own_redis.url}" in r.json()["message"]
                assert "unreachable" in r.json()["message"]
            async with httpx_sse.aconnect_sse(http, "GET", "events") as source:
                assert source.response.status_code == 503
            try:
                async with websockets.connect(server.push_url.replace("http", "ws") + "ws",
                                              additional_headers=server.headers) as sock:
                    await sock.send(json.dumps({"op": "subscribe", "channels": ["tick"]}))
                    answer = json.loads(await sock.recv())
                    assert answer["op"] == "error" and "unreachable" in answer["message"]
            except InvalidStatus as e:  # (refusing the handshake would do as well)
                assert e.response.status_code == 503

        own_redis.start()
        wait_until(lambda: _answered(server), 20, "reads after Redis is back")
        assert (await http.get("channels")).json() == {"channels": []}  # (restarted empty)
    assert server.alive()


def _answered(server) -> bool:
    r = httpx.get(server.push_url + "channels", headers=server.headers, timeout=10)
    return r.status_code == 200
