"""Chromium in a test (a pytest plugin: the `browser` and `other_origin` fixtures), opening
JupyterLab and a notebook in it (sync Playwright, against a `jupyter lab` subprocess), and the
screenshots it leaves in tests/artifacts/."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from tests.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, ROOT
from tests.support.shares import mint

__all__ = ["mint", "shot"]


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def other_origin() -> Iterator[str]:
    """notebooks/ served by a second HTTP server on another 127.0.0.1 port: another origin."""
    handler = functools.partial(QuietHandler, directory=str(ROOT / "notebooks"))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def browser(jp_asyncio_loop):
    """Chromium driven from the server's own event loop (async Playwright)."""
    from playwright.async_api import async_playwright

    run = jp_asyncio_loop.run_until_complete
    playwright = run(async_playwright().start())
    chromium = run(playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    ))
    yield chromium
    run(chromium.close())
    run(playwright.stop())


KERNEL_IDLE = """() => {
    const panel = window.jupyterapp.shell.currentWidget;
    const kernel = panel && panel.sessionContext && panel.sessionContext.session
        && panel.sessionContext.session.kernel;
    return kernel && kernel.status === 'idle';
}"""


def open_lab_page(page: Any, url: str) -> None:
    """Go to a JupyterLab page; return once the app has started and restored its layout."""
    page.goto(url)
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate(
        "async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }"
    )


def open_notebook(page: Any, lab_url: str, token: str, path: str) -> None:
    """Open the notebook at `path` in JupyterLab; return once its kernel is idle."""
    open_lab_page(page, f"{lab_url}lab/tree/{path}?token={token}")
    page.locator(".jp-Notebook").first.wait_for(state="visible")
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)


def run_all_cells(page: Any) -> None:
    page.evaluate(
        "async () => { await window.jupyterapp.commands.execute('notebook:run-all-cells'); }"
    )


def shot(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)
