"""Periodic reconfirmation in the services: a pledge nobody reconfirms within the grace
goes stale and leaves firm coverage through the running totals, in every view alike;
reconfirming, changing or withdrawing it, or turning reconfirmation off, brings it
back; each round asks once, even two at once; what it does is audited; and the state
survives an export and an import."""

from __future__ import annotations

import threading
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, text
from sqlmodel import select

from bot.domain.clock import FixedClock
from bot.domain.errors import Conflict, NotFound, PermissionDenied
from bot.domain.model import PledgeStatus, Posture
from bot.domain.reconfirmation import Policy
from bot.services.exporting import restore
from bot.services.importing import ImportRefused, check
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from bot.services.reconfirmation import Round
from handlers.reconfirm import request_message
from storage import totals
from storage.db import make_engine, read_session, upgrade
from storage.models import OutboxMessage
from tests.conftest import RowCounter, StatementCounter
from tests.support.cli import CommandLine
from tests.support.clock import START
from tests.support.databases import postgres_database
from tests.support.exports import csv_records, dumped, report_file, write
from tests.support.factories import COORDINATOR, OTHER, OWN, add_requirements, small_coalition


def day(n: int) -> datetime:
    """Day ``n`` of the test at 10:00 UTC: after that day's round (09:00 in Brussels)."""
    return START + timedelta(days=n, hours=2)


def run_on(m: Muster, clock: FixedClock, n: int) -> Round:
    clock.set(day(n))
    return m.reconfirmations.run(clock(), request_message)


def line(m: Muster, code: str) -> tuple[object, ...]:
    c = next(v for v in [*m.reports.gaps(COORDINATOR), *all_lines(m)] if v.code == code).coverage
    return (c.firm, c.pending, c.conditional, c.open)


def all_lines(m: Muster) -> list[Any]:
    return [v for part in m.reports.status(COORDINATOR).objectives for v in part.requirements]


def drift(engine: Engine) -> dict[Any, Any]:
    with read_session(engine) as s:
        return totals.drift(s)


def outbox(engine: Engine) -> Counter[str]:
    with engine.connect() as conn:
        keys = conn.execute(text("SELECT key FROM outbox_message")).scalars()
        # reconfirm:<delegation>:<round's day>:<run>:<member> -> the first three
        return Counter(":".join(str(k).split(":")[:3]) for k in keys)


def trail(m: Muster, ref: str) -> list[tuple[str, str | None]]:
    return [(e.action, e.actor) for e in m.reports.history(COORDINATOR, ref).entries]


@pytest.fixture
def firm(coalition: Muster) -> Muster:
    """The small coalition (P-1 VAL conditional, P-2 VAL confirmed and restricted on
    LAND-1) and P-3: Ostland's 2 batteries for SKY-1, confirmed; all made at START,
    with reconfirmation every 90 days and 14 days' grace."""
    coalition.pledges.pledge(OTHER, requirement="SKY-1", quantity=2, status=PledgeStatus.CONFIRMED)
    coalition.reconfirmations.set_policy(COORDINATOR, Policy(90, 14))
    return coalition


