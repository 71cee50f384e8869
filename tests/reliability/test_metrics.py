"""Prometheus metrics at the Jupyter server's own `{base}metrics`, scraped with a real client."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
import websockets
from prometheus_client.parser import text_string_to_metric_families

from tests.conftest import publish, ws_url
from tests.server.test_slow_subscribers import stalled_sse_client
from tests.support.streams import sse, take

TIMEOUT = 5


@pytest.fixture
def metrics_url(push_url: str) -> str:
    return push_url[: -len("push/")] + "metrics"


async def scrape(http: httpx.AsyncClient, url: str) -> dict[tuple[str, tuple], float]:
    """Every sample of the jupyter_push metrics, keyed by (name, sorted labels)."""
    r = await http.get(url)
    assert r.status_code == 200, r.text
    samples = {}
    for family in text_string_to_metric_families(r.text):
        for s in family.samples:
            if s.name.startswith("jupyter_push_"):
                samples[(s.name, tuple(sorted(s.labels.items())))] = s.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


async def wait_for(http, url, check, tries: int = 100):
    """Scrape until `check(samples)` holds (a stalled client's backlog builds up over time)."""
    for _ in range(tries):
        samples = await scrape(http, url)
        if check(samples):
            return samples
        await asyncio.sleep(0.05)
    return samples


async def test_metrics_count_events_published_delivered_and_subscribers_by_transport(
    http, push_url, auth, metrics_url
):
    n_events = 7
    async with sse(http, "m/**", retained=0) as a, sse(http, "m/x", retained=0) as b, \
            websockets.connect(ws_url(push_url), additional_headers=auth) as sock:
        await sock.send(json.dumps({"op": "subscribe", "channels": ["m/*"], "ref": 1}))
        await sock.send(json.dumps({"op": "publish", "channel": "m/ready", "data": 0,
                                    "ref": 2}))
        assert json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))["channel"] == "m/ready"
        await take(a, 1)  # m/ready, which b does not match
        for i in range(n_events):
            await publish(http, "m/x", i)
        for stream in (a, b):
            assert [json.loads(m.data)["data"] for m in await take(stream, n_events)] == \
                list(range(n_events))
        ws_got: list = []
        while len(ws_got) < n_events:
            msg = json.loads(await asyncio.wait_for(sock.recv(), TIMEOUT))
            ws_got.extend(msg if isinstance(msg, list) else [msg])
        samples = await scrape(http, metrics_url)

    assert value(samples, "jupyter_push_events_published_total") == n_events + 1
    # m/ready reached a and the socket; each m/x reached all three subscribers
    assert value(samples, "jupyter_push_events_delivered_total") == 2 + 3 * n_events
    assert value(samples, "jupyter_push_subscribers", transport="sse") == 2
    assert value(samples, "jupyter_push_subscribers", transport="ws") == 1
    assert value(samples, "jupyter_push_publish_to_write_seconds_count") > 0
    assert value(samples, "jupyter_push_publish_to_write_seconds_sum") >= 0
    assert value(samples, "jupyter_push_publish_to_write_seconds_bucket", le="+Inf") == \
        value(samples, "jupyter_push_publish_to_write_seconds_count")
    assert value(samples, "jupyter_push_queued_events") == 0
    assert value(samples, "jupyter_push_events_dropped_total", reason="overflow") == 0


async def test_closed_subscribers_leave_the_subscriber_gauge(http, metrics_url):
    async with sse(http, "gone"):
        samples = await scrape(http, metrics_url)
        assert value(samples, "jupyter_push_subscribers", transport="sse") == 1
    samples = await wait_for(
        http, metrics_url,
        lambda s: value(s, "jupyter_push_subscribers", transport="sse") == 0)
    assert value(samples, "jupyter_push_subscribers", transport="sse") == 0


async def test_resume_from_an_unknown_id_counts_a_gap_sent(http, metrics_url):
    before = value(await scrape(http, metrics_url), "jupyter_push_gaps_sent_total")
    async with sse(http, "g", headers={"Last-Event-ID": "zzzzz-000000000099"}) as stream:
        (gap,) = await take(stream, 1)
        assert gap.event == "gap"
    after = value(await scrape(http, metrics_url), "jupyter_push_gaps_sent_total")
    assert after == before + 1


