"""HTTP/1.1 chunk framing for streams that frame their own chunks (see _tornado_fastpath)."""

from __future__ import annotations


def http_chunk(body: bytes) -> bytes:
    """One HTTP/1.1 chunk (chunked transfer-encoding) carrying `body`."""
    return b"%x\r\n%b\r\n" % (len(body), body)
