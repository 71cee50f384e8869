"""Plain HTTP: publish (`POST push/events`), channels, history, status."""

from __future__ import annotations

from contextlib import asynccontextmanager
from typing import Any, AsyncIterator

from tornado import web

from .._version import __version__
from ..exceptions import BrokerUnavailable, EventTooLarge, InvalidInput
from ..server.brokers.base import Draft
from ..server.hub import Hub
from ..server.publish_policy import PublishPolicy, WriteRefused
from ..server.publish_wait import wait_for_subscribers
from ..server.share_scope import KernelScope, needs_scope
from .base import PushHandler


def drafts_from(hub: Hub, body: Any, source_json: bytes | None = None,
                policy: PublishPolicy | None = None) -> list[Draft]:
    """Validate `{"channel", "data"}` or a list of them (and, with a policy, whether this
    publisher may send each). Raises InvalidInput (or WriteRefused) naming the offending item;
    nothing is published when any item is bad."""
    items = body if isinstance(body, list) else [body]
    if not items:
        raise InvalidInput('empty batch: send {"channel": ..., "data": ...} or a non-empty list')
    drafts = []
    for i, item in enumerate(items):
        where = f"event {i}: " if isinstance(body, list) else ""
        if not isinstance(item, dict) or "channel" not in item:
            raise InvalidInput(f'{where}expected an object {{"channel": NAME, "data": ANY}}')
        try:
            channel, data = item["channel"], item.get("data")
            if policy is not None:
                policy.check(channel, data)
            drafts.append(hub.draft(channel, data, source_json))
        except WriteRefused as e:
            raise WriteRefused(e.status, where + str(e), e.retry_after) from e
        except EventTooLarge as e:
            raise EventTooLarge(where + str(e)) from e
        except InvalidInput as e:
            raise InvalidInput(where + str(e)) from e
    return drafts


class PublishHandler(PushHandler):
    @web.authenticated
    async def post(self) -> None:
        self.require_publish()
        body = self.json_body()
        hub = self.state.hub
        policy = self.publish_policy()
        try:
            drafts = drafts_from(hub, body, policy.source_json, policy)
            # backpressure: wait before storing anything, then all or nothing (429)
            await wait_for_subscribers(hub.backlog, self.state.publish_wait_timeout)
            policy.admit(len(drafts))
            self.state.publish_rates.admit(self.credential, len(drafts))
        except WriteRefused as e:
            error = web.HTTPError(e.status, str(e))
            error.retry_after = e.retry_after  # type: ignore[attr-defined]
            raise error from e
        except EventTooLarge as e:
            raise web.HTTPError(413, str(e)) from e
        except InvalidInput as e:
            raise web.HTTPError(400, str(e)) from e
        try:
            events = await hub.publish(drafts, wait=False)  # the next request waits
        except BrokerUnavailable as e:
            raise web.HTTPError(503, str(e)) from e
        policy.record(events)
        self.note_publish_activity()
        self.write_json({"ids": [e.id for e in events]})


class ChannelsHandler(PushHandler):
    @web.authenticated
    async def get(self) -> None:
        patterns = self.patterns_argument()
        async with link_scope(self) as scope:
            channels = await self.state.hub.channels(
                patterns, keep=scope.admits if scope is not None else None)
        allowed = self.access.allowed
        if allowed is not None:
            channels = [c for c in channels if allowed(c["name"])]
        self.write_json({"channels": channels})


class HistoryHandler(PushHandler):
    @web.authenticated
    async def get(self) -> None:
        patterns = self.patterns_argument()
        since = self.get_query_argument("since", None) or None
        limit = self.int_argument("limit")
        async with link_scope(self) as scope:
            if scope is None:
                events, gap = await self.state.hub.history(patterns, since, limit)
            else:  # narrowed first, then limited, so a limit still gives that many
                events, gap = await self.state.hub.history(patterns, since, None)
                events = [e for e in events if scope.admits(e)]
                if limit is not None:
                    events = events[:limit] if since is not None else events[-limit:]
        allowed = self.access.allowed
        kept = [e.json for e in events if allowed is None or allowed(e.channel)]
        # the events' JSON is already encoded: splice it rather than decode and re-encode
        self.set_header("Content-Type", "application/json")
        self.finish(b'{"events":[%b],"gap":%b}' % (b",".join(kept), b"true" if gap else b"false"))


@asynccontextmanager
async def link_scope(handler: PushHandler) -> AsyncIterator[KernelScope | None]:
    """The scope of the request's share link while the request reads, when the link names
    `$kernels`, `$alerts` or `$notify` (share_scope.py); else None."""
    allowed = handler.access.allowed
    if allowed is None or not needs_scope(allowed):
        yield None
        return
    scopes, hub = handler.state.share_scopes, handler.state.hub
    try:
        yield await scopes.acquire(hub, allowed)
    finally:
        scopes.release(hub, allowed)


class StatusHandler(PushHandler):
    """`GET push/status`: what this server runs, for `jupyter push status` and the lab panel."""

    @web.authenticated
    async def get(self) -> None:
        if self.access.role == "share":
            raise web.HTTPError(403, "a share link reads its channels only, not server status")
        hub = self.state.hub
        self.write_json(
            {
                "version": __version__,
                "broker": type(hub.broker).__name__,
                "subscribers": hub.subscribers,
                "published": hub.published,
                "delivered": hub.delivered,
                "role": self.access.role,
            }
        )
