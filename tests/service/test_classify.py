"""A coordinator's correction of a pledge's condition class: coordinators only,
audited, used by every report, kept when the delegation rewords the condition, and
ended by lifting the condition or handing the class back to the rules."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import Engine
from sqlmodel import col, select

from bot.domain.clock import FixedClock
from bot.domain.errors import Conflict, NotFound, PermissionDenied
from bot.domain.model import ConditionKind
from bot.services.exporting import dump
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from storage.db import read_session
from storage.models import Event
from tests.support.factories import COORDINATOR, OTHER, OWN

US, BACKSTOP, NATIONAL = ConditionKind.US, ConditionKind.OTHER_BACKSTOP, ConditionKind.NATIONAL


def events(engine: Engine) -> list[tuple[str, str, dict[str, object], dict[str, object], str]]:
    with read_session(engine) as s:
        rows = s.exec(select(Event).order_by(col(Event.id))).all()
    return [(e.entity_ref, e.action, e.before, e.after, e.actor) for e in rows]


def kind_of(m: Muster, ref: str) -> tuple[ConditionKind | None, bool]:
    [view] = [p for p in m.pledges.list_pledges(COORDINATOR).pledges if p.ref == ref]
    return view.condition_kind, view.condition_kind_manual


def hinges(m: Muster, clock: FixedClock) -> dict[ConditionKind, list[str]]:
    now = clock()
    digest = m.digests.digest(now, now - timedelta(days=7), full_view=True)
    return {h.kind: [code for code, _q, _u in h.amounts] for h in digest.hinges}


@pytest.mark.parametrize("user", [OWN, OTHER])
def test_only_coordinators_classify(coalition: Muster, engine: Engine, user: str) -> None:
    before = events(engine)
    with pytest.raises(PermissionDenied, match="Only coordinators can classify pledges"):
        coalition.pledges.classify(user, 1, BACKSTOP)
    assert events(engine) == before
    assert kind_of(coalition, "P-1") == (US, False)


def test_a_correction_is_audited_and_every_report_uses_it(
    coalition: Muster, engine: Engine, clock: FixedClock
) -> None:
    assert hinges(coalition, clock) == {US: ["SKY-1"]}
    result = coalition.pledges.classify(COORDINATOR, 1, BACKSTOP)
    assert (result.before, result.after, result.by_hand) == (US, BACKSTOP, True)
    assert result.pledge.ref == "P-1" and result.pledge.condition_kind_manual
    ref, action, before, after, actor = events(engine)[-1]
    assert (ref, action, actor) == ("P-1", "classified", COORDINATOR)
    assert (before, after) == ({"condition_kind": "us"}, {"condition_kind": "other_backstop"})
    # The digest, the lists and the exports read the stored class.
    assert hinges(coalition, clock) == {BACKSTOP: ["SKY-1"]}
    assert kind_of(coalition, "P-1") == (BACKSTOP, True)
    [row] = [p for p in dump(coalition)["tables"]["pledge"] if p["id"] == 1]
    assert (row["condition_kind"], row["condition_kind_manual"]) == ("other_backstop", True)
    # The nation's pledge did not change: its version stays.
    assert result.pledge.version == 1


def test_the_correction_survives_updates_and_a_new_wording(coalition: Muster) -> None:
    coalition.pledges.classify(COORDINATOR, 1, BACKSTOP)
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(quantity=2))
    assert kind_of(coalition, "P-1") == (BACKSTOP, True)
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(condition="subject to a vote in the Sejm"))
    assert kind_of(coalition, "P-1") == (BACKSTOP, True)


def test_without_a_correction_a_new_wording_is_read_again(coalition: Muster) -> None:
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(quantity=2))
    assert kind_of(coalition, "P-1") == (US, False)
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(condition="approval by the Eduskunta"))
    assert kind_of(coalition, "P-1") == (NATIONAL, False)


def test_lifting_the_condition_ends_the_correction(coalition: Muster) -> None:
    coalition.pledges.classify(COORDINATOR, 1, BACKSTOP)
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(condition=""))
    assert kind_of(coalition, "P-1") == (None, False)
    coalition.pledges.update_pledge(OWN, 1, PledgeChange(condition="Bundestag mandate"))
    assert kind_of(coalition, "P-1") == (NATIONAL, False)


def test_auto_hands_the_class_back_to_the_rules(coalition: Muster, engine: Engine) -> None:
    coalition.pledges.classify(COORDINATOR, 1, NATIONAL)
    result = coalition.pledges.classify(COORDINATOR, 1, None)
    assert (result.before, result.after, result.by_hand) == (NATIONAL, US, False)
    assert events(engine)[-1][1] == "classified automatically"
    with pytest.raises(Conflict, match="already filed under US enablers or backstop, by the rules"):
        coalition.pledges.classify(COORDINATOR, 1, None)


def test_confirming_the_rules_class_by_hand_keeps_it_through_a_new_wording(
    coalition: Muster,
) -> None:
    coalition.pledges.classify(COORDINATOR, 1, US)
    assert kind_of(coalition, "P-1") == (US, True)
    with pytest.raises(Conflict, match="already filed under US enablers or backstop, set by hand"):
        coalition.pledges.classify(COORDINATOR, 1, US)


def test_refusals(coalition: Muster, engine: Engine) -> None:
    before = events(engine)
    with pytest.raises(Conflict, match="P-2 has no condition to classify"):
        coalition.pledges.classify(COORDINATOR, 2, US)
    with pytest.raises(NotFound, match="No pledge P-99"):
        coalition.pledges.classify(COORDINATOR, 99, US)
    assert events(engine) == before
