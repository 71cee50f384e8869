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
