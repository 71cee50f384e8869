import pytest

from jupyter_push.exceptions import WriteRefused
from jupyter_push.server.admission import ConnectionLimiter, PublishRates, TokenBucket


def test_connection_limiter_counts_total_and_per_credential():
    limiter = ConnectionLimiter(total=3, per_credential=2)
    assert limiter.acquire("a") is None and limiter.acquire("a") is None
    assert "max_connections_per_credential = 2" in limiter.acquire("a")
    assert limiter.acquire("b") is None
    assert "max_connections = 3" in limiter.acquire("c")
    limiter.release("a")
    assert limiter.acquire("c") is None
    assert limiter.open == 3 and limiter.by_credential == {"a": 1, "b": 1, "c": 1}


def test_zero_means_unlimited():
    limiter = ConnectionLimiter(total=0, per_credential=0)
    assert all(limiter.acquire("a") is None for _ in range(100))
    assert TokenBucket(0).take(10**9)


def test_token_bucket_allows_bursts_then_the_rate():
    bucket = TokenBucket(rate=10, burst=5, now=0.0)
    assert bucket.take(5, now=0.0)
    assert not bucket.take(1, now=0.0)
    assert bucket.retry_after(1) == 0.1
    assert bucket.take(1, now=0.1)
    assert not bucket.take(3, now=0.2)  # all or nothing
    assert bucket.take(5, now=10.0) and not bucket.take(1, now=10.0)


def test_publish_rates_keep_one_bucket_per_credential():
    rates = PublishRates(rate=10, burst=5)
    rates.admit("user:a", 5, now=0.0)
    with pytest.raises(WriteRefused, match=r"max_publish_rate\): nothing was published; "
                                           r"retry in 0\.10 s") as refused:
        rates.admit("user:a", 1, now=0.0)
    assert refused.value.status == 429 and refused.value.retry_after == pytest.approx(0.1)
    rates.admit("kernel", 5, now=0.0)  # another credential has its own bucket
    rates.admit("user:a", 1, now=0.1)  # refilled at the rate


def test_publish_rates_refuse_all_or_nothing_and_zero_is_unlimited():
    rates = PublishRates(rate=10, burst=5)
    with pytest.raises(WriteRefused):
        rates.admit("k", 6, now=0.0)
    rates.admit("k", 5, now=0.0)  # the refused batch charged nothing
    PublishRates(0, 0).admit("k", 10**9)

