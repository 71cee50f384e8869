"""Who may do what, checked on every route the extension registers (not a hand-kept list),
with real credentials: the Jupyter token and login cookie, the kernel token, share tokens."""

from __future__ import annotations

import asyncio
import json
import re
from collections.abc import Iterator

import httpx
import pytest
import websockets
from tornado.routing import Rule, RuleRouter
from tornado.web import RequestHandler
from websockets.typing import Origin

from tests.conftest import ws_url
from tests.support.waiting import until

TIMEOUT = 10
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD")
FOREIGN = Origin("https://evil.example")


def rules(router: RuleRouter) -> Iterator[Rule]:
    for rule in router.rules:
        if isinstance(rule.target, RuleRouter):
            yield from rules(rule.target)
        else:
            yield rule


def push_routes(serverapp, base_url: str) -> list[tuple[str, str]]:
    """(path, method) for every method of every handler registered under `{base}push/`.
    OPTIONS is left out: a CORS preflight never carries credentials, by design."""
    routes = []
    for rule in rules(serverapp.web_app.default_router):
        regex = getattr(rule.matcher, "regex", None)
        if regex is None or not regex.pattern.startswith(f"{base_url}push/"):
            continue
        path = re.sub(r"\\(.)", r"\1", regex.pattern.rstrip("$"))
        handler = rule.target
        for method in METHODS:
            if getattr(handler, method.lower()) is not getattr(RequestHandler, method.lower()):
                routes.append((path, method))
    return routes


@pytest.fixture
def origin(push_url, jp_http_port) -> str:
    """The server's own origin (push_url makes the server listen)."""
    return f"http://127.0.0.1:{jp_http_port}"


@pytest.fixture
def routes(jp_serverapp, jp_base_url) -> list[tuple[str, str]]:
    found = push_routes(jp_serverapp, jp_base_url)
    paths = {p for p, _ in found}
    # the enumeration itself works: the routes of docs/PROTOCOL.md are among them
    for name in ("events", "ws", "channels", "history", "tokens"):
        assert f"{jp_base_url}push/{name}" in paths, paths
    return found


async def status_of(client: httpx.AsyncClient, method: str, url: str, **kw) -> int:
    """The status of one request; a stream is closed as soon as its headers arrive."""
    body = b"{}" if method in ("POST", "PUT", "PATCH") else None
    headers = {"Content-Type": "application/json", **kw.pop("headers", {})}
    async with client.stream(method, url, content=body, headers=headers, **kw) as r:
        return r.status_code


async def test_every_push_route_refuses_a_request_without_credentials_with_401(
    routes, origin
):
    async with httpx.AsyncClient(base_url=origin, timeout=TIMEOUT) as client:
        for path, method in routes:
            assert await status_of(client, method, path) == 401, (method, path)
            # a browser's request (Accept: text/html) is not sent to a login page either
            html = {"Accept": "text/html"}
            assert await status_of(client, method, path, headers=html) == 401, (method, path)


@pytest.mark.parametrize("wrong", [
    {"headers": {"Authorization": "token not-a-token"}},
    {"headers": {"Authorization": "Bearer not-a-token"}},
    {"params": {"token": "not-a-token"}},
])
async def test_every_push_route_refuses_a_wrong_token_with_401(routes, origin, wrong):
    async with httpx.AsyncClient(base_url=origin, timeout=TIMEOUT) as client:
        for path, method in routes:
            assert await status_of(client, method, path, **wrong) == 401, (method, path)


@pytest.mark.parametrize("send", ["header", "query"])
async def test_the_kernel_token_is_accepted_on_every_push_route(
    routes, origin, kernel_token, jp_base_url, send
):
    how = ({"headers": {"Authorization": f"token {kernel_token}"}} if send == "header"
           else {"params": {"token": kernel_token}})
    async with httpx.AsyncClient(base_url=origin, timeout=TIMEOUT) as client:
        for path, method in routes:
            status = await status_of(client, method, path, **how)
            assert status != 401 and not 300 <= status < 400 and status < 500, \
                (method, path, status)
            if path == f"{jp_base_url}push/tokens/revoke":
                assert status == 403  # revoking every link is the Jupyter user's alone


def jupyter_routes(serverapp) -> list[str]:
    routes = ["api/contents", "api/kernels", "api/sessions", "api/kernelspecs", "api/events",
              "api/me", "api/config/notebook", "tree"]
    extensions = serverapp.extension_manager.extension_apps
    if "jupyter_server_terminals" in extensions and \
            serverapp.jpserver_extensions.get("jupyter_server_terminals"):
        routes.append("api/terminals")
    if "jupyterlab" in extensions:
        routes.append("lab")
    return routes


@pytest.mark.parametrize("send", ["header", "query"])
async def test_the_kernel_token_opens_nothing_outside_push(
    jp_serverapp, origin, jp_base_url, kernel_token, send
):
    how = ({"headers": {"Authorization": f"token {kernel_token}"}} if send == "header"
           else {"params": {"token": kernel_token}})
    login = f"{jp_base_url}login"
    async with httpx.AsyncClient(base_url=origin, timeout=TIMEOUT) as client:
        for path in jupyter_routes(jp_serverapp):
            r = await client.get(jp_base_url + path, **how)
            if path.startswith("api/"):
                assert r.status_code in (401, 403), (path, r.status_code)
            else:  # pages send a browser to the login form
                assert r.status_code in (401, 403) or (
                    r.status_code == 302 and r.headers["location"].startswith(login)
                ), (path, r.status_code)
        r = await client.post(jp_base_url + "api/contents", json={"type": "notebook"}, **how)
        assert r.status_code in (401, 403)
        # the event bus of jupyter_server is not the push route
        r = await client.post(jp_base_url + "api/events", json={}, **how)
        assert r.status_code in (401, 403)


