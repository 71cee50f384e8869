"""Share links naming `$kernels/**`, `$notify` or `$alerts/**` see those only for the kernels
and channels the link covers otherwise: a real server, real kernels, standard clients
(httpx-sse, websockets), over every path (retained, live, conflated, resume, REST)."""

from __future__ import annotations

import asyncio
import json
from contextlib import asynccontextmanager
from typing import Any, AsyncIterator, Callable

import httpx_sse
import websockets

from tests.conftest import publish, ws_url
from tests.health.support import execute, sse_stream, start_session
from tests.support.shares import access_of, mint
from tests.support.waiting import subscribed

TIMEOUT = 60
Check = Callable[[dict], bool]


def on(channel: str, **data: Any) -> Check:
    return lambda e: e["channel"] == channel and all(e["data"].get(k) == v
                                                     for k, v in data.items())


async def read_until(stream, done: Check, timeout: float = TIMEOUT) -> list[dict]:
    """The events of an SSE stream up to and including the first that `done` takes."""
    async def read() -> list[dict]:
        seen = []
        async for message in stream:
            if message.event == "message":
                seen.append(json.loads(message.data))
                if done(seen[-1]):
                    return seen
        raise AssertionError(f"stream ended; seen {seen}")
    return await asyncio.wait_for(read(), timeout)


async def wait_all(stream, *checks: Check) -> None:
    left = list(checks)

    def done(event: dict) -> bool:
        left[:] = [c for c in left if not c(event)]
        return not left
    await read_until(stream, done)


@asynccontextmanager
async def link_stream(anonymous, link: dict, *channels: str, since: str | None = None,
                      **params: Any) -> AsyncIterator[Any]:
    query = [("channel", c) for c in channels] + list(access_of(link).items()) + \
        list(params.items())
    headers = {"Last-Event-ID": since} if since else {}
    async with httpx_sse.aconnect_sse(anonymous, "GET", "events", params=query,
                                      headers=headers) as source:
        assert source.response.status_code == 200, source.response.status_code
        yield source.aiter_sse()


def channels_of(events: list[dict]) -> set[str]:
    return {e["channel"] for e in events}


def kernels_in(events: list[dict]) -> set[str]:
    """The kernels whose `$kernels/<id>` or `$kernels/<id>/resources` events are in `events`."""
    return {e["channel"].split("/")[1] for e in events if e["channel"].startswith("$kernels/")}


@asynccontextmanager
async def two_kernels(jp_fetch, jp_ws_fetch, jp_root_dir) -> AsyncIterator[tuple[Any, ...]]:
    """A kernel for notebook work/train.ipynb and one for work/other.ipynb, with their
    channels sockets."""
    (jp_root_dir / "work").mkdir()
    a = await start_session(jp_fetch, "work/train.ipynb")
    b = await start_session(jp_fetch, "work/other.ipynb")
    ca = await jp_ws_fetch("api", "kernels", a, "channels")
    cb = await jp_ws_fetch("api", "kernels", b, "channels")
    try:
        yield a, ca, b, cb
    finally:
        ca.close()
        cb.close()
        for kernel in (a, b):
            await jp_fetch("api", "kernels", kernel, method="DELETE")


