# ruff: noqa: E501 (JavaScript run in the page, kept readable)
"""What drawing 50 live charts costs as their history grows: the tile library alone in Chromium.

    python benchmarks/chart_draw_cost.py [--points 150,600,1800] [--frames 300] [--tiles DIR]

No server, no kernel: a page holding a `Board` of 50 chart cards (the viewer's layout, viewport
1600×1000) whose charts already hold N points each (N = 150, 600, 1,800: the 5 s, 20 s and 60 s
marks of `browser_tiles.py`, whose charts receive 30 points a second, the same values: one in
three of the kernel's, `--stride`). Then, for a fixed number of animation frames, the page
pushes 25 events a frame round the cards (1,500 events/s at 60 frames/s, what the viewer
receives under `max_rate=30`) and the library draws as it does live.

Reported per frame: the tiles' drawing (script, `Card.draw`), the page's main thread (thread
time from a performance trace: script, style, layout, paint, …) and all Chromium processes' CPU
(raster and compositor included) — CPU time, so other load on the machine inflates it much less
than it does a frame rate; frames/s is printed too but is the machine's as much as the page's.
`--tiles DIR` draws with another copy of `static/tiles/` (e.g. an older commit's, for a
before/after in the same minutes); `--profile` prints the page's CPU profile (self time by
function) during the frames.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.browser_tiles import browser_cpu_seconds, print_profile  # noqa: E402
from benchmarks.lib import chrome_trace  # noqa: E402
from tests.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

TILES = 50
ORIGIN = "http://tiles.invalid/"

PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><style>
* {{ box-sizing: border-box; }} body {{ margin: 0; font: 15px/1.4 system-ui, sans-serif; }}
main {{ padding: .75rem; }}</style></head>
<body class="jpt-theme"><main id="cards"></main>
<script type="module">
import * as tiles from '{ORIGIN}index.js';
window.tiles = tiles;
</script></body></html>"""

FILL = """async ([tilesCount, points, stride]) => {
  const t = window.tiles;
  const board = new t.Board(document.getElementById('cards'));
  window.board = board;
  // browser_tiles.py's load: event n is `{loss: sin(n / 500), step: n // 50}` on channel n % 50;
  // a chart receives one of every `stride` of its channel's events (max_rate conflation)
  let n = 0;
  const event = () => { const i = n % tilesCount; const m = Math.floor(n / tilesCount) * stride * tilesCount + i;
    const e = { channel: `bench/load/${i}`, data: { loss: Math.sin(m / 500), step: Math.floor(m / tilesCount) }, time: Date.now() / 1000 };
    n++; return e; };
  for (let k = 0; k < tilesCount * points; k++) board.push(event());
  t.drawDirty();
  window.__next = event;
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return document.querySelectorAll('.jpt-card[data-kind="chart"]').length;
}"""

RUN = """async ([frames, perFrame]) => {
  const t = window.tiles;
  const draw = t.Card.prototype.draw;
  let drawMs = 0, draws = 0;
  t.Card.prototype.draw = function () { const s = performance.now(); draw.call(this); drawMs += performance.now() - s; draws++; };
  const start = performance.now();
  await new Promise(done => {
    let left = frames;
    const frame = () => {
      for (let k = 0; k < perFrame; k++) window.board.push(window.__next());
      if (--left > 0) requestAnimationFrame(frame); else done();
    };
    requestAnimationFrame(frame);
  });
  t.Card.prototype.draw = draw;
  const seconds = (performance.now() - start) / 1000;
  return { seconds, draws, draw_ms: drawMs };
}"""


def measure(browser: Any, tiles_dir: Path, points: int, frames: int, trace: bool,
            profile: bool = False, stride: int = 3) -> dict[str, Any]:
    page = browser.new_page(viewport={"width": 1600, "height": 1000})

    def serve(route: Any) -> None:
        name = route.request.url[len(ORIGIN):].split("?")[0]
        path = tiles_dir / name
        if path.is_file() and path.suffix == ".js":
            route.fulfill(body=path.read_text(encoding="utf-8"), content_type="text/javascript")
        elif name == "page.html":
            route.fulfill(body=PAGE, content_type="text/html")
        else:
            route.fulfill(status=404, body="")

    page.route(f"{ORIGIN}**", serve)
    page.goto(f"{ORIGIN}page.html")
    page.wait_for_function("() => window.tiles !== undefined")
    charts = page.evaluate(FILL, [TILES, points, stride])
    assert charts == TILES, f"{charts} chart cards, expected {TILES}"
    if trace:
        browser.start_tracing(page=page, categories=chrome_trace.CATEGORIES)
    cdp = page.context.new_cdp_session(page) if profile else None
    if cdp is not None:
        cdp.send("Profiler.enable")
        cdp.send("Profiler.start")
    cpu = browser_cpu_seconds()
    run = page.evaluate(RUN, [frames, 25])
    cpu = browser_cpu_seconds() - cpu
    if cdp is not None:
        print(f"CPU profile, {points} points per chart:", file=sys.stderr)
        print_profile(cdp.send("Profiler.stop")["profile"])
    out = {
        "points": points,
        "fps": round(frames / run["seconds"], 1),
        "draws_per_frame": round(run["draws"] / frames, 1),
        "draw_ms_per_frame": round(run["draw_ms"] / frames, 2),
        "draw_ms_per_draw": round(run["draw_ms"] / max(1, run["draws"]), 3),
        "chromium_cpu_ms_per_frame": round(cpu * 1000 / frames, 2),
    }
    if trace:
        summary = chrome_trace.summarize(browser.stop_tracing(), window_s=run["seconds"])
        out["main_thread_cpu_ms_per_frame"] = round(summary["cpu_fraction"] * run["seconds"] * 1000 / frames, 2)
        out["main_thread_ms_per_frame"] = {k: round(v / frames, 3) for k, v in summary["self_cpu_ms"].items()}
    page.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--points", default="150,600,1800", help="points per chart, comma-separated")
    parser.add_argument("--frames", type=int, default=300)
    parser.add_argument("--tiles", type=Path, default=ROOT / "jupyter_push" / "static" / "tiles")
    parser.add_argument("--no-trace", action="store_true", help="skip the main thread's breakdown")
    parser.add_argument("--stride", type=int, default=3,
                        help="a chart gets one of every STRIDE events of its channel (default 3: the"
                             " browser benchmark's 100 events/s per channel under max_rate=30)")
    parser.add_argument("--profile", action="store_true", help="print a CPU profile of the frames")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    results = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        for points in (int(n) for n in args.points.split(",")):
            results.append(measure(browser, args.tiles, points, args.frames, not args.no_trace,
                                   args.profile, args.stride))
        browser.close()
    if args.json:
        print(json.dumps(results))
        return
    print(f"{'points':>7} {'fps':>6} {'draws/frame':>12} {'draw ms/frame':>14} {'ms/draw':>8} "
          f"{'main thread ms/frame':>21} {'Chromium CPU ms/frame':>22}")
    for r in results:
        print(f"{r['points']:>7} {r['fps']:>6} {r['draws_per_frame']:>12} {r['draw_ms_per_frame']:>14} "
              f"{r['draw_ms_per_draw']:>8} {r.get('main_thread_cpu_ms_per_frame', '-')!s:>21} "
              f"{r['chromium_cpu_ms_per_frame']:>22}")
        if "main_thread_ms_per_frame" in r:
            top = ", ".join(f"{k} {v}" for k, v in list(r["main_thread_ms_per_frame"].items())[:8])
            print(f"        main thread per frame: {top}", file=sys.stderr)


if __name__ == "__main__":
    main()
