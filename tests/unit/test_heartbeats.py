"""The heartbeat sweep: every connection once per interval, a slice at a time, never one
that has gone."""

from __future__ import annotations

from jupyter_push.server.heartbeats import SLICES, Heartbeats


class Conn:
    def __init__(self) -> None:
        self.beats = 0

    def heartbeat(self) -> None:
        self.beats += 1


def test_each_connection_beats_once_per_interval_a_slice_per_tick():
    sweep = Heartbeats(0)  # interval 0: no timer, the test drives the ticks
    conns = [Conn() for _ in range(100)]
    for c in conns:
        sweep.add(c)
    per_tick = []
    for _ in range(SLICES):
        before = sum(c.beats for c in conns)
        sweep._tick()
        per_tick.append(sum(c.beats for c in conns) - before)
    assert [c.beats for c in conns] == [1] * 100
    assert max(per_tick) <= -(-100 // SLICES)  # spread: never all at once
    for _ in range(SLICES):
        sweep._tick()
    assert [c.beats for c in conns] == [2] * 100


def test_a_closed_connection_is_not_beaten_and_a_new_one_joins_the_next_turn():
    sweep = Heartbeats(0)
    old, gone = Conn(), Conn()
    sweep.add(old)
    sweep.add(gone)
    sweep._tick()  # the turn starts with both: `old` in the first half, `gone` in the second
    sweep.discard(gone)
    new = Conn()
    sweep.add(new)
    for _ in range(2 * SLICES - 1):  # the rest of this turn and the whole next one
        sweep._tick()
    assert (old.beats, gone.beats, new.beats) == (2, 0, 1)
