"""Chromium in a test (a pytest plugin: the `browser` and `other_origin` fixtures) and the
screenshots it leaves in tests/artifacts/."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

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


def shot(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)
