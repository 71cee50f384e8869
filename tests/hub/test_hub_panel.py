"""The JupyterLab panel of alice's server under JupyterHub, in real Chromium: alice logs in at
the hub, opens her JupyterLab through the proxy, and a kernel's push() in her server shows up
in the Live Dashboard (screenshot in tests/artifacts/)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from tests.browser.test_lab_panel import OPEN_DASHBOARD
from tests.conftest import ARTIFACTS, needs_chromium
from tests.support.playwright_sync import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401

from .hub import Hub, proxy_missing, run_in_kernel

pytestmark = [
    pytest.mark.skipif(proxy_missing() is not None, reason=proxy_missing() or ""),
    needs_chromium(),
]


PAGE_TIMEOUT_MS = 90_000  # the hub spawns alice's server on first login: slow on a loaded machine


def push_from_kernel(hub: Hub, code: str) -> None:
    """Run `code` in a kernel of alice's server (own thread: Playwright holds this one)."""
    failure: list[BaseException] = []

    def run() -> None:
        try:
            asyncio.run(run_in_kernel(hub, "alice", code))
        except BaseException as e:
            failure.append(e)

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    assert not thread.is_alive() and not failure, failure


def test_a_kernel_push_shows_in_alice_jupyterlab_panel_through_the_hub(page: Any, hub: Hub):
    from playwright.sync_api import expect

    page.goto(hub.public_url + "hub/login?next=%2Fuser%2Falice%2Flab")
    page.locator("#username_input").fill("alice")
    page.locator("#password_input").fill("any")
    page.locator("#login_submit").click()
    page.wait_for_url("**/user/alice/lab**")
    page.wait_for_function("() => window.jupyterapp !== undefined")
    page.evaluate(
        "async () => { await window.jupyterapp.started; await window.jupyterapp.restored;"
        f" await window.jupyterapp.commands.execute('{OPEN_DASHBOARD}'); }}"
    )
    dashboard = page.locator("#jupyter-push-dashboard")
    expect(dashboard.locator(".jp-Push-status")).to_have_attribute("data-phase", "open")

    push_from_kernel(hub, "from jupyter_push import flush, push\n"
                          "push('hub/panel', {'value': 7, 'total': 10})\n"
                          "assert flush(timeout=20)")
    tile = dashboard.locator('.jp-Push-tile[data-channel="hub/panel"]')
    expect(tile).to_have_attribute("data-kind", "progress")
    expect(tile).to_contain_text("7 / 10 (70%)")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "hub_lab_panel.png"))
