"""Rendered replies are reused (handlers/rendered.py): nothing added to one caller's
reply may reach the reply kept for the next."""

from __future__ import annotations

import copy
import sys
import threading
import time
from typing import Any

from handlers.blocks import MessageBuilder, Reply
from handlers.rendered import RenderedOnce
from handlers.router import with_first_contact_notice


def rendered() -> Reply:
    return MessageBuilder("Coverage").line("SKY-1 …").context("legend").build()


def test_the_first_contact_notice_leaves_the_reply_it_was_given_alone() -> None:
    for reply in (rendered(), MessageBuilder("Bare").line("x").build()):
        kept = copy.deepcopy(reply)
        noticed = with_first_contact_notice(reply)
        assert "not accredited" in str(noticed.blocks) and "not accredited" in noticed.text
        assert reply == kept


def test_a_reply_is_rendered_once_per_model_and_variant() -> None:
    once = RenderedOnce(size=2)
    calls: list[str] = []

    def render(name: str) -> Reply:
        calls.append(name)
        return rendered()

    model, other = object(), object()
    first = once.reply(model, None, lambda: render("a"))
    first.blocks.append({"type": "divider"})  # a caller adding to its copy
    again = once.reply(model, None, lambda: render("b"))
    assert calls == ["a"] and again.blocks == rendered().blocks
    once.reply(model, 2, lambda: render("c"))  # another page is another reply
    once.reply(other, None, lambda: render("d"))
    once.reply(model, None, lambda: render("e"))  # pushed out by the two since
    assert calls == ["a", "c", "d", "e"]


def test_what_was_built_is_reused_for_a_while_only() -> None:
    from bot.services.read_cache import ReadCache

    builds: list[int] = []
    cache = ReadCache(max_age=0.0)  # a write outside Muster renews no version
    cache.get("status", 7, lambda: builds.append(1))
    cache.get("status", 7, lambda: builds.append(2))
    assert builds == [1, 2]
    kept = ReadCache()
    kept.get("status", 7, lambda: builds.append(3))
    kept.get("status", 7, lambda: builds.append(4))
    kept.get("status", None, lambda: builds.append(5))  # no version: never reused
    assert builds == [1, 2, 3, 5]


def rebuilding(cache: Any, name: str, version: int) -> tuple[threading.Event, list[str]]:
    """Start a thread building ``name`` again, held inside its build until the returned
    event is set; what its ``get`` returned lands in the list."""
    entered, release, got = threading.Event(), threading.Event(), []

    def rebuild() -> str:
        entered.set()
        release.wait(30)
        return "new"

    threading.Thread(
        target=lambda: got.append(cache.get(name, version, rebuild)), daemon=True
    ).start()
    assert entered.wait(30), "the entry was not built again"
    return release, got


def test_an_entry_is_renewed_ahead_of_its_age_while_the_others_are_given_it() -> None:
    from bot.services.read_cache import ReadCache

    cache = ReadCache(max_age=3600.0, renew_ahead=3600.0)  # due for renewal at once
    cache.get("status", 7, lambda: "old")
    release, got = rebuilding(cache, "status", 7)
    try:
        # Checked without blocking first: a cache that made them wait would hang below.
        assert cache.kept("status", 7) == (True, "old")
        assert cache.get("status", 7, lambda: "a second build") == "old"
        assert cache.kept("status", 8) == (False, None)  # another version is never the old one
    finally:
        release.set()
    for _ in range(3000):
        if got:
            break
        time.sleep(0.01)
    assert got == ["new"]
    assert cache.kept("status", 7) == (False, None)  # built, and due for renewal again
    assert cache.get("status", 7, lambda: "newer") == "newer"


def test_an_entry_past_its_age_is_not_given_out_while_it_is_built_again() -> None:
    from bot.services.read_cache import ReadCache

    cache = ReadCache(max_age=0.0)  # a write outside Muster must show: nothing is kept
    cache.get("status", 7, lambda: "old")
    release, _got = rebuilding(cache, "status", 7)
    try:
        assert cache.kept("status", 7) == (False, None)
    finally:
        release.set()


def test_threads_that_miss_together_build_once() -> None:
    from bot.services.read_cache import ReadCache

    cache, builds, got = ReadCache(), [], []
    start = threading.Barrier(8)

    def build() -> str:
        builds.append(threading.get_ident())
        time.sleep(0.2)  # long enough for the other seven to ask meanwhile
        return "status"

    def ask() -> None:
        start.wait()
        got.append(cache.get("status", 7, build))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(builds) == 1 and got == ["status"] * 8
    cache.get("status", 8, build)  # another version is another build
    assert len(builds) == 2


def test_when_a_build_fails_the_waiting_threads_build_their_own() -> None:
    from bot.services.read_cache import ReadCache

    cache, outcomes = ReadCache(), []
    first_in = threading.Event()
    release = threading.Event()

    def failing() -> str:
        first_in.set()
        release.wait()
        raise RuntimeError("the database went away")

    def fails() -> None:
        try:
            cache.get("gaps", 1, failing)
        except RuntimeError as exc:
            outcomes.append(str(exc))

    failer = threading.Thread(target=fails)
    failer.start()
    first_in.wait()
    waiter = threading.Thread(target=lambda: outcomes.append(cache.get("gaps", 1, lambda: "ok")))
    waiter.start()
    waiting_for_the_build(waiter)
    release.set()
    for thread in (failer, waiter):
        thread.join()
    assert sorted(outcomes) == ["ok", "the database went away"]
    assert cache.get("gaps", 1, lambda: "again") == "ok"  # what the waiter built is kept


def waiting_for_the_build(thread: threading.Thread) -> None:
    """Return once ``thread`` is blocked in an Event's wait (the build it waits for)."""
    for _ in range(10_000):
        frame = sys._current_frames().get(thread.ident or 0)  # noqa: SLF001  # the only way to see where a thread waits
        while frame is not None and frame.f_code.co_name != "wait":
            frame = frame.f_back
        if frame is not None:
            return
        time.sleep(0.001)
    raise AssertionError("the second caller never waited for the first one's build")
