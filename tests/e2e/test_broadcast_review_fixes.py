"""Found in review of digests, alerts and exports; each stays fixed."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook

from bot.domain.clock import FixedClock
from bot.domain.errors import Conflict
from bot.domain.schedule import Weekly
from bot.runtime.scheduler import Ticker
from bot.runtime.standin import SlackStandIn
from bot.services.broadcasts import LEASE
from bot.services.exporting import dump, report_for, restore, to_csv, to_xlsx
from bot.services.muster import Muster
from tests.support.clock import set_clock, tick_at
from tests.support.databases import reset
from tests.support.factories import COORDINATOR, OTHER, OWN, small_coalition
from tests.support.slack import SlashCommands

ALERTS, STATUS = "C0ALERTS", "C0STATUS"
MONDAY = datetime.fromisoformat("2026-11-23T10:00:00+00:00")
FRIDAY = datetime.fromisoformat("2026-11-27T15:00:00+00:00")


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    set_clock(clock, MONDAY - timedelta(hours=1))
    small_coalition(muster)
    muster.broadcasts.subscribe(COORDINATOR, "alerts", ALERTS)
    muster.broadcasts.subscribe(COORDINATOR, "digest", STATUS)
    return muster


def posts(slack: SlackStandIn, channel: str) -> list[str]:
    """What was posted to ``channel``, one line per alert (a tick groups them in one message)."""
    return [
        line
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == channel
        for line in c.args["text"].splitlines()
    ]


def test_a_stale_reading_never_resolves_an_alert_posted_after_it(
    clock: FixedClock, coalition: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, MONDAY)  # posts "SKY-1 is red"
    b = coalition.broadcasts
    assert (
        b.resolve_alerts(1, set(), ("critical_red",), evaluated_at=MONDAY - timedelta(seconds=2))
        == 0
    )
    tick_at(ticker, MONDAY + timedelta(minutes=1))
    assert len([t for t in posts(slack, ALERTS) if t.startswith("SKY-1 is red")]) == 1


def test_a_lease_runs_from_the_moment_of_the_claim(clock: FixedClock, coalition: Muster) -> None:
    # A slow tick that began at MONDAY reaches this claim 30 minutes later: the lease
    # is read from the clock at the claim, so it has not run out before it is used.
    set_clock(clock, MONDAY + timedelta(minutes=30))
    claim = coalition.broadcasts.claim(1, "digest:test", "slow")
    assert claim is not None
    with coalition.engine.connect() as conn:
        from sqlalchemy import text

        lease = conn.execute(
            text("SELECT lease_until FROM postclaim WHERE key = 'digest:test'")
        ).scalar_one()
    assert str(lease).startswith(
        str((MONDAY + timedelta(minutes=30) + LEASE).replace(tzinfo=None))[:16]
    )


def test_a_reduced_undisclosed_pledge_shows_no_figures(
    clock: FixedClock,
    coalition: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY)
    muster_cmd(OWN, "pledge update P-2 quantity 1")
    tick_at(ticker, MONDAY + timedelta(minutes=1))
    assert (
        "An undisclosed pledge was reduced on LAND-1. Battlegroups: gap now 3 battlegroups."
        in posts(slack, ALERTS)
    )


def test_a_restricted_pledges_condition_stays_out_of_public_capacity(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OWN, 'pledge LAND-1 1 offered restricted if "subject to parliament"')
    b = coalition.digests
    public = b.digest(FRIDAY, MONDAY, full_view=False)
    coordinators = b.digest(FRIDAY, MONDAY, full_view=True)
    assert all(code != "LAND-1" for h in public.hinges for code, _q, _u in h.amounts)
    assert any(code == "LAND-1" for h in coordinators.hinges for code, _q, _u in h.amounts)


def test_a_passing_join_failure_keeps_the_subscription(
    coalition: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    slack.fail("chat.postMessage", error="not_in_channel")
    slack.fail("conversations.join", status=500, error="internal_error")
    report = tick_at(ticker, MONDAY)
    assert report.broken == [] and report.alerts == []
    assert coalition.broadcasts.is_subscribed("alerts", ALERTS)


def test_a_dollar_in_an_objective_name_does_not_stop_the_chart(
    coalition: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    coalition.requirements.edit_objective(COORDINATOR, "SKY", name="Budget a $x^$ b")
    assert tick_at(ticker, FRIDAY).digests == [f"{STATUS} digest:2026-W48"]
    assert len(slack.calls_to("files.completeUploadExternal")) == 1


def test_moving_the_schedule_mid_week_owes_nothing_for_the_slot_already_past(
    clock: FixedClock, coalition: Muster, muster_cmd: SlashCommands, ticker: Ticker
) -> None:
    wednesday = datetime.fromisoformat("2026-11-25T12:00:00+00:00")
    set_clock(clock, wednesday)
    muster_cmd(COORDINATOR, f"digest subscribe <#{STATUS}> weekly tuesday 16:00")
    assert tick_at(ticker, wednesday + timedelta(minutes=1)).digests == []
    assert tick_at(ticker, datetime.fromisoformat("2026-12-01T15:00:00+00:00")).digests == [
        f"{STATUS} digest:2026-W49"
    ]


def test_the_digest_is_dated_where_its_readers_are(
    clock: FixedClock, coalition: Muster, ticker: Ticker, slack: SlackStandIn
) -> None:
    set_clock(clock, MONDAY)
    coalition.broadcasts.subscribe(
        COORDINATOR, "digest", "C0NZ", Weekly.of(0, "09:00", "Pacific/Auckland")
    )
    tick_at(
        ticker, datetime.fromisoformat("2026-11-29T20:00:00+00:00")
    )  # Monday 30 Nov, 09:00 in Auckland
    [header] = [
        c.args["blocks"][0]
        for c in slack.calls_to("chat.postMessage")
        if c.args["channel"] == "C0NZ"
    ]
    assert header["text"]["text"] == "Weekly status · 30 Nov 2026"


def test_long_sections_lose_whole_lines_and_say_how_many(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    for n in range(60):
        muster_cmd(OTHER, f"ask Question number {n}: {'why? ' * 20}")
    from handlers.digest import render_digest

    _text, blocks = render_digest(coalition.digests.digest(FRIDAY, MONDAY, full_view=True))
    questions = next(
        b["text"]["text"]
        for b in blocks
        if b["type"] == "section" and "Open questions" in b["text"]["text"]
    )
    assert "…and 51 more: `/muster questions`" in questions and "&g…" not in questions


def test_alert_notifications_are_escaped(
    clock: FixedClock,
    coalition: Muster,
    muster_cmd: SlashCommands,
    ticker: Ticker,
    slack: SlackStandIn,
) -> None:
    set_clock(clock, MONDAY - timedelta(days=8))
    muster_cmd(OTHER, "ask &lt;!here&gt; who pays?")
    tick_at(ticker, MONDAY)
    stale = next(t for t in posts(slack, ALERTS) if "waited" in t)
    assert "<!here>" not in stale and "&lt;!here&gt;" in stale


def test_spreadsheets_never_run_user_text_as_formulas(
    coalition: Muster, muster_cmd: SlashCommands
) -> None:
    muster_cmd(OTHER, 'ask =HYPERLINK("http://evil.example",A1)')
    muster_cmd(OTHER, 'pledge SKY-1 1 caveat "+1 only on Mondays"')
    report = report_for(coalition, COORDINATOR)
    book = load_workbook(io.BytesIO(to_xlsx(report)))
    texts = [c.value for row in book["Questions"].iter_rows() for c in row] + [
        c.value for row in book["Pledges"].iter_rows() for c in row
    ]
    assert '\'=HYPERLINK("http://evil.example",A1)' in texts and "'+1 only on Mondays" in texts
    assert all(
        c.data_type != "f" for sheet in book.worksheets for row in sheet.iter_rows() for c in row
    )
    rows = list(csv.reader(io.StringIO(to_csv(report).decode("utf-8-sig"))))
    assert any(cell == "'+1 only on Mondays" for row in rows for cell in row)


def test_import_refuses_a_database_with_only_settings(coalition: Muster, muster: Muster) -> None:
    data = json.loads(json.dumps(dump(coalition)))
    from sqlalchemy import text

    reset(coalition.engine)
    coalition.delegations.set_coordinators_channel(
        COORDINATOR, "C0COORD"
    )  # a setting, and its audit event
    with coalition.engine.begin() as conn:
        conn.execute(text("DELETE FROM event"))
    with pytest.raises(Conflict, match="not empty"):
        restore(coalition, data)
