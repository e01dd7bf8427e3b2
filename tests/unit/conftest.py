"""The unit tier: parsing, domain rules, rendering and read models, in seconds, with no
database, no Slack stand-in and no Bolt app."""

from __future__ import annotations

import pytest

# The fixtures of tests/conftest.py and the other tiers that open a database, start the
# Web API stand-in or build the Bolt app.
NOT_FOR_UNIT_TESTS = frozenset(
    {
        "sqlite_template",
        "postgres_url",
        "database_url",
        "engine",
        "muster",
        "coalition",
        "count_statements",
        "slack_server",
        "slack",
        "settings",
        "muster_cmd",
        "ticker",
    }
)


@pytest.fixture(autouse=True)
def _unit_tests_stand_alone(request: pytest.FixtureRequest) -> None:
    taken = NOT_FOR_UNIT_TESTS.intersection(request.fixturenames)
    if taken:
        pytest.fail(
            f"a unit test takes {', '.join(sorted(taken))}: it belongs in tests/service, "
            "tests/slack or tests/e2e",
            pytrace=False,
        )
