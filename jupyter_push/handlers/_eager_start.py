"""Running a coroutine's synchronous prefix at once.

tornado runs a coroutine `on_message` as a Task, whose first step waits for the next turn of
the event loop: a publish from an idle connection then reaches its subscribers one loop turn
(and one `epoll_wait`) later than it could. `eager(coro)` runs the coroutine right away; if it
finishes without waiting for anything (a publish to the memory broker always does), nothing
else is created. If it does wait, the rest runs in a Task exactly as before (what Python 3.12
calls an eager task)."""

from __future__ import annotations

import asyncio
import types
from collections.abc import Coroutine, Generator
from typing import Any


def eager(coro: Coroutine[Any, Any, Any]) -> asyncio.Task[Any] | None:
    """Run `coro` until it first waits. None if it finished (its exception, if any, is
    raised here); otherwise the Task that runs the rest."""
    try:
        waiting_on = coro.send(None)
    except StopIteration:
        return None
    return asyncio.ensure_future(_finish(coro, waiting_on))


async def _finish(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Any:
    return await _resume(coro, waiting_on)


@types.coroutine
def _resume(coro: Coroutine[Any, Any, Any], waiting_on: Any) -> Generator[Any, Any, Any]:
    """Hand what `coro` waits on to the Task, and pass back what the Task resumes it with."""
    while True:
        try:
            sent = yield waiting_on
        except BaseException as e:  # cancellation or an error thrown in by the Task
            try:
                waiting_on = coro.throw(e)
            except StopIteration as done:
                return done.value
        else:
            try:
                waiting_on = coro.send(sent)
            except StopIteration as done:
                return done.value
