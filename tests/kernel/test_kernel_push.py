"""End to end: a notebook kernel started by the server pushes; standard clients receive.

The kernel is a real subprocess started through `POST api/sessions` (so jupyter_server sets
JPY_SESSION_NAME), code runs through the kernel's channels WebSocket as in a browser, and the
events arrive over SSE (httpx-sse) and WebSocket (websockets).
"""

from __future__ import annotations

import json
from pathlib import Path

from tests.client.support import subscribed
from tests.support.kernels import execute
from tests.support.streams import sse_events, sse_stream, ws_events, ws_subscriber

NOTEBOOK = "notebooks/demo.ipynb"
TIMEOUT = 60


async def test_push_from_a_notebook_reaches_sse_and_websocket_with_its_source(
        notebook_kernel, http, push_url, auth):
    async with notebook_kernel() as (kernel_id, channels), sse_stream(http, "progress") as sse, \
            ws_subscriber(push_url, auth, "progress") as ws:
        await subscribed(http, 2)  # the SSE stream and the WebSocket
        await execute(channels, 'from jupyter_push import push; push("progress", 40)')
        (over_sse,) = await sse_events(sse, 1)
        (over_ws,) = await ws_events(ws, 1)
    for event in (over_sse, over_ws):
        assert event["channel"] == "progress" and event["data"] == 40
        assert event["source"]["kernel"] == kernel_id
        assert event["source"]["path"] == NOTEBOOK
    assert over_sse["id"] == over_ws["id"]


async def test_a_thousand_pushes_in_one_cell_all_arrive_in_order(
        notebook_kernel, http, push_url, auth):
    async with notebook_kernel() as (_, channels), sse_stream(http, "count") as sse, \
            ws_subscriber(push_url, auth, "count") as ws:
        await subscribed(http, 2)
        await execute(channels, "from jupyter_push import push\n"
                                "for i in range(1000):\n    push('count', i)")
        assert [e["data"] for e in await sse_events(sse, 1000)] == list(range(1000))
        assert [e["data"] for e in await ws_events(ws, 1000)] == list(range(1000))


async def test_cell_end_flushes_so_history_is_complete_when_the_cell_returns(
        notebook_kernel, http):
    async with notebook_kernel() as (_, channels):
        await execute(channels, "from jupyter_push import push\n"
                                "for i in range(500):\n    push('done', {'i': i})")
        r = await http.get("history", params={"channel": "done", "limit": 1000})
    assert [e["data"]["i"] for e in r.json()["events"]] == list(range(500))


async def test_a_kernel_told_an_absolute_notebook_path_publishes_the_api_path(
        jp_fetch, jp_ws_fetch, jp_root_dir, http):
    """As JupyterLab creates a session (with `name`), jupyter_server gives the kernel its
    notebook as a path on disk (JPY_SESSION_NAME); the event's source says the API path."""
    (jp_root_dir / "runs" / "may").mkdir(parents=True)
    r = await jp_fetch("api", "sessions", method="POST", body=json.dumps({
        "path": "runs/may/train.ipynb", "name": "train.ipynb", "type": "notebook",
        "kernel": {"name": "python3"}}))
    kernel_id = json.loads(r.body)["kernel"]["id"]
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    try:
        async with sse_stream(http, "where") as sse:
            await subscribed(http, 1)
            await execute(channels, "import os\nfrom jupyter_push import push\n"
                                    "push('where', os.environ['JPY_SESSION_NAME'])")
            (event,) = await sse_events(sse, 1)
    finally:
        channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    told = Path(event["data"])
    assert told.is_absolute() and told.resolve() == (jp_root_dir / "runs/may/train.ipynb").resolve()
    assert event["source"] == {"kernel": kernel_id, "path": "runs/may/train.ipynb"}
