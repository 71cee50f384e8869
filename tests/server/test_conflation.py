"""Conflation for renderers (`max_rate`), against a real server: a fast publisher's 10,000
events reach an SSE and a WebSocket subscriber that asked for `max_rate` as far fewer events,
the latest value of every channel always among them, each skipped event counted exactly once
(`skipped` on the event that replaced it); resuming by Last-Event-ID / `since` works; retained
values still come first; a subscriber that did not ask gets every event; a bad `max_rate` is
refused with a message."""

from __future__ import annotations

import asyncio
import json
from collections import defaultdict

import pytest
import websockets

from tests.conftest import ws_url
from tests.support.streams import TIMEOUT, recv, sse, take
from tests.support.waiting import handled, subscribed

CHANNELS = [f"fast/{c}" for c in range(4)]
EVENTS = 10_000
RATE = 20  # events per second per channel


async def publish_fast(push_url: str, auth: dict) -> None:
    """10,000 events round-robin over CHANNELS, `{"g": global index, "i": per channel}`, in
    batches of 100 over one WebSocket, as a kernel publishes; waits for the last ack."""
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        per = defaultdict(int)
        for start in range(0, EVENTS, 100):
            batch = []
            for g in range(start, start + 100):
                channel = CHANNELS[g % len(CHANNELS)]
                batch.append({"channel": channel, "data": {"g": g, "i": per[channel]}})
                per[channel] += 1
            await sock.send(json.dumps({"op": "publish", "events": batch, "ref": start}))
        while True:
            msg = await recv(sock)
            if isinstance(msg, dict) and msg.get("op") == "ack" and msg["ref"] == start:
                return


LAST = {c: EVENTS // len(CHANNELS) - 1 for c in CHANNELS}  # each channel's final `i`


def check_conflated(events: list[dict]) -> None:
    """Every channel's final value arrived; per channel delivered + skipped = published;
    ids (and the global index) only increase; far fewer events than published."""
    by_channel = defaultdict(list)
    for e in events:
        by_channel[e["channel"]].append(e)
    assert set(by_channel) == set(CHANNELS)
    for channel, got in by_channel.items():
        assert got[-1]["data"]["i"] == LAST[channel]
        assert len(got) + sum(e.get("skipped", 0) for e in got) == EVENTS // len(CHANNELS)
        # `skipped` names exactly the values between two delivered ones
        previous = -1
        for e in got:
            assert e["data"]["i"] - previous - 1 == e.get("skipped", 0), e
            previous = e["data"]["i"]
    assert [e["data"]["g"] for e in events] == sorted(e["data"]["g"] for e in events)
    assert len(events) < EVENTS // 5


async def read_until_final(messages, parse) -> list[dict]:
    """Events until every channel's final value has come."""
    events: list[dict] = []
    waiting = set(CHANNELS)
    while waiting:
        for e in parse(await asyncio.wait_for(messages.__anext__(), TIMEOUT)):
            events.append(e)
            if e["data"]["i"] == LAST[e["channel"]]:
                waiting.discard(e["channel"])
    return events


def sse_events(message) -> list[dict]:
    return [json.loads(message.data)] if message.event == "message" else []


def ws_events(raw) -> list[dict]:
    msg = json.loads(raw)
    items = msg if isinstance(msg, list) else [msg]
    assert all("op" not in item or item["op"] == "ack" for item in items), items
    return [item for item in items if "op" not in item]


async def ws_messages(sock):
    while True:
        yield await sock.recv()


async def test_fast_publisher_reaches_conflating_subscribers_as_latest_values_with_skip_counts(
    http, push_url, auth
):
    async with sse(http, "fast/*", retained=0, max_rate=RATE) as conflated, \
            sse(http, "fast/*", retained=0) as every, \
            websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["fast/*"], "retained": False,
                                    "max_rate": RATE}))
        await handled(sock)  # subscribed
        publisher = asyncio.ensure_future(publish_fast(push_url, auth))
        sse_got, ws_got, all_got = await asyncio.gather(
            read_until_final(conflated, sse_events),
            read_until_final(ws_messages(sock), ws_events),
            take(every, EVENTS),
        )
        await publisher
    check_conflated(sse_got)
    check_conflated(ws_got)
    # the subscriber that did not ask for conflation got every event, unchanged
    assert [json.loads(m.data)["data"]["g"] for m in all_got] == list(range(EVENTS))
    assert not any("skipped" in json.loads(m.data) for m in all_got)
    # delivered ids are real ids: the server's history knows them
    r = await http.get("history", params={"channel": sse_got[-1]["channel"], "limit": 5})
    assert sse_got[-1]["id"] in [e["id"] for e in r.json()["events"]]


async def test_conflating_subscriber_resumes_by_last_event_id_and_since(http, push_url, auth):
    async with sse(http, "fast/*", retained=0, max_rate=RATE) as first:
        await subscribed(http, 1)
        await publish_fast(push_url, auth)
        got = await read_until_final(first, sse_events)
    middle = got[len(got) // 2]
    # SSE: Last-Event-ID, as a browser sends it on reconnect
    async with sse(http, "fast/*", max_rate=RATE, headers={"Last-Event-ID": middle["id"]}) as s:
        (resumed,) = sse_events((await take(s, 1))[0])
    assert resumed["data"]["g"] == middle["data"]["g"] + 1  # the very next event, nothing lost
    # WebSocket: since
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["fast/*"],
                                    "since": middle["id"], "max_rate": RATE}))
        events = ws_events(await asyncio.wait_for(sock.recv(), TIMEOUT))
    assert events[0]["data"]["g"] == middle["data"]["g"] + 1


async def test_retained_values_come_first_with_max_rate(http, push_url, auth):
    await http.post("events", json=[{"channel": "kept/a", "data": 1},
                                    {"channel": "kept/b", "data": 2}])
    async with sse(http, "kept/*", max_rate=1) as stream:
        got = [json.loads(m.data) for m in await take(stream, 2)]
    assert [(e["channel"], e["data"]) for e in got] == [("kept/a", 1), ("kept/b", 2)]
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["kept/*"], "max_rate": 1}))
        events = ws_events(await asyncio.wait_for(sock.recv(), TIMEOUT))
        while len(events) < 2:
            events += ws_events(await asyncio.wait_for(sock.recv(), TIMEOUT))
    assert [(e["channel"], e["data"]) for e in events] == [("kept/a", 1), ("kept/b", 2)]


@pytest.mark.parametrize("value", ["abc", "0", "-5", "nan", ""])
async def test_bad_max_rate_is_refused_with_what_to_send(http, value):
    r = await http.get("events", params={"channel": "x", "max_rate": value})
    assert r.status_code == 400
    assert "max_rate" in r.text and "positive number such as 30" in r.text


async def test_bad_max_rate_over_websocket_is_an_error_op_and_the_socket_stays(
    http, push_url, auth
):
    async with websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["x"], "max_rate": "fast"}))
        error = await recv(sock)
        assert error["op"] == "error" and "positive number such as 30" in error["message"]
        await sock.send(json.dumps({"op": "subscribe", "channels": ["x"], "max_rate": 5}))
        await handled(sock)
        await sock.send(json.dumps({"op": "subscribe", "channels": ["y"], "max_rate": 7}))
        error = await recv(sock)
        assert error["op"] == "error" and "max_rate" in error["message"]
        # still subscribed at the first rate: a publish arrives
        await http.post("events", json={"channel": "x", "data": "still here"})
        event = await recv(sock)
        assert event["data"] == "still here"

