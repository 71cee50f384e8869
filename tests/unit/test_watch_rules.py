"""Watchdog rules (pure): when an expect() rule trips and clears, what alert_if() calls wrong."""

from __future__ import annotations

import pytest

from jupyter_push.watch_rules import AlertIf, Expect, rule_from_declaration, rule_name


def test_expect_raises_once_after_the_interval_and_clears_on_the_next_event():
    rule = Expect("train/**", 10, started=100.0)
    assert rule.check(109.0) is None
    raised = rule.check(110.0)
    assert raised is not None and raised.raised and raised.channel == "$alerts/stalled/train"
    assert rule.check(200.0) is None  # once
    assert rule.observe("eval/acc", 201.0) is None  # not its channel
    cleared = rule.observe("train/loss", 202.0)
    assert cleared is not None and not cleared.raised
    assert rule.check(211.0) is None and rule.check(212.0) is not None  # counts from the event


@pytest.mark.parametrize("rule, value, problem", [
    (AlertIf("loss", nan=True), None, "is NaN"),
    (AlertIf("loss", nan=True), float("nan"), "is NaN"),
    (AlertIf("loss", nan=True), 0.3, None),
    (AlertIf("gpu", above=0.95), 0.97, "is 0.97, above 0.95"),
    (AlertIf("gpu", above=0.95), {"value": 0.99}, "is 0.99, above 0.95"),
    (AlertIf("gpu", above=0.95, field="util"), {"util": 0.5}, None),
    (AlertIf("lr", below=1e-6), 1e-7, "is 1e-07, below 1e-06"),
    (AlertIf("gpu", above=0.95), "text", None),
])
def test_alert_if_says_what_is_wrong_with_a_value(rule, value, problem):
    assert rule.problem(value) == problem


@pytest.mark.parametrize("declaration, message", [
    ({"rule": "expect", "pattern": "a", "every": 0}, "seconds must be > 0"),
    ({"rule": "expect", "pattern": "a b", "every": 1}, "contains"),
    ({"rule": "alert_if", "channel": "x"}, "give"),
    ({"rule": "sometimes"}, "unknown watch rule"),
])
def test_a_bad_rule_declaration_is_refused_with_a_reason(declaration, message):
    with pytest.raises(ValueError, match=message):
        rule_from_declaration(declaration, 0.0)


@pytest.mark.parametrize("pattern, name", [("train/**", "train"), ("**", "all"),
                                           ("runs/*/loss", "runs/loss")])
def test_rule_names_keep_the_literal_segments(pattern, name):
    assert rule_name(pattern) == name
