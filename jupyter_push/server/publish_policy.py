"""Who may publish what, decided per event before anything is published.

- Every publisher: a value sent to a declared control must be one the control accepts
  (`400` / an error op naming the problem); `$controls/C` takes only a declaration of `C`.
- The Jupyter user and the kernel token may publish everywhere else (of the `$` channels, only
  those `reserved.CLIENT_PUBLISHABLE` names).
- A share link may publish only when it was minted with write patterns, only to channels they
  match, only to declared controls (a chat room is a control of kind "chat"), never to a `$`
  channel; each of its events within `share_write_max_bytes`; at most `share_write_rate`
  events/s per link. Each accepted write is logged with the link's id, never its token.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from ..auth import Access
from ..declarations import PREFIX
from ..events import Event, dumps
from ..exceptions import WriteRefused
from .admission import TokenBucket
from .controls import Controls

log = logging.getLogger("jupyter_push")


@dataclass
class ShareWriteLimits:
    """Per share link: events per second (bursts up to `burst`) and bytes per event."""

    rate: float = 5.0
    burst: float = 20.0
    max_bytes: int = 4096
    buckets: dict[str, TokenBucket] = field(default_factory=dict)

    def bucket(self, link: str) -> TokenBucket:
        bucket = self.buckets.get(link)
        if bucket is None:
            if len(self.buckets) > 10_000:
                self.buckets.clear()
            bucket = self.buckets[link] = TokenBucket(self.rate, self.burst)
        return bucket


def share_write_refusal(access: Access, channel: str, declared: Any) -> str | None:
    """Why a share link may not write to `channel` (None when it may). Pure."""
    write = access.write
    if write is None:
        return "this share link is read-only: it cannot publish (mint one with write patterns)"
    if channel.startswith("$"):
        return f"a share link cannot publish to the reserved channel {channel!r}"
    if not write(channel):
        return (f"this share link may write to {list(write.patterns)}; "
                f"{channel!r} is outside it")
    if channel not in declared:
        return (f"{channel!r} is not a declared control or chat channel: a share link writes "
                "only to controls (declare one in the notebook with control(...))")
    return None


class PublishPolicy:
    """The checks for one publisher (a request or a socket)."""

    __slots__ = ("access", "controls", "limits", "source_json")

    def __init__(self, access: Access, controls: Controls, limits: ShareWriteLimits):
        self.access, self.controls, self.limits = access, controls, limits
        # A share link's events carry `"source": {"link": ID}`, set by the server: a page
        # cannot pass itself off as a kernel.
        self.source_json = dumps({"link": access.link}) if access.role == "share" else None

    def check(self, channel: Any, data: Any) -> None:
        """Raise InvalidInput / WriteRefused if `data` may not go to `channel` (the hub's
        draft then checks the name, and which `$` channels clients may use)."""
        if type(channel) is not str:
            return  # the hub's draft reports a bad name
        if self.access.role == "share":
            refusal = share_write_refusal(self.access, channel, self.controls.declared)
            if refusal is not None:
                raise WriteRefused(403, refusal)
            size = len(dumps(data))
            if size > self.limits.max_bytes:
                raise WriteRefused(413, f"a share link's event may be at most "
                                        f"{self.limits.max_bytes} bytes of data, this one is "
                                        f"{size} (PushApp.share_write_max_bytes)")
        if channel[:1] == "$":
            if channel.startswith(PREFIX):
                self.controls.check_declaration_event(channel, data)
        elif self.controls.declared:
            self.controls.check_value(channel, data)

    def admit(self, count: int) -> None:
        """Charge a share link's rate for `count` events, or raise WriteRefused(429)."""
        link = self.access.link
        if self.access.role != "share" or link is None or not count:
            return
        bucket = self.limits.bucket(link)
        if not bucket.take(count):
            wait = bucket.retry_after(count)
            raise WriteRefused(
                429, f"this share link may send {self.limits.rate:g} events/s "
                f"(PushApp.share_write_rate): nothing was published; retry in {wait:.2f} s",
                retry_after=wait,
            )

    def record(self, events: list[Event]) -> None:
        """Log what a share link wrote (its id, never its token)."""
        if self.access.role != "share":
            return
        for event in events:
            log.info("jupyter_push: share link %s wrote %s (%d bytes, id %s)",
                     self.access.link, event.channel, len(event.data_json), event.id)
