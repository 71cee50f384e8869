"""Every framing jupyter_push writes, byte for byte: SSE messages and comments, HTTP chunks,
the server's WebSocket frames and payloads, and the kernel's masked publish frames."""

from __future__ import annotations

import json

import pytest
from websockets.frames import Frame, Opcode
from websockets.streams import StreamReader

from jupyter_push.events import Event
from jupyter_push.wire import (
    PING_FRAME,
    client_frame,
    control,
    event_json,
    http_chunk,
    publish_frame,
    sse_comment,
    sse_message,
    ws_batch,
    ws_text_frame,
)


def parse_ws(data: bytes, *, mask: bool) -> Frame:
    """`data` read by the websockets library, as the peer would read it."""
    reader = StreamReader()
    reader.feed_data(data)
    reader.feed_eof()
    parser = Frame.parse(reader.read_exact, mask=mask)
    with pytest.raises(StopIteration) as done:
        next(parser)
    return done.value.value


@pytest.mark.parametrize(
    ("data", "kw", "expected"),
    [
        ("foo", {}, b"data: foo\n\n"),
        (b"foo", {}, b"data: foo\n\n"),
        ("a\nb", {}, b"data: a\ndata: b\n\n"),
        ("a\r\nb\rc", {}, b"data: a\ndata: b\ndata: c\n\n"),
        ("", {}, b"data: \n\n"),
        ("x", {"id": "7"}, b"id: 7\ndata: x\n\n"),
        ("x", {"id": "7\n\ndata: evil"}, b"id: 7data: evil\ndata: x\n\n"),
        ("x", {"id": "1\r2\x003"}, b"id: 123\ndata: x\n\n"),
        ("x", {"event": "gap"}, b"event: gap\ndata: x\n\n"),
        ("x", {"event": "a\nid: 9"}, b"event: aid: 9\ndata: x\n\n"),
        ("x", {"event": "gap", "id": "7"}, b"event: gap\nid: 7\ndata: x\n\n"),
        ("é", {}, "data: é\n\n".encode()),
    ],
)
def test_sse_message(data, kw, expected):
    assert sse_message(data, **kw) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("hi", b": hi\n"), ("a\nb", b": a\n: b\n"), ("", b":  \n")],
)
def test_sse_comment_has_no_blank_line_after_it(text, expected):
    assert sse_comment(text) == expected


@pytest.mark.parametrize(
    ("body", "expected"),
    [(b"", b"0\r\n\r\n"), (b"abc", b"3\r\nabc\r\n"), (b"x" * 255, b"ff\r\n" + b"x" * 255 + b"\r\n"),
     (b"x" * 4096, b"1000\r\n" + b"x" * 4096 + b"\r\n")],
)
def test_http_chunk(body, expected):
    assert http_chunk(body) == expected


@pytest.mark.parametrize(
    ("size", "head"),
    [(0, b"\x81\x00"), (1, b"\x81\x01"), (125, b"\x81\x7d"), (126, b"\x81\x7e\x00\x7e"),
     (65535, b"\x81\x7e\xff\xff"), (65536, b"\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00")],
)
def test_server_text_frame_is_unmasked_with_the_shortest_length(size, head):
    payload = bytes(i % 251 for i in range(size))
    frame = ws_text_frame(payload)
    assert frame == head + payload
    parsed = parse_ws(frame, mask=False)
    assert (parsed.opcode, parsed.fin, parsed.data) == (Opcode.TEXT, True, payload)


def test_ping_frame_is_an_empty_unmasked_ping():
    assert PING_FRAME == b"\x89\x00"
    parsed = parse_ws(PING_FRAME, mask=False)
    assert (parsed.opcode, parsed.fin, parsed.data) == (Opcode.PING, True, b"")


@pytest.mark.parametrize(
    ("size", "head"),
    [(0, b"\x81\x80"), (125, b"\x81\xfd"), (126, b"\x81\xfe\x00\x7e"),
     (65535, b"\x81\xfe\xff\xff"), (65536, b"\x81\xff\x00\x00\x00\x00\x00\x01\x00\x00"),
     (300_000, b"\x81\xff" + (300_000).to_bytes(8, "big"))],
)
def test_client_frame_is_masked_and_unmasks_to_the_payload(size, head):
    payload = bytes(range(256)) * (size // 256) + bytes(size % 256)
    frame = client_frame(payload)
    assert frame[:len(head)] == head  # the mask bit set: servers refuse unmasked client frames
    key, masked = frame[len(head):len(head) + 4], frame[len(head) + 4:]
    assert bytes(b ^ key[i % 4] for i, b in enumerate(masked)) == payload
    parsed = parse_ws(frame, mask=True)
    assert (parsed.opcode, parsed.fin, parsed.data) == (Opcode.TEXT, True, payload)


def test_event_json():
    assert event_json("a/b", b'{"x":1}') == b'{"channel":"a/b","data":{"x":1}}'


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ((1, [], None, None), b'{"op":"publish","ref":1,"events":[]}'),
        ((7, [b'{"channel":"a","data":1}', b'{"channel":"c","data":"x"}'], {"kernel": "k1"},
          {"a": 3}),
         b'{"op":"publish","ref":7,"events":[{"channel":"a","data":1},{"channel":"c","data":"x"}]'
         b',"source":{"kernel":"k1"},"dropped":{"a":3}}'),
        ((2, [b'{"channel":"a","data":null}'], {}, {}, "s1"),
         b'{"op":"publish","ref":2,"events":[{"channel":"a","data":null}],"session":"s1"}'),
    ],
)
def test_publish_frame(args, expected):
    assert publish_frame(*args) == expected
    json.loads(expected)


@pytest.mark.parametrize(
    ("op", "fields", "expected"),
    [("ack", {"ref": 3, "ids": ["e-1"]}, b'{"op":"ack","ref":3,"ids":["e-1"]}'),
     ("error", {"message": "bad \"x\""}, b'{"op":"error","message":"bad \\"x\\""}'),
     ("gap", {}, b'{"op":"gap"}')],
)
def test_control(op, fields, expected):
    assert control(op, **fields) == expected


def test_ws_batch_is_the_event_for_one_and_an_array_for_several():
    a, b = Event.create("i-1", "a", 1, 1.0), Event.create("i-2", "b", 2, 1.0)
    assert ws_batch([a]) is a.json
    assert ws_batch([a, b]) == b"[" + a.json + b"," + b.json + b"]"


@pytest.mark.parametrize("event_id", ["e-000000000001", "odd\nid", "tab\tid"])
def test_an_events_own_frames_are_the_wire_functions_output(event_id):
    e = Event.create(event_id, "train/loss", {"v": [1, 2]}, 1.5, {"kernel": "k1"})
    assert e.sse == sse_message(e.json, id=event_id)
    assert e.sse_named == sse_message(e.json, id=event_id, event="train/loss")
    assert e.ws_frame == ws_text_frame(e.json)
