"""Fixtures for running tests with either broker (loaded from tests/conftest.py).

`broker_config` is merged into the PushApp config of pytest-jupyter's server. It is `{}` (the
memory broker) except in the modules listed in BOTH_BROKERS, whose tests run twice: once per
broker, ids `[memory]` and `[redis]`. Each Redis run gets its own key prefix on one shared
redis-server, so tests never see each other's channels.
"""

from __future__ import annotations

import uuid

import pytest

from .servers import HAVE_REDIS, RedisServer

BOTH_BROKERS = {"test_protocol.py"}
NO_REDIS = "redis-server not installed: apt-get install redis-server"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "broker_config" in metafunc.fixturenames and metafunc.module.__file__.endswith(
        tuple("/" + name for name in BOTH_BROKERS)
    ):
        metafunc.parametrize(
            "broker",
            ["memory", pytest.param("redis", marks=pytest.mark.skipif(not HAVE_REDIS,
                                                                      reason=NO_REDIS))],
            indirect=True,
        )


@pytest.fixture(scope="session")
def redis_server(tmp_path_factory):
    """One real redis-server for the session, on a free loopback port."""
    if not HAVE_REDIS:
        pytest.skip(NO_REDIS)
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    yield server
    server.stop()


@pytest.fixture
def broker(request) -> str:
    return getattr(request, "param", "memory")


@pytest.fixture
def broker_config(request, broker) -> dict:
    if broker == "memory":
        return {}
    server = request.getfixturevalue("redis_server")
    return {"broker_url": server.url, "redis_prefix": f"test-{uuid.uuid4().hex[:10]}:"}
