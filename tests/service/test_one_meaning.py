"""One meaning per word, everywhere: the conditional capacity the digest lists by
condition is exactly the conditional figure of each requirement line, and the four
words add up to each line's requirement, on the demo coalition read from the database."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from bot.domain.model import PledgeStatus
from bot.runtime.demo import seed_demo
from bot.services.muster import Muster

NOW = datetime.fromisoformat("2026-11-27T15:00:00+00:00")


def test_conditional_in_the_digest_is_conditional_in_every_line(muster: Muster) -> None:
    seed_demo(muster, now=NOW)
    # A confirmed pledge with a condition is conditional; one without, pending or firm.
    muster.pledges.pledge(
        "UNORTH1", requirement="SEA-2", quantity=40, status=PledgeStatus.CONFIRMED,
        condition="subject to a vote in the Storting",
    )  # fmt: skip
    muster.pledges.pledge("UNORTH1", requirement="SEA-2", quantity=20, status=PledgeStatus.OFFERED)
    digest = muster.digests.digest(NOW, NOW, full_view=True)
    hinged: Counter[str] = Counter()
    for hinge in digest.hinges:
        for code, quantity, _unit in hinge.amounts:
            hinged[code] += quantity
    lines = [v for part in digest.report.objectives for v in part.requirements]
    assert {v.code: v.coverage.conditional for v in lines if v.coverage.conditional} == dict(hinged)
    for v in lines:
        c = v.coverage
        assert c.firm + c.pending + c.conditional + c.open - c.over == c.required
    sea_2 = next(v.coverage for v in lines if v.code == "SEA-2")
    assert (sea_2.firm, sea_2.pending, sea_2.conditional, sea_2.open) == (0, 20, 40, 180)
