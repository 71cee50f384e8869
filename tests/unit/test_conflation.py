"""Conflation's rule, with the time given: per channel at most one event per interval, the
latest value wins, skipped events are counted on the event that replaced them, nothing
overtakes an event held back, and `max_rate` is refused with a message when it is not a
positive number."""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jupyter_push.events import Event, IdSequence, InvalidInput, PatternSet
from jupyter_push.server.brokers.memory import MemoryBroker
from jupyter_push.server.conflation import (
    _EARLY,
    ConflatingSubscriber,
    Conflation,
    parse_max_rate,
    with_skipped,
)
from jupyter_push.server.hub import Hub, Subscriber

IDS = IdSequence("test")


def event(channel: str, value: object) -> Event:
    return Event.create(IDS.take()[0], channel, value, 1.0, {"kernel": "k"})


def test_the_first_event_of_a_channel_goes_out_at_once():
    c = Conflation(10)
    e = event("a", 1)
    assert c.offer(e, 0.0) is e


def test_a_burst_up_to_one_seconds_worth_passes_whole():
    c = Conflation(5)
    burst = [event("a", i) for i in range(5)]
    assert [c.offer(e, 0.0) for e in burst] == burst  # five lines printed at once: all kept
    sixth = event("a", 5)
    assert c.offer(sixth, 0.0) is None
    assert c.next_due() == pytest.approx(0.2)  # the bucket refills at 5 per second
    assert c.due(0.2) == [sixth]


def test_a_flood_delivers_the_latest_value_with_the_count_it_replaced():
    c = Conflation(1)  # one per second, no burst beyond it
    first = c.offer(event("a", 0), 0.0)
    assert first is not None
    assert [c.offer(event("a", i), 0.1 * i) for i in range(1, 6)] == [None] * 5
    assert c.due(0.5) == []  # not yet
    assert c.next_due() == pytest.approx(1.0)
    (out,) = c.due(1.0)
    body = json.loads(out.json)
    assert body["data"] == 5 and body["skipped"] == 4  # 1..4 replaced by 5
    assert body["source"] == {"kernel": "k"} and body["channel"] == "a"
    assert out.sse == b"id: " + out.id.encode() + b"\ndata: " + out.json + b"\n\n"
    assert c.next_due() is None


def test_an_event_that_replaced_none_is_the_shared_original():
    c = Conflation(1)
    c.offer(event("a", 0), 0.0)
    held = event("a", 1)
    assert c.offer(held, 0.5) is None
    assert c.due(1.0) == [held]


def test_nothing_overtakes_an_event_held_back():
    c = Conflation(1)
    c.offer(event("a", 0), 0.0)
    held_a = event("a", 1)
    c.offer(held_a, 0.5)  # held until 1.0
    b = event("b", 0)
    assert c.offer(b, 0.6) is None  # channel b has a token, but an older event waits
    assert c.due(1.0) == [held_a, b]


def test_a_later_value_moves_its_channel_behind_the_others():
    c = Conflation(1)
    c.offer(event("a", 0), 0.0)
    c.offer(event("b", 0), 0.0)
    c.offer(event("a", 1), 0.1)
    b1 = event("b", 1)
    c.offer(b1, 0.2)
    a2 = event("a", 2)
    c.offer(a2, 0.3)  # a's held value is now newer than b's
    assert [e.id for e in c.due(1.0)] == [b1.id, a2.id]


def test_release_all_gives_every_held_event_oldest_first():
    c = Conflation(1)
    c.offer(event("a", 0), 0.0)
    c.offer(event("b", 0), 0.0)
    a, b = event("a", 1), event("b", 1)
    c.offer(a, 0.1)
    c.offer(b, 0.2)
    assert c.release_all(0.3) == [a, b]
    assert not c.holding


def test_with_skipped_keeps_the_named_frame_and_the_data():
    e = event("x/y", {"v": [1, 2]})
    copy = with_skipped(e, 7)
    assert copy.id == e.id and copy.data == {"v": [1, 2]}
    assert copy.sse_named.startswith(b"event: x/y\nid: ")
    assert json.loads(copy.json) == {**json.loads(e.json), "skipped": 7}
    assert "skipped" not in json.loads(e.json)  # the shared original is untouched


@pytest.mark.parametrize("value", ["0", "-3", "abc", "", "nan", "inf", 0, -1, True, [], {}])
def test_max_rate_that_is_not_a_positive_number_is_refused_with_what_to_send(value):
    with pytest.raises(InvalidInput, match="positive number such as 30"):
        parse_max_rate(value)


