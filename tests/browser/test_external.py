"""External pages in real Chromium: a page served from another origin follows a share link with
a plain EventSource; the zero-install viewer renders the same link; client.js resumes after a
drop; a foreign page cannot ride the Jupyter login cookie. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest

from tests.conftest import needs_chromium, publish
from tests.support.browser import mint, shot
from tests.support.kernels import execute

pytestmark = [needs_chromium(), pytest.mark.timeout(120)]

WAIT_MS = 10_000


async def test_a_page_on_another_origin_follows_a_share_link_with_plain_eventsource(
    http, push_url, other_origin, browser
):
    await publish(http, "progress", 40)
    await publish(http, "secret", "must not show")
    link = await mint(http, "progress", "train/**")
    assert not push_url.startswith(other_origin)
    page = await browser.new_page()
    await page.goto(f"{other_origin}/external_dashboard.html#{quote(link['url'], safe='')}")
    status = page.locator("#status")
    await status.filter(has_text="live").wait_for(timeout=WAIT_MS)
    progress = page.locator('.tile[data-channel="progress"] .value')
    await progress.filter(has_text="40%").wait_for(timeout=WAIT_MS)  # the retained value

    for step, loss in enumerate([0.9, 0.5, 0.3]):
        await publish(http, "train/loss", loss)
        await publish(http, "progress", 50 + 10 * step)
    await publish(http, "secret", "still hidden")
    await progress.filter(has_text="70%").wait_for(timeout=WAIT_MS)
    await page.locator('.tile[data-channel="train/loss"] .value').filter(
        has_text="0.3"
    ).wait_for(timeout=WAIT_MS)
    await page.screenshot(path=shot("external_dashboard.png"), full_page=True)

    assert await page.locator('.tile[data-channel="secret"]').count() == 0
    assert "secret" not in await page.locator("#log").inner_text()
    assert await page.evaluate("location.origin") == other_origin


async def test_the_share_link_opened_in_a_browser_is_a_live_mobile_viewer(http, browser):
    await publish(http, "train/progress", {"value": 30, "total": 120, "rate": 12.5, "eta": 7.2})
    link = await mint(http, "train/**", "log")
    context = await browser.new_context(viewport={"width": 390, "height": 844},
                                        device_scale_factor=2, is_mobile=True, has_touch=True)
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    streams: list[str] = []
    page.on("request", lambda r: r.resource_type == "eventsource" and streams.append(r.url))
    await page.goto(link["url"])

    bar = page.locator('[data-channel="train/progress"]')
    await bar.locator(".jpt-progressText").filter(has_text="30 / 120 (25%)").wait_for(
        timeout=WAIT_MS
    )
    await page.locator("#status").filter(has_text="live").wait_for(timeout=WAIT_MS)
    # the page draws latest values: it asks the server for conflation (see README)
    assert streams and all("max_rate=30" in url for url in streams), streams
    for loss in (1.0, 0.7, 0.45, 0.4, 0.2):
        await publish(http, "train/loss", loss)
    for line in ("epoch 1 done", "epoch 2 done"):
        await publish(http, "log", line)
    await publish(http, "train/progress", {"value": 90, "total": 120, "rate": 12.5, "eta": 2.4})
    await bar.locator(".jpt-progressText").filter(has_text="(75%)").wait_for(timeout=WAIT_MS)
    loss = page.locator('[data-channel="train/loss"]')
    await loss.locator(".jpt-legendItem").filter(has_text="0.2").wait_for(timeout=WAIT_MS)
    assert await loss.get_attribute("data-kind") == "chart"
    await loss.locator(".jpt-range").filter(has_text="5 points").wait_for(timeout=WAIT_MS)
    log = page.locator('[data-channel="log"] .jpt-logLines')
    await log.filter(has_text="epoch 2 done").wait_for(timeout=WAIT_MS)
    assert (await log.inner_text()).splitlines() == ["epoch 1 done", "epoch 2 done"]
    await page.screenshot(path=shot("share_viewer_mobile.png"), full_page=True)
    assert errors == []

    # Revoking every link stops the page and it says why.
    assert (await http.post("tokens/revoke")).status_code == 200
    await page.locator("#status").filter(has_text="revoked").wait_for(timeout=WAIT_MS)
    await page.screenshot(path=shot("share_viewer_revoked.png"))
    await context.close()


CLIENT_DEMO = """
async ([push, token]) => {
  const { connect } = await import(`${push}client.js?access=${token}`);
  window.got = [];
  window.live = connect(`${push}events?access=${token}&channel=progress`);
  live.on("progress", (data) => got.push(data));
  live.onStatus((status) => { window.status = status; });
}
"""


async def test_client_js_from_another_origin_resumes_after_a_drop_without_losing_events(
    http, push_url, push_app, other_origin, browser
):
    await publish(http, "progress", 1)
    link = await mint(http, "progress", "extra")
    page = await browser.new_page()
    await page.goto(f"{other_origin}/external_dashboard.html")
    await page.evaluate(CLIENT_DEMO, [push_url, link["token"]])
    await page.wait_for_function("window.got.length === 1 && window.status === 'open'",
                                 timeout=WAIT_MS)
    await publish(http, "progress", 2)
    await page.wait_for_function("window.got.length === 2", timeout=WAIT_MS)

    for close in list(push_app.state.closers):  # the server drops every stream
        close()
    for value in (3, 4, 5):  # published while the page is disconnected
        await publish(http, "progress", value)
    await page.wait_for_function("window.got.length >= 5", timeout=WAIT_MS)
    await publish(http, "progress", 6)
    await page.wait_for_function("window.got.length >= 6", timeout=WAIT_MS)
    assert await page.evaluate("window.got") == [1, 2, 3, 4, 5, 6]

    await publish(http, "extra", "late subscription")  # subscribe() delivers retained values
    got_extra = "window.extra && window.extra.length === 1"
    await page.evaluate("""() => {
      window.extra = [];
      live.on("extra", (d) => extra.push(d));
      live.subscribe("extra");
    }""")
    await page.wait_for_function(got_extra, timeout=WAIT_MS)
    assert await page.evaluate("window.extra") == ["late subscription"]


SOCKET_PROBE = """
async (url) => new Promise((resolve) => {
  const ws = new WebSocket(url);
  ws.onopen = () => { ws.close(); resolve("open"); };
  ws.onerror = () => resolve("refused");
})
"""


async def test_a_foreign_page_cannot_open_a_websocket_with_the_login_cookie(
    http, push_url, jupyter_token, other_origin, browser
):
    context = await browser.new_context()
    page = await context.new_page()
    server_root = push_url[: -len("push/")]
    await page.goto(f"{server_root}api/me?token={jupyter_token}")  # log in: sets the cookie
    cookies = await context.cookies(server_root)
    assert any(c["name"].startswith("username-") for c in cookies)
    ws = push_url.replace("http://", "ws://") + "ws"
    await page.goto(f"{push_url}events")  # the viewer, a page of the server's own origin
    assert await page.evaluate(SOCKET_PROBE, ws) == "open"  # same origin: a normal session

    await page.goto(f"{other_origin}/external_dashboard.html")
    assert await page.evaluate(SOCKET_PROBE, ws) == "refused"
    link = await mint(http, "progress")
    assert await page.evaluate(SOCKET_PROBE, f"{ws}?access={link['token']}") == "open"
    assert json.loads(await page.evaluate(
        "async (u) => JSON.stringify((await fetch(u)).status)", link["url"].replace(
            "/events?", "/channels?"))) == 200
    await context.close()


async def test_the_plain_eventsource_page_resumes_across_origins_after_a_drop(
    http, push_app, other_origin, browser
):
    link = await mint(http, "progress")
    page = await browser.new_page()
    await page.goto(f"{other_origin}/external_dashboard.html#{quote(link['url'], safe='')}")
    await page.locator("#status").filter(has_text="live").wait_for(timeout=WAIT_MS)
    await publish(http, "progress", 10)
    log = page.locator("#log")
    await log.filter(has_text="progress  10").wait_for(timeout=WAIT_MS)

    for close in list(push_app.state.closers):  # the server drops every stream
        close()
    for value in (20, 30):  # missed while disconnected: the browser resumes with Last-Event-ID,
        await publish(http, "progress", value)  # a cross-origin header that needs a preflight
    await log.filter(has_text="progress  30").wait_for(timeout=WAIT_MS)
    lines = (await log.inner_text()).splitlines()
    assert [line.split()[-1] for line in lines] == ["30", "20", "10"]  # newest first, no repeats


async def test_a_team_dashboard_on_another_origin_can_embed_the_viewer(
    http, other_origin, browser
):
    await publish(http, "progress", 64)
    link = await mint(http, "progress")
    page = await browser.new_page()
    await page.goto(f"{other_origin}/external_dashboard.html")
    await page.evaluate("""(url) => {
      const frame = document.createElement("iframe");
      frame.src = url;
      frame.style = "width: 400px; height: 300px";
      document.body.prepend(frame);
    }""", link["url"])
    viewer = page.frame_locator("iframe")
    await viewer.locator('[data-channel="progress"] .jpt-progressText').filter(
        has_text="64%"
    ).wait_for(
        timeout=WAIT_MS
    )
    await page.screenshot(path=shot("viewer_embedded.png"))


async def test_a_link_shared_from_a_kernel_shows_what_the_kernel_pushes(
    notebook_kernel, jp_root_dir, jupyter_token, browser
):
    async with notebook_kernel() as (_kernel_id, channels):
        await execute(channels, "\n".join([
            "from jupyter_push import push, share, flush",
            'link = share("train/**", ttl=600)',
            'open("link.txt", "w").write(link)',
            'bundle = link._repr_mimebundle_()',
            'assert "<svg" in bundle["text/html"] and link in bundle["text/plain"]',
        ]))
        link = (jp_root_dir / "notebooks" / "link.txt").read_text()
        assert jupyter_token not in link
        page = await browser.new_page()
        await page.goto(link)
        await page.locator("#status").filter(has_text="live").wait_for(timeout=WAIT_MS)
        await execute(channels, "\n".join([
            "for i in range(1, 6):",
            '    push("train/progress", {"value": i, "total": 5})',
            '    push("train/log", f"step {i}")',
            "flush()",
        ]))
        card = page.locator('[data-channel="train/progress"] .jpt-progressText')
        await card.filter(has_text="5 / 5 (100%)").wait_for(timeout=WAIT_MS)
        log = page.locator('[data-channel="train/log"] .jpt-logLines')
        await log.filter(has_text="step 5").wait_for(timeout=WAIT_MS)
        assert (await log.inner_text()).splitlines() == [f"step {i}" for i in range(1, 6)]
        await page.screenshot(path=shot("viewer_from_kernel.png"), full_page=True)
