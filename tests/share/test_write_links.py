"""Write-scoped share links and declared controls, against a real Jupyter server: a link
writes only to the controls its write patterns name, within its rate and size; read-only
links stay read-only; a value a control refuses never reaches a subscriber; every write is
logged with the link's id and never its token."""

from __future__ import annotations

import asyncio
import json
import logging

import httpx
import httpx_sse
import pytest
import websockets

from jupyter_push.declarations import declare
from tests.conftest import publish, ws_url
from tests.support.shares import access_of, mint

TIMEOUT = 5


@pytest.fixture
def push_config() -> dict:
    return {"share_write_rate": 1.0, "share_write_burst": 3.0, "share_write_max_bytes": 200}


async def write_link(http: httpx.AsyncClient, channels: list[str], write: list[str]) -> dict:
    r = await http.post("tokens", json={"channels": channels, "write": write, "ttl": 60})
    assert r.status_code == 200, r.text
    return r.json()


async def declare_control(http: httpx.AsyncClient, channel: str, default, kind: str, **kw):
    await publish(http, f"$controls/{channel}", declare(channel, default, kind, **kw))


async def send(client: httpx.AsyncClient, link: dict, channel: str, data) -> httpx.Response:
    return await client.post("events", params=access_of(link),
                             json={"channel": channel, "data": data})


@pytest.fixture
def controls(http, jp_asyncio_loop):
    async def declare_all():
        await declare_control(http, "train/control/stop", False, "button")
        await declare_control(http, "train/control/lr", 0.01, "slider", min=0.001, max=0.1)
        await declare_control(http, "train/mode", "fast", "choice", options=["fast", "slow"])
        await declare_control(http, "chat/lobby", None, "chat")

    jp_asyncio_loop.run_until_complete(declare_all())


# ---------------------------------------------------------------------- minting


@pytest.mark.parametrize("channels, write, problem", [
    (["train/**"], ["other/**"], "outside the link's channels"),
    (["train/**"], ["**"], "outside the link's channels"),
    (["**"], ["$controls/**"], "never writes to '$' channels"),
    (["**"], ["a b"], "pattern"),
])
async def test_write_patterns_must_be_channels_the_link_names(http, channels, write, problem):
    r = await http.post("tokens", json={"channels": channels, "write": write})
    assert r.status_code == 400
    assert problem in r.json()["message"]


async def test_a_write_link_reports_its_id_and_patterns(http):
    link = await write_link(http, ["train/**"], ["train/control/**"])
    assert link["write"] == ["train/control/**"] and link["id"]
    assert link["id"] not in link["token"]


# ---------------------------------------------------------------------- read-only


async def test_a_read_only_link_cannot_write(http, anonymous, controls):
    link = await mint(http, "train/**")
    r = await send(anonymous, link, "train/control/stop", True)
    assert r.status_code == 403
    assert "read-only" in r.json()["message"]
    assert r.headers["access-control-allow-origin"] == "*"  # the page may read why


async def test_a_read_only_link_cannot_publish_over_websocket(http, push_url, controls):
    link = await mint(http, "train/**")
    async with websockets.connect(ws_url(push_url) + f"?access={link['token']}") as ws:
        await ws.send(json.dumps({"op": "publish", "channel": "train/control/stop",
                                  "data": True}))
        error = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert error["op"] == "error" and error["status"] == 403
    assert "read-only" in error["message"]


# ---------------------------------------------------------------------- scope


async def test_a_write_link_sets_a_control_and_every_subscriber_sees_it(
    http, anonymous, controls
):
    link = await write_link(http, ["train/**"], ["train/control/**"])
    async with httpx_sse.aconnect_sse(http, "GET", "events",
                                      params={"channel": "train/control/lr",
                                              "retained": "0"}) as source:
        events = source.aiter_sse()
        r = await send(anonymous, link, "train/control/lr", 0.05)
        assert r.status_code == 200, r.text
        event = json.loads((await asyncio.wait_for(events.__anext__(), TIMEOUT)).data)
    assert event["channel"] == "train/control/lr" and event["data"] == 0.05


@pytest.mark.parametrize("channel, why", [
    ("train/loss", "outside it"),                       # not a write pattern
    ("other/control/stop", "outside it"),
    ("train/control/undeclared", "not a declared control"),
    ("$controls/train/control/stop", "reserved channel"),  # rewriting a declaration
    ("$notify", "reserved channel"),
    ("$kernels/abc", "reserved channel"),
])
async def test_a_write_link_cannot_write_outside_its_declared_controls(
    http, anonymous, controls, channel, why
):
    link = await write_link(http, ["train/**"], ["train/control/**"])
    r = await send(anonymous, link, channel, True)
    assert r.status_code == 403, r.text
    assert why in r.json()["message"]


async def test_a_write_link_reads_the_declarations_of_its_controls_only(
    http, anonymous, controls
):
    link = await write_link(http, ["train/**"], ["train/control/**"])
    r = await anonymous.get("channels", params={**access_of(link),
                                                "channel": "$controls/train/control/**"})
    assert r.status_code == 200
    names = {c["name"] for c in r.json()["channels"]}
    assert names == {"$controls/train/control/stop", "$controls/train/control/lr"}
    r = await anonymous.get("channels", params={**access_of(link), "channel": "$controls/**"})
    assert r.status_code == 403


