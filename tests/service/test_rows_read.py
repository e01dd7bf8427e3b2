"""Replies read the same rows however much history the coalition has: coverage is
summed in the database and lists read a page and a count. Rows are counted with a
cursor event (``count_rows``), so the test is exact where a timing would be noisy."""

from __future__ import annotations

from collections.abc import Callable

from bot.domain.model import PledgeStatus
from bot.domain.read_models import Page, PledgeResult
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from tests.conftest import RowCounter
from tests.support.factories import COORDINATOR, OTHER, OWN, add_delegations, small_coalition

READS: dict[str, Callable[[Muster], object]] = {
    "status": lambda m: m.reports.status(OTHER),
    "status LAND": lambda m: m.reports.status(OTHER, "LAND"),
    "gaps": lambda m: m.reports.gaps(OTHER),
    "requirements": lambda m: m.requirements.list_requirements(OTHER),
    "pledges LAND-1": lambda m: m.pledges.list_pledges(OTHER, "LAND-1", Page()),
    "pledges LAND-1 page 2": lambda m: m.pledges.list_pledges(OTHER, "LAND-1", Page(2)),
    "pledges mine": lambda m: m.pledges.list_pledges(OTHER, "mine", Page()),
    "pledges": lambda m: m.pledges.list_pledges(OTHER, None, Page()),
    "history LAND-1": lambda m: m.reports.history(OTHER, "LAND-1"),
    "history LAND-1 page 2": lambda m: m.reports.history(OTHER, "LAND-1", Page(2)),
    "questions": lambda m: m.questions.question_page(OTHER, "open"),
    "questions all": lambda m: m.questions.question_page(OTHER, "all"),
    "Home of a delegate": lambda m: m.reports.home(OTHER),
    "Home of a coordinator": lambda m: m.reports.home(COORDINATOR),
}


def a_week_of_pledging(m: Muster, users: list[str], round_: int) -> None:
    """Each delegation pledges six times in every state, with and without conditions,
    restricted or not, changes two of them, and asks three questions."""
    for user in users:
        pledge = m.pledges.pledge
        pledge(
            user,
            requirement="LAND-1",
            quantity=1,
            status=PledgeStatus.OFFERED,
            condition="US backstop",
        )
        firm = pledge(user, requirement="LAND-1", quantity=1, status=PledgeStatus.CONFIRMED)
        pledge(user, requirement="LAND-1", quantity=2, status=PledgeStatus.INDICATED)
        pledge(
            user, requirement="SKY-1", quantity=1, status=PledgeStatus.CONFIRMED, restricted=True
        )
        pledge(user, requirement="SKY-1", quantity=1, status=PledgeStatus.INDICATED)
        offer = pledge(
            user,
            requirement="SKY-1",
            quantity=1,
            status=PledgeStatus.OFFERED,
            condition="subject to parliament",
        )
        m.pledges.update_pledge(user, ref_number(offer), PledgeChange(quantity=2))
        m.pledges.withdraw(user, ref_number(firm), reason="re-tasked")
        for n in range(3):
            m.questions.ask(user, f"Question {n} of round {round_} from {user}")


def ref_number(result: PledgeResult) -> int:
    return int(result.pledge.ref.removeprefix("P-"))


def rows_per_read(m: Muster, count_rows: RowCounter) -> dict[str, int]:
    read = {}
    for name, reader in READS.items():
        count_rows.clear()
        reader(m)
        read[name] = count_rows.total
    return read


def test_replies_read_the_same_rows_at_twice_the_history(
    muster: Muster, count_rows: RowCounter
) -> None:
    small_coalition(muster)
    users = [OWN, OTHER, *add_delegations(muster, 2)]
    for round_ in range(5):
        a_week_of_pledging(muster, users, round_)
    before = rows_per_read(muster, count_rows)
    for round_ in range(5, 10):
        a_week_of_pledging(muster, users, round_)
    after = rows_per_read(muster, count_rows)

    assert after == before
    # The lists are long enough that a page is a slice: 4 delegations × 3 pledges on
    # LAND-1 in each of 10 rounds, and Valdoria's restricted P-2 is counted, not shown.
    listing = muster.pledges.list_pledges(OTHER, "LAND-1", Page())
    assert (listing.page.total, listing.undisclosed, len(listing.pledges)) == (120, 1, 25)
