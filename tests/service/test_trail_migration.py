"""Migration 0008 reads a requirement's trail by its code alone: a requirement event
stored without its own code (as nothing stops an old row from being) gets it, from the
database and from an export of schema 0007 alike, so the trail still shows it."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from alembic import command
from sqlalchemy import text

from bot.services.muster import Muster
from storage.db import alembic_config, make_engine, upgrade
from tests.conftest import COORDINATOR
from tests.support.cli import CommandLine
from tests.support.exports import full_export, write


def test_the_migration_gives_requirement_events_their_code(empty_database_url: str) -> None:
    _check(empty_database_url)


def _codes(url: str) -> list[tuple[str, str]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = conn.execute(text("SELECT entity_ref, requirement_code FROM event ORDER BY id"))
        rows = [(ref, code) for ref, code in found]
    engine.dispose()
    return rows


def _check(url: str) -> None:
    upgrade(url, "0007")
    engine = make_engine(url)
    t = datetime(2026, 11, 20, 9, tzinfo=UTC)
    insert = (
        "INSERT INTO event (at, actor, entity, entity_ref, action, requirement_code, restricted,"
        " before, after) VALUES (:t, 'U1', :entity, :ref, 'created', :code, false, '{}', '{}')"
    )
    with engine.begin() as conn:
        for entity, ref, code in [
            ("requirement", "LAND-1", ""),  # the old row
            ("requirement", "LAND-2", "LAND-2"),
            ("pledge", "P-1", "LAND-1"),
            ("question", "Q-1", ""),  # not about a requirement: left alone
        ]:
            conn.execute(text(insert), {"t": t, "entity": entity, "ref": ref, "code": code})
    engine.dispose()
    upgrade(url)
    assert _codes(url) == [
        ("LAND-1", "LAND-1"),
        ("LAND-2", "LAND-2"),
        ("P-1", "LAND-1"),
        ("Q-1", ""),
    ]
    command.downgrade(alembic_config(url), "0007")  # indexes only: the codes may stay
    assert _codes(url)[0] == ("LAND-1", "LAND-1")


def test_an_export_of_schema_0007_keeps_each_requirement_in_its_own_trail(
    tmp_path: Path,
    muster: Muster,
    cli: CommandLine,
) -> None:
    data = full_export(tmp_path)
    data["schema"] = "0007"
    created = [
        e
        for e in data["tables"]["event"]
        if e["entity"] == "requirement" and e["action"] == "created"
    ]
    assert created, "the demo coalition's requirements were created through the services"
    for event in created:
        event["requirement_code"] = ""
    ran = cli("import", write(tmp_path / "old.json", data))
    assert ran.code == 0, ran.err
    code = created[0]["entity_ref"]
    trail = muster.reports.history(COORDINATOR, code)
    assert [e.action for e in trail.entries if e.subject == code][:1] == ["created"]
