"""Fair to the host: publish frames that a kernel sent back to back (all already buffered in
the server's socket) are handled over several turns of the event loop, with the loop free in
between for everything else, and every subscriber still gets every event in order.

The turn's share of push work is set to zero here, so that push work yields at its first look
at the budget whatever the machine's speed: the test checks that it looks and yields, not how
long anything takes."""

from __future__ import annotations

import asyncio
import json

import websockets

from tests.conftest import ws_url
from tests.support.streams import sse, take
from tests.support.waiting import handled, until

FRAMES = 40
PER_FRAME = 20


async def test_buffered_publish_frames_are_handled_over_several_turns_in_order(
    http, push_url, auth, push_app
):
    hub = push_app.state.hub
    hub.turn.seconds = 0.0
    async with sse(http, "fair", retained=0) as stream, websockets.connect(
        ws_url(push_url), additional_headers=auth
    ) as sock:
        await until(lambda: hub.subscribers == 1, what="the SSE subscriber")
        await handled(sock)
        start = hub.published
        seen: list[int] = []  # hub.published at each turn of the loop while the frames land

        async def watch() -> None:
            while hub.published < start + FRAMES * PER_FRAME:
                seen.append(hub.published - start)
                await asyncio.sleep(0)

        watcher = asyncio.ensure_future(watch())
        for f in range(FRAMES):  # written without yielding: they reach the server together
            await sock.send(json.dumps({"op": "publish", "events": [
                {"channel": "fair", "data": [f, i]} for i in range(PER_FRAME)]}))
        received = await take(stream, FRAMES * PER_FRAME)
        await asyncio.wait_for(watcher, 10)

    assert [tuple(json.loads(m.data)["data"]) for m in received] == [
        (f, i) for f in range(FRAMES) for i in range(PER_FRAME)]
    # the loop ran other callbacks while the burst was being handled, at many points of it
    # (handled in one go, the watcher would have seen only 0 and then everything)
    partial = {n for n in seen if 0 < n < FRAMES * PER_FRAME}
    assert len(partial) >= FRAMES // 2, sorted(partial)


async def test_after_a_full_turn_push_work_rests_and_the_loop_serves_others_meanwhile(
    http, push_url, auth, push_app
):
    """With `push_rest_seconds`, a turn that used its whole share is followed by a pause with
    no push work at all: the loop sleeps (threads such as the contents manager's get the
    interpreter), then the burst goes on where it stopped, every event in order."""
    hub = push_app.state.hub
    assert (hub.turn.seconds, hub.turn.rest) == (push_app.push_turn_seconds,
                                                  push_app.push_rest_seconds)
    hub.turn.seconds, hub.turn.rest = 0.0, 0.02
    async with sse(http, "fair", retained=0) as stream, websockets.connect(
        ws_url(push_url), additional_headers=auth
    ) as sock:
        await until(lambda: hub.subscribers == 1, what="the SSE subscriber")
        await handled(sock)
        start = hub.published
        total = FRAMES * PER_FRAME
        rests: list[int] = []  # events handled so far, at each look that found push work resting
        threads: list[int] = []  # the same, each time a round trip through a thread came back

        async def watch() -> None:
            while hub.published < start + total:
                if hub.turn.wait() > 0:
                    rests.append(hub.published - start)
                await asyncio.sleep(0.001)

        async def through_threads() -> None:
            while hub.published < start + total:
                threads.append(await asyncio.to_thread(lambda: hub.published - start))

        watchers = [asyncio.ensure_future(watch()), asyncio.ensure_future(through_threads())]
        for f in range(FRAMES):
            await sock.send(json.dumps({"op": "publish", "events": [
                {"channel": "fair", "data": [f, i]} for i in range(PER_FRAME)]}))
        received = await take(stream, total)
        await asyncio.wait_for(asyncio.gather(*watchers), 10)

    assert [tuple(json.loads(m.data)["data"]) for m in received] == [
        (f, i) for f in range(FRAMES) for i in range(PER_FRAME)]
    assert any(0 < n < total for n in rests), rests  # it rested in the middle of the burst
    assert any(0 < n < total for n in threads), threads  # and threads ran meanwhile