async def logged_in_browser(origin: str, base_url: str, token: str) -> httpx.AsyncClient:
    """A client that logged in through the login form, as a browser does: it holds the
    login cookie and the `_xsrf` cookie, and sends no token."""
    client = httpx.AsyncClient(base_url=origin, timeout=TIMEOUT)
    r = await client.get(f"{base_url}login")
    assert r.status_code == 200 and "_xsrf" in client.cookies
    r = await client.post(f"{base_url}login",
                          data={"password": token, "_xsrf": client.cookies["_xsrf"]})
    assert r.status_code == 302
    r = await client.get(f"{base_url}push/channels")
    assert r.status_code == 200  # the cookie alone signs in
    return client


async def test_a_cookie_authenticated_publish_needs_the_xsrf_token(
    origin, jp_base_url, jupyter_token
):
    browser = await logged_in_browser(origin, jp_base_url, jupyter_token)
    try:
        event = {"channel": "xsrf", "data": 1}
        r = await browser.post(f"{jp_base_url}push/events", json=event)
        assert r.status_code == 403 and "_xsrf" in r.json()["message"]
        r = await browser.post(f"{jp_base_url}push/tokens", json={"channels": ["xsrf"]})
        assert r.status_code == 403
        r = await browser.post(f"{jp_base_url}push/events", json=event,
                               headers={"X-XSRFToken": browser.cookies["_xsrf"]})
        assert r.status_code == 200 and len(r.json()["ids"]) == 1
    finally:
        await browser.aclose()


async def test_a_cookie_websocket_from_a_foreign_origin_is_refused_but_a_token_one_is_not(
    push_url, origin, jp_base_url, jupyter_token, kernel_token
):
    browser = await logged_in_browser(origin, jp_base_url, jupyter_token)
    cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    await browser.aclose()
    url = ws_url(push_url)
    with pytest.raises(websockets.InvalidStatus) as refused:
        await websockets.connect(url, origin=FOREIGN, additional_headers={"Cookie": cookie})
    # (jupyter_server answers a cross-origin request relying on the cookie with 404)
    assert refused.value.response.status_code in (403, 404)
    # the same cookie from the server's own origin is a normal socket
    own = Origin(origin)
    async with websockets.connect(url, origin=own, additional_headers={"Cookie": cookie}):
        pass
    # a token sent explicitly cannot be forged by another site's page
    for token in (jupyter_token, kernel_token):
        async with websockets.connect(url, origin=FOREIGN,
                                      additional_headers={"Authorization": f"token {token}"}):
            pass
        async with websockets.connect(f"{url}?token={token}", origin=FOREIGN):
            pass


async def test_tokens_never_reach_the_server_log(
    push_url, origin, jp_base_url, jupyter_token, kernel_token, http, caplog,
    jp_logging_stream
):
    minted = await http.post("tokens", json={"channels": ["log/**"], "ttl": 60})
    share = minted.json()["token"]
    referer = {"Referer": f"https://page.example/?access={share}&token={kernel_token}"}
    async with httpx.AsyncClient(base_url=origin, timeout=TIMEOUT) as client:
        requests = [
            ("GET", f"{jp_base_url}push/channels?token={kernel_token}", {}),
            ("GET", f"{jp_base_url}push/channels?token={jupyter_token}", {}),
            ("GET", f"{jp_base_url}push/channels?access={share}", {}),
            ("GET", f"{jp_base_url}push/history?channel=elsewhere&access={share}", referer),
            ("POST", f"{jp_base_url}push/events?access={share}", referer),
            ("GET", f"{jp_base_url}push/channels?access={share}x", referer),  # refused
            ("GET", f"{jp_base_url}push/nowhere?token={kernel_token}", referer),
            ("GET", f"{jp_base_url}api/contents?token={kernel_token}", referer),
            ("GET", f"{jp_base_url}push/events?retained=0&access={share}", {}),
        ]
        for method, url, headers in requests:
            await status_of(client, method, url, headers=headers)
    for url in (f"{ws_url(push_url)}?token={kernel_token}", f"{ws_url(push_url)}?access={share}"):
        async with websockets.connect(url):
            pass

    def log() -> str:
        return "\n".join([r.getMessage() for r in caplog.records] + [jp_logging_stream.getvalue()])

    await until(lambda: log().count("/push/ws?") >= 2, what="both sockets in the log")
    logged = log()
    # the requests were logged, with their secrets hidden
    assert "access=[secret]" in logged and "token=[secret]" in logged
    for secret in (share, kernel_token, jupyter_token):
        assert secret not in logged


async def test_a_websocket_handshake_needs_a_credential(push_url, kernel_token):
    url = ws_url(push_url)
    for headers in ({}, {"Authorization": "token not-a-token"}):
        with pytest.raises(websockets.InvalidStatus) as refused:
            await websockets.connect(url, additional_headers=headers)
        assert refused.value.response.status_code == 401
    async with websockets.connect(url, additional_headers={
            "Authorization": f"token {kernel_token}"}) as sock:
        await sock.send('{"op": "subscribe", "channels": ["a"], "ref": 1}')
        await sock.send('{"op": "nope", "ref": 2}')
        reply = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
        assert reply["op"] == "error" and reply["ref"] == 2  # the socket works
