"""Checks for a server whose jupyter_push configuration cannot work: every push route answers
503 with the reason, and the log says it once, as an error, without a traceback."""

from __future__ import annotations

import json

import httpx
import websockets
from websockets.exceptions import InvalidStatus

from tests.redis.servers import JupyterServer

# every push route, with its method
ROUTES = [("GET", "events"), ("POST", "events"), ("GET", "channels"), ("GET", "history"),
          ("GET", "status"), ("POST", "tokens"), ("POST", "tokens/revoke"), ("GET", "client.js")]


def kernel_token(server: JupyterServer) -> str:
    (runtime_file,) = (server.workdir / "runtime").glob("jupyter_push-*.json")
    return json.loads(runtime_file.read_text())["token"]


async def assert_every_route_answers_503(server: JupyterServer, *reasons: str) -> None:
    """Each route answers 503 and a message holding `reasons`, to the Jupyter user and to the
    kernel token; a request without credentials still gets 401, and learns nothing."""
    kernel = {"Authorization": f"token {kernel_token(server)}"}
    async with httpx.AsyncClient(base_url=server.push_url, timeout=10) as http:
        for headers in (server.headers, kernel):
            for method, route in ROUTES:
                r = await http.request(method, route, headers=headers, json={})
                assert r.status_code == 503, (method, route, r.text)
                message = r.json()["message"]
                assert all(reason in message for reason in reasons), (route, message)
    async with httpx.AsyncClient(base_url=server.push_url, timeout=10) as stranger:
        r = await stranger.get("channels")
        assert r.status_code == 401, r.text
        assert not any(reason in r.text for reason in reasons)
    ws_url = server.push_url.replace("http:", "ws:") + "ws"
    try:
        async with websockets.connect(ws_url, additional_headers=server.headers):
            raise AssertionError("the WebSocket was accepted")
    except InvalidStatus as e:
        assert e.response.status_code == 503
        assert all(reason in e.response.body.decode() for reason in reasons)


def assert_logged_once_as_an_error(server: JupyterServer, *reasons: str) -> None:
    log = server.log()
    # (each 503 response is logged too, by the server's request log)
    lines = [line for line in log.splitlines() if "PushApp] jupyter_push cannot start" in line]
    assert len(lines) == 1, log
    assert lines[0].startswith("[E") and all(reason in lines[0] for reason in reasons), lines
    assert "answers 503 until this is fixed" in lines[0]
    assert "Traceback" not in log and "AssertionError" not in log, log

