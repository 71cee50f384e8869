"""Share links against a real Jupyter server: minting, scope, read-only, expiry, revocation,
CORS and origin rules, the viewer page, and tokens kept out of URLs and logs."""

from __future__ import annotations

import asyncio
import json
import logging
import os
import stat
import time
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import httpx_sse
import jwt
import pytest
import websockets
from jupyter_core.paths import jupyter_data_dir

from jupyter_push.tokens import KeyFile, ShareTokens
from tests.conftest import publish, ws_url
from tests.support.shares import access_of, mint
from tests.support.waiting import subscribed

TIMEOUT = 5
FOREIGN = "http://127.0.0.1:1"  # an origin that is not the Jupyter server's


@asynccontextmanager
async def stream(client: httpx.AsyncClient, url: str, headers=None):
    async with httpx_sse.aconnect_sse(client, "GET", url, headers=headers or {}) as source:
        assert source.response.status_code == 200, await source.response.aread()
        yield source


async def next_event(events) -> dict:
    return json.loads((await asyncio.wait_for(events.__anext__(), TIMEOUT)).data)


async def until_closed(events) -> None:
    """Drain the stream until the server ends it (fails on timeout)."""
    async def drain():
        async for _ in events:
            pass

    await asyncio.wait_for(drain(), 3 * TIMEOUT)  # generous: expiry is checked each second


# ---------------------------------------------------------------------- minting


async def test_minted_link_is_an_absolute_sse_url_with_only_the_share_token(
    http, push_url, jupyter_token, kernel_token
):
    before = time.time()
    link = await mint(http, "progress", "train/**", ttl=120)
    url = urlsplit(link["url"])
    assert link["url"].startswith(push_url + "events?")
    assert parse_qs(url.query) == {"access": [link["token"]], "channel": ["progress", "train/**"]}
    assert before + 119 <= link["expires"] <= time.time() + 121
    assert jupyter_token not in link["url"] and kernel_token not in link["url"]
    assert "token=" not in url.query


async def test_the_kernel_token_may_mint_share_links(push_url, kernel_token, anonymous):
    link = await mint(
        httpx.AsyncClient(base_url=push_url, headers={"Authorization": f"token {kernel_token}"}),
        "progress",
    )
    assert kernel_token not in link["url"]
    r = await anonymous.get("channels", params=access_of(link))
    assert r.status_code == 200


async def test_a_share_token_cannot_mint_or_revoke(http, anonymous):
    link = await mint(http, "**")
    r = await anonymous.post("tokens", params=access_of(link), json={"channels": ["**"]})
    assert r.status_code == 403 and "cannot create" in r.json()["message"]
    r = await anonymous.post("tokens/revoke", params=access_of(link))
    assert r.status_code == 403


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        ({"channels": []}, "non-empty"),
        ({"channels": ["a b"]}, "segment"),
        ({"channels": ["progress"], "ttl": -1}, "positive"),
        ({"channels": ["progress"], "ttl": 10**9}, "share_max_ttl"),
        (["progress"], "channels"),
    ],
)
async def test_bad_mint_requests_get_400_saying_what_is_wrong(http, body, problem):
    r = await http.post("tokens", json=body)
    assert r.status_code == 400 and problem in r.json()["message"]


async def test_minting_needs_a_credential(anonymous):
    r = await anonymous.post("tokens", json={"channels": ["**"]})
    assert r.status_code == 401


# ---------------------------------------------------------------------- reading with a link


async def test_a_link_streams_retained_and_live_events_of_its_channels_to_any_origin(
    http, anonymous
):
    await publish(http, "public/a", "retained")
    link = await mint(http, "public/**")
    async with stream(anonymous, link["url"], headers={"Origin": FOREIGN}) as source:
        assert source.response.headers["access-control-allow-origin"] == "*"
        assert "access-control-allow-credentials" not in source.response.headers
        events = source.aiter_sse()
        assert (await next_event(events))["data"] == "retained"
        await publish(http, "secret", "hidden")
        await publish(http, "public/b", "live")
        event = await next_event(events)
        assert (event["channel"], event["data"]) == ("public/b", "live")


