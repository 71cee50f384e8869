"""The publisher thread against a real Jupyter server: batching, acks, reconnect, overflow.

The server runs on this test's event loop: while the test runs synchronous code the server
cannot answer, and blocking calls (flush) go through asyncio.to_thread so it keeps serving.
"""

from __future__ import annotations

import asyncio
import json
import socket
import subprocess
import sys
import warnings

import pytest

from jupyter_push.client.encoding import Encoded, encode_events, encoded, sized
from jupyter_push.client.publisher import DIRECT_GAP, Publisher
from tests.support.waiting import until


@pytest.fixture
def publisher(push_url, kernel_token):
    created = []

    def make(**kw) -> Publisher:
        p = Publisher(kw.pop("url", push_url), kw.pop("token", kernel_token), **kw)
        created.append(p)
        return p

    yield make
    for p in created:
        p.close()


async def history(http, channel: str) -> list[dict]:
    r = await http.get("history", params={"channel": channel, "limit": 100_000})
    assert r.status_code == 200, r.text
    return r.json()["events"]


async def flush(p: Publisher, timeout: float = 10) -> bool:
    return await asyncio.to_thread(p.flush, timeout)


def unused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def test_flush_returns_once_the_server_has_the_events(publisher, http):
    p = publisher(source={"kernel": "k-test", "path": "nb.ipynb"})
    p.put("progress", 40)
    assert await flush(p)
    (event,) = await history(http, "progress")
    assert event["data"] == 40
    assert event["source"] == {"kernel": "k-test", "path": "nb.ipynb"}


async def test_events_put_while_the_sender_is_busy_go_out_in_batches_in_order(publisher, http):
    p = publisher()
    p.put("warmup", 0)
    assert await flush(p)
    for i in range(3000):  # the server cannot read while this loop holds its event loop
        p.put("count", i)
    assert await flush(p)
    assert [e["data"] for e in await history(http, "count")] == list(range(3000))
    assert p.sent_frames < 100  # 3,000 events, a handful of frames


async def test_sparse_events_are_sent_by_push_itself_and_mix_in_order_with_bursts(
        publisher, http):
    p = publisher()
    p.put("warmup", 0)
    assert await flush(p)
    await until(lambda: p._idle, what="the thread waiting idle")  # it has taken the ack
    for i in range(20):
        p.put("sparse", i)
        await asyncio.sleep(5 * DIRECT_GAP)  # pacing: sparse events (the point of the test)
    assert p.sent_direct >= 10  # a few may meet the thread busy with an ack: then it sends
    direct = p.sent_direct
    for i in range(20, 5020):  # a burst: the thread batches it
        p.put("sparse", i)
    for i in range(5020, 5030):
        await asyncio.sleep(5 * DIRECT_GAP)
        p.put("sparse", i)
    assert await flush(p)
    assert [e["data"] for e in await history(http, "sparse")] == list(range(5030))
    assert p.sent_direct - direct <= 12  # the burst's first event at most, then the sparse ones


async def test_publisher_reconnects_and_keeps_sending_after_the_server_closes_the_socket(
        publisher, http, push_app):
    p = publisher()
    p.put("life", "before")
    assert await flush(p)
    for close in list(push_app.state.closers):  # the server drops every WebSocket
        close()
    await until(lambda: p.connections == 2, what="the publisher reconnecting")
    p.put("life", "after")
    assert await flush(p)
    assert [e["data"] for e in await history(http, "life")] == ["before", "after"]
    assert p.connections == 2


async def test_overflow_while_disconnected_keeps_the_newest_and_counts_the_rest(publisher, http):
    p = publisher(capacity=5)  # its handshake waits: the server cannot answer during this loop
    for i in range(12):
        p.put("tiny", i)
    assert p._dropped == {"tiny": 7}
    assert await flush(p)
    assert [e["data"] for e in await history(http, "tiny")] == [7, 8, 9, 10, 11]
    assert p.dropped_total == 7  # reported in the frame that carried the survivors


async def test_buffer_size_comes_from_the_environment(publisher, monkeypatch):
    monkeypatch.setenv("JUPYTER_PUSH_BUFFER", "17")
    monkeypatch.setenv("JUPYTER_PUSH_BUFFER_BYTES", "4096")
    p = publisher()
    assert (p.capacity, p.byte_capacity) == (17, 4096)


async def test_byte_overflow_while_disconnected_keeps_the_newest_and_counts_the_rest(
        publisher, http):
    p = publisher(byte_capacity=1000)  # its handshake waits: the server cannot answer now
    for i in range(10):
        p.put("big", *sized(f"{i}" + "x" * 299))  # 300 bytes each: three fit
    assert p._dropped == {"big": 7}
    p.put("big", *sized(["y" * 2000]))  # larger than the bound alone: dropped itself
    assert p._dropped == {"big": 8}
    assert p.held_bytes == 900
    assert await flush(p)
    assert [e["data"][0] for e in await history(http, "big")] == ["7", "8", "9"]
    assert p.dropped_total == 8
    assert p.held_bytes == 0  # acknowledged: released
    assert p.peak_bytes <= 1000


