"""The weekly digest for the demo coalition, figure by figure, posted once, with its
chart; dated where its readers are, on the schedule they chose, with long sections
cut to whole lines."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from bot.domain.clock import FixedClock
from bot.domain.schedule import Weekly
from bot.runtime.app import make_client
from bot.runtime.demo import seed_demo
from bot.runtime.scheduler import Ticker
from bot.runtime.settings import Settings
from bot.runtime.standin import SlackStandIn
from bot.services.muster import Muster
from tests.support.broadcasts import FRIDAY, MONDAY, STATUS, subscribed_coalition
from tests.support.clock import set_clock, tick_at
from tests.support.factories import COORDINATOR, OTHER, OWN
from tests.support.slack import SlashCommands, validate_blocks, validate_calls

COORD = "UCOORD1"
PUBLIC, COORDINATORS = "C0PUBLIC", "C0COORD"


def at(text: str | datetime) -> datetime:
    return datetime.fromisoformat(text) if isinstance(text, str) else text


@pytest.fixture
def coalition(clock: FixedClock, muster: Muster) -> Muster:
    """Not the tier's plain coalition: this one is subscribed to alerts and the digest."""
    return subscribed_coalition(clock, muster)


@pytest.fixture
def ticker(muster: Muster, settings: Settings, slack: SlackStandIn) -> Iterator[Ticker]:
    yield Ticker(muster, make_client(settings), pace=0, worker="test-worker")
    validate_calls(slack.calls)


@pytest.fixture
def week(
    clock: FixedClock, muster: Muster, muster_cmd: SlashCommands, slack: SlackStandIn
) -> SlashCommands:
    """The demo coalition, two digest subscriptions on Monday, and a week of changes."""
    seed_demo(muster, now=at("2026-11-23T09:00:00Z"))
    run = muster_cmd
    set_clock(clock, "2026-11-23T10:00:00Z")
    run(COORD, f"setup coordinators-channel <#{COORDINATORS}|coordinators>")
    assert (
        "gets the weekly digest on Fridays at 16:00 Europe/Brussels"
        in run(COORD, f"digest subscribe <#{PUBLIC}|status>").text
    )
    run(COORD, f"digest subscribe <#{COORDINATORS}> weekly friday 16:00 Europe/Brussels")
    set_clock(clock, "2026-11-24T09:00:00Z")
    run("UNORTH1", "pledge update P-1 quantity 10")
    run("UVALD1", "pledge update P-5 status confirmed unconditional")
    set_clock(clock, "2026-11-25T09:00:00Z")
    run("UOST1", 'withdraw P-6 "ships needed at home"')
    run("UCAL1", "pledge SKY-2 2 offered")
    run("UMER1", "pledge update P-8 quantity 3000")
    set_clock(clock, "2026-11-26T09:00:00Z")
    run("ULAKE1", "ask Who pays for host-nation fuel?")
    run(COORD, "answer Q-3 The status of forces agreement covers all contingents.")
    slack.reset()
    return run


def posted_digest(slack: SlackStandIn, channel: str) -> str:
    [message] = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == channel]
    return json.dumps(message.args["blocks"], ensure_ascii=False)


