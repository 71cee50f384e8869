"""With `PushApp.share_links = False` no share link is minted or accepted."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def push_config():
    return {"share_links": False}


async def test_minting_says_share_links_are_off(http):
    r = await http.post("tokens", json={"channels": ["progress"]})
    assert r.status_code == 404 and "share_links" in r.json()["message"]


async def test_a_share_token_is_refused(push_url):
    async with httpx.AsyncClient(base_url=push_url) as anonymous:
        r = await anonymous.get("channels", params={"access": "anything"})
    assert r.status_code == 401 and "not enabled" in r.json()["message"]
