"""A script outside the server keeps pushing while the server restarts, on the same port and on
another one: it reaches the server again by itself and delivers what it buffered, in order.
Real `jupyter server` processes (stopped with SIGTERM, started again), a real script process,
an SSE subscriber that follows the server and, after a restart's gap, reads the history."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.redis.servers import JupyterServer
from tests.support.processes import free_port, wait_until

SCRIPT = """
import os, sys, time
from jupyter_push import push, flush
stop = sys.argv[1]
i = 0
while not os.path.exists(stop):
    push("seq", i)
    i += 1
    time.sleep(0.005)
print(i, flush(timeout=60), flush=True)
"""


class Subscriber(threading.Thread):
    """Follows `seq` on whichever server `address` names; after a gap (a restarted server
    no longer holds what it missed) it reads that server's history."""

    def __init__(self, address: list[JupyterServer]):
        super().__init__(daemon=True)
        self.address = address
        self.seen: set[int] = set()
        self.gaps = 0
        self.stop = threading.Event()

    def run(self) -> None:
        last_id = None
        while not self.stop.is_set():
            server = self.address[0]
            headers = dict(server.headers, **({"Last-Event-ID": last_id} if last_id else {}))
            try:
                with httpx.stream("GET", server.push_url + "events", params={"channel": "seq"},
                                  headers=headers, timeout=httpx.Timeout(5, read=None)) as r:
                    event = None
                    for line in r.iter_lines():
                        if line.startswith("event:"):
                            event = line[6:].strip()
                        elif line.startswith("id:"):
                            last_id = line[3:].strip()
                        elif line.startswith("data:"):
                            if event == "gap":
                                self.gaps += 1
                                self._read_history(server)
                            else:
                                self.seen.add(json.loads(line[5:])["data"])
                            event = None
                        if self.stop.is_set():
                            return
            except (httpx.HTTPError, OSError):
                time.sleep(0.05)

    def _read_history(self, server: JupyterServer) -> None:
        r = httpx.get(server.push_url + "history", params={"channel": "seq"},
                      headers=server.headers, timeout=10)
        self.seen.update(e["data"] for e in r.json()["events"])


def runtime_info(server: JupyterServer) -> dict:
    (path,) = (server.workdir / "runtime").glob("jupyter_push-*.json")
    return json.loads(path.read_text())


@pytest.mark.parametrize("discovery", ["runtime file", "inherited environment"])
def test_script_keeps_pushing_across_a_server_restart(tmp_path: Path, discovery: str):
    workdir = tmp_path / "server"
    server = JupyterServer(workdir, {}).start()
    address = [server]
    env = {"PATH": "/usr/bin:/bin", "HOME": str(workdir / "home"),
           "JUPYTER_RUNTIME_DIR": str(workdir / "runtime")}
    if discovery == "inherited environment":  # as a kernel, or a process it started, has it
        info = runtime_info(server)
        env.update(JUPYTER_PUSH_URL=info["url"], JUPYTER_PUSH_TOKEN=info["token"])
    stop = tmp_path / "stop"
    subscriber = Subscriber(address)
    subscriber.start()
    script = subprocess.Popen([sys.executable, "-c", SCRIPT, str(stop)], env=env,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        for port in (server.port, free_port()):  # the same port, then another one
            seen = len(subscriber.seen)
            wait_until(lambda s=seen: len(subscriber.seen) > s + 20, 30, "events before restart")
            server.stop()
            server = JupyterServer(workdir, {}, port=port).start()
            address[0] = server
        seen = len(subscriber.seen)
        wait_until(lambda s=seen: len(subscriber.seen) > s + 20, 60, "events after restarts")
        stop.touch()
        out, err = script.communicate(timeout=90)
        pushed, flushed = out.split()
        assert flushed == "True", err
        wait_until(lambda: len(subscriber.seen) >= int(pushed), 30, "every event delivered")
        assert subscriber.seen == set(range(int(pushed)))
        history = httpx.get(server.push_url + "history", params={"channel": "seq"},
                            headers=server.headers, timeout=10).json()["events"]
        values = [e["data"] for e in history]
        assert values == sorted(values), "delivered out of order"
    finally:
        subscriber.stop.set()
        if script.poll() is None:
            script.kill()
            script.wait(10)
        server.stop()
