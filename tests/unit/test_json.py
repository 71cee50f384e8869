"""The JSON codec writes and reads the same with and without orjson: every case below runs
against the package's codec (orjson installed) and a second copy loaded with orjson blocked."""

from __future__ import annotations

import dataclasses
import datetime
import enum
import importlib.util
import json
import math
import sys
import uuid

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import jupyter_push._json as with_orjson
from jupyter_push.exceptions import InvalidInput


def load_without_orjson():
    spec = importlib.util.spec_from_file_location("jupyter_push._json_stdlib",
                                                  with_orjson.__file__)
    module = importlib.util.module_from_spec(spec)
    saved = sys.modules.get("orjson")
    sys.modules["orjson"] = None  # type: ignore[assignment]  # import orjson now fails
    try:
        spec.loader.exec_module(module)
    finally:
        if saved is None:
            del sys.modules["orjson"]
        else:
            sys.modules["orjson"] = saved
    return module


without_orjson = load_without_orjson()


@pytest.fixture(params=["orjson", "json"])
def codec(request):
    if request.param == "orjson":
        assert with_orjson._orjson is not None, "the test extra installs orjson"
        return with_orjson
    assert without_orjson._orjson is None
    return without_orjson


class Colour(enum.Enum):
    RED = "red"


class Level(enum.IntEnum):
    HIGH = 3


@dataclasses.dataclass
class Point:
    x: int
    y: float


class Float(float):  # like numpy.float64, a float subclass
    pass


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, b"1"),
        ("é\n\"", '"é\\n\\""'.encode()),
        ({"a": [1, 2.5, None, True]}, b'{"a":[1,2.5,null,true]}'),
        (float("nan"), b"null"),
        ([1.0, float("inf"), -float("inf")], b"[1.0,null,null]"),
        ({"loss": float("nan"), "step": 3}, b'{"loss":null,"step":3}'),
        ({1: 2}, b'{"1":2}'),
        ({True: 1, None: 2, 1.5: 3}, b'{"true":1,"null":2,"1.5":3}'),
        ({1: float("nan")}, b'{"1":null}'),
        (2**70, b"1180591620717411303424"),
        ([-(2**70), 2**63], b"[-1180591620717411303424,9223372036854775808]"),
        ((1, "a"), b'[1,"a"]'),
        (Colour.RED, b'"red"'),
        (Level.HIGH, b"3"),
        (uuid.UUID(int=5), b'"00000000-0000-0000-0000-000000000005"'),
        (datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=datetime.timezone.utc),
         b'"2024-01-02T03:04:05.000006+00:00"'),
        (datetime.date(2024, 1, 2), b'"2024-01-02"'),
        (Point(1, float("nan")), b'{"x":1,"y":null}'),
        (Float(0.5), b"0.5"),
        ([Float("nan")], b"[null]"),
    ],
)
def test_dumps_writes_the_same_bytes(codec, value, expected):
    assert codec.dumps(value) == expected


circular: list = []
circular.append(circular)


@pytest.mark.parametrize("value", [object(), {(1, 2): 1}, circular, "\ud800", {"a": {1, 2}}])
def test_dumps_refuses_what_json_cannot_carry(codec, value):
    with pytest.raises(InvalidInput, match="not JSON-serializable"):
        codec.dumps(value)


@pytest.mark.parametrize("value", [1e-05, 2.5e-07, [1e-300, -4e-5]])
def test_small_floats_may_be_spelled_differently_but_are_the_same_number(value):
    assert json.loads(with_orjson.dumps(value)) == json.loads(without_orjson.dumps(value)) == value


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (b'{"a":[1,"x",null]}', {"a": [1, "x", None]}),
        ('"é"', "é"),
        (b"18446744073709551615", 18446744073709551615),
        (b"-9223372036854775808", -9223372036854775808),
        (b"1e300", 1e300),
    ],
)
def test_loads_reads_the_same_values(codec, raw, expected):
    value = codec.loads(raw)
    assert value == expected and type(value) is type(expected)


@pytest.mark.parametrize("raw", [b"18446744073709551616", b"-9223372036854775809",
                                 b"123456789012345678901234567890"])
def test_loads_reads_integers_beyond_64_bits_as_floats(codec, raw):
    value = codec.loads(raw)
    assert type(value) is float and value == float(raw)


@pytest.mark.parametrize("raw", [b"NaN", b"[Infinity]", b"-Infinity", b"1e400", b"[1,]",
                                 "{not json", b"\xff", b""])
def test_loads_refuses_what_is_not_json(codec, raw):
    with pytest.raises(InvalidInput, match="malformed JSON"):
        codec.loads(raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text()
    | st.floats(allow_nan=True, allow_infinity=True),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.text(max_size=4) | st.integers() | st.booleans(), inner, max_size=4),
    max_leaves=12,
)


def _normal(value):
    """What a JSON reader sees: NaN and infinities are null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, list):
        return [_normal(v) for v in value]
    if isinstance(value, dict):
        return {k: _normal(v) for k, v in value.items()}
    return value


@settings(max_examples=300, deadline=None)
@given(json_values)
def test_both_codecs_agree_on_arbitrary_values(value):
    try:
        ours = with_orjson.dumps(value)
    except InvalidInput:  # a lone surrogate in a string
        with pytest.raises(InvalidInput):
            without_orjson.dumps(value)
        return
    theirs = without_orjson.dumps(value)
    assert json.loads(ours) == json.loads(theirs)
    assert json.loads(ours) == _normal(json.loads(json.dumps(value, allow_nan=True)))
