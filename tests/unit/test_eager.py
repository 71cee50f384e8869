"""eager(): a coroutine's synchronous prefix runs at once; the rest, if any, in a Task that
behaves like an ordinary one (results, errors, cancellation, futures, bare yields)."""

from __future__ import annotations

import asyncio

import pytest

from jupyter_push.handlers._eager_start import eager


async def test_a_coroutine_that_never_waits_finishes_inside_the_call():
    ran = []

    async def publish() -> None:
        ran.append("done")

    assert eager(publish()) is None
    assert ran == ["done"]


async def test_an_error_before_the_first_wait_is_raised_by_the_call():
    async def broken() -> None:
        raise ValueError("bad input")

    with pytest.raises(ValueError, match="bad input"):
        eager(broken())


async def test_a_coroutine_that_waits_continues_in_a_task_in_order():
    steps = []
    gate: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    async def work() -> int:
        steps.append("before")
        value = await gate
        steps.append(f"got {value}")
        await asyncio.sleep(0)  # a bare yield
        await asyncio.sleep(0.01)
        steps.append("after")
        return value * 2

    task = eager(work())
    assert steps == ["before"]  # ran at once, up to the first wait
    assert task is not None and not task.done()
    gate.set_result(21)
    assert await task == 42
    assert steps == ["before", "got 21", "after"]


async def test_errors_and_cancellation_reach_the_coroutine_after_a_wait():
    seen = []
    gate: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    async def fails() -> None:
        await gate
        raise KeyError("later")

    task = eager(fails())
    assert task is not None
    gate.set_result(None)
    with pytest.raises(KeyError):
        await task

    async def cancelled() -> None:
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            seen.append("cancelled inside")
            raise

    task = eager(cancelled())
    assert task is not None
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert seen == ["cancelled inside"]