@pytest.mark.parametrize("path", ["events", "channels", "history"])
async def test_a_link_cannot_name_channels_outside_its_patterns(http, anonymous, path):
    link = await mint(http, "public/**")
    params = {**access_of(link), "channel": ["public/x", "secret"]}
    r = await anonymous.get(path, params=params)
    assert r.status_code == 403
    assert "'secret' is outside it" in r.json()["message"]
    assert r.headers["access-control-allow-origin"] == "*"


async def test_state_read_with_a_link_shows_only_its_channels(http, anonymous):
    await publish(http, "public/a", 1)
    await publish(http, "secret", 2)
    link = await mint(http, "public/**")
    channels = (await anonymous.get("channels", params=access_of(link))).json()["channels"]
    assert [c["name"] for c in channels] == ["public/a"]
    history = (await anonymous.get("history", params=access_of(link))).json()["events"]
    assert {e["channel"] for e in history} == {"public/a"}


async def test_a_websocket_with_a_link_never_receives_channels_outside_it(http, push_url):
    link = await mint(http, "public/**")
    url = ws_url(push_url) + "?access=" + link["token"]
    async with websockets.connect(url, origin=FOREIGN) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["**", "secret"]}))
        refused = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
        assert refused["op"] == "error" and "outside it" in refused["message"]
        await sock.send(json.dumps({"op": "subscribe"}))  # no channels: all the link grants
        await subscribed(http, 1)
        await publish(http, "secret", "hidden")
        await publish(http, "public/x", "shown")
        received = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
        events = received if isinstance(received, list) else [received]
        assert [e.get("channel") for e in events if "op" not in e] == ["public/x"]


# ---------------------------------------------------------------------- read-only


async def test_a_link_cannot_publish_over_http(http, anonymous):
    link = await mint(http, "**")
    r = await anonymous.post("events", params=access_of(link),
                             json={"channel": "public", "data": 1})
    assert r.status_code == 403 and "read-only" in r.json()["message"]
    assert (await http.get("channels")).json()["channels"] == []


async def test_a_link_cannot_publish_over_websocket(http, push_url):
    link = await mint(http, "**")
    async with websockets.connect(ws_url(push_url) + "?access=" + link["token"]) as sock:
        await sock.send(json.dumps({"op": "publish", "channel": "public", "data": 1}))
        reply = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
        assert reply["op"] == "error" and "read-only" in reply["message"]
    assert (await http.get("channels")).json()["channels"] == []


# ---------------------------------------------------------------------- expiry, revocation


async def test_an_expired_link_is_refused_everywhere(http, anonymous, push_url, push_app):
    token, _ = push_app.state.shares.mint(["**"], 60, now=time.time() - 120)
    for path in ("events", "channels", "history", "client.js", "tiles.js"):
        r = await anonymous.get(path, params={"access": token})
        assert r.status_code == 401 and "expired" in r.json()["message"], path
    with pytest.raises(websockets.InvalidStatus) as e:
        async with websockets.connect(ws_url(push_url) + "?access=" + token):
            pass
    assert e.value.response.status_code == 401


async def test_an_open_stream_ends_when_its_link_expires(http, anonymous):
    link = await mint(http, "progress", ttl=3)  # expires 2-3 s from now (whole seconds)
    async with stream(anonymous, link["url"]) as source:
        await until_closed(source.aiter_sse())
    r = await anonymous.get("channels", params=access_of(link))
    assert r.status_code == 401


