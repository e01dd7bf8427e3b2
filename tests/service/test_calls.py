"""Calls for contributions in the services: what a call asks for, when an answer
counts (recorded with the pledge, question or nil return itself, and audited), what
a nil return may answer, what the exports list, and that a call's reads cost the same
however many calls and delegations there are."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text

from bot.domain.calls import CallState
from bot.domain.clock import FixedClock
from bot.domain.errors import BadInput, Conflict, NotFound, PermissionDenied
from bot.services.exporting import restore
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from storage.db import make_engine, upgrade
from tests.conftest import StatementCounter
from tests.service.test_lock_hold import after_the_lock
from tests.support.exports import csv_records, demo_coalition, dumped, records, report_file
from tests.support.factories import (
    COORDINATOR,
    OTHER,
    OWN,
    add_delegations,
    add_requirements,
    small_coalition,
)

ZONE = "Europe/Brussels"


def due(muster: Muster, days: int = 7) -> datetime:
    return muster.clock() + timedelta(days=days)


def open_call(muster: Muster, *codes: str, days: int = 7) -> str:
    return muster.calls.open_call(COORDINATOR, codes or ("SKY",), due(muster, days), ZONE).call.ref


def standing(muster: Muster, ref: str, code: str) -> tuple[str, str, str]:
    view = muster.calls.status(COORDINATOR, int(ref[2:]))
    [row] = [r for r in view.responses if r.delegation == code]
    return row.state.value, row.ref, row.reason


def call_events(engine: Engine) -> list[tuple[str, str, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT entity_ref, action, delegation_id FROM event WHERE entity = 'call' ORDER BY id"
            )
        ).all()
    return [(str(r), str(a), d) for r, a, d in rows]


def test_an_objective_stands_for_its_lines_in_the_order_of_the_statement(
    coalition: Muster,
) -> None:
    add_requirements(coalition, 4)  # SKY-2, SEA-1, LAND-2, UAF-1
    opened = coalition.calls.open_call(
        COORDINATOR, ["land-2", "SKY", "sky-1"], due(coalition), ZONE, "Offers, please"
    )
    assert opened.call.ref == "C-1" and opened.call.scope == "LAND-2 SKY SKY-1"
    assert [v.code for v in opened.call.lines] == ["SKY-1", "SKY-2", "LAND-2"]
    assert (
        opened.members == 2 and opened.call.tally.sentence() == "0 of 2 responded; silent: OST, VAL"
    )


@pytest.mark.parametrize(
    ("codes", "error", "said"),
    [
        (["SKY-9"], NotFound, "Unknown requirement SKY-9."),
        (["AIR"], NotFound, "Unknown objective AIR. Objectives are SKY, SEA, LAND, UAF."),
        (["SEA"], BadInput, "SEA has no requirements yet; nothing to call for."),
        ([], BadInput, "Name the lines to call for"),
        ([f"SKY-{n}" for n in range(1, 100)], BadInput, "names too many lines for one call"),
    ],
)
def test_what_a_call_cannot_ask_for(
    coalition: Muster, codes: list[str], error: type[Exception], said: str
) -> None:
    with pytest.raises(error) as refused:
        coalition.calls.open_call(COORDINATOR, codes, due(coalition), ZONE)
    assert said in str(refused.value)


def test_a_deadline_must_be_ahead(coalition: Muster) -> None:
    with pytest.raises(BadInput, match="is in the past"):
        coalition.calls.open_call(
            COORDINATOR, ["SKY"], coalition.clock() - timedelta(hours=1), ZONE
        )
    ref = open_call(coalition)
    with pytest.raises(BadInput, match="is in the past"):
        coalition.calls.extend(COORDINATOR, int(ref[2:]), coalition.clock(), ZONE)
    with pytest.raises(Conflict, match="already due then"):
        coalition.calls.extend(COORDINATOR, int(ref[2:]), due(coalition), ZONE)


def test_a_pledge_a_changed_pledge_and_a_question_each_answer_in_their_own_transaction(
    coalition: Muster, engine: Engine
) -> None:
    add_delegations(coalition, 2, prefix="X")  # XAA (UXAA000) and XAB (UXAB001)
    ref = open_call(coalition, "SKY")
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(caveats="from the north only"))
    coalition.questions.ask(OTHER, "Does half a battery help?", "SKY")  # about the objective
    coalition.questions.ask("UXAA000", "Who pays for fuel?")  # about nothing: no answer
    coalition.questions.ask("UXAB001", "Is LAND-1 still open?", "LAND-1")  # not called
    assert standing(coalition, ref, "VAL") == ("responded", "P-1", "")
    assert standing(coalition, ref, "OST") == ("responded", "Q-2", "")
    assert standing(coalition, ref, "XAA")[0] == standing(coalition, ref, "XAB")[0] == "silent"
    assert [(a, d) for _r, a, d in call_events(engine)] == [
        ("opened", None),
        ("responded", 1),
        ("responded", 2),
    ]


def test_a_refused_pledge_answers_nothing(coalition: Muster) -> None:
    ref = open_call(coalition, "SKY")
    with pytest.raises(BadInput):
        coalition.pledges.pledge(OTHER, requirement="SKY-1", quantity=0)
    with pytest.raises(PermissionDenied):
        coalition.pledges.update_pledge(OTHER, 1, PledgeChange(quantity=3))
    assert standing(coalition, ref, "OST")[0] == "silent"


def test_a_nil_return_answers_one_call_or_every_call_on_a_line(
    coalition: Muster, engine: Engine
) -> None:
    sky, land, both = (
        open_call(coalition, "SKY"),
        open_call(coalition, "LAND"),
        open_call(coalition, "SKY-1", "LAND-1"),
    )
    declined = coalition.calls.decline(OTHER, "LAND-1", "no battlegroup before 2028")
    assert declined.calls == (land, both)
    assert standing(coalition, land, "OST") == ("declined", "", "no battlegroup before 2028")
    with pytest.raises(Conflict, match="OST has already answered C-2, C-3"):
        coalition.calls.decline(OTHER, "LAND")
    again = coalition.calls.decline(OTHER, "SKY")  # C-3 asks for SKY-1 too: answered already
    assert (again.calls, again.already) == ((sky,), (both,))
    # A pledge after a nil return replaces it: the delegation has something after all.
    coalition.pledges.pledge(OTHER, requirement="LAND-1", quantity=1)
    assert standing(coalition, land, "OST") == ("responded", "P-3", "")
    view = coalition.calls.status(COORDINATOR, int(land[2:]))
    assert view.tally.sentence() == "1 of 2 responded; silent: VAL"
    assert ("declined", 2) in {(a, d) for _r, a, d in call_events(engine)}


def test_a_nil_return_needs_an_open_call_that_asks_the_delegation(coalition: Muster) -> None:
    with pytest.raises(NotFound, match="No open call asks OST for SKY-1"):
        coalition.calls.decline(OTHER, "SKY-1")
    with pytest.raises(NotFound, match="No call C-7"):
        coalition.calls.decline(OTHER, "C-7")
    ref = open_call(coalition, "SKY")
    coalition.calls.close(COORDINATOR, int(ref[2:]))
    with pytest.raises(Conflict, match="C-1 is closed"):
        coalition.calls.decline(OTHER, ref)
    with pytest.raises(BadInput, match="The reason is 501 characters long"):
        coalition.calls.decline(OTHER, open_call(coalition, "SKY"), "x" * 501)
    coalition.delegations.add_delegation(COORDINATOR, "CAL", "Caledor")  # after the call
    coalition.delegations.add_members(COORDINATOR, "CAL", ["UCAL1"])
    with pytest.raises(Conflict, match="CAL is not called by C-2"):
        coalition.calls.decline("UCAL1", "C-2")


def test_an_answer_after_the_deadline_does_not_count(coalition: Muster, clock: FixedClock) -> None:
    ref = open_call(coalition, "SKY", days=1)
    clock.advance(timedelta(days=1))  # the deadline, before any tick closed the call
    coalition.pledges.pledge(OTHER, requirement="SKY-1", quantity=1)
    with pytest.raises(Conflict, match="C-1 is closed"):
        coalition.calls.decline(OWN, ref)
    assert standing(coalition, ref, "OST")[0] == "silent"


def test_close_and_extend_are_audited(coalition: Muster, engine: Engine) -> None:
    ref = open_call(coalition)
    coalition.calls.extend(COORDINATOR, int(ref[2:]), due(coalition, 9), ZONE)
    closed = coalition.calls.close(COORDINATOR, int(ref[2:]))
    assert not closed.open and closed.closed_by == COORDINATOR
    assert [a for _r, a, _d in call_events(engine)] == ["opened", "extended", "closed"]
    with pytest.raises(Conflict, match="C-1 is closed"):
        coalition.calls.close(COORDINATOR, int(ref[2:]))


def test_after_locking_the_totals_a_pledge_that_answers_a_call_only_writes_down_the_answer(
    coalition: Muster, count_statements: StatementCounter
) -> None:
    """The call's rows were read and locked before the line's totals: after that lock,
    the pledge records its event and the answer, cancels what chased the delegation,
    and reads its totals back."""
    open_call(coalition, "LAND")
    count_statements.statements.clear()
    coalition.pledges.pledge(OWN, requirement="LAND-1", quantity=1)
    after = [" ".join(s.split(" ")[0:3]) for s in after_the_lock(count_statements)]
    # The order of the writes, and whether two inserts go as one, is the database's own.
    assert set(after[:-2]) == {
        "INSERT INTO event",  # the pledge's, then the call's (on PostgreSQL as one)
        "UPDATE call_response SET",
        "UPDATE outbox_message SET",  # the delegation's reminders and notices, cancelled
    }
    assert after[-2].startswith("SELECT pledge_total.")
    assert after[-1].startswith("INSERT INTO data_version")  # at commit


READS: list[tuple[str, Callable[[Muster], object]]] = [
    ("calls", lambda m: m.calls.calls(OTHER)),
    ("call status for a coordinator", lambda m: m.calls.status(COORDINATOR, 1)),
    ("call status for a delegate", lambda m: m.calls.status(OTHER, 1)),
    ("Home", lambda m: m.reports.home(OTHER)),
]


@pytest.mark.parametrize(("name", "read"), READS, ids=[n for n, _ in READS])
def test_a_calls_reads_do_not_grow_with_calls_or_delegations(
    name: str,
    read: Callable[[Muster], object],
    coalition: Muster,
    count_statements: StatementCounter,
) -> None:
    open_call(coalition, "SKY", "LAND")
    count_statements.statements.clear()
    read(coalition)
    small = count_statements.count
    add_delegations(coalition, 12, prefix="Y")
    add_requirements(coalition, 8)
    for _ in range(4):
        open_call(coalition, "SKY", "LAND")
    count_statements.statements.clear()
    read(coalition)
    assert count_statements.count == small, count_statements.statements


def test_the_exports_list_the_nil_returns_and_a_restore_keeps_the_calls(
    muster: Muster, tmp_path: Path
) -> None:
    """The demo coalition has C-1 open, two answers and Meridia's nil return."""
    demo = demo_coalition(muster)
    coordinators = csv_records(report_file(demo, "UCOORD1", "csv"))
    nil = [r for r in coordinators if r["Status"] == "Nil return"]
    assert {(r["Requirement"], r["Pledge"], r["Delegation"]) for r in nil} == {
        ("SKY-1", "C-1 nil return", "MER"),
        ("SKY-2", "C-1 nil return", "MER"),
        ("SKY-3", "C-1 nil return", "MER"),
        ("LAND-2", "C-1 nil return", "MER"),
    }
    assert {r["Withdrawal reason"] for r in nil} == {
        "no deployable air-defence or medical capacity this rotation"
    }
    others = csv_records(report_file(demo, "UOST1", "csv"))
    assert not [r for r in others if r["Status"] == "Nil return"]  # Meridia's, not Ostland's
    book = load_workbook(io.BytesIO(report_file(demo, "UCOORD1", "xlsx")))
    calls = records(book, "Calls")
    assert {r["Delegation"]: r["Standing"] for r in calls} == {
        "CAL": "Silent",
        "HN": "Silent",
        "LAK": "Responded",
        "MER": "Nil return",
        "NM": "Responded",
        "OST": "Silent",
        "VAL": "Responded",  # demo_coalition pledges to SKY-1 for Valdoria
    }
    assert {(r["Responded"], r["Of"], r["Nil returns"]) for r in calls} == {(4, 7, 1)}
    shown = records(load_workbook(io.BytesIO(report_file(demo, "UOST1", "xlsx"))), "Calls")
    assert sorted(r["Delegation"] for r in shown) == ["OST"]  # its own: the silent are counted
    first = dumped(demo)
    assert [r["state"] for r in first["tables"]["call_response"]].count(CallState.DECLINED) == 1
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    upgrade(url)
    copy = Muster(make_engine(url), clock=FixedClock(demo.clock()), coordinators=["UCOORD1"])
    restore(copy, first)
    again = dumped(copy)
    assert {k: v for k, v in again.items() if k != "exported_at"} == {
        k: v for k, v in first.items() if k != "exported_at"
    }
    assert copy.calls.status("UCOORD1", 1) == demo.calls.status("UCOORD1", 1)
    copy.engine.dispose()


@pytest.fixture
def coalition(muster: Muster) -> Muster:
    small_coalition(muster)
    return muster


def test_a_demo_call_is_open_whatever_the_day(muster: Muster, clock: FixedClock) -> None:
    clock.set(datetime(2031, 2, 28, 23, 30, tzinfo=UTC))
    demo = demo_coalition(muster)
    [view] = demo.calls.calls("UCOORD1").open
    assert view.deadline > demo.clock() and view.tally.sentence() == (
        "4 of 7 responded (1 nil return); silent: CAL, HN, OST"  # VAL: demo_coalition's pledge
    )
    assert demo.outbox.due(demo.clock() + timedelta(days=30)) == []  # no one real to tell
