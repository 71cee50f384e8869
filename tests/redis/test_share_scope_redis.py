"""A share link naming `$notify` on one server sees the notifications of the kernels that
publish on its channels through another server on the same Redis (what those kernels are is
learnt from the events Redis brings, and from its history)."""

from __future__ import annotations

import asyncio
import json

import httpx
import httpx_sse
import websockets

from .conftest import NEEDS_REDIS, TIMEOUT, client

pytestmark = NEEDS_REDIS


async def publish_from(sock, kernel: str, channel: str, data) -> None:
    """Publish on `sock` as a kernel's client does, naming the kernel in `source`."""
    await sock.send(json.dumps({"op": "publish", "channel": channel, "data": data,
                                "source": {"kernel": kernel}, "ref": 1}))
    while True:  # the ack: stored (and on its way through Redis)
        message = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
        if isinstance(message, dict) and message.get("op") == "ack":
            return


def notify(message: str) -> dict:
    return {"message": message, "level": "info"}


async def test_a_link_on_another_server_sees_only_its_kernels_notifications(pair):
    a, b = pair
    ws = a.push_url.replace("http://", "ws://") + "ws"
    async with client(a) as on_a, httpx.AsyncClient(timeout=TIMEOUT) as anon, \
            websockets.connect(ws, additional_headers=a.headers) as sock:
        await publish_from(sock, "k1", "scoped/loss", 1)
        await publish_from(sock, "k1", "$notify", notify("k1 before"))
        await publish_from(sock, "k2", "other/x", 1)
        await publish_from(sock, "k2", "$notify", notify("k2 before"))
        link = (await on_a.post("tokens", json={"channels": ["scoped/**", "$notify"],
                                                "ttl": 600})).json()
        access = {"access": link["token"]}

        async def history() -> list[str]:
            r = await anon.get(b.push_url + "history",
                               params={"channel": "$notify", **access})
            assert r.status_code in (200, 401), r.text  # (401 until b has a's secret)
            return [e["data"]["message"] for e in r.json().get("events", [])]

        for _ in range(200):
            seen = await history()
            if seen:
                break
            await asyncio.sleep(0.05)
        assert "k1 before" in seen and "k2 before" not in seen, seen

        async with httpx_sse.aconnect_sse(anon, "GET", b.push_url + "events", params={
                "channel": ["scoped/**", "$notify"], "retained": "0", **access}) as source:
            assert source.response.status_code == 200
            events = source.aiter_sse()
            for _ in range(200):  # b counts the link's stream
                r = await anon.get(b.push_url + "status", headers=b.headers)
                if r.json()["subscribers"] >= 1:
                    break
                await asyncio.sleep(0.05)
            await publish_from(sock, "k2", "$notify", notify("k2 live"))
            await publish_from(sock, "k1", "$notify", notify("k1 live"))
            await publish_from(sock, "k3", "scoped/acc", 0.9)  # k3 joins the link
            await publish_from(sock, "k3", "$notify", notify("k3 live"))
            await publish_from(sock, "k1", "scoped/marker", 1)
            seen = []
            async for message in events:
                if message.event != "message":
                    continue
                event = json.loads(message.data)
                seen.append(event["data"]["message"] if event["channel"] == "$notify"
                            else event["channel"])
                if event["channel"] == "scoped/marker":
                    break
        assert seen == ["k1 live", "scoped/acc", "k3 live", "scoped/marker"], seen
