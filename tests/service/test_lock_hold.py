"""Pledges to one line queue on its totals row: adding to a running total locks the
row until commit (storage/totals.py). A write does everything else first, so that
after the lock it only records its audit event and reads the line's new totals for
its answer, and the commit renews the data version. Counted in statements, as the
driver receives them, which are deterministic, unlike timings."""

from __future__ import annotations

import pytest

from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from tests.conftest import StatementCounter
from tests.support.factories import OWN, small_coalition

# The last: the commit renews the data version (storage/versions.py), in the same
# transaction, so it too runs while the lock is held.
AFTER_THE_LOCK = ["INSERT INTO event", "SELECT pledge_total.", "INSERT INTO data_version"]


def after_the_lock(counter: StatementCounter) -> list[str]:
    statements = [" ".join(s.split()) for s in counter.statements]
    locks = [i for i, s in enumerate(statements) if s.startswith("INSERT INTO pledge_total")]
    assert locks, statements
    # A move between totals (a new status) adds to one and takes from the other at once.
    assert locks == list(range(locks[0], locks[0] + len(locks))), statements
    return statements[locks[-1] + 1 :]


def prefixes(statements: list[str]) -> list[str]:
    return [next((p for p in AFTER_THE_LOCK if s.startswith(p)), s) for s in statements]


@pytest.mark.parametrize(
    "write",
    [
        lambda m: m.pledges.pledge(OWN, requirement="LAND-1", quantity=1),
        lambda m: m.pledges.update_pledge(OWN, 1, PledgeChange(quantity=2)),
        lambda m: m.pledges.update_pledge(OWN, 1, PledgeChange(status=PledgeStatus.CONFIRMED)),
        lambda m: m.pledges.withdraw(OWN, 1, "no longer available"),
    ],
    ids=["pledge", "update quantity", "confirm", "withdraw"],
)
def test_after_locking_the_totals_a_write_records_and_reads_back_only(
    write: object, muster: Muster, count_statements: StatementCounter
) -> None:
    small_coalition(muster)
    count_statements.statements.clear()
    write(muster)  # type: ignore[operator]
    assert prefixes(after_the_lock(count_statements)) == AFTER_THE_LOCK