def test_a_pledge_not_reconfirmed_in_time_leaves_firm_coverage_in_every_view(
    firm: Muster, clock: FixedClock, engine: Engine
) -> None:
    m = firm
    assert (line(m, "SKY-1"), line(m, "LAND-1")) == ((2, 0, 1, 3), (2, 0, 0, 2))
    assert run_on(m, clock, 89) == Round()  # 89 days on: nothing is due
    asked = run_on(m, clock, 90)
    assert asked.asked == {"OST": ("P-3",), "VAL": ("P-1", "P-2")}
    assert outbox(m.engine) == Counter(
        {"reconfirm:OST:2027-02-21": 1, "reconfirm:VAL:2027-02-21": 1}
    )
    assert run_on(m, clock, 91) == Round()  # asked once, not every day
    assert run_on(m, clock, 103).gone_stale == ()  # within the grace
    assert line(m, "SKY-1") == (2, 0, 1, 3)

    assert run_on(m, clock, 104).gone_stale == ("P-1", "P-2", "P-3")
    # Firm no more: the confirmed ones count as pending; the conditional one as it was.
    assert (line(m, "SKY-1"), line(m, "LAND-1")) == ((0, 2, 1, 3), (0, 2, 0, 2))
    assert drift(engine) == {}
    assert "SKY-1" in [v.code for v in m.reports.gaps(OTHER) if v.coverage.is_critical_shortfall]
    postures = {d.code: d.posture for d in m.delegations.list_delegations(COORDINATOR)}
    assert postures == {"OST": Posture.CONSIDERING, "VAL": Posture.CONSIDERING}
    stale = m.digests.digest(clock(), day(97), full_view=True).gone_stale
    assert [(s.requirement, s.quantity, s.pledges) for s in stale.firm] == [
        ("SKY-1", 2, ("P-3 OST",)),  # in the order of the statement: SKY before LAND
        ("LAND-1", 2, ("P-2 VAL",)),
    ]
    assert stale.other == 1  # P-1: conditional, no firm capacity
    listed = {p.ref: p for p in m.pledges.list_pledges(COORDINATOR).pledges}
    assert all(listed[ref].stale_since == day(104) for ref in ("P-1", "P-2", "P-3"))
    rows = {r["Pledge"]: r for r in csv_records(report_file(m, COORDINATOR, "csv"))}
    assert (rows["P-3"]["Counts as"], rows["P-3"]["Stale since"]) == ("Pending", "2027-03-07")

    done = m.reconfirmations.reconfirm(OTHER, [3])
    assert done.were_stale == ("P-3",)
    assert done.results[0].requirement.coverage.firm == 2
    assert line(m, "SKY-1") == (2, 0, 1, 3)
    assert drift(engine) == {}
    assert trail(m, "P-3") == [
        ("created", OTHER),
        ("asked to reconfirm", "muster"),
        ("went stale", "muster"),
        ("reconfirmed", OTHER),
    ]
    # Reconfirmed on day 104 at 10:00 UTC: asked at the first round 90 days on, at
    # 09:00 in Brussels, which is 07:00 UTC once the clocks have gone forward.
    assert run_on(m, clock, 194).asked == {}
    assert run_on(m, clock, 195).asked == {"OST": ("P-3",)}


def test_changing_a_pledge_confirms_it_and_withdrawing_takes_it_out_of_the_cycle(
    firm: Muster, clock: FixedClock, engine: Engine
) -> None:
    m = firm
    run_on(m, clock, 90)
    run_on(m, clock, 104)  # P-1, P-2 and P-3 stale
    changed = m.pledges.update_pledge(OWN, 2, PledgeChange(quantity=3))
    assert changed.pledge.stale_since is None and changed.pledge.confirmed_at == day(104)
    assert line(m, "LAND-1") == (3, 0, 0, 1)
    [*_, update] = m.reports.history(COORDINATOR, "P-2").entries
    assert (update.action, update.changes) == (
        "updated",
        (("quantity", 2, 3), ("stale", True, False)),
    )
    withdrawn = m.pledges.withdraw(OWN, 1, "needed at home")
    assert (withdrawn.pledge.stale_since, withdrawn.pledge.reconfirm_asked_at) == (None, None)
    assert drift(engine) == {}
    assert run_on(m, clock, 194).asked == {}
    assert run_on(m, clock, 195).asked == {"VAL": ("P-2",)}  # the first round 90 days on
    with pytest.raises(Conflict, match="P-1 was withdrawn; there is nothing to reconfirm"):
        m.reconfirmations.reconfirm(OWN, [1])


def test_only_its_own_delegation_reconfirms_a_pledge(firm: Muster) -> None:
    m = firm
    with pytest.raises(NotFound, match="No pledge P-2 that you can see"):
        m.reconfirmations.reconfirm(OTHER, [2])  # restricted: Ostland may not know it
    with pytest.raises(PermissionDenied, match="Only its own delegation can reconfirm P-1"):
        m.reconfirmations.reconfirm(OTHER, [1])
    with pytest.raises(PermissionDenied, match="Only members of a delegation can reconfirm"):
        m.reconfirmations.reconfirm(COORDINATOR, [1])
    with pytest.raises(PermissionDenied, match="Only coordinators can set periodic"):
        m.reconfirmations.set_policy(OWN, Policy(30, 7))
    with pytest.raises(PermissionDenied, match="Only coordinators can turn periodic"):
        m.reconfirmations.turn_off(OWN)


