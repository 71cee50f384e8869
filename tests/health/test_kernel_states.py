"""`$kernels/<kernel_id>`: the server publishes each kernel's lifecycle, retained."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid

import pytest

from tests.client.support import subscribed
from tests.health.support import execute, restart_finished, sse_stream, start_session, wait_for

NOTEBOOK = "work/run.ipynb"


@pytest.fixture
def notebook_dir(jp_root_dir):
    (jp_root_dir / "work").mkdir()


def state(kernel_id: str, wanted: str):
    return lambda e: e["channel"] == f"$kernels/{kernel_id}" and e["data"]["state"] == wanted


async def test_a_session_started_as_jupyterlab_does_is_named_by_its_notebook(
        jp_fetch, http, notebook_dir):
    """JupyterLab starts a notebook's session under `<dir>/<uuid4>` and renames it at once."""
    async with sse_stream(http, "$kernels/**") as stream:
        await subscribed(http, 1)
        provisional = f"work/{uuid.uuid4()}"
        r = await jp_fetch("api", "sessions", method="POST", body=json.dumps(
            {"path": provisional, "type": "notebook", "kernel": {"name": "python3"}}))
        session = json.loads(r.body)
        kernel_id = session["kernel"]["id"]
        try:
            # the server has seen the provisional path (a browser renames it a round trip later)
            await wait_for(stream, lambda e: e["channel"] == f"$kernels/{kernel_id}"
                           and e["data"]["notebook"] == provisional)
            await jp_fetch("api", "sessions", session["id"], method="PATCH",
                           body=json.dumps({"path": NOTEBOOK}))
            named = await wait_for(stream, lambda e: e["channel"] == f"$kernels/{kernel_id}"
                                   and e["data"]["notebook"] == NOTEBOOK)
            assert named["source"]["path"] == NOTEBOOK
        finally:
            await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_a_kernel_goes_busy_and_idle_with_its_notebook_and_execution_count(
        jp_fetch, jp_ws_fetch, http, notebook_dir):
    async with sse_stream(http, "$kernels/**") as stream:
        await subscribed(http, 1)
        kernel_id = await start_session(jp_fetch, NOTEBOOK)
        channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
        idle = await wait_for(stream, state(kernel_id, "idle"))
        assert idle["data"]["notebook"] == NOTEBOOK
        assert idle["source"]["kernel"] == kernel_id
        try:
            # the server's IOPub socket may join a moment after the kernel is idle (ZMQ's late
            # joiner misses what was sent before): run the cell until its busy state is seen
            seen_busy = asyncio.Event()
            runs = 0

            async def run_until_busy_is_seen() -> None:
                nonlocal runs
                while not seen_busy.is_set() and runs < 10:
                    await execute(channels, "import time; time.sleep(0.3)")
                    runs += 1

            runner = asyncio.ensure_future(run_until_busy_is_seen())
            busy = await wait_for(stream, state(kernel_id, "busy"))
            seen_busy.set()
            await runner
            assert busy["data"]["notebook"] == NOTEBOOK
            after = await wait_for(stream, lambda e: state(kernel_id, "idle")(e)
                                   and e["data"]["execution_count"] == runs)
            assert after["data"]["execution_count"] == runs
        finally:
            channels.close()
    # retained: a later subscriber sees the latest state at once
    async with sse_stream(http, f"$kernels/{kernel_id}") as stream:
        latest = await wait_for(stream, lambda e: True)
        assert latest["data"]["state"] == "idle"
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_a_kernel_killed_with_sigkill_is_dead_with_the_reason_then_restarted(
        jp_fetch, jp_ws_fetch, jp_serverapp, http, notebook_dir):
    async with sse_stream(http, "$kernels/**") as stream:
        await subscribed(http, 1)
        kernel_id = await start_session(jp_fetch, NOTEBOOK)
        channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")  # as a page does
        await wait_for(stream, state(kernel_id, "idle"))
        pid = jp_serverapp.kernel_manager.get_kernel(kernel_id).provisioner.pid
        os.kill(pid, signal.SIGKILL)
        dead = (await wait_for(stream, state(kernel_id, "dead")))["data"]
        assert dead["exit_code"] in (-9, 137)
        assert "SIGKILL" in dead["reason"] and "out of memory" in dead["reason"]
        assert dead["notebook"] == NOTEBOOK
        restarting = (await wait_for(stream, state(kernel_id, "restarting")))["data"]
        assert restarting["restarts"] == 1
        back = (await wait_for(stream, state(kernel_id, "idle")))["data"]
        assert back["restarts"] == 1 and back["reason"] is None
        channels.close()
    await restart_finished(jp_serverapp, kernel_id)
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_a_shut_down_kernel_is_dead_even_with_nobody_listening(jp_fetch, http,
                                                                      notebook_dir):
    kernel_id = await start_session(jp_fetch, NOTEBOOK)
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
    async with sse_stream(http, f"$kernels/{kernel_id}") as stream:
        latest = await wait_for(stream, lambda e: True)
    assert latest["data"]["state"] == "dead"
    assert latest["data"]["reason"] == "shut down"


async def test_clients_may_not_publish_the_servers_reserved_channels(http):
    for channel in ("$kernels/abc", "$system/cpu"):
        r = await http.post("events", json={"channel": channel, "data": {"state": "idle"}})
        assert r.status_code == 400 and "reserved" in r.json()["message"]
    r = await http.post("events", json={"channel": "$notify", "data": {"message": "hi",
                                                                        "level": "info"}})
    assert r.status_code == 200, r.text


async def test_a_running_kernel_never_heard_to_be_up_is_nudged_until_it_is_idle(
        jp_fetch, jp_serverapp, push_app, http, notebook_dir):
    """After the restarter brings a kernel back with no page connected, nobody asks it anything,
    and a kernel says it is idle only around a request: if our IOPub socket joined too late for
    its welcome (seen under load), it would stay `starting` for ever. The health watcher asks
    it for its info (as jupyter_server nudges a kernel when a page connects)."""
    async with sse_stream(http, "$kernels/**") as stream:
        await subscribed(http, 1)
        kernel_id = await start_session(jp_fetch, NOTEBOOK)
        await wait_for(stream, state(kernel_id, "idle"))
        # what a missed welcome leaves: both we and jupyter_server still think it starts
        jp_serverapp.kernel_manager.get_kernel(kernel_id).execution_state = "starting"
        record = push_app.kernel_health.records[kernel_id]
        record.move("starting", now=time.time() - 10)
        await push_app.kernel_health.publish(kernel_id)
        await wait_for(stream, state(kernel_id, "starting"))
        back = (await wait_for(stream, state(kernel_id, "idle")))["data"]
        assert back["notebook"] == NOTEBOOK
    await jp_fetch("api", "kernels", kernel_id, method="DELETE")
