"""`jupyter push serve`: a script's push() finds it like a Jupyter server; SSE and WebSocket
subscribers, a share link from another origin, the viewer at its root, nothing that runs code,
and two serve processes joined through one real redis-server."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
import textwrap
import uuid

import httpx
import httpx_sse
import pytest
import websockets

from tests.redis.servers import HAVE_REDIS

from .process import PushServe

TIMEOUT = 15
SCRIPT = textwrap.dedent("""
    import sys
    from jupyter_push import flush, push
    for step in range(1, 6):
        push("ci/progress", step)
    push("ci/done", {"ok": True})
    sys.exit(0 if flush(timeout=10) else 1)
""")


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    server = PushServe(tmp_path_factory.mktemp("serve")).start()
    yield server
    server.stop()
    assert not list((server.workdir / "runtime").glob("jupyter_push-*.json")), \
        "the runtime file outlived the server"


async def take(stream, n: int) -> list:
    return [await asyncio.wait_for(stream.__anext__(), TIMEOUT) for _ in range(n)]


def run_script(server: PushServe) -> None:
    """A plain Python process (no Jupyter, no JUPYTER_PUSH_* variables) that pushes."""
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=server.env, cwd=server.workdir,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr


def test_the_token_is_printed_and_the_runtime_file_is_private(serve):
    info = serve.runtime_info()
    assert info["url"] == serve.push_url and info["token"]
    assert serve.runtime_file.stat().st_mode & 0o077 == 0
    assert serve.token and serve.token != info["token"]


async def test_a_script_push_reaches_sse_and_websocket_subscribers(serve):
    kernel_token = serve.runtime_info()["token"]
    async with httpx.AsyncClient(base_url=serve.push_url, headers=serve.headers,
                                 timeout=TIMEOUT) as http, \
            httpx_sse.aconnect_sse(http, "GET", "events",
                                   params={"channel": "ci/**", "retained": "0"}) as source, \
            websockets.connect(serve.push_url.replace("http", "ws") + "ws",
                               additional_headers={"Authorization": f"token {kernel_token}"}
                               ) as sock:
        assert source.response.status_code == 200
        await sock.send(json.dumps({"op": "subscribe", "channels": ["ci/**"],
                                    "retained": False, "ref": 1}))
        stream = source.aiter_sse()
        await asyncio.to_thread(run_script, serve)
        over_sse = [json.loads(m.data) for m in await take(stream, 6)]
        over_ws: list[dict] = []
        while len(over_ws) < 6:
            message = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
            batch = message if isinstance(message, list) else [message]
            over_ws.extend(e for e in batch if "op" not in e)
    expected = [("ci/progress", i) for i in range(1, 6)] + [("ci/done", {"ok": True})]
    assert [(e["channel"], e["data"]) for e in over_sse] == expected
    assert [(e["channel"], e["data"]) for e in over_ws] == expected


async def test_a_share_link_works_from_another_origin_and_publishes_nothing(serve):
    shared = subprocess.run([serve.cli, "share", "ci/**", "--ttl", "600"],
                            env=serve.env, capture_output=True, text=True, timeout=60)
    assert shared.returncode == 0, shared.stderr
    url = shared.stdout.strip()
    assert url.startswith(serve.push_url + "events?access=")
    assert serve.token not in url and serve.runtime_info()["token"] not in url
    origin = {"Origin": "https://dashboard.example"}
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        async with httpx_sse.aconnect_sse(http, "GET", url, headers=origin) as source:
            assert source.response.headers["access-control-allow-origin"] == "*"
            stream = source.aiter_sse()
            await asyncio.to_thread(run_script, serve)
            seen = [json.loads(m.data) for m in await take(stream, 8)]
            assert {"channel": "ci/done", "data": {"ok": True}}.items() <= seen[-1].items()
        access = url.split("access=")[1].split("&")[0]
        refused = await http.post(serve.push_url + "events", params={"access": access},
                                  json={"channel": "ci/x", "data": 1})
        assert refused.status_code == 403
        outside = await http.get(serve.push_url + "events",
                                 params={"access": access, "channel": "other"})
        assert outside.status_code == 403


async def test_the_viewer_is_at_the_root_and_every_route_needs_a_credential(serve):
    kernel = {"Authorization": f"token {serve.runtime_info()['token']}"}
    async with httpx.AsyncClient(base_url=serve.root, timeout=TIMEOUT) as http:
        root = await http.get("", params={"token": serve.token})
        assert root.status_code in (301, 302)
        assert root.headers["location"].startswith("/push/events")
        page = await http.get(root.headers["location"], headers={"Accept": "text/html"})
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        # the token in the link logged the browser in (a cookie), as in Jupyter
        assert (await http.get("push/status")).status_code == 200
        http.cookies.clear()
        assert (await http.get("push/status")).status_code == 401
        assert (await http.get("", follow_redirects=True)).status_code == 401
        assert (await http.get("push/status", headers=kernel)).status_code == 200
        assert (await http.get("api/me", headers=kernel)).status_code == 403
        assert (await http.get("api/me", headers=serve.headers)).status_code == 200
        # nothing here runs code or reads files, even for the Jupyter user
        for route in ("api/kernels", "api/contents", "api/sessions", "files/serve.log",
                      "api/terminals"):
            assert (await http.get(route, headers=serve.headers)).status_code == 404, route


@pytest.mark.skipif(not HAVE_REDIS, reason="redis-server not installed: apt-get install "
                    "redis-server (make test does it as root)")
async def test_two_serve_processes_share_channels_through_one_redis(redis_server, tmp_path):
    prefix = f"--PushApp.redis_prefix=serve-{uuid.uuid4().hex[:8]}:"
    a = PushServe(tmp_path / "a", "--broker-url", redis_server.url, prefix).start()
    try:
        b = PushServe(tmp_path / "b", "--broker-url", redis_server.url, prefix).start()
        try:
            await _shared(a, b)
        finally:
            b.stop()
    finally:
        a.stop()


async def _shared(a: PushServe, b: PushServe) -> None:
    async with httpx.AsyncClient(timeout=TIMEOUT) as http:
        async with httpx_sse.aconnect_sse(http, "GET", b.push_url + "events", headers=b.headers,
                                          params={"channel": "ci/**", "retained": "0"}) as src:
            stream = src.aiter_sse()
            await asyncio.to_thread(run_script, a)  # the script finds a: its runtime dir
            seen = await take(stream, 6)
        assert [json.loads(m.data)["data"] for m in seen[:5]] == [1, 2, 3, 4, 5]
        first = await http.post(a.push_url + "events", headers=a.headers,
                                json={"channel": "ci/late", "data": "missed"})
        async with httpx_sse.aconnect_sse(http, "GET", b.push_url + "events", headers={
                **b.headers, "Last-Event-ID": seen[-1].id}, params={"channel": "ci/**"}) as src:
            (resumed,) = await take(src.aiter_sse(), 1)
        assert resumed.id == first.json()["ids"][0]
        assert json.loads(resumed.data)["data"] == "missed"
