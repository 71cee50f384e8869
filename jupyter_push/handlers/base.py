"""What every push handler shares: authentication, errors as JSON, request parsing."""

from __future__ import annotations

import hashlib
import os
import socket
import time
from functools import cached_property
from typing import Any

from jupyter_core.utils import ensure_async
from jupyter_server._tz import utcnow
from jupyter_server.auth.decorator import allow_unauthenticated
from jupyter_server.auth.identity import User
from jupyter_server.base.handlers import APIHandler
from jupyter_server.utils import origin_matches_pat
from tornado import web
from tornado.log import gen_log
from tornado.util import ObjectDict
from tornado.websocket import WebSocketHandler

from .._json import dumps, loads
from .._protocol import CloseCode
from ..auth import USER, Access
from ..channels import PatternSet, check_patterns
from ..exceptions import AuthError, BrokerUnavailable, InvalidInput
from ..server.publish_policy import PublishPolicy
from ..server.state import PushState
from ..tokens import uncovered
from . import _tornado_fastpath as fastpath

# The resource jupyter_server's Authorizer is asked about for a Jupyter user's push requests,
# beside its own ("contents", "kernels", "events", …): "read" to subscribe and read state,
# "write" to publish and to mint or revoke share links.
AUTH_RESOURCE = "push"


