"""Snapshot files: the tiles of some channels, with their history, as one self-contained HTML
page (the tile library inlined) that opens anywhere, offline. The same page the viewer's and the
panel's "Save snapshot" writes (`snapshotPage` in static/tiles/snapshot.js)."""

from __future__ import annotations

import json
import re
import time
from typing import Any
from urllib.parse import urlencode

from .channels import PatternSet
from .client.discovery import Server
from .client.rest import call
from .tiles_bundle import tiles_script

HISTORY_LIMIT = 1000
MAX_CHANNELS = 200


def script_safe(text: str) -> str:
    """Text safe inside an HTML `<script>` element."""
    return re.sub(r"</(script)", r"<\\/\1", text, flags=re.I).replace("<!--", "<\\!--")


def snapshot_page(snapshot: dict[str, Any], library: str | None = None) -> str:
    library = tiles_script() if library is None else library
    title = re.sub(r'[<>&"]', lambda m: f"&#{ord(m.group(0))};", str(snapshot["title"]))
    data = json.dumps(snapshot, ensure_ascii=False, separators=(",", ":"))
    return f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<style>body {{ margin: 0; padding: .75rem; font-family: system-ui, sans-serif; min-height: 100vh; box-sizing: border-box; }}
h1 {{ font-size: 1rem; margin: 0 0 .6rem; }} h1 small {{ font-weight: 400; opacity: .7; }}</style>
</head>
<body class="jpt-theme">
<h1>{title} <small id="saved"></small></h1>
<main id="board"></main>
<script type="application/json" id="jupyter-push-snapshot">{script_safe(data)}</script>
<script type="module">
{script_safe(library)}
bootSnapshot(document);
</script>
</body>
</html>
"""  # noqa: E501 (the page as snapshot.js writes it)


def fetch_snapshot(
    server: Server, patterns: list[str], *, limit: int = HISTORY_LIMIT, title: str = "",
    overlays: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """Every channel matching `patterns` with its last `limit` events, as a board snapshot.
    Each of `overlays` (`runs/*/loss`) is one card comparing the channels it matches, a series
    each (runs.py); those channels get no card of their own, as in the viewer."""
    everything = [*patterns, *(o for o in overlays if o not in patterns)]
    listed = call(server, "GET", "channels?" + urlencode([("channel", p) for p in everything]))
    names = [c["name"] for c in listed["channels"]][:MAX_CHANNELS]
    history: dict[str, list[Any]] = {}
    for name in names:
        reply = call(server, "GET", "history?" + urlencode({"channel": name, "limit": limit}))
        history[name] = reply["events"]
    overlaid = [(o, PatternSet([o])) for o in overlays]
    cards = [
        {"channel": pattern, "kind": None, "multi": True,
         "events": sorted((e for n in names if matches(n) for e in history[n]),
                          key=lambda e: e["time"])}
        for pattern, matches in overlaid
    ]
    cards += [
        {"channel": name, "kind": None, "multi": False, "events": history[name]}
        for name in names if not any(matches(name) for _, matches in overlaid)
    ]
    return {
        "format": "jupyter_push.tiles",
        "version": 1,
        "title": title or "jupyter_push run: " + " ".join(patterns),
        "saved": time.time(),
        "cards": cards,
    }
