"""docs/PROTOCOL.md against a real Jupyter server, with standard clients (httpx-sse, websockets)."""

from __future__ import annotations

import asyncio
import json

import httpx
import httpx_sse
import pytest
import websockets

from tests.conftest import publish, ws_url
from tests.support.streams import data_of, nothing_more, recv, sse, take, ws
from tests.support.waiting import handled

# ---------------------------------------------------------------------- SSE


async def test_sse_stream_has_the_promised_headers(http):
    async with httpx_sse.aconnect_sse(http, "GET", "events") as source:
        headers = source.response.headers
        assert headers["content-type"].startswith("text/event-stream")
        assert headers["cache-control"] == "no-cache"
        assert headers["x-accel-buffering"] == "no"


async def test_post_reaches_sse_subscribers_as_unnamed_messages(http):
    async with sse(http, "progress") as a, sse(http) as b:
        event_id = await publish(http, "progress", 40)
        for stream in (a, b):
            (msg,) = await take(stream, 1)
            event = json.loads(msg.data)
            assert msg.event == "message" and msg.id == event_id == event["id"]
            assert event["channel"] == "progress" and event["data"] == 40
            assert isinstance(event["time"], float)


async def test_named_sse_events_use_the_channel_as_event_field(http):
    async with sse(http, "train/**", named=1) as stream:
        await publish(http, "train/loss", 0.5)
        (msg,) = await take(stream, 1)
        assert msg.event == "train/loss" and json.loads(msg.data)["data"] == 0.5


async def test_subscriber_gets_only_what_its_patterns_match(http):
    async with sse(http, "train/*", "status", retained=0) as stream:
        for channel in ["train", "train/loss", "train/a/b", "eval/loss", "status", "status/x"]:
            await publish(http, channel, channel)
        got = data_of(await take(stream, 2))
        assert got == ["train/loss", "status"]
        assert await nothing_more(stream)


async def test_double_star_matches_zero_or_more_segments(http):
    async with sse(http, "train/**", retained=0) as stream:
        for channel in ["train", "train/loss", "train/a/b", "training", "eval"]:
            await publish(http, channel, channel)
        assert data_of(await take(stream, 3)) == ["train", "train/loss", "train/a/b"]
        assert await nothing_more(stream)


async def test_fresh_connection_gets_retained_values_first(http):
    await publish(http, "a", 1)
    await publish(http, "a", 2)
    await publish(http, "b", 3)
    async with sse(http, "a", "b") as stream:
        assert data_of(await take(stream, 2)) == [2, 3]
        await publish(http, "a", 4)
        assert data_of(await take(stream, 1)) == [4]
    async with sse(http, "a", retained=0) as stream:
        assert await nothing_more(stream)


async def test_resume_with_last_event_id_replays_exactly_the_missed_events_in_order(http):
    async with sse(http, "r/**", retained=0) as stream:
        await publish(http, "r/x", 1)
        (last,) = await take(stream, 1)
    for i in range(2, 7):
        await publish(http, "r/x" if i % 2 else "r/y", i)
    await publish(http, "other", 99)
    async with sse(http, "r/**", headers={"Last-Event-ID": last.id}) as stream:
        replay = await take(stream, 5)
        assert data_of(replay) == [2, 3, 4, 5, 6]
        assert len({m.id for m in replay}) == 5
        await publish(http, "r/x", 7)
        assert data_of(await take(stream, 1)) == [7]


async def test_resume_with_since_parameter(http):
    first = await publish(http, "s", 1)
    await publish(http, "s", 2)
    async with sse(http, "s", since=first) as stream:
        assert data_of(await take(stream, 1)) == [2]
        assert await nothing_more(stream)


@pytest.mark.parametrize("push_config", [{"history_size": 3}])
async def test_resume_from_an_id_no_longer_held_gives_gap_then_retained(http):
    old = await publish(http, "g/a", 1)
    for i in range(2, 8):
        await publish(http, "g/a" if i % 2 else "g/b", i)
    async with sse(http, "g/**", headers={"Last-Event-ID": old}) as stream:
        gap, *retained = await take(stream, 3)
        assert gap.event == "gap" and json.loads(gap.data) == {"since": old}
        assert sorted(data_of(retained)) == [6, 7]


async def test_resume_from_an_unknown_id_gives_gap(http):
    await publish(http, "u", 1)
    async with sse(http, "u", since="nonsense-1") as stream:
        gap, retained = await take(stream, 2)
        assert gap.event == "gap" and json.loads(gap.data)["since"] == "nonsense-1"
        assert data_of([retained]) == [1]


