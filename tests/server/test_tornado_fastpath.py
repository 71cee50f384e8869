"""The Tornado internals behind one seam: present in the Tornado this runs on, checked at
start, and a server with `PushApp.fast_path = False` delivering the same bytes through
Tornado's public API."""

from __future__ import annotations

import json

import pytest
import tornado

from jupyter_push.handlers import _tornado_fastpath as fastpath
from tests.conftest import publish
from tests.redis.servers import JupyterServer
from tests.support.processes import wait_until
from tests.support.streams import data_of, recv, sse, take, ws
from tests.support.waiting import subscribed


def test_fast_path_attributes_exist_in_this_tornado():
    gone = fastpath.missing()
    assert gone == [], (
        f"tornado {tornado.version} no longer has {gone}: the fast paths in "
        "jupyter_push/handlers/_tornado_fastpath.py would silently turn off; update them")
    assert fastpath.TESTED[0] <= tornado.version_info[:2] < fastpath.TESTED[1], (
        f"tornado {tornado.version} is outside the tested range {fastpath.TESTED}")


def test_a_missing_attribute_turns_the_fast_paths_off_and_says_which(monkeypatch):
    monkeypatch.setitem(fastpath.REQUIRED, "IOStream._gone_in_a_future_tornado",
                        (tornado.iostream.IOStream, "_gone_in_a_future_tornado"))
    try:
        line = fastpath.check(True)
        assert not fastpath.switch.on
        assert "IOStream._gone_in_a_future_tornado" in line and "off" in line
    finally:
        monkeypatch.undo()
        assert fastpath.check(True).startswith("fast paths on")
    assert fastpath.switch.on


def test_the_server_announces_its_fast_paths_and_gc_freeze(tmp_path, push_app):
    assert fastpath.switch.on  # the in-process server (push_app) started with the default
    server = JupyterServer(tmp_path, {"PushApp": {"fast_path": False}}).start()
    try:
        wait_until(lambda: "jupyter_push: events at" in server.log(), 30, "the start")
        log = server.log()
    finally:
        server.stop()
    assert "jupyter_push: fast paths off (PushApp.fast_path = False)" in log
    assert "startup objects kept out of garbage collections (PushApp.gc_freeze)" in log


@pytest.mark.parametrize("push_config", [{"fast_path": False}])
async def test_with_the_fast_paths_off_streams_and_sockets_deliver_the_same(
        http, push_url, auth, push_app):
    assert not fastpath.switch.on
    try:
        async with sse(http, "plain", retained=0) as events, ws(push_url, auth) as sock:
            await sock.send(json.dumps({"op": "subscribe", "channels": ["plain"],
                                        "retained": False}))
            await subscribed(http, 2)  # the stream and the socket
            await publish(http, "plain", 1)
            await publish(http, "plain", [2, "two"])
            await http.post("events", json=[{"channel": "plain", "data": i} for i in range(3, 6)])
            assert data_of(await take(events, 5)) == [1, [2, "two"], 3, 4, 5]
            got: list = []
            while len(got) < 5:
                msg = await recv(sock)
                got.extend(e["data"] for e in (msg if isinstance(msg, list) else [msg]))
            assert got == [1, [2, "two"], 3, 4, 5]
    finally:
        fastpath.check(True)  # the switch is process-wide: leave it as a fresh server would