def test_turning_reconfirmation_off_lifts_every_stale_mark_and_cancels_requests_not_sent(
    firm: Muster, clock: FixedClock, engine: Engine
) -> None:
    m = firm
    run_on(m, clock, 90)
    with engine.begin() as conn:  # as a tick sends them
        conn.execute(text("UPDATE outbox_message SET status = 'sent'"))
    run_on(m, clock, 104)
    m.pledges.pledge(OWN, requirement="SKY-1", quantity=1, status=PledgeStatus.CONFIRMED)  # P-4
    assert run_on(m, clock, 195).asked == {"VAL": ("P-4",)}  # its request not sent yet
    off = m.reconfirmations.turn_off(COORDINATOR)
    assert (off.before, off.after, off.lifted) == (Policy(90, 14), None, ("P-1", "P-2", "P-3"))
    assert (line(m, "SKY-1"), line(m, "LAND-1")) == ((3, 0, 1, 2), (2, 0, 0, 2))
    with engine.connect() as conn:
        states = conn.execute(text("SELECT status, count(*) FROM outbox_message GROUP BY status"))
        assert dict(states.all()) == {"sent": 2, "cancelled": 1}
    assert drift(engine) == {}
    assert run_on(m, clock, 400) == Round()
    assert [action for action, _actor in trail(m, "P-2")][-1] == "stale mark lifted"
    with pytest.raises(Conflict, match="already off"):
        m.reconfirmations.turn_off(COORDINATOR)
    # On again: what is old enough is asked about at once.
    on = m.reconfirmations.set_policy(COORDINATOR, Policy(30))
    assert (on.before, on.due) == (None, 4)
    assert run_on(m, clock, 401).asked == {"OST": ("P-3",), "VAL": ("P-1", "P-2", "P-4")}


def test_a_longer_cycle_takes_what_is_not_due_under_it_out_of_the_old_one(
    firm: Muster, clock: FixedClock, engine: Engine
) -> None:
    m = firm
    run_on(m, clock, 90)  # P-1, P-2 and P-3 asked about
    run_on(m, clock, 104)  # and stale
    m.pledges.pledge(OWN, requirement="SKY-1", quantity=1, status=PledgeStatus.CONFIRMED)  # P-4
    assert run_on(m, clock, 195).asked == {"VAL": ("P-4",)}  # asked, not stale yet
    clock.set(day(196))
    longer = m.reconfirmations.set_policy(COORDINATOR, Policy(180, 14))
    # P-1 to P-3 were last confirmed 196 days ago: due under 180 days too, still stale.
    assert (longer.released, longer.lifted, longer.due) == (("P-4",), (), 0)
    assert [a for a, _ in trail(m, "P-4")][-1] == "no longer asked"
    with engine.connect() as conn:  # none was sent: VAL's would ask for nothing now
        rows = conn.execute(text("SELECT key, status FROM outbox_message ORDER BY key")).all()
    assert {(str(k).split(":")[1], str(st)) for k, st in rows} == {
        ("OST", "pending"),  # P-3 is stale, and due under 180 days too: left as it is
        ("VAL", "cancelled"),
    }
    assert run_on(m, clock, 210).gone_stale == ()  # P-4 is asked no more
    assert line(m, "SKY-1") == (1, 2, 1, 2)  # P-4 firm; P-3 stale (pending)

    loosest = m.reconfirmations.set_policy(COORDINATOR, Policy(365, 14))
    assert (loosest.released, loosest.lifted) == (("P-1", "P-2", "P-3"),) * 2
    assert (line(m, "SKY-1"), line(m, "LAND-1")) == ((3, 0, 1, 2), (2, 0, 0, 2))
    assert drift(engine) == {}
    assert [a for a, _ in trail(m, "P-2")][-1] == "stale mark lifted"
    assert run_on(m, clock, 300) == Round()  # none is due before 365 days
    assert run_on(m, clock, 365).asked == {"OST": ("P-3",), "VAL": ("P-1", "P-2")}

    shorter = m.reconfirmations.set_policy(COORDINATOR, Policy(30, 14))
    assert (shorter.released, shorter.lifted) == ((), ())  # a shorter cycle keeps what it asked