async def test_idle_stream_gets_heartbeat_comments(push_url, auth):
    # heartbeat_interval is 0.2 s in tests/conftest.py; read raw bytes to see comments
    async with httpx.AsyncClient(timeout=5) as client, \
            client.stream("GET", push_url + "events?channel=idle&retained=0",
                          headers=auth) as response:
        seen = b""
        async for chunk in response.aiter_bytes():
            seen += chunk
            if seen.count(b":\n") >= 3:
                break
        assert seen.startswith(b": jupyter_push\n:\n")


# ---------------------------------------------------------------------- WebSocket


async def test_idle_websocket_gets_pings_at_the_heartbeat_interval(push_url, auth):
    # one sweep pings every socket each heartbeat_interval (0.2 s here); websocket-client
    # shows control frames and answers each ping with a pong
    import websocket

    def client() -> int:
        conn = websocket.create_connection(ws_url(push_url), timeout=5,
                                           header=[f"{k}: {v}" for k, v in auth.items()])
        try:
            conn.send(json.dumps({"op": "subscribe", "channels": ["idle"], "retained": False}))
            pings = 0
            while pings < 3:
                opcode, _ = conn.recv_data_frame(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_PING:
                    pings += 1
            conn.send(json.dumps({"op": "publish", "channel": "idle", "data": "still open"}))
            while True:
                opcode, frame = conn.recv_data_frame(control_frame=True)
                if opcode == websocket.ABNF.OPCODE_TEXT:
                    assert json.loads(frame.data)["data"] == "still open"
                    return pings
        finally:
            conn.close()

    assert await asyncio.to_thread(client) == 3


async def test_two_websocket_clients_chat(push_url, auth):
    async with ws(push_url, auth) as alice, ws(push_url, auth) as bob:
        await bob.send(json.dumps({"op": "subscribe", "channels": ["chat/**"], "retained": False}))
        await alice.send(json.dumps({"op": "subscribe", "channels": ["chat/**"],
                                     "retained": False}))
        await handled(bob)
        await handled(alice)
        await alice.send(json.dumps({"op": "publish", "channel": "chat/room",
                                    "data": "hi bob"}))
        for sock in (bob, alice):
            msg = await recv(sock)
            assert msg["channel"] == "chat/room" and msg["data"] == "hi bob"


async def test_websocket_publish_reaches_sse_and_batches_keep_order(http, push_url, auth):
    async with sse(http, "batch", retained=0) as stream, ws(push_url, auth) as sock:
        events = [{"channel": "batch", "data": i} for i in range(50)]
        await sock.send(json.dumps({"op": "publish", "events": events, "ref": 1}))
        ack = await recv(sock)
        assert ack["op"] == "ack" and ack["ref"] == 1 and len(ack["ids"]) == 50
        assert data_of(await take(stream, 50)) == list(range(50))


async def test_websocket_subscriber_gets_batches_as_arrays_in_order(http, push_url, auth):
    async with ws(push_url, auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["w"], "retained": False}))
        await handled(sock)
        await http.post("events", json=[{"channel": "w", "data": i} for i in range(20)])
        got: list = []
        while len(got) < 20:
            msg = await recv(sock)
            got.extend(msg if isinstance(msg, list) else [msg])
        assert [e["data"] for e in got] == list(range(20))


async def test_websocket_retained_and_resume(http, push_url, auth):
    first = await publish(http, "wr", 1)
    await publish(http, "wr", 2)
    async with ws(push_url, auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["wr"]}))
        assert (await recv(sock))["data"] == 2
    async with ws(push_url, auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["wr"], "since": first}))
        assert (await recv(sock))["data"] == 2
        await sock.send(json.dumps({"op": "subscribe", "channels": ["x"], "since": "bad-1"}))
        assert await recv(sock) == {"op": "gap", "since": "bad-1"}


async def test_websocket_unsubscribe_stops_delivery(http, push_url, auth):
    async with ws(push_url, auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["u1", "u2"],
                                    "retained": False}))
        await sock.send(json.dumps({"op": "unsubscribe", "channels": ["u1"]}))
        await handled(sock)
        await publish(http, "u1", 1)
        await publish(http, "u2", 2)
        assert (await recv(sock))["data"] == 2


