"""Which report is "the previous report": the last one issued in the same edition and
sent, recorded when it went. A coordinator's report through Slack is issued; a draft,
a delegate's copy or one that failed is not. `muster report` writes a file and
records nothing unless told to (--record). Runs on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from alembic import command
from sqlalchemy import inspect, text

from bot.domain.clock import FixedClock
from bot.services.muster import Muster
from bot.services.report_model import Edition
from storage.db import alembic_config, current_revision, head_revision, make_engine, upgrade
from tests.support.cli import CommandLine
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.reports import read_docx, report_docx


@pytest.fixture
def coalition(muster: Muster) -> Muster:
    small_coalition(muster)  # P-1 and P-2 (restricted) of Valdoria, made at the clock's time
    return muster


def changes(muster: Muster, edition: Edition = Edition.COORDINATORS) -> list[str]:
    summary = report_docx(muster, COORDINATOR, edition).section("Summary")
    return [summary.paragraph("Changes "), *summary.bullets("Changes ")]


def later(muster: Muster, clock: FixedClock, hours: float) -> None:
    clock.set(muster.clock() + timedelta(hours=hours))


def test_the_first_report_counts_the_changes_of_a_week(coalition: Muster) -> None:
    said = changes(coalition)
    assert said[0] == "Changes in the 7 days to 23 Nov 2026 (no earlier report of this edition):"
    assert said[1].startswith("New (2): P-1 VAL → SKY-1: 1 battery; P-2 VAL → LAND-1: 2")


def test_the_next_report_counts_from_the_last_one_issued_in_its_edition(
    coalition: Muster, clock: FixedClock
) -> None:
    issued = coalition.report_issues.request(COORDINATOR, Edition.COORDINATORS)
    coalition.report_issues.finish(issued.id, as_of=coalition.clock(), sent=True, file_id="F1")
    later(coalition, clock, 2)
    coalition.pledges.pledge(OTHER, requirement="LAND-1", quantity=1)
    later(coalition, clock, 2)
    said = changes(coalition)
    assert said[0] == "Changes since the previous report of 23 Nov 2026, 09:00:"
    assert said[1:] == ["New (1): P-3 OST → LAND-1: 1 battlegroup."]
    # The coalition's edition has its own previous report: none yet.
    assert changes(coalition, Edition.COALITION)[0].startswith("Changes in the 7 days to")


def test_drafts_copies_and_failures_are_not_issued(coalition: Muster, clock: FixedClock) -> None:
    issues = coalition.report_issues
    draft = issues.request(COORDINATOR, Edition.COALITION, draft=True)
    copy = issues.request(OWN, Edition.COALITION)  # a delegate's
    failed = issues.request(COORDINATOR, Edition.COALITION)
    assert (draft.issued, copy.issued, failed.issued) == (False, False, True)
    issues.finish(draft.id, as_of=coalition.clock(), sent=True)
    issues.finish(copy.id, as_of=coalition.clock(), sent=True)
    issues.finish(failed.id, as_of=coalition.clock(), sent=False)
    later(coalition, clock, 1)
    assert changes(coalition, Edition.COALITION)[0].startswith("Changes in the 7 days to")


def test_a_report_as_of_a_moment_counts_from_the_last_issued_before_it(
    coalition: Muster, clock: FixedClock
) -> None:
    start = coalition.clock()
    issues = coalition.report_issues
    for hours in (1, 5):
        issues.record(COORDINATOR, Edition.COALITION, start + timedelta(hours=hours))
    rb = report_docx(coalition, COORDINATOR, Edition.COALITION, as_of=start + timedelta(hours=3))
    assert rb.section("Summary").paragraph("Changes ") == (
        "Changes since the previous report of 23 Nov 2026, 10:00: none."
    )


def test_the_command_line_writes_either_edition_and_records_only_when_told(
    coalition: Muster, cli: CommandLine, tmp_path: Path
) -> None:
    as_of = (coalition.clock() + timedelta(hours=1)).isoformat()
    out = tmp_path / "report.docx"
    ran = cli("report", "--edition", "coordinators", "-o", str(out), "--as-of", as_of)
    assert ran.code == 0, ran.err
    assert ran.out.startswith(f"Wrote {out} (") and "recorded" not in ran.out
    rb = read_docx(out.read_bytes())
    assert "P-2" in rb.text  # the operator sees everything, as a coordinator does
    assert rows(coalition) == 0
    md = tmp_path / "report.md"
    ran = cli(
        "report",
        "--edition",
        "coalition",
        "--format",
        "md",
        "-o",
        str(md),
        "--as-of",
        as_of,
        "--record",
    )
    assert ran.code == 0 and ran.out.endswith("and recorded it as issued.\n"), ran.out
    content = md.read_text()
    assert content.startswith("# Force generation report") and "P-2" not in content
    assert "As of:** 23 Nov 2026, 10:00 (Europe/Brussels)" in content
    assert rows(coalition) == 1
    again = cli(
        "report", "--edition", "coalition", "--format", "md", "-o", str(md), "--as-of", as_of
    )
    assert again.code == 0 and md.read_text() == content  # the same moment, the same file


@pytest.mark.parametrize(
    ("as_of", "said"),
    [
        ("friday", "muster: --as-of 'friday' is not ISO-8601, e.g. 2026-11-27T16:00+01:00"),
        ("2026-11-27T16:00", "muster: --as-of needs a zone, e.g. 2026-11-27T16:00+01:00 or …Z"),
    ],
)
def test_the_command_line_refuses_a_moment_without_a_zone_or_date(
    coalition: Muster, cli: CommandLine, tmp_path: Path, as_of: str, said: str
) -> None:
    out = tmp_path / "report.docx"
    ran = cli("report", "--edition", "coalition", "-o", str(out), "--as-of", as_of)
    assert (ran.code, ran.err.strip()) == (2, said)
    assert not out.exists()


def test_the_command_line_refuses_a_folder_that_is_not_there_before_it_builds(
    coalition: Muster, cli: CommandLine, tmp_path: Path
) -> None:
    out = tmp_path / "no such folder" / "report.docx"
    ran = cli("report", "--edition", "coalition", "-o", str(out))
    assert ran.code == 2
    assert ran.err.strip() == f"muster: cannot write {out}: no folder {out.parent}"


def rows(muster: Muster) -> int:
    with muster.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM report_issue")).scalar_one())


def test_migration_0013_adds_the_table_and_takes_it_away(empty_database_url: str) -> None:
    url = empty_database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        assert "report_issue" in inspect(engine).get_table_names()
        command.downgrade(alembic_config(url), "0011")
        assert "report_issue" not in inspect(engine).get_table_names()
        assert current_revision(engine) == "0011"  # the one below it
        upgrade(url)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()
