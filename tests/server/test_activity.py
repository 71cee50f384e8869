"""What counts as server activity (jupyter_server's `last_activity`, which JupyterHub's idle
culler reads): publishing only when PushApp.publishing_is_activity is set; subscribers and
reads never."""

from __future__ import annotations

import asyncio
import json

import httpx_sse
import pytest
import websockets

from tests.conftest import ws_url


def last_activity(jp_serverapp):
    return jp_serverapp.web_app.settings.get("api_last_activity")


async def wait_for_change(jp_serverapp, before) -> bool:
    for _ in range(100):
        if last_activity(jp_serverapp) != before:
            return True
        await asyncio.sleep(0.02)
    return False


async def idle_dashboard(http, push_url, kernel_token) -> None:
    """What an open dashboard does: subscribe over SSE and WebSocket, read state, leave."""
    async with httpx_sse.aconnect_sse(http, "GET", "events", params={"channel": "**"}) as s:
        assert s.response.status_code == 200
    for route in ("channels", "status", "history?channel=x"):
        assert (await http.get(route)).status_code == 200
    async with websockets.connect(ws_url(push_url), additional_headers={
            "Authorization": f"token {kernel_token}"}) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["**"], "ref": 1}))


@pytest.mark.parametrize("push_config", [{"publishing_is_activity": False}], indirect=False)
async def test_by_default_neither_subscribers_nor_publishers_keep_the_server_active(
        jp_serverapp, http, push_url, kernel_token):
    before = last_activity(jp_serverapp)
    await idle_dashboard(http, push_url, kernel_token)
    assert (await http.post("events", json={"channel": "a", "data": 1})).status_code == 200
    assert not await wait_for_change(jp_serverapp, before)


@pytest.mark.parametrize("push_config", [{"publishing_is_activity": True}], indirect=False)
async def test_publishing_is_activity_when_the_operator_says_so(
        jp_serverapp, http, push_url, kernel_token):
    before = last_activity(jp_serverapp)
    await idle_dashboard(http, push_url, kernel_token)
    assert not await wait_for_change(jp_serverapp, before), "a dashboard counted as activity"
    async with websockets.connect(ws_url(push_url), additional_headers={
            "Authorization": f"token {kernel_token}"}) as sock:  # as push() in a kernel
        await sock.send(json.dumps({"op": "publish", "channel": "a", "data": 1, "ref": 1}))
        assert json.loads(await asyncio.wait_for(sock.recv(), 5))["op"] == "ack"
    assert await wait_for_change(jp_serverapp, before)