async def test_a_write_link_publishes_over_websocket_within_its_scope(http, push_url, controls):
    link = await write_link(http, ["chat/**"], ["chat/**"])
    async with websockets.connect(ws_url(push_url) + f"?access={link['token']}") as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": ["chat/lobby"],
                                  "retained": False}))
        await ws.send(json.dumps({"op": "publish", "channel": "chat/lobby", "ref": 1,
                                  "data": {"from": "ann", "text": "hello"}}))
        echo = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        ack = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
        await ws.send(json.dumps({"op": "publish", "channel": "$notify", "data": "x"}))
        refused = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert echo["data"] == {"from": "ann", "text": "hello"}
    assert ack["op"] == "ack" and ack["ids"] == [echo["id"]]
    assert refused["op"] == "error" and refused["status"] == 403


# ---------------------------------------------------------------------- values


@pytest.mark.parametrize("channel, value, why", [
    ("train/control/lr", 5, "out of range"),
    ("train/control/lr", "fast", "takes a number"),
    ("train/control/stop", "yes", "takes true or false"),
    ("train/mode", "medium", "is not one of"),
    ("chat/lobby", "", "non-empty"),
])
async def test_a_value_the_control_refuses_is_answered_400_and_never_published(
    http, anonymous, controls, channel, value, why
):
    link = await write_link(http, ["**"], ["train/**", "chat/**"])
    r = await send(anonymous, link, channel, value)
    assert r.status_code == 400, r.text
    assert why in r.json()["message"]
    by_user = await http.post("events", json={"channel": channel, "data": value})
    assert by_user.status_code == 400  # the rule is the control's, whoever sends
    history = (await http.get("history", params={"channel": channel})).json()["events"]
    assert value not in [e["data"] for e in history]


async def test_a_declaration_must_name_its_own_channel(http):
    r = await http.post("events", json={"channel": "$controls/a",
                                        "data": declare("b", False, "toggle")})
    assert r.status_code == 400 and "declares the control 'a'" in r.json()["message"]


async def test_a_withdrawn_control_takes_any_value_again(http):
    await declare_control(http, "knob", 1, "slider", min=0, max=2)
    assert (await http.post("events", json={"channel": "knob", "data": 9})).status_code == 400
    await publish(http, "$controls/knob", None)
    await publish(http, "knob", 9)


# ---------------------------------------------------------------------- limits and logs


async def test_a_write_link_is_rate_limited_with_retry_after(http, anonymous, controls):
    link = await write_link(http, ["train/**"], ["train/control/**"])
    answers = [await send(anonymous, link, "train/control/stop", True) for _ in range(5)]
    codes = [r.status_code for r in answers]
    assert codes[:3] == [200, 200, 200] and 429 in codes[3:]
    limited = answers[codes.index(429)]
    assert int(limited.headers["retry-after"]) >= 1
    assert "share_write_rate" in limited.json()["message"]
    other = await write_link(http, ["train/**"], ["train/control/**"])
    assert (await send(anonymous, other, "train/control/stop", True)).status_code == 200


async def test_a_write_link_value_is_limited_in_size(http, anonymous, controls):
    link = await write_link(http, ["chat/**"], ["chat/**"])
    r = await send(anonymous, link, "chat/lobby", "x" * 500)
    assert r.status_code == 413 and "share_write_max_bytes" in r.json()["message"]


async def test_every_write_is_logged_with_the_link_id_never_its_token(
    http, anonymous, controls, caplog
):
    caplog.set_level(logging.DEBUG)
    link = await write_link(http, ["train/**"], ["train/control/**"])
    assert (await send(anonymous, link, "train/control/stop", True)).status_code == 200
    assert (await send(anonymous, link, "train/loss", 1)).status_code == 403
    client_side = ("httpx", "httpcore")
    log = "\n".join(r.getMessage() for r in caplog.records if not r.name.startswith(client_side))
    assert f"share link {link['id']} wrote train/control/stop" in log
    assert link["token"] not in log


async def test_a_write_link_answers_the_cors_preflight_for_post(anonymous, http):
    link = await write_link(http, ["chat/**"], ["chat/**"])
    r = await anonymous.options("events", params=access_of(link), headers={
        "Origin": "http://example.org", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"})
    assert r.status_code == 204
    assert "POST" in r.headers["access-control-allow-methods"]
    assert "content-type" in r.headers["access-control-allow-headers"]


async def test_a_write_link_cannot_pose_as_a_kernel_or_touch_a_publisher_session(
    http, push_url, push_app, controls
):
    link = await write_link(http, ["chat/**"], ["chat/**"])
    async with websockets.connect(ws_url(push_url) + f"?access={link['token']}") as ws:
        await ws.send(json.dumps({"op": "subscribe", "channels": ["chat/lobby"],
                                  "retained": False}))
        await ws.send(json.dumps({
            "op": "publish", "channel": "chat/lobby", "data": "hi", "ref": 10**9,
            "session": "a-kernels-session", "source": {"kernel": "k1"},
            "dropped": {"chat/lobby": 5}}))
        echo = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT))
    assert echo["source"] == {"link": link["id"]}
    assert "a-kernels-session" not in push_app.state.publish_sessions
    r = await http.get("history", params={"channel": "chat/lobby"})
    assert [e["data"] for e in r.json()["events"]] == ["hi"]  # no gap notice, one event
