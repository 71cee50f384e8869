"""Widget bindings in one process share one subscription to the server: one WebSocket for any
number of widgets, patterns added as widgets bind and dropped as they close. Bindings are
driven directly here (what a widget does with a value is tested elsewhere). The server runs
on this test's event loop, so every wait yields to it."""

from __future__ import annotations

import asyncio
import time

import pytest

from jupyter_push.widgets._binding import Binding
from tests.conftest import publish


@pytest.fixture
def server_env(monkeypatch, push_url, kernel_token):
    monkeypatch.setenv("JUPYTER_PUSH_URL", push_url)
    monkeypatch.setenv("JUPYTER_PUSH_TOKEN", kernel_token)


@pytest.fixture
def bind(server_env):
    made = []

    def make(*patterns: str) -> tuple[Binding, list]:
        seen: list = []
        binding = Binding(list(patterns), lambda channel, data: seen.append((channel, data)))
        made.append(binding)
        return binding, seen

    yield make
    for binding in made:
        binding.close()


async def until(predicate, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.01)
    return True


async def subscribers(http) -> int:
    r = await http.get("status")
    assert r.status_code == 200, r.text
    return r.json()["subscribers"]


def followed(push_app) -> set[str]:
    """Every pattern some subscriber of the server follows."""
    return {p for sub in push_app.state.hub.subscriber_set() for p in sub.patterns.patterns}


async def test_many_bindings_share_one_socket_and_each_gets_its_own_channels(
        bind, http, push_app):
    before = await subscribers(http)
    made = [bind(f"feed/l{i}") for i in range(6)] + [bind("feed/log/*")]
    assert all(binding.remote for binding, _ in made)
    assert await until(lambda: {f"feed/l{i}" for i in range(6)} | {"feed/log/*"}
                       <= followed(push_app))  # the server took every subscribe
    assert await subscribers(http) == before + 1  # seven bindings, one subscription
    for i in range(6):
        await publish(http, f"feed/l{i}", i)
    await publish(http, "feed/log/a", "a")
    await publish(http, "feed/log/b", "b")
    await publish(http, "feed/other", "nobody's")
    expected = [[(f"feed/l{i}", i)] for i in range(6)] + [[("feed/log/a", "a"),
                                                          ("feed/log/b", "b")]]
    assert await until(lambda: [seen for _, seen in made] == expected)
    for binding, _ in made:
        binding.close()
    assert await until(lambda: not any(p.startswith("feed/") for p in followed(push_app)))
    assert await subscribers(http) == before  # the last binding closed the socket


async def test_a_new_binding_gets_the_current_value_and_older_ones_do_not_get_it_twice(
        bind, http):
    await publish(http, "feed2/log", "before any binding")
    _, first = bind("feed2/log")
    assert await until(lambda: first == [("feed2/log", "before any binding")])
    await publish(http, "feed2/log", "second")
    assert await until(lambda: len(first) == 2)
    _, late = bind("feed2/log")  # the same pattern: the server sends its retained value again
    assert await until(lambda: late == [("feed2/log", "second")])
    await publish(http, "feed2/log", "third")
    assert await until(lambda: late == [("feed2/log", "second"), ("feed2/log", "third")])
    await publish(http, "feed2/log", "fourth")  # after "third" comes "fourth": nothing twice
    assert await until(lambda: len(first) >= 4)
    assert [data for _, data in first] == ["before any binding", "second", "third", "fourth"]


async def test_a_closed_binding_takes_its_pattern_out_of_the_shared_subscription(
        bind, http, push_app):
    _, keep = bind("feed3/keep")
    gone, _ = bind("feed3/gone")
    bind("feed3/also")
    twin, _ = bind("feed3/also")  # the same pattern from two bindings
    assert await until(lambda: {"feed3/keep", "feed3/gone", "feed3/also"} <= followed(push_app))
    gone.close()
    twin.close()
    assert await until(lambda: "feed3/gone" not in followed(push_app))
    assert {"feed3/keep", "feed3/also"} <= followed(push_app)  # still wanted by the other
    await publish(http, "feed3/keep", "still followed")
    assert await until(lambda: keep == [("feed3/keep", "still followed")])


async def test_more_bindings_than_one_request_may_carry_are_all_followed_after_a_reconnect(
        bind, http, push_app):
    made = [bind(f"feed4/c{i}") for i in range(250)]  # the server takes 100 patterns a request
    assert await until(lambda: {f"feed4/c{i}" for i in range(250)} <= followed(push_app))
    before = push_app.state.hub.subscriber_set()
    for close in list(push_app.state.closers):  # the server drops every WebSocket
        close()
    # dropped: none of those subscriptions is left (the feed may already be back with new ones)
    assert await until(lambda: not before & push_app.state.hub.subscriber_set())
    assert await until(lambda: {f"feed4/c{i}" for i in range(250)} <= followed(push_app))
    for i in (0, 120, 249):
        await publish(http, f"feed4/c{i}", i)
    assert await until(lambda: all(made[i][1] == [(f"feed4/c{i}", i)] for i in (0, 120, 249)))
