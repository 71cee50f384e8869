"""Run health on a share link's viewer page, in real Chromium: channels grouped under the kernel
that pushed them, each group headed by its notebook and live state badge; a notify() from a
kernel shows as an alert; a watchdog alert appears and clears; a kernel killed with SIGKILL turns
its header dead with the reason and can be dismissed (and stays dismissed on reload); a
shut-down kernel's group is greyed and folded. Timings are printed, not asserted (a shared
machine).

The killed kernel's restarter is stopped first, so it stays dead: with it running, the restarter
may notice the death first and publish dead, restarting and starting within a few milliseconds,
which no page can show one by one (the header then says "restarted after: <reason>")."""

from __future__ import annotations

import os
import signal
import time

import pytest

from tests.conftest import ARTIFACTS, needs_chromium
from tests.health.support import execute, restart_finished, start_session
from tests.support.shares import mint

pytestmark = [needs_chromium(), pytest.mark.timeout(240)]

NOTEBOOK = "work/health.ipynb"
OTHER = "work/other.ipynb"
WAIT_MS = 20_000


async def test_the_viewer_groups_kernels_and_shows_notifications_death_and_alerts(
        jp_fetch, jp_ws_fetch, jp_root_dir, jp_serverapp, http, browser, tmp_path):
    from playwright.async_api import expect

    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, NOTEBOOK)
    other_id = await start_session(jp_fetch, OTHER)
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    other_channels = await jp_ws_fetch("api", "kernels", other_id, "channels")
    await execute(channels, 'from jupyter_push import push\npush("train/a", 1)')
    await execute(other_channels, 'from jupyter_push import push\npush("train/b", 2)')
    link = await mint(http, "beat", "train/*", "$notify", "$alerts/**", "$kernels/**")
    page = await browser.new_page(viewport={"width": 1100, "height": 900})
    try:
        await page.goto(link["url"])
        # one group per kernel: its notebook, its state badge, its channels
        group = page.locator(f'.jpt-group[data-kernel="{kernel_id}"]')
        other = page.locator(f'.jpt-group[data-kernel="{other_id}"]')
        kernel = group.locator(":scope > .jpt-kernel")
        await expect(kernel).to_have_attribute("data-state", "idle", timeout=WAIT_MS)
        await expect(kernel.locator(".jpt-kernelNotebook")).to_have_text(NOTEBOOK)
        await expect(kernel.locator(".jpt-kernelState")).to_have_text("idle")
        await expect(group.locator('.jpt-card[data-channel="train/a"]')).to_be_visible()
        await expect(other.locator(":scope > .jpt-kernel")).to_have_attribute("data-state", "idle")
        await expect(other.locator(".jpt-kernelNotebook")).to_have_text(OTHER)
        await expect(other.locator('.jpt-card[data-channel="train/b"]')).to_be_visible()
        assert await group.locator('.jpt-card[data-channel="train/b"]').count() == 0
        # the state is the header, not a tile of its own; the resources are in the header too
        assert await page.locator(f'.jpt-card[data-channel="$kernels/{kernel_id}"]').count() == 0
        await expect(kernel.locator(".jpt-kernelDetail")).to_contain_text("MiB", timeout=WAIT_MS)

        await execute(channels, 'from jupyter_push import notify, expect as expect_events\n'
                                'notify("done", level="success")')
        alert = page.locator('#alerts .jpv-alert[data-channel="$notify"]').first
        await expect(alert).to_have_text("done", timeout=WAIT_MS)
        await expect(alert).to_have_attribute("data-level", "success")
        notices = page.locator('.jpt-group[data-group="notices"] '
                               '.jpt-card[data-channel="$notify"] .jpt-notice')
        await expect(notices.first).to_contain_text("done")
        # the execution count, heard from the kernel while the page watches it
        await expect(kernel.locator(".jpt-kernelDetail")).to_contain_text("[2]")

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

        manager = jp_serverapp.kernel_manager.get_kernel(kernel_id)
        manager.stop_restarter()
        pid = manager.provisioner.pid
        killed = time.monotonic()
        os.kill(pid, signal.SIGKILL)
        await expect(kernel).to_have_attribute("data-state", "dead", timeout=WAIT_MS)
        print(f"\nviewer: kernel header dead {time.monotonic() - killed:.2f} s after SIGKILL")
        await expect(kernel.locator(".jpt-kernelReason")).to_contain_text(
            "killed (SIGKILL), likely out of memory")
        await expect(kernel.locator(".jpt-kernelReason")).to_contain_text("exit code")
        await expect(group.locator('.jpt-card[data-channel="train/a"]')).to_be_visible()
        await page.screenshot(path=str(ARTIFACTS / "health-viewer-dead.png"), full_page=True)

        # killed with its restarter on: however quickly it came back, the header says why
        other_kernel = other.locator(":scope > .jpt-kernel")
        os.kill(jp_serverapp.kernel_manager.get_kernel(other_id).provisioner.pid, signal.SIGKILL)
        await expect(other_kernel.locator(".jpt-kernelDetail")).to_contain_text(
            "1 restart", timeout=WAIT_MS)
        await expect(other_kernel).to_have_attribute("data-state", "idle", timeout=WAIT_MS)
        await expect(other_kernel.locator(".jpt-kernelReason")).to_have_text(
            "restarted after: killed (SIGKILL), likely out of memory · exit code -9")

        # shut down on purpose: greyed and folded (its channels out of the way), dismissable
        await restart_finished(jp_serverapp, other_id)
        await jp_fetch("api", "kernels", other_id, method="DELETE")
        await expect(other_kernel).to_have_attribute("data-ended", "shutdown", timeout=WAIT_MS)
        await expect(other_kernel.locator(".jpt-kernelState")).to_have_text("shut down")
        await expect(other.locator('.jpt-card[data-channel="train/b"]')).to_be_hidden()
        await expect(other_kernel.get_by_role("button", name="Dismiss")).to_be_visible()
        await page.screenshot(path=str(ARTIFACTS / "health-viewer-groups-light.png"),
                              full_page=True)
        await page.emulate_media(color_scheme="dark")
        await page.screenshot(path=str(ARTIFACTS / "health-viewer-groups-dark.png"),
                              full_page=True)

        # a saved snapshot keeps the groups, their headers and their channels
        async with page.expect_download() as download:
            await page.locator("#save").click()
        saved = tmp_path / "run.html"
        await (await download.value).save_as(saved)
        offline = await browser.new_context(offline=True)
        snap = await offline.new_page()
        await snap.goto(saved.as_uri())
        snapped = snap.locator(f'.jpt-group[data-kernel="{kernel_id}"]')
        await expect(snapped.locator(":scope > .jpt-kernel")).to_have_attribute(
            "data-state", "dead", timeout=WAIT_MS)
        await expect(snapped.locator(".jpt-kernelReason")).to_contain_text("killed (SIGKILL)")
        await expect(snapped.locator('.jpt-card[data-channel="train/a"]')).to_be_visible()
        await expect(snap.locator(f'.jpt-group[data-kernel="{other_id}"] > .jpt-kernel')
                     ).to_have_attribute("data-ended", "shutdown")
        assert await snap.locator('.jpt-card[data-channel^="$kernels/"]'
                                  ':not([data-channel$="/resources"])').count() == 0
        await offline.close()

        # dismissing the dead kernel's group takes its channels with it, also after a reload
        await kernel.get_by_role("button", name="Dismiss").click()
        await expect(group).to_have_count(0)
        assert await page.locator('.jpt-card[data-channel="train/a"]').count() == 0
        await page.reload()
        await expect(other_kernel).to_have_attribute("data-ended", "shutdown", timeout=WAIT_MS)
        await expect(page.locator('.jpt-card[data-channel="$notify"]')).to_have_count(1)
        assert await group.count() == 0
        for gone in ("train/a", "beat"):  # pushed by the dismissed kernel: its channels
            assert await page.locator(f'.jpt-card[data-channel="{gone}"]').count() == 0
    finally:
        await page.close()
        channels.close()
        other_channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
