"""The pure part of `%push_notify`: durations, error lines, what a slow cell reports."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from jupyter_push.cell_notify import CellNotifier, cell_report, format_duration
from jupyter_push.notify import notification


@pytest.mark.parametrize("seconds, text", [
    (4.24, "4.2 s"), (185, "3 min 05 s"), (7380, "2 h 03 min"),
])
def test_durations_read_like_a_person_would_say_them(seconds, text):
    assert format_duration(seconds) == text


def test_a_failed_cell_reports_its_errors_last_line():
    report = cell_report(61.0, 7, ValueError("bad shape (3, 4)"))
    assert report["level"] == "error" and report["error"] == "ValueError: bad shape (3, 4)"
    assert report["message"] == "Cell [7] failed after 1 min 01 s: ValueError: bad shape (3, 4)"


def test_only_cells_over_the_threshold_are_reported_once():
    now = [0.0]
    sent = []
    notifier = CellNotifier(10, lambda **r: sent.append(r), clock=lambda: now[0])
    for duration in (3, 12):
        notifier.pre_run_cell(SimpleNamespace(cell_id="c1"))
        now[0] += duration
        notifier.post_run_cell(SimpleNamespace(execution_count=1, error_in_exec=None,
                                               error_before_exec=None))
    notifier.post_run_cell(SimpleNamespace(execution_count=2))  # no start: not a cell of ours
    assert [r["duration"] for r in sent] == [12] and sent[0]["cell_id"] == "c1"


@pytest.mark.parametrize("kwargs, problem", [
    ({"message": ""}, "non-empty"), ({"message": "x", "level": "loud"}, "use one of"),
])
def test_a_bad_notification_says_what_is_wrong(kwargs, problem):
    with pytest.raises(ValueError, match=problem):
        notification(**kwargs)