async def test_expiry_closes_share_websockets_too(http, push_url, push_app):
    link = await mint(http, "progress")
    async with websockets.connect(ws_url(push_url) + "?access=" + link["token"]) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["progress"]}))
        await subscribed(http, 1)
        push_app.state.share_connections.sweep(now=link["expires"] + 1)
        with pytest.raises(websockets.ConnectionClosed) as e:
            await asyncio.wait_for(sock.recv(), TIMEOUT)
        assert e.value.rcvd.code == 1008


async def test_revoking_ends_open_streams_and_refuses_every_earlier_link(
    http, anonymous, push_url
):
    first, second = await mint(http, "progress"), await mint(http, "**")
    async with stream(anonymous, first["url"]) as source, websockets.connect(
        ws_url(push_url) + "?access=" + second["token"]
    ) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["**"]}))
        await subscribed(http, 2)  # the stream and the socket
        r = await http.post("tokens/revoke")
        assert r.status_code == 200
        await until_closed(source.aiter_sse())
        with pytest.raises(websockets.ConnectionClosed):
            await asyncio.wait_for(sock.recv(), TIMEOUT)
    for link in (first, second):
        r = await anonymous.get("channels", params=access_of(link))
        assert r.status_code == 401 and "revoked" in r.json()["message"]
    fresh = await mint(http, "progress")
    assert (await anonymous.get("channels", params=access_of(fresh))).status_code == 200


async def test_only_the_jupyter_user_can_revoke(push_url, kernel_token):
    async with httpx.AsyncClient(
        base_url=push_url, headers={"Authorization": f"token {kernel_token}"}
    ) as kernel:
        r = await kernel.post("tokens/revoke")
    assert r.status_code == 403


# ---------------------------------------------------------------------- forged tokens


def _claims(link: dict) -> dict:
    return jwt.decode(link["token"], options={"verify_signature": False})


async def test_tampered_and_foreign_tokens_are_refused(http, anonymous):
    link = await mint(http, "public")
    claims = {**_claims(link), "ch": ["**"]}
    head, _, signature = link["token"].rpartition(".")
    forged = {
        "tampered-scope": jwt.encode(claims, "another server's secret" * 2, algorithm="HS256"),
        "alg-none": jwt.encode(claims, None, algorithm="none"),
        "bad-signature": head + "." + signature[::-1],
    }
    for name, token in forged.items():
        r = await anonymous.get("channels", params={"access": token})
        assert r.status_code == 401, name
        assert "not issued by this server" in r.json()["message"], name


# ---------------------------------------------------------------------- origins


async def test_preflight_of_a_share_request_allows_any_origin_and_last_event_id(http, anonymous):
    link = await mint(http, "progress")
    r = await anonymous.options(
        "events",
        params=access_of(link),
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "GET",
                 "Access-Control-Request-Headers": "last-event-id"},
    )
    assert r.status_code == 204
    assert r.headers["access-control-allow-origin"] == "*"
    assert "last-event-id" in r.headers["access-control-allow-headers"]


async def login_cookie(push_url: str, jupyter_token: str) -> str:
    """The cookie a browser holds after opening Jupyter with ?token=."""
    async with httpx.AsyncClient() as browser:
        r = await browser.get(push_url[: -len("push/")] + "api/me", params={"token": jupyter_token})
        assert r.status_code == 200
        cookie = "; ".join(f"{k}={v}" for k, v in browser.cookies.items())
    assert cookie, "logging in with ?token= should set a cookie"
    return cookie


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


async def test_a_foreign_page_riding_the_login_cookie_is_refused_over_http(
    push_url, jupyter_token, anonymous
):
    cookie = await login_cookie(push_url, jupyter_token)
    own = await anonymous.get("channels", headers={"Cookie": cookie, "Origin": origin_of(push_url)})
    assert own.status_code == 200
    r = await anonymous.get("channels", headers={"Cookie": cookie, "Origin": FOREIGN})
    assert r.status_code == 404  # jupyter_server's answer to a foreign origin (allow_origin unset)
    assert "access-control-allow-origin" not in r.headers


