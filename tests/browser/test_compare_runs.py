"""Compare runs in real Chromium: two kernels of a real `jupyter lab` each push a named run
(`track(..., run=...)`, `run_channel`); the panel's "Compare…" tile and the share-link viewer's
`?overlay=` draw both runs on one chart with a legend and a read-out of each run at a step, and
the runs' progress as a bar each. The comparison is kept in the workspace across a reload; the
viewer's own "Compare…" keeps it in the page's address. The compare tile in light and dark, with
its colours checked for contrast. A notebook `Dashboard` groups the two kernels' channels (and
its own kernel's) as the panel and the viewer do. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import httpx
import pytest

from tests.browser.lab import LabServer
from tests.browser.test_lab_panel import open_dashboard, open_lab, run_cell, screenshot, tile
from tests.conftest import ARTIFACTS, needs_chromium
from tests.support.browser import open_notebook, run_all_cells
from tests.support.playwright_sync import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401

pytestmark = [needs_chromium(), pytest.mark.timeout(240)]

RUNS = {"lr=1e-3": 1.0, "lr=1e-2": 3.0}  # run name → loss scale
STEPS = 20
RUN_CELL = """
from jupyter_push import flush, push, run_channel, track
RUN, SCALE = {run!r}, {scale!r}
for step in track(range({steps}), "cmp/progress", run=RUN):
    push(run_channel("cmp/loss", RUN), {{"step": step, "loss": SCALE / (step + 1)}})
assert flush(30)
"""
LOSS = "runs/*/cmp/loss"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server = LabServer(tmp_path_factory.mktemp("lab"))
    server.start()
    # two kernels, a run each, at the same time
    cells = [run_cell(server, RUN_CELL.format(run=r, scale=s, steps=STEPS))
             for r, s in RUNS.items()]
    for thread, replies in cells:
        thread.join(120)
        assert replies and replies[0]["status"] == "ok", replies
    yield server
    server.stop()


def set_lab_theme(page: Any, theme: str) -> None:
    page.evaluate("async (theme) => { await window.jupyterapp.commands.execute("
                  "'apputils:change-theme', { theme }); }", theme)
    light = "true" if "Light" in theme else "false"
    page.wait_for_function(f"() => document.body.dataset.jpThemeLight === '{light}'")
    # JupyterLab covers the page with its splash screen while the theme loads; it fades out
    page.locator("#jupyterlab-splash").wait_for(state="detached")


def wait_for_workspace(lab: LabServer, text: str, timeout: float = 20) -> None:
    """The panel's layout lives in the workspace (IStateDB); wait until the server has it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        r = httpx.get(lab.url + "lab/api/workspaces", timeout=5,
                      headers={"Authorization": f"token {lab.token}"})
        if r.status_code == 200 and "dashboard-layout" in r.text and f'"{text}"' in r.text:
            return
        time.sleep(0.2)
    raise AssertionError(f"the dashboard layout with {text} was not saved to the workspace")


def check_overlay(page: Any, card: Any) -> None:
    """Both runs in the legend with their last loss, and a read-out of both at the last step."""
    from playwright.sync_api import expect

    last = {run: scale / STEPS for run, scale in RUNS.items()}
    legend = card.locator(".jpt-legendItem")
    expect(legend).to_have_count(2)
    for run, loss in last.items():
        name = run.replace("=", "_")
        expect(card.locator(f'.jpt-legendItem[data-series="{name} loss"]')).to_have_text(
            f"{name} loss {loss:g}"
        )
    expect(card.locator(".jpt-range")).to_contain_text(f"{2 * STEPS} points")
    # hover near the right edge: the read-out of every series at the last step (hovered
    # again until it shows: a tile that moves as others arrive leaves the pointer behind)
    plot = card.locator(".jpt-plot")
    readout = card.locator(".jpt-readout")
    want = [f"step {STEPS - 1} · ", *(f"{run.replace('=', '_')} loss {loss:g}"
                                        for run, loss in last.items())]
    text = ""
    for _ in range(20):
        box = plot.bounding_box()
        assert box is not None
        page.mouse.move(0, 0)
        plot.hover(position={"x": box["width"] - 9, "y": box["height"] / 2})
        try:
            expect(readout).to_contain_text(want[0], timeout=1_000)
        except AssertionError:
            continue
        text = readout.inner_text()
        if all(part in text for part in want):
            break
    for part in want:
        assert part in text, (part, text)


