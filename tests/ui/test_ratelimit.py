"""Token buckets with an injected clock (no sleeping)."""

from __future__ import annotations

import pytest

from ui.ratelimit import RateLimiter


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


@pytest.mark.parametrize("per_minute, burst", [(60, 1), (6, 3), (120, 10)])
def test_burst_then_refusal_then_refill(per_minute, burst):
    clock = Clock()
    rl = RateLimiter(per_minute, burst, clock=clock)
    assert [rl.hit("a") for _ in range(burst)] == [0.0] * burst
    wait = rl.hit("a")
    assert wait == pytest.approx(60 / per_minute)
    assert rl.hit("b") == 0.0  # keys are independent
    clock.now += wait
    assert rl.hit("a") == 0.0
    assert rl.hit("a") > 0


@pytest.mark.parametrize("wait, header", [(0.01, "1"), (1.0, "1"), (1.2, "2"), (59.9, "60")])
def test_retry_after_is_whole_seconds_rounded_up(wait, header):
    assert RateLimiter.retry_after_header(wait) == header


def test_memory_is_bounded_and_dropped_keys_start_full():
    clock = Clock()
    rl = RateLimiter(1, 1, clock=clock, max_keys=3)
    for key in "abcd":
        rl.hit(key)
    assert len(rl) == 3
    assert rl.hit("a") == 0.0  # "a" was evicted, so it starts with a full bucket


@pytest.mark.parametrize("per_minute, burst", [(0, 1), (10, 0)])
def test_invalid_limits_are_refused(per_minute, burst):
    with pytest.raises(ValueError):
        RateLimiter(per_minute, burst)
