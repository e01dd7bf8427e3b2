"""Pledges in the pledges service: many at once on one database, never "database is
locked", numbered without gaps."""

from __future__ import annotations

import threading

from bot.domain.model import PledgeStatus
from bot.services.muster import Muster
from tests.support.factories import COORDINATOR, OTHER, OWN


def test_concurrent_pledges_never_hit_database_is_locked(coalition: Muster) -> None:
    errors: list[BaseException] = []

    def pledge(n: int) -> None:
        try:
            for _ in range(5):
                coalition.pledges.pledge(
                    OWN if n % 2 else OTHER,
                    requirement="LAND-1",
                    quantity=1,
                    status=PledgeStatus.OFFERED,
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=pledge, args=(n,)) for n in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    listing = coalition.pledges.list_pledges(COORDINATOR, "LAND-1")
    assert len(listing.pledges) == 1 + 40
    assert sorted(int(p.ref[2:]) for p in listing.pledges) == [2, *range(3, 43)]
