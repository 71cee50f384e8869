"""The raw Tornado baseline: a WebSocket fan-out written the obvious way (encode once per
event, `write_message` to every subscriber). Run as a script: `tornado_baseline.py PORT`.

`GET /ws` subscribes; `POST /emit` with `{"n", "rate", "start"}` emits like jp_emitter.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time

from tornado import web, websocket

SUBSCRIBERS: set[Subscriber] = set()


class Subscriber(websocket.WebSocketHandler):
    def open(self, *args: object, **kwargs: object) -> None:
        SUBSCRIBERS.add(self)

    def on_close(self) -> None:
        SUBSCRIBERS.discard(self)

    def on_message(self, message: str | bytes) -> None:
        pass


def fan_out(payload: str) -> None:
    for sub in list(SUBSCRIBERS):
        try:
            sub.write_message(payload)
        except websocket.WebSocketClosedError:
            SUBSCRIBERS.discard(sub)


class Emit(web.RequestHandler):
    async def post(self) -> None:
        body = json.loads(self.request.body)
        n, rate, start = int(body["n"]), float(body.get("rate", 0)), int(body.get("start", 0))
        begin = time.monotonic()
        for i in range(n):
            if rate > 0:
                delay = begin + i / rate - time.monotonic()
                if delay > 0:
                    await asyncio.sleep(delay)
            fan_out(json.dumps({"seq": start + i, "t": time.time()}))
            if rate <= 0:
                await asyncio.sleep(0)
        self.finish({"emitted": n})


class Status(web.RequestHandler):
    def get(self) -> None:
        self.finish({"subscribers": len(SUBSCRIBERS)})


async def main(port: int) -> None:
    app = web.Application([(r"/ws", Subscriber), (r"/emit", Emit), (r"/status", Status)])
    app.listen(port, "127.0.0.1", backlog=4096)
    print("ready", flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
