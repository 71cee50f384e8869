"""Provenance: an event pushed from a notebook cell carries the cell's id and execution count."""

from __future__ import annotations

from tests.client.support import subscribed
from tests.health.support import execute, sse_stream, start_session, wait_for

NOTEBOOK = "work/prov.ipynb"


async def test_each_event_names_the_cell_that_pushed_it(jp_fetch, jp_ws_fetch, jp_root_dir,
                                                        http):
    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, NOTEBOOK)
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    try:
        async with sse_stream(http, "prov", retained=False) as stream:
            await subscribed(http, 1)
            await execute(channels, "from jupyter_push import push; push('prov', 1)",
                          cell_id="cell-a")
            first = await wait_for(stream, lambda e: e["data"] == 1)
            await execute(channels, "push('prov', 2); push('prov', 3)", cell_id="cell-b")
            second = await wait_for(stream, lambda e: e["data"] == 2)
            third = await wait_for(stream, lambda e: e["data"] == 3)
        assert first["source"] == {"kernel": kernel_id, "path": NOTEBOOK, "cell": "cell-a",
                                   "execution_count": 1}
        assert second["source"]["cell"] == third["source"]["cell"] == "cell-b"
        assert second["source"]["execution_count"] == 2
    finally:
        channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
