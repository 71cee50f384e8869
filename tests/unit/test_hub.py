"""The hub and the memory broker, with no network."""

import asyncio

import pytest

from jupyter_push.channels import PatternSet
from jupyter_push.server.brokers.memory import MemoryBroker
from jupyter_push.server.hub import Hub, QueueLimits
from tests.support.waiting import until


def run(coro):
    return asyncio.run(coro)


def make_hub(**kw) -> Hub:
    history = kw.pop("history", 100)
    return Hub(MemoryBroker(history, epoch="t"), QueueLimits(**kw))


async def publish(hub: Hub, *items):
    return await hub.publish([hub.draft(ch, data) for ch, data in items])


def test_subscriber_gets_only_matching_events_once_even_when_patterns_overlap():
    async def main():
        hub = make_hub()
        sub, _ = await hub.open(PatternSet(["train/**", "train/loss", "*"]), retained=False)
        await publish(hub, ("train/loss", 1), ("eval/loss", 2), ("train", 3), ("x", 4))
        return [(e.channel, e.data) for e in sub.take()]

    assert run(main()) == [("train/loss", 1), ("train", 3), ("x", 4)]


def test_every_subscriber_shares_the_same_encoded_bytes():
    async def main():
        hub = make_hub()
        a, _ = await hub.open(PatternSet(["p"]))
        b, _ = await hub.open(PatternSet(["**"]))
        await publish(hub, ("p", 1))
        return a.take()[0], b.take()[0]

    ea, eb = run(main())
    assert ea is eb and ea.sse is eb.sse


def test_resume_replays_exactly_the_missed_events_in_order():
    async def main():
        hub = make_hub()
        first = await publish(hub, ("a", 1), ("b", 2))
        await publish(hub, ("a", 3), ("b", 4), ("a", 5))
        sub, gap = await hub.open(PatternSet(["a"]), since=first[-1].id)
        return gap, [e.data for e in sub.take()]

    assert run(main()) == (None, [3, 5])


def test_resume_from_an_id_no_longer_held_is_a_gap_then_retained_values():
    async def main():
        hub = make_hub(history=3)
        old = await publish(hub, ("a", 1))
        await publish(hub, ("a", 2), ("b", 3), ("a", 4), ("b", 5))
        sub, gap = await hub.open(PatternSet(["**"]), since=old[0].id)
        return gap, [e.data for e in sub.take()]

    gap, data = run(main())
    assert gap is not None and data == [4, 5]


@pytest.mark.parametrize("since", ["otherepoch-000000000001", "t-000000000099", "junk"])
def test_resume_from_a_foreign_or_future_id_is_a_gap(since):
    async def main():
        hub = make_hub()
        await publish(hub, ("a", 1))
        return (await hub.open(PatternSet(["a"]), since=since))[1]

    assert run(main()) == since


def test_resume_from_the_latest_id_replays_nothing_and_sends_no_retained_value():
    async def main():
        hub = make_hub()
        last = await publish(hub, ("a", 1))
        sub, gap = await hub.open(PatternSet(["a"]), since=last[0].id)
        return gap, sub.take()

    assert run(main()) == (None, [])


def test_slow_subscriber_overflows_explicitly_and_others_keep_everything():
    # slow means slow in time: a queue not emptied for slow_subscriber_timeout
    async def main():
        hub = make_hub(slow_subscriber_timeout=0.05)
        slow, _ = await hub.open(PatternSet(["**"]))
        fast, _ = await hub.open(PatternSet(["**"]))
        got = []
        for i in range(20):
            await publish(hub, ("a", i))
            got.extend(e.data for e in fast.take())
            if i == 10:
                await asyncio.sleep(0.1)
        return slow.overflowed, len(slow.queue), got

    overflowed, queued, got = run(main())
    assert overflowed and queued == 0 and got == list(range(20))


