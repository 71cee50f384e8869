"""The load generator's parsers read exactly what the server's encoders write: WebSocket frames
of every length class and HTTP chunks split at any byte."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from jupyter_push.wire import http_chunk, ws_text_frame

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks" / "lib"))

from wire import Dechunker, sse_messages, ws_frame, ws_parse


@pytest.mark.parametrize("size", [0, 1, 125, 126, 65535, 65536, 70000])
def test_ws_parse_reads_server_frames_of_every_length_class(size):
    payload = bytes(i % 251 for i in range(size))
    buf = bytearray(ws_text_frame(payload) + ws_text_frame(b"next"))
    assert ws_parse(buf) == [(1, payload), (1, b"next")]
    assert buf == bytearray()


def test_ws_parse_keeps_an_incomplete_frame_for_later():
    frame = ws_text_frame(b"x" * 300)
    buf = bytearray(frame[:100])
    assert ws_parse(buf) == []
    buf += frame[100:]
    assert ws_parse(buf) == [(1, b"x" * 300)]


def test_client_frames_are_masked_with_a_zero_key():
    frame = ws_frame(b"hello")
    assert frame[1] & 0x80 and frame[2:6] == b"\0\0\0\0" and frame[6:] == b"hello"


@pytest.mark.parametrize("step", [1, 2, 3, 7, 1000])
def test_dechunker_reassembles_chunks_split_anywhere(step):
    bodies = [b"id: 1\ndata: {}\n\n", b"", b"x" * 300, b"id: 2\ndata: {}\n\n"]
    wire = b"".join(http_chunk(b) for b in bodies if b)
    d = Dechunker()
    out = b"".join(d.feed(wire[i:i + step]) for i in range(0, len(wire), step))
    assert out == b"".join(bodies)


def test_sse_messages_leaves_a_partial_message_in_the_buffer():
    buf = bytearray(b"id: 1\ndata: a\n\nid: 2\nda")
    assert sse_messages(buf) == [b"id: 1\ndata: a"]
    assert buf == bytearray(b"id: 2\nda")
