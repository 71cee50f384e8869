"""`push_figure(channel, fig)`: a matplotlib figure pushed as an image tile
(`{"image/png": base64}`), encoded on a worker thread so the caller's loop does not wait for
the rendering; when figures come faster than they encode, the latest per channel wins."""

from __future__ import annotations

import base64
import io
import threading
from concurrent.futures import Future
from typing import Any

from .exceptions import InvalidInput

MAX_IMAGE_BYTES = 2_000_000  # what an image tile shows (static/tiles/types.js imageBytes)
FORMATS = {"png": "image/png", "jpeg": "image/jpeg", "jpg": "image/jpeg", "svg": "image/svg+xml"}


class FigureTooLarge(InvalidInput):
    """The encoded figure is over the image tiles' size limit."""


def encode_figure(fig: Any, fmt: str = "png", dpi: float | None = None) -> dict[str, str]:
    """`{"image/png": base64}` (or jpeg; svg as text) of a matplotlib figure."""
    mime = FORMATS.get(fmt.lower())
    if mime is None:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {fmt!r}")
    buffer = io.BytesIO()
    fig.savefig(buffer, format="jpeg" if mime == "image/jpeg" else fmt.lower(), dpi=dpi,
                bbox_inches="tight")
    raw = buffer.getvalue()
    if len(raw) > MAX_IMAGE_BYTES:
        raise FigureTooLarge(
            f"figure is {len(raw) / 1e6:.1f} MB encoded as {fmt}, over the image tiles' "
            f"{MAX_IMAGE_BYTES / 1e6:.0f} MB: pass a lower dpi= or a smaller figsize"
        )
    payload = raw.decode("utf-8") if mime == "image/svg+xml" else base64.b64encode(raw).decode()
    return {mime: payload}


class _Encoder:
    """One worker thread; per channel only the newest pending figure is encoded."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._pending: dict[str, tuple[Any, str, float | None, Future[None]]] = {}
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def submit(self, channel: str, fig: Any, fmt: str, dpi: float | None) -> Future[None]:
        future: Future[None] = Future()
        with self._lock:
            replaced = self._pending.get(channel)
            self._pending[channel] = (fig, fmt, dpi, future)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="jupyter_push figures",
                                                daemon=True)
                self._thread.start()
        if replaced is not None:
            replaced[3].cancel()  # a newer figure of the channel took its place
        self._wake.set()
        return future

    def _run(self) -> None:
        from .client.api import push

        while True:
            self._wake.wait()
            with self._lock:
                if not self._pending:
                    self._wake.clear()
                    continue
                channel, (fig, fmt, dpi, future) = next(iter(self._pending.items()))
                del self._pending[channel]
            if not future.set_running_or_notify_cancel():
                continue
            try:
                push(channel, encode_figure(fig, fmt, dpi))
                future.set_result(None)
            except BaseException as error:
                future.set_exception(error)


_ENCODER = _Encoder()


def push_figure(channel: str, fig: Any, *, format: str = "png", dpi: float | None = None
                ) -> Future[None]:
    """Push a matplotlib figure to `channel` as an image; returns at once. The Future is done
    once the figure is pushed, or holds the error (FigureTooLarge, a bad format), or is
    cancelled when a newer figure of the same channel replaced it before it was encoded."""
    return _ENCODER.submit(channel, fig, format, dpi)
