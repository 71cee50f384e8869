"""The reconnect delay: exponential bound, capped, full jitter."""

from __future__ import annotations

import pytest

from jupyter_push._backoff import CAP, FIRST, backoff_delay


@pytest.mark.parametrize(("attempt", "bound"), [
    (0, 0.05), (1, 0.1), (2, 0.2), (5, 1.6), (6, 2.0), (60, 2.0), (10**6, 2.0), (-1, 0.05)])
def test_the_bound_doubles_up_to_the_cap(attempt, bound):
    assert backoff_delay(attempt, random=lambda: 1.0) == pytest.approx(bound)


@pytest.mark.parametrize("draw", [0.0, 0.25, 0.999])
def test_the_delay_is_a_uniform_draw_below_the_bound(draw):
    assert backoff_delay(3, random=lambda: draw) == pytest.approx(0.4 * draw)


def test_many_clients_do_not_retry_in_step():
    delays = [backoff_delay(4) for _ in range(1000)]
    assert all(0.0 <= d <= 0.8 for d in delays)
    assert len({round(d, 4) for d in delays}) > 500  # spread out, not one instant


def test_first_and_cap_are_parameters():
    assert (FIRST, CAP) == (0.05, 2.0)
    assert backoff_delay(3, first=1.0, cap=5.0, random=lambda: 1.0) == 5.0
