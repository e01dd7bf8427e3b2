"""Fixtures of the service tier: the services and storage on both databases."""

from __future__ import annotations

import pytest

from bot.services.muster import Muster
from tests.support.cli import CommandLine
from tests.support.factories import small_coalition


@pytest.fixture
def coalition(muster: Muster) -> Muster:
    """The small coalition of tests/support/factories.py."""
    small_coalition(muster)
    return muster


@pytest.fixture
def cli(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> CommandLine:
    """`muster …` on the test's database, in this process."""
    return CommandLine(database_url, monkeypatch, capsys)
