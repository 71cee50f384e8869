"""The Live Dashboard panel in real Chromium, against a real `jupyter lab` subprocess under a
non-root base_url with token auth: tiles by data shape, layout kept, reconnect after restart."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.browser.lab import LabServer
from tests.conftest import ARTIFACTS, needs_chromium
from tests.support.browser import KERNEL_IDLE, open_lab_page
from tests.support.playwright_sync import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401

pytestmark = [needs_chromium(), pytest.mark.timeout(240)]

BASE_URL = "/lab-base/"
OPEN_DASHBOARD = "jupyter-push:open-dashboard"


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    server = LabServer(tmp_path_factory.mktemp("lab"), base_url=BASE_URL)
    server.start()
    yield server
    server.stop()


def open_lab(page: Any, server: LabServer) -> None:
    open_lab_page(page, f"{server.url}lab?token={server.token}")


def open_dashboard(page: Any) -> Any:
    page.evaluate(
        f"async () => {{ await window.jupyterapp.commands.execute('{OPEN_DASHBOARD}'); }}"
    )
    dashboard = page.locator("#jupyter-push-dashboard")
    dashboard.wait_for(state="visible")
    return dashboard


def tile(dashboard: Any, channel: str) -> Any:
    return dashboard.locator(f'.jp-Push-tile[data-channel="{channel}"]')


def screenshot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / name))


def test_dashboard_opens_from_palette_and_launcher_commands(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    streams: list[str] = []
    page.on("request", lambda r: "/push/events" in r.url and streams.append(r.url))
    open_lab(page, lab)
    expect(page.locator(".jp-LauncherCard", has_text="Live Dashboard")).to_be_visible()
    page.keyboard.press("Control+Shift+C")
    page.locator(".lm-CommandPalette-input").fill("Open Live Dashboard")
    page.locator(".lm-CommandPalette-item", has_text="Open Live Dashboard").first.click()
    expect(page.locator("#jupyter-push-dashboard .jp-Push-status")).to_have_attribute(
        "data-phase", "open"
    )
    # the panel draws latest values: its stream asks the server for conflation (README)
    assert streams and all("max_rate=30" in url for url in streams), streams


def test_tiles_follow_the_shape_of_published_data(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    open_lab(page, lab)
    dashboard = open_dashboard(page)
    expect(dashboard.locator(".jp-Push-status")).to_have_attribute("data-phase", "open")

    lab.publish(
        {"channel": "shape/progress", "data": 40},
        {"channel": "shape/files", "data": {"value": 3, "total": 12}},
        {"channel": "shape/loss", "data": 2.5},
        {"channel": "shape/log", "data": "epoch 1 started"},
        {"channel": "shape/meta", "data": {"model": "mlp", "layers": [64, 32]}},
        {"channel": "shape/metrics", "data": {"acc": 0.5, "f1": 0.4}},
    )
    lab.publish(
        {"channel": "shape/loss", "data": 1.7},
        {"channel": "shape/log", "data": "epoch 1 done"},
        {"channel": "shape/metrics", "data": {"acc": 0.7, "f1": 0.6}},
    )
    lab.publish({"channel": "shape/loss", "data": 1.2})

    progress = tile(dashboard, "shape/progress")
    expect(progress).to_have_attribute("data-kind", "progress")
    expect(progress.locator(".jpt-progressText")).to_have_text("40%")
    expect(progress.locator(".jpt-bar")).to_have_attribute("aria-valuenow", "40")

    files = tile(dashboard, "shape/files")
    expect(files).to_have_attribute("data-kind", "progress")
    expect(files.locator(".jpt-progressText")).to_have_text("3 / 12 (25%)")

    loss = tile(dashboard, "shape/loss")
    expect(loss).to_have_attribute("data-kind", "chart")
    expect(loss.locator(".jpt-legendItem")).to_have_text("1.2")
    expect(loss.locator(".jpt-range")).to_contain_text("3 points")

    metrics = tile(dashboard, "shape/metrics")
    expect(metrics.locator(".jpt-legendItem")).to_have_text(["acc 0.7", "f1 0.6"])

    log = tile(dashboard, "shape/log")
    expect(log).to_have_attribute("data-kind", "log")
    expect(log.locator(".jpt-logLines")).to_have_text("epoch 1 started\nepoch 1 done")

    meta = tile(dashboard, "shape/meta")
    expect(meta).to_have_attribute("data-kind", "json")
    expect(meta.locator(".jpt-json")).to_contain_text('"mlp"')

    page.locator(".lm-TabBar-tab[data-id='jupyter-push-sidebar']").click()
    sidebar = page.locator("#jupyter-push-sidebar")
    other = sidebar.locator('.jp-Push-group[data-group="other"]')
    expect(
        other.locator('.jp-Push-channel[data-channel="shape/progress"] .jp-Push-channelValue')
    ).to_have_text("40")
    expect(
        other.locator('.jp-Push-channel[data-channel="shape/loss"] .jp-Push-channelValue')
    ).to_have_text("1.2")
    screenshot(page, "lab_panel_tiles.png")


def test_every_tile_kind_in_the_panel_light_and_dark(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    png = (
        "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP4z8DwHwQYGJgY/gMACfQB/moc"
        "SxwAAAAASUVORK5CYII="
    )
    for step in range(20):
        lab.publish({"channel": "kinds/train", "data": {"step": step, "loss": 1 / (step + 1)}})
    lab.publish(
        {"channel": "kinds/progress", "data": {"a": {"value": 1, "total": 4},
                                               "b": {"value": 3, "total": 4}}},
        {"channel": "kinds/epoch", "data": 3},
        {"channel": "kinds/epoch", "data": 5},
        {"channel": "kinds/log", "data": "hello"},
        {"channel": "kinds/results", "data": [{"id": 1, "score": 0.5}, {"id": 2, "score": 0.7}]},
        {"channel": "kinds/sample", "data": {"image/png": png}},
        {"channel": "kinds/config", "data": {"a": {"b": [1, 2]}}},
    )
    open_lab(page, lab)
    dashboard = open_dashboard(page)
    kinds = {"kinds/train": "chart", "kinds/progress": "progress", "kinds/epoch": "number",
             "kinds/log": "log", "kinds/results": "table", "kinds/sample": "image",
             "kinds/config": "json"}
    for channel, kind in kinds.items():
        expect(tile(dashboard, channel)).to_have_attribute("data-kind", kind)
    train = tile(dashboard, "kinds/train")
    expect(train.locator(".jpt-range")).to_contain_text("20 points")  # from history
    expect(tile(dashboard, "kinds/progress").locator(".jpt-bar")).to_have_count(2)
    expect(tile(dashboard, "kinds/epoch").locator(".jpt-numberChange")).to_have_text("▲ +2")
    expect(tile(dashboard, "kinds/results").locator("tbody tr")).to_have_count(2)
    plot = train.locator(".jpt-plot")
    plot.scroll_into_view_if_needed()
    box = plot.bounding_box()
    assert box is not None
    page.mouse.move(box["x"] + box["width"] - 9, box["y"] + box["height"] / 2)
    expect(train.locator(".jpt-readout")).to_have_text("step 19 · loss 0.05")
    train.locator(".jpt-smoothing").evaluate(
        "(el) => { el.value = '0.6'; el.dispatchEvent(new Event('input')); }"
    )
    page.mouse.move(box["x"] + box["width"] - 8, box["y"] + box["height"] / 2)
    expect(train.locator(".jpt-readout")).to_contain_text("(raw 0.05)")
    page.mouse.move(0, 0)
    screenshot(page, "lab_panel_kinds_light.png")

    # Show as… is kept in the workspace
    tile(dashboard, "kinds/epoch").locator(".jpt-showAs").select_option("chart")
    expect(tile(dashboard, "kinds/epoch")).to_have_attribute("data-kind", "chart")
    page.wait_for_timeout(500)  # the state database saves the layout
    page.reload()
    open_lab(page, lab)
    dashboard = open_dashboard(page)
    expect(tile(dashboard, "kinds/epoch")).to_have_attribute("data-kind", "chart")
    expect(tile(dashboard, "kinds/epoch").locator(".jpt-showAs")).to_have_value("chart")

    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'apputils:change-theme', { theme: 'JupyterLab Dark' }); }")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    background = tile(dashboard, "kinds/train").evaluate(
        "(el) => getComputedStyle(el).backgroundColor"
    )
    assert background != "rgb(255, 255, 255)"  # the tiles follow JupyterLab's dark theme
    screenshot(page, "lab_panel_kinds_dark.png")
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'apputils:change-theme', { theme: 'JupyterLab Light' }); }")


def test_a_fresh_page_draws_recent_history(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    for loss in (3.0, 2.0, 1.5, 1.0):
        lab.publish({"channel": "history/loss", "data": loss})
    lab.publish(
        {"channel": "history/log", "data": "one"}, {"channel": "history/log", "data": "two"}
    )
    open_lab(page, lab)
    dashboard = open_dashboard(page)

    loss = tile(dashboard, "history/loss")
    expect(loss).to_have_attribute("data-kind", "chart")
    expect(loss.locator(".jpt-range")).to_contain_text("4 points")
    expect(tile(dashboard, "history/log").locator(".jpt-logLines")).to_have_text("one\ntwo")


# the scale of a chart's SVG (viewBox → CSS pixels) once its tile is `width` wide
PLOT_SCALE = """(card, width) => new Promise(resolve => {
  card.style.width = width;
  const svg = card.querySelector('svg.jpt-plot');
  const settled = () => {
    const shown = svg.getBoundingClientRect().width;
    if (Math.abs(svg.viewBox.baseVal.width - shown) < 0.5) resolve(svg.getScreenCTM().a);
    else requestAnimationFrame(settled);
  };
  requestAnimationFrame(settled);
})"""


def test_charts_are_drawn_unscaled_at_any_tile_width(page: Any, lab: LabServer) -> None:
    """A chart's viewBox is its exact width, fractions included: scaled up even by a thousandth,
    its 1 px lines are no longer hairlines to the rasterizer, whose work then grows with the
    line's length (the panel lost a third of its frames over a minute of noisy charts)."""
    from playwright.sync_api import expect

    for step in range(5):
        lab.publish({"channel": "scale/loss", "data": {"step": step, "loss": (-1) ** step}})
    open_lab(page, lab)
    card = tile(open_dashboard(page), "scale/loss")
    expect(card).to_have_attribute("data-kind", "chart")
    # widths whose plot is a fraction of a pixel above and below a whole number
    for width in ("387.47px", "365.6px", "401px"):
        scale = card.evaluate(PLOT_SCALE, width)
        assert scale == 1, f"a {width} tile draws its chart scaled by {scale}"