def test_two_rounds_at_once_ask_each_delegation_once(firm: Muster, clock: FixedClock) -> None:
    m = firm
    clock.set(day(90))
    barrier = threading.Barrier(2)
    rounds: list[Round] = []

    def one_round() -> None:
        barrier.wait()
        rounds.append(m.reconfirmations.run(clock(), request_message))

    threads = [threading.Thread(target=one_round) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(len(r.asked) for r in rounds) == [0, 2]
    assert sum(r.owed for r in rounds) == 2  # one member each in the small coalition
    assert outbox(m.engine) == Counter(
        {"reconfirm:OST:2027-02-21": 1, "reconfirm:VAL:2027-02-21": 1}
    )
    assert [a for a, _ in trail(m, "P-3")].count("asked to reconfirm") == 1


def test_a_request_waits_for_the_morning_where_a_members_night_has_begun(
    firm: Muster, clock: FixedClock
) -> None:
    m = firm
    m.delegations.add_members(COORDINATOR, "VAL", ["UVALLA", "UVALXX"])
    m.call_planning.remember_zones({"UVALLA": "America/Los_Angeles", "UVALXX": "Mars/Olympus"})
    run_on(m, clock, 90)  # 10:00 UTC: 11:00 in Brussels, 02:00 in Los Angeles
    with read_session(m.engine) as s:
        when = {row.recipient: row.not_before for row in s.exec(select(OutboxMessage))}
    assert when == {
        OTHER: day(90),  # never looked up: the coalition's zone, where it is day
        OWN: day(90),
        "UVALXX": day(90),  # not a zone: the coalition's
        "UVALLA": datetime(2027, 2, 21, 15, 0, tzinfo=UTC),  # 07:00 in Los Angeles
    }


def test_policy_changes_are_audited(firm: Muster, engine: Engine) -> None:
    firm.reconfirmations.set_policy(COORDINATOR, Policy(180, 30))
    with pytest.raises(Conflict, match="already every 180 days, with 30 days' grace"):
        firm.reconfirmations.set_policy(COORDINATOR, Policy(180, 30))
    firm.reconfirmations.turn_off(COORDINATOR)
    with engine.connect() as conn:
        events = conn.execute(
            text(
                "SELECT actor, action, before, after FROM event WHERE entity = 'setting' ORDER BY id"
            )
        ).all()
    said = [(actor, action, str(before), str(after)) for actor, action, before, after in events]
    assert [(a, act) for a, act, _b, _f in said] == [(COORDINATOR, "policy changed")] * 3
    assert "every 180d grace 30d" in said[1][3] and "off" in said[2][3]


def test_status_reads_stale_pledges_in_the_same_four_statements(
    firm: Muster, clock: FixedClock, count_statements: StatementCounter
) -> None:
    run_on(firm, clock, 90)
    run_on(firm, clock, 104)
    count_statements.statements.clear()
    firm.reports.status(OTHER)
    # who asks, the data version (the round's commit changed it), the catalogue, totals
    assert count_statements.count == 4, count_statements.statements


def test_a_round_reads_the_pledges_it_acts_on_not_the_register(
    muster: Muster, clock: FixedClock, count_rows: RowCounter
) -> None:
    small_coalition(muster)
    muster.reconfirmations.set_policy(COORDINATOR, Policy(90, 14))

    def rows_of_a_quiet_round() -> int:
        count_rows.clear()
        assert run_on(muster, clock, 30) == Round()
        return count_rows.total

    quiet = rows_of_a_quiet_round()
    add_requirements(muster, 20, pledgers=[OWN, OTHER], status=PledgeStatus.CONFIRMED)
    assert rows_of_a_quiet_round() == quiet


@pytest.fixture
def stale_coalition(firm: Muster, clock: FixedClock) -> Muster:
    run_on(firm, clock, 90)
    run_on(firm, clock, 104)
    firm.reconfirmations.reconfirm(OTHER, [3])
    firm.pledges.pledge(OWN, requirement="LAND-1", quantity=1)  # P-4, never asked
    run_on(firm, clock, 195)  # P-3 asked again
    return firm


def test_an_export_and_an_import_keep_what_reconfirmation_did(
    stale_coalition: Muster, tmp_path: Path
) -> None:
    first = dumped(stale_coalition)
    pledges = {f"P-{p['id']}": p for p in first["tables"]["pledge"]}
    assert pledges["P-2"]["stale_since"] and pledges["P-3"]["reconfirm_asked_at"]
    settings = {s["key"]: s["value"] for s in first["tables"]["setting"]}
    assert settings["reconfirmation"] == "every 90d grace 14d"
    if stale_coalition.engine.dialect.name == "postgresql":
        with postgres_database("muster_restore") as url:
            upgrade(url)
            copy = Muster(make_engine(url), clock=FixedClock(START), coordinators=[COORDINATOR])
            restore(copy, first)
            second = dumped(copy)
            copy_lines = all_lines(copy)
            copy.engine.dispose()
    else:
        url = f"sqlite:///{tmp_path / 'copy.db'}"
        upgrade(url)
        copy = Muster(make_engine(url), clock=FixedClock(START), coordinators=[COORDINATOR])
        restore(copy, first)
        second, copy_lines = dumped(copy), all_lines(copy)
    assert {k: v for k, v in second.items() if k != "exported_at"} == {
        k: v for k, v in first.items() if k != "exported_at"
    }
    assert [v.coverage for v in copy_lines] == [v.coverage for v in all_lines(stale_coalition)]


def test_an_export_from_before_reconfirmation_imports_as_confirmed_when_last_changed(
    tmp_path: Path, muster: Muster, cli: CommandLine
) -> None:
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url)
    old = Muster(make_engine(url), clock=FixedClock(START), coordinators=[COORDINATOR])
    small_coalition(old)
    old.clock.advance(timedelta(days=3))  # type: ignore[attr-defined]
    old.pledges.update_pledge(OWN, 1, PledgeChange(quantity=2))
    data = dumped(old)
    old.engine.dispose()
    data["schema"] = "0010"  # before the outbox (0011) and reconfirmation (0012)
    del data["tables"]["outbox_message"]
    for row in data["tables"]["pledge"]:
        for column in ("confirmed_at", "reconfirm_asked_at", "stale_since"):
            del row[column]
    ran = cli("import", write(tmp_path / "old.json", data))
    assert ran.code == 0, ran.err
    imported = dumped(muster)["tables"]["pledge"]
    assert [(p["confirmed_at"], p["stale_since"]) for p in imported] == [
        (p["updated_at"], None) for p in imported
    ]
    assert imported[0]["confirmed_at"] != imported[1]["confirmed_at"]  # P-1 changed later