def test_a_burst_beyond_queue_max_events_is_not_cut_it_holds_publishers_back():
    async def main():
        hub = make_hub(queue_max_events=100)
        sub, _ = await hub.open(PatternSet(["**"]), retained=False)
        publishing = asyncio.ensure_future(publish(hub, *[("a", i) for i in range(1000)]))
        await until(lambda: sub in hub.backlog.behind, what="the subscriber falling behind")
        behind = sub in hub.backlog.behind
        held = not publishing.done()  # the publisher waits while a subscriber is behind
        events = []  # the transport writes what is queued, as often as it is woken
        while not publishing.done():
            events += sub.take()
            await asyncio.sleep(0.001)
        await asyncio.wait_for(publishing, 1)
        events += sub.take()
        return sub.overflowed, behind, held, [e.data for e in events], hub.backlog.behind

    overflowed, behind, held, data, still_behind = run(main())
    assert not overflowed and behind and held and data == list(range(1000))
    assert not still_behind


def test_a_publisher_waiting_on_a_stalled_subscriber_cuts_it_off_after_the_timeout():
    async def main():
        hub = make_hub(queue_max_events=10, slow_subscriber_timeout=0.1)
        stalled, _ = await hub.open(PatternSet(["**"]), retained=False)
        await publish(hub, *[("a", i) for i in range(50)])
        await asyncio.wait_for(hub.backlog.drained(), 2)  # no more publishes: cut by drained
        return stalled.overflowed, stalled.queue, hub.backlog.behind

    assert run(main()) == (True, [], set())


def test_queue_is_bounded_in_bytes_too():
    async def main():
        hub = make_hub(queue_max_bytes=1000)
        sub, _ = await hub.open(PatternSet(["**"]))
        await publish(hub, *[("a", "x" * 200) for _ in range(10)])
        return sub.overflowed

    assert run(main())


def test_closed_subscriber_receives_nothing_and_is_forgotten():
    async def main():
        hub = make_hub()
        sub, _ = await hub.open(PatternSet(["a"]))
        wild, _ = await hub.open(PatternSet(["**"]))
        hub.close(sub)
        hub.close(wild)
        await publish(hub, ("a", 1))
        return sub.take(), wild.take(), hub.subscribers, hub._exact, hub._wild

    assert run(main()) == ([], [], 0, {}, set())


def test_update_changes_what_a_subscriber_hears():
    async def main():
        hub = make_hub()
        sub, _ = await hub.open(PatternSet(["a"]))
        hub.update(sub, PatternSet(["b/*"]))
        await publish(hub, ("a", 1), ("b/x", 2))
        return [e.data for e in sub.take()]

    assert run(main()) == [2]


def test_a_watcher_hears_every_slice_is_never_behind_or_counted_and_can_change_or_stop():
    async def main():
        hub = make_hub(queue_max_events=10, queue_max_bytes=1000)
        heard: list = []
        watcher = hub.watch(PatternSet(["a"]), lambda events: heard.extend(
            e.data for e in events))
        await publish(hub, *[("a", "x" * 100) for _ in range(50)])  # over both bounds
        first = (len(heard), watcher.overflowed, hub.backlog.behind, hub.subscribers,
                 hub.subscriber_set())
        hub.rewatch(watcher, PatternSet(["b/*"]))
        await publish(hub, ("a", 1), ("b/x", 2))
        hub.unwatch(watcher)
        await publish(hub, ("b/x", 3))
        return first, heard[50:], hub.has_subscribers("b/x")

    assert run(main()) == ((50, False, set(), 0, set()), [2], False)


def test_channels_report_latest_event_and_count():
    async def main():
        hub = make_hub()
        await publish(hub, ("a", 1), ("a", 2), ("b/c", 3))
        return await hub.channels(PatternSet(["**"]))

    chans = run(main())
    assert [(c["name"], c["last"]["data"], c["count"]) for c in chans] == [("a", 2, 2),
                                                                           ("b/c", 3, 1)]


def test_allowed_patterns_limit_a_share_subscriber():
    async def main():
        hub = make_hub()
        await publish(hub, ("public/x", 0), ("secret", 0))
        sub, _ = await hub.open(PatternSet(["**"]), allowed=PatternSet(["public/**"]))
        await publish(hub, ("public/y", 1), ("secret", 2))
        return [e.channel for e in sub.take()]

    assert run(main()) == ["public/x", "public/y"]
