"""The demo coalition: seeded once, refused on a database that already holds one."""

from __future__ import annotations

import pytest

from bot.services.muster import Muster


def test_the_demo_is_seeded_once(muster: Muster) -> None:
    from bot.domain.errors import Conflict
    from bot.runtime.demo import seed_demo

    seed_demo(muster)
    with pytest.raises(Conflict, match="already holds delegations"):
        seed_demo(muster)
