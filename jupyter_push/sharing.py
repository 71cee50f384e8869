"""`share(*patterns, ttl=3600)`: a read-only link to live channels, for phones and other pages.

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
    expires: float = 0.0

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, str]:
        return {"text/plain": str(self), "text/html": share_html(self, self.patterns, self.expires)}


def share(
    *patterns: str, ttl: float = 3600, url: str | None = None, token: str | None = None
) -> ShareLink:
    """A read-only share URL for `patterns` (every channel when none), valid `ttl` seconds.

    Opened in a browser it shows a live page of the channels; a web page can subscribe to it
    with a plain `EventSource`. It never contains the Jupyter token or the kernel token.
    """
    channels = list(patterns) or ["**"]
    answer = call(find_server(url, token), "POST", "tokens", {"channels": channels, "ttl": ttl})
    link = ShareLink(answer["url"])
    link.patterns = tuple(channels)
    link.expires = float(answer["expires"])
    return link


def share_html(url: str, patterns: tuple[str, ...], expires: float) -> str:
    href = html.escape(url, quote=True)
    until = time.strftime("%Y-%m-%d %H:%M", time.localtime(expires)) if expires else "?"
    names = ", ".join(html.escape(p) for p in patterns)
    return (
        '<div class="jupyter-push-share" style="display:flex;gap:1em;align-items:center">'
        f"{qr_svg(url)}<div><a href=\"{href}\" target=\"_blank\" rel=\"noopener noreferrer\">"
        f"Live view of {names}</a><br><small>read-only link, valid until {until} · "
        f"<code style=\"word-break:break-all\">{href}</code></small></div></div>"
    )


def qr_svg(url: str) -> str:
    """The URL as an inline SVG QR code, or "" when segno is not installed."""
    try:
        import segno
    except ImportError:
        return ""
    return str(segno.make(url, error="m").svg_inline(scale=3, border=2))
