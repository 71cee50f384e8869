"""`%load_ext jupyter_push` and `%push_notify --after 30`: a notification when a cell that ran
longer than the threshold finishes or fails, with no code in the cell.

The notification says how long the cell ran, which notebook it is in (the event's source, and
`notebook` in its data) and, for a failure, the error's last line.
"""

from __future__ import annotations

import argparse
import os
import shlex
import time
from typing import Any, Callable

DEFAULT_AFTER = 30.0


def format_duration(seconds: float) -> str:
    """`4.2 s`, `3 min 05 s`, `2 h 03 min`."""
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


def error_line(error: BaseException) -> str:
    """The last line of the error's traceback: `ZeroDivisionError: division by zero`."""
    text = str(error)
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


def cell_report(duration: float, execution_count: int | None,
                error: BaseException | None) -> dict[str, Any]:
    """The notification for a finished cell: message, level and details."""
    cell = f"Cell [{execution_count}]" if execution_count else "A cell"
    took = format_duration(duration)
    report: dict[str, Any] = {"duration": round(duration, 3), "execution_count": execution_count}
    if error is None:
        report.update(message=f"{cell} finished after {took}", level="success")
    else:
        report.update(message=f"{cell} failed after {took}: {error_line(error)}",
                      level="error", error=error_line(error))
    return report


class CellNotifier:
    """IPython's pre/post_run_cell hooks: time each cell, report the slow ones."""

    def __init__(self, after: float, send: Callable[..., None],
                 clock: Callable[[], float] = time.monotonic):
        self.after = after
        self.send = send
        self.clock = clock
        self._started: float | None = None
        self._cell_id: str | None = None

    def pre_run_cell(self, info: Any = None) -> None:
        self._started = self.clock()
        self._cell_id = getattr(info, "cell_id", None)

    def post_run_cell(self, result: Any) -> None:
        started, self._started = self._started, None
        if started is None:
            return
        duration = self.clock() - started
        if duration < self.after:
            return
        error = getattr(result, "error_in_exec", None) or getattr(result, "error_before_exec",
                                                                  None)
        report = cell_report(duration, getattr(result, "execution_count", None), error)
        if self._cell_id:
            report["cell_id"] = self._cell_id
        notebook = os.environ.get("JPY_SESSION_NAME")
        if notebook:
            report["notebook"] = notebook
        self.send(**report)


_active: dict[int, CellNotifier] = {}


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="%push_notify", add_help=False,
                                     description="Notify when a slow cell finishes or fails.")
    parser.add_argument("--after", type=float, default=DEFAULT_AFTER,
                        help=f"seconds a cell must run to be reported (default {DEFAULT_AFTER:g})")
    parser.add_argument("--off", action="store_true", help="stop notifying")
    return parser


def push_notify(shell: Any, line: str) -> None:
    try:
        args = _parser().parse_args(shlex.split(line))
    except SystemExit:
        raise ValueError("usage: %push_notify [--after SECONDS] [--off]") from None
    _stop(shell)
    if args.off:
        print("jupyter_push: cell notifications off")
        return
    if args.after < 0:
        raise ValueError("%push_notify --after: seconds must be >= 0")
    from .notify import notify

    notifier = CellNotifier(args.after, lambda **report: notify(**report))
    shell.events.register("pre_run_cell", notifier.pre_run_cell)
    shell.events.register("post_run_cell", notifier.post_run_cell)
    _active[id(shell)] = notifier
    print(f"jupyter_push: a notification when a cell runs longer than "
          f"{format_duration(args.after)}")


def _stop(shell: Any) -> None:
    notifier = _active.pop(id(shell), None)
    if notifier is not None:
        shell.events.unregister("pre_run_cell", notifier.pre_run_cell)
        shell.events.unregister("post_run_cell", notifier.post_run_cell)


def load(shell: Any) -> None:
    shell.register_magic_function(lambda line: push_notify(shell, line), "line", "push_notify")


def unload(shell: Any) -> None:
    _stop(shell)