class PushHandler(APIHandler):
    """Base for the routes under `{base}push/`.

    A kernel token or share token is checked here, before jupyter_server's identity provider
    (which knows only the Jupyter user). Missing credentials get 401, never a login redirect.
    A Jupyter user's request then goes through the server's Authorizer, as jupyter_server's
    own services do, so custom authorizers and JupyterHub's permissions apply to it.
    """

    access: Access = USER
    # Subscribing, reading and (unless PushApp.publishing_is_activity) publishing are not
    # "activity" for JupyterHub's idle culler: an open dashboard must not keep a server alive.
    _track_activity = False
    auth_resource = AUTH_RESOURCE

    @property
    def state(self) -> PushState:
        return self.settings["jupyter_push"]

    async def prepare(self, **_ignored: Any) -> None:
        # (WebSocketMixin passes _redirect_to_login=False; get_login_url never redirects here.)
        if self.state.problem is not None and self.get_query_argument("access", None):
            # (a share link cannot be checked now; its holder need not see the server's config)
            raise web.HTTPError(503, "live events are unavailable on this server for now: "
                                "a configuration problem its log names")
        try:
            access = self.state.auth.identify(
                self.request.headers.get("Authorization"),
                self.get_query_argument("token", None),
                self.get_query_argument("access", None),
            )
        except AuthError as e:
            raise web.HTTPError(e.status, str(e)) from e
        if access is None:
            try:
                await super().prepare()
            except web.HTTPError as e:
                if e.status_code == 403 and getattr(self, "_jupyter_current_user", None) is None:
                    # (our own: JupyterHub replaces get_login_url on the instance)
                    PushHandler.get_login_url(self)  # no credential: 401, for every method
                raise
            self.access = USER
            if self.current_user is None and self.request.method != "OPTIONS":
                # also where ServerApp.allow_unauthenticated_access is on (JupyterHub's default)
                PushHandler.get_login_url(self)
            if self.current_user is not None and self.request.method != "OPTIONS":
                self.check_usable()
                await self.authorize("read" if self.request.method in ("GET", "HEAD") else "write")
            return
        if not self.check_host():
            raise web.HTTPError(403, "Host header not allowed")
        self.check_usable()
        self.access = access
        user = User(username=f"jupyter_push-{access.role}")
        self.current_user = self._jupyter_current_user = user
        self._set_token_cors_headers()

    def end_share_connection(self) -> None:
        """Close this request's stream or socket: its share token expired or was revoked."""
        if isinstance(self, WebSocketHandler):
            self.close(CloseCode.POLICY_VIOLATION, "share link expired or revoked")
            return
        stream = fastpath.iostream(self)
        if not fastpath.finished(self) and stream is not None:
            stream.close()

    @allow_unauthenticated  # a CORS preflight never carries credentials (as in APIHandler)
    def options(self, *args: Any, **kwargs: Any) -> None:
        if self.access.role != "share":
            return super().options(*args, **kwargs)
        # A cross-origin EventSource reconnects with Last-Event-ID, which needs a preflight;
        # a link that may write POSTs JSON to its controls.
        methods = "GET, POST, OPTIONS" if self.access.can_publish else "GET, OPTIONS"
        self.set_header("Access-Control-Allow-Methods", methods)
        self.set_header("Access-Control-Allow-Headers",
                        "last-event-id, accept, cache-control, content-type")
        self.set_header("Access-Control-Max-Age", "600")
        self.set_status(204)
        self.finish()

    def _set_token_cors_headers(self) -> None:
        if self.access.role == "share":
            # read-only, scoped, expiring: any page may use it, never with credentials
            self.set_header("Access-Control-Allow-Origin", "*")
            return
        if self.allow_origin:
            self.set_header("Access-Control-Allow-Origin", self.allow_origin)
        elif self.allow_origin_pat:
            origin = self.get_origin()
            if origin and origin_matches_pat(self.allow_origin_pat, origin):
                self.set_header("Access-Control-Allow-Origin", origin)

    def _request_summary(self) -> str:
        # Tornado logs this with every refused request; never log a credential from the query.
        keys = ("token", "access", *self.settings.get("extra_log_scrub_param_keys", ()))
        return f"{self.request.method} {scrub_query(self.request.uri or '', keys)} " \
            f"({self.request.remote_ip})"

    def check_xsrf_cookie(self) -> None:
        if self.access.explicit:
            return None
        if hasattr(self, "_jupyter_current_user") and self._jupyter_current_user is None:
            return None  # no credential at all: refused with 401 right after this
        request = self.request
        if not (request.cookies or request.headers.get("Authorization")
                or "token" in request.query_arguments):
            return None  # nothing to forge with (JupyterHub checks before identifying): 401

        return super().check_xsrf_cookie()

    def get_login_url(self) -> str:
        # JupyterHub's identity provider knows who sent a token it refused (a user without
        # access to this server): a credential without the right gets 403, not 401.
        hub_user = getattr(self, "_cached_hub_user", None)
        if isinstance(hub_user, dict) and hub_user.get("name"):
            server = os.environ.get("JUPYTERHUB_USER", "")
            raise web.HTTPError(
                403,
                f"{hub_user['name']} has no access to this server; JupyterHub grants it with "
                f"the scope access:servers!user={server} (a role, or being an admin)",
            )
        raise web.HTTPError(
            401,
            "authentication required: send the Jupyter token (Authorization: token ...), "
            "the kernel token (JUPYTER_PUSH_TOKEN) or a share token (?access=...)",
        )

    def log_exception(self, typ: Any, value: BaseException | None, tb: Any) -> None:
        if isinstance(value, BrokerUnavailable):
            # an outage the broker logs once by itself: one line per request, no traceback
            gen_log.warning("503 %s: %s", self._request_summary(), value)
            return
        super().log_exception(typ, value, tb)

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        exc = kwargs.get("exc_info", (None, None, None))[1]
        message = exc.log_message if isinstance(exc, web.HTTPError) and exc.log_message else None
        if isinstance(exc, BrokerUnavailable):
            self.set_status(503)
            message = str(exc)
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            self.set_header("Retry-After", str(max(1, round(retry_after))))
        if "access" in self.request.query_arguments:  # (its value may be bad UTF-8)
            # let a page on any origin read why its share link was refused
            self.set_header("Access-Control-Allow-Origin", "*")
        if message is None:
            return super().write_error(status_code, **kwargs)
        self.set_header("Content-Type", "application/json")
        self.finish(dumps({"message": message}))

    def check_usable(self) -> None:
        """503 with the reason when a setting keeps the extension from working."""
        problem = self.state.problem
        if problem is not None:
            raise web.HTTPError(503, f"jupyter_push cannot start: {problem}")

    # ------------------------------------------------------------------ authorization

    async def authorize(self, action: str) -> None:
        """403 unless the server's Authorizer lets this Jupyter user `action` ("read" or
        "write") on the push resource. Kernel and share tokens keep their own rules."""
        if self.access.role == "user" and not await self.may(action):
            raise web.HTTPError(403, self.refusal(action))

    async def may(self, action: str) -> bool:
        """Whether the server's Authorizer lets this Jupyter user `action` push events."""
        user = self.current_user
        allowed = await ensure_async(
            self.authorizer.is_authorized(self, user, action, AUTH_RESOURCE)
        )
        return bool(allowed)

    def refusal(self, action: str) -> str:
        who = getattr(self.current_user, "username", None) or "this user"
        doing = "subscribe or read push events" if action == "read" else \
            "publish push events or manage share links"
        return (f"{who} may not {doing}: the server's authorizer refused {action!r} on "
                f"resource {AUTH_RESOURCE!r}")

    # ------------------------------------------------------------------ helpers

    def require_publish(self) -> None:
        if not self.access.can_publish:
            raise web.HTTPError(403, "this share link is read-only: it cannot publish")

    def publish_policy(self) -> PublishPolicy:
        """What this request's credential may publish (controls checked, share links' writes
        limited)."""
        state = self.state
        return PublishPolicy(self.access, state.controls, state.share_writes)

    def note_publish_activity(self) -> None:
        """Count a publish as activity of this server (jupyter_server's `last_activity`, which
        JupyterHub's idle culler reads) when the operator wants it; at most once a second."""
        state = self.state
        if not state.publishing_is_activity:
            return
        now = time.monotonic()
        if now - state.last_activity_noted >= 1.0:
            state.last_activity_noted = now
            self.settings["api_last_activity"] = utcnow()

    def detect_dead_peer(self, stream: Any) -> None:
        """Have the OS abort this connection when sent bytes (a heartbeat at least) go
        unacknowledged for `dead_peer_timeout` seconds, so a peer that vanished without
        closing (half-open) is noticed in seconds, not after many minutes of retransmits."""
        timeout = self.state.dead_peer_timeout
        sock = getattr(stream, "socket", None)
        if timeout > 0 and sock is not None and hasattr(socket, "TCP_USER_TIMEOUT"):
            try:
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, int(timeout * 1000))
            except OSError:  # not TCP (a Unix socket), or not supported here
                pass

    @cached_property
    def credential(self) -> str:
        """Who is asking, for per-credential limits: the user, the kernel token, or one
        share token (by a digest, never the token itself). Kept from admission on: a streaming
        request's headers are shed while it streams."""
        if self.access.role == "share":
            return "share:" + _digest(self.get_query_argument("access", ""))
        if self.access.role == "kernel":
            return "kernel"
        if self.token_authenticated:
            # jupyter_server names a token-only request's user anew each time: count the token
            return "token:" + _digest(self.identity_provider.get_token(self) or "")
        user = self.current_user
        return "user:" + getattr(user, "username", str(user))

    def admit_connection(self) -> None:
        """Count this streaming connection against the limits, or refuse it with 429.
        The caller calls `release_connection()` when the connection ends."""
        credential = self.credential
        refusal = self.state.connections.acquire(credential)
        if refusal is not None:
            raise web.HTTPError(429, refusal)
        self._admitted: str | None = credential  # kept: the request is shed while it streams

    def release_connection(self) -> None:
        credential = getattr(self, "_admitted", None)
        if credential is not None:
            self._admitted = None
            self.state.connections.release(credential)

    def shed_request_state(self) -> None:
        """Drop what a long-lived stream no longer needs once its response has started: the
        parsed request (headers, arguments, cookies) and the cookies set with the response.
        Thousands of idle subscribers each kept several KB of these. Call only once nothing
        reads them again (credential and access are decided by then)."""
        request = self.request
        fastpath.shed_headers(self)
        request.arguments = request.query_arguments = request.body_arguments = _NO_ARGUMENTS
        request.files = _NO_ARGUMENTS
        request.__dict__.pop("_cookies", None)
        self.__dict__.pop("_new_cookie", None)
        self.path_args, self.path_kwargs = [], {}
        self.ui = _NO_UI  # (its module namespace also pointed back at this handler)

    def patterns_argument(self, name: str = "channel") -> PatternSet:
        """The subscription patterns from the query (`**` when absent), limited for share
        tokens to the channels the token names."""
        values = self.get_query_arguments(name)
        allowed = self.access.allowed
        try:
            check_patterns(values, self.state.max_patterns)
        except InvalidInput as e:
            raise web.HTTPError(400, str(e)) from e
        if not values:
            return allowed if allowed is not None else PatternSet(("**",))
        problem = self.scope_problem(values)
        if problem:
            raise web.HTTPError(403, problem)
        return PatternSet(values)

    def scope_problem(self, patterns: list[str]) -> str | None:
        """Why this request's share token does not cover `patterns` (None when it does)."""
        allowed = self.access.allowed
        outside = uncovered(allowed.patterns, patterns) if allowed is not None else []
        if allowed is None or not outside:
            return None
        return (
            f"this share link grants {list(allowed.patterns)}; "
            f"{', '.join(map(repr, outside))} is outside it"
        )

    def json_body(self) -> Any:
        ctype = self.request.headers.get("Content-Type", "application/json")
        if ctype.split(";")[0].strip().lower() != "application/json":
            raise web.HTTPError(
                415, f"send JSON with Content-Type: application/json, not {ctype!r}"
            )

        try:
            return loads(self.request.body)
        except InvalidInput as e:
            raise web.HTTPError(400, f"request body: {e}") from e

    def int_argument(self, name: str, minimum: int = 1) -> int | None:
        raw = self.get_query_argument(name, None)
        if raw is None:
            return None
        try:
            value = int(raw)
        except ValueError:
            value = minimum - 1
        if value < minimum:
            raise web.HTTPError(400, f"{name} must be an integer >= {minimum}, got {raw!r}")
        return value

    def write_json(self, obj: Any) -> None:
        self.set_header("Content-Type", "application/json")
        self.finish(dumps(obj))


_NO_ARGUMENTS: dict[str, Any] = {}
_NO_UI = ObjectDict()


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


def scrub_query(uri: str, keys: tuple[str, ...]) -> str:
    """`uri` with the values of query parameters whose names contain one of `keys` hidden."""
    path, sep, query = uri.partition("?")
    if not sep:
        return uri
    parts = []
    for part in query.split("&"):
        name, eq, _value = part.partition("=")
        parts.append(f"{name}{eq}[secret]" if eq and any(k in name for k in keys) else part)
    return f"{path}?{'&'.join(parts)}"
