"""Run health on a share link's viewer page, in real Chromium: a notify() from a kernel shows as
an alert, the kernel's tile turns dead with the reason when it is killed with SIGKILL, and a
watchdog alert appears and clears. Timings are printed, not asserted (a shared machine)."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.conftest import ARTIFACTS, needs_chromium
from tests.health.support import execute, start_session
from tests.support.shares import mint

pytestmark = [needs_chromium(), pytest.mark.timeout(180)]

NOTEBOOK = "work/health.ipynb"
WAIT_MS = 20_000


async def test_the_viewer_shows_notifications_kernel_death_and_watchdog_alerts(
        jp_fetch, jp_ws_fetch, jp_root_dir, jp_serverapp, http, browser):
    from playwright.async_api import expect

    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, NOTEBOOK)
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    link = await mint(http, "beat", "$notify", "$alerts/**", "$kernels/*")
    page = await browser.new_page()
    try:
        await page.goto(link["url"])
        # the link shows the kernels that push on its channels: this one once it beats
        await execute(channels, 'from jupyter_push import notify, expect as expect_events, push\n'
                                'push("beat", 0)')
        kernel = page.locator(f'.jpt-card[data-channel="$kernels/{kernel_id}"] .jpt-kernel')
        await expect(kernel).to_have_attribute("data-state", "idle", timeout=WAIT_MS)
        await expect(kernel.locator(".jpt-kernelNotebook")).to_have_text(NOTEBOOK)

        await execute(channels, 'notify("done", level="success")')
        alert = page.locator('#alerts .jpv-alert[data-channel="$notify"]').first
        await expect(alert).to_have_text("done", timeout=WAIT_MS)
        await expect(alert).to_have_attribute("data-level", "success")
        notices = page.locator('.jpt-card[data-channel="$notify"] .jpt-notice')
        await expect(notices.first).to_contain_text("done")

        # the watchdog: no "beat" for 0.5 s raises, a beat clears
        await execute(channels, 'expect_events("beat", every=0.5)')
        stalled = page.locator('.jpt-card[data-channel="$alerts/stalled/beat"] .jpt-notice')
        await expect(stalled.first).to_have_attribute("data-state", "raised", timeout=WAIT_MS)
        await expect(page.locator('#alerts .jpv-alert[data-channel="$alerts/stalled/beat"]')
                     .first).to_contain_text("no event")
        await execute(channels, 'push("beat", 1)')  # one beat: cleared (and raised again later)
        cleared = page.locator('.jpt-card[data-channel="$alerts/stalled/beat"] '
                               '.jpt-notice[data-state="cleared"]')
        await expect(cleared.first).to_contain_text("events again (beat)", timeout=WAIT_MS)
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "health-viewer-alerts.png"), full_page=True)

        pid = jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        await expect(kernel).to_have_attribute("data-state", "dead", timeout=WAIT_MS)
        print(f"\nviewer: kernel tile dead {time.monotonic() - killed:.2f} s after SIGKILL")
        await expect(kernel.locator(".jpt-kernelReason")).to_contain_text(
            "killed (SIGKILL), likely out of memory")
        await page.screenshot(path=str(ARTIFACTS / "health-viewer-dead.png"), full_page=True)
    finally:
        await page.close()
        channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
