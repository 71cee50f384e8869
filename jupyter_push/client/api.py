"""push() and flush(): the kernel's module API over one process-wide Publisher.

The publisher starts on first use, and again in a forked child (which must not share its
parent's socket). Events still pending are flushed after each IPython cell (so a cell's
events have reached the server when it finishes) and at interpreter exit.
"""

from __future__ import annotations

import atexit
import logging
import os
import sys
import threading
from typing import Any

from ..channels import CheckedNames
from ..reserved import check_client_channel
from . import _inprocess as local
from .encoding import NUMBERS, encoded_sized
from .identity import current_cell
from .publisher import DISCARDING, Publisher

log = logging.getLogger("jupyter_push")

CELL_FLUSH_TIMEOUT = 1.0
EXIT_FLUSH_TIMEOUT = 2.0
MAX_CACHED_CHANNELS = 10_000

_publisher: Publisher | None = None
_start_lock = threading.Lock()
_channels = CheckedNames(MAX_CACHED_CHANNELS, check_client_channel)


def get_publisher() -> Publisher:
    """The process's publisher, started on first use (also after a fork)."""
    global _publisher
    publisher = _publisher
    if publisher is not None:
        return publisher
    with _start_lock:
        if _publisher is None:
            _publisher = Publisher()
            _install_hooks()
            _cell_started()  # the first push() comes from inside a cell
        return _publisher


def push(channel: str, data: Any) -> None:
    """Publish `data` (any JSON value) on `channel`. Returns at once; never blocks; never
    raises for transport reasons. In-process listeners (widgets) see it first."""
    if channel not in _channels.known:
        _channels.check(channel)  # InvalidChannel (a ValueError) tells the user what is wrong
    local.dispatch(channel, data)
    kind = type(data)  # encoding.sized(), inlined: push() is the hot path
    if kind in NUMBERS:
        size = 0
    elif kind is str:
        size = len(data)
    else:
        data, size = encoded_sized(data)
    publisher = _publisher or get_publisher()
    if _new_cell is not None:
        _enter_cell()
    if publisher.link is not DISCARDING:
        publisher.put(channel, data, size)


def flush(timeout: float | None = 2.0) -> bool:
    """Wait until everything pushed so far has reached the server. True if it has; False on
    timeout or when no server was found. Never raises for transport reasons."""
    publisher = _publisher
    if publisher is None:
        return True
    return publisher.flush(timeout)


def _flush_after_cell(*_: Any) -> None:
    publisher = _publisher
    if publisher is not None and publisher.reachable and publisher.pending():
        publisher.flush(CELL_FLUSH_TIMEOUT)


def _flush_at_exit() -> None:
    publisher = _publisher
    if publisher is not None and publisher.pending():
        publisher.flush(EXIT_FLUSH_TIMEOUT)


def _install_hooks() -> None:
    atexit.register(_flush_at_exit)
    if "IPython" in sys.modules:
        try:
            from IPython import get_ipython

            shell = get_ipython()
            if shell is not None:
                shell.events.register("post_run_cell", _flush_after_cell)
                shell.events.register("pre_run_cell", _cell_started)
        except Exception:
            log.debug("jupyter_push: no IPython cell hook", exc_info=True)


_last_cell: dict[str, Any] = {}
_new_cell: Any = None  # IPython's info about a cell that started and has not pushed yet


def _cell_started(info: Any = None) -> None:
    """pre_run_cell: the cell's first push() reads which cell it is (its count is known only
    once it runs)."""
    global _new_cell
    _new_cell = info if info is not None else True


def _enter_cell() -> None:
    """The events of this cell carry its id and execution count."""
    global _last_cell, _new_cell
    info, _new_cell = _new_cell, None
    publisher = _publisher
    cell = current_cell(info if info is not True else None)
    if publisher is not None and cell and cell != _last_cell:
        _last_cell = cell
        publisher.set_cell(cell)


def _forget_after_fork() -> None:
    global _publisher
    _publisher = None


if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_forget_after_fork)
