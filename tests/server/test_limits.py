"""Every limit is configurable and exceeding one gives a clear error, never a crash."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets

from tests.conftest import publish, ws_url
from tests.support.streams import recv, sse, take

SMALL = {
    "max_connections": 3,
    "max_connections_per_credential": 2,
    "max_patterns": 3,
    "max_patterns_per_connection": 4,
    "max_publish_rate": 10.0,
    "max_publish_burst": 5.0,
}


@pytest.mark.parametrize("push_config", [SMALL])
async def test_connections_per_credential_then_in_total_get_429(http, push_url, auth,
                                                                kernel_token):
    kernel = httpx.AsyncClient(base_url=push_url, timeout=5,
                               headers={"Authorization": f"token {kernel_token}"})
    async with sse(http, "a") as _, sse(http, "b") as _:
        r = await http.get("events", params={"channel": "c"})
        assert r.status_code == 429 and "max_connections_per_credential = 2" in r.json()["message"]
        with pytest.raises(websockets.InvalidStatus) as err:
            async with websockets.connect(ws_url(push_url), additional_headers=auth):
                pass
        assert err.value.response.status_code == 429
        async with sse(kernel, "k") as stream:  # another credential still gets a place
            await publish(http, "k", 1)
            assert json.loads((await take(stream, 1))[0].data)["data"] == 1
            r = await kernel.get("events")
            assert r.status_code == 429 and "max_connections = 3" in r.json()["message"]
    async with sse(http, "again") as _:  # places are given back when streams end
        pass
    await kernel.aclose()


@pytest.mark.parametrize("push_config", [SMALL])
async def test_too_many_patterns_are_refused_with_the_setting_named(http, push_url, auth):
    r = await http.get("events", params=[("channel", c) for c in "abcd"])
    assert r.status_code == 400 and "PushApp.max_patterns" in r.json()["message"]
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": list("abcd")}))
        assert "PushApp.max_patterns" in (await recv(sock))["message"]
        await sock.send(json.dumps({"op": "subscribe", "channels": list("abc"),
                                    "retained": False}))
        await sock.send(json.dumps({"op": "subscribe", "channels": list("de")}))
        error = await recv(sock)
        assert "PushApp.max_patterns_per_connection" in error["message"]
        await publish(http, "c", "still subscribed")
        assert (await recv(sock))["data"] == "still subscribed"


@pytest.mark.parametrize("push_config", [SMALL])
async def test_publish_rate_limit_is_one_bucket_per_credential_over_http_and_websocket(
    http, push_url, auth
):
    r = await http.post("events", json=[{"channel": "r", "data": i} for i in range(5)])
    assert r.status_code == 200
    r = await http.post("events", json=[{"channel": "r", "data": i} for i in range(5)])
    assert r.status_code == 429 and "max_publish_rate" in r.json()["message"]
    assert int(r.headers["Retry-After"]) >= 1
    http_refusal = r.json()["message"]
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        # the same credential: the same bucket, so the socket starts where HTTP left it
        events = [{"channel": "w", "data": i} for i in range(5)]
        await sock.send(json.dumps({"op": "publish", "events": events, "ref": 1}))
        error = await recv(sock)
        assert error["op"] == "error" and error["ref"] == 1 and error["status"] == 429
        assert error["message"].startswith(http_refusal.split("retry in")[0])
        await asyncio.sleep(0.6)  # 10 events/s refills
        await sock.send(json.dumps({"op": "publish", "events": events, "ref": 2}))
        assert (await recv(sock))["op"] == "ack"
        await sock.send(json.dumps({"op": "publish", "events": events, "ref": 3}))
        error = await recv(sock)
        assert error["op"] == "error" and error["ref"] == 3 and error["status"] == 429


async def test_publisher_drop_report_becomes_a_gap_on_that_channel(http, push_url, kernel_token):
    last = await publish(http, "lossy", 1)
    headers = {"Authorization": f"token {kernel_token}"}
    async with sse(http, "lossy", "other", retained=0) as stream, \
            websockets.connect(ws_url(push_url), additional_headers=headers) as kernel:
        await kernel.send(json.dumps({"op": "publish", "ref": 1, "dropped": {"lossy": 7},
                                      "events": [{"channel": "lossy", "data": 9}]}))
        assert (await recv(kernel))["op"] == "ack"
        gap, event = await take(stream, 2)
        assert gap.event == "gap"
        assert json.loads(gap.data) == {"since": last, "channel": "lossy", "dropped": 7}
        assert json.loads(event.data)["data"] == 9
