"""The controls this server knows: every declaration published on `$controls/...` (retained),
held in memory so that a value can be checked against its control before it is published."""

from __future__ import annotations

from typing import Any

from ..declarations import PREFIX, check_declaration, check_value, declared_channel
from ..events import Event, InvalidInput, PatternSet
from .hub import Hub


class Controls:
    """Declarations by control channel, kept current from the hub (any server of a shared
    broker may publish one)."""

    def __init__(self) -> None:
        self.declared: dict[str, dict[str, Any]] = {}
        self._following = False

    async def follow(self, hub: Hub) -> None:
        """Watch `$controls/**` from now on, and take what is retained already (once)."""
        if self._following:
            return
        self._following = True
        patterns = PatternSet([PREFIX + "**"])
        hub.watch(patterns, self.absorb)
        for event in await hub.latest(patterns):
            channel = declared_channel(event.channel)
            if channel is not None and channel not in self.declared:
                self.absorb([event])

    def absorb(self, events: list[Event]) -> None:
        for event in events:
            channel = declared_channel(event.channel)
            if channel is None:
                continue
            data = event.data
            if data is None:
                self.declared.pop(channel, None)  # withdrawn
                continue
            try:
                self.declared[channel] = check_declaration(data)
            except InvalidInput:
                self.declared.pop(channel, None)

    def check_value(self, channel: str, data: Any) -> None:
        """Raise InvalidInput when `channel` is a control that refuses `data`."""
        decl = self.declared.get(channel)
        if decl is not None:
            check_value(decl, data)

    @staticmethod
    def check_declaration_event(channel: str, data: Any) -> None:
        """Raise InvalidInput unless `data` may be published on `channel` = `$controls/C`:
        a declaration of the control `C`, or null (withdrawn)."""
        target = declared_channel(channel)
        if target is None:
            raise InvalidInput(f"channel {channel!r}: names starting with '$' are reserved")
        if data is None:
            return
        check_declaration(data)
        if data["channel"] != target:
            raise InvalidInput(
                f"{channel!r} declares the control {target!r}, but says channel "
                f"{data['channel']!r}"
            )
