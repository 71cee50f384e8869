"""Run health in JupyterLab, in real Chromium against a `jupyter lab` subprocess: notify() in a
notebook shows a toast; a tile's source badge opens the notebook at the cell that pushed it; the
panel groups tiles under the kernel that pushed them, headed by the notebook's name (a click
opens it) and the kernel's live state; a kernel killed with SIGKILL turns its header dead with
the reason, and its group can be dismissed; a shut-down kernel's group is greyed.
Timings are printed, not asserted (a shared machine).

The server runs with `KernelManager.autorestart=False`, so a killed kernel stays dead: with the
restarter, it may notice the death first and publish dead, restarting and starting within a few
milliseconds, which no page can show one by one (the header then says "restarted after: …")."""

from __future__ import annotations

import json
import os
import signal
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.browser.lab import LabServer
from tests.conftest import ARTIFACTS, needs_chromium
from tests.support.browser import open_lab_page, run_all_cells
from tests.support.playwright_sync import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401

pytestmark = [needs_chromium(), pytest.mark.timeout(300)]

NOTEBOOK = "health.ipynb"
CELLS = [
    ("cell-push", "import os\nfrom jupyter_push import notify, push\n"
                  "push('prov/value', 1)\npush('prov/pid', os.getpid())"),
    ("cell-notify", "notify('done', level='success')"),
    ("cell-last", "x = 2"),
]
OTHER = "other.ipynb"
OTHER_CELLS = [("other-push", "from jupyter_push import push\npush('other/value', 2)")]


def write_notebook(path: Any, cells: list[tuple[str, str]]) -> None:
    path.write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [{"id": cid, "cell_type": "code", "metadata": {}, "source": src,
                   "outputs": [], "execution_count": None} for cid, src in cells],
    }))


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    root = tmp_path_factory.mktemp("health-lab")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    write_notebook(notebooks / NOTEBOOK, CELLS)
    write_notebook(notebooks / OTHER, OTHER_CELLS)
    server = LabServer(root, extra_args=("--KernelManager.autorestart=False",))
    server.start(notebooks)
    yield server
    server.stop()


def channel_last(lab: LabServer, channel: str) -> dict[str, Any]:
    r = httpx.get(lab.url + "push/channels", params={"channel": channel}, timeout=10,
                  headers={"Authorization": f"token {lab.token}"})
    [found] = r.json()["channels"]
    return dict(found["last"])


def run_notebook(page: Any, path: str) -> None:
    """Open a notebook, wait for its kernel, run all its cells."""
    page.evaluate("async (path) => { await window.jupyterapp.commands.execute("
                  "'docmanager:open', { path }); }", path)
    page.wait_for_function(
        """(path) => {
            const panel = window.jupyterapp.shell.currentWidget;
            const kernel = panel && panel.context && panel.context.path === path
                && panel.sessionContext && panel.sessionContext.session
                && panel.sessionContext.session.kernel;
            return kernel && kernel.status === 'idle';
        }""",
        arg=path,
        timeout=90_000,
    )
    run_all_cells(page)


def current_path(page: Any) -> str | None:
    return page.evaluate("() => { const w = window.jupyterapp.shell.currentWidget;"
                         " return w && w.context ? w.context.path : null; }")


