"""Where a page's main thread spends its time, from a Chromium performance trace.

`summarize(trace)` reads the JSON of `Browser.startTracing`/`stop_tracing` (playwright's
`browser.start_tracing`) and returns the renderer main thread's self time per trace event name
(script, style recalculation, layout, paint, …), the busy fraction and the longest tasks, so a
benchmark can say what costs the frames rather than only that they are missed.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

# what devtools' performance panel records, plus v8's own slices
CATEGORIES = [
    "devtools.timeline",
    "disabled-by-default-devtools.timeline",
    "disabled-by-default-devtools.timeline.frame",
    "toplevel",
    "v8.execute",
    "blink",
    "cc",
]

# names the performance panel shows, in words
LABELS = {
    "ThreadControllerImpl::RunTask": "task overhead",
    "RunTask": "task overhead",
    "FunctionCall": "script (function call)",
    "EvaluateScript": "script (evaluate)",
    "v8.execute": "script (v8)",
    "V8.Execute": "script (v8)",
    "EventDispatch": "event dispatch",
    "FireAnimationFrame": "animation frame callbacks",
    "UpdateLayoutTree": "style recalculation",
    "Layout": "layout",
    "PrePaint": "pre-paint",
    "Paint": "paint (record)",
    "PaintImage": "paint image",
    "Layerize": "layerize",
    "UpdateLayer": "update layer",
    "Commit": "commit",
    "MajorGC": "GC",
    "MinorGC": "GC",
    "V8.GCScavenger": "GC",
    "V8.GC_MC_BACKGROUND_MARKING": "GC",
    "HitTest": "hit test",
    "TimerFire": "timer",
    "ParseHTML": "parse HTML",
    "ProfileCall": "script (sampled)",
}


def _events(trace: dict[str, Any] | list[Any]) -> list[dict[str, Any]]:
    return trace["traceEvents"] if isinstance(trace, dict) else trace


def main_thread(events: list[dict[str, Any]]) -> tuple[int, int] | None:
    """(pid, tid) of the renderer main thread that ran the most tasks (the page's)."""
    names = {(e["pid"], e["tid"]) for e in events
             if e.get("ph") == "M" and e.get("name") == "thread_name"
             and e.get("args", {}).get("name") == "CrRendererMain"}
    if not names:
        return None
    counts: dict[tuple[int, int], float] = defaultdict(float)
    for e in events:
        key = (e.get("pid"), e.get("tid"))
        if key in names and e.get("ph") == "X":
            counts[key] += e.get("dur", 0)  # type: ignore[index]
    return max(names, key=lambda k: counts.get(k, 0))


def _slices(events: list[dict[str, Any]],
            thread: tuple[int, int]) -> list[tuple[float, float, str, float]]:
    """(start µs, end µs, name, thread time µs) of the thread's complete and begin/end slices."""
    out: list[tuple[float, float, str, float]] = []
    open_: dict[str, list[tuple[float, float]]] = defaultdict(list)
    for e in sorted((e for e in events if (e.get("pid"), e.get("tid")) == thread),
                    key=lambda e: e.get("ts", 0)):
        ph = e.get("ph")
        if ph == "X" and "dur" in e:
            out.append((e["ts"], e["ts"] + e["dur"], e["name"], e.get("tdur", e["dur"])))
        elif ph == "B":
            open_[e["name"]].append((e["ts"], e.get("tts", 0)))
        elif ph == "E" and open_[e.get("name", "")]:
            ts, tts = open_[e["name"]].pop()
            out.append((ts, e["ts"], e["name"], e.get("tts", tts) - tts))
    return out


def summarize(trace: dict[str, Any] | list[Any] | bytes | str, window_s: float | None = None,
              top: int = 12) -> dict[str, Any]:
    """Self time per slice name on the page's main thread (thread time: CPU the page used, not
    inflated when other processes hold the cores), the fraction of the window the thread was
    busy (wall clock) and running (thread time), the longest tasks (wall clock and thread time)."""
    if isinstance(trace, bytes | str):
        trace = json.loads(trace)
    events = _events(trace)  # type: ignore[arg-type]
    thread = main_thread(events)
    if thread is None:
        return {"error": "no renderer main thread in the trace"}
    slices = sorted(_slices(events, thread), key=lambda s: (s[0], -s[1]))
    self_us: dict[str, float] = defaultdict(float)
    stack: list[list[Any]] = []  # [end, name, own thread time]
    tasks: list[float] = []
    task_cpu: list[float] = []
    cpu_us = 0.0  # thread time of the tasks: what the page cost, whatever else the machine ran

    def close(until: float) -> None:
        while stack and stack[-1][0] <= until:
            _end, name, own = stack.pop()
            self_us[LABELS.get(name, name)] += max(0.0, own)

    for start, end, name, thread_us in slices:
        close(start)
        if stack:
            stack[-1][2] -= thread_us  # the child's time is not the parent's
        else:
            tasks.append(end - start)
            task_cpu.append(thread_us)
            cpu_us += thread_us
        stack.append([end, name, thread_us])
    close(float("inf"))
    span_us = (slices[-1][1] - slices[0][0]) if slices else 0
    busy_us = sum(tasks)
    total = window_s * 1e6 if window_s else span_us
    ranked = sorted(self_us.items(), key=lambda kv: -kv[1])[:top]
    return {
        "seconds": round(total / 1e6, 2),
        "busy_fraction": round(busy_us / total, 2) if total else None,
        "cpu_fraction": round(cpu_us / total, 2) if total else None,
        "self_cpu_ms": {name: round(us / 1000, 1) for name, us in ranked},
        "longest_tasks_ms": [round(t / 1000, 1) for t in sorted(tasks, reverse=True)[:5]],
        # the same tasks by the CPU they used: a task long in wall time but short here waited
        # for a core (other processes), it did not work that long
        "longest_tasks_cpu_ms": [round(t / 1000, 1) for t in sorted(task_cpu, reverse=True)[:5]],
    }
