"""Forms and the App Home tab, built from the services' read models of a coalition of
realistic size, stay inside Slack's limits."""

from __future__ import annotations

from bot.services.muster import Muster
from handlers import home
from handlers.pledges import pledge_form
from tests.support.factories import COORDINATOR, OTHER, OWN, big_coalition
from tests.support.slack import validate_view


def test_forms_and_home_stay_inside_slack_limits(muster: Muster) -> None:
    big_coalition(muster, requirements=450)  # more than 100 in one objective
    view = pledge_form(muster.pledges.pledge_form(OTHER))
    validate_view(view)
    groups = view["blocks"][0]["element"]["option_groups"]
    assert [g["label"]["text"] for g in groups] == ["SKY", "SEA", "LAND", "UAF"]
    assert all(len(g["options"]) <= 100 for g in groups)
    assert all(len(o["text"]["text"]) <= 75 for g in groups for o in g["options"])
    for user in (OWN, COORDINATOR):
        validate_view(home.build(muster.reports.home(user), muster.clock()))
