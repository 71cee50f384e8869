"""`share(*patterns, ttl=3600, write=None)`: a link to live channels, for phones and other
pages; read-only unless `write` names the controls it may set.

The result is a `str` (the SSE URL). As the last expression of a notebook cell it shows as a
clickable link with a QR code (when `segno` is installed: `pip install jupyter_push[qr]`).
"""

from __future__ import annotations

import html
import time
from typing import Any

from .client.discovery import find_server
from .client.rest import call


class ShareLink(str):
    """A share URL that knows its channels and expiry, and shows itself in notebooks."""

    patterns: tuple[str, ...] = ()
    write: tuple[str, ...] = ()  # the controls it may send values to (empty: read-only)
    expires: float = 0.0
    id: str = ""  # the link's id, as the server logs its writes

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": str(self),
                "text/html": share_html(self, self.patterns, self.expires, self.write)}


def share(
    *patterns: str, ttl: float = 3600, write: list[str] | tuple[str, ...] | str | None = None,
    url: str | None = None, token: str | None = None,
) -> ShareLink:
    """A share URL for `patterns` (every channel when none), valid `ttl` seconds.

    Opened in a browser it shows a live page of the channels; a web page can subscribe to it
    with a plain `EventSource`. It never contains the Jupyter token or the kernel token. It is
    read-only unless `write` names patterns (within `patterns`): then it may also send values
    to the controls (see `control()`) on matching channels, as limited by the server.
    """
    channels = list(patterns) or ["**"]
    body: dict[str, Any] = {"channels": channels, "ttl": ttl}
    writes = [write] if isinstance(write, str) else list(write or ())
    if writes:
        body["write"] = writes
    answer = call(find_server(url, token), "POST", "tokens", body)
    link = ShareLink(answer["url"])
    link.patterns = tuple(channels)
    link.write = tuple(writes)
    link.expires = float(answer["expires"])
    link.id = str(answer.get("id", ""))
    return link


def share_html(url: str, patterns: tuple[str, ...], expires: float,
               write: tuple[str, ...] = ()) -> str:
    href = html.escape(url, quote=True)
    until = time.strftime("%Y-%m-%d %H:%M", time.localtime(expires)) if expires else "?"
    names = ", ".join(html.escape(p) for p in patterns)
    kind = ("link that may also set " + ", ".join(html.escape(w) for w in write)) if write \
        else "read-only link"
    return (
        '<div class="jupyter-push-share" style="display:flex;gap:1em;align-items:center">'
        f"{qr_svg(url)}<div><a href=\"{href}\" target=\"_blank\" rel=\"noopener noreferrer\">"
        f"Live view of {names}</a><br><small>{kind}, valid until {until} · "
        f"<code style=\"word-break:break-all\">{href}</code></small></div></div>"
    )


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code, or "" when segno is not installed."""
    try:
        import segno
    except ImportError:
        return ""
    return str(segno.make(url, error="m").svg_inline(scale=3, border=2))
