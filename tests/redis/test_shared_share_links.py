"""Share links across servers on one Redis key prefix (each with its own data directory): a
link minted on one works on the other, and revoking on either ends every link on both,
including streams already open."""

from __future__ import annotations

import asyncio

import httpx
import httpx_sse

from .conftest import NEEDS_REDIS, TIMEOUT, client

pytestmark = NEEDS_REDIS


async def status_with(http: httpx.AsyncClient, server, token: str) -> int:
    r = await http.get(server.push_url + "channels", params={"access": token})
    return r.status_code


async def eventually(check, what: str) -> None:
    for _ in range(200):
        if await check():
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"{what}: not within 10 s")


async def test_a_link_minted_on_one_server_works_on_the_other_until_revoked_on_either(pair):
    a, b = pair
    async with client(a) as on_a, client(b) as on_b, httpx.AsyncClient(timeout=TIMEOUT) as anon:
        minted = await on_a.post("tokens", json={"channels": ["shared/**"], "ttl": 600})
        token = minted.json()["token"]

        async def valid_on_b() -> bool:  # b took the secret from Redis
            return await status_with(anon, b, token) == 200

        await eventually(valid_on_b, "the link minted on a is valid on b")
        async with httpx_sse.aconnect_sse(anon, "GET", b.push_url + "events", params={
                "access": token, "channel": "shared/**"}) as source:
            assert source.response.status_code == 200
            events = source.aiter_sse()
            await on_a.post("events", json={"channel": "shared/x", "data": 1})
            first = await asyncio.wait_for(events.__anext__(), TIMEOUT)
            assert first.data and '"shared/x"' in first.data
            revoked = await on_a.post("tokens/revoke")
            assert revoked.status_code == 200, revoked.text
            # b ends the stream the revoked link holds
            async def drained() -> None:
                async for _ in events:
                    pass
            await asyncio.wait_for(drained(), TIMEOUT)
        for server in (a, b):
            r = await anon.get(server.push_url + "channels", params={"access": token})
            assert r.status_code == 401 and "revoked" in r.json()["message"]
        # and a new link from b works on a
        fresh = (await on_b.post("tokens", json={"channels": ["shared/**"], "ttl": 60})
                 ).json()["token"]
        assert await status_with(anon, a, fresh) == 200
