"""Follow-up work yields to requests being answered, for a bounded time."""

from __future__ import annotations

import threading

from bot.runtime.workers import WorkerPool


def test_follow_up_work_waits_for_the_requests_in_flight() -> None:
    pool = WorkerPool(2, yield_at_most=30.0)
    started = threading.Event()
    try:
        with pool.answering(), pool.answering():
            pool.follow_up(started.set)
            assert not started.wait(0.3), "it started while requests were being answered"
        assert started.wait(10), "it never started once they were answered"
        assert pool.wait_idle(10)
    finally:
        pool.shutdown()


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
