"""The JSON codec: compact UTF-8 bytes out, Python values in, InvalidInput for what JSON cannot
carry; the same result whether or not orjson (several times faster) is installed.

The rules, for both implementations:
- NaN and ±Infinity are written as `null` (JSON has no such numbers).
- dict keys that are str, int, float, bool or None are written as strings, as `json` does
  (`{1: 2}` → `{"1":2}`, `True` → `"true"`); other keys are refused.
- integers of any size are written exactly; enums as their value, UUIDs as strings, dates and
  times in ISO 8601, dataclasses as objects (what orjson writes natively).
- reading: integers beyond 64 bits become floats, numbers beyond the double range and the
  non-standard `NaN`/`Infinity` literals are refused (what orjson reads).
Only the spelling of very small floats may differ (`1e-05` here, `0.00001` from orjson): the
same number either way. tests/unit/test_json.py runs its table with and without orjson.
"""

from __future__ import annotations

import dataclasses
import datetime
import enum
import json
import math
import uuid
from typing import Any

from .exceptions import InvalidInput

try:
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised when orjson is absent (test_json.py)
    _orjson = None  # type: ignore[assignment]

_INT64_MIN, _UINT64_END = -(1 << 63), 1 << 64  # the integers orjson reads as integers


def dumps(value: Any) -> bytes:
    """Compact JSON bytes. Raises InvalidInput for values JSON cannot carry."""
    if _orjson is not None:
        try:
            return _orjson.dumps(value)
        except TypeError:  # non-str keys, integers beyond 64 bits, other types: the standard
            pass  # library decides, exactly as when orjson is absent
    try:
        return _ENCODER.encode(value).encode()
    except ValueError as e:
        if "Out of range float" not in str(e):  # a circular reference, a lone surrogate...
            raise InvalidInput(f"data is not JSON-serializable: {e}") from e
    except (TypeError, RecursionError) as e:
        raise InvalidInput(f"data is not JSON-serializable: {e}") from e
    try:  # NaN or infinity somewhere (rare): write null, as orjson does
        return _ENCODER.encode(_finite(value)).encode()
    except (TypeError, ValueError, RecursionError) as e:
        raise InvalidInput(f"data is not JSON-serializable: {e}") from e


def loads(raw: str | bytes) -> Any:
    """Parse JSON from a client, raising InvalidInput with a readable message."""
    try:
        if _orjson is not None:
            return _orjson.loads(raw)
        return _DECODER.decode(raw if isinstance(raw, str) else bytes(raw).decode())
    except (ValueError, TypeError, RecursionError) as e:
        raise InvalidInput(f"malformed JSON: {e}") from e


def _default(value: Any) -> Any:
    """The types orjson writes natively, as it writes them."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: getattr(value, f.name) for f in dataclasses.fields(value)}
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _finite(value: Any) -> Any:
    """`value` with every NaN and infinity replaced by None."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    if isinstance(value, (str, int)) or value is None:
        return value
    try:
        return _finite(_default(value))
    except TypeError:
        return value  # the encoder refuses it with its own message


def _int(text: str) -> int | float:
    n = int(text)
    return n if _INT64_MIN <= n < _UINT64_END else float(text)


def _float(text: str) -> float:
    f = float(text)
    if math.isinf(f):
        raise ValueError(f"number is infinity when parsed as double: {text[:20]}")
    return f


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not a JSON value")


_ENCODER = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, allow_nan=False,
                            default=_default)
_DECODER = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=_refuse)
