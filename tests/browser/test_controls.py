"""Steering a running cell from a page, in real Chromium: a kernel loops on
`while not stop.value`; the viewer of a write-scoped share link, opened on another origin with
no Jupyter login, moves a slider the running cell reads and presses the button that ends it.
A read-only link's viewer shows no controls. notebooks/chat.html, served from another origin,
is a room for everyone holding a write link, where the notebook answers with on() and push().
How long the cell took to end after the click is measured and printed (never asserted: the
machine is shared)."""

from __future__ import annotations

import asyncio
import re
import time
from urllib.parse import quote

import pytest

from tests.conftest import needs_chromium
from tests.support.browser import shot
from tests.support.kernels import execute
from tests.support.streams import sse_events, sse_stream

pytestmark = [needs_chromium(), pytest.mark.timeout(180)]

WAIT_MS = 15_000

LOOP = """
import time
from jupyter_push import control, push
stop = control("run/stop", False, kind="button", label="Stop")
speed = control("run/speed", 1, kind="slider", min=0, max=10, label="Speed")
push("run/ready", True)
steps = 0
while not stop.value:
    if speed.changed():
        push("run/seen", speed.value)
    steps += 1
    time.sleep(0.0005)
push("run/done", {"ended": time.time(), "steps": steps, "speed": speed.value})
"""


def on_another_origin(url: str) -> str:
    """The same server under another host name: a page with none of the Jupyter cookies."""
    return url.replace("://127.0.0.1:", "://localhost:", 1)


async def test_the_viewer_of_a_write_link_steers_and_stops_a_running_cell(
    http, notebook_kernel, browser
):
    async with notebook_kernel() as (_, channels), sse_stream(http, "run/**") as stream:
        cell = asyncio.create_task(execute(channels, LOOP))
        assert (await sse_events(stream, 1))[0]["channel"] == "run/ready"
        r = await http.post("tokens", json={"channels": ["run/**"],
                                            "write": ["run/stop", "run/speed"], "ttl": 600})
        link = r.json()
        context = await browser.new_context()  # no cookies: a phone, another person's laptop
        page = await context.new_page()
        await page.goto(on_another_origin(link["url"]))

        speed = page.locator('.jpt-card[data-channel="$controls/run/speed"]')
        slider = speed.locator("input[type=range]")
        await slider.and_(page.locator(":enabled")).wait_for(timeout=WAIT_MS)
        await slider.evaluate("""(input) => { input.value = "7";
            input.dispatchEvent(new Event("input")); input.dispatchEvent(new Event("change")); }""")
        seen = await sse_events(stream, 2)  # the page's value, then the cell's report of it
        assert [e["data"] for e in seen] == [7, 7]
        await speed.locator('.jpt-control[data-confirmed="7"]').wait_for(timeout=WAIT_MS)

        await slider.evaluate("""(input) => { input.max = "99"; input.value = "42";
            input.dispatchEvent(new Event("change")); }""")  # a tampered page: refused
        await speed.locator(".jpt-controlProblem").filter(has_text="out of range").wait_for(
            timeout=WAIT_MS)

        stop = page.locator('.jpt-card[data-channel="$controls/run/stop"]')
        button = stop.locator("button.jpt-controlButton")
        await button.and_(page.locator(":enabled")).wait_for(timeout=WAIT_MS)
        clicked = time.time()
        await button.click()
        await asyncio.wait_for(cell, 60)  # the loop ended: the cell finished
        events = await sse_events(stream, 2)
        done = next(e["data"] for e in events if e["channel"] == "run/done")
        await stop.locator('.jpt-control[data-confirmed="true"]').wait_for(timeout=WAIT_MS)
        await page.screenshot(path=shot("controls_viewer.png"), full_page=True)
        await context.close()
    assert done["speed"] == 7  # 42 never reached the cell
    print(f"\nviewer click -> cell loop ended: {1000 * (done['ended'] - clicked):.1f} ms")


async def test_a_read_only_links_viewer_shows_no_controls(http, browser):
    from jupyter_push.declarations import declare

    await http.post("events", json={"channel": "$controls/run/stop",
                                    "data": declare("run/stop", False, "button")})
    await http.post("events", json={"channel": "run/loss", "data": 0.5})
    link = (await http.post("tokens", json={"channels": ["run/**"], "ttl": 600})).json()
    context = await browser.new_context()
    page = await context.new_page()
    await page.goto(on_another_origin(link["url"]))
    await page.locator('.jpt-card[data-channel="run/loss"]').wait_for(timeout=WAIT_MS)
    assert await page.locator('[data-kind="control"]').count() == 0
    await context.close()


CHAT = """
from jupyter_push import control, on, push
room = control("chat/lobby", None, kind="chat")
on("chat/lobby", lambda m: push("chat/lobby", {"from": "notebook", "text": m["text"].upper()}))
"""


async def test_the_chat_page_is_shared_by_everyone_holding_a_write_link(
    http, notebook_kernel, browser, other_origin
):
    async with notebook_kernel() as (_, channels):
        await execute(channels, CHAT)  # the cell ends; on() keeps answering from its thread
        link = (await http.post("tokens", json={"channels": ["chat/**"], "write": ["chat/**"],
                                                "ttl": 600})).json()
        pages = []
        for _ in range(2):
            context = await browser.new_context()
            page = await context.new_page()
            await page.goto(f"{other_origin}/chat.html#{quote(link['url'], safe='')}")
            await page.locator("#status").filter(has_text="open").wait_for(timeout=WAIT_MS)
            pages.append(page)
        ann, bob = pages
        await ann.fill("#name", "ann")
        await ann.fill("#text", "hello from ann")
        await ann.click("#send")
        for page in pages:
            messages = page.locator("#messages li")
            await messages.filter(has_text=re.compile("^annhello from ann$")).wait_for(
                timeout=WAIT_MS)
            await messages.filter(has_text=re.compile("^notebookHELLO FROM ANN$")).wait_for(
                timeout=WAIT_MS)
        assert await bob.locator("#messages li b").first.text_content() == "ann"

        await ann.screenshot(path=shot("chat.png"), full_page=True)
        for page in pages:
            await page.context.close()

        read_only = (await http.post("tokens", json={"channels": ["chat/**"]})).json()
        context = await browser.new_context()
        eve = await context.new_page()
        await eve.goto(f"{other_origin}/chat.html#{quote(read_only['url'], safe='')}")
        await eve.locator("#messages li").first.wait_for(timeout=WAIT_MS)  # she may read
        await eve.fill("#text", "let me in")
        await eve.click("#send")
        await eve.locator("#problem").filter(has_text="read-only").wait_for(timeout=WAIT_MS)
        await context.close()
