"""Real redis-server and Jupyter server processes for the scale-out tests.

The session's shared redis-server comes from tests/redis/plugin.py; tests that kill Redis get
their own. Every process started here is stopped by its fixture's finalizer.
"""

from __future__ import annotations

import uuid

import httpx
import pytest

from .servers import HAVE_REDIS, JupyterServer, RedisServer

NEEDS_REDIS = pytest.mark.skipif(
    not HAVE_REDIS, reason="redis-server not installed: apt-get install redis-server"
)
TIMEOUT = 10


@pytest.fixture
def own_redis(tmp_path):
    """A redis-server of this test alone (it may kill and restart it)."""
    server = RedisServer(tmp_path / "redis").start()
    yield server
    server.stop()


def server_config(redis_url: str, prefix: str, **extra) -> dict:
    return {"PushApp": {"broker_url": redis_url, "redis_prefix": prefix,
                        "heartbeat_interval": 0.2, **extra}}


@pytest.fixture
def start_jupyter(tmp_path):
    """Start Jupyter servers with jupyter_push: `start_jupyter(name, config)`."""
    started: list[JupyterServer] = []

    def start(name: str, config: dict, port: int | None = None) -> JupyterServer:
        server = JupyterServer(tmp_path / name, config, port=port).start()
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="module")
def pair(redis_server, tmp_path_factory):
    """Two Jupyter servers sharing one Redis key prefix (one user's servers)."""
    prefix = f"pair-{uuid.uuid4().hex[:8]}:"
    root = tmp_path_factory.mktemp("pair")
    servers = []
    try:
        for name in ("a", "b"):
            servers.append(JupyterServer(root / name, server_config(redis_server.url, prefix)))
            servers[-1].start()
        yield servers
    finally:
        for server in servers:
            server.stop()


def client(server: JupyterServer) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=server.push_url, headers=server.headers, timeout=TIMEOUT)


