"""The benchmarks' coalition generator writes rows as the services would: it keeps up
with the schema (a new column fails here, not in `make bench`), and the running
totals it rebuilds agree with its pledges."""

from __future__ import annotations

from datetime import UTC, datetime

from benchmarks.coalition import QUESTIONS, build
from storage import totals
from storage.db import make_engine, read_session, upgrade
from tests.support.databases import count

NOW = datetime(2026, 11, 20, 9, tzinfo=UTC)


def test_a_small_coalition_is_built_whole(empty_database_url: str) -> None:
    upgrade(empty_database_url)
    built = build(empty_database_url, pledges=300, now=NOW)
    engine = make_engine(empty_database_url)
    try:
        assert (count(engine, "pledge"), count(engine, "question")) == (300, QUESTIONS)
        assert count(engine, "event") == built.events
        with read_session(engine) as s:
            assert totals.drift(s) == {}
    finally:
        engine.dispose()
