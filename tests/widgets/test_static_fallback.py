"""A saved notebook shows each widget's final value without a kernel and without widget scripts:
a notebook that pushes and shows widgets is run headless with nbclient (a real kernel), saved,
converted to HTML with nbconvert, and opened in Chromium with the network off; the final values
are readable in the page and stored in the .ipynb outputs. Screenshot in tests/artifacts/."""

from __future__ import annotations

import base64
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from nbconvert import HTMLExporter

from tests.conftest import ARTIFACTS, CHROMIUM, CHROMIUM_ARGS, needs_chromium

from .test_kernel import headless_env

pytestmark = [needs_chromium(), pytest.mark.timeout(180)]

CELLS = [
    # shown before the values arrive: the outputs are updated at the end of later cells
    """
from jupyter_push import push, run_channel, track
from jupyter_push.widgets import Chart, Dashboard, Log, Progress
bar = Progress("fb/progress", description="epochs")
display(bar)
chart = Chart("fb/loss")
display(chart)
log = Log("fb/log")
display(log)
board = Dashboard("fb/**", overlays=["runs/*/fb/acc"])
board
""",
    """
for epoch in track(range(50), "fb/progress"):
    push("fb/loss", {"step": epoch, "loss": 1 / (epoch + 1)})
    push("fb/log", f"epoch {epoch} done")
for run, best in {"lr=1e-3": 0.91, "lr=1e-2": 0.87}.items():
    for step in range(5):
        push(run_channel("fb/acc", run), best - 0.1 * (4 - step))
""",
    "push('fb/log', 'all done')",
    "print('the last cell')",
]
FINAL = {  # visible in the HTML page, and in the .ipynb outputs' text/plain
    "epochs": "50 / 50 (100%)",
    "fb/loss": "loss 0.02",
    "fb/log": "all done",
    "runs/*/fb/acc": "lr_1e-3 0.91",
}


@pytest.fixture
def jp_asyncio_loop() -> None:
    return None  # sync Playwright keeps its own loop (see tests/browser/test_lab_panel.py)


@pytest.fixture
def jp_server_cleanup() -> None:
    return None


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, Path]]:
    """The notebook run headless (no server: the widgets work from the kernel alone), written
    to disk and read back, and its HTML."""
    tmp = tmp_path_factory.mktemp("fallback")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    NotebookClient(nb, kernel_name="python3", timeout=90, store_widget_state=True).execute(
        env=headless_env(tmp)
    )
    path = tmp / "run.ipynb"
    nbformat.write(nb, path)
    nb = nbformat.read(path, as_version=4)
    html, _ = HTMLExporter().from_notebook_node(nb)
    page = tmp / "run.html"
    page.write_text(html, encoding="utf-8")
    yield nb, page


def fallbacks(nb: Any) -> list[Any]:
    return [o for cell in nb.cells for o in cell.get("outputs", [])
            if "jpp-fallback" in o.get("data", {}).get("text/html", "")]


def test_the_saved_notebook_holds_each_widgets_final_state(saved):
    nb, _ = saved
    errors = [o for cell in nb.cells for o in cell.outputs if o.output_type == "error"]
    assert not errors, errors
    first = nb.cells[0].outputs
    views = [o for o in first if "application/vnd.jupyter.widget-view+json" in o.get("data", {})]
    assert len(views) == 4  # the live widgets are kept, for front ends that run them
    outputs = fallbacks(nb)
    assert len(outputs) == 4 and all(o in first for o in outputs)  # updated where displayed
    # each fallback comes right after its widget (the stylesheet hides it under a live one)
    for view in views:
        assert first[first.index(view) + 1] in outputs
    texts = [o.data["text/plain"] for o in outputs]
    for title, value in FINAL.items():
        wanted = re.compile(rf"^{re.escape(title)}:\s.*{re.escape(value)}", re.S | re.M)
        assert any(wanted.search(t) for t in texts), (title, texts)
    # the Dashboard's fallback: a card per channel, its overlay with both runs
    board = outputs[-1].data["text/html"]
    assert board.count('class="jpt-card"') == 4
    assert 'data-series="lr_1e-2"' in board and "lr_1e-2 0.87" in outputs[-1].data["text/plain"]
    # the state the fallbacks show is also the saved widget state
    state = nb.metadata.widgets["application/vnd.jupyter.widget-state+json"]["state"]
    [bar] = [m["state"] for m in state.values() if m["state"].get("channel") == "fb/progress"
             and m["state"].get("description") == "epochs"]
    assert bar["value"] == 50


def test_nbconvert_html_shows_the_final_values_offline(saved):
    from playwright.sync_api import expect, sync_playwright

    _, page_path = saved
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(offline=True, viewport={"width": 1000, "height": 1400})
        requests: list[str] = []
        context.route("**/*", lambda route: (requests.append(route.request.url), route.abort())
                      if not route.request.url.startswith("file:") else route.continue_())
        page = context.new_page()
        page.goto(page_path.as_uri())
        for title, value in FINAL.items():
            card = page.locator(f'.jpp-fallback .jpt-card[data-channel="{title}"]').first
            expect(card).to_be_visible()
            expect(card).to_contain_text(value)
        bar = page.locator('.jpt-card[data-channel="epochs"] [role="progressbar"]').first
        expect(bar).to_have_attribute("aria-valuenow", "50")
        # the chart is drawn (an SVG image, no script, no network): a line per run
        image = page.locator('.jpt-card[data-channel="runs/*/fb/acc"] img.jpt-chartImage').first
        expect(image).to_be_visible()
        assert image.evaluate("(img) => img.complete && img.naturalWidth") > 0
        svg = base64.b64decode(image.get_attribute("src").split(",", 1)[1]).decode()
        assert svg.count("<polyline") == 2
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / "nbconvert_static_fallback.png"), full_page=True)
        browser.close()
    # the page tried to load the widget scripts from the network, and did without them
    assert any("html-manager" in url or "require" in url for url in requests), requests


def test_jupyterlab_shows_the_fallback_of_a_saved_notebook_whose_widgets_are_gone(saved, tmp_path):
    """Reopened later, the widgets' models are gone (a new kernel): the fallbacks show the final
    values (the demo notebook's live widgets hide theirs: tests/browser/test_demo_notebook)."""
    from playwright.sync_api import expect, sync_playwright

    from tests.browser.lab import LabServer

    nb, _ = saved
    notebooks = tmp_path / "notebooks"
    notebooks.mkdir()
    nbformat.write(nb, notebooks / "run.ipynb")
    lab = LabServer(tmp_path)
    lab.start(notebooks)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, headless=True,
                                        args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1200, "height": 1400})
            page.set_default_timeout(60_000)
            page.goto(f"{lab.url}lab/tree/run.ipynb?token={lab.token}")
            page.wait_for_function("() => window.jupyterapp !== undefined")
            # (an untrusted notebook's HTML is sanitized: no data-* attributes, no SVG)
            fallback = page.locator(".jp-OutputArea-output .jpp-fallback").first
            expect(fallback).to_be_visible(timeout=60_000)
            for title, value in FINAL.items():
                card = page.locator(".jpp-fallback .jpt-card", has_text=title).first
                expect(card).to_be_visible()
                expect(card).to_contain_text(value)
            page.screenshot(path=str(ARTIFACTS / "lab_saved_notebook_fallback.png"))
            browser.close()
    finally:
        lab.stop()
