"""Which tile a channel's value gets: the rules of the tile library's `decide(channel, data)`
(`static/tiles/registry.js`) for Python (the notebook Dashboard picks its widgets with them).
Both are tested against one fixture, tests/fixtures/tiles.json; the README lists the rules.
"""

from __future__ import annotations

import math
import re
from typing import Any, Literal

TileKind = Literal["kernel", "notices", "control", "image", "progress", "number", "chart",
                   "table", "log", "json"]
TILE_KINDS = ("kernel", "notices", "control", "image", "progress", "number", "chart", "table",
              "log", "json")
KERNEL_STATES = ("starting", "idle", "busy", "restarting", "dead")
_KERNEL_CHANNEL = re.compile(r"\$kernels/[^/]+\Z")
CONTROLS_PREFIX = "$controls/"  # a control's declaration (declarations.py): a control tile
IMAGE_TYPES = ("image/png", "image/jpeg", "image/svg+xml")

_PROGRESS_LEAF = re.compile(r"progress|percent|pct")
_COUNTER_LEAF = re.compile(r"^(count|total|epoch|step|iteration|iter|n)$|[_-](count|total)$|^n_")
_LOG_LEAF = re.compile(r"logs?$|^std(out|err)$")


def is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def leaf_of(channel: str) -> str:
    return channel.rsplit("/", 1)[-1].lower()


def is_progress_reading(data: Any) -> bool:
    """`{"value": number, "total": number or null}` (other keys allowed)."""
    return (
        isinstance(data, dict)
        and is_number(data.get("value"))
        and "total" in data
        and (data["total"] is None or is_number(data["total"]))
    )


def is_progress_group(data: Any) -> bool:
    return isinstance(data, dict) and bool(data) and all(map(is_progress_reading, data.values()))


def is_number_dict(data: Any) -> bool:
    return (
        isinstance(data, dict)
        and any(k != "step" for k in data)
        and all(is_number(v) for v in data.values())
    )


def is_scalar(value: Any) -> bool:
    return value is None or isinstance(value, (bool, int, float, str))


def is_table_data(data: Any) -> bool:
    if isinstance(data, list):
        return bool(data) and all(isinstance(r, dict) for r in data)
    if not isinstance(data, dict):
        return False
    if isinstance(data.get("columns"), list) and isinstance(data.get("rows"), list):
        return all(isinstance(c, str) for c in data["columns"]) and all(
            isinstance(r, list) for r in data["rows"]
        )
    values = list(data.values())
    return bool(values) and all(map(is_scalar, values)) and not all(map(is_number, values))


def decide(channel: str, data: Any) -> TileKind:
    """The tile for `data` pushed to `channel`; the first rule that claims it wins."""
    if (_KERNEL_CHANNEL.match(channel) and isinstance(data, dict)
            and data.get("state") in KERNEL_STATES):
        return "kernel"
    if ((channel == "$notify" or channel.startswith("$alerts/")) and isinstance(data, dict)
            and isinstance(data.get("message"), str)):
        return "notices"
    if channel.startswith(CONTROLS_PREFIX):
        return "control"
    leaf = leaf_of(channel)
    progress_leaf = bool(_PROGRESS_LEAF.search(leaf))
    if isinstance(data, dict) and any(isinstance(data.get(t), str) for t in IMAGE_TYPES):
        return "image"
    if is_progress_reading(data) or is_progress_group(data):
        return "progress"
    if is_number(data):
        if progress_leaf:
            return "progress" if 0 <= data <= 100 else "number"
        if _COUNTER_LEAF.search(leaf):
            return "number"
        return "chart"
    if is_number_dict(data):
        return "chart"
    if is_table_data(data):
        return "table"
    if isinstance(data, str) and (_LOG_LEAF.search(leaf) or "\n" in data):
        return "log"
    return "json"


# Which group a channel's tile sits in: the rules of the tile library's `groupOf` and its group
# order (`static/tiles/grouping.js`), for the notebook Dashboard's static fallback.
COMPARE_GROUP, NOTICES_GROUP, OTHER_GROUP, SYSTEM_GROUP = "compare", "notices", "other", "system"
KERNEL_GROUP = "kernel:"  # + the kernel id
FIXED_ORDER = (COMPARE_GROUP, NOTICES_GROUP, OTHER_GROUP, SYSTEM_GROUP)
GROUP_TITLES = {COMPARE_GROUP: "Compared", NOTICES_GROUP: "Notifications and alerts",
                SYSTEM_GROUP: "System", OTHER_GROUP: "Other channels"}
_KERNEL_OF = re.compile(r"\$kernels/([^/]+)(?:/|\Z)")


def group_of(channel: str, source: dict[str, Any]) -> str:
    """The group of a channel whose latest event came from `source`: a kernel's own channels
    and the channels it pushed under that kernel; notices, host metrics and the rest apart."""
    own = _KERNEL_OF.match(channel)
    if own:
        return KERNEL_GROUP + own.group(1)
    if channel == "$notify" or channel.startswith("$alerts/"):
        return NOTICES_GROUP
    if channel.startswith("$system/"):
        return SYSTEM_GROUP
    kernel = source.get("kernel")
    return KERNEL_GROUP + kernel if isinstance(kernel, str) and kernel else OTHER_GROUP


def group_order(key: str, notebook: str = "") -> tuple[int, str, str]:
    """Sort key of the groups (grouping.js `compareGroups`): comparisons, kernels by notebook,
    then notices, other channels, system."""
    if key.startswith(KERNEL_GROUP):
        return (1, notebook, key)
    return (0 if key == COMPARE_GROUP else 2 + FIXED_ORDER.index(key), "", key)
