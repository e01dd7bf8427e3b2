"""The fictional demo coalition: invented nations, the statement of requirements from
the planners' one-pager, and a week of pledges and questions in every state."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from bot.domain.calls import deadline_at
from bot.domain.errors import Conflict
from bot.domain.model import PledgeStatus, Priority
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange

COORDINATORS = ("UCOORD1", "UCOORD2")
DELEGATIONS = [
    ("NM", "Northmark", "UNORTH1"),
    ("VAL", "Valdoria", "UVALD1"),
    ("OST", "Ostland", "UOST1"),
    ("CAL", "Caledor", "UCAL1"),
    ("MER", "Meridia", "UMER1"),
    ("LAK", "Lakeland", "ULAKE1"),
    ("HN", "Host nation", "UHOST1"),
]
C, E, D = Priority.CRITICAL, Priority.ESSENTIAL, Priority.DESIRABLE
REQUIREMENTS = [
    # objective, quantity, unit, title, priority, enabler, needed by
    ("SKY", 16, "aircraft", "Air policing fighters (6-month rotations)", E, False, None),
    ("SKY", 6, "batteries", "Medium-range ground-based air defence", C, True, date(2027, 3, 1)),
    ("SKY", 480, "flight hours/month", "Airborne surveillance and early warning", C, True, None),
    ("SEA", 6, "ships", "Mine countermeasures vessels (Black Sea routes)", E, False, None),
    ("SEA", 240, "flight hours/month", "Maritime patrol aircraft", E, False, None),
    ("LAND", 4, "battlegroups", "Reassurance battlegroups", E, False, None),
    ("LAND", 2, "units", "Role 2 field hospitals", C, True, date(2027, 2, 1)),
    ("LAND", 3, "companies", "Engineer and bomb-disposal companies", E, False, None),
    ("LAND", 60, "sorties", "Strategic airlift, first 30 days", E, True, None),
    ("LAND", 180, "personnel", "Headquarters and coordination-cell staff", E, False, None),
    (
        "UAF",
        12_000,
        "training places/year",
        "Training places (out of country allowed)",
        E,
        False,
        None,
    ),
    ("UAF", 1_500_000_000, "EUR/year", "Equipment funding", D, False, None),
]


class StepClock:
    """A clock that moves forward a few minutes on every reading, so the demo week reads naturally."""

    def __init__(self, start: datetime, step: timedelta = timedelta(minutes=37)) -> None:
        self._times: Iterator[datetime] = (start + step * i for i in range(10**9))

    def __call__(self) -> datetime:
        return next(self._times)


def seed_demo(muster: Muster, now: datetime | None = None) -> None:
    """Fill an empty, migrated database with the demo coalition through the services,
    so the audit trail is as real as the data."""
    week = StepClock((now or muster.clock()) - timedelta(days=6))
    _seed(
        Muster(
            muster.engine,
            clock=week,
            coordinators=muster.uow.bootstrap_coordinators,
            timezone=muster.timezone,
        )
    )


def _seed(m: Muster) -> None:
    lead = COORDINATORS[0]
    m.delegations.bootstrap_coordinator(lead)
    if m.delegations.list_delegations(lead):
        raise Conflict("The database already holds delegations; seed the demo into an empty one.")
    for coordinator in COORDINATORS:
        m.delegations.bootstrap_coordinator(coordinator)
    for code, name, user in DELEGATIONS:
        m.delegations.add_delegation(lead, code, name)
        m.delegations.add_members(lead, code, [user])
    m.requirements.edit_objective(lead, "SKY", leads=["NM"])
    m.requirements.edit_objective(lead, "LAND", leads=["VAL"])
    for objective, qty, unit, title, priority, enabler, by in REQUIREMENTS:
        m.requirements.add_requirement(
            lead,
            objective=objective,
            quantity=qty,
            unit=unit,
            title=title,
            priority=priority,
            enabler=enabler,
            needed_by=by,
        )

    nm, val, ost, cal, mer, lak, hn = (user for _c, _n, user in DELEGATIONS)
    m.pledges.pledge(nm, requirement="SKY-1", quantity=8, status=PledgeStatus.CONFIRMED)
    m.pledges.pledge(nm, requirement="SKY-3", quantity=120, status=PledgeStatus.CONFIRMED)
    m.pledges.pledge(
        lak, requirement="SKY-3", quantity=160, condition="the US provides the AWACS backstop"
    )
    m.pledges.pledge(val, requirement="LAND-1", quantity=1, status=PledgeStatus.CONFIRMED)
    m.pledges.pledge(val, requirement="LAND-1", quantity=1, condition="US backstop")
    m.pledges.pledge(
        ost,
        requirement="SEA-1",
        quantity=2,
        caveats="operates only from neighbouring NATO territory and waters",
    )
    m.pledges.pledge(
        cal,
        requirement="SKY-2",
        quantity=1,
        status=PledgeStatus.INDICATED,
        condition="subject to a vote in parliament",
    )
    m.pledges.pledge(
        mer, requirement="UAF-1", quantity=4_000, status=PledgeStatus.CONFIRMED, restricted=True
    )
    m.pledges.pledge(lak, requirement="UAF-2", quantity=300_000_000, status=PledgeStatus.CONFIRMED)
    m.pledges.pledge(cal, requirement="LAND-4", quantity=20, status=PledgeStatus.CONFIRMED)
    m.pledges.pledge(hn, requirement="LAND-5", quantity=40, status=PledgeStatus.CONFIRMED)
    engineers = m.pledges.pledge(
        mer,
        requirement="LAND-3",
        quantity=1,
        status=PledgeStatus.INDICATED,
        condition="clarity on the rules of engagement",
    )
    m.pledges.update_pledge(
        mer, _id(engineers.pledge.ref), PledgeChange(status=PledgeStatus.OFFERED)
    )
    hospital = m.pledges.pledge(ost, requirement="LAND-2", quantity=1)
    m.pledges.withdraw(ost, _id(hospital.pledge.ref), "the unit is committed to another operation")

    m.questions.ask(ost, "What are the rules of engagement for the force?")
    cover = m.questions.ask(cal, "Who provides the air-cover backstop?", "SKY")
    m.questions.ask(mer, "What is the legal status of our forces in the host country?")
    m.questions.ask(ost, "Will our warships be granted passage into the Black Sea?", "SEA-1")
    m.questions.answer(
        lead,
        _id(cover.ref),
        "The lead nations are seeking a US backstop; an answer is expected by 10 December.",
        notify=False,  # the demo's members are fictional: no one to send it to
    )
    _call(m, lead, nm, lak, mer)


def _call(m: Muster, lead: str, nm: str, lak: str, mer: str) -> None:
    """An open call for the safe-skies lines and the field hospitals, due at noon some
    days after the demo's today: open whenever a freshly seeded demo runs. Two
    delegations have answered by changing a pledge on a called line, one with a nil
    return; the rest are silent."""
    zone = ZoneInfo(m.timezone)
    due = deadline_at((m.clock() + timedelta(days=11)).astimezone(zone).date(), time(12), zone)
    m.calls.open_call(
        lead,
        ["SKY", "LAND-2"],
        due,
        m.timezone,
        "Offers against the critical lines before the force generation conference, please.",
        notify=False,  # fictional members: no one to send it to
    )
    m.pledges.update_pledge(nm, 1, PledgeChange(caveats="rotations from the third quarter"))
    m.pledges.update_pledge(lak, 3, PledgeChange(caveats="flights from Lakeland's own bases"))
    m.calls.decline(mer, "C-1", "no deployable air-defence or medical capacity this rotation")


def _id(ref: str) -> int:
    return int(ref.split("-")[1])