def test_an_import_refuses_a_policy_no_command_could_set(stale_coalition: Muster) -> None:
    data = dumped(stale_coalition)
    [policy] = [s for s in data["tables"]["setting"] if s["key"] == "reconfirmation"]
    policy["value"] = "every 0d grace 14d"
    with pytest.raises(ImportRefused) as refused:
        check(data)
    assert refused.value.problems == (
        "setting row 1 (key reconfirmation), field value: 'every 0d grace 14d' is not a "
        "reconfirmation policy; write off, or every <N>d grace <M>d",
    )


def test_a_policy_set_again_the_same_day_asks_again_and_is_told(
    firm: Muster, clock: FixedClock
) -> None:
    """Turned off after its requests were owed (they are cancelled) and on again the
    same day: the pledges are asked about again, and the requests go out, or they would
    go stale unasked."""
    first = run_on(firm, clock, 90)
    assert first.owed == 2
    firm.reconfirmations.turn_off(COORDINATOR)
    firm.reconfirmations.set_policy(COORDINATOR, Policy(90, 14))
    again = firm.reconfirmations.run(clock(), request_message)
    assert again.asked == first.asked and again.owed == 2
    with firm.engine.connect() as conn:
        pending = conn.execute(
            text("SELECT count(*) FROM outbox_message WHERE status = 'pending'")
        ).scalar_one()
    assert pending == 2
