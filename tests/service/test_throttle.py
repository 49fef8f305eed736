from __future__ import annotations

import pytest

from lks.service.throttle import FailureLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_client_is_refused_after_max_failures_until_the_oldest_leaves_the_window():
    clock = Clock()
    limiter = FailureLimiter(max_failures=3, window=60, clock=clock)
    for step in range(3):
        assert limiter.retry_after("a") is None
        limiter.failed("a")
        clock.now += 10 * (step < 2)
    assert limiter.retry_after("a") == 40  # the first failure (at 1000) leaves the window at 1060; now 1020
    assert limiter.retry_after("b") is None  # per address
    clock.now = 1060
    assert limiter.retry_after("a") is None
    limiter.failed("a")
    assert limiter.retry_after("a") == 10  # the sliding window: failures at 1010, 1020, 1060


def test_it_refuses_nonsense_settings():
    with pytest.raises(ValueError, match="max_failures"):
        FailureLimiter(max_failures=0)
