"""`$system/...` and `$kernels/<id>/resources`: sampled only while someone subscribes."""

from __future__ import annotations

import asyncio

import pytest

from tests.health.support import sse_stream, start_session, wait_for


@pytest.fixture
def push_config():
    return {"system_interval": 0.1}


async def until(condition, timeout: float = 30) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "condition not met"
        await asyncio.sleep(0.02)


async def test_host_and_kernel_metrics_flow_only_while_someone_subscribes(
        jp_fetch, jp_root_dir, push_app, http):
    sampler = push_app.system_sampler
    (jp_root_dir / "work").mkdir()
    kernel_id = await start_session(jp_fetch, "work/m.ipynb")
    try:
        await asyncio.sleep(0.3)  # three intervals with nobody listening: no sampling
        assert not sampler.running and sampler.samples == 0
        resources = f"$kernels/{kernel_id}/resources"
        async with sse_stream(http, "$system/**", resources, retained=False) as stream:
            cpu = await wait_for(stream, lambda e: e["channel"] == "$system/cpu")
            assert 0 <= cpu["data"]["percent"] <= 100
            memory = await wait_for(stream, lambda e: e["channel"] == "$system/memory")
            assert 0 < memory["data"]["percent"] < 100 and memory["data"]["used_gib"] > 0
            kernel = await wait_for(stream, lambda e: e["channel"] == resources)
            assert kernel["data"]["rss_mib"] > 10 and kernel["data"]["cpu_percent"] >= 0
            assert sampler.running
        await until(lambda: not sampler.running)  # the last subscriber left: it stops
        taken = sampler.samples
        await asyncio.sleep(0.3)  # three intervals with nobody listening: no more samples
        assert sampler.samples == taken
    finally:
        await jp_fetch("api", "kernels", kernel_id, method="DELETE")
