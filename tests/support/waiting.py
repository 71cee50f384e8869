"""Waiting for a condition instead of sleeping for a guessed time: the server counting
subscribers, a WebSocket's earlier ops having been handled, any predicate becoming true."""

from __future__ import annotations

import asyncio
import itertools
import json
from typing import Any, Callable

TIMEOUT = 10.0
_refs = itertools.count(1_000_000)


async def until(predicate: Callable[[], Any], timeout: float = TIMEOUT,
                what: str = "the condition") -> None:
    """Return once `predicate()` is true; fail the test after `timeout` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError(f"{what} did not happen within {timeout} s")
        await asyncio.sleep(0.01)


async def subscribed(http, count: int, timeout: float = TIMEOUT) -> None:
    """Wait until the server counts `count` subscribers (GET push/status), so that an event
    published next is certainly live for them."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        r = await http.get("status")
        if r.json()["subscribers"] >= count:
            return
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"expected {count} subscribers, server has {r.json()}")
        await asyncio.sleep(0.01)


async def handled(sock, timeout: float = TIMEOUT) -> None:
    """Wait until the server has handled every op sent on `sock` so far: it handles a socket's
    ops in order, so the ack of a publish sent now (to a channel nobody follows) comes after
    them. Messages other than that ack are not expected meanwhile."""
    ref = next(_refs)
    await sock.send(json.dumps({"op": "publish", "channel": "tests.handled", "data": ref,
                                "ref": ref}))
    while True:
        message = json.loads(await asyncio.wait_for(sock.recv(), timeout))
        if isinstance(message, dict) and message.get("op") == "ack" and message["ref"] == ref:
            return
        raise AssertionError(f"expected the ack of {ref}, got {message}")
