"""A setting the extension cannot use is impossible to miss: the Jupyter server keeps running
(it should not die for an extension), every push route answers 503 with a message naming the
fix, and the log says it once as an error. Real `jupyter server` processes."""

from __future__ import annotations

import pytest

from tests.redis.servers import JupyterServer
from tests.support.misconfigured import (
    assert_every_route_answers_503,
    assert_logged_once_as_an_error,
)

CASES = {
    "unknown broker": ({"broker_url": "kafka://queue:9092"},
                       ["PushApp.broker_url 'kafka://queue:9092' is not understood",
                        "redis://host:port/db"]),
    "redis port": ({"broker_url": "redis://:hunter2@127.0.0.1:notaport/0"},
                   ["PushApp.broker_url 'redis://:***@127.0.0.1:notaport/0'",
                    "Port could not be cast"]),
    "short secret, negative limits": (
        {"share_secret": "too-short", "history_size": -1, "max_connections": -5,
         "heartbeat_interval": 0, "share_base_url": "hub.example.org",
         "publish_wait_timeout": -1},
        ["PushApp.share_secret has 9 bytes; it must have at least 32",
         "PushApp.history_size must be a number >= 0, not -1",
         "PushApp.max_connections must be a number >= 0 (0: no limit), not -5",
         "PushApp.heartbeat_interval must be a number > 0, not 0.0",
         "PushApp.publish_wait_timeout must be a number >= 0, not -1.0",
         "PushApp.share_base_url must be an http:// or https:// URL"]),
}


@pytest.fixture
def misconfigured(tmp_path, request):
    config, reasons = CASES[request.param]
    server = JupyterServer(tmp_path / "server", {"PushApp": config}, ready_status=503)
    try:
        yield server.start(), reasons
    finally:
        server.stop()


@pytest.mark.parametrize("misconfigured", list(CASES), indirect=True)
async def test_a_setting_the_extension_cannot_use_gets_503_everywhere_and_one_error_line(
    misconfigured
):
    server, reasons = misconfigured
    await assert_every_route_answers_503(server, *reasons)
    assert_logged_once_as_an_error(server, *reasons)
    assert server.alive()
    assert "hunter2" not in server.log()  # a password in the URL stays out of the log
