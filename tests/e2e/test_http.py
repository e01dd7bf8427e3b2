"""End to end over real HTTP: `muster serve --http` as a process (gunicorn, two
workers), signed requests from the test, the Web API stand-in on loopback."""

from __future__ import annotations

import json
import shutil
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, text

from bot.domain.clock import FixedClock, system_clock
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from handlers.ids import ACTION_ANSWER, ACTION_PLEDGE, CALLBACK_ANSWER, CALLBACK_PLEDGE
from storage.db import make_engine, upgrade
from tests.support.clock import START
from tests.support.databases import postgres_admin_url, postgres_database, postgres_required, reset
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.http import SlackOverHttp, click, fill, get, muster_server
from tests.support.slack import payload, validate_blocks, validate_calls, validate_view

SECRET = "http-test-secret"
# The server runs on the system clock: a date it takes as the future, on any day.
AVAILABLE = (system_clock() + timedelta(days=60)).date().isoformat()
COORDINATORS_CHANNEL = "C0COORD"


@dataclass
class Served:
    port: int
    engine: Engine


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    slack_server: SlackStandIn,
) -> Iterator[Served]:
    with _database(request.param, tmp_path_factory, sqlite_template) as url:
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": "xoxb-http-test",
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack_server.api_url,
            "MUSTER_COORDINATORS": COORDINATOR,
        }
        engine = make_engine(url)
        with muster_server(env) as port:
            yield Served(port, engine)
        engine.dispose()


def _database(kind: str, factory: pytest.TempPathFactory, template: Path):  # type: ignore[no-untyped-def]
    from contextlib import contextmanager

    @contextmanager
    def sqlite() -> Iterator[str]:
        path = factory.mktemp("http") / "served.db"
        shutil.copy(template, path)
        yield f"sqlite:///{path}"

    @contextmanager
    def postgres() -> Iterator[str]:
        if not postgres_admin_url():
            if postgres_required():
                pytest.fail("MUSTER_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set")
            pytest.skip("PostgreSQL half: set TEST_POSTGRES_URL to run it")
        with postgres_database("muster_http") as url:
            upgrade(url)
            yield url

    return sqlite() if kind == "sqlite" else postgres()


@pytest.fixture
def muster(served: Served) -> Muster:
    reset(served.engine)
    m = Muster(served.engine, clock=FixedClock(START), coordinators=[COORDINATOR])
    small_coalition(m)
    return m


@pytest.fixture
def http(served: Served, muster: Muster, slack: SlackStandIn) -> Iterator[SlackOverHttp]:
    yield SlackOverHttp(served.port, SECRET, slack.response_url())
    slack.settle()  # the server's follow-ups must not run into the next test's reset
    validate_calls(slack.calls)


def pledges(engine: Engine) -> int:
    with engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM pledge")).scalar_one())


def test_health_check(served: Served) -> None:
    reply = get(served.port, "/healthz")
    assert (reply.status, json.loads(reply.body)) == (200, {"status": "ok", "database": "ok"})
    assert get(served.port, "/nowhere").status == 404


def test_a_signed_slash_command_is_answered_in_the_acknowledgement(
    http: SlackOverHttp, served: Served
) -> None:
    reply = http.command(OWN, "pledge LAND-1 1 confirmed")
    assert reply.status == 200
    body = reply.json()
    assert body["response_type"] == "ephemeral"
    assert "Pledge P-3 recorded" in body["text"]
    validate_blocks(body["blocks"])
    assert pledges(served.engine) == 3


@pytest.mark.parametrize("forgery", ["forged", "stale", "unsigned"])
def test_forged_and_stale_requests_get_401_and_change_nothing(
    forgery: str, http: SlackOverHttp, served: Served
) -> None:
    body = http.command_body(OWN, "pledge LAND-1 1")
    kwargs = {
        "forged": {"signature": "v0=" + "ab" * 32},
        "stale": {"timestamp": 1_600_000_000},
        "unsigned": {"signature": "nonsense"},
    }[forgery]
    reply = http.post(body, "application/x-www-form-urlencoded", **kwargs)  # type: ignore[arg-type]
    assert reply.status == 401
    assert pledges(served.engine) == 2


