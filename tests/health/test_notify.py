"""notify() and `%push_notify` in a real kernel, `jupyter push notify` as a user runs it."""

from __future__ import annotations

import asyncio
import sys

from tests.client.support import subscribed
from tests.health.support import execute, sse_stream, start_session, wait_for

NOTEBOOK = "work/long.ipynb"
CLI = (sys.executable, "-m", "jupyter_push.cli")


def on_notify(e: dict) -> bool:
    return e["channel"] == "$notify"


async def test_notify_in_a_kernel_reaches_subscribers_with_the_notebook(
        jp_fetch, jp_ws_fetch, jp_root_dir, http):
    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, NOTEBOOK)
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    try:
        async with sse_stream(http, "$notify", retained=False) as stream:
            await subscribed(http, 1)
            await execute(channels, 'from jupyter_push import notify\n'
                                    'notify("done", level="success", epoch=3)')
            event = await wait_for(stream, on_notify)
        assert event["data"] == {"message": "done", "level": "success", "epoch": 3}
        assert event["source"]["path"] == NOTEBOOK and event["source"]["kernel"] == kernel_id
        reply = await execute(channels, 'notify("x", level="loud")', expect_error=True)
        assert "use one of info, success, warning, error" in reply["evalue"]
    finally:
        channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def test_push_notify_reports_a_slow_cell_once_with_its_duration_and_a_failure_with_its_error(
        jp_fetch, jp_ws_fetch, jp_root_dir, http):
    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, NOTEBOOK)
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    try:
        await execute(channels, "%load_ext jupyter_push\n%push_notify --after 0.3")
        async with sse_stream(http, "$notify", retained=False) as stream:
            await subscribed(http, 1)
            await execute(channels, "import time; time.sleep(0.5)", cell_id="slow-cell")
            finished = (await wait_for(stream, on_notify))["data"]
            assert finished["level"] == "success"
            assert finished["duration"] >= 0.3
            assert "finished after" in finished["message"]
            assert finished["notebook"] == NOTEBOOK and finished["cell_id"] == "slow-cell"
            await execute(channels, "x = 1")  # quick: no notification
            await execute(channels, "time.sleep(0.4); 1 / 0", expect_error=True)
            failed = (await wait_for(stream, on_notify))["data"]  # the next one is the failure
        assert failed["level"] == "error"
        assert failed["error"] == "ZeroDivisionError: division by zero"
        assert failed["message"].endswith("ZeroDivisionError: division by zero")
        assert failed["duration"] >= 0.3
    finally:
        channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")


async def run(*args: str):
    process = await asyncio.create_subprocess_exec(
        *CLI, *args, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE)
    out, err = await asyncio.wait_for(process.communicate(), 30)
    return process.returncode, out.decode(), err.decode()


async def test_the_cli_sends_a_notification_and_refuses_an_unknown_level(push_url, kernel_token,
                                                                         http):
    server = [f"--url={push_url}", f"--token={kernel_token}"]
    code, out, err = await run("notify", "backup finished", "--level", "warning", *server)
    assert code == 0, err
    r = await http.get("channels", params={"channel": "$notify"})
    (channel,) = r.json()["channels"]
    assert channel["last"]["id"] == out.strip()
    assert channel["last"]["data"] == {"message": "backup finished", "level": "warning"}
    code, out, err = await run("notify", "x", "--level", "loud", *server)
    assert code == 2 and "invalid choice" in err
