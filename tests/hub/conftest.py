"""The hub of tests/hub: started once for the package, stopped at its end."""

from __future__ import annotations

import pytest

from .hub import Hub


@pytest.fixture(scope="package")
def hub(redis_server, tmp_path_factory):
    """The hub with alice's default and `second` servers and bob's server running."""
    running = Hub(tmp_path_factory.mktemp("hub"), redis_server.url).start()
    try:
        running.spawn("alice")
        running.spawn("alice", "second")
        running.spawn("bob")
        yield running
    finally:
        running.stop()
