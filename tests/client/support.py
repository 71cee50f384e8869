"""Helpers shared by the client and kernel tests."""

from __future__ import annotations

import asyncio


async def subscribed(http, count: int, timeout: float = 10) -> None:
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
