"""Run names (jupyter_push.runs): the channel a run's values go to, and the name a channel's
series gets on a tile bound to a pattern, from the fixture the tile library is tested with."""

from __future__ import annotations

import json

import pytest

from jupyter_push import InvalidChannel, run_channel
from jupyter_push.channels import PatternSet
from jupyter_push.runs import run_segment, runs_pattern, series_name
from tests.conftest import ROOT

SERIES_NAMES = json.loads((ROOT / "tests" / "fixtures" / "series_names.json").read_text())


@pytest.mark.parametrize("case", SERIES_NAMES["cases"], ids=lambda c: c["channel"])
def test_series_names_follow_the_shared_fixture(case):
    assert PatternSet([case["pattern"]])(case["channel"])
    assert series_name(case["pattern"], case["channel"]) == case["name"]


def test_a_run_name_becomes_one_channel_segment():
    assert run_segment("lr=1e-3") == "lr_1e-3"
    assert run_segment(" bs 32, adam ") == "bs_32_adam"
    assert run_segment("baseline") == "baseline"
    assert run_channel("loss", "lr=1e-3") == "runs/lr_1e-3/loss"
    assert run_channel("train/loss", "b") == "runs/b/train/loss"
    assert runs_pattern("loss") == "runs/*/loss"
    assert runs_pattern("loss", "a b") == "runs/a_b/loss"


@pytest.mark.parametrize("run, problem", [
    ("==", "no letters or digits"),
    ("x" * 65, "longer than 64"),
    (3, "must be a string"),
])
def test_bad_run_names_say_what_to_change(run, problem):
    with pytest.raises(InvalidChannel, match=problem):
        run_segment(run)


def test_a_bad_channel_under_a_run_is_refused():
    with pytest.raises(InvalidChannel, match="empty segment"):
        run_channel("a//b", "r")
