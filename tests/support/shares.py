"""Share links in a test: minting one, its credential, and a client with no credential (a
pytest plugin: the `anonymous` fixture)."""

from __future__ import annotations

import httpx
import pytest


async def mint(client: httpx.AsyncClient, *channels: str, ttl: float = 600) -> dict:
    """A share link for `channels` minted with `client`'s credential: `{"token", "url", …}`."""
    r = await client.post("tokens", json={"channels": list(channels), "ttl": ttl})
    assert r.status_code == 200, r.text
    return r.json()


def access_of(link: dict) -> dict:
    """The query parameters that present `link`'s share token."""
    return {"access": link["token"]}


@pytest.fixture
def anonymous(push_url, jp_asyncio_loop):
    """A client with no credential at all, like a page on another site."""
    client = httpx.AsyncClient(base_url=push_url, timeout=10)
    yield client
    jp_asyncio_loop.run_until_complete(client.aclose())
