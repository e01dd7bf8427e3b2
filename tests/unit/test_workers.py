"""Follow-up work yields to requests being answered, for a bounded time."""

from __future__ import annotations

import os
import threading
import time

import pytest

from bot.runtime.workers import WorkerPool


def test_follow_up_work_waits_for_the_requests_in_flight() -> None:
    pool = WorkerPool(2, yield_at_most=30.0)
    started = threading.Event()
    try:
        with pool.answering(), pool.answering():
            pool.follow_up(started.set)
            time.sleep(0.3)  # not a timed wait: libfaketime (CI's shifted calendar) stalls those
            assert not started.is_set(), "it started while requests were being answered"
        assert started.wait(10), "it never started once they were answered"
        assert pool.wait_idle(10)
    finally:
        pool.shutdown()


@pytest.mark.skipif(
    "faketime" in os.environ.get("LD_PRELOAD", ""),
    reason="the bound is a timed wait, which libfaketime stalls (CI's shifted-calendar pass)",
)
def test_follow_up_work_waits_no_longer_than_its_bound() -> None:
    pool = WorkerPool(2, yield_at_most=0.2)
    started = threading.Event()
    try:
        with pool.answering():
            pool.follow_up(started.set)
            assert started.wait(10), "a long request held the follow-up past its bound"
    finally:
        pool.shutdown()


def test_with_nothing_in_flight_follow_up_work_starts_at_once() -> None:
    pool = WorkerPool(2, yield_at_most=30.0)
    try:
        assert pool.follow_up(lambda: 42).result(timeout=10) == 42
    finally:
        pool.shutdown()