async def test_unreachable_server_never_raises_and_flush_gives_up(publisher):
    p = publisher(url=f"http://127.0.0.1:{unused_port()}/push/", capacity=10)
    for i in range(100):
        p.put("nowhere", i)
    assert not await flush(p, timeout=0.3)
    assert sum(p._dropped.values()) == 90
    assert not p.connected


async def test_a_scalar_json_cannot_carry_is_skipped_and_the_rest_is_sent(publisher, http):
    p = publisher()
    p.put("mixed", 1)
    p.put("mixed", float("nan"))  # encoded on the thread, as null
    p.put("mixed", "\ud800")  # a lone surrogate: no UTF-8 for it; left out with a warning
    p.put("mixed", 3)
    assert await flush(p)
    data = [e["data"] for e in await history(http, "mixed")]
    assert data == [1, None, 3]


async def test_push_api_validates_names_and_encodes_containers_at_once(push_url):
    from jupyter_push import push

    with pytest.raises(ValueError, match="segment"):
        push("bad channel", 1)
    with pytest.raises((TypeError, ValueError)):
        push("ok", {"x": object()})


NO_SERVER_SCRIPT = """
from jupyter_push import flush, push
from jupyter_push.client import _inprocess as local
seen = []
local.add_listener(["**"], lambda channel, data: seen.append(data))
for i in range(1000):
    push("alone", i)
assert seen == list(range(1000)), seen[:5]
assert flush(1) is False
print("ok")
"""


def test_without_a_server_push_feeds_local_listeners_and_warns_once(tmp_path):
    env = {"PATH": "", "JUPYTER_RUNTIME_DIR": str(tmp_path), "HOME": str(tmp_path)}
    done = subprocess.run([sys.executable, "-c", NO_SERVER_SCRIPT], env=env,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    assert done.stderr.count("start Jupyter with jupyter_push installed") == 1


async def test_a_script_that_exits_right_after_pushing_still_delivers(push_url, kernel_token,
                                                                       http):
    env = {"PATH": "", "JUPYTER_PUSH_URL": push_url, "JUPYTER_PUSH_TOKEN": kernel_token}
    script = "from jupyter_push import push\nfor i in range(100): push('bye', i)\n"
    process = await asyncio.create_subprocess_exec(sys.executable, "-c", script, env=env)
    assert await asyncio.wait_for(process.wait(), 30) == 0
    assert [e["data"] for e in await history(http, "bye")] == list(range(100))


@pytest.mark.parametrize(("items", "expected"), [
    ([("a", 1), ("b", "two")], [{"channel": "a", "data": 1}, {"channel": "b", "data": "two"}]),
    ([("a/b", encoded({"x": [1]})), ("c", 2)],
     [{"channel": "a/b", "data": {"x": [1]}}, {"channel": "c", "data": 2}]),
    ([("a/b", Encoded(b'{"x":[1]}'))], [{"channel": "a/b", "data": {"x": [1]}}]),
    ([("a", 1), ("big", 2**70), ("c", object())],
     [{"channel": "a", "data": 1}, {"channel": "big", "data": 2**70}]),
    ([], []),
])
def test_encode_events_keeps_what_it_can_encode(items, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parts = encode_events(items)
    assert json.loads(b"[" + b",".join(parts) + b"]") == expected


def test_an_event_too_large_for_any_frame_is_left_out():
    with pytest.warns(UserWarning, match="more than"):
        parts = encode_events([("huge", "x" * (9 << 20)), ("ok", 1)])
    assert json.loads(b"[" + b",".join(parts) + b"]") == [{"channel": "ok", "data": 1}]


async def test_a_refused_token_is_logged_once_and_events_wait(publisher, caplog):
    p = publisher(token="wrong")
    p.put("kept", 1)
    assert not await flush(p, timeout=0.5)
    refused = [r for r in caplog.records if "refused the token" in r.getMessage()]
    assert len(refused) == 1
    assert p.pending() and not p.connected


@pytest.mark.parametrize(("value", "size"), [
    (1, 0), (2.5, 0), (None, 0), (True, 0), ("abc", 3), ({"a": [1, 2]}, len(b'{"a":[1,2]}')),
])
def test_sized_gives_what_the_byte_bound_counts(value, size):
    kept, counted = sized(value)
    assert counted == size
    assert json.loads(b"[" + b"".join(encode_events([("c", kept, counted)])) + b"]") == [
        {"channel": "c", "data": value}]