@pytest.mark.parametrize(
    ("message", "problem"),
    [
        ("{not json", "malformed JSON"),
        ('{"op": "dance"}', "unknown op"),
        ('"hello"', '"op"'),
        ('{"op": "subscribe", "channels": ["a b"]}', "' '"),
        ('{"op": "subscribe", "channels": "**/x"}', "last segment"),
        ('{"op": "publish", "channel": "$sys", "data": 1}', "reserved"),
        ('{"op": "publish", "channel": 5}', "string"),
        ('{"op": "publish", "events": 5}', "list"),
    ],
)
async def test_bad_websocket_messages_get_an_error_and_the_socket_keeps_working(
    push_url, auth, http, message, problem
):
    async with ws(push_url, auth) as sock:
        await sock.send(message)
        error = await recv(sock)
        assert error["op"] == "error" and problem in error["message"]
        await sock.send(json.dumps({"op": "subscribe", "channels": ["ok"], "retained": False}))
        await handled(sock)
        await publish(http, "ok", "still here")
        assert (await recv(sock))["data"] == "still here"


async def test_bad_event_in_a_websocket_batch_does_not_lose_the_others(http, push_url, auth):
    async with sse(http, "keep", retained=0) as stream, ws(push_url, auth) as sock:
        await sock.send(json.dumps({"op": "publish", "ref": "r", "events": [
            {"channel": "keep", "data": 1}, {"channel": "bad name", "data": 2},
            {"channel": "keep", "data": 3}]}))
        error, ack = await recv(sock), await recv(sock)
        assert error["op"] == "error" and "event 1" in error["message"]
        assert ack["op"] == "ack" and len(ack["ids"]) == 2
        assert data_of(await take(stream, 2)) == [1, 3]


# ---------------------------------------------------------------------- HTTP publish + state


async def test_post_batch_returns_ids_in_order(http):
    r = await http.post("events", json=[{"channel": "b", "data": i} for i in range(3)])
    ids = r.json()["ids"]
    assert r.status_code == 200 and len(ids) == 3 and len(set(ids)) == 3
    history = (await http.get("history", params={"channel": "b"})).json()
    assert [e["id"] for e in history["events"]] == ids and history["gap"] is False


async def test_channels_lists_latest_and_count(http):
    await publish(http, "c/one", 1)
    await publish(http, "c/one", 2)
    await publish(http, "c/two", {"x": 1})
    r = await http.get("channels", params={"channel": "c/**"})
    chans = {c["name"]: c for c in r.json()["channels"]}
    assert set(chans) == {"c/one", "c/two"}
    assert chans["c/one"]["count"] == 2 and chans["c/one"]["last"]["data"] == 2


async def test_history_since_and_limit(http):
    ids = [await publish(http, "h", i) for i in range(5)]
    r = await http.get("history", params={"channel": "h", "since": ids[1], "limit": 2})
    assert [e["data"] for e in r.json()["events"]] == [2, 3]
    r = await http.get("history", params={"channel": "h", "limit": 2})
    assert [e["data"] for e in r.json()["events"]] == [3, 4]


@pytest.mark.parametrize(
    ("method", "path", "kwargs", "status", "problem"),
    [
        ("GET", "events", {"params": {"channel": "a b"}}, 400, "' '"),
        ("GET", "events", {"params": {"channel": "a/**/b"}}, 400, "last segment"),
        ("GET", "channels", {"params": {"channel": "x*"}}, 400, "whole segment"),
        ("GET", "history", {"params": {"limit": "zero"}}, 400, "limit"),
        ("POST", "events", {"json": {"channel": "", "data": 1}}, 400, "1-200"),
        ("POST", "events", {"json": {"data": 1}}, 400, "channel"),
        ("POST", "events", {"json": []}, 400, "empty"),
        ("POST", "events", {"json": [{"channel": "ok", "data": 1}, {"channel": "a//b"}]}, 400,
         "event 1"),
        ("POST", "events", {"content": b"{oops", "headers": {"Content-Type":
                                                               "application/json"}}, 400,
         "malformed JSON"),
        ("POST", "events", {"content": b"x", "headers": {"Content-Type": "text/plain"}}, 415,
         "application/json"),
    ],
)
async def test_bad_input_gets_a_clear_error(http, method, path, kwargs, status, problem):
    r = await http.request(method, path, **kwargs)
    assert r.status_code == status, r.text
    assert problem in r.json()["message"]


