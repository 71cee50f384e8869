"""Behind a TLS-terminating reverse proxy (ServerApp.trust_xheaders), share links carry the
public scheme and host the outermost proxy received, with no share_base_url configured."""

from __future__ import annotations

import pytest

FORWARDED = {"X-Forwarded-Proto": "https,http", "X-Forwarded-Host": "hub.example.org"}


@pytest.fixture
def jp_server_config(jp_server_config, trusted):
    return {**jp_server_config,
            "ServerApp": {**jp_server_config["ServerApp"], "trust_xheaders": trusted}}


async def mint_url(http) -> str:
    r = await http.post("tokens", json={"channels": ["progress"], "ttl": 60}, headers=FORWARDED)
    assert r.status_code == 200, r.text
    return r.json()["url"]


@pytest.mark.parametrize("trusted", [True])
async def test_links_use_the_forwarded_public_address_when_the_proxy_is_trusted(
        http, jp_base_url):
    url = await mint_url(http)
    assert url.startswith(f"https://hub.example.org{jp_base_url}push/events?access=")


@pytest.mark.parametrize("trusted", [False])
async def test_forwarded_headers_are_ignored_unless_trusted(http, push_url):
    assert (await mint_url(http)).startswith(push_url + "events?access=")
