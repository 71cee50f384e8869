"""Run health in JupyterLab, in real Chromium against a `jupyter lab` subprocess: notify() in a
notebook shows a toast; the panel's kernel tile turns dead with the reason when the kernel is
killed with SIGKILL; a tile's source badge opens the notebook at the cell that pushed it.
Timings are printed, not asserted (a shared machine)."""

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
from tests.browser.test_lab_panel import browser, jp_asyncio_loop, jp_server_cleanup, page  # noqa: F401
from tests.conftest import ARTIFACTS, needs_chromium
from tests.support.browser import open_notebook, run_all_cells

pytestmark = [needs_chromium(), pytest.mark.timeout(300)]

NOTEBOOK = "health.ipynb"
CELLS = [
    ("cell-push", "import os\nfrom jupyter_push import notify, push\n"
                  "push('prov/value', 1)\npush('prov/pid', os.getpid())"),
    ("cell-notify", "notify('done', level='success')"),
    ("cell-last", "x = 2"),
]


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LabServer]:
    root = tmp_path_factory.mktemp("health-lab")
    notebooks = root / "notebooks"
    notebooks.mkdir()
    (notebooks / NOTEBOOK).write_text(json.dumps({
        "nbformat": 4, "nbformat_minor": 5,
        "metadata": {"kernelspec": {"name": "python3", "display_name": "Python 3",
                                    "language": "python"}},
        "cells": [{"id": cid, "cell_type": "code", "metadata": {}, "source": src,
                   "outputs": [], "execution_count": None} for cid, src in CELLS],
    }))
    server = LabServer(root)
    server.start(notebooks)
    yield server
    server.stop()


def channel_last(lab: LabServer, channel: str) -> dict[str, Any]:
    r = httpx.get(lab.url + "push/channels", params={"channel": channel}, timeout=10,
                  headers={"Authorization": f"token {lab.token}"})
    [found] = r.json()["channels"]
    return dict(found["last"])


def test_toast_kernel_death_and_the_jump_to_the_cell(page: Any, lab: LabServer) -> None:  # noqa: F811
    from playwright.sync_api import expect

    open_notebook(page, lab.url, lab.token, NOTEBOOK)
    run_all_cells(page)

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

    # the kernel's tile: idle, then dead with the reason after a SIGKILL
    pid_event = channel_last(lab, "prov/pid")
    kernel_id = pid_event["source"]["kernel"]
    page.evaluate("async () => { await window.jupyterapp.commands.execute("
                  "'jupyter-push:open-dashboard'); }")
    kernel = dashboard.locator(f'.jp-Push-tile[data-channel="$kernels/{kernel_id}"] .jpt-kernel')
    expect(kernel).to_have_attribute("data-state", "idle", timeout=30_000)
    killed = time.monotonic()
    os.kill(pid_event["data"], signal.SIGKILL)
    expect(kernel).to_have_attribute("data-state", "dead", timeout=30_000)
    print(f"\npanel: kernel tile dead {time.monotonic() - killed:.2f} s after SIGKILL")
    expect(kernel.locator(".jpt-kernelReason")).to_contain_text("killed (SIGKILL)")
    page.screenshot(path=str(ARTIFACTS / "health-lab-dead.png"))