@pytest.mark.parametrize("push_config", [{"max_event_bytes": 1000}])
async def test_oversized_event_is_refused_with_413_and_nothing_is_published(http):
    r = await http.post("events", json=[{"channel": "big", "data": 1},
                                        {"channel": "big", "data": "x" * 2000}])
    assert r.status_code == 413 and "limit is 1000" in r.json()["message"]
    assert (await http.get("history", params={"channel": "big"})).json()["events"] == []


async def test_server_keeps_serving_after_bad_input(http):
    await http.post("events", content=b"\xff\xfe", headers={"Content-Type": "application/json"})
    assert (await http.post("events", json={"channel": "fine", "data": 1})).status_code == 200


# ---------------------------------------------------------------------- auth


@pytest.mark.parametrize(
    ("method", "path"),
    [("GET", "events"), ("POST", "events"), ("GET", "channels"), ("GET", "history"),
     ("GET", "status"), ("GET", "ws")],
)
async def test_no_credential_gets_401_never_a_redirect(push_url, method, path):
    async with httpx.AsyncClient(follow_redirects=False, timeout=5) as client:
        r = await client.request(method, push_url + path, json={"channel": "a", "data": 1}
                                 if method == "POST" else None)
    assert r.status_code == 401, (r.status_code, r.headers)
    assert "location" not in r.headers and "token" in r.json()["message"]


async def test_wrong_token_gets_401(push_url):
    async with httpx.AsyncClient(timeout=5) as client:
        r = await client.get(push_url + "channels", headers={"Authorization": "token nope"})
    assert r.status_code == 401


async def test_no_credential_websocket_is_refused(push_url):
    with pytest.raises(websockets.InvalidStatus) as err:
        async with websockets.connect(ws_url(push_url)):
            pass
    assert err.value.response.status_code == 401


async def test_kernel_token_publishes_and_subscribes(push_url, kernel_token, http):
    headers = {"Authorization": f"token {kernel_token}"}
    async with httpx.AsyncClient(base_url=push_url, headers=headers, timeout=5) as kernel:
        async with sse(kernel, "kt", retained=0) as stream:
            await publish(kernel, "kt", "from kernel")
            assert data_of(await take(stream, 1)) == ["from kernel"]
        r = await kernel.get("channels", params={"token": kernel_token})
        assert r.status_code == 200
    async with ws(push_url, headers) as sock:
        await sock.send(json.dumps({"op": "publish", "channel": "kt", "data": 2, "ref": 0}))
        assert (await recv(sock))["op"] == "ack"


async def test_kernel_token_is_rejected_outside_push(jp_fetch, kernel_token, jp_base_url,
                                                      push_url):
    async with httpx.AsyncClient(timeout=5, follow_redirects=False) as client:
        base = push_url[: -len("push/")]
        for path in ("api/contents", "api/kernels", "api/sessions"):
            r = await client.get(base + path, headers={"Authorization": f"token {kernel_token}"})
            assert r.status_code in (401, 403), (path, r.status_code)
            r = await client.get(base + path, params={"token": kernel_token})
            assert r.status_code in (401, 403), (path, r.status_code)


async def test_extension_advertises_url_and_token_for_kernels(push_app, push_url):
    import os
    import stat

    assert os.environ["JUPYTER_PUSH_URL"] == push_url
    assert os.environ["JUPYTER_PUSH_TOKEN"] == push_app.kernel_token
    info = json.loads(push_app.runtime_file.read_text())
    assert info["url"] == push_url and info["token"] == push_app.kernel_token
    assert stat.S_IMODE(push_app.runtime_file.stat().st_mode) == 0o600


async def test_a_frame_resent_after_a_lost_ack_is_not_published_twice(http, push_url, auth):
    frame = {"op": "publish", "session": "s1", "ref": 4,
             "events": [{"channel": "once", "data": 1}]}
    async with ws(push_url, auth) as sock:
        await sock.send(json.dumps(frame))
        first = await recv(sock)
    async with ws(push_url, auth) as sock:  # the publisher reconnected and resends
        await sock.send(json.dumps(frame))
        again = await recv(sock)
        await sock.send(json.dumps({**frame, "ref": 5}))
        assert len((await recv(sock))["ids"]) == 1
    assert len(first["ids"]) == 1 and again == {"op": "ack", "ref": 4, "ids": [],
                                                "duplicate": True}
    history = (await http.get("history", params={"channel": "once"})).json()["events"]
    assert len(history) == 2
