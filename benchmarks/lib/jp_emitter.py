"""A jupyter_server extension for the benchmark: emits events on the server's own event bus
(EventLogger, registered schema), so `/api/events/subscribe` WebSockets receive them.

`POST {base}bench/emit` with `{"n": N, "rate": R, "start": S}` emits N events
`{"seq": S + i, "t": <time.time() at emit>}`, R per second (0: as fast as possible, yielding
to the loop after each event), and answers when done.
"""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

from jupyter_server.base.handlers import APIHandler
from tornado import web

SCHEMA_ID = "https://jupyter-push.invalid/bench/tick"
SCHEMA = {
    "$id": SCHEMA_ID,
    "version": "1",
    "title": "Benchmark tick",
    "description": "One benchmark event",
    "type": "object",
    "properties": {"seq": {"type": "integer"}, "t": {"type": "number"}},
}


async def emit(logger: Any, n: int, rate: float, start: int) -> None:
    begin = time.monotonic()
    for i in range(n):
        if rate > 0:
            delay = begin + i / rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
        logger.emit(schema_id=SCHEMA_ID, data={"seq": start + i, "t": time.time()})
        if rate <= 0:
            await asyncio.sleep(0)


class EmitHandler(APIHandler):
    @web.authenticated
    async def post(self) -> None:
        body = json.loads(self.request.body)
        await emit(self.event_logger, int(body["n"]), float(body.get("rate", 0)),
                   int(body.get("start", 0)))
        self.finish({"emitted": int(body["n"])})


class ListenersHandler(APIHandler):
    @web.authenticated
    def get(self) -> None:
        listeners = self.event_logger._modified_listeners.get(SCHEMA_ID, ())
        self.finish({"subscribers": len(listeners)})


def _jupyter_server_extension_points() -> list[dict[str, str]]:
    return [{"module": "jp_emitter"}]


def _load_jupyter_server_extension(serverapp: Any) -> None:
    serverapp.event_logger.register_event_schema(SCHEMA)
    base = serverapp.web_app.settings["base_url"].rstrip("/")
    serverapp.web_app.add_handlers(".*$", [(base + "/bench/emit", EmitHandler),
                                           (base + "/bench/status", ListenersHandler)])

