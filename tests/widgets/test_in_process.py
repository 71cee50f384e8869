"""Widgets bound to channels in one Python process (no kernel, no server): push() reaches them
directly, updates are conflated, the final value is exact."""

from __future__ import annotations

import logging
import re
import subprocess
import sys
import time

import pytest

from jupyter_push import push, run_channel, track
from jupyter_push.channels import PatternSet
from jupyter_push.widgets import Chart, Dashboard, Label, Log, Progress, flush
from jupyter_push.widgets._binding import Feed, Member


@pytest.fixture(autouse=True)
def no_server(monkeypatch, tmp_path):
    monkeypatch.delenv("JUPYTER_PUSH_URL", raising=False)
    monkeypatch.delenv("JUPYTER_PUSH_TOKEN", raising=False)
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path))


@pytest.fixture
def widgets():
    made = []

    def make(cls, *args, **kwargs):
        widget = cls(*args, **kwargs)
        made.append(widget)
        return widget

    yield make
    for widget in made:
        widget.close()


def eventually(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_bound_progress_ends_on_the_exact_last_value(widgets):
    bar = widgets(Progress, "t1/progress")
    for i in range(10_000):
        push("t1/progress", i)
    flush()
    assert bar.value == 9_999


def test_pending_values_are_sent_without_an_explicit_flush(widgets):
    label = widgets(Label, "t2/status")
    push("t2/status", "running")
    assert eventually(lambda: label.value == "running")


def test_progress_takes_total_rate_and_eta_from_the_pushed_object(widgets):
    bar = widgets(Progress, "t3/progress")
    push("t3/progress", {"value": 30, "total": 120, "rate": 3.0, "eta": 30.0})
    flush()
    assert (bar.value, bar.total, bar.rate, bar.eta) == (30, 120, 3.0, 30.0)


def test_progress_computes_eta_for_plain_counts(widgets):
    bar = widgets(Progress, "t4/progress", total=1000)
    push("t4/progress", 0)
    flush()
    time.sleep(0.02)  # time passes between the two values: the rate is per second
    push("t4/progress", 100)
    flush()
    assert bar.rate is not None and bar.rate > 0
    assert bar.eta == pytest.approx(900 / bar.rate)


def test_widgets_ignore_other_channels(widgets):
    label = widgets(Label, "t5/a")
    push("t5/b", "not mine")
    flush()
    assert label.value == ""


def test_log_keeps_the_last_lines_in_order(widgets):
    log = widgets(Log, "t6/log", max_lines=50)
    for i in range(120):
        push("t6/log", f"line {i}")
    flush()
    push("t6/log", "two\nlines")
    flush()
    assert log.lines == [f"line {i}" for i in range(72, 120)] + ["two", "lines"]


def test_chart_keeps_the_last_points_of_each_series(widgets):
    chart = widgets(Chart, "t7/train", max_points=100)
    for step in range(1, 301):
        push("t7/train", {"step": step, "loss": 1 / step, "acc": step / 300})
    flush()
    assert set(chart.series) == {"loss", "acc"}
    assert [x for x, _ in chart.series["loss"]] == list(range(201, 301))
    assert chart.series["acc"][-1] == [300, 1.0]


def test_chart_of_plain_numbers_counts_pushes_on_x(widgets):
    chart = widgets(Chart, "t8/loss")
    for y in (3.0, 2.0, 1.5):
        push("t8/loss", y)
    flush()
    assert chart.series == {"value": [[1, 3.0], [2, 2.0], [3, 1.5]]}


def test_dashboard_adds_the_right_widget_for_each_channel_as_it_appears(widgets):
    board = widgets(Dashboard, "t9/**")
    push("t9/progress", {"value": 1, "total": 4})
    push("t9/loss", 0.5)
    push("t9/log", "hello")
    push("t9/status", "ok")
    flush()
    push("t9/loss", 0.25)
    push("t9/late", 1.0)
    flush()
    kinds = {name: type(w).__name__ for name, w in board.channels.items()}
    assert kinds == {"t9/progress": "Progress", "t9/loss": "Chart", "t9/log": "Log",
                     "t9/status": "Label", "t9/late": "Chart"}
    assert list(board.children) == list(board.channels.values())
    assert board.channels["t9/loss"].series == {"value": [[1, 0.5], [2, 0.25]]}


def test_a_closed_widget_no_longer_follows_its_channel(widgets):
    label = widgets(Label, "t10/status")
    push("t10/status", "first")
    flush()
    label.close()
    push("t10/status", "second")
    flush()
    assert label.value == "first"


def test_without_a_server_widgets_work_from_local_pushes_only(widgets):
    bar = widgets(Progress, "t11/progress")
    assert bar.remote is False
    push("t11/progress", 3)
    flush()
    assert bar.value == 3


def test_track_yields_every_item_and_shows_the_final_count(widgets):
    bar = widgets(Progress, "t12/progress")
    assert list(track(range(1000), "t12/progress")) == list(range(1000))
    assert (bar.value, bar.total) == (1000, 1000)


def test_track_without_a_length_reports_no_total(widgets):
    bar = widgets(Progress, "t13/progress")
    for _ in track((i for i in range(10)), "t13/progress"):
        pass
    assert (bar.value, bar.total) == (10, None)


def test_track_reports_the_items_completed_when_the_loop_is_left_early(widgets):
    bar = widgets(Progress, "t14/progress")
    for i in track(range(100), "t14/progress"):
        if i == 41:
            break
    assert bar.value == 41  # like tqdm: the item the loop broke in did not complete


def test_remote_events_from_this_kernel_are_skipped_and_repeats_reach_a_widget_once():
    feed, seen, other = Feed(), [], []
    feed._me = "k-1"
    feed._members = [Member(["a"], PatternSet(["a"]), lambda c, d: seen.append((c, d))),
                     Member(["b"], PatternSet(["b"]), lambda c, d: other.append((c, d)))]
    feed.dispatch({"id": "1", "channel": "a", "data": 1, "source": {"kernel": "k-1"}})
    feed.dispatch({"id": "2", "channel": "a", "data": 2, "source": {"kernel": "k-2"}})
    feed.dispatch({"id": "3", "channel": "a", "data": 3})
    feed.dispatch({"id": "3", "channel": "a", "data": 3})  # retained again for a new widget
    feed.dispatch({"op": "gap", "since": "3"})
    feed.dispatch({"id": "4", "channel": "b", "data": 4})
    assert seen == [("a", 2), ("a", 3)]
    assert other == [("b", 4)]


def test_a_widget_made_mid_run_shows_the_latest_value_at_once(widgets):
    push("t15/status", "old")
    push("t15/status", "current")
    push("t15/other", "not mine")
    label = widgets(Label, "t15/status")
    flush()
    assert label.value == "current"


def test_a_dashboard_made_mid_run_shows_every_channel_pushed_so_far(widgets):
    push("t16/progress", {"value": 5, "total": 10})
    push("t16/loss", 0.5)
    board = widgets(Dashboard, "t16/**")
    flush()
    assert sorted(board.channels) == ["t16/loss", "t16/progress"]
    assert board.channels["t16/progress"].value == 5


def test_a_chart_or_dashboard_made_after_the_pushes_starts_from_the_run_so_far(widgets):
    for step in range(200):
        push("t18/train", {"loss": 1 / (step + 1), "step": step})
    push("t18/lr", 0.1)
    chart = widgets(Chart, "t18/train")
    board = widgets(Dashboard, "t18/**", kinds={"t18/lr": "chart"})
    flush()
    assert [x for x, _ in chart.series["loss"]] == list(range(200))
    train = board.channels["t18/train"]
    assert isinstance(train, Chart) and len(train.series["loss"]) == 200
    assert train.series["loss"][0] == [0, 1.0]
    assert board.channels["t18/lr"].kind == "chart"


def test_an_unreachable_server_leaves_widgets_working_and_quiet(widgets, monkeypatch, caplog):
    monkeypatch.setenv("JUPYTER_PUSH_URL", "http://127.0.0.1:9/push/")  # nothing listens there
    monkeypatch.setenv("JUPYTER_PUSH_TOKEN", "x")
    caplog.set_level(logging.DEBUG, logger="jupyter_push")
    label = widgets(Label, "t17/status")
    push("t17/status", "still here")
    flush()
    assert label.value == "still here"
    assert eventually(lambda: any("local pushes only" in r.getMessage() for r in caplog.records))
    assert not [r for r in caplog.records if r.exc_info]  # no traceback for the notebook


def test_runs_line_up_on_one_chart_and_one_dashboard_overlay(widgets):
    for run in ("lr=1e-3", "lr=1e-2"):
        for i in track(range(5), "t9/progress", run=run, interval=0):
            push(run_channel("t9/loss", run), {"step": 10 * i, "loss": 1 / (i + 1)})
    chart = widgets(Chart, "t9/loss", run="*", remote=False)
    board = widgets(Dashboard, "runs/**", overlays=["runs/*/t9/loss"], remote=False)
    one = widgets(Chart, "t9/loss", run="lr=1e-2", remote=False)
    flush()
    expected = [[10 * i, 1 / (i + 1)] for i in range(5)]
    assert chart.channel == "runs/*/t9/loss"
    assert chart.series == {"lr_1e-3 loss": expected, "lr_1e-2 loss": expected}
    overlay = board.children[0]
    assert overlay.series == chart.series
    assert set(board.channels) >= {"runs/lr_1e-3/t9/progress", "runs/lr_1e-2/t9/progress"}
    assert not any(c.endswith("/loss") for c in board.channels)
    assert one.channel == "runs/lr_1e-2/t9/loss" and one.series == {"loss": expected}
    with pytest.raises(ValueError, match="no letters or digits"):
        track([], "t9/progress", run="??")


IMPORTED_BUT_NO_KERNEL = """
import warnings
import ipykernel  # imported (as by a test runner or a server), but no kernel runs here
from jupyter_push import push
from jupyter_push.widgets import Label, flush
warnings.simplefilter("ignore")
label = Label("t19/status")
push("t19/status", "done")  # the first push looks for the kernel publishing it
flush()
assert label.value == "done"
label.close()  # its comm is unregistered from the manager it was registered with
"""


def test_looking_for_the_kernel_leaves_the_comm_manager_of_a_process_without_one_alone():
    """Finding the publishing kernel must not import ipykernel's kernel app where no kernel
    runs: that import replaces the `comm` package's manager for the whole process, and the
    widgets made before could no longer be closed (in a fresh process: no test order)."""
    done = subprocess.run([sys.executable, "-c", IMPORTED_BUT_NO_KERNEL],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_a_dashboard_tells_its_front_end_what_to_draw_and_who_pushed_it(widgets):
    """The Dashboard's `tiles`: each widget it shows (comparisons first), by the reference its
    front end draws it with, with the kernel and notebook it is grouped under (this process's
    own pushes: its own source; no kernel runs these tests, so none)."""
    push("t20/a", 1.0)
    board = widgets(Dashboard, "t20/**", overlays=["runs/*/t20/x"], remote=False)
    push("t20/b", "text")
    flush()
    assert [t["channel"] for t in board.tiles] == ["runs/*/t20/x", "t20/a", "t20/b"]
    assert [t["overlay"] for t in board.tiles] == [True, False, False]
    assert [t["widget"] for t in board.tiles] == [f"anywidget:{w.model_id}"
                                                  for w in board.children]
    assert all(t["source"] == {} for t in board.tiles)
    board._receive_sourced("t20/a", 2.0, {"kernel": "k1", "path": "a.ipynb", "cell": "c"})
    flush()
    assert board.tiles[1]["source"] == {"kernel": "k1", "path": "a.ipynb"}  # grouped by these


def test_the_dashboard_takes_each_new_kernel_state(widgets, caplog):
    """`$kernels/<id>` states head the kernels' groups: every change is applied and sent to
    the front end without error (the flag of pending changes once shared traitlets'
    `_<trait>_changed` name: the trait changed, then its notification failed, so the front end
    never heard of it)."""
    caplog.set_level(logging.ERROR, logger="jupyter_push")
    board = widgets(Dashboard, "t21/**", remote=False)
    sent = []
    board.observe(lambda change: sent.append(change["new"]), names="kernels")
    for state in ("busy", "idle", "dead"):
        board._receive("$kernels/k1", {"state": state})
        flush()
    assert sent == [{"k1": {"state": s}} for s in ("busy", "idle", "dead")]
    assert not caplog.records, caplog.text


def test_the_dashboards_static_fallback_is_grouped_as_its_live_view(widgets):
    """Saved without widgets, a Dashboard reads as it looked: comparisons first, then each
    kernel's channels under its notebook with the kernel's last state (and why it died), then
    the channels published over HTTP."""
    board = widgets(Dashboard, "t22/**", overlays=["runs/*/t22/x"], remote=False)
    board._receive_sourced("t22/a", 1.0, {"kernel": "k1", "path": "b.ipynb"})
    board._receive_sourced("t22/b", "text", {"kernel": "k2", "path": "a.ipynb"})
    board._receive("t22/c", 2.0)  # no source: published over HTTP
    push("runs/r1/t22/x", 0.5)
    board._receive("$kernels/k1", {"state": "dead", "reason": "killed (SIGKILL)",
                                   "notebook": "b.ipynb"})
    flush()
    html = board._fallback_bundle()["text/html"]
    assert re.findall(r'data-group="([^"]+)"', html) == ["compare", "kernel:k2", "kernel:k1",
                                                         "other"]
    sections = html.split('<section class="jpt-group"')[1:]
    assert 'data-channel="runs/*/t22/x"' in sections[0] and ">Compared<" in sections[0]
    assert ">a.ipynb<" in sections[1] and 'data-channel="t22/b"' in sections[1]
    assert ">b.ipynb<" in sections[2] and 'data-channel="t22/a"' in sections[2]
    assert ">dead<" in sections[2] and "killed (SIGKILL)" in sections[2]
    assert ">Other channels<" in sections[3] and 'data-channel="t22/c"' in sections[3]
    text = board._fallback_bundle()["text/plain"].splitlines()
    assert text[0] == "[Compared]" and "[b.ipynb · dead]" in text
    assert text.index("[b.ipynb · dead]") < next(i for i, t in enumerate(text)
                                                 if t.startswith("t22/a"))


def test_a_dashboard_with_one_group_saves_its_cards_alone(widgets):
    board = widgets(Dashboard, "t23/**", remote=False)
    push("t23/a", 1.0)
    flush()
    html = board._fallback_bundle()["text/html"]
    assert 'data-channel="t23/a"' in html and "jpt-group" not in html


def test_a_dismissed_group_leaves_the_fallback_until_its_kernel_runs_again(widgets):
    board = widgets(Dashboard, "t24/**", remote=False)
    board._receive_sourced("t24/a", 1.0, {"kernel": "k1", "path": "a.ipynb"})
    board._receive("t24/b", 2.0)  # published over HTTP: "Other channels", alone once k1 goes
    board._receive("$kernels/k1", {"state": "dead", "reason": "shut down"})
    flush()
    version = board.state_version()
    board.dismissed = ["kernel:k1"]  # as the front end sets it
    assert board.state_version() > version  # the fallback is redrawn at the cell's end
    html = board._fallback_bundle()["text/html"]
    assert 'data-channel="t24/a"' not in html and 'data-channel="t24/b"' in html
    assert not any(line.startswith("t24/a") for line in
                   board._fallback_bundle()["text/plain"].splitlines())
    board._receive("$kernels/k1", {"state": "idle"})  # restarted: back on the board
    flush()
    assert board.dismissed == []
    assert 'data-channel="t24/a"' in board._fallback_bundle()["text/html"]
