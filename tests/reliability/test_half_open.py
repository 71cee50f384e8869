"""A subscriber that vanishes without closing (half-open: its link goes down) is noticed through
its heartbeat writes failing within seconds, not after the OS's minutes of retransmits.

The subscriber runs in a network namespace of this test's own, joined to the server by a veth
pair; taking the namespace's end of the link down makes the peer vanish. Needs root and
iproute2; skipped otherwise."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time

import httpx
import pytest

from tests.redis.servers import JupyterServer
from tests.support.processes import wait_until

NS = f"jp{os.getpid() % 100000}"
HOST_IF, PEER_IF = f"{NS}a", f"{NS}b"
NET = f"10.213.{os.getpid() % 250}"
SERVER_IP, PEER_IP = f"{NET}.1", f"{NET}.2"

SUBSCRIBER = """
import socket, sys, time
host, port, token = sys.argv[1], sys.argv[2], sys.argv[3]
s = socket.create_connection((host, int(port)))
s.sendall(("GET /push/events?channel=x HTTP/1.1\\r\\nHost: %s:%s\\r\\n"
           "Authorization: token %s\\r\\n\\r\\n" % (host, port, token)).encode())
s.recv(100)
print("connected", flush=True)
time.sleep(120)
"""

WS_SUBSCRIBER = """
import sys, time, websocket
host, port, token = sys.argv[1], sys.argv[2], sys.argv[3]
conn = websocket.create_connection("ws://%s:%s/push/ws" % (host, port),
                                   header=["Authorization: token %s" % token])
conn.send('{"op": "subscribe", "channels": ["x"]}')
print("connected", flush=True)
time.sleep(120)  # never reads: its kernel still acknowledges the server's pings
"""


def ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=10)


@pytest.fixture
def netns():
    if os.geteuid() != 0 or shutil.which("ip") is None:
        pytest.skip("needs root and iproute2 (ip netns) to cut a subscriber's link")
    try:
        ip("netns", "add", NS)
    except subprocess.CalledProcessError as e:
        pytest.skip(f"cannot create a network namespace here: {e.stderr.decode().strip()}")
    try:
        ip("link", "add", HOST_IF, "type", "veth", "peer", "name", PEER_IF, "netns", NS)
        ip("addr", "add", f"{SERVER_IP}/30", "dev", HOST_IF)
        ip("link", "set", HOST_IF, "up")
        ip("netns", "exec", NS, "ip", "addr", "add", f"{PEER_IP}/30", "dev", PEER_IF)
        ip("netns", "exec", NS, "ip", "link", "set", PEER_IF, "up")
        yield
    finally:
        subprocess.run(["ip", "link", "del", HOST_IF], capture_output=True, timeout=10)
        subprocess.run(["ip", "netns", "del", NS], capture_output=True, timeout=10)


def subscribers(server: JupyterServer) -> int:
    r = httpx.get(server.push_url + "status", headers=server.headers, timeout=5)
    return int(r.json()["subscribers"])


@pytest.mark.parametrize("transport", ["sse", "ws"])
@pytest.mark.parametrize("dead_peer_timeout", [2.0, 0.0])
def test_a_vanished_subscriber_is_dropped_within_seconds(tmp_path, netns, dead_peer_timeout,
                                                         transport):
    server = JupyterServer(tmp_path, {"PushApp": {"heartbeat_interval": 0.5,
                                                  "dead_peer_timeout": dead_peer_timeout}},
                           host=SERVER_IP).start()
    script = SUBSCRIBER if transport == "sse" else WS_SUBSCRIBER
    peer = subprocess.Popen(
        ["ip", "netns", "exec", NS, sys.executable, "-c", script, SERVER_IP,
         str(server.port), server.token], stdout=subprocess.PIPE,
    )
    try:
        assert peer.stdout is not None and peer.stdout.readline() == b"connected\n"
        wait_until(lambda: subscribers(server) == 1, 10, "the subscriber")
        ip("netns", "exec", NS, "ip", "link", "set", PEER_IF, "down")  # the peer vanishes
        started = time.monotonic()
        if dead_peer_timeout:
            wait_until(lambda: subscribers(server) == 0, 20, "the dead peer to be dropped")
            print(f"dropped after {time.monotonic() - started:.1f} s")
        else:  # the control: without the setting the OS keeps retransmitting for minutes
            time.sleep(5)
            assert subscribers(server) == 1
        assert server.alive()
    finally:
        peer.kill()
        peer.wait(10)
        server.stop()
