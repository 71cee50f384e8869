"""Even where the server allows credentialed cross-origin requests, a share request has none."""

from __future__ import annotations

import httpx
import pytest


@pytest.fixture
def jp_server_config(push_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_push": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
            "allow_origin": "https://trusted.example",
            "allow_credentials": True,
        },
        "PushApp": {"heartbeat_interval": 0.2},
    }


async def test_share_requests_never_allow_credentials(http, push_url):
    r = await http.get("channels", headers={"Origin": "https://trusted.example"})
    assert r.headers["access-control-allow-credentials"] == "true"  # the server's own rule
    link = (await http.post("tokens", json={"channels": ["progress"]})).json()
    async with httpx.AsyncClient() as page:
        r = await page.get(link["url"].replace("/events?", "/channels?"),
                           headers={"Origin": "https://elsewhere.example"})
    assert r.status_code == 200
    assert r.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in r.headers
