"""Push routes ask jupyter_server's Authorizer, as its own services do: a custom authorizer
that allows reads and denies writes (a read-only collaborator) lets the user subscribe and read
state, and refuses publishing and share links with 403 and a message. Kernel tokens keep their
own rules."""

from __future__ import annotations

import httpx
import pytest
import websockets
from jupyter_server.auth.authorizer import Authorizer

from tests.conftest import publish, ws_url
from tests.support.streams import data_of, recv, sse, take


class ReadOnlyAuthorizer(Authorizer):
    """Allows "read" on every resource, nothing else; records what it was asked."""

    asked: list[tuple[str, str]] = []

    def is_authorized(self, handler, user, action, resource):
        ReadOnlyAuthorizer.asked.append((action, resource))
        return action == "read"


@pytest.fixture
def jp_server_config(jp_server_config):
    ReadOnlyAuthorizer.asked.clear()
    return {**jp_server_config,
            "ServerApp": {**jp_server_config["ServerApp"],
                          "authorizer_class": ReadOnlyAuthorizer}}


@pytest.fixture
def kernel(push_url, kernel_token, jp_asyncio_loop):
    client = httpx.AsyncClient(base_url=push_url, timeout=10,
                               headers={"Authorization": f"token {kernel_token}"})
    yield client
    jp_asyncio_loop.run_until_complete(client.aclose())


async def test_a_read_only_user_subscribes_and_reads_but_cannot_publish(http, kernel):
    async with sse(http, "progress") as stream:
        await publish(kernel, "progress", 40)  # the kernel token keeps its own rules
        assert data_of(await take(stream, 1)) == [40]
    for route in ("channels", "history?channel=progress", "status", "client.js"):
        r = await http.get(route)
        assert r.status_code == 200, (route, r.text)

    r = await http.post("events", json={"channel": "progress", "data": 41})
    assert r.status_code == 403
    assert "may not publish" in r.json()["message"] and "'push'" in r.json()["message"]
    for route, body in (("tokens", {"channels": ["progress"]}), ("tokens/revoke", {})):
        r = await http.post(route, json=body)
        assert r.status_code == 403, (route, r.text)
        assert "may not publish push events or manage share links" in r.json()["message"]

    r = await http.get("history", params={"channel": "progress"})
    assert [e["data"] for e in r.json()["events"]] == [40]  # the refused publish left nothing
    assert ("read", "push") in ReadOnlyAuthorizer.asked
    assert ("write", "push") in ReadOnlyAuthorizer.asked


async def test_a_read_only_user_subscribes_over_websocket_but_its_publish_op_is_refused(
    push_url, auth, kernel
):
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send('{"op": "subscribe", "channels": ["chat"]}')
        await publish(kernel, "chat", "hello")
        assert (await recv(sock))["data"] == "hello"
        await sock.send('{"op": "publish", "channel": "chat", "data": "mine", "ref": 7}')
        error = await recv(sock)
        assert error["op"] == "error" and error["ref"] == 7
        assert "may not publish" in error["message"]
        await publish(kernel, "chat", "after")
        assert (await recv(sock))["data"] == "after"  # the socket stays open and subscribed
