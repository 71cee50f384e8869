"""The pure event model: names, patterns, ids, encodings."""

import json

import pytest

from jupyter_push.channels import PatternSet, check_channel, check_pattern, matches
from jupyter_push.events import Event
from jupyter_push.exceptions import InvalidChannel
from jupyter_push.ids import IdSequence


def test_event_encodings_are_built_once_and_agree():
    e = Event.create("e-000000000001", "train/loss", {"v": [1, 2]}, 1763790000.125,
                     {"kernel": "k1"})
    obj = json.loads(e.json)
    assert obj == {"id": "e-000000000001", "channel": "train/loss", "data": {"v": [1, 2]},
                   "time": 1763790000.125, "source": {"kernel": "k1"}}
    assert e.sse == b"id: e-000000000001\ndata: " + e.json + b"\n\n"
    assert e.sse_named == b"event: train/loss\n" + e.sse
    assert e.sse_named is e.sse_named
    assert e.data == {"v": [1, 2]} and e.size == len(e.json)


def test_event_json_escapes_newlines_so_the_sse_frame_stays_one_message():
    e = Event.create("i-1", "log", "line1\nline2\r\n\n", 1.0)
    assert e.sse.count(b"\n") == 3 and e.sse.endswith(b"\n\n")
    assert json.loads(e.sse.split(b"data: ", 1)[1])["data"] == "line1\nline2\r\n\n"


def test_event_without_source_has_no_source_field():
    assert "source" not in json.loads(Event.create("i-1", "a", None, 1.0).json)


@pytest.mark.parametrize(
    "name", ["progress", "train/loss", "nb:demo/step-2", "a.b_c-d:e", "x" * 200, "A/B/C/D"]
)
def test_valid_channel_names(name):
    assert check_channel(name) == name


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "1-200"),
        ("x" * 201, "1-200"),
        ("a b", "' '"),
        ("a//b", "empty segment"),
        ("/a", "empty segment"),
        ("a/", "empty segment"),
        ("$sys", "reserved"),
        ("a*", "'*'"),
        ("é", "'é'"),
        (5, "string"),
        (None, "string"),
    ],
)
def test_invalid_channel_names_say_what_is_wrong(name, problem):
    with pytest.raises(InvalidChannel, match=problem if problem != "'*'" else r"'\*'"):
        check_channel(name)


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [("**/a", "last segment"), ("a/**/b", "last segment"), ("a*", "whole segment"),
     ("a/b c", "' '"), ("", "1-200"), ("a//*", "empty segment")],
)
def test_invalid_patterns_say_what_is_wrong(pattern, problem):
    with pytest.raises(InvalidChannel, match=problem):
        check_pattern(pattern)


@pytest.mark.parametrize(
    ("pattern", "name", "expected"),
    [
        ("**", "a", True),
        ("**", "a/b/c", True),
        ("train/**", "train", True),
        ("train/**", "train/loss", True),
        ("train/**", "train/a/b", True),
        ("train/**", "training", False),
        ("train/**", "other/train", False),
        ("*", "a", True),
        ("*", "a/b", False),
        ("a/*", "a/b", True),
        ("a/*", "a", False),
        ("a/*", "a/b/c", False),
        ("a/*/c", "a/b/c", True),
        ("a/*/c", "a/b/d", False),
        ("*/loss", "train/loss", True),
        ("a/*/**", "a/b/c/d", True),
        ("a/*/**", "a", False),
        ("exact", "exact", True),
        ("exact", "exact/sub", False),
        ("a.b", "aXb", False),
        ("**", "$sys", False),
        ("$sys/**", "$sys/x", True),
    ],
)
def test_pattern_matching(pattern, name, expected):
    assert matches(check_pattern(pattern), name) is expected


def test_pattern_set_matches_any_of_its_patterns_once():
    ps = PatternSet(["a", "b/*", "a"])
    assert ps.patterns == ("a", "b/*")
    assert ps("a") and ps("b/x") and not ps("c")
    assert not ps.exact_only and PatternSet(["a", "b"]).exact_only


def test_ids_are_ordered_and_foreign_ids_are_recognised():
    ids = IdSequence("ep1")
    first, seq1 = ids.take()
    second, seq2 = ids.take()
    assert (seq1, seq2) == (1, 2) and first < second
    assert ids.parse(second) == 2
    assert ids.parse("other-000000000002") is None
    assert ids.parse("garbage") is None and ids.parse("ep1-x") is None
    assert IdSequence().epoch != "" and IdSequence("a").parse(IdSequence("b").take()[0]) is None


def test_checked_names_check_once_remember_and_stay_bounded():
    from jupyter_push.channels import CheckedNames

    calls = []

    def check(name):
        calls.append(name)
        return check_channel(name)

    names = CheckedNames(limit=2, check=check)
    assert names.check("a") == "a" and "a" in names.known
    with pytest.raises(InvalidChannel):
        names.check("bad name")
    assert "bad name" not in names.known
    names.check("b")
    names.check("c")  # past the limit: the memo starts again
    assert names.known == {"c"} and calls == ["a", "bad name", "b", "c"]


def test_one_pattern_count_check_for_every_transport():
    from jupyter_push.channels import check_patterns
    from jupyter_push.exceptions import InvalidInput

    assert check_patterns(["a", "b/*"], 2) == ["a", "b/*"]
    with pytest.raises(InvalidInput, match=r"3 patterns in one subscription; the limit is 2 "
                                           r"\(PushApp.max_patterns\)"):
        check_patterns(["a", "b", "c"], 2)
    with pytest.raises(InvalidChannel, match="whole segment"):
        check_patterns(["a*"], 2)
