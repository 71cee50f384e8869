"""`pip install jupyter_push` as a user does it, from the release wheel, into a fresh venv with
JupyterLab and ipykernel only: widgets import, the server and lab extensions are enabled and
OK without Node, a kernel's push() reaches a subscriber, and a Redis broker without the redis
package is a 503 naming the fix."""

from __future__ import annotations

import asyncio
import json
import re
import shutil

import httpx
import httpx_sse
import websockets

from tests.redis.servers import JupyterServer
from tests.support.kernels import execute
from tests.support.misconfigured import (
    assert_every_route_answers_503,
    assert_logged_once_as_an_error,
)

TIMEOUT = 30


def test_widgets_work_after_a_plain_install(fresh_install):
    run = fresh_install.run(fresh_install.python, "-c",
                            "from jupyter_push.widgets import Progress, Chart, Dashboard, Label"
                            "\nprint(Progress('train/progress').channel)")
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "train/progress"


def test_the_release_installs_and_pushes_without_node(fresh_install, tmp_path):
    env = fresh_install.env
    assert shutil.which("node", path=env["PATH"]) is None
    jupyter = str(fresh_install.venv / "bin" / "jupyter")
    server_ext = fresh_install.run(jupyter, "server", "extension", "list")
    listing = _plain(server_ext.stdout + server_ext.stderr)
    assert "jupyter_push enabled" in listing and "jupyter_push" in listing, listing
    assert "- Validating jupyter_push..." in listing and "OK" in listing, listing
    lab_ext = fresh_install.run(jupyter, "labextension", "list")
    listing = _plain(lab_ext.stdout + lab_ext.stderr)
    line = next((x for x in listing.splitlines() if "jupyter-push" in x), "")
    assert "enabled" in line and "OK" in line, listing

    server = JupyterServer(tmp_path / "server", {}, python=fresh_install.python,
                           env={"PATH": env["PATH"]})
    try:
        server.start()
        asyncio.run(_kernel_push_reaches_sse(server))
    finally:
        server.stop()


def _plain(text: str) -> str:
    """`text` without terminal colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", text)


async def _kernel_push_reaches_sse(server: JupyterServer) -> None:
    base = server.push_url[: -len("push/")]
    async with httpx.AsyncClient(base_url=base, headers=server.headers, timeout=TIMEOUT) as http:
        kernel = (await http.post("api/kernels", json={"name": "python3"})).json()["id"]
        ws_url = base.replace("http", "ws") + f"api/kernels/{kernel}/channels"
        async with httpx_sse.aconnect_sse(http, "GET", "push/events",
                                          params={"channel": "release"}) as source, \
                websockets.connect(ws_url, additional_headers=server.headers) as channels:
            assert source.response.status_code == 200
            events = source.aiter_sse()
            await execute(channels, "from jupyter_push import push\n"
                                    "push('release', 'from a kernel')")
            async for message in events:
                if message.event == "message":
                    event = json.loads(message.data)
                    assert event["data"] == "from a kernel"
                    assert event["source"]["kernel"] == kernel
                    break



async def test_a_redis_broker_without_the_redis_package_answers_503_naming_the_fix(
    fresh_install, tmp_path
):
    assert fresh_install.run(fresh_install.python, "-c", "import redis").returncode != 0
    server = JupyterServer(tmp_path / "server",
                           {"PushApp": {"broker_url": "redis://127.0.0.1:6379/0"}},
                           python=fresh_install.python, env={"PATH": fresh_install.env["PATH"]},
                           ready_status=503)
    fix = "pip install 'jupyter_push[redis]'"
    try:
        server.start()
        await assert_every_route_answers_503(server, fix, "redis")
        assert_logged_once_as_an_error(server, fix)
        assert server.alive()
    finally:
        server.stop()
