"""Prometheus metrics on the Jupyter server's own `{base}metrics`.

The hot path only bumps plain ints (`Stats`), once per event or once per write batch; the
collector turns them into metric families when Prometheus scrapes. Nothing here runs per event
per subscriber.
"""

from __future__ import annotations

import time
from bisect import bisect_left
from collections import Counter
from typing import TYPE_CHECKING, Iterator

from prometheus_client import REGISTRY
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from prometheus_client.registry import Collector

from ..events import Event, Queued

if TYPE_CHECKING:
    from .hub import Hub

_now = time.time
LATENCY_BUCKETS = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0,
                   2.5, 5.0, 10.0)


class Stats:
    """Counters the hub and transports keep as plain ints, read at scrape time."""

    __slots__ = ("gaps_sent", "latency_counts", "latency_sum", "overflow_dropped", "overflows")

    def __init__(self) -> None:
        self.overflows = 0  # subscribers that fell behind (queue full)
        self.overflow_dropped = 0  # events emptied from their queues then
        self.gaps_sent = 0  # gap messages written to subscribers
        self.latency_counts = [0] * (len(LATENCY_BUCKETS) + 1)  # the last one is +Inf
        self.latency_sum = 0.0

    def wrote(self, oldest: Queued) -> None:
        """A transport is writing a batch whose oldest item is `oldest` (an event, or a
        notice without a time, which is not measured)."""
        if not isinstance(oldest, Event):
            return
        seconds = _now() - oldest.time
        if seconds < 0.0:
            seconds = 0.0
        self.latency_counts[bisect_left(LATENCY_BUCKETS, seconds)] += 1
        self.latency_sum += seconds

    def latency_buckets(self) -> list[tuple[str, float]]:
        """Cumulative (le, count) pairs, as Prometheus histograms report them."""
        bounds = (*map(str, LATENCY_BUCKETS), "+Inf")
        pairs, total = [], 0
        for bound, count in zip(bounds, self.latency_counts, strict=True):
            total += count
            pairs.append((bound, float(total)))
        return pairs


class PushCollector(Collector):
    """Reads the current hub's counters when scraped; reports nothing while no hub runs."""

    def __init__(self) -> None:
        self.hub: Hub | None = None

    def collect(self) -> Iterator[Metric]:
        hub = self.hub
        if hub is None:
            return
        stats = hub.stats
        yield counter("events_published",
                      "Events this server's hub received from its broker: published here, or "
                      "with Redis on any server sharing its channels.", hub.published)
        yield counter("events_delivered",
                      "Events queued for subscribers (one per event per matching subscriber).",
                      hub.delivered)
        dropped = CounterMetricFamily(
            "jupyter_push_events_dropped",
            "Events lost: emptied from a slow subscriber's queue (overflow; the subscriber is "
            "sent a gap or disconnected to resume), or dropped by a kernel's full buffer "
            "(kernel).",
            labels=["reason"],
        )
        dropped.add_metric(["overflow"], stats.overflow_dropped)
        dropped.add_metric(["kernel"], hub.publisher_drops)
        yield dropped
        yield counter("subscriber_overflows",
                      "Times a subscriber fell behind and its queue overflowed.", stats.overflows)
        yield counter("gaps_sent", "Gap messages sent to subscribers.", stats.gaps_sent)

        subscribers = hub.subscriber_set()
        by_transport = Counter(sub.transport or "other" for sub in subscribers)
        gauge = GaugeMetricFamily("jupyter_push_subscribers",
                                  "Open subscriptions, by transport.", labels=["transport"])
        for transport in sorted({"sse", "ws", *by_transport}):
            gauge.add_metric([transport], by_transport.get(transport, 0))
        yield gauge
        depths = [len(sub.queue) for sub in subscribers]
        yield GaugeMetricFamily("jupyter_push_queued_events",
                                "Events waiting in subscriber queues, in total.",
                                value=sum(depths))
        yield GaugeMetricFamily("jupyter_push_queued_events_max",
                                "Events waiting in the longest subscriber queue.",
                                value=max(depths, default=0))
        yield GaugeMetricFamily("jupyter_push_queued_bytes",
                                "Bytes waiting in subscriber queues, in total.",
                                value=sum(sub.queued_bytes for sub in subscribers))
        yield HistogramMetricFamily(
            "jupyter_push_publish_to_write_seconds",
            "Seconds from an event's publication to its write to a subscriber's socket, "
            "measured once per write batch on its oldest event.",
            buckets=stats.latency_buckets(),
            sum_value=stats.latency_sum,
        )


def counter(name: str, documentation: str, value: float) -> CounterMetricFamily:
    return CounterMetricFamily(f"jupyter_push_{name}", documentation, value=value)


_collector: PushCollector | None = None


def install(hub: Hub) -> None:
    """Report `hub` at `{base}metrics`. Registered once per process; the latest server's hub
    is the one reported (tests run many servers in one process)."""
    global _collector
    if _collector is None:
        _collector = PushCollector()
        REGISTRY.register(_collector)
    _collector.hub = hub


def uninstall(hub: Hub) -> None:
    if _collector is not None and _collector.hub is hub:
        _collector.hub = None


__all__ = ["LATENCY_BUCKETS", "PushCollector", "Stats", "install", "uninstall"]
