"""PushApp share settings on a real server: public address, configured secret, longest ttl."""

from __future__ import annotations

import jwt
import pytest

from jupyter_push.tokens import AUDIENCE

SECRET = "a-configured-secret-that-is-long-enough-0123456789"


@pytest.fixture
def push_config():
    return {
        "share_base_url": "https://hub.example.org/user/alice/",
        "share_secret": SECRET,
        "share_max_ttl": 100,
    }


async def test_links_use_the_configured_public_address(http):
    r = await http.post("tokens", json={"channels": ["progress"], "ttl": 60})
    assert r.json()["url"].startswith("https://hub.example.org/user/alice/push/events?access=")


async def test_links_are_signed_with_the_configured_secret(http):
    r = await http.post("tokens", json={"channels": ["progress"], "ttl": 60})
    token = r.json()["token"]
    assert jwt.decode(token, SECRET, algorithms=["HS256"], audience=AUDIENCE)["ch"] == ["progress"]


async def test_a_ttl_beyond_the_configured_maximum_is_refused(http):
    r = await http.post("tokens", json={"channels": ["progress"], "ttl": 101})
    assert r.status_code == 400 and "share_max_ttl" in r.json()["message"]
