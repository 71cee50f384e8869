"""The conflating flusher: a dirty widget is sent at once unless it was sent less than a frame
ago; then the flusher says how long to wait."""

from __future__ import annotations

import pytest

from jupyter_push.widgets._flusher import Flusher
from jupyter_push.widgets._throttle import MAX_FPS


class CountingSink:
    def __init__(self, last_sent: float, dirty: bool = True):
        self._dirty = dirty
        self._last_sent = last_sent
        self._state_bytes = 0
        self.sent = 0

    def flush(self) -> None:
        self._dirty = False
        self.sent += 1


@pytest.fixture
def flusher():
    return Flusher()  # not started: flush_due is driven by hand with explicit clocks


def test_a_dirty_widget_not_sent_for_a_frame_is_sent_at_once(flusher):
    sink = CountingSink(last_sent=0.0)
    flusher._sinks.add(sink)
    assert flusher.flush_due(now=10.0) is None
    assert sink.sent == 1


def test_a_widget_sent_less_than_a_frame_ago_waits_for_the_rest_of_the_frame(flusher):
    sink = CountingSink(last_sent=10.0)
    flusher._sinks.add(sink)
    wait = flusher.flush_due(now=10.01)
    assert sink.sent == 0
    assert wait == pytest.approx(1 / MAX_FPS - 0.01)
    assert flusher.flush_due(now=10.0 + 1 / MAX_FPS) is None
    assert sink.sent == 1


def test_clean_widgets_are_not_sent(flusher):
    sink = CountingSink(last_sent=0.0, dirty=False)
    flusher._sinks.add(sink)
    assert flusher.flush_due(now=10.0) is None
    assert sink.sent == 0


def test_flush_all_sends_every_pending_widget_regardless_of_the_frame(flusher):
    sinks = [CountingSink(last_sent=10.0) for _ in range(3)]
    flusher._sinks.update(sinks)
    flusher.flush_all()
    assert [s.sent for s in sinks] == [1, 1, 1]


def test_a_failing_widget_does_not_stop_the_others(flusher):
    class Broken(CountingSink):
        def flush(self) -> None:
            raise RuntimeError("boom")

    good = CountingSink(last_sent=0.0)
    flusher._sinks.update([Broken(last_sent=0.0), good])
    flusher.flush_all()
    assert good.sent == 1
