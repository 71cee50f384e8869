"""jupyter_push under a real JupyterHub: configurable-http-proxy, DummyAuthenticator,
SimpleLocalProcessSpawner, a real redis-server, and single-user servers configured as README's
JupyterHub section says. Everything goes through the hub's proxy and the servers' base_urls."""

from __future__ import annotations

import asyncio
import json
from contextlib import AsyncExitStack

import httpx
import httpx_sse
import pytest
import websockets

from .hub import Hub, proxy_missing, run_in_kernel

pytestmark = pytest.mark.skipif(proxy_missing() is not None, reason=proxy_missing() or "")
TIMEOUT = 30
OTHER_ORIGIN = {"Origin": "https://dashboard.example"}


def client(hub: Hub, server: str, user: str | None = None) -> httpx.AsyncClient:
    """A client of `server`'s push/ routes through the proxy, with `user`'s hub token."""
    headers = hub.headers(user) if user else {}
    return httpx.AsyncClient(base_url=hub.servers[server] + "push/", headers=headers,
                             timeout=TIMEOUT)


async def subscribe(stack: AsyncExitStack, http: httpx.AsyncClient, url: str = "events",
                    headers: dict | None = None, **params):
    if params:
        params.setdefault("retained", "0")
    source = await stack.enter_async_context(httpx_sse.aconnect_sse(
        http, "GET", url, params=params or None, headers=headers or {}))
    assert source.response.status_code == 200, await source.response.aread()
    return source


async def take(source, n: int) -> list:
    events = source.aiter_sse()
    return [await asyncio.wait_for(events.__anext__(), TIMEOUT) for _ in range(n)]


def data(messages) -> list:
    return [json.loads(m.data)["data"] for m in messages]


PUSH_FROM_KERNEL = """
from jupyter_push import flush, push
for step in (1, 2, 3):
    push("hub/progress", step)
assert flush(timeout=20)
"""


async def test_a_kernel_push_reaches_subscribers_a_share_link_and_never_bob(hub):
    async with AsyncExitStack() as stack:
        alice = await stack.enter_async_context(client(hub, "alice", "alice"))
        second = await stack.enter_async_context(client(hub, "alice/second", "alice"))
        bob = await stack.enter_async_context(client(hub, "bob", "bob"))
        minted = await alice.post("tokens", json={"channels": ["hub/**"], "ttl": 600})
        assert minted.status_code == 200, minted.text
        link = minted.json()["url"]
        # share_base_url comes from the hub's public_url (JUPYTERHUB_PUBLIC_URL)
        assert link.startswith(hub.public_url + "user/alice/push/events?access=")
        anonymous = await stack.enter_async_context(httpx.AsyncClient(timeout=TIMEOUT))
        streams = {
            "alice": await subscribe(stack, alice, channel="hub/**"),
            "alice/second": await subscribe(stack, second, channel="hub/**"),
            "share link": await subscribe(stack, anonymous, link, headers=OTHER_ORIGIN),
            "bob": await subscribe(stack, bob, channel="**"),
        }
        assert streams["share link"].response.headers["access-control-allow-origin"] == "*"

        await run_in_kernel(hub, "alice", PUSH_FROM_KERNEL)
        for name in ("alice", "alice/second", "share link"):
            assert data(await take(streams[name], 3)) == [1, 2, 3], name

        # bob's server: his own event arrives, none of alice's before it
        assert (await bob.post("events", json={"channel": "bob/own", "data": 1})).is_success
        (first,) = await take(streams["bob"], 1)
        assert json.loads(first.data)["channel"] == "bob/own"
        names = [c["name"] for c in (await bob.get("channels")).json()["channels"]]
        assert "hub/progress" not in names and "bob/own" in names


@pytest.mark.parametrize(("user", "status"), [
    ("bob", 403), ("dave", 403),     # hub users without access to alice's servers
    (None, 401),                     # no credential
    ("alice", 200), ("admin", 200),  # the owner and a hub admin
    ("carol", 200),                  # granted access:servers!user=alice by a role
])
async def test_alice_push_routes_give_exactly_what_the_hub_grants(hub, user, status):
    async with client(hub, "alice", user) as http:
        assert (await http.get("status")).status_code == status
        assert (await http.get("channels")).status_code == status
        posted = await http.post("events", json={"channel": "hub/rbac", "data": user})
        assert posted.status_code == status
        async with httpx_sse.aconnect_sse(http, "GET", "events") as source:
            assert source.response.status_code == status
    ws = hub.servers["alice"].replace("http", "ws") + "push/ws"
    headers = hub.headers(user) if user else {}
    if status == 200:
        async with websockets.connect(ws, additional_headers=headers) as sock:
            await sock.send(json.dumps({"op": "publish", "channel": "hub/rbac", "data": 1,
                                        "ref": 1}))
            assert json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))["op"] == "ack"
    else:
        with pytest.raises(websockets.InvalidStatus) as refused:
            async with websockets.connect(ws, additional_headers=headers):
                pass
        assert refused.value.response.status_code == status


async def test_alice_named_servers_share_history_and_a_client_resumes_on_the_other(hub):
    async with client(hub, "alice", "alice") as alice, \
            client(hub, "alice/second", "alice") as second:
        async with AsyncExitStack() as stack:
            stream = await subscribe(stack, alice, channel="hub/resume")
            await alice.post("events", json={"channel": "hub/resume", "data": 0})
            (seen,) = await take(stream, 1)
        missed = []
        for i in (1, 2, 3):
            r = await alice.post("events", json={"channel": "hub/resume", "data": i})
            missed.append(r.json()["ids"][0])
        async with AsyncExitStack() as stack:
            stream = await subscribe(stack, second, headers={"Last-Event-ID": seen.id},
                                     channel="hub/resume")
            resumed = await take(stream, 3)
        assert [m.id for m in resumed] == missed and data(resumed) == [1, 2, 3]


async def test_revoking_share_links_on_one_server_revokes_them_on_all(hub):
    async with client(hub, "alice", "alice") as alice, \
            client(hub, "alice/second", "alice") as second, \
            httpx.AsyncClient(timeout=TIMEOUT) as anonymous:
        token = (await alice.post("tokens", json={"channels": ["hub/**"], "ttl": 600})
                 ).json()["token"]
        on = {name: hub.servers[name] + "push/channels" for name in ("alice", "alice/second")}
        for url in on.values():  # one link, valid on each of alice's servers
            assert (await anonymous.get(url, params={"access": token})).status_code == 200
        revoked = await second.post("tokens/revoke")
        assert revoked.status_code == 200, revoked.text
        for url in on.values():
            refused = await anonymous.get(url, params={"access": token})
            assert refused.status_code == 401 and "revoked" in refused.json()["message"]


async def test_subscribers_and_publishes_do_not_keep_a_server_from_the_idle_culler(hub):
    """What jupyterhub-idle-culler reads (the server's last_activity) stays put while a
    dashboard subscribes and events are published (PushApp.publishing_is_activity is off)."""
    async with httpx.AsyncClient(base_url=hub.servers["bob"], headers=hub.headers("bob"),
                                 timeout=TIMEOUT) as http:
        before = (await http.get("api/status")).json()["last_activity"]
        async with AsyncExitStack() as stack:
            stream = await subscribe(stack, http, "push/events", channel="idle/**")
            await http.post("push/events", json={"channel": "idle/x", "data": 1})
            await take(stream, 1)
            assert (await http.get("push/channels")).status_code == 200
        assert (await http.get("api/status")).json()["last_activity"] == before
