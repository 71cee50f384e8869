"""The Python protocol types mirror the lab panel's (labextension/src/protocol.ts): the same
interfaces with the same fields, and which of them are optional."""

from __future__ import annotations

import re
import typing
from pathlib import Path

import pytest

from jupyter_push import _protocol

PROTOCOL_TS = Path(__file__).resolve().parents[2] / "labextension" / "src" / "protocol.ts"

MIRRORS = {
    "PushSource": _protocol.Source,
    "PushEvent": _protocol.EventDict,
    "ChannelSummary": _protocol.ChannelSummary,
    "ChannelsReply": _protocol.ChannelsReply,
}


def ts_interfaces() -> dict[str, dict[str, bool]]:
    """interface name -> {field: optional} from protocol.ts."""
    text = PROTOCOL_TS.read_text()
    out = {}
    for name, body in re.findall(r"export interface (\w+) \{([^}]*)\}", text):
        out[name] = {field: bool(q) for field, q in re.findall(r"^\s*(\w+)(\?)?:", body, re.M)}
    return out


def test_every_interface_of_protocol_ts_has_a_python_mirror():
    assert set(ts_interfaces()) == set(MIRRORS)


@pytest.mark.parametrize(("ts_name", "typed_dict"), MIRRORS.items())
def test_fields_and_optional_fields_match(ts_name, typed_dict):
    fields = ts_interfaces()[ts_name]
    assert set(typed_dict.__annotations__) == set(fields)
    assert set(typed_dict.__optional_keys__) == {f for f, optional in fields.items() if optional}


def test_op_names_are_literals_of_the_op_types():
    ops = [_protocol.SubscribeOp, _protocol.UnsubscribeOp, _protocol.PublishOp]
    assert _protocol.CLIENT_OPS == ("subscribe", "unsubscribe", "publish")
    hints = [typing.get_type_hints(op)["op"] for op in ops]
    assert [typing.get_args(hint) for hint in hints] == [(name,) for name in _protocol.CLIENT_OPS]
    assert _protocol.SERVER_OPS == ("ack", "error", "gap")


def test_close_codes_are_the_rfc_numbers():
    assert [int(c) for c in _protocol.CloseCode] == [1001, 1008, 1013]
