"""The share-link scope of `$kernels`, `$alerts` and `$notify` (pure: events in, verdicts out)."""

from __future__ import annotations

import asyncio

from jupyter_push._json import dumps
from jupyter_push.channels import PatternSet
from jupyter_push.events import Event, Notice
from jupyter_push.server.brokers.memory import MemoryBroker
from jupyter_push.server.hub import Hub, Subscriber
from jupyter_push.server.share_scope import KernelScope, ShareScopes, needs_scope

_ids = iter(range(1, 1_000_000))


def event(channel: str, data=None, kernel: str | None = None) -> Event:
    source = {"kernel": kernel, "path": "a.ipynb"} if kernel else None
    return Event.create(f"e-{next(_ids)}", channel, data, 1.0, source)


def scope(*patterns: str) -> KernelScope:
    return KernelScope(PatternSet(list(patterns)))


def test_only_links_naming_the_narrowed_channels_need_a_scope():
    assert not needs_scope(None)
    assert not needs_scope(PatternSet(["train/**", "$system/**", "$controls/**"]))
    for narrowed in ("$kernels/**", "$kernels/k1", "$notify", "$alerts/**"):
        assert needs_scope(PatternSet(["train/**", narrowed]))


def test_kernels_are_covered_by_their_events_on_the_links_plain_channels():
    s = scope("train/**", "$kernels/**")
    assert s.learn([event("other/x", 1, kernel="k2"), event("train/loss", 1, kernel="k1"),
                    event("train/loss", 2, kernel="k1"), event("train/x", 3),
                    event("$notify", {"message": "m", "level": "info"}, kernel="k3"),
                    Notice("gap", since="x")]) == ["k1"]
    assert s.admits(event("$kernels/k1", {"state": "idle"}))
    assert s.admits(event("$kernels/k1/resources", {"rss": 1}))
    assert not s.admits(event("$kernels/k2", {"state": "idle"}))
    assert not s.admits(event("$kernels/k3/resources", {"rss": 1}))
    assert s.admits(event("train/loss", 1, kernel="k2"))  # (the link's own channels: as before)
    assert s.admits(event("$system/cpu", 0.5))  # not narrowed


def test_notifications_go_with_their_kernel_or_the_rule_they_report():
    s = scope("train/**", "$notify")
    s.learn([event("train/loss", 1, kernel="k1")])
    assert s.admits(event("$notify", {"message": "done", "level": "info"}, kernel="k1"))
    assert not s.admits(event("$notify", {"message": "done", "level": "info"}, kernel="k2"))
    assert not s.admits(event("$notify", {"message": "from the CLI", "level": "info"}))
    # the watchdog's notification names what its rule watches, whoever declared it
    assert s.admits(event("$notify", {"message": "m", "level": "warning",
                                      "alert": "$alerts/stalled/train", "watched": "train/**"}))
    assert not s.admits(event("$notify", {"message": "m", "level": "warning", "alert": "x",
                                          "watched": "other/**"}, kernel="k1"))
    # a detail called pattern or channel in a user's notify() is not a rule
    assert not s.admits(event("$notify", {"message": "m", "level": "info",
                                          "pattern": "train/**"}, kernel="k2"))


def test_alerts_are_covered_when_the_link_covers_all_their_rule_watches():
    s = scope("train/**", "$system/**", "$alerts/**")
    s.learn([event("train/loss", 1, kernel="k1")])
    assert s.admits(event("$alerts/stalled/train", {"rule": "expect", "pattern": "train/**"}))
    assert s.admits(event("$alerts/value/train/loss", {"rule": "alert_if",
                                                       "channel": "train/loss"}))
    assert s.admits(event("$alerts/value/system/cpu", {"rule": "alert_if",
                                                       "channel": "$system/cpu"}))
    assert not s.admits(event("$alerts/stalled/all", {"rule": "expect", "pattern": "**"}))
    assert not s.admits(event("$alerts/stalled/other", {"rule": "expect",
                                                        "pattern": "other/**"}, kernel="k1"))
    # an alert published by hand, naming no rule: by its kernel
    assert s.admits(event("$alerts/custom", {"message": "m"}, kernel="k1"))
    assert not s.admits(event("$alerts/custom", {"message": "m"}, kernel="k2"))


# ---------------------------------------------------------------- with the hub (in process)


def test_a_scoped_subscription_learns_new_kernels_live_and_gets_their_state():
    async def scenario() -> None:
        hub = Hub(MemoryBroker(100))
        await hub.start()
        scopes = ShareScopes()
        allowed = PatternSet(["train/**", "$kernels/**"])
        await hub.publish([hub.draft("$kernels/k1", {"state": "idle"}, None, internal=True),
                           hub.draft("$kernels/k2", {"state": "idle"}, None, internal=True)])
        await hub.publish([hub.draft("train/x", 1, dumps({"kernel": "k2"}))])
        scope = await scopes.acquire(hub, allowed)  # k2 from the history
        for max_rate in (None, 1000.0):  # plain and conflating subscribers alike
            sub, _ = await hub.open(PatternSet(["$kernels/**"]), allowed=allowed, scope=scope,
                                    max_rate=max_rate)
            assert [e.channel for e in sub.take()] == ["$kernels/k2"]
            await hub.publish([hub.draft("$kernels/k1", {"state": "busy"}, None,
                                         internal=True)])
            assert sub.take() == []
            await hub.publish([hub.draft("train/y", 1, dumps({"kernel": "k1"}))])
            for _ in range(100):  # the state of the kernel just covered is fetched for it
                if sub.queue:
                    break
                await asyncio.sleep(0.01)
            assert [(e.channel, e.data) for e in sub.take()] == [("$kernels/k1",
                                                                  {"state": "busy"})]
            hub.close(sub)
            assert not scope.subscribers
            scope.kernels.pop("k1")  # (again for the next kind of subscriber)
        scopes.release(hub, allowed)
        assert len(scopes) == 0 and hub.subscribers == 0
        plain, _ = await hub.open(PatternSet(["train/**"]), allowed=PatternSet(["train/**"]))
        assert type(plain) is Subscriber  # links naming no narrowed channel: nothing added
        await hub.stop()

    asyncio.run(scenario())
