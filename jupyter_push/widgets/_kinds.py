"""Pure helpers: what a pushed value means to each widget."""

from __future__ import annotations

import math
from typing import Any, Literal

from ..tile_rules import decide

Kind = Literal["progress", "chart", "log", "label"]


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


_WIDGET_FOR_TILE: dict[str, Kind] = {
    "progress": "progress",
    "chart": "chart",
    "number": "chart",
    "log": "log",
}


def widget_for_tile(tile: str) -> Kind:
    """The widget that carries a tile kind's data (a label for tiles with no widget)."""
    return _WIDGET_FOR_TILE.get(tile, "label")


def widget_kind(channel: str, data: Any) -> Kind:
    """The widget a Dashboard shows for a channel, judged from its first value by the tile
    rules every front end shares (`tile_rules.decide`)."""
    return widget_for_tile(decide(channel, data))




def progress_fields(data: Any) -> dict[str, Any]:
    """`value` or `{"value", "total", "rate", "eta", "description"}` → the fields present."""
    if is_number(data):
        return {"value": float(data)}
    if not isinstance(data, dict):
        return {}
    fields: dict[str, Any] = {}
    if is_number(data.get("value")):
        fields["value"] = float(data["value"])
    for key in ("total", "rate", "eta"):
        if key in data:
            fields[key] = float(data[key]) if is_number(data[key]) else None
    for key in ("description", "desc"):
        if isinstance(data.get(key), str):
            fields["description"] = data[key]
    return fields


def chart_samples(x: float, data: Any) -> dict[str, tuple[float, float]]:
    """One pushed value → a point per series. A number is series "value"; a dict gives a series
    per numeric key, with an optional "step" key as the x coordinate."""
    if is_number(data):
        return {"value": (x, float(data))}
    if not isinstance(data, dict):
        return {}
    if is_number(data.get("step")):
        x = float(data["step"])
    return {
        str(k): (x, float(v)) for k, v in data.items() if k != "step" and is_number(v)
    }