def publish_from_notebook(lab: LabServer, path: str, channel: str, data: Any) -> None:
    """Publish as a kernel does: over the WebSocket, with the notebook as the source."""
    from websockets.sync.client import connect

    url = lab.url.replace("http://", "ws://") + "push/ws"
    source = {"kernel": "k-test", "path": path}
    with connect(url, additional_headers={"Authorization": f"token {lab.publish_token}"}) as ws:
        ws.send(json.dumps({"op": "publish", "channel": channel, "data": data, "source": source}))
        # read it back, so the event is surely published before the socket closes
        ws.send(json.dumps({"op": "subscribe", "channels": [channel], "retained": True}))
        while True:
            got = json.loads(ws.recv(timeout=10))
            for event in got if isinstance(got, list) else [got]:
                if event.get("data") == data and event.get("source") == source:
                    return


def test_sidebar_groups_channels_by_notebook_and_reveals_tiles(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    publish_from_notebook(lab, "work/train.ipynb", "group/loss", 0.25)
    publish_from_notebook(lab, "work/train.ipynb", "group/acc", 0.75)
    publish_from_notebook(lab, "eval.ipynb", "group/score", 12)
    open_lab(page, lab)
    page.locator(".lm-TabBar-tab[data-id='jupyter-push-sidebar']").click()
    sidebar = page.locator("#jupyter-push-sidebar")
    train = sidebar.locator('.jp-Push-group[data-group="work/train.ipynb"]')
    expect(train.locator(".jp-Push-channel")).to_have_count(2)
    expect(train.locator(".jp-Push-channelName")).to_have_text(["group/acc", "group/loss"])
    expect(train.locator(".jp-Push-channelValue")).to_have_text(["0.75", "0.25"])
    evaluation = sidebar.locator('.jp-Push-group[data-group="eval.ipynb"]')
    expect(evaluation.locator(".jp-Push-channelName")).to_have_text(["group/score"])
    expect(train.locator(".jp-Push-age").first).to_have_text(re.compile(r"ago|just now"))

    publish_from_notebook(lab, "work/train.ipynb", "group/loss", 0.125)
    expect(train.locator('[data-channel="group/loss"] .jp-Push-channelValue')).to_have_text("0.125")

    train.locator('[data-channel="group/loss"]').click()
    dashboard = page.locator("#jupyter-push-dashboard")
    expect(tile(dashboard, "group/loss")).to_have_class(re.compile(r"jp-mod-flash"))
    expect(tile(dashboard, "group/loss")).to_be_in_viewport()


def test_tile_layout_is_kept_across_reloads(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    lab.publish(
        {"channel": "layout/a", "data": "a"},
        {"channel": "layout/b", "data": "b"},
        {"channel": "layout/c", "data": "c"},
    )
    open_lab(page, lab)
    dashboard = open_dashboard(page)
    tiles = dashboard.locator('.jp-Push-tile[data-channel^="layout/"]')
    expect(tiles).to_have_count(3)

    tile(dashboard, "layout/c").locator(".jp-Push-pin").click()
    tile(dashboard, "layout/b").locator(".jp-Push-hide").click()
    tile(dashboard, "layout/a").locator(".jp-Push-left").click()  # stops at the pinned tile
    expected = ["layout/c", "layout/a"]
    expect(tiles).to_have_count(2)
    assert [t.get_attribute("data-channel") for t in tiles.all()] == expected
    expect(dashboard.locator(".jp-Push-showHidden")).to_have_text("Hidden (1)")
    assert tiles.first.get_attribute("data-channel") == "layout/c"  # pinned: first of its group

    wait_for_saved_layout(lab, hidden="layout/b")
    page.reload()
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.evaluate(
        "async () => { await window.jupyterapp.started; await window.jupyterapp.restored; }"
    )
    dashboard = open_dashboard(page)
    expect(tiles).to_have_count(2)
    assert [t.get_attribute("data-channel") for t in tiles.all()] == expected
    expect(tile(dashboard, "layout/c")).to_have_class(re.compile(r"\bjp-mod-pinned\b"))

    dashboard.locator(".jp-Push-showHidden").click()
    dashboard.locator('.jp-Push-unhide[data-channel="layout/b"]').click()
    expect(tiles).to_have_count(3)


def wait_for_saved_layout(lab: LabServer, *, hidden: str, timeout: float = 20) -> None:
    """The layout lives in the workspace (IStateDB); wait until the server has it."""
    deadline = time.monotonic() + timeout
    headers = {"Authorization": f"token {lab.token}"}
    while time.monotonic() < deadline:
        r = httpx.get(lab.url + "lab/api/workspaces", headers=headers, timeout=5)
        if r.status_code == 200 and f'"{hidden}"' in r.text and "dashboard-layout" in r.text:
            return
        time.sleep(0.2)
    raise AssertionError("the dashboard layout was not saved to the workspace")


def test_panel_reconnects_after_server_restart(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    lab.publish(
        {"channel": "restart/progress", "data": 10}, {"channel": "restart/log", "data": "before"}
    )
    open_lab(page, lab)
    dashboard = open_dashboard(page)
    status = dashboard.locator(".jp-Push-status")
    expect(tile(dashboard, "restart/progress").locator(".jpt-progressText")).to_have_text("10%")
    expect(status).to_have_attribute("data-phase", "open")

    lab.stop()
    expect(status).not_to_have_attribute("data-phase", "open")
    screenshot(page, "lab_panel_disconnected.png")
    lab.start()  # same port, same token
    expect(status).to_have_attribute("data-phase", "open", timeout=45_000)

    lab.publish(
        {"channel": "restart/progress", "data": 75}, {"channel": "restart/log", "data": "after"}
    )
    # 10% before, 75% after: a rate and an ETA appear
    expect(tile(dashboard, "restart/progress").locator(".jpt-progressText")).to_have_text(
        re.compile(r"^75% · [0-9.]+%/s · ETA ")
    )
    expect(tile(dashboard, "restart/log").locator(".jpt-logLines")).to_have_text("before\nafter")
    screenshot(page, "lab_panel_after_restart.png")


def test_panel_shows_install_hint_without_server_extension(page: Any, tmp_path: Path) -> None:
    from playwright.sync_api import expect

    server = LabServer(tmp_path, push_enabled=False, base_url=BASE_URL)
    server.start()
    try:
        open_lab(page, server)
        dashboard = open_dashboard(page)
        expect(dashboard.locator(".jp-Push-status")).to_have_attribute("data-phase", "missing")
        expect(dashboard.locator(".jp-Push-hint")).to_have_text(
            "the jupyter_push server extension is not installed or enabled: "
            "pip install jupyter_push"
        )
        screenshot(page, "lab_panel_missing_extension.png")
    finally:
        server.stop()


def test_dashboard_works_in_notebook_7(page: Any, tmp_path: Path) -> None:
    """Notebook 7 keeps one main widget per page: the dashboard joins the tree page's tabs."""
    pytest.importorskip("notebook", minversion="7")
    from playwright.sync_api import expect

    server = LabServer(tmp_path, app="notebook", base_url=BASE_URL)
    server.start()
    try:
        server.publish({"channel": "nb7/progress", "data": 33})
        page.goto(f"{server.url}tree?token={server.token}")
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        page.evaluate("async () => { await window.jupyterapp.started; }")
        dashboard = open_dashboard(page)
        expect(page.locator(".lm-TabBar-tab", has_text="Live Dashboard")).to_be_visible()
        expect(dashboard.locator(".jp-Push-status")).to_have_attribute("data-phase", "open")
        server.publish({"channel": "nb7/progress", "data": 66})
        expect(tile(dashboard, "nb7/progress").locator(".jpt-progressText")).to_have_text(
            re.compile(r"^66%")
        )
        screenshot(page, "notebook7_dashboard.png")
    finally:
        server.stop()


def test_panel_works_with_cookie_auth_only(page: Any, tmp_path: Path) -> None:
    """As under JupyterHub: the page has no token, only its login cookie (and xsrf)."""
    from playwright.sync_api import expect

    server = LabServer(tmp_path, password="push-secret", base_url=BASE_URL)
    server.start()
    try:
        page.goto(f"{server.url}login?next={BASE_URL}lab")
        page.fill("#password_input", "push-secret")
        page.click("#login_submit")
        page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
        page.evaluate("async () => { await window.jupyterapp.started; }")
        assert page.evaluate("() => window.jupyterapp.serviceManager.serverSettings.token") == ""
        dashboard = open_dashboard(page)
        expect(dashboard.locator(".jp-Push-status")).to_have_attribute("data-phase", "open")
        server.publish({"channel": "cookie/log", "data": "seen with a cookie"})
        expect(tile(dashboard, "cookie/log").locator(".jpt-logLines")).to_have_text(
            "seen with a cookie"
        )
    finally:
        server.stop()


# ---------------------------------------------------------------------- controls

CONTROL_LOOP = """
import time
from jupyter_push import control, push
stop = control("lab/stop", False, kind="button", label="Stop")
rate = control("lab/rate", 0.5, kind="slider", min=0.0, max=1.0, label="Rate")
push("lab/ready", True)
while not stop.value:
    if rate.changed():
        push("lab/seen", rate.value)
    time.sleep(0.0005)
push("lab/done", {"ended": time.time(), "rate": rate.value})
"""


def run_cell(server: LabServer, code: str) -> tuple[Any, Any]:
    """Start a kernel on `server` and run `code` in it from a thread, as a notebook would:
    (the thread, which ends with the cell; a list that gets the execute reply)."""
    import threading
    import uuid

    import websocket

    auth = {"Authorization": f"token {server.token}"}
    kernel = httpx.post(server.url + "api/kernels", json={"name": "python3"}, headers=auth,
                        timeout=30).json()["id"]
    ws = websocket.create_connection(
        server.url.replace("http", "ws", 1) + f"api/kernels/{kernel}/channels",
        header=[f"Authorization: token {server.token}"], timeout=60)
    msg_id = uuid.uuid4().hex
    ws.send(json.dumps({
        "header": {"msg_id": msg_id, "msg_type": "execute_request", "session": "t",
                   "username": "t", "version": "5.3", "date": ""},
        "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
        "content": {"code": code, "silent": False, "store_history": False,
                    "user_expressions": {}, "allow_stdin": False, "stop_on_error": True}}))
    replies: list[dict] = []

    def wait_reply() -> None:
        while True:
            msg = json.loads(ws.recv())
            if msg.get("parent_header", {}).get("msg_id") == msg_id and \
                    msg["msg_type"] == "execute_reply":
                replies.append(msg["content"])
                ws.close()
                return

    thread = threading.Thread(target=wait_reply, daemon=True)
    thread.start()
    return thread, replies


def latest(server: LabServer, channel: str) -> Any:
    r = httpx.get(server.url + "push/channels", params={"channel": channel},
                  headers={"Authorization": f"token {server.token}"}, timeout=10)
    found = r.json()["channels"]
    return found[0]["last"]["data"] if found else None


def wait_for_latest(server: LabServer, channel: str, timeout: float = 60) -> Any:
    deadline = time.monotonic() + timeout
    while (value := latest(server, channel)) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    return value


def test_control_tiles_in_the_panel_steer_and_stop_a_running_cell(
    page: Any, lab: LabServer
) -> None:
    from playwright.sync_api import expect

    open_lab(page, lab)
    dashboard = open_dashboard(page)
    cell, replies = run_cell(lab, CONTROL_LOOP)
    assert wait_for_latest(lab, "lab/ready") is True
    rate = tile(dashboard, "$controls/lab/rate")
    slider = rate.locator("input[type=range]")
    expect(slider).to_be_enabled()
    slider.evaluate("""(input) => { input.value = "0.8";
        input.dispatchEvent(new Event("input")); input.dispatchEvent(new Event("change")); }""")
    expect(rate.locator(".jpt-control")).to_have_attribute("data-confirmed", "0.8")
    assert wait_for_latest(lab, "lab/seen") == 0.8  # the running cell read it
    stop = tile(dashboard, "$controls/lab/stop")
    button = stop.locator("button.jpt-controlButton")
    expect(button).to_be_enabled()
    clicked = time.time()
    button.click()
    cell.join(60)
    assert replies and replies[0]["status"] == "ok"  # the loop ended, the cell finished
    done = wait_for_latest(lab, "lab/done")
    assert done["rate"] == 0.8
    screenshot(page, "controls_lab_panel.png")
    print(f"\nlab panel click -> cell loop ended: {1000 * (done['ended'] - clicked):.1f} ms")


WIDGET_NOTEBOOK = {
    "cells": [
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "from jupyter_push.widgets import Button, Slider\n"
                   "stop = Button('wl/stop', label='Stop')\n"
                   "speed = Slider('wl/speed', 1, min=0, max=10, label='Speed')\n"
                   "display(stop, speed)"},
        {"cell_type": "code", "metadata": {}, "outputs": [], "execution_count": None,
         "source": "import time\nfrom jupyter_push import push\npush('wl/ready', True)\n"
                   "while not stop.value:\n"
                   "    if speed.changed():\n        push('wl/seen', speed.value)\n"
                   "    time.sleep(0.0005)\n"
                   "push('wl/done', {'ended': time.time(), 'speed': speed.value})"},
    ],
    "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                "language": "python"}},
    "nbformat": 4, "nbformat_minor": 5,
}


def test_control_widgets_steer_a_running_cell_through_the_server(
    page: Any, lab: LabServer
) -> None:
    """The widgets' front end publishes with the page's own credentials (a POST to push/events,
    not a comm message that would wait for the busy kernel)."""
    from playwright.sync_api import expect

    r = httpx.put(lab.url + "api/contents/widgets.ipynb", headers={
        "Authorization": f"token {lab.token}"}, timeout=10,
        json={"type": "notebook", "format": "json", "content": WIDGET_NOTEBOOK})
    assert r.status_code in (200, 201), r.text
    page.goto(f"{lab.url}lab/tree/widgets.ipynb?token={lab.token}")
    page.wait_for_function("() => window.jupyterapp !== undefined", timeout=60_000)
    page.wait_for_function(KERNEL_IDLE, timeout=90_000)
    posts: list[str] = []
    page.on("request", lambda r: posts.append(r.url) if r.method == "POST" else None)
    # (not awaited: it resolves when the cells finish, and the second one runs until stopped)
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:run-all-cells'); }")
    assert wait_for_latest(lab, "wl/ready") is True  # the loop runs
    notebook = page.locator(".jp-Notebook")
    speed = notebook.locator('.jpt-card[data-channel="$controls/wl/speed"]')
    slider = speed.locator("input[type=range]")
    expect(slider).to_be_enabled()
    slider.evaluate("""(input) => { input.value = "6";
        input.dispatchEvent(new Event("input")); input.dispatchEvent(new Event("change")); }""")
    assert wait_for_latest(lab, "wl/seen") == 6
    expect(speed.locator(".jpt-control")).to_have_attribute("data-confirmed", "6")
    button = notebook.locator('.jpt-card[data-channel="$controls/wl/stop"] button')
    clicked = time.time()
    button.click()
    done = wait_for_latest(lab, "wl/done")
    assert done["speed"] == 6
    assert any(url.split("?")[0].endswith("/push/events") for url in posts)
    screenshot(page, "controls_widgets.png")
    print(f"\nwidget click -> cell loop ended: {1000 * (done['ended'] - clicked):.1f} ms")
