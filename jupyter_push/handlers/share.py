"""Share links: minting (`POST push/tokens`), revoking, the browser client and the viewer page."""

from __future__ import annotations

import html
import inspect
import json
import secrets
import time
from pathlib import Path
from typing import Any

from jupyter_server.utils import url_path_join
from tornado import web

from ..exceptions import InvalidInput
from ..tiles_bundle import tiles_script
from ..tokens import ShareTokens, share_url
from .base import PushHandler
from .sse import EventsHandler

STATIC = Path(__file__).resolve().parent.parent / "static"


class TokensHandler(PushHandler):
    """`POST push/tokens` `{"channels": [PATTERN, …], "write": [PATTERN, …]?, "ttl": SECONDS}`
    → `{"token", "expires", "url", "id", "write"}`."""

    @web.authenticated
    async def post(self) -> None:
        if self.access.role == "share":
            raise web.HTTPError(403, "a share token cannot create share tokens")
        body = self.json_body()
        if not isinstance(body, dict):
            raise web.HTTPError(400, 'send {"channels": [PATTERN, ...], "ttl": SECONDS}')
        channels = body.get("channels")
        if isinstance(channels, str):
            channels = [channels]
        try:
            link = self.tokens.mint_link(channels, body.get("ttl", 3600),  # type: ignore[arg-type]
                                         write=body.get("write"))
        except InvalidInput as e:
            raise web.HTTPError(400, str(e)) from e
        url = share_url(self.public_push_url(), link.token, channels)  # type: ignore[arg-type]
        self.log.info("jupyter_push: share link %s for %s%s, expires in %d s", link.id, channels,
                      f", writing {list(link.write)}" if link.write else "",
                      link.expires - int(time.time()))
        self.write_json({"token": link.token, "expires": link.expires, "url": url,
                         "id": link.id, "write": list(link.write)})

    @property
    def tokens(self) -> ShareTokens:
        if self.state.shares is None:
            raise web.HTTPError(404, "share links are off on this server (PushApp.share_links)")
        return self.state.shares

    def public_push_url(self) -> str:
        """`{base}push/` as the requester reached it, or on the configured public address."""
        if self.state.share_base_url:
            return url_path_join(self.state.share_base_url, "push/")
        scheme, host = self.request.protocol, self.request.host
        serverapp = self.settings.get("serverapp")
        if getattr(serverapp, "trust_xheaders", False):
            # behind proxies, the first value is what the outermost one (the public side) got
            headers = self.request.headers
            scheme = first_value(headers.get("X-Forwarded-Proto")) or scheme
            host = first_value(headers.get("X-Forwarded-Host")) or host
        return f"{scheme}://{host}" + url_path_join(self.base_url, "push/")


class RevokeHandler(TokensHandler):
    """`POST push/tokens/revoke`: every share link issued so far stops working, at once."""

    @web.authenticated
    async def post(self) -> None:
        if self.access.role != "user":
            raise web.HTTPError(403, "only the Jupyter user can revoke share links")
        generation = self.tokens.revoke_all()
        if inspect.isawaitable(generation):  # keys shared through Redis: every server revokes
            generation = await generation
        if self.state.share_connections is not None:
            self.state.share_connections.close_all()
        self.log.info("jupyter_push: every share link revoked")
        self.write_json({"revoked": True, "generation": generation})


class ClientScriptHandler(PushHandler):
    """`GET push/client.js`: the browser client (an ES module). Public code, but served with
    any credential like every route here; external pages load it with `?access=TOKEN`."""

    @web.authenticated
    def get(self) -> None:
        self.set_header("Cache-Control", "no-cache")
        # (APIHandler.finish would label it JSON)
        self.finish((STATIC / "client.js").read_bytes(),
                    set_content_type="text/javascript; charset=utf-8")


class TilesScriptHandler(PushHandler):
    """`GET push/tiles.js`: the tile library (one ES module) the viewer draws with, offered to
    external pages next to client.js, with any credential (`?access=TOKEN`)."""

    @web.authenticated
    def get(self) -> None:
        self.set_header("Cache-Control", "no-cache")
        self.finish(tiles_script(), set_content_type="text/javascript; charset=utf-8")


class EventsOrViewerHandler(EventsHandler):
    """`GET push/events`: the SSE stream, or for a browser navigating to a share link
    (`Accept: text/html`, while EventSource sends `text/event-stream`) the live viewer page."""

    @web.authenticated
    async def get(self) -> None:
        if not wants_page(self.request.headers.get("Accept", "")):
            stream = super().get()
            if stream is not None:
                await stream
            return
        # the same 400/403 as the stream would give; the page compares only within these
        reads = self.patterns_argument()
        nonce = secrets.token_urlsafe(16)
        self.set_header("Cache-Control", "no-store")
        self.set_header("Referrer-Policy", "no-referrer")
        # A read-only shared viewer has nothing to click, so any page may embed it (a team
        # dashboard's iframe); one with controls (a link that may write) or the user's own
        # credentials stays unframeable (no clickjacking).
        ancestors = "*" if self.access.role == "share" and not self.access.can_publish \
            else "'self'"
        self.set_header(
            "Content-Security-Policy",
            f"default-src 'none'; script-src 'self' 'nonce-{nonce}'; style-src 'unsafe-inline'; "
            "connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; "
            f"frame-ancestors {ancestors}",
        )
        page = (STATIC / "viewer.html").read_text().replace("__NONCE__", nonce)
        # which controls the page may draw as usable (a read-only link: none)
        write = self.access.write
        writes = list(write.patterns) if write is not None else \
            ([] if self.access.role == "share" else ["**"])
        page = page.replace("__WRITE__", html.escape(json.dumps(writes), quote=True))
        page = page.replace("__READ__", html.escape(json.dumps(list(reads.patterns)), quote=True))
        self.finish(page, set_content_type="text/html; charset=utf-8")

    def end_share_connection(self) -> None:
        self._shutdown()  # ends the stream cleanly; the browser's reconnect then gets a 401


def first_value(header: str | None) -> str:
    """The first entry of a comma-separated forwarded header ("" when absent)."""
    return (header or "").split(",")[0].strip()


def wants_page(accept: str) -> bool:
    accept = accept.lower()
    return "text/html" in accept and "text/event-stream" not in accept


default_handlers: list[tuple[str, Any]] = [
    (r"/push/tokens", TokensHandler),
    (r"/push/tokens/revoke", RevokeHandler),
    (r"/push/client\.js", ClientScriptHandler),
    (r"/push/tiles\.js", TilesScriptHandler),
]
