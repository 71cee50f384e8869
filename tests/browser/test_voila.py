"""Voilà apps in real Chromium: a notebook's jupyter_push widgets update live while its kernel
works, from a thread of the kernel and from another process, and a `Dashboard` groups its
channel widgets under the kernel. Three ways: Voilà as an extension of a Jupyter server that
also runs jupyter_push; standalone `voila app.ipynb` beside `jupyter push serve` (which its
kernel finds through the runtime file, as any process does); standalone with no push server.
Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
import re
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import nbformat
import pytest

from tests.conftest import ARTIFACTS, needs_chromium
from tests.serve.process import PushServe, isolated_env
from tests.support.playwright_sync import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401
from tests.support.processes import LoggedProcess, free_port, wait_until

pytestmark = [needs_chromium(), pytest.mark.timeout(300)]

APP = [
    "from jupyter_push.widgets import Label, Progress\n"
    "Progress('app/progress', total=1000)",
    "Label('app/thread')",
    "Label('app/other')",
    "from jupyter_push.widgets import Dashboard\nDashboard('dash/**')",
    # the kernel keeps working after the page is shown: a thread pushes, step by step
    "import threading, time\n"
    "from jupyter_push import push\n"
    "def work():\n"
    "    for step in range(1, 1001):\n"
    "        push('app/progress', step)\n"
    "        push('app/thread', f'thread step {step}')\n"
    "        push('dash/step', step)\n"
    "        time.sleep(0.1)\n"
    "threading.Thread(target=work, daemon=True).start()",
]


def write_app(directory: Path) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in APP])
    notebook.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                       "language": "python"}
    path = directory / "app.ipynb"
    nbformat.write(notebook, path)
    return path


class Process(LoggedProcess):
    """A server process (jupyter server or voila) on a free port, stopped with SIGTERM."""

    def __init__(self, command: list[str], env: dict[str, str], cwd: Path, log: Path):
        super().__init__(log)
        self.name = command[0]
        self.launch(command, env, cwd)

    def wait_for(self, url: str) -> None:
        def up() -> bool:
            self.check_running()
            return httpx.get(url, timeout=2).status_code < 500
        wait_until(up, 60, f"{url} ({self.log_path})", interval=0.2)


def watch_live(browser: Any, url: str, publish_other: Any | None, shot: str) -> None:
    """Open the app; its widgets move while the kernel's thread works, and show what
    another process pushes."""
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1000, "height": 700})
    page.set_default_timeout(90_000)
    try:
        page.goto(url)
        widget = {name: page.get_by_role("group", name=f"app/{name}")
                  for name in ("progress", "thread", "other")}
        expect(widget["thread"]).to_contain_text("thread step")
        first = widget["thread"].inner_text()
        expect(widget["thread"]).not_to_have_text(first)  # still moving: the kernel works on
        expect(widget["progress"]).to_contain_text(re.compile(r"\d+ / 1,?000"))
        # the Dashboard draws its channel widgets in the kernel's group (widget composition
        # works under Voilà's widget manager too)
        group = page.locator(".jp-push-dashboard .jpt-group[data-kernel]")
        expect(group.locator('.jpt-card[data-channel="dash/step"]')).to_have_attribute(
            "data-kind", "chart")
        if publish_other is not None:
            publish_other()
            expect(widget["other"]).to_contain_text("from another process")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / shot))
    finally:
        page.close()


def cli_publish(env: dict[str, str], *options: str) -> None:
    done = subprocess.run(
        [str(Path(sys.executable).with_name("jupyter-push")), *options, "publish", "app/other",
         json.dumps("from another process")], env=env, capture_output=True, text=True,
        timeout=60)
    assert done.returncode == 0, done.stderr


def test_voila_as_a_server_extension_beside_jupyter_push(browser, tmp_path):
    root = tmp_path / "root"
    write_app(root)
    env = isolated_env(tmp_path)
    token = secrets.token_hex(16)
    port = free_port()
    server = Process([
        sys.executable, "-m", "jupyter_server", "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
        "--ServerApp.allow_unauthenticated_access=False",
        "--ServerApp.jpserver_extensions=voila=True",
        "--ServerApp.jpserver_extensions=jupyter_push=True",
    ], env, root, tmp_path / "server.log")
    try:
        base = f"http://127.0.0.1:{port}/"
        server.wait_for(base + "api/status")
        watch_live(browser, f"{base}voila/render/app.ipynb?token={token}",
                   lambda: cli_publish(env, "--url", base + "push/", "--token", token),
                   "voila_extension.png")
    finally:
        server.stop()


def test_standalone_voila_with_jupyter_push_serve(browser, tmp_path):
    app = write_app(tmp_path / "app")
    push_server = PushServe(tmp_path).start()  # its runtime file is where the kernel looks
    port = free_port()
    voila = Process([
        str(Path(sys.executable).with_name("voila")), str(app), "--no-browser",
        f"--port={port}", "--Voila.ip=127.0.0.1",
    ], push_server.env, app.parent, tmp_path / "voila.log")
    try:
        voila.wait_for(f"http://127.0.0.1:{port}/")
        # another process finds the push server the same way (runtime file)
        watch_live(browser, f"http://127.0.0.1:{port}/",
                   lambda: cli_publish(push_server.env), "voila_standalone.png")
    finally:
        voila.stop()
        push_server.stop()


def test_standalone_voila_alone_updates_from_its_own_kernel(browser, tmp_path):
    """No push server at all: the kernel's own pushes (any thread) still reach its widgets
    through the widget comms; other processes have nowhere to publish."""
    app = write_app(tmp_path / "app")
    env = isolated_env(tmp_path)
    port = free_port()
    voila = Process([
        str(Path(sys.executable).with_name("voila")), str(app), "--no-browser",
        f"--port={port}", "--Voila.ip=127.0.0.1",
    ], env, app.parent, tmp_path / "voila.log")
    try:
        voila.wait_for(f"http://127.0.0.1:{port}/")
        watch_live(browser, f"http://127.0.0.1:{port}/", None, "voila_alone.png")
        refused = subprocess.run(
            [str(Path(sys.executable).with_name("jupyter-push")), "publish", "app/other", "1"],
            env=env, capture_output=True, text=True, timeout=60)
        assert refused.returncode == 3 and "no jupyter_push server found" in refused.stderr
    finally:
        voila.stop()
