"""notebooks/demo.ipynb in JupyterLab in real Chromium: run every cell, then the page shows the
progress bar at 100% and a drawn chart. A screenshot is saved to tests/artifacts/."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.lab import LabServer
from tests.conftest import ARTIFACTS, ROOT, needs_chromium
from tests.support.browser import open_notebook, run_all_cells
from tests.support.playwright_sync import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401

pytestmark = [needs_chromium(), pytest.mark.timeout(300)]


PAGE_TIMEOUT_MS = 90_000  # the demo's cells train for a while


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[LabServer]:
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    shutil.copy(ROOT / "notebooks" / "demo.ipynb", notebooks / "demo.ipynb")
    server = LabServer(tmp_path)
    server.start(notebooks)
    yield server
    server.stop()


def test_demo_notebook_runs_in_jupyterlab_and_shows_full_bar_and_chart(page: Any, lab: LabServer):
    from playwright.sync_api import expect

    open_notebook(page, lab.url, lab.token, "demo.ipynb")
    run_all_cells(page)

    # every widget draws with the tile library, as the lab panel and the viewer do
    bar = page.locator('.jpt-card[data-kind="progress"]', has_text="demo/progress").first
    expect(bar.locator(".jpt-progressText")).to_contain_text("300 / 300 (100%)")
    expect(bar.locator(".jpt-bar")).to_have_attribute("aria-valuenow", "300")
    chart = page.locator('.jpt-card[data-kind="chart"]', has_text="loss and accuracy").first
    expect(chart.locator('.jpt-legendItem[data-series="loss"]')).to_have_count(1)
    expect(chart.locator(".jpt-range")).to_contain_text("400 points")  # loss and acc, 200 each
    status = page.locator('.jpt-card[data-kind="json"]', has_text="training finished").first
    expect(status).to_be_visible()
    # the last cell's new channel appeared on the dashboard
    temperature = page.locator(".jp-push-dashboard .jpt-card", has_text="demo/temperature")
    expect(temperature).to_have_count(1)

    # no cell printed an error (a widget's failed update is logged into its cell's output)
    expect(page.locator(".jp-OutputArea-output", has_text="Traceback")).to_have_count(0)

    # each widget's static fallback (for viewers without widgets) is hidden under the live one
    fallbacks = page.locator(".jpp-fallback")
    expect(fallbacks.first).to_be_attached()
    assert fallbacks.count() >= 3
    for i in range(fallbacks.count()):
        expect(fallbacks.nth(i)).to_be_hidden()

    # the same events reached the server, for every other watcher
    r = httpx.get(lab.url + "push/channels", params={"channel": "demo/progress"}, timeout=10,
                  headers={"Authorization": f"token {lab.token}"})
    assert r.status_code == 200, r.text
    [channel] = r.json()["channels"]
    assert (channel["last"]["data"]["value"], channel["last"]["data"]["total"]) == (300, 300)

    ARTIFACTS.mkdir(exist_ok=True)
    for widget, name in ((bar, "demo_notebook_progress.png"), (chart, "demo_notebook_chart.png")):
        widget.scroll_into_view_if_needed()
        expect(widget).to_be_in_viewport()
        page.wait_for_timeout(500)  # let the windowed notebook paint the cells around it
        page.screenshot(path=str(ARTIFACTS / name))
    # the widgets follow JupyterLab's theme (dark here)
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'apputils:change-theme', { theme: 'JupyterLab Dark' }); }")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    assert chart.evaluate("(el) => getComputedStyle(el).backgroundColor") != "rgb(255, 255, 255)"
    chart.scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "demo_notebook_chart_dark.png"))
