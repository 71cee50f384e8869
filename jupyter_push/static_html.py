"""Tiles as static HTML: a widget's final state readable with no script and no kernel (nbconvert
HTML, GitHub-style notebook viewers, a notebook reopened without its kernel).

Pure functions from values to markup. The markup uses the tile library's class names
(static/tiles/style.js: `jpt-card`, `jpt-bar`, `jpt-legendItem`, …), so it looks like the live
tile where that stylesheet is loaded, and inline styles so it still reads as a card, a bar and a
chart where it is not. Every value is written as text (legend, bar caption, last lines); the
chart's lines are inline SVG. Numbers and durations read as the tiles write them
(static/tiles/format.js, progress.js `describeProgress`).
"""

from __future__ import annotations

import json
import math
from base64 import b64encode
from collections.abc import Iterable, Mapping, Sequence
from html import escape
from typing import Any

# the tiles' light series colours (static/tiles/style.js `--jpt-series-N`), 3:1 or more on white
SERIES_COLORS = ("#1f77b4", "#c75300", "#2b8a2b", "#d62728", "#8e5cc0", "#8c564b", "#c1308f",
                 "#0e7f8c")
MAX_POINTS_DRAWN = 200  # per series: a static chart needs no more (keeps the notebook small)
MAX_LOG_LINES = 12
MAX_TEXT = 2000
CHART_WIDTH, CHART_HEIGHT = 320, 110
CARD_STYLE = ("border:1px solid #d0d0d0;border-radius:6px;padding:6px 10px;margin:4px 0;"
              "font:13px/1.4 system-ui,-apple-system,'Segoe UI',sans-serif;max-width:44em")
MUTED = "color:#666;font-size:12px"


def format_number(v: float) -> str:
    """A number in the few characters a tile has (as `formatNumber` in format.js)."""
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Infinity" if v > 0 else "-Infinity")
    if float(v).is_integer():
        n = int(v)
        return _exponential(v) if abs(n) >= 1e9 else str(n)
    a = abs(v)
    if a < 1e-3 or a >= 1e6:
        return _exponential(v)
    return _shortest(float(f"{v:.4g}"))


def _exponential(v: float) -> str:
    mantissa, exponent = f"{v:.3e}".split("e")  # as JavaScript's toExponential(3)
    return f"{mantissa}e{'+' if int(exponent) >= 0 else '-'}{abs(int(exponent))}"


def _shortest(v: float) -> str:
    return str(int(v)) if v.is_integer() else repr(v)


def format_duration(seconds: float) -> str:
    s = round(seconds)
    if s < 60:
        return f"{s}s"
    if s < 3600:
        return f"{s // 60}m {s % 60:02d}s"
    return f"{s // 3600}h {s // 60 % 60:02d}m"


def describe_progress(value: float, total: float | None, rate: float | None = None,
                      eta: float | None = None) -> str:
    """"40 / 100 (40%) · 2.5/s · ETA 24s", or "40%" for a percentage (progress.js)."""
    known = total is not None and total > 0
    if total == 100:
        parts = [f"{format_number(value)}%"]
    elif known:
        assert total is not None
        parts = [f"{format_number(value)} / {format_number(total)} "
                 f"({round(100 * value / total)}%)"]
    else:
        parts = [format_number(value)]
    if rate is not None:
        parts.append(f"{format_number(float(f'{rate:.3g}'))}{'%' if total == 100 else ''}/s")
    if known and total is not None and value < total and (eta is not None or rate):
        left = eta if eta is not None else (total - value) / rate  # type: ignore[operator]
        parts.append(f"ETA {format_duration(left)}")
    return " · ".join(parts)


def as_text(data: Any) -> str:
    """How a value reads as text (a Label, a Log line, a card)."""
    if isinstance(data, str):
        return data
    try:
        return json.dumps(data, ensure_ascii=False, separators=(", ", ": "))
    except (TypeError, ValueError):
        return repr(data)


def card(title: str, kind: str, body: str) -> str:
    """One tile: the channel's name over its body (`jpt-card`, as card.js draws it)."""
    return (
        f'<section class="jpt-card" data-channel="{escape(title)}" data-kind="{kind}" '
        f'style="{CARD_STYLE}"><div class="jpt-cardHeader" style="font-weight:600;'
        f'margin-bottom:4px">{escape(title)}</div>{body}</section>'
    )


def progress_body(value: float, total: float | None, rate: float | None = None,
                  eta: float | None = None, label: str = "") -> str:
    known = total is not None and total > 0
    fraction = min(1.0, max(0.0, value / total)) if known and total else 0.0
    done = known and total is not None and value >= total
    text = describe_progress(value, total, rate, eta)
    aria = (f' aria-valuemin="0" aria-valuemax="{format_number(total)}" '
            f'aria-valuenow="{format_number(min(value, total))}"'
            if known and total is not None else "")
    name = f'<div class="jpt-barLabel">{escape(label)}</div>' if label else ""
    return (
        f'<div class="jpt-barRow{" jpt-mod-done" if done else ""}">{name}'
        f'<div class="jpt-bar" role="progressbar"{aria} aria-valuetext="{escape(text)}" '
        'style="height:.6rem;border-radius:.3rem;background:#eee;border:1px solid #ccc;'
        f'overflow:hidden"><div class="jpt-barFill" style="height:100%;width:{fraction:.1%};'
        f'background:{"#2e7d32" if done else "#1976d2"}"></div></div>'
        f'<div class="jpt-progressText" style="{MUTED}">{escape(text)}</div></div>'
    )


