import asyncio
import json

import httpx_sse
import websockets

from tests.conftest import publish, ws_url


async def test_post_reaches_sse_subscriber(http, push_url):
    async with httpx_sse.aconnect_sse(http, "GET", "events", params={"channel": "progress"}) as es:
        assert es.response.status_code == 200
        assert es.response.headers["content-type"].startswith("text/event-stream")
        events = es.aiter_sse()
        await publish(http, "progress", 40)
        sse = await asyncio.wait_for(events.__anext__(), 5)
        event = json.loads(sse.data)
        assert event["channel"] == "progress" and event["data"] == 40
        assert sse.id == event["id"] and sse.event == "message"


async def test_ws_chat(push_url, auth):
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as alice, \
            websockets.connect(ws_url(push_url), additional_headers=auth) as bob:
        await bob.send(json.dumps({"op": "subscribe", "channels": ["chat/**"]}))
        await asyncio.sleep(0.1)
        await alice.send(json.dumps({"op": "publish", "channel": "chat/room", "data": "hi"}))
        got = json.loads(await asyncio.wait_for(bob.recv(), 5))
        assert got["channel"] == "chat/room" and got["data"] == "hi"