@pytest.mark.parametrize(("value", "rate"), [("30", 30.0), (" 2.5 ", 2.5), (60, 60.0),
                                             (0.5, 0.5), (None, None)])
def test_max_rate_accepts_positive_numbers(value, rate):
    assert parse_max_rate(value) == rate


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.floats(0, 0.3)), min_size=1, max_size=200),
       st.sampled_from([0.5, 1.0, 5.0, 30.0, 100.0]))
def test_every_event_is_delivered_or_counted_in_order_at_the_rate(arrivals, rate):
    """A simulated stream: timers fire when `next_due` says; at the end what is held is
    released. Per channel delivered + skipped = published and the last value wins; ids only
    increase; a channel's deliveries keep to the rate with bursts of at most a second's worth
    (k deliveries span at least (k - burst) intervals); no event waits longer than one
    interval."""
    c = Conflation(rate)
    now = 0.0
    delivered: list[tuple[float, Event]] = []
    published: dict[str, list[Event]] = defaultdict(list)
    arrived: dict[str, float] = {}

    clock = [0.0]  # the simulated loop's time: never goes back

    def fire_until(t: float) -> None:
        """The timer: fires at the oldest held event's due time, or at once if that passed."""
        due = c.next_due()
        while due is not None and due <= t:
            clock[0] = max(due, clock[0])
            delivered.extend((clock[0], e) for e in c.due(clock[0]))
            due = c.next_due()
        clock[0] = t

    for channel, gap in arrivals:
        now += gap
        fire_until(now)
        e = event(channel, len(published[channel]))
        published[channel].append(e)
        arrived[e.id] = now
        out = c.offer(e, now)
        if out is not None:
            delivered.append((now, out))
    fire_until(now + 1.0 / rate)
    assert not c.holding

    ids = [e.id for _, e in delivered]
    assert ids == sorted(ids)
    by_channel: dict[str, list[tuple[float, Event]]] = defaultdict(list)
    for at, e in delivered:
        by_channel[e.channel].append((at, e))
        assert at - arrived[e.id] <= 1.0 / rate + 1e-9
    for channel, events in published.items():
        got = by_channel[channel]
        skipped = sum(json.loads(e.json).get("skipped", 0) for _, e in got)
        assert len(got) + skipped == len(events)
        assert got[-1][1].id == events[-1].id  # the latest value always arrives
        times = [at for at, _ in got]
        burst = max(1, int(rate))
        for i, j in itertools.combinations(range(len(times)), 2):
            # a timer may fire up to _EARLY before its due time (and floats round)
            assert times[j] - times[i] >= (j - i - (burst - 1)) / rate - _EARLY - 1e-9


# ---------------------------------------------------------------------- on a hub, on a loop


def test_a_hub_subscription_with_max_rate_conflates_and_one_without_does_not():
    async def main():
        hub = Hub(MemoryBroker(100, epoch="t"))
        plain, _ = await hub.open(PatternSet(["c/*"]), retained=False)
        slow, _ = await hub.open(PatternSet(["c/*"]), retained=False, max_rate=50)
        assert type(plain) is Subscriber and isinstance(slow, ConflatingSubscriber)
        # one batch, as a kernel's frame arrives: delivered in one turn of the loop
        await hub.publish([hub.draft(ch, sign * i) for i in range(100)
                           for ch, sign in (("c/x", 1), ("c/y", -1))])
        every = plain.take()
        now = slow.take()  # the first of each channel went out at once
        await slow.ready.wait()  # the timer released the latest, ~1/50 s later
        later = slow.take()
        hub.close(slow)
        return every, now, later

    every, now, later = asyncio.run(main())
    assert len(every) == 200
    # a second's worth (50 per channel) at once, then the latest with what it replaced
    assert [(e.channel, e.data) for e in now] == [
        (ch, sign * i) for i in range(50) for ch, sign in (("c/x", 1), ("c/y", -1))]
    assert [(e.channel, e.data, json.loads(e.json)["skipped"]) for e in later] == [
        ("c/x", 99, 49), ("c/y", -99, 49)]


def test_a_gap_notice_follows_the_events_held_back_before_it():
    async def main():
        hub = Hub(MemoryBroker(100, epoch="t"))
        sub, _ = await hub.open(PatternSet(["c"]), retained=False, max_rate=1)
        await hub.publish([hub.draft("c", i) for i in range(3)])
        hub.notify_gap("t-1")
        items = sub.take()
        hub.close(sub)
        return items

    first, held, notice = asyncio.run(main())
    assert (first.data, held.data, json.loads(held.json)["skipped"]) == (0, 2, 1)
    assert notice.id is None and json.loads(notice.json)["op"] == "gap"
