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


def test_the_tick_waits_for_quiet_and_no_longer_than_its_bound() -> None:
    pool = WorkerPool(2)
    try:
        assert pool.until_quiet(at_most=0.0)  # nothing in flight: at once
        with pool.answering():
            assert not pool.until_quiet(at_most=0.05)  # a long request: the tick goes on
        released = threading.Event()

        def answer_for_a_while() -> None:
            with pool.answering():
                released.wait()

        request = threading.Thread(target=answer_for_a_while)
        request.start()
        while not pool.requests_in_flight:
            time.sleep(0.001)

        def release_soon() -> None:  # not threading.Timer: a timed wait, which libfaketime stalls
            time.sleep(0.1)
            released.set()

        threading.Thread(target=release_soon).start()
        assert pool.until_quiet(at_most=30.0)  # quiet once the request is answered
        assert not pool.requests_in_flight
        request.join()
    finally:
        pool.shutdown()