def test_the_digest_for_the_demo_coalition_figure_by_figure(
    week: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    report = tick_at(ticker, at(FRIDAY))
    assert sorted(report.digests) == [
        f"{COORDINATORS} digest:2026-W48",
        f"{PUBLIC} digest:2026-W48",
    ]
    text = posted_digest(slack, PUBLIC)
    assert "Weekly status · 27 Nov 2026" in text
    # Lines first, as planners count them; the average of lines after, labelled.
    assert "*Lines filled 0 of 12 · critical lines filled 0 of 4 · critical shortfalls 4*" in text
    assert (
        "🟩🟦🟨🟥🟥🟥🟥🟥🟥🟥 🔴 average of lines: firm 19% · pending 3% · conditional 7% · open 71%"
        in text
    )
    assert (
        "*SKY* Safe skies: lines filled 0 of 3 · critical lines filled 0 of 2 · critical"
        " shortfalls 2\\n🟩🟩🟦🟨🟨🟥🟥🟥🟥🟥 🔴 average of lines: firm 29% · pending 11%"
        " · conditional 17% · open 43%"
    ) in text
    assert (
        "*SEA* Secure sea lanes: lines filled 0 of 2 · no critical lines\\n🟥🟥🟥🟥🟥🟥🟥🟥🟥🟥 🔴"
        " average of lines: firm 0% · pending 0% · conditional 0% · open 100%"
    ) in text
    assert (
        "*LAND* Peace on land: lines filled 0 of 5 · critical lines filled 0 of 2 · critical"
        " shortfalls 2\\n🟩🟩🟨🟥🟥🟥🟥🟥🟥🟥 🔴 average of lines: firm 21% · pending 0%"
        " · conditional 7% · open 72%"
    ) in text
    assert (
        "*UAF* Strengthening the host nation's forces: lines filled 0 of 2 · no critical lines"
        "\\n🟩🟩🟥🟥🟥🟥🟥🟥🟥🟥 🔴 average of lines: firm 22% · pending 0% · conditional 0%"
        " · open 78%"
    ) in text
    # CAL's new offer of 2 batteries is pending; its battery subject to a vote, conditional.
    assert (
        "🟦🟦🟦🟨🟨🟥🟥🟥🟥🟥 🔴 firm 0 of 6 batteries (0%) · pending 2 · conditional 1 · open 3"
        " · *critical shortfall*"
    ) in text
    shortfalls = text[text.index("Critical shortfalls (4)") : text.index("Other gaps (8)")]
    assert [
        code for code in ("LAND-2", "SKY-2", "SKY-3", "LAND-4") if f"*{code}*" in shortfalls
    ] == ["LAND-2", "SKY-2", "SKY-3", "LAND-4"]
    assert (
        shortfalls.index("*LAND-2*")
        < shortfalls.index("*SKY-2*")
        < shortfalls.index("*SKY-3*")
        < shortfalls.index("*LAND-4*")
    )
    assert (
        text.count('"action_id": "muster.pledge"') == 4 + 5
    )  # every shortfall and top gap has a Pledge button
    assert "…and 3 more: `/muster gaps`" in text  # the other 3 of the 8 other gaps
    # Changes since Monday, as a public channel may see them.
    assert "*New (1)*: P-14 CAL → SKY-2: 2 batteries" in text
    assert "*Raised (1)*: P-1 NM → SKY-1: 8 → 10 aircraft" in text
    assert "*Confirmed (1)*: P-5 VAL → LAND-1: 1 battlegroup" in text
    assert "*Withdrawn (1)*: P-6 OST → SEA-1: 2 ships" in text
    assert "Reduced" not in text and "P-8" not in text and "MER →" not in text
    assert "…and 1 change to undisclosed pledges, counted in the totals." in text
    assert "*Questions asked (1)*: Q-5" in text and "*Questions answered (1)*: Q-3" in text
    # Conditional capacity by condition.
    assert "160 flight hours/month (SKY-3) hinge on US enablers or a US backstop" in text
    assert "1 battery (SKY-2) awaits national or parliamentary approval" in text
    assert "1 company (LAND-3) carries other conditions" in text
    assert "(s)" not in text
    assert "LAND-1) hinge" not in text  # P-5's backstop condition was lifted this week
    # Open questions, oldest first, the week-old ones flagged, no asking delegation named in public.
    questions = text[text.index("Open questions (3)") : text.index("Not heard from")]
    # were asked in the week before (the demo seed), Q-5 on Thursday.
    assert (
        questions.index("⚠️ *Q-1*, ")
        < questions.index("⚠️ *Q-4*, ")
        < questions.index("*Q-5*, 1 day ago")
    )
    assert "⚠️ *Q-5*" not in questions
    assert "(OST)" not in questions and "(LAK)" not in questions
    assert (
        # MER changed only a restricted pledge, LAK only asked (who asks is for coordinators)
        "*Not heard from this period*\\nHN Host nation, LAK Lakeland, MER Meridia" in text
    )
    monday = int(at("2026-11-23T10:00:00Z").timestamp())  # each reader sees it in their own zone
    assert (
        f"Changes since <!date^{monday}^{{date_short_pretty}} {{time}}|2026-11-23 10:00 UTC>"
        in text
    )
    assert "Restricted pledges appear only inside totals." in text


def test_the_coordinators_channel_sees_everything(
    week: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, at(FRIDAY))
    text = posted_digest(slack, COORDINATORS)
    assert "*Reduced (1)*: P-8 MER → UAF-1: 4,000 → 3,000 training places/year" in text
    assert "undisclosed" not in text
    assert "⚠️ *Q-1* (OST), " in text
    assert "*Not heard from this period*\\nHN Host nation" in text


def test_ticking_twice_posts_once_and_the_chart_goes_with_it(
    week: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, at(FRIDAY))
    assert tick_at(ticker, at("2026-11-27T15:01:00Z")).digests == []
    messages = [c for c in slack.calls_to("chat.postMessage") if c.args["channel"] == PUBLIC]
    assert len(messages) == 1
    [upload] = [
        c for c in slack.calls_to("files.completeUploadExternal") if c.args["channel_id"] == PUBLIC
    ]
    assert upload.args["thread_ts"] == messages[0].reply["ts"]
    pngs = slack.calls_to("file.upload")
    assert len(pngs) == 2 and all(c.args["bytes"].startswith(b"\x89PNG") for c in pngs)


def test_the_next_digest_reports_changes_since_the_previous_one(
    clock: FixedClock, week: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, at(FRIDAY))
    set_clock(clock, "2026-12-01T09:00:00Z")
    week("UOST1", "pledge SEA-1 3 confirmed")
    slack.reset()
    tick_at(ticker, at("2026-12-04T15:00:00Z"))
    text = posted_digest(slack, PUBLIC)
    assert "*New (1)*: P-15 OST → SEA-1: 3 ships" in text
    assert "P-14" not in text.split("Changes since")[1].split("Conditional capacity")[0]
    assert "2026-11-27 15:00 UTC" in text  # since the previous digest


def test_moving_the_time_of_day_does_not_post_the_week_again(
    clock: FixedClock, week: SlashCommands, ticker: Ticker, slack: SlackStandIn
) -> None:
    tick_at(ticker, at(FRIDAY))
    set_clock(clock, "2026-11-27T16:00:00Z")
    week(COORD, f"digest subscribe <#{PUBLIC}> weekly friday 18:00")
    assert tick_at(ticker, at("2026-11-27T17:00:00Z")).digests == []


def test_preview_and_now(
    clock: FixedClock, week: SlashCommands, ticker: Ticker, slack: SlackStandIn, muster: Muster
) -> None:
    set_clock(clock, "2026-11-26T12:00:00Z")
    ack = week("UOST1", "digest preview")
    # Acknowledged at once; the preview, which takes long on a large coalition, follows
    # through the command's response URL, ephemeral, as the delegate's audience reads it.
    assert "Building the digest preview" in ack.text and ack.ephemeral
    (preview,) = slack.calls_to("response_url")
    assert "Weekly status · 26 Nov 2026" in preview.args["text"]
    assert preview.args["response_type"] == "ephemeral"
    assert preview.args["replace_original"] is False
    validate_blocks(preview.args["blocks"])
    assert "P-8" not in json.dumps(preview.args["blocks"])
    assert "Only coordinators can post the digest" in week("UOST1", f"digest now <#{PUBLIC}>").text
    assert "Posting the digest to <#C0PUBLIC> now." in week(COORD, f"digest now <#{PUBLIC}>").text
    assert len(slack.calls_to("chat.postMessage")) == 1
    # An extra digest does not use up the week: Friday's still goes out.
    assert tick_at(ticker, at(FRIDAY)).digests


def test_subscriptions_are_for_coordinators(week: SlashCommands) -> None:
    assert (
        "Only coordinators can subscribe channels to digest"
        in week("UOST1", f"digest subscribe <#{PUBLIC}>").text
    )
    listing = week(COORD, "digest list").text
    assert "<#C0PUBLIC> · Fridays at 16:00 Europe/Brussels" in listing
    assert "no longer gets the weekly digest" in week(COORD, f"digest unsubscribe <#{PUBLIC}>").text
    assert "has no digest subscription" in week(COORD, f"digest unsubscribe <#{PUBLIC}>").text
    assert "not a weekday" in week(COORD, f"digest subscribe <#{PUBLIC}> weekly 5 16:00").text
    assert (
        "not an IANA time zone"
        in week(COORD, f"digest subscribe <#{PUBLIC}> weekly friday 16:00 Mars/Base").text
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


def test_a_refused_response_url_still_brings_the_preview_by_dm(
    clock: FixedClock, week: SlashCommands, slack: SlackStandIn
) -> None:
    """A response URL lives 30 minutes; when Slack refuses it, the preview comes by DM."""
    set_clock(clock, "2026-11-26T12:00:00Z")
    slack.fail("response_url", status=404, error="expired_url")
    week("UOST1", "digest preview")
    (refused,) = slack.calls_to("response_url")
    (dm,) = slack.calls_to("chat.postMessage")
    assert dm.args["channel"] == "UOST1"
    assert "Weekly status · 26 Nov 2026" in dm.args["text"] == refused.args["text"]