def test_toast_groups_kernel_death_and_the_jumps(page: Any, lab: LabServer) -> None:
    from playwright.sync_api import expect

    open_lab_page(page, f"{lab.url}lab?token={lab.token}")
    run_notebook(page, NOTEBOOK)

    # notify("done", level="success") in the notebook → a JupyterLab toast linking back
    toast = page.locator(".Toastify__toast", has_text="done")
    expect(toast).to_be_visible(timeout=30_000)
    expect(toast.get_by_role("button", name=f"Open {NOTEBOOK}")).to_be_visible()

    # the panel: the tile's source badge names the cell; clicking it selects that cell
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'jupyter-push:open-dashboard'); }")
    dashboard = page.locator("#jupyter-push-dashboard")
    badge = dashboard.locator('.jp-Push-tile[data-channel="prov/value"] .jp-Push-source')
    expect(badge).to_have_text("[1]", timeout=30_000)
    expect(badge).to_have_attribute("data-cell", "cell-push")
    active = page.locator(".jp-Notebook .jp-Cell.jp-mod-active")
    badge.click()
    expect(active).to_contain_text("push('prov/value', 1)", timeout=30_000)
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "health-lab-jump.png"))

    # a second notebook's kernel: two groups, each under its notebook's name and state
    run_notebook(page, OTHER)
    pid_event = channel_last(lab, "prov/pid")
    kernel_id = pid_event["source"]["kernel"]
    other_id = channel_last(lab, "other/value")["source"]["kernel"]
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'jupyter-push:open-dashboard'); }")
    group = dashboard.locator(f'.jpt-group[data-kernel="{kernel_id}"]')
    other = dashboard.locator(f'.jpt-group[data-kernel="{other_id}"]')
    kernel = group.locator(":scope > .jpt-kernel")
    expect(kernel).to_have_attribute("data-state", "idle", timeout=30_000)
    expect(other.locator(":scope > .jpt-kernel")).to_have_attribute("data-state", "idle")
    expect(group.locator('.jp-Push-tile[data-channel="prov/value"]')).to_be_visible()
    expect(other.locator('.jp-Push-tile[data-channel="other/value"]')).to_be_visible()
    assert group.locator('.jp-Push-tile[data-channel="other/value"]').count() == 0
    assert dashboard.locator(f'.jp-Push-tile[data-channel="$kernels/{kernel_id}"]').count() == 0
    notebook_name = kernel.locator(".jpt-kernelNotebook")
    expect(notebook_name).to_contain_text(NOTEBOOK)
    expect(other.locator(".jpt-kernelNotebook")).to_contain_text(OTHER)
    print(f"\nthe kernel names its notebook as {notebook_name.text_content()!r}")

    # the header's notebook name opens that notebook
    assert current_path(page) != NOTEBOOK
    notebook_name.click()
    page.wait_for_function("(path) => { const w = window.jupyterapp.shell.currentWidget;"
                           " return w && w.context && w.context.path === path; }",
                           arg=NOTEBOOK, timeout=30_000)
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'jupyter-push:open-dashboard'); }")
    page.screenshot(path=str(ARTIFACTS / "health-lab-groups-light.png"))

    # SIGKILL: the header turns dead with the reason, and the group can be dismissed
    killed = time.monotonic()
    os.kill(pid_event["data"], signal.SIGKILL)
    expect(kernel).to_have_attribute("data-state", "dead", timeout=30_000)
    print(f"panel: kernel header dead {time.monotonic() - killed:.2f} s after SIGKILL")
    expect(kernel.locator(".jpt-kernelReason")).to_contain_text("killed (SIGKILL)")
    expect(kernel.locator(".jpt-kernelReason")).to_contain_text("exit code -9")
    page.screenshot(path=str(ARTIFACTS / "health-lab-dead.png"))

    # shut down on purpose: greyed, folded, dismissable
    r = httpx.delete(f"{lab.url}api/kernels/{other_id}", timeout=30,
                     headers={"Authorization": f"token {lab.token}"})
    assert r.status_code == 204, r.text
    other_kernel = other.locator(":scope > .jpt-kernel")
    expect(other_kernel).to_have_attribute("data-ended", "shutdown", timeout=30_000)
    expect(other_kernel.locator(".jpt-kernelState")).to_have_text("shut down")
    expect(other.locator('.jp-Push-tile[data-channel="other/value"]')).to_be_hidden()
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'apputils:change-theme', { theme: 'JupyterLab Dark' }); }")
    page.wait_for_function("() => document.body.dataset.jpThemeLight === 'false'")
    page.locator("#jupyterlab-splash").wait_for(state="detached")
    page.screenshot(path=str(ARTIFACTS / "health-lab-groups-dark.png"))

    kernel.get_by_role("button", name="Dismiss").click()
    expect(group).to_have_count(0)
    assert dashboard.locator('.jp-Push-tile[data-channel="prov/value"]').count() == 0
    expect(other).to_have_count(1)

    # going to a tile of a folded group (the sidebar's jump) unfolds it
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'jupyter-push:open-dashboard', { channel: 'other/value' }); }")
    expect(other.locator('.jp-Push-tile[data-channel="other/value"]')).to_be_visible()
    expect(other.locator(".jpt-groupToggle")).to_have_attribute("aria-expanded", "true")