def test_a_retried_delivery_is_applied_once(http: SlackOverHttp, served: Served) -> None:
    body = http.command_body(OWN, "pledge LAND-1 1", trigger_id="retry.1.abc")
    first = http.post(body, "application/x-www-form-urlencoded")
    retry = http.post(
        body,
        "application/x-www-form-urlencoded",
        headers={"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"},
    )
    assert "Pledge P-3 recorded" in first.text
    assert retry.status == 200 and "applied once" in retry.text
    assert pledges(served.engine) == 3


def test_the_pledge_form_with_a_field_error_then_success(
    http: SlackOverHttp, slack: SlackStandIn, served: Served
) -> None:
    opened = http.command(OTHER, "pledge")
    assert (opened.status, opened.body) == (200, "")
    [call] = slack.calls_to("views.open")
    view = call.args["view"]
    assert view["callback_id"] == CALLBACK_PLEDGE
    validate_view(view)

    bad = http.interaction(fill(OTHER, view, {"requirement": "SKY-1", "quantity": "0"}))
    assert bad.json() == {
        "response_action": "errors",
        "errors": {"quantity": "'0' is zero; quantities are above zero."},
    }
    ceasefire = http.interaction(
        fill(
            OTHER,
            view,
            {"requirement": "SKY-1", "quantity": 2, "condition": "once the ceasefire holds"},
        )
    )
    assert ceasefire.json()["errors"]["condition"].startswith("Not a condition: the ceasefire")
    assert pledges(served.engine) == 2

    good = http.interaction(
        fill(
            OTHER,
            view,
            {
                "requirement": "SKY-1",
                "quantity": 2,
                "status": "confirmed",
                "condition": "subject to parliament",
                "available_from": AVAILABLE,
            },
        )
    )
    done = good.json()
    assert done["response_action"] == "update"
    validate_view(done["view"])
    summary = done["view"]["blocks"][0]["text"]["text"]
    assert "*P-3* OST → SKY-1: 2 batteries, confirmed" in summary
    assert (
        "if “subject to parliament” (national or parliamentary approval)" in summary
        and f"from {AVAILABLE}" in summary
    )
    assert (
        "*SKY-1* Air defence now: 🟨🟨🟨🟨🟨🟥🟥🟥🟥🟥 🔴 firm 0 of 6 batteries (0%)"
        " · pending 0 · conditional 3 · open 3"
    ) in summary
    home = slack.wait_for("views.publish")[0]
    assert home.args["user_id"] == OTHER
    assert "P-3" in json.dumps(home.args["view"], ensure_ascii=False)


def test_a_pledge_button_opens_the_form_prefilled(http: SlackOverHttp, slack: SlackStandIn) -> None:
    gaps = http.command(OTHER, "gaps").json()
    buttons = [
        b["accessory"]
        for b in gaps["blocks"]
        if b.get("accessory", {}).get("action_id") == ACTION_PLEDGE
    ]
    assert [b["value"] for b in buttons] == ["SKY-1", "LAND-1"]
    reply = http.interaction(click(OTHER, ACTION_PLEDGE, "LAND-1", response_url=http.response_url))
    assert reply.status == 200
    view = slack.wait_for("views.open")[0].args["view"]
    select = view["blocks"][0]["element"]
    assert select["initial_option"]["value"] == "LAND-1"
    assert (
        select["initial_option"]["text"]["text"] == "LAND-1 Battlegroups · firm 2 of 4 battlegroups"
    )


def test_a_coordinator_without_a_delegation_is_told_why_the_button_does_nothing(
    http: SlackOverHttp, slack: SlackStandIn
) -> None:
    http.interaction(click(COORDINATOR, ACTION_PLEDGE, "SKY-1", response_url=http.response_url))
    [told] = slack.wait_for("response_url")
    assert "Only members of a delegation can pledge" in told.args["text"]
    assert told.args["response_type"] == "ephemeral"
    assert slack.calls_to("views.open") == []


