"""A running cell hears its controls: a real kernel loops on `control()` values while a page
(a write-scoped share link) and the Jupyter user set them over HTTP; a value out of range is
refused to its sender and never reaches the cell; `on()` and `ask()` get what was sent."""

from __future__ import annotations

import asyncio
from contextlib import asynccontextmanager

import httpx
import httpx_sse

from tests.support.kernels import execute
from tests.support.streams import sse_events, sse_stream

TIMEOUT = 60

LOOP = """
import time
from jupyter_push import control, push
stop = control("t/stop", False, kind="button")
speed = control("t/speed", 1, kind="slider", min=0, max=10)
push("t/ready", True)
while not stop.value:
    if speed.changed():
        push("t/seen", speed.value)
    time.sleep(0.001)
push("t/done", {"speed": speed.value, "stop": stop.value})
"""


async def test_a_running_cell_reads_values_sent_while_it_runs(
    notebook_kernel, http, push_url
):
    async with notebook_kernel() as (_, channels), sse_stream(http, "t/**") as stream:
        cell = asyncio.create_task(execute(channels, LOOP))
        assert (await sse_events(stream, 1))[0]["channel"] == "t/ready"
        r = await http.post("tokens", json={"channels": ["t/**"], "write": ["t/**"]})
        link = r.json()
        async with httpx.AsyncClient(base_url=push_url, timeout=10) as page:  # no credential
            async def send(channel: str, data) -> httpx.Response:
                return await page.post("events", params={"access": link["token"]},
                                       json={"channel": channel, "data": data})

            assert (await send("t/speed", 7)).status_code == 200
            seen = await sse_events(stream, 2)  # the page's value, then the cell's report
            assert [e["data"] for e in seen] == [7, 7]
            refused = await send("t/speed", 70)
            assert refused.status_code == 400 and "out of range" in refused.json()["message"]
            by_user = await http.post("events", json={"channel": "t/speed", "data": 3})
            assert by_user.status_code == 200
            assert [e["data"] for e in await sse_events(stream, 2)] == [3, 3]
            confirmed = (await http.get("channels", params={"channel": "$controls/t/speed"}))
            assert confirmed.json()["channels"][0]["last"]["data"]["value"] == 3
            assert (await send("t/stop", True)).status_code == 200
            events = await sse_events(stream, 2)
        await asyncio.wait_for(cell, TIMEOUT)  # the loop ended
    assert events[-1]["data"] == {"speed": 3, "stop": True}  # 70 never reached the cell


async def test_on_and_ask_hear_other_senders_not_the_cell_itself(
    notebook_kernel, http
):
    async with notebook_kernel() as (_, channels), sse_stream(http, "q/**") as stream:
        await execute(channels, """
from jupyter_push import on, push
on("q/note", lambda value, event: push("q/heard", [value, sorted(event.get("source") or {})]))
push("q/note", "from the cell itself")  # its own: not handed back
""")
        await http.post("events", json={"channel": "q/note", "data": "hi"})
        heard = [e for e in await sse_events(stream, 3) if e["channel"] == "q/heard"]
        assert heard[0]["data"] == ["hi", []]
        cell = asyncio.create_task(execute(channels, """
from jupyter_push import ask, push
push("q/answer", ask("Which way?", channel="q/ask", timeout=30, options=["left", "right"]))
"""))
        async with retained_stream(http, "$controls/q/ask") as declarations:
            question = await sse_events(declarations, 1)
            assert question[0]["data"]["label"] == "Which way?"
            wrong = await http.post("events", json={"channel": "q/ask", "data": "up"})
            assert wrong.status_code == 400 and "is not one of" in wrong.json()["message"]
            await http.post("events", json={"channel": "q/ask", "data": "right"})
            await asyncio.wait_for(cell, TIMEOUT)
            withdrawn = [e["data"] for e in await sse_events(declarations, 2)]
        assert withdrawn[-1] is None  # the question is gone from every front end
        answers = [e for e in await sse_events(stream, 2) if e["channel"] == "q/answer"]
        assert answers[0]["data"] == "right"


@asynccontextmanager
async def retained_stream(http: httpx.AsyncClient, channel: str):
    async with httpx_sse.aconnect_sse(http, "GET", "events", params={"channel": channel}) as s:
        assert s.response.status_code == 200
        yield s.aiter_sse()
