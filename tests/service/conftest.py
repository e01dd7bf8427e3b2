"""Fixtures of the service tier: the services and storage on both databases."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Engine, event

from bot.services.muster import Muster
from tests.support.databases import StatementCounter
from tests.support.factories import small_coalition


@pytest.fixture
def count_statements(engine: Engine) -> Iterator[StatementCounter]:
    counter = StatementCounter()
    event.listen(engine, "before_cursor_execute", counter)
    yield counter
    event.remove(engine, "before_cursor_execute", counter)


@pytest.fixture
def coalition(muster: Muster) -> Muster:
    """The small coalition of tests/support/factories.py."""
    small_coalition(muster)
    return muster