def test_questions_are_announced_and_answered_from_a_button(
    http: SlackOverHttp, slack: SlackStandIn, served: Served
) -> None:
    assert (
        "announced in <#C0COORD>"
        in http.command(
            COORDINATOR, f"setup coordinators-channel <#{COORDINATORS_CHANNEL}|coordinators>"
        ).text
    )
    assert (
        "Question Q-2 recorded"
        in http.command(OTHER, "ask Is there a status of forces agreement?").text
    )
    [announced] = slack.wait_for("chat.postMessage")
    assert announced.args["channel"] == COORDINATORS_CHANNEL
    block = announced.args["blocks"][0]
    assert "*Q-2* from *OST*" in block["text"]["text"]
    assert block["accessory"]["action_id"] == ACTION_ANSWER and block["accessory"]["value"] == "Q-2"

    # A delegate cannot answer, even with the button in front of them.
    http.interaction(click(OTHER, ACTION_ANSWER, "Q-2", response_url=http.response_url))
    assert (
        "Only coordinators can answer questions" in slack.wait_for("response_url")[0].args["text"]
    )

    http.interaction(click(COORDINATOR, ACTION_ANSWER, "Q-2"))
    form = slack.wait_for("views.open")[0].args["view"]
    assert form["callback_id"] == CALLBACK_ANSWER
    assert "Is there a status of forces agreement?" in json.dumps(form, ensure_ascii=False)
    slack.reset()
    done = http.interaction(
        fill(COORDINATOR, form, {"answer": "Yes: the host nation signed a SOFA."})
    ).json()
    assert done["response_action"] == "update"
    posts = slack.wait_for("chat.postMessage", count=2)
    in_thread = next(c for c in posts if c.args["channel"] == COORDINATORS_CHANNEL)
    assert in_thread.args["thread_ts"] == announced.reply["ts"]
    assert "Yes: the host nation signed a SOFA." in in_thread.args["text"]
    to_asker = next(c for c in posts if c.args["channel"] == OTHER)
    assert "Your delegation's question Q-2 has been answered" in to_asker.args["text"]


def test_app_home_for_a_delegate_and_for_a_coordinator(
    http: SlackOverHttp, slack: SlackStandIn
) -> None:
    event = payload("event_app_home_opened")
    event["event"]["user"] = OWN
    assert http.event(event).status == 200
    delegate_home = json.dumps(slack.wait_for("views.publish")[0].args["view"], ensure_ascii=False)
    assert "Muster · Valdoria" in delegate_home and "*P-1* VAL → SKY-1" in delegate_home
    assert "Unanswered questions" not in delegate_home

    slack.reset()
    event["event"]["user"] = COORDINATOR
    event["event_id"] = "Ev0HOME0002"
    http.event(event)
    coordinator_home = json.dumps(
        slack.wait_for("views.publish")[0].args["view"], ensure_ascii=False
    )
    assert (
        "Unanswered questions (1)" in coordinator_home
        and "Critical shortfalls (1)" in coordinator_home
    )
    assert ACTION_ANSWER in coordinator_home


def test_user_text_cannot_ping_the_channel(http: SlackOverHttp) -> None:
    reply = http.command(OWN, "ask &lt;!channel&gt; who pays?")
    assert "<!channel>" not in reply.body and "&lt;!channel&gt; who pays?" in reply.text


def test_thirty_delegates_at_once_are_all_acknowledged(
    http: SlackOverHttp, muster: Muster, served: Served
) -> None:
    users = [f"UBURST{i:02d}" for i in range(30)]
    muster.delegations.add_delegation(COORDINATOR, "BUR", "Burstland")
    muster.delegations.add_members(COORDINATOR, "BUR", users)
    replies: dict[str, str] = {}

    def pledge(user: str) -> None:
        replies[user] = http.command(user, "pledge LAND-1 1 offered").text

    threads = [threading.Thread(target=pledge, args=(u,)) for u in users]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all("recorded" in replies[u] for u in users), replies
    assert pledges(served.engine) == 32