def _thin(points: Sequence[Sequence[float]], n: int) -> list[Sequence[float]]:
    """At most `n` points, evenly picked, the last one kept."""
    if len(points) <= n:
        return list(points)
    step = (len(points) - 1) / (n - 1)
    return [points[round(i * step)] for i in range(n)]


def chart_body(series: dict[str, Sequence[Sequence[float]]]) -> str:
    """A legend with each series' latest value, its lines as SVG, the point count, min and
    max (as chart.js shows them)."""
    drawn = {name: [p for p in pts if all(map(math.isfinite, p[:2]))]
             for name, pts in series.items()}
    drawn = {name: pts for name, pts in drawn.items() if pts}
    if not drawn:
        return f'<div style="{MUTED}">no points</div>'
    single = list(drawn) == ["value"]
    legend = "".join(
        f'<span class="jpt-legendItem" data-series="{escape(name)}" style="margin-right:.8em">'
        f'<span style="color:{SERIES_COLORS[i % len(SERIES_COLORS)]}">■</span> '
        f'{"" if single else escape(name) + " "}{format_number(pts[-1][1])}</span>'
        for i, (name, pts) in enumerate(drawn.items())
    )
    xs = [p[0] for pts in drawn.values() for p in pts]
    ys = [p[1] for pts in drawn.values() for p in pts]
    x0, x1, lo, hi = min(xs), max(xs), min(ys), max(ys)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    pad = abs(lo) * 0.1 or 1.0
    ylo, yhi = (lo - pad, hi + pad) if hi == lo else (lo, hi)
    left, right, top, bottom = 40, CHART_WIDTH - 6, 6, CHART_HEIGHT - 14

    def sx(x: float) -> float:
        return left + (x - x0) / (x1 - x0) * (right - left)

    def sy(y: float) -> float:
        return bottom - (y - ylo) / (yhi - ylo) * (bottom - top)

    lines = "".join(
        f'<polyline fill="none" stroke="{SERIES_COLORS[i % len(SERIES_COLORS)]}" '
        'stroke-width="1.5" points="'
        + " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y, *_ in _thin(pts, MAX_POINTS_DRAWN))
        + '"/>'
        for i, pts in enumerate(drawn.values())
    )
    label = 'font-size="10" fill="#666" font-family="system-ui,sans-serif"'
    svg = (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
        f'viewBox="0 0 {CHART_WIDTH} {CHART_HEIGHT}" role="img" aria-label="chart">'
        f'<path d="M{left},{top}V{bottom}H{right}" stroke="#bbb" fill="none"/>'
        f'<text x="{left - 4}" y="{top + 8}" text-anchor="end" {label}>{format_number(yhi)}</text>'
        f'<text x="{left - 4}" y="{bottom}" text-anchor="end" {label}>{format_number(ylo)}</text>'
        f'<text x="{left}" y="{CHART_HEIGHT - 2}" {label}>{format_number(x0)}</text>'
        f'<text x="{right}" y="{CHART_HEIGHT - 2}" text-anchor="end" {label}>'
        f'{format_number(x1)}</text>{lines}</svg>'
    )
    count = sum(len(pts) for pts in series.values())
    # an image, not inline SVG: sanitizers that drop SVG elements (an untrusted notebook in
    # JupyterLab) would leave the axis labels behind as stray text
    image = (f'<img class="jpt-chartImage" width="{CHART_WIDTH}" height="{CHART_HEIGHT}" '
             f'alt="chart: {escape(chart_text(drawn))}" '
             f'src="data:image/svg+xml;base64,{b64encode(svg.encode()).decode()}">')
    return (
        f'<div class="jpt-legend">{legend}</div><div>{image}</div>'
        f'<div class="jpt-range" style="{MUTED}">{count} points · min {format_number(lo)} · '
        f'max {format_number(hi)}</div>'
    )


def chart_text(series: Mapping[str, Sequence[Sequence[float]]]) -> str:
    return " · ".join(
        f"{name} {format_number(pts[-1][1])}" for name, pts in series.items() if pts
    ) or "no points"


def lines_body(lines: Iterable[str]) -> str:
    last = list(lines)[-MAX_LOG_LINES:]
    return (
        '<pre class="jpt-logLines" style="margin:0;'
        f'white-space:pre-wrap;font-size:12px">{escape(chr(10).join(last))}</pre>'
    )


def text_body(text: str) -> str:
    short = text if len(text) <= MAX_TEXT else text[:MAX_TEXT] + "…"
    return f'<div class="jpt-text" style="white-space:pre-wrap">{escape(short)}</div>'


def group(key: str, title: str, cards: Iterable[str], *, state: str = "",
          reason: str = "") -> str:
    """A group of cards under its heading (`jpt-group`, as the tile library's groups.js draws
    it): a kernel's notebook with the kernel's last state, "Compared" or "Other channels"."""
    badge = (f' <span class="jpt-kernelState" style="{MUTED};font-weight:600">'
             f'{escape(state)}</span>' if state else "")
    why = f'<div class="jpt-kernelReason" style="{MUTED}">{escape(reason)}</div>' if reason \
        else ""
    return (
        f'<section class="jpt-group" data-group="{escape(key)}" role="region" '
        f'aria-label="{escape(title)}"><div class="jpt-groupHeader" style="margin:8px 0 2px">'
        f'<span class="jpt-groupTitle" style="font:600 13px/1.4 system-ui,sans-serif">'
        f'{escape(title)}</span>{badge}{why}</div>{"".join(cards)}</section>'
    )


def fallback(cards: Iterable[str], *, note: str = "saved final state") -> str:
    """The whole fallback: the cards, under a root element the widget stylesheet hides where
    the live widget is shown above it (widgets.css)."""
    return (
        f'<div class="jpp-fallback" title="{escape(note)}">{"".join(cards)}</div>'
    )
