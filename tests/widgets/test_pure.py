"""The pure core of widgets and track(): what a value means, how often a widget may send,
rate and time left."""

from __future__ import annotations

import pytest

from jupyter_push.static_html import as_text
from jupyter_push.tracking import RateMeter, eta, progress_event
from jupyter_push.widgets._kinds import chart_samples, progress_fields, widget_kind
from jupyter_push.widgets._throttle import MAX_FPS, min_interval, next_send_at


@pytest.mark.parametrize(
    ("channel", "data", "kind"),
    [
        ("train/progress", {"value": 3, "total": 10}, "progress"),
        ("anything", {"value": 3, "total": None}, "progress"),
        ("job/progress", 42, "progress"),
        ("train/loss", 0.25, "chart"),
        ("train/metrics", {"loss": 0.3, "acc": 0.9}, "chart"),
        ("train/metrics", {"step": 3, "loss": 0.3}, "chart"),
        ("train/log", "epoch 1 done", "log"),
        ("status", "running", "label"),
        ("flags", True, "label"),
        ("config", {"lr": "auto"}, "label"),
        ("items", [1, 2, 3], "label"),
        ("nothing", None, "label"),
    ],
)
def test_dashboard_picks_widget_from_channel_and_first_value(channel, data, kind):
    assert widget_kind(channel, data) == kind


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (7, {"value": 7.0}),
        ({"value": 7, "total": 10}, {"value": 7.0, "total": 10.0}),
        ({"value": 7, "total": None, "rate": 2.5, "eta": None},
         {"value": 7.0, "total": None, "rate": 2.5, "eta": None}),
        ({"value": 1, "desc": "epochs"}, {"value": 1.0, "description": "epochs"}),
        ("seven", {}),
        (True, {}),
    ],
)
def test_progress_reads_a_count_or_a_progress_object(data, fields):
    assert progress_fields(data) == fields


@pytest.mark.parametrize(
    ("x", "data", "points"),
    [
        (5, 0.5, {"value": (5, 0.5)}),
        (5, {"loss": 0.5, "acc": 1}, {"loss": (5, 0.5), "acc": (5, 1.0)}),
        (5, {"step": 100, "loss": 0.5}, {"loss": (100, 0.5)}),
        (5, {"loss": 0.5, "note": "x", "bad": float("nan")}, {"loss": (5, 0.5)}),
        (5, "text", {}),
    ],
)
def test_chart_turns_numbers_and_dicts_of_numbers_into_series_points(x, data, points):
    assert chart_samples(x, data) == points


@pytest.mark.parametrize(
    ("data", "text"),
    [("plain", "plain"), (3, "3"), ({"a": [1, 2]}, '{"a": [1, 2]}'), (None, "null")],
)
def test_labels_show_strings_as_they_are_and_other_values_as_json(data, text):
    assert as_text(data) == text


def test_a_widget_sends_at_most_max_fps_times_a_second():
    assert min_interval(1) == pytest.approx(1 / MAX_FPS)
    assert next_send_at(last_sent=10.0, now=10.01, interval=1 / MAX_FPS) == pytest.approx(
        10.0 + 1 / MAX_FPS
    )
    assert next_send_at(last_sent=10.0, now=11.0, interval=1 / MAX_FPS) == 11.0


def test_many_widgets_share_a_kernel_message_budget():
    assert min_interval(1000) * MAX_FPS > 1  # each sends less often than 30/s
    assert 1000 / min_interval(1000) <= 300


def test_large_states_are_sent_less_often():
    assert min_interval(1, state_bytes=1_000_000) > min_interval(1, state_bytes=100)


def test_rate_meter_smooths_items_per_second():
    meter = RateMeter(0, 0.0, smoothing=0.5)
    assert meter.update(10, 1.0) == 10
    assert meter.update(40, 2.0) == pytest.approx(0.5 * 30 + 0.5 * 10)


def test_rate_meter_restarts_when_the_count_goes_back():
    meter = RateMeter(0, 0.0)
    meter.update(100, 1.0)
    assert meter.update(5, 2.0) is None
    assert meter.update(15, 3.0) == 10


@pytest.mark.parametrize(
    ("value", "total", "rate", "left"),
    [(25, 100, 5.0, 15.0), (100, 100, 5.0, 0.0), (5, None, 5.0, None), (5, 10, None, None)],
)
def test_eta_is_what_is_left_over_the_rate(value, total, rate, left):
    assert eta(value, total, rate) == left


def test_progress_event_carries_count_total_rate_and_eta():
    assert progress_event(25, 100, 5.0, 5.0) == {
        "value": 25, "total": 100, "rate": 5.0, "eta": 15.0, "elapsed": 5.0,
    }


def test_the_feed_hands_on_sources_and_drops_only_this_kernels_own_pushes():
    """A widget bound with `sourced` gets who published each event; this kernel's own pushes
    (already seen locally) are dropped, its `$kernels/<id>` state (only the server publishes
    it) is not."""
    from jupyter_push.channels import PatternSet
    from jupyter_push.widgets._binding import Feed, Member
    from jupyter_push.widgets.dashboard import kernel_of_state

    feed = Feed()
    feed._me = "k1"
    seen: list = []
    feed._members = [Member(["t/*", "$kernels/*"], PatternSet(["t/*", "$kernels/*"]),
                            lambda *args: seen.append(args), sourced=True)]
    feed.dispatch({"id": "1", "channel": "t/x", "data": 1, "source": {"kernel": "k1"}})
    feed.dispatch({"id": "2", "channel": "$kernels/k1", "data": {"state": "idle"},
                   "source": {"kernel": "k1"}})
    feed.dispatch({"id": "3", "channel": "t/x", "data": 2,
                   "source": {"kernel": "k2", "path": "b.ipynb"}})
    feed.dispatch({"id": "4", "channel": "t/y", "data": 3})
    assert seen == [("$kernels/k1", {"state": "idle"}, {"kernel": "k1"}),
                    ("t/x", 2, {"kernel": "k2", "path": "b.ipynb"}), ("t/y", 3, {})]
    assert [kernel_of_state(c) for c in ("$kernels/k1", "$kernels/k1/resources", "t/x")] == \
        ["k1", None, None]
