"""How often a widget may send its state: pure arithmetic, no threads."""

from __future__ import annotations

MAX_FPS = 30.0
# The Jupyter server drops IOPub messages above 1,000/s (averaged over 3 s); all widgets of one
# kernel together stay far below that, whatever their number.
KERNEL_MESSAGES_PER_SECOND = 300.0
# Large states (a chart, a log) are sent less often so a few of them cannot saturate the socket.
BYTES_PER_SECOND_PER_WIDGET = 200_000.0


def min_interval(active_widgets: int, state_bytes: int = 0) -> float:
    """Seconds a widget waits between two sends."""
    return max(
        1.0 / MAX_FPS,
        max(active_widgets, 1) / KERNEL_MESSAGES_PER_SECOND,
        state_bytes / BYTES_PER_SECOND_PER_WIDGET,
    )


def next_send_at(last_sent: float, now: float, interval: float) -> float:
    """When a dirty widget may send: at once if its last send is old enough."""
    return max(now, last_sent + interval)
