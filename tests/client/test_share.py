"""jupyter_push.share(): a read-only link that an external page can use."""

from __future__ import annotations

import asyncio

import httpx
import httpx_sse

from jupyter_push import share
from tests.conftest import publish


async def test_share_url_streams_its_channels_and_cannot_publish(http, push_url, kernel_token):
    await publish(http, "progress", 40)
    url = await asyncio.to_thread(share, "progress", ttl=60, url=push_url, token=kernel_token)
    async with httpx.AsyncClient(timeout=10) as browser:  # no Jupyter credentials
        async with httpx_sse.aconnect_sse(browser, "GET", url) as source:
            assert source.response.status_code == 200
            message = await asyncio.wait_for(source.aiter_sse().__anext__(), 10)
            assert '"data":40' in message.data
        refused = await browser.post(push_url + "events?" + url.split("?", 1)[1],
                                     json={"channel": "progress", "data": 1})
        assert refused.status_code in (401, 403)
