"""Minimal client-side wire handling: an HTTP/1.1 upgrade or SSE request on raw asyncio
streams, WebSocket frame parsing, and pulling benchmark events out of payloads.

Lean on purpose: the load generator must not be the bottleneck, so counting uses
`bytes.count` and frames are parsed with slicing only.
"""

from __future__ import annotations

import asyncio
import base64
import json
import os
from typing import Any

HEADER_END = b"\r\n\r\n"


def request(host: str, port: int, path: str, headers: dict[str, str], websocket: bool) -> bytes:
    """The GET request opening an SSE stream or a WebSocket."""
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}:{port}"]
    if websocket:
        key = base64.b64encode(os.urandom(16)).decode()
        lines += ["Upgrade: websocket", "Connection: Upgrade", f"Sec-WebSocket-Key: {key}",
                  "Sec-WebSocket-Version: 13"]
    else:
        lines += ["Accept: text/event-stream"]
    lines += [f"{k}: {v}" for k, v in headers.items()]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def check_head(head: bytes, path: str, websocket: bool) -> None:
    """Raise ConnectionError unless the response head is the expected 101 / chunked 200."""
    status = head.split(b"\r\n", 1)[0]
    expected = b" 101 " if websocket else b" 200 "
    if expected not in status + b" ":
        raise ConnectionError(f"{path}: {status.decode(errors='replace')}")
    if not websocket and b"transfer-encoding: chunked" not in head.lower():
        raise ConnectionError("expected a chunked SSE response")


async def open_stream(host: str, port: int, path: str, headers: dict[str, str],
                      websocket: bool) -> tuple[asyncio.StreamReader, asyncio.StreamWriter, bytes]:
    """Send the request, check the status, and return the streams and any body bytes
    that arrived with the response head."""
    reader, writer = await asyncio.open_connection(host, port, limit=1 << 22)
    writer.write(request(host, port, path, headers, websocket))
    head = b""
    while HEADER_END not in head:
        chunk = await reader.read(1 << 16)
        if not chunk:
            raise ConnectionError(f"{path}: connection closed during the handshake")
        head += chunk
    head, _, rest = head.partition(HEADER_END)
    check_head(head, path, websocket)
    return reader, writer, rest


class Dechunker:
    """Removes HTTP/1.1 chunked transfer-encoding framing from a response body; `ended` once
    the last (empty) chunk has come: the server finished the response."""

    def __init__(self) -> None:
        self.ended = False
        self.buf = b""
        self.left = 0  # bytes of the current chunk's data still to come
        self.skip = 0  # bytes of the CRLF after the chunk data still to skip

    def feed(self, data: bytes) -> bytes:
        out = []
        buf = self.buf + data if self.buf else data
        i, end = 0, len(buf)
        while i < end:
            if self.left:
                take = min(self.left, end - i)
                out.append(buf[i:i + take])
                self.left -= take
                i += take
            elif self.skip:
                take = min(self.skip, end - i)
                self.skip -= take
                i += take
            else:
                eol = buf.find(b"\r\n", i)
                if eol < 0:
                    break
                self.left = int(buf[i:eol].split(b";")[0] or b"0", 16)
                self.skip = 2
                if not self.left:
                    self.ended = True
                i = eol + 2
        self.buf = buf[i:]
        return out[0] if len(out) == 1 else b"".join(out)


def ws_frame(payload: bytes, opcode: int = 1) -> bytes:
    """A client frame. The mask key is zero, so the payload needs no XOR (still valid)."""
    n = len(payload)
    if n < 126:
        head = bytes((0x80 | opcode, 0x80 | n))
    elif n < 65536:
        head = bytes((0x80 | opcode, 0x80 | 126)) + n.to_bytes(2, "big")
    else:
        head = bytes((0x80 | opcode, 0x80 | 127)) + n.to_bytes(8, "big")
    return head + b"\0\0\0\0" + payload


def ws_parse(buf: bytearray) -> list[tuple[int, bytes]]:
    """Complete frames at the start of `buf` as (opcode, payload); consumed bytes are removed.
    Servers do not mask; tornado never fragments the messages it sends."""
    frames = []
    i, end = 0, len(buf)
    while end - i >= 2:
        n = buf[i + 1] & 0x7F
        head = 2
        if n == 126:
            if end - i < 4:
                break
            n, head = int.from_bytes(buf[i + 2:i + 4], "big"), 4
        elif n == 127:
            if end - i < 10:
                break
            n, head = int.from_bytes(buf[i + 2:i + 10], "big"), 10
        if end - i < head + n:
            break
        frames.append((buf[i] & 0x0F, bytes(buf[i + head:i + head + n])))
        i += head + n
    del buf[:i]
    return frames


def sse_messages(buf: bytearray) -> list[bytes]:
    """Complete SSE messages (ending in a blank line) at the start of `buf`, removed from it."""
    cut = buf.rfind(b"\n\n")
    if cut < 0:
        return []
    messages = bytes(buf[:cut]).split(b"\n\n")
    del buf[:cut + 2]
    return messages


def sse_data(message: bytes) -> Any | None:
    """The benchmark payload (`data` of the jupyter_push event) of one SSE message."""
    for line in message.split(b"\n"):
        if line.startswith(b"data: "):
            return json.loads(line[6:])["data"]
    return None


def push_payloads(frame: bytes) -> list[Any]:
    """The benchmark payloads of one jupyter_push WebSocket frame (an event or a batch)."""
    obj = json.loads(frame)
    items = obj if isinstance(obj, list) else [obj]
    return [e["data"] for e in items if "op" not in e]