async def test_a_foreign_origin_websocket_riding_the_login_cookie_is_refused(
    http, push_url, jupyter_token
):
    headers = {"Cookie": await login_cookie(push_url, jupyter_token)}
    async with websockets.connect(ws_url(push_url), additional_headers=headers,
                                  origin=origin_of(push_url)):
        pass  # same origin with the cookie: a normal browser session works
    with pytest.raises(websockets.InvalidStatus) as e:
        async with websockets.connect(ws_url(push_url), additional_headers=headers,
                                      origin=FOREIGN):
            pass
    assert e.value.response.status_code in (403, 404)
    link = await mint(http, "progress")
    async with websockets.connect(ws_url(push_url) + "?access=" + link["token"], origin=FOREIGN):
        pass  # a share token is explicit, so any origin may use it


# ---------------------------------------------------------------------- client.js, viewer


async def test_client_js_is_served_to_any_credential_with_cors_for_links(http, anonymous):
    assert (await anonymous.get("client.js")).status_code == 401
    link = await mint(http, "progress")
    r = await anonymous.get("client.js", params=access_of(link), headers={"Origin": FOREIGN})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["access-control-allow-origin"] == "*"
    assert "export function connect" in r.text
    assert (await http.get("client.js")).status_code == 200


async def test_the_tile_library_is_served_like_client_js(http, anonymous):
    assert (await anonymous.get("tiles.js")).status_code == 401
    link = await mint(http, "progress")
    r = await anonymous.get("tiles.js", params=access_of(link), headers={"Origin": FOREIGN})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/javascript")
    assert r.headers["access-control-allow-origin"] == "*"
    assert "export const {" in r.text and "decide" in r.text
    assert (await http.get("tiles.js")).status_code == 200


async def test_a_browser_opening_a_link_gets_the_viewer_page(http, anonymous):
    link = await mint(http, "progress")
    page = await anonymous.get(link["url"], headers={"Accept": "text/html,*/*;q=0.8"})
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    csp = page.headers["content-security-policy"]
    assert "default-src 'none'" in csp and "connect-src 'self'" in csp
    assert link["token"] not in page.text  # the page reads it from its own address
    async with stream(anonymous, link["url"]) as source:  # EventSource's Accept gets the stream
        assert source.response.headers["content-type"].startswith("text/event-stream")


async def test_the_viewer_is_refused_for_an_invalid_link(anonymous):
    r = await anonymous.get("events", params={"access": "nope"}, headers={"Accept": "text/html"})
    assert r.status_code == 401


# ---------------------------------------------------------------------- logs


async def test_tokens_never_reach_the_server_log(
    http, anonymous, push_url, jupyter_token, kernel_token, caplog
):
    caplog.set_level(logging.DEBUG)
    link = await mint(http, "public")
    await anonymous.get("channels", params=access_of(link))
    await anonymous.get("events", params={**access_of(link), "channel": "secret"})  # 403: warning
    async with httpx.AsyncClient(base_url=push_url) as by_query:
        await by_query.get("channels", params={"token": jupyter_token})
        await by_query.get("channels", params={"token": jupyter_token, "channel": "a b"})  # 400
        await by_query.post("tokens", params={"token": kernel_token}, json={"channels": ["x"]})
    client_side = ("httpx", "httpcore")  # this test's own HTTP client logs its URLs
    log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(client_side))
    assert "push/channels" in log and "push/events" in log  # the requests were logged
    for secret in (jupyter_token, kernel_token, link["token"]):
        assert secret not in log


async def test_the_generated_secret_is_kept_privately_so_links_outlive_the_server(http):
    link = await mint(http, "progress")
    path = Path(jupyter_data_dir()) / "jupyter_push_share.json"
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    restarted = ShareTokens(KeyFile(path), max_ttl=3600)  # what the next server start reads
    assert restarted.verify(link["token"]).allowed.patterns == ("progress",)
