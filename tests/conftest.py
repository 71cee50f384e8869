"""Shared fixtures: a real Jupyter server with the extension (pytest-jupyter, base_url
`/a%40b/`, authentication required), and standard clients pointed at it."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import httpx
import pytest

pytest_plugins = [
    "pytest_jupyter.jupyter_server",
    "tests.redis.plugin",
    "tests.support.browser",
    "tests.support.kernels",
    "tests.support.shares",
]

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# headless Chromium with no network of its own: it may only reach the test servers
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
]
ROOT = Path(__file__).resolve().parents[1]
ARTIFACTS = ROOT / "tests" / "artifacts"  # screenshots; gitignored
REDIS = shutil.which("redis-server")


def needs_chromium() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason="Chromium not installed: apt-get install chromium (make test does it as root)",
    )


def needs_redis() -> pytest.MarkDecorator:
    return pytest.mark.skipif(
        REDIS is None,
        reason="redis-server not installed: apt-get install redis-server "
        "(make test does it as root)",
    )


@pytest.fixture
def push_config() -> dict:
    """Override in a test module to configure PushApp."""
    return {}


@pytest.fixture
def jp_server_config(push_config, broker_config):
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_push": True, "jupyter_server_terminals": False},
            "allow_unauthenticated_access": False,
        },
        "PushApp": {"heartbeat_interval": 0.2, **broker_config, **push_config},
    }


@pytest.fixture
def push_app(jp_serverapp):
    from jupyter_push.app import PushApp

    for ext in jp_serverapp.extension_manager.extension_apps.get("jupyter_push", ()):
        if isinstance(ext, PushApp):
            return ext
    raise AssertionError("jupyter_push extension not loaded")


@pytest.fixture
def push_url(jp_serverapp, http_server, jp_http_port, jp_base_url) -> str:
    """Absolute URL of {base}push/ on the test server."""
    return f"http://127.0.0.1:{jp_http_port}{jp_base_url}push/"


@pytest.fixture
def jupyter_token(jp_serverapp) -> str:
    return jp_serverapp.identity_provider.token


@pytest.fixture
def auth(jupyter_token) -> dict[str, str]:
    return {"Authorization": f"token {jupyter_token}"}


@pytest.fixture
def kernel_token(push_app) -> str:
    return push_app.kernel_token


@pytest.fixture
def http(push_url, auth, jp_asyncio_loop):
    """An httpx client for {base}push/ with the Jupyter token."""
    client = httpx.AsyncClient(base_url=push_url, headers=auth, timeout=10)
    yield client
    jp_asyncio_loop.run_until_complete(client.aclose())


async def publish(http: httpx.AsyncClient, channel: str, data, **kw) -> str:
    r = await http.post("events", json={"channel": channel, "data": data}, **kw)
    assert r.status_code == 200, r.text
    return r.json()["ids"][0]


def ws_url(push_url: str) -> str:
    return push_url.replace("http://", "ws://") + "ws"


def event_of(message: str) -> dict:
    return json.loads(message)