# The colours a tile is drawn with, read from the page: the card's background, each legend
# item's text and swatch, each drawn series line, and the theme's series colours on the card.
TILE_COLOURS = """(card) => {
    const probe = document.createElement('span');
    card.append(probe);
    const rgb = (css) => {
        probe.style.color = css;
        return getComputedStyle(probe).color;
    };
    const colours = {
        background: getComputedStyle(card).backgroundColor,
        legend: [...card.querySelectorAll('.jpt-legendItem')].map((item) => {
            const box = item.getBoundingClientRect();
            const top = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
            return { text: getComputedStyle(item).color,
                     swatch: getComputedStyle(item, '::before').backgroundColor,
                     shown: box.width > 0 && box.height > 0 && item.contains(top) };
        }),
        lines: [...card.querySelectorAll('.jpt-plotLine')].filter((p) => p.getAttribute('d'))
            .map((p) => ({ stroke: getComputedStyle(p).stroke, width: p.getBBox().width })),
        theme: [0, 1].map((i) =>
            rgb(getComputedStyle(card).getPropertyValue(`--jpt-series-${i}`).trim())),
    };
    probe.remove();
    return colours;
}"""


def rgba(css: str) -> tuple[float, float, float, float]:
    """The channels of a computed `rgb(r, g, b)` or `rgba(r, g, b, a)` colour."""
    parts = [float(c) for c in css[css.index("(") + 1:css.index(")")].split(",")]
    return parts[0], parts[1], parts[2], parts[3] if len(parts) > 3 else 1.0


def luminance(css: str, over: str = "rgb(255, 255, 255)") -> float:
    """WCAG relative luminance of a colour (a translucent one as drawn over `over`)."""
    r, g, b, a = rgba(css)
    base = rgba(over)
    channels = [(a * c + (1 - a) * d) / 255 for c, d in zip((r, g, b), base[:3], strict=True)]
    lr, lg, lb = (c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels)
    return 0.2126 * lr + 0.7152 * lg + 0.0722 * lb


