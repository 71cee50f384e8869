"""The tile library in real Chromium, on the share-link viewer: every tile kind, light and dark
(prefers-color-scheme), the run so far drawn from history, hover read-out and smoothing, Show
as…, the shared fixture decided in the browser, and a saved snapshot opened offline showing the
same tiles. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from tests.client.test_cli import run as run_cli
from tests.conftest import ARTIFACTS, ROOT, needs_chromium, publish
from tests.support.shares import mint

pytestmark = [needs_chromium(), pytest.mark.timeout(180)]

WAIT_MS = 10_000
CASES = json.loads((ROOT / "tests" / "fixtures" / "tiles.json").read_text())["cases"]
# a 2×2 PNG (red, green / blue, white)
PNG = base64.b64encode(bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000002000000020802000000fdd49a73"
    "0000001649444154789c63f8cfc0f01f0418189818fe030009f401fe6a1c4b1c0000000049454e44ae426082"
)).decode()


def shot(name: str) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return str(ARTIFACTS / name)


async def publish_every_kind(http) -> None:
    await publish(http, "t/progress", 40)
    await publish(http, "t/workers", {"w1": {"value": 1, "total": 4, "label": "worker 1"},
                                      "w2": {"value": 3, "total": 4, "label": "worker 2"}})
    for step in range(30):  # before the page opens: drawn from history
        await publish(http, "t/train", {"step": step, "loss": 2 / (step + 1), "acc": step / 30})
    await publish(http, "t/epoch", 3)
    await publish(http, "t/epoch", 4)
    for line in ("epoch 1 ok", "epoch 2 error: nan", "epoch 3 ok"):
        await publish(http, "t/log", line)
    await publish(http, "t/results", [{"id": 1, "name": "a", "score": 0.5},
                                      {"id": 2, "name": "b", "score": 0.9}])
    await publish(http, "t/results", {"id": 1, "name": "a", "score": 0.7})  # upsert by id
    await publish(http, "t/sample", {"image/png": PNG})
    await publish(http, "t/config", {"model": {"layers": [64, 32], "act": "relu"}})


async def test_the_browser_decides_every_fixture_case(http, push_url, browser):
    link = await mint(http, "t/**")
    page = await browser.new_page()
    await page.goto(link["url"])
    got = await page.evaluate(
        "async ([url, cases]) => { const t = await import(url);"
        " return cases.map(c => t.decide(c.channel, c.data)); }",
        [f"{push_url}tiles.js?access={link['token']}", CASES],
    )
    assert got == [c["tile"] for c in CASES]
    # an image over the size limit says so in the tile
    error = await page.evaluate(
        """async ([url, png]) => {
          const t = await import(url);
          const card = new t.Card({ channel: 'big', limits: { imageBytes: 10 } });
          document.body.append(card.node);
          card.push({ channel: 'big', data: { 'image/png': png }, time: 0 });
          t.drawDirty();
          return card.node.querySelector('.jpt-error').textContent;
        }""",
        [f"{push_url}tiles.js?access={link['token']}", PNG],
    )
    assert error.startswith("Image too large: ") and "limit 10 B" in error


LONG_CHART = """async ([url, n]) => {
  const t = await import(url);
  const card = new t.Card({ channel: 'long', limits: { points: n } });
  card.node.style.width = '420px';
  document.body.append(card.node);
  // noisy integers, so the read-out can be checked exactly: loss(step) = (37 step mod 101) + 1
  for (let step = 0; step < n; step++) {
    card.push({ channel: 'long', data: { step, loss: (37 * step) % 101 + 1 }, time: 0 });
  }
  t.drawDirty();
  window.longCard = card;
}"""

# the plot's width and the vertices of its lines (raw, smoothed), once the card has drawn
LONG_PATHS = """() => {
  const node = window.longCard.node;
  const count = el => (el.getAttribute('d') || '').match(/[ML]/g)?.length ?? 0;
  return { width: node.querySelector('.jpt-plot').getBoundingClientRect().width,
           raw: count(node.querySelectorAll('.jpt-plotLine')[0]),
           smoothed: count(node.querySelectorAll('.jpt-plotLine')[1]),
           range: node.querySelector('.jpt-range').textContent };
}"""


async def test_a_chart_of_many_thousand_points_draws_a_path_bounded_by_its_width(
    http, push_url, browser
):
    link = await mint(http, "t/**")
    page = await browser.new_page(viewport={"width": 800, "height": 600})
    await page.goto(link["url"])
    n = 20_000
    await page.evaluate(LONG_CHART, [f"{push_url}tiles.js?access={link['token']}", n])
    await page.wait_for_function(
        "() => window.longCard.node.querySelector('.jpt-range').textContent"
        ".startsWith('20000 points')"
    )
    paths = await page.evaluate(LONG_PATHS)
    columns = round(paths["width"]) - 54  # the plot's margins (chart.js PAD)
    assert paths["range"] == "20000 points · min 1 · max 101"
    assert 0 < paths["raw"] <= 2 * (columns + 1), paths
    assert paths["smoothed"] == 0

    # the hover read-out reads the data, not the path: exact at whichever step it lands on
    plot = page.locator(".jpt-card[data-channel='long'] .jpt-plot")
    box = await plot.bounding_box()
    assert box is not None
    readout = page.locator(".jpt-card[data-channel='long'] .jpt-readout")
    handle = await readout.element_handle()
    for fraction in (0.3, 0.61, 0.9):
        await page.mouse.move(box["x"] + 46 + fraction * columns, box["y"] + box["height"] / 2)
        near = [round((fraction - 0.02) * n), round((fraction + 0.02) * n)]
        await page.wait_for_function(
            "([el, [lo, hi]]) => { const m = el.textContent.match(/^step (\\d+) /);"
            " return m !== null && +m[1] >= lo && +m[1] <= hi; }",
            arg=[handle, near], timeout=WAIT_MS,
        )
        text = await readout.inner_text()
        step = int(text.split(" ")[1])
        assert text == f"step {step} · loss {(37 * step) % 101 + 1}"

    # smoothing and log scale draw bounded paths too
    card = page.locator(".jpt-card[data-channel='long']")
    await card.locator(".jpt-smoothing").evaluate(
        "(el) => { el.value = '0.9'; el.dispatchEvent(new Event('input')); }"
    )
    await card.locator(".jpt-logScale").check()
    await page.wait_for_function(
        "() => (window.longCard.node.querySelectorAll('.jpt-plotLine')[1].getAttribute('d') || '')"
        ".length > 0"
    )
    paths = await page.evaluate(LONG_PATHS)
    assert 0 < paths["raw"] <= 2 * (columns + 1), paths
    assert 0 < paths["smoothed"] <= 2 * (columns + 1), paths
    await page.close()


LOG_RUN = """async (url) => {
  const t = await import(url);
  const card = new t.Card({ channel: 'run/log', limits: { lines: 50 } });
  document.body.append(card.node);
  card.push({ channel: 'run/log', data: 'line 0', time: 0 });  // makes the tile
  const pre = card.node.querySelector('.jpt-logLines');
  const count = card.node.querySelector('.jpt-lineCount');
  const filter = card.node.querySelector('.jpt-filter');
  const follow = card.node.querySelector('.jpt-follow');
  const all = ['line 0'];
  const wrong = [];
  let paused = '';
  const check = (what, lines) => {
    const want = lines.slice(-50);
    if (pre.textContent !== want.join('\\n')) wrong.push(`${what}: text after line ${all.length}`);
    const label = `${want.length} lines`;
    if (!count.textContent.startsWith(label)) wrong.push(`${what}: ${count.textContent}`);
  };
  // batches of 1 to 40 lines (some events of several lines, some empty lines), drawn after each:
  // the tile appends the new lines and cuts the oldest, across the library's trims of its store
  let n = 1;
  for (let batch = 0; batch < 60; batch++) {
    for (let k = 0; k < 1 + (batch * 7) % 40; k++) {
      const text = n % 13 === 0 ? `line ${n}\\nline ${n + 1}` : n % 17 === 0 ? '' : `line ${n}`;
      card.push({ channel: 'run/log', data: text, time: 0 });
      all.push(...text.split('\\n'));
      n += text.includes('\\n') ? 2 : 1;
    }
    t.drawDirty();
    if (batch === 40) follow.click();  // following again: the lines since the pause, at once
    if (batch <= 30 || batch >= 40) check('live', all);
    if (batch === 20) {
      filter.value = '7';
      filter.dispatchEvent(new Event('input'));
      check('filtered', all.slice(-50).filter(l => l.includes('7')));
      filter.value = '';
      filter.dispatchEvent(new Event('input'));
      check('filter cleared', all);
    }
    if (batch === 30) { follow.click(); paused = pre.textContent; }  // paused: the text stays
    if (batch > 30 && batch < 40 && pre.textContent !== paused) wrong.push(`paused: ${batch}`);
  }
  return { wrong, lines: all.length, shown: pre.textContent.split('\\n').length };
}"""


async def test_a_long_log_draws_its_last_lines_as_they_come(http, push_url, browser):
    link = await mint(http, "t/**")
    page = await browser.new_page()
    await page.goto(link["url"])
    result = await page.evaluate(LOG_RUN, f"{push_url}tiles.js?access={link['token']}")
    assert result["wrong"] == []
    assert result["lines"] > 1000 and result["shown"] == 50
    await page.close()


@pytest.mark.parametrize("scheme", ["light", "dark"])
async def test_every_tile_in_the_viewer(http, browser, scheme, tmp_path):
    await publish_every_kind(http)
    link = await mint(http, "t/**")
    context = await browser.new_context(
        color_scheme=scheme, viewport={"width": 1280, "height": 1100}, accept_downloads=True
    )
    page = await context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: m.type == "error" and errors.append(m.text))
    await page.goto(link["url"])
    await page.locator("#status").filter(has_text="live").wait_for(timeout=WAIT_MS)

    def card(channel: str):
        return page.locator(f'.jpt-card[data-channel="{channel}"]')

    progress = card("t/progress")
    await progress.locator('.jpt-bar[aria-valuenow="40"]').wait_for(timeout=WAIT_MS)
    assert await progress.locator(".jpt-bar").get_attribute("role") == "progressbar"
    workers = card("t/workers")
    await workers.locator(".jpt-barRow").nth(1).wait_for(timeout=WAIT_MS)
    assert await workers.locator(".jpt-barLabel").all_inner_texts() == ["worker 1", "worker 2"]

    train = card("t/train")
    assert await train.get_attribute("data-kind") == "chart"
    await train.locator(".jpt-range").filter(has_text="60 points").wait_for(timeout=WAIT_MS)
    await publish(http, "t/train", {"step": 30, "loss": 0.05, "acc": 1.0})  # live after history
    await train.locator(".jpt-range").filter(has_text="62 points").wait_for(timeout=WAIT_MS)
    plot = train.locator(".jpt-plot")
    box = await plot.bounding_box()
    assert box is not None
    await page.mouse.move(box["x"] + box["width"] - 9, box["y"] + box["height"] / 2)
    readout = train.locator(".jpt-readout")
    await readout.filter(has_text="step 30 · loss 0.05 · acc 1").wait_for(timeout=WAIT_MS)
    await train.locator(".jpt-smoothing").evaluate(
        "(el) => { el.value = '0.9'; el.dispatchEvent(new Event('input')); }"
    )
    await page.mouse.move(box["x"] + box["width"] - 8, box["y"] + box["height"] / 2)
    await readout.filter(has_text="(raw 0.05)").wait_for(timeout=WAIT_MS)
    text = await readout.inner_text()
    smoothed_loss = float(text.split("loss ")[1].split(" ")[0])
    assert smoothed_loss > 0.05  # the smoothed line lags the raw one, which keeps falling
    await train.locator(".jpt-logScale").check()
    assert "chart: loss 0.05, acc 1" in (await plot.get_attribute("aria-label") or "")

    epoch = card("t/epoch")
    assert await epoch.get_attribute("data-kind") == "number"
    await epoch.locator(".jpt-numberValue").filter(has_text="4").wait_for(timeout=WAIT_MS)
    assert await epoch.locator(".jpt-numberChange").inner_text() == "▲ +1"

    log = card("t/log")
    lines = log.locator(".jpt-logLines")
    await lines.filter(has_text="epoch 3 ok").wait_for(timeout=WAIT_MS)
    await log.locator(".jpt-filter").fill("error")
    assert await lines.inner_text() == "epoch 2 error: nan"
    await log.locator(".jpt-filter").fill("")

    results = card("t/results")
    assert await results.get_attribute("data-kind") == "table"
    await results.locator("tbody tr").nth(1).wait_for(timeout=WAIT_MS)
    assert await results.locator("tbody tr").count() == 2  # the third record replaced id 1
    await results.locator("th", has_text="score").locator("button").click()
    await results.locator("th", has_text="score").locator("button").click()
    assert await results.locator("th", has_text="score").get_attribute("aria-sort") == "descending"
    assert await results.locator("tbody tr td:nth-child(3)").all_inner_texts() == ["0.9", "0.7"]

    image = card("t/sample").locator("img.jpt-imageView")
    handle = await image.element_handle()
    await page.wait_for_function("(img) => img.naturalWidth === 2", arg=handle)
    config = card("t/config")
    assert await config.get_attribute("data-kind") == "json"
    assert "relu" in await config.locator(".jpt-json").inner_text()

    background = await page.evaluate("getComputedStyle(document.body).backgroundColor")
    assert background == ("rgb(17, 17, 20)" if scheme == "dark" else "rgb(245, 245, 247)")
    await page.screenshot(path=shot(f"viewer_tiles_{scheme}.png"), full_page=True)

    if scheme == "light":
        # Show as…: the user's choice redraws the run so far, and is kept for the next visit
        await epoch.locator(".jpt-showAs").select_option("chart")
        assert await epoch.get_attribute("data-kind") == "chart"
        await epoch.locator(".jpt-range").filter(has_text="2 points").wait_for(timeout=WAIT_MS)
        await page.reload()
        await card("t/epoch").locator(".jpt-range").filter(has_text="2 points").wait_for(
            timeout=WAIT_MS
        )
        await card("t/train").locator(".jpt-range").filter(has_text="62 points").wait_for(
            timeout=WAIT_MS
        )
        await check_the_snapshot(page, context, tmp_path)
    assert errors == []
    await context.close()


async def check_the_snapshot(page, context, tmp_path: Path) -> None:
    """Save snapshot → one HTML file that, opened with the network off, shows the same tiles."""
    live = await page.evaluate(
        "[...document.querySelectorAll('.jpt-card')].map(c => [c.dataset.channel, c.dataset.kind,"
        " c.querySelector('.jpt-range, .jpt-progressText, .jpt-numberValue')?.textContent ?? ''])"
    )
    async with page.expect_download() as download:
        await page.locator("#save").click()
    saved = tmp_path / "run.html"
    await (await download.value).save_as(saved)
    offline = await context.browser.new_context(offline=True, color_scheme="light")
    requests: list[str] = []
    snap = await offline.new_page()
    snap.on("request", lambda r: requests.append(r.url))
    await snap.goto(saved.as_uri())
    await snap.locator('.jpt-card[data-channel="t/train"] .jpt-range').filter(
        has_text="62 points"
    ).wait_for(timeout=WAIT_MS)
    drawn = await snap.evaluate(
        "[...document.querySelectorAll('.jpt-card')].map(c => [c.dataset.channel, c.dataset.kind,"
        " c.querySelector('.jpt-range, .jpt-progressText, .jpt-numberValue')?.textContent ?? ''])"
    )
    assert drawn == live
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    await snap.screenshot(path=shot("snapshot_offline.png"), full_page=True)
    await offline.close()


async def test_the_snapshot_command_writes_a_page_that_draws_offline(
    http, push_url, kernel_token, browser, tmp_path
):
    for step in range(50):
        await publish(http, "snap/loss", 1 / (step + 1))
    await publish(http, "snap/progress", {"value": 7, "total": 10})
    await publish(http, "other/x", 1)
    out = tmp_path / "run.html"
    code, printed, err = await run_cli("snapshot", "snap/**", "-o", str(out),
                                       f"--url={push_url}", f"--token={kernel_token}")
    assert code == 0, err
    assert printed.strip() == f"{out}: 2 channels, 51 events"
    context = await browser.new_context(offline=True)
    page = await context.new_page()
    requests: list[str] = []
    page.on("request", lambda r: requests.append(r.url))
    await page.goto(out.as_uri())
    loss = page.locator('.jpt-card[data-channel="snap/loss"]')
    await loss.locator(".jpt-range").filter(has_text="50 points").wait_for(timeout=WAIT_MS)
    progress = page.locator('.jpt-card[data-channel="snap/progress"] .jpt-progressText')
    await progress.filter(has_text="7 / 10 (70%)").wait_for(timeout=WAIT_MS)
    assert await page.locator(".jpt-card").count() == 2
    assert all(url.startswith(("file:", "data:", "blob:")) for url in requests), requests
    await page.screenshot(path=shot("snapshot_cli_offline.png"), full_page=True)
    await context.close()

    code, _, err = await run_cli("snapshot", "nothing/**", "-o", str(tmp_path / "x.html"),
                                 f"--url={push_url}", f"--token={kernel_token}")
    assert code == 1 and "no channel matches nothing/**" in err
