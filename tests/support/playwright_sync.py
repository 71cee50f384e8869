"""Chromium driven with Playwright's sync API, for test modules that run their own server in a
subprocess (`jupyter lab`, Voilà, JupyterHub). Such a module imports these fixtures by name:

    from tests.support.playwright_sync import (  # noqa: F401
        browser, jp_asyncio_loop, jp_server_cleanup, page)

- `jp_asyncio_loop`, `jp_server_cleanup`: pytest-jupyter's per-test event loop (autouse) would
  clash with the one Playwright's sync API runs, and no in-process server needs cleaning up.
- `browser`: one Chromium per module (module-scoped), closed after the module's last test.
- `page`: a fresh context and page per test; its actions wait up to 30 s, or the module's
  `PAGE_TIMEOUT_MS`.

(The tests driving Chromium from the server's own loop use the async `browser` of
tests/support/browser.py instead; that plugin is global, so these live apart.)
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import CHROMIUM, CHROMIUM_ARGS

VIEWPORT = {"width": 1400, "height": 900}


@pytest.fixture
def jp_asyncio_loop() -> None:
    """No pytest-jupyter loop: Playwright's sync API runs its own."""
    return None


@pytest.fixture
def jp_server_cleanup() -> None:
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any, request: pytest.FixtureRequest) -> Iterator[Any]:
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)  # a loaded 2-core machine: patience, not timing claims
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(getattr(request.module, "PAGE_TIMEOUT_MS", 30_000))
    yield page
    context.close()