async def test_drops_reported_by_a_kernel_count_as_dropped_and_as_gaps_sent(
    http, push_url, kernel_token, metrics_url
):
    kernel = {"Authorization": f"token {kernel_token}"}
    async with sse(http, "k/**", retained=0) as stream, \
            websockets.connect(ws_url(push_url), additional_headers=kernel) as sock:
        await sock.send(json.dumps({"op": "publish", "events": [{"channel": "k/a", "data": 1}],
                                    "dropped": {"k/a": 5, "k/b": 2}, "ref": 1}))
        messages = await take(stream, 3)  # the event and one gap per channel
        assert sorted(m.event for m in messages) == ["gap", "gap", "message"]
        samples = await scrape(http, metrics_url)
    assert value(samples, "jupyter_push_events_dropped_total", reason="kernel") == 7
    assert value(samples, "jupyter_push_gaps_sent_total") == 2


@pytest.mark.parametrize("push_config", [{"queue_max_events": 100_000,
                                          "queue_max_bytes": 1 << 30}])
async def test_a_stalled_subscribers_backlog_shows_as_queue_depth(
    http, push_url, jupyter_token, metrics_url
):
    stalled = stalled_sse_client(push_url, jupyter_token)
    try:
        await wait_for(http, metrics_url,
                       lambda s: value(s, "jupyter_push_subscribers", transport="sse") == 1)
        payload = "x" * 4000
        for b in range(200):  # ~16 MB at most: far more than loopback buffers hold
            await http.post("events", json=[{"channel": "flood", "data": [b, i, payload]}
                                            for i in range(20)])
            samples = await scrape(http, metrics_url)
            if value(samples, "jupyter_push_queued_events_max") > 0:
                break
        assert value(samples, "jupyter_push_queued_events_max") > 0
        assert value(samples, "jupyter_push_queued_events") >= \
            value(samples, "jupyter_push_queued_events_max")
        assert value(samples, "jupyter_push_queued_bytes") > 4000
    finally:
        stalled.close()


@pytest.mark.parametrize("push_config", [{"queue_max_events": 200,
                                          "queue_max_bytes": 200_000}])
async def test_an_overflowing_subscriber_counts_its_dropped_events(
    http, push_url, jupyter_token, metrics_url
):
    stalled = stalled_sse_client(push_url, jupyter_token)
    try:
        await wait_for(http, metrics_url,
                       lambda s: value(s, "jupyter_push_subscribers", transport="sse") == 1)
        payload = "x" * 4000
        for b in range(100):
            await http.post("events", json=[{"channel": "flood", "data": [b, i, payload]}
                                            for i in range(20)])
            samples = await scrape(http, metrics_url)
            if value(samples, "jupyter_push_subscriber_overflows_total") > 0:
                break
        assert value(samples, "jupyter_push_subscriber_overflows_total") == 1
        assert value(samples, "jupyter_push_events_dropped_total", reason="overflow") >= 1
    finally:
        stalled.close()


async def test_metrics_need_the_jupyter_credential_not_the_kernel_token(
    metrics_url, kernel_token, jp_serverapp
):
    assert jp_serverapp.authenticate_prometheus
    async with httpx.AsyncClient(timeout=TIMEOUT) as client:
        assert (await client.get(metrics_url)).status_code == 403
        kernel = {"Authorization": f"token {kernel_token}"}
        r = await client.get(metrics_url, headers=kernel)
        assert r.status_code == 403
        assert "jupyter_push_" not in r.text


def test_latency_buckets_are_cumulative_and_notices_are_not_measured():
    import time

    from jupyter_push.events import Event, Notice
    from jupyter_push.server.metrics import LATENCY_BUCKETS, Stats

    stats = Stats()
    stats.wrote(Event("e-1", "a", b"1", time.time() + 60))  # a clock step back counts as 0 s
    stats.wrote(Event("e-2", "a", b"1", time.time() - 3600))  # beyond the last bucket
    stats.wrote(Notice("gap", since="e-0"))
    buckets = stats.latency_buckets()
    assert [le for le, _ in buckets] == [*map(str, LATENCY_BUCKETS), "+Inf"]
    assert buckets[0] == (str(LATENCY_BUCKETS[0]), 1.0)
    assert buckets[-2][1] == 1.0 and buckets[-1] == ("+Inf", 2.0)
    assert 3600 <= stats.latency_sum < 3700
