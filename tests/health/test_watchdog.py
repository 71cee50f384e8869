"""The watchdog: `PushApp.watch` and expect()/alert_if() from a notebook raise `$alerts/...`
and a `$notify` warning, and clear them when events resume or values are back in range."""

from __future__ import annotations

import pytest

from tests.client.support import subscribed
from tests.conftest import publish
from tests.health.support import execute, sse_stream, start_session, wait_for


@pytest.fixture
def push_config():
    return {"watch": {"train/**": 0.3}}


def alert(state: str, channel: str):
    return lambda e: e["channel"] == channel and e["data"]["state"] == state


async def test_a_configured_rule_fires_when_events_stop_and_clears_when_they_resume(http):
    # retained: the rule may fire (0.3 s after the server started) before this subscribes
    async with sse_stream(http, "$alerts/**", "$notify", retained=True) as stream:
        await subscribed(http, 1)
        raised = await wait_for(stream, alert("raised", "$alerts/stalled/train"))
        assert raised["data"]["pattern"] == "train/**" and raised["data"]["every"] == 0.3
        warning = await wait_for(stream, lambda e: e["channel"] == "$notify")
        assert warning["data"]["level"] == "warning"
        assert warning["data"]["alert"] == "$alerts/stalled/train"
        assert "expected every 0.3 s" in warning["data"]["message"]
        await publish(http, "train/loss", 0.5)
        cleared = await wait_for(stream, alert("cleared", "$alerts/stalled/train"))
        assert "events again (train/loss)" in cleared["data"]["message"]
        notice = await wait_for(stream, lambda e: e["channel"] == "$notify")
        assert notice["data"]["level"] == "info"


async def test_rules_from_a_notebook_watch_values_and_stalls(jp_fetch, jp_ws_fetch, jp_root_dir,
                                                             http):
    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, "work/train.ipynb")
    channels = await jp_ws_fetch("api", "kernels", kernel_id, "channels")
    try:
        async with sse_stream(http, "$alerts/**", retained=False) as stream:
            await subscribed(http, 1)
            await execute(channels, "from jupyter_push import alert_if, expect, push, flush\n"
                                    "alert_if('train/loss', 'nan')\n"
                                    "alert_if('gpu', above=0.95)\n"
                                    "rule = expect('eval/*', every=0.3)\n"
                                    "flush()")
            stalled = await wait_for(stream, alert("raised", "$alerts/stalled/eval"))
            assert stalled["source"]["path"] == "work/train.ipynb"
            await execute(channels, "push('eval/acc', 0.9); push('train/loss', float('nan'));"
                                    "push('gpu', {'value': 0.97}); flush()")
            await wait_for(stream, alert("cleared", "$alerts/stalled/eval"))
            nan = await wait_for(stream, alert("raised", "$alerts/value/train/loss"))
            assert nan["data"]["message"] == "train/loss is NaN"
            hot = await wait_for(stream, alert("raised", "$alerts/value/gpu"))
            assert hot["data"]["message"] == "gpu is 0.97, above 0.95"
            await execute(channels, "push('gpu', {'value': 0.5}); flush()")
            cool = await wait_for(stream, alert("cleared", "$alerts/value/gpu"))
            assert cool["data"]["value"] == {"value": 0.5}
            reply = await execute(channels, "expect('x', every=0)", expect_error=True)
            assert "seconds must be > 0" in reply["evalue"]
    finally:
        channels.close()
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