def contrast(colour: str, background: str) -> float:
    hi, lo = sorted((luminance(colour, background), luminance(background)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def check_drawn(png: bytes, colours: list[str]) -> None:
    """The screenshot really shows each series colour (no overlay or fade over the tile)."""
    from io import BytesIO

    from PIL import Image

    pixels = list(Image.open(BytesIO(png)).convert("RGB").getdata())
    for colour in colours:
        want = rgba(colour)[:3]
        near = sum(1 for p in pixels if all(abs(a - b) <= 2 for a, b in zip(p, want, strict=True)))
        assert near >= 40, f"{colour}: {near} pixels of it in the screenshot"


def check_tile_colours(card: Any, dark: bool) -> list[str]:
    """The comparison's legend and lines are shown in the theme's series colours, readable on
    the theme's background: legend text at least 4.5:1, lines and swatches at least 3:1 (WCAG
    text and graphics). Returns the series colours."""
    card.scroll_into_view_if_needed()
    colours = card.evaluate(TILE_COLOURS)  # (a legend item "shown" is on top, not covered)
    background = colours["background"]
    assert (luminance(background) < 0.05) if dark else (luminance(background) > 0.8), colours
    legend, lines, theme = colours["legend"], colours["lines"], colours["theme"]
    assert len(legend) == 2 and all(item["shown"] for item in legend), colours
    assert [line["stroke"] for line in lines] == theme, colours  # one line per run, the theme's
    assert all(line["width"] > 100 for line in lines), colours  # drawn across the plot
    assert [item["swatch"] for item in legend] == theme, colours
    assert theme[0] != theme[1], colours
    for item in legend:
        assert contrast(item["text"], background) >= 4.5, colours
        assert contrast(item["swatch"], background) >= 3, colours
    return theme


def test_the_panel_compares_two_kernels_runs(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    open_lab(page, lab)
    dashboard = open_dashboard(page)
    compare = dashboard.locator(".jp-Push-compare")
    compare.click()
    pattern = dashboard.locator(".jp-Push-comparePattern")
    pattern.fill("runs/lr*/loss")
    pattern.press("Enter")
    expect(dashboard.locator(".jp-Push-compareProblem")).to_contain_text("whole segment")
    pattern.fill(LOSS)
    pattern.press("Enter")
    loss = tile(dashboard, LOSS)
    expect(loss).to_have_attribute("data-kind", "chart")
    check_overlay(page, loss)

    compare.click()
    pattern.fill("runs/*/cmp/progress")
    pattern.press("Enter")
    bars = tile(dashboard, "runs/*/cmp/progress")
    expect(bars).to_have_attribute("data-kind", "progress")
    # one bar per run, in the order their first events arrived (the two kernels race)
    labels = bars.locator(".jpt-barLabel")
    expect(labels).to_have_count(2, timeout=20_000)
    for run in RUNS:
        expect(labels.filter(has_text=run.replace("=", "_"))).to_have_count(1)
    expect(bars.locator(".jpt-progressText").first).to_contain_text(f"{STEPS} / {STEPS} (100%)")
    loss.scroll_into_view_if_needed()
    screenshot(page, "lab_panel_compare_runs.png")

    # light and dark: the theme's series colours, readable on its background
    page.mouse.move(0, 0)
    light = check_tile_colours(loss, dark=False)
    check_drawn(loss.screenshot(path=str(ARTIFACTS / "compare_tile_panel_light.png")), light)
    set_lab_theme(page, "JupyterLab Dark")
    try:
        dark = check_tile_colours(loss, dark=True)
        check_drawn(loss.screenshot(path=str(ARTIFACTS / "compare_tile_panel_dark.png")), dark)
    finally:
        set_lab_theme(page, "JupyterLab Light")
    assert dark != light

    # kept in the workspace: a fresh page has both comparisons again, drawn from history
    wait_for_workspace(lab, "runs/*/cmp/progress")
    page.reload()
    open_lab(page, lab)
    dashboard = open_dashboard(page)
    check_overlay(page, tile(dashboard, LOSS))
    expect(tile(dashboard, "runs/*/cmp/progress").locator(".jpt-barRow")).to_have_count(2)
    # ✕ removes a comparison (the channels' own tiles stay)
    tile(dashboard, "runs/*/cmp/progress").locator(".jp-Push-hide").click()
    expect(tile(dashboard, "runs/*/cmp/progress")).to_have_count(0)
    expect(tile(dashboard, "runs/lr_1e-3/cmp/progress")).to_have_count(1)


def test_the_viewer_overlays_both_runs(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    r = httpx.post(lab.url + "push/tokens", json={"channels": ["runs/**"], "ttl": 600},
                   headers={"Authorization": f"token {lab.token}"}, timeout=10)
    assert r.status_code == 200, r.text
    page.goto(r.json()["url"] + "&overlay=" + quote(LOSS, safe=""))
    expect(page.locator("#status")).to_have_text("live")
    card = page.locator(f'.jpt-card[data-channel="{LOSS}"]')
    expect(card).to_have_attribute("data-kind", "chart")
    check_overlay(page, card)
    # the overlaid channels have no cards of their own; the progress channels do
    expect(page.locator('.jpt-card[data-channel$="/cmp/loss"]')).to_have_count(1)
    expect(page.locator('.jpt-card[data-channel="runs/lr_1e-2/cmp/progress"]')).to_have_count(1)
    screenshot(page, "viewer_compare_runs.png")


def test_a_snapshot_file_keeps_the_comparison_offline(page: Any, lab: LabServer, tmp_path) -> None:
    from playwright.sync_api import expect

    out = tmp_path / "runs.html"
    done = subprocess.run(
        [sys.executable, "-m", "jupyter_push.cli", "snapshot", "runs/**", "--overlay", LOSS,
         "-o", str(out), f"--url={lab.url}push/", f"--token={lab.token}"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # the overlay and the two progress channels; the overlaid channels have no card of their own
    assert done.stdout.startswith(f"{out}: 3 channels, ")
    page.context.set_offline(True)
    page.goto(out.as_uri())
    card = page.locator(f'.jpt-card[data-channel="{LOSS}"]')
    check_overlay(page, card)
    expect(page.locator(".jpt-card")).to_have_count(3)
    bad = subprocess.run(
        [sys.executable, "-m", "jupyter_push.cli", "snapshot", "runs/**", "--overlay", "runs/a*",
         "-o", str(tmp_path / "x.html"), f"--url={lab.url}push/", f"--token={lab.token}"],
        capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "'*' must be a whole segment" in bad.stderr


def test_the_viewer_compares_runs_typed_in_its_compare_form(page: Any, lab: LabServer) -> None:
    """"Compare…" in the viewer: a bad pattern and one outside the link are refused with a
    message (nothing of the outside channel reaches the page); a pattern within it overlays
    both runs, is kept in the page's address across a reload, and ✕ takes it away again."""
    from playwright.sync_api import expect

    headers = {"Authorization": f"token {lab.token}"}
    r = httpx.post(lab.url + "push/events", headers=headers, timeout=10,
                   json={"channel": "secret/x/loss", "data": {"step": 0, "loss": 0.5}})
    assert r.status_code == 200, r.text
    r = httpx.post(lab.url + "push/tokens", json={"channels": ["runs/**"], "ttl": 600},
                   headers=headers, timeout=10)
    assert r.status_code == 200, r.text
    page.goto(r.json()["url"] + "&overlay=secret/*/loss")
    expect(page.locator("#status")).to_have_text("live")
    problem = page.locator(".jpt-compareProblem")
    expect(problem).to_contain_text(
        "Not compared: secret/*/loss: secret/*/loss is outside what this link shows (runs/**)")
    assert "overlay" not in page.url  # a refused comparison is not kept in the address
    expect(page.locator('.jpt-card[data-channel="runs/lr_1e-3/cmp/loss"]')).to_have_count(1)

    pattern = page.locator(".jpt-comparePattern")
    pattern.fill("runs/lr*/loss")
    pattern.press("Enter")
    expect(problem).to_contain_text("'*' must be a whole segment")
    pattern.fill("secret/*/loss")
    pattern.press("Enter")
    expect(problem).to_contain_text("outside what this link shows (runs/**)")
    expect(page.locator('.jpt-card[data-channel^="secret"]')).to_have_count(0)
    pattern.fill(LOSS)
    pattern.press("Enter")
    expect(page.locator("#comparebar form")).to_be_hidden()
    card = page.locator(f'.jpt-card[data-channel="{LOSS}"]')
    # the "Compared" group comes first, with the overlay drawn from the run so far
    first = page.locator(".jpt-group").first
    expect(first).to_have_attribute("data-group", "compare")
    expect(first.locator(".jpt-groupTitle")).to_have_text("Compared")
    check_overlay(page, card)
    expect(page.locator('.jpt-card[data-channel$="/cmp/loss"]')).to_have_count(1)
    assert "overlay=" + quote(LOSS, safe="*") in page.url, page.url

    page.reload()  # the address keeps the comparison
    expect(page.locator("#status")).to_have_text("live")
    card = page.locator(f'.jpt-card[data-channel="{LOSS}"]')
    check_overlay(page, card)
    expect(page.locator("#comparebar form")).to_be_hidden()
    screenshot(page, "viewer_compare_form.png")
    page.mouse.move(0, 0)
    light = check_tile_colours(card, dark=False)
    check_drawn(card.screenshot(path=str(ARTIFACTS / "compare_tile_viewer_light.png")), light)
    page.emulate_media(color_scheme="dark")  # the viewer follows prefers-color-scheme
    dark = check_tile_colours(card, dark=True)
    check_drawn(card.screenshot(path=str(ARTIFACTS / "compare_tile_viewer_dark.png")), dark)
    page.emulate_media(color_scheme="light")
    assert dark != light

    card.locator(".jpt-removeOverlay").click()  # ✕: the runs' own cards again
    expect(card).to_have_count(0)
    assert "overlay" not in page.url, page.url
    for run in RUNS:
        own = page.locator(f'.jpt-card[data-channel="runs/{run.replace("=", "_")}/cmp/loss"]')
        expect(own).to_have_attribute("data-kind", "chart")
    expect(page.locator('.jpt-group[data-group="compare"]')).to_have_count(0)
    expect(page.locator('.jpt-card[data-channel^="secret"]')).to_have_count(0)


DASHBOARD_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "from jupyter_push import flush, push\n"
                   "from jupyter_push.widgets import Dashboard\n"
                   "push('runs/nb/cmp/progress', {'value': 3, 'total': 4})\n"
                   "assert flush(10)\n"
                   f"board = Dashboard('runs/**', overlays=[{LOSS!r}])\n"
                   "board"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_the_notebook_dashboard_groups_channels_by_kernel(page: Any, lab: LabServer) -> None:
    """A `Dashboard` in a notebook groups as the panel and the viewer do: the comparison first
    ("Compared"), then a group per kernel that pushed: the two run kernels' progress (from the
    server) and the notebook's own (a local push), its header naming the notebook and each
    header the kernel's state; a shut-down kernel's group can be dismissed."""
    from playwright.sync_api import expect

    auth = {"Authorization": f"token {lab.token}"}
    r = httpx.put(lab.url + "api/contents/dash.ipynb", headers=auth, timeout=10,
                  json={"type": "notebook", "format": "json", "content": DASHBOARD_NOTEBOOK})
    assert r.status_code in (200, 201), r.text
    kernels = {}
    for run in RUNS:
        channel = f"runs/{run.replace('=', '_')}/cmp/progress"
        r = httpx.get(lab.url + "push/channels", params={"channel": channel}, headers=auth,
                      timeout=10)
        kernels[channel] = r.json()["channels"][0]["last"]["source"]["kernel"]
    assert len(set(kernels.values())) == 2
    open_notebook(page, lab.url, lab.token, "dash.ipynb")
    run_all_cells(page)

    board = page.locator(".jp-push-dashboard")
    groups = board.locator(".jpt-group")
    expect(groups).to_have_count(4)
    expect(groups.first).to_have_attribute("data-group", "compare")
    expect(groups.first.locator(".jpt-groupTitle")).to_have_text("Compared")
    check_overlay(page, groups.first.locator(f'.jpt-card[data-channel="{LOSS}"]'))
    for channel, kernel in kernels.items():
        group = board.locator(f'.jpt-group[data-kernel="{kernel}"]')
        expect(group.locator(".jpt-kernelNotebook")).to_have_text(f"kernel {kernel[:8]}")
        expect(group.locator(".jpt-kernelState")).to_have_text("idle")  # its $kernels/<id>
        expect(group.locator(".jpt-card")).to_have_count(1)
        expect(group.locator(f'.jpt-card[data-channel="{channel}"] .jpt-progressText')
               ).to_contain_text(f"{STEPS} / {STEPS} (100%)")
    nb_progress = page.locator('.jpt-card[data-channel="runs/nb/cmp/progress"]')
    own = board.locator(".jpt-group", has=nb_progress)
    expect(own.locator(".jpt-kernelNotebook")).to_have_text("dash.ipynb")
    assert own.get_attribute("data-kernel") not in kernels.values()
    expect(own.locator(".jpt-progressText")).to_contain_text("3 / 4 (75%)")
    expect(own.locator(".jpt-kernelState")).to_have_text("idle")
    board.scroll_into_view_if_needed()
    screenshot(page, "notebook_dashboard_groups.png")

    # a kernel shut down: its header says so and offers to dismiss the group, which goes
    gone = next(iter(kernels.values()))
    r = httpx.delete(lab.url + f"api/kernels/{gone}", headers=auth, timeout=30)
    assert r.status_code == 204, r.text
    group = board.locator(f'.jpt-group[data-kernel="{gone}"]')
    expect(group.locator(".jpt-kernelState")).to_have_text("shut down")
    group.locator(".jpt-groupDismiss").click()
    expect(group).to_have_count(0)
    expect(groups).to_have_count(3)
    # kept with the widget: the kernel side knows, and a second view of it leaves it out too
    page.evaluate("""async () => {
        const notebook = window.jupyterapp.shell.currentWidget.content;
        notebook.model.sharedModel.insertCell(notebook.widgets.length, {
            cell_type: 'code', source: 'print(board.dismissed)\\nboard' });
        notebook.activeCellIndex = notebook.widgets.length - 1;
        await window.jupyterapp.commands.execute('notebook:run-cell');
    }""")
    expect(page.locator(".jp-OutputArea-output", has_text="['kernel:")).to_contain_text(
        f"['kernel:{gone}']")
    second = page.locator(".jp-push-dashboard").nth(1)
    expect(second.locator(".jpt-group")).to_have_count(3)
    expect(second.locator(f'.jpt-group[data-kernel="{gone}"]')).to_have_count(0)
