"""Migration 0006 files every stored condition again: the old classes (every backstop
"us_backstop", national approvals often "other") become the new ones, read from the
condition's text; downgrading files them by the old rules again. An export of the
old schema imports the same way."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import text
from sqlmodel import select

from bot.services import importing
from bot.services.importing import ImportRefused
from bot.services.muster import Muster
from storage.db import alembic_config, make_engine, read_session, upgrade
from storage.models import Pledge
from tests.support.cli import CommandLine
from tests.support.exports import Export, full_export, write
from tests.support.migrations import load_migration

# (condition, as 0005 stored it, as 0006 files it)
STORED = [
    ("European backstop for satellite imagery", "us_backstop", "other_backstop"),
    ("USAF tanker support", "other", "us"),
    ("approval by the Eduskunta", "other", "national"),
    ("subject to the 2027 budget bill", "other", "national"),
    ("pending Cortes approval", "other", "national"),
    ("clarity on the rules of engagement", "rules_of_engagement", "other"),
    ("a UN Security Council resolution", "legal_mandate", "mandate"),
    ("subject to a vote in parliament", "parliament", "national"),
    ("US backstop", "us_backstop", "us"),
    ("US backstop", "us_backstop", "us"),  # the same text twice
    ("", "", ""),
]


def test_the_migration_files_every_stored_condition_again(empty_database_url: str) -> None:
    _check(empty_database_url)


def _column(url: str, column: str) -> list[object]:
    engine = make_engine(url)
    with engine.connect() as conn:
        found = list(conn.execute(text(f"SELECT {column} FROM pledge ORDER BY id")).scalars())
    engine.dispose()
    return found


def _check(url: str) -> None:
    upgrade(url, "0005")
    engine = make_engine(url)
    t = datetime(2026, 11, 20, 9, tzinfo=UTC)
    with engine.begin() as conn:
        conn.execute(
            text("INSERT INTO delegation (id, code, name, created_at) VALUES (1, 'VAL', 'V', :t)"),
            {"t": t},
        )
        conn.execute(
            text(
                "INSERT INTO requirement (id, code, objective_id, seq, title, quantity, unit,"
                " priority, enabler, notes, version, created_at, updated_at)"
                " SELECT 1, 'LAND-1', id, 1, 'Battlegroups', 4, 'battlegroups', 'critical',"
                " false, '', 1, :t, :t FROM objective WHERE code = 'LAND'"
            ),
            {"t": t},
        )
        for n, (condition, old, _new) in enumerate(STORED, start=1):
            conn.execute(
                text(
                    "INSERT INTO pledge (id, delegation_id, requirement_id, quantity, status,"
                    " condition, condition_kind, caveats, restricted, withdrawn_reason, author,"
                    " version, created_at, updated_at) VALUES (:id, 1, 1, 1, 'offered', :c, :k,"
                    " '', false, '', 'U1', 1, :t, :t)"
                ),
                {"id": n, "c": condition, "k": old, "t": t},
            )
    engine.dispose()
    upgrade(url)
    assert _column(url, "condition_kind") == [new for _c, _old, new in STORED]
    assert not any(_column(url, "condition_kind_manual")), "the rules set every stored class"
    command.downgrade(alembic_config(url), "0005")
    assert _column(url, "condition_kind") == [old for _c, old, _new in STORED]


def old_export(folder: Path) -> Export:
    """A real export made to look as schema 0005 wrote it: the old classes' values."""
    data = full_export(folder)
    data["schema"] = "0005"
    classify_0005 = load_migration("0006_condition_classes.py").classify_0005
    for pledge in data["tables"]["pledge"]:
        pledge["condition_kind"] = classify_0005(pledge["condition"])
    return data


def test_an_export_of_the_old_schema_imports_with_its_conditions_filed_again(
    tmp_path: Path,
    muster: Muster,
    cli: CommandLine,
) -> None:
    data = old_export(tmp_path)
    old = {p["condition"]: p["condition_kind"] for p in data["tables"]["pledge"]}
    assert old["clarity on the rules of engagement"] == "rules_of_engagement"
    assert old["subject to a vote in parliament"] == "parliament"
    ran = cli("import", write(tmp_path / "old.json", data))
    assert ran.code == 0, ran.err
    with read_session(muster.engine) as s:
        kinds = {p.condition: p.condition_kind for p in s.exec(select(Pledge))}
    assert kinds["clarity on the rules of engagement"] == "other"
    assert kinds["subject to a vote in parliament"] == "national"
    assert kinds["US backstop"] == "us"
    assert kinds[""] == ""
    with read_session(muster.engine) as s:
        assert not any(p.condition_kind_manual for p in s.exec(select(Pledge)))


def test_an_export_of_a_schema_with_no_way_here_is_refused(tmp_path: Path) -> None:
    data = old_export(tmp_path)
    data["schema"] = "0004"
    with pytest.raises(ImportRefused, match="the export is from schema '0004'"):
        importing.check(data)
