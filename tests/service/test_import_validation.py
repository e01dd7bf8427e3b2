"""`muster import` checks the whole file before writing any of it: every refusal is
one line naming table, row and field, the command exits non-zero without a
traceback, and the database is left exactly as it was."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from bot.runtime.demo import COORDINATORS
from bot.services.muster import Muster
from storage import backup
from storage.db import read_session
from tests.support.cli import CommandLine
from tests.support.exports import REFUSED, Export, counts, dumped, full_export, write


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    return full_export(tmp_path_factory.mktemp("source"))


def row(table: str, index: int, **values: object) -> Callable[[Export], Export]:
    """Change row ``index`` (from 1, as the messages count) of ``table``."""

    def edit(data: Export) -> Export:
        data["tables"][table][index - 1].update(values)
        return data

    return edit


def remove_column(table: str, index: int, column: str) -> Callable[[Export], Export]:
    def edit(data: Export) -> Export:
        del data["tables"][table][index - 1][column]
        return data

    return edit


def top(**values: object) -> Callable[[Export], Export]:
    return lambda data: data | values


def tables(edit: Callable[[dict[str, Any]], None]) -> Callable[[Export], Export]:
    def apply(data: Export) -> Export:
        edit(data["tables"])
        return data

    return apply


def copy_id(table: str, index: int, source: int) -> Callable[[Export], Export]:
    def edit(data: Export) -> Export:
        rows = data["tables"][table]
        rows[index - 1]["id"] = rows[source - 1]["id"]
        return data

    return edit


def copy_code(table: str, index: int, source: int) -> Callable[[Export], Export]:
    def edit(data: Export) -> Export:
        rows = data["tables"][table]
        rows[index - 1]["code"] = rows[source - 1]["code"]
        return data

    return edit


# Each case changes one thing in a good export; the line it must produce, from its start.
REFUSALS = {
    "status bogus": (
        row("pledge", 3, status="bogus"),
        "pledge row 3 (id 3), field status: 'bogus' is not one of indicated, offered, "
        "confirmed, withdrawn",
    ),
    "quantity 0": (
        row("requirement", 2, quantity=0),
        "requirement row 2 (id 2), field quantity: input should be greater than 0 (got 0)",
    ),
    "negative pledge": (
        row("pledge", 1, quantity=-8),
        "pledge row 1 (id 1), field quantity: input should be greater than 0 (got -8)",
    ),
    "duplicate id": (
        copy_id("pledge", 2, source=1),
        "pledge row 2 (id 1), field id: 1 is already used by row 1",
    ),
    "duplicate unique code": (
        copy_code("delegation", 2, source=1),
        "delegation row 2 (id 2), field code: 'NM' is already used by row 1",
    ),
    "missing reference": (
        row("pledge", 5, requirement_id=999),
        "pledge row 5 (id 5), field requirement_id: no requirement with id 999 in the file",
    ),
    "missing tables": (
        lambda data: {k: v for k, v in data.items() if k != "tables"},
        "the export has no tables",
    ),
    "missing table": (
        tables(lambda t: t.pop("question")),
        "table question: missing; an export lists every table, even an empty one",
    ),
    "unknown column": (
        row("pledge", 1, colour="red"),
        "pledge row 1 (id 1), field colour: unknown column",
    ),
    "missing column": (
        remove_column("question", 2, "status"),
        "question row 2 (id 2), field status: missing",
    ),
    "bad timestamp": (
        row("question", 1, created_at="yesterday"),
        "question row 1 (id 1), field created_at: input should be a valid datetime",
    ),
    "timestamp without zone": (
        row("event", 4, at="2026-11-23T10:00:00"),
        "event row 4 (id 4), field at: input should have timezone info",
    ),
    "number for a date": (
        row("requirement", 1, needed_by=20270301),
        "requirement row 1 (id 1), field needed_by: should be ISO-8601 text (got 20270301)",
    ),
    "text for a number": (
        row("requirement", 1, quantity="16"),
        "requirement row 1 (id 1), field quantity: should be a number (got '16')",
    ),
    "a third decimal place": (
        row("pledge", 1, quantity=0.125),
        "pledge row 1 (id 1), field quantity: should have at most two decimal places (got 0.125)",
    ),
    "a float's noise": (
        row("pledge", 2, quantity=0.1 + 0.2),
        "pledge row 2 (id 2), field quantity: should have at most two decimal places "
        "(got 0.30000000000000004)",
    ),
    "true for a number": (
        row("pledge", 2, quantity=True),
        "pledge row 2 (id 2), field quantity: should be a number (got true)",
    ),
    "beyond the column": (
        row("requirement", 1, quantity=10**16),
        "requirement row 1 (id 1), field quantity: should be below 10,000,000,000,000,000 "
        "(got 10000000000000000)",
    ),
    "top-level list": (
        lambda data: [data],
        "the file holds a JSON list, not an export",
    ),
    "wrong version": (
        top(version=2),
        "the export's format version is 2; this Muster reads version 1",
    ),
    "missing version": (
        lambda data: {k: v for k, v in data.items() if k != "version"},
        "the export's format version is missing; this Muster reads version 1",
    ),
    "other schema": (top(schema="0001"), "the export is from schema '0001'; this Muster is at"),
    "not an export": (top(format="spreadsheet"), "this is not a Muster JSON export"),
    "unknown table": (
        tables(lambda t: t.update(secrets=[])),
        "table 'secrets': unknown table",
    ),
    "row not an object": (
        tables(lambda t: t["coordinator"].append(["UEVIL"])),
        "coordinator row 3: should be an object, not list",
    ),
    "too long": (
        row("question", 3, text="?" * 2001),
        "question row 3 (id 3), field text: string should have at most 2000 characters",
    ),
    "control character": (
        row("question", 1, text="Is \x01\x02 this?"),
        "question row 1 (id 1), field text: contains the control character U+0001; only "
        "newline and tab may be stored (got 'Is \\x01\\x02 this?')",
    ),
    "control character in the audit log": (
        tables(lambda t: t["event"][0]["after"].update(name="North\x1bmark")),
        "event row 1 (id 1), field after: contains the control character U+001B",
    ),
    "unknown priority": (
        row("requirement", 4, priority="urgent"),
        "requirement row 4 (id 4), field priority: 'urgent' is not one of critical, "
        "essential, desirable",
    ),
    "unknown question status": (
        row("question", 1, status="pending"),
        "question row 1 (id 1), field status: 'pending' is not one of open, answered, closed",
    ),
    "unknown condition class": (
        row("pledge", 2, condition_kind="weather"),
        "pledge row 2 (id 2), field condition_kind: 'weather' is not one of us, "
        "other_backstop, national, mandate, other, or empty",
    ),
    "bad time zone": (
        row("subscription", 1, timezone="Mars/Olympus"),
        "subscription row 1 (id 1), field timezone: 'Mars/Olympus' is not an IANA time zone",
    ),
    "unknown call standing": (
        row("call_response", 1, state="maybe"),
        "call_response row 1, field state: 'maybe' is not one of silent, responded, declined",
    ),
    "a reminder at no moment": (
        row("call_response", 2, reminded=12),
        "call_response row 2, field reminded: 12 is not one of 0, 4, 48",
    ),
    "a call's deadline in no time zone": (
        row("contribution_call", 1, timezone="Europe"),
        "contribution_call row 1 (id 1), field timezone: 'Europe' is not an IANA time zone",
    ),
    "requirement code off its objective": (
        row("requirement", 2, code="SEA-9"),
        "requirement row 2 (id 2), field code: 'SEA-9' should be 'SKY-2'",
    ),
    "objective counter behind": (
        row("objective", 1, next_requirement_seq=2),
        "objective row 1 (id 1), field next_requirement_seq: 2 is not above 3",
    ),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_import_refuses_with_one_line_and_writes_nothing(
    case: str, export: Export, cli: CommandLine, muster: Muster, tmp_path: Path
) -> None:
    edit, expected = REFUSALS[case]
    before = counts(muster)
    ran = cli("import", write(tmp_path / "bad.json", edit(copy.deepcopy(export))))
    assert ran.code != 0
    assert "Traceback" not in ran.err + ran.out
    [line] = ran.err_lines  # one problem, one line
    assert line.startswith(REFUSED + expected), line
    assert counts(muster) == before  # the seeded objectives are still there, nothing else
    with read_session(muster.engine) as s:
        assert backup.is_empty(s)


def test_every_problem_is_found_and_twenty_are_shown(
    export: Export, cli: CommandLine, muster: Muster, tmp_path: Path
) -> None:
    bad = copy.deepcopy(export)
    for pledge in bad["tables"]["pledge"]:
        pledge["status"] = "bogus"
    for requirement in bad["tables"]["requirement"]:
        requirement["priority"] = "urgent"
    problems = len(bad["tables"]["pledge"]) + len(bad["tables"]["requirement"])
    ran = cli("import", write(tmp_path / "bad.json", bad))
    assert ran.code != 0 and "Traceback" not in ran.err
    assert len(ran.err_lines) == 21 and all(line.startswith(REFUSED) for line in ran.err_lines)
    assert ran.err_lines[0].startswith(REFUSED + "requirement row 1 (id 1), field priority")
    assert ran.err_lines[-1] == f"{REFUSED}and {problems - 20} more"
    # Nothing was half-written: the same database takes the good file afterwards.
    good = cli("import", write(tmp_path / "good.json", export))
    assert good.code == 0 and "13 pledge" in good.out, good.err


def test_unreadable_files_are_refused_in_one_line(
    cli: CommandLine, muster: Muster, tmp_path: Path
) -> None:
    before = counts(muster)
    for name, content in [("cut.json", '{"format": "muster-'), ("nan.json", '{"version": NaN}')]:
        path = tmp_path / name
        path.write_text(content)
        ran = cli("import", str(path))
        assert ran.code != 0 and len(ran.err_lines) == 1, ran.err
        assert ran.err.startswith(f"muster: cannot read {path}: ")
    assert counts(muster) == before


def test_a_good_export_round_trips_every_table(
    export: Export, cli: CommandLine, muster: Muster, tmp_path: Path
) -> None:
    ran = cli("import", write(tmp_path / "good.json", export))
    assert ran.code == 0 and not ran.err
    assert "13 pledge" in ran.out and "1 subscription" in ran.out and "1 delivery" in ran.out
    assert dumped(muster)["tables"] == export["tables"]
    # Numbering carries on after the restored rows, and the restored data serves.
    assert muster.pledges.pledge("UOST1", requirement="SEA-2", quantity=1).pledge.ref == "P-14"
    assert muster.reports.status(COORDINATORS[0]).overall.count == 12


@pytest.mark.parametrize(
    ("conditional", "change", "expected"),
    [
        (
            True,
            {"condition_kind": ""},
            "field condition_kind: empty, but the pledge has a condition",
        ),
        (
            False,
            {"condition_kind": "us"},
            "field condition_kind: 'us', but the pledge has no condition",
        ),
    ],
    ids=["a condition without its class", "a class without a condition"],
)
def test_a_pledge_whose_condition_and_class_disagree_is_refused(
    conditional: bool,
    change: dict[str, str],
    expected: str,
    export: Export,
    cli: CommandLine,
    muster: Muster,
    tmp_path: Path,
) -> None:
    """Coverage files a pledge as conditional by its class: a conditional pledge with
    no class would be counted firm in every report."""
    bad = copy.deepcopy(export)
    pledges = bad["tables"]["pledge"]
    index = next(i for i, p in enumerate(pledges) if bool(p["condition"]) == conditional)
    pledges[index].update(change)
    ran = cli("import", write(tmp_path / "bad.json", bad))
    assert ran.code != 0 and "Traceback" not in ran.err
    [line] = ran.err_lines
    assert line == f"{REFUSED}pledge row {index + 1} (id {pledges[index]['id']}), {expected}" + (
        "; give its class (us, other_backstop, national, mandate, other)"
        if conditional
        else "; leave it empty"
    )
    with read_session(muster.engine) as s:
        assert backup.is_empty(s)