async def test_kernel_states_reach_a_link_only_for_the_kernels_pushing_on_its_channels(
        jp_fetch, jp_ws_fetch, jp_root_dir, http, anonymous):
    async with two_kernels(jp_fetch, jp_ws_fetch, jp_root_dir) as (a, ca, b, cb), \
            sse_stream(http, "**", "$kernels/*", retained=False) as everything:
        await subscribed(http, 1)
        await execute(ca, "from jupyter_push import push; push('train/loss', 1)")
        await execute(cb, "from jupyter_push import push; push('other/x', 1)")
        await wait_all(everything, on("train/loss"), on("other/x"),
                       on(f"$kernels/{a}", state="idle", execution_count=1),
                       on(f"$kernels/{b}", state="idle", execution_count=1))
        link = await mint(http, "train/**", "$kernels/**")

        async with link_stream(anonymous, link, "train/**", "$kernels/**") as plain, \
                link_stream(anonymous, link, "train/**", "$kernels/**",
                            max_rate=1000) as conflated:
            await subscribed(http, 3)
            # retained values first: kernel a's state, not b's
            first = await publish(http, "train/marker", 1)
            for stream in (plain, conflated):
                seen = await read_until(stream, on("train/marker"))
                assert kernels_in(seen) == {a}, seen
            # live: both kernels run a cell; only a's states reach the link
            await execute(ca, "x = 2")
            await execute(cb, "x = 2")
            await wait_all(everything, on(f"$kernels/{a}", state="idle", execution_count=2),
                           on(f"$kernels/{b}", state="idle", execution_count=2))
            await publish(http, "train/marker", 2)
            for stream in (plain, conflated):
                seen = await read_until(stream, on("train/marker"))
                assert any(on(f"$kernels/{a}", state="idle", execution_count=2)(e)
                           for e in seen), seen
                assert kernels_in(seen) == {a}, seen

            # resume by Last-Event-ID, history and channels: the same narrowing
            async with link_stream(anonymous, link, "train/**", "$kernels/**",
                                   since=first) as resumed:
                seen = await read_until(resumed, lambda e: e["data"] == 2)
                assert kernels_in(seen) == {a}, seen
            r = await anonymous.get("history", params={"channel": "$kernels/**",
                                                       **access_of(link)})
            assert kernels_in(r.json()["events"]) == {a}
            r = await anonymous.get("channels", params={"channel": "$kernels/**",
                                                        **access_of(link)})
            assert {c["name"].split("/")[1] for c in r.json()["channels"]} == {a}
            r = await anonymous.get("history", params={"channel": "$kernels/**", "limit": 1,
                                                       **access_of(link)})
            assert kernels_in(r.json()["events"]) == {a}

            # kernel b pushes on train/...: it is covered from then on, its state follows
            await execute(cb, "push('train/b', 1)")
            for stream in (plain, conflated):
                seen = await read_until(stream, lambda e: e["channel"] == f"$kernels/{b}")
                assert seen[-1]["data"]["notebook"] == "work/other.ipynb"


async def test_notifications_and_alerts_reach_a_link_only_for_its_channels_and_kernels(
        jp_fetch, jp_ws_fetch, jp_root_dir, http, anonymous, push_url):
    async with two_kernels(jp_fetch, jp_ws_fetch, jp_root_dir) as (a, ca, _, cb), \
            sse_stream(http, "**", "$notify", "$alerts/**", retained=False) as everything:
        await subscribed(http, 1)
        await execute(ca, "from jupyter_push import push, notify, expect\n"
                          "push('train/loss', 1)")
        await execute(cb, "from jupyter_push import push, notify, expect\n"
                          "push('other/x', 1)")
        await wait_all(everything, on("train/loss"), on("other/x"))
        link = await mint(http, "train/**", "$notify", "$alerts/**")
        url = ws_url(push_url) + "?access=" + link["token"]
        async with websockets.connect(url) as sock:
            await sock.send(json.dumps({"op": "subscribe",
                                        "channels": ["$notify", "$alerts/**", "train/**"],
                                        "retained": False}))
            await subscribed(http, 2)
            await execute(ca, "notify('from a', level='success')")
            await execute(cb, "notify('from b', level='success')")
            # both kernels watch their own channels; nothing comes: each rule raises an alert
            await execute(ca, "expect('train/**', every=0.3)")
            await execute(cb, "expect('other/**', every=0.3)")
            await wait_all(everything, on("$notify", message="from a"),
                           on("$notify", message="from b"),
                           on("$alerts/stalled/train", state="raised"),
                           on("$alerts/stalled/other", state="raised"),
                           on("$notify", watched="train/**"), on("$notify", watched="other/**"))
            await publish(http, "train/marker", 1)
            seen: list[dict] = []
            while not seen or seen[-1]["channel"] != "train/marker":
                message = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
                seen.extend(message if isinstance(message, list) else [message])
        notes = [e["data"] for e in seen if e["channel"] == "$notify"]
        assert {"from a"} <= {n["message"] for n in notes}, seen
        assert "from b" not in {n["message"] for n in notes}, seen
        assert [n["watched"] for n in notes if "watched" in n] == ["train/**"], seen
        alerts = [e["channel"] for e in seen if e["channel"].startswith("$alerts/")]
        assert alerts == ["$alerts/stalled/train"], seen

        r = await anonymous.get("history", params={"channel": ["$notify", "$alerts/**"],
                                                   **access_of(link)})
        events = r.json()["events"]
        assert "$alerts/stalled/other" not in channels_of(events)
        assert "$alerts/stalled/train" in channels_of(events)
        messages = {e["data"]["message"] for e in events if e["channel"] == "$notify"}
        assert "from a" in messages and "from b" not in messages
        assert all(e["source"]["kernel"] == a for e in events if "source" in e)
