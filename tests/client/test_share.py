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


async def test_share_with_write_may_set_a_declared_control_only(http, push_url, kernel_token):
    from jupyter_push.declarations import declare

    await publish(http, "$controls/train/stop", declare("train/stop", False, "button"))
    url = await asyncio.to_thread(share, "train/**", write=["train/stop"], ttl=60, url=push_url,
                                  token=kernel_token)
    assert url.write == ("train/stop",) and url.id
    async with httpx.AsyncClient(timeout=10) as browser:
        send = push_url + "events?" + url.split("?", 1)[1]
        ok = await browser.post(send, json={"channel": "train/stop", "data": True})
        assert ok.status_code == 200, ok.text
        refused = await browser.post(send, json={"channel": "train/loss", "data": 1})
        assert refused.status_code == 403
