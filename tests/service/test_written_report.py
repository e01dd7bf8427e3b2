"""The co-chairs' written report, read back from the DOCX with python-docx: every
section's figures against the services, for the demo coalition and for random ones,
in both editions; the Markdown from the same model says the same; the coalition's
edition shows no restricted pledge with its delegation or details. Runs on SQLite
and PostgreSQL."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.domain.clock import FixedClock
from bot.domain.errors import PermissionDenied
from bot.domain.model import PledgeStatus
from bot.domain.reconfirmation import Policy
from bot.domain.wording import amount, counted
from bot.runtime.demo import seed_demo
from bot.services.muster import Muster
from bot.services.report_model import Edition
from handlers.reconfirm import request_message
from handlers.written_report import build_file
from tests.support.factories import COORDINATOR, OTHER, small_coalition
from tests.support.report_checks import (
    annex_pledges,
    check_releasable,
    check_report,
    counts_as,
)
from tests.support.reports import markdown_tables, random_coalition, read_docx, report_docx

ZONE = ZoneInfo("Europe/Brussels")


def moment(at: datetime) -> str:
    """As the report writes a moment: its readers' wall clock."""
    return f"{at.astimezone(ZONE):%d %b %Y, %H:%M}".lstrip("0")


DELEGATE = "UOST1"  # Ostland, in the demo coalition


@pytest.fixture
def demo(muster: Muster) -> Muster:
    seed_demo(muster)
    return muster


@pytest.mark.parametrize("edition", list(Edition))
def test_every_section_of_the_demo_report_says_what_the_services_say(
    demo: Muster, edition: Edition
) -> None:
    rb = report_docx(demo, COORDINATOR, edition)
    check_report(demo, rb, edition)
    assert rb.sections[0].title == "Force generation report"
    titles = [s.title for s in rb.sections]
    # Contents in the order of issue 13: summary, an objective each, capacity,
    # questions, then an annex per delegation.
    assert titles[1:7] == [
        "Summary",
        "SKY · Safe skies",
        "SEA · Secure sea lanes",
        "LAND · Peace on land",
        "UAF · Strengthening the host nation's forces",
        "Capacity by condition",
    ]
    assert titles[7] == "Open questions" and titles[8].startswith("Annex A · Caledor (CAL)")


@pytest.mark.parametrize("seed", [1, 2, 3])
@pytest.mark.parametrize("edition", list(Edition))
def test_every_section_of_a_random_report_says_what_the_services_say(
    muster: Muster, seed: int, edition: Edition
) -> None:
    made = random_coalition(muster, seed)
    rb = report_docx(muster, COORDINATOR, edition)
    check_report(muster, rb, edition)
    if edition == Edition.COALITION:
        assert made.restricted, "the scan needs restricted pledges to look for"
        check_releasable(rb, made.restricted)


def test_the_coordinators_edition_holds_every_restricted_pledge_in_full(muster: Muster) -> None:
    made = random_coalition(muster, 4)
    text = report_docx(muster, COORDINATOR, Edition.COORDINATORS).text
    live = [p for p in made.restricted if p.status.value != "withdrawn"]
    assert live
    for p in live:
        assert p.ref in text and p.caveats in text and p.condition in text


def test_the_demo_coalition_edition_keeps_meridias_training_places_inside_the_totals(
    demo: Muster,
) -> None:
    """Meridia's restricted 4,000 training places (P-8) count in UAF-1, and nowhere is
    Meridia named with them: its annex lists its other pledge alone, counted as one."""
    rb = report_docx(demo, DELEGATE, Edition.COALITION)
    [uaf1] = [
        row
        for row in rb.section("UAF · Strengthening the host nation's forces").tables[0]
        if row[0] == "UAF-1"
    ]
    assert uaf1[3] == "4,000"  # firm: inside the totals
    meridia = rb.section("Annex D · Meridia (MER)")
    assert meridia.paragraph("Pledges: ") == "Pledges: 1 live pledge."
    assert "4,000" not in meridia.text and "UAF-1" not in meridia.text
    assert "P-8" not in rb.text
    assert meridia.paragraph("Restricted pledges are not listed in this edition")
    assert "1 change to undisclosed pledges, counted in the totals." in rb.section("Summary").text
    full = report_docx(demo, COORDINATOR, Edition.COORDINATORS).section("Annex D · Meridia (MER)")
    [_heading, _engineers, training] = full.tables[0]
    assert training[:4] == ["P-8", "UAF-1", "4,000 training places/year", "Confirmed, restricted"]


def test_a_delegate_may_have_the_coalition_edition_only(demo: Muster) -> None:
    with pytest.raises(PermissionDenied, match="coordinators' edition"):
        build_file(demo, DELEGATE, Edition.COORDINATORS)
    with pytest.raises(PermissionDenied, match="not registered"):
        build_file(demo, "UNOBODY", Edition.COALITION)


@pytest.mark.parametrize("edition", list(Edition))
def test_the_markdown_says_what_the_document_says(demo: Muster, edition: Edition) -> None:
    """One model, two renderings: the same tables, cell for cell, and every paragraph."""
    as_of = demo.clock()
    rb = read_docx(build_file(demo, COORDINATOR, edition, "docx", as_of=as_of).content)
    md = build_file(demo, COORDINATOR, edition, "md", as_of=as_of).content.decode()
    docx_tables = [t for s in rb.sections for t in s.tables]
    # Markdown draws each chart as a table of bars after its objective's table.
    md_tables = [t for t in markdown_tables(md) if t[0][:2] != ["", "coverage"]]
    bold = [
        [[c.removeprefix("**").removesuffix("**") for c in row] for row in t] for t in md_tables
    ]
    assert bold == docx_tables
    plain = md.replace("**", "").replace("\\", "")
    for section in rb.sections:
        assert section.title in plain
        for _style, text in section.paragraphs:
            assert text.strip() in plain.replace("_", ""), text
    assert f"| SKY-1 | {'🟩' * 5}{'🟥' * 5} | 50% | 0% | 0% | 50% |" in md  # the bar of replies


def test_a_delegation_with_many_pledges_is_summed_per_line(demo: Muster) -> None:
    """Above the limit, an annex sums its delegation's pledges per line with the
    coverage rules, and says so; below, it lists each one."""
    demo.pledges.pledge("UVALD1", requirement="LAND-1", quantity=1)
    rb = report_docx(demo, COORDINATOR, Edition.COORDINATORS, annex_limit=2)
    valdoria = rb.section("Annex G · Valdoria (VAL)")
    assert valdoria.paragraph("Pledges: ") == (
        "Pledges: 3 live pledges, more than 2: summed per line here; "
        "/muster export xlsx lists each one."
    )
    [rows] = valdoria.tables
    order = [v.code for v in demo.requirements.list_requirements(COORDINATOR)]
    pledges = annex_pledges(demo, "VAL", Edition.COORDINATORS, order)
    assert {p.requirement for p in pledges} == {"LAND-1"}
    by_word = {
        w: sum(p.quantity for p in pledges if counts_as(p) == w)
        for w in ("Firm", "Pending", "Conditional")
    }
    assert rows == [
        ["Line", "Pledges", "Firm", "Pending", "Conditional"],
        [
            "LAND-1",
            "3",
            *(amount(by_word[w], "battlegroups") for w in ("Firm", "Pending", "Conditional")),
        ],
    ]
    northmark = rb.section("Annex E · Northmark (NM)")  # two pledges: listed one by one
    assert northmark.paragraph("Pledges: ") == f"Pledges: {counted(2, 'live pledge')}."


def test_the_same_data_and_moment_give_the_same_document(demo: Muster) -> None:
    as_of = demo.clock()
    first = build_file(demo, COORDINATOR, Edition.COALITION, as_of=as_of)
    again = build_file(demo, COORDINATOR, Edition.COALITION, as_of=as_of)
    assert first.content == again.content  # byte for byte, not just the same words
    assert read_docx(first.content).text == read_docx(again.content).text
    props = read_docx(first.content).document.core_properties
    assert props.created == props.modified == as_of
    assert props.title == "Force generation report" and props.subject == "Coalition edition"
    md = [
        build_file(demo, COORDINATOR, Edition.COALITION, "md", as_of=as_of).content
        for _ in range(2)
    ]
    assert md[0] == md[1]


def test_the_marking_is_on_every_page_and_the_name_on_the_cover(muster: Muster) -> None:
    marked = Muster(
        muster.engine,
        clock=muster.clock,
        coordinators=[COORDINATOR],
        marking="NATO UNCLASSIFIED // REL COALITION",
        coalition="Coalition for the host nation",
    )
    small_coalition(marked)
    rb = report_docx(marked, OTHER, Edition.COALITION)
    [section] = rb.document.sections
    header = [p.text for p in section.header.paragraphs]
    footer = [p.text for p in section.footer.paragraphs]
    assert header == ["NATO UNCLASSIFIED // REL COALITION"]
    assert footer[0] == "NATO UNCLASSIFIED // REL COALITION"
    assert footer[1].startswith(
        "Force generation report · Coalition edition · as of 23 Nov 2026, 09:00 (Europe/Brussels) · page "
    )
    cover = rb.sections[0].paragraphs
    assert [p for _, p in cover][:3] == [
        "Coalition: Coalition for the host nation",
        "As of: 23 Nov 2026, 09:00 (Europe/Brussels)",
        "Coalition edition. Releasable to every delegation: restricted pledges are counted "
        "inside the totals and shown nowhere else.",
    ]


MERIDIA_NIL = "no deployable air-defence or medical capacity this rotation"


@pytest.mark.parametrize("edition", list(Edition))
def test_open_calls_are_tallied_as_the_digest_tallies_them(demo: Muster, edition: Edition) -> None:
    """The demo's C-1 (the safe-skies lines and LAND-2): its tally in the summary, in
    the words `/muster call status` and the digest use, for either edition."""
    full = edition == Edition.COORDINATORS
    [call] = demo.digests.digest(demo.clock(), demo.clock(), full_view=full).calls
    summary = report_docx(demo, COORDINATOR, edition).section("Summary")
    [said] = summary.bullets("Open calls for contributions (1):")
    lines = ", ".join(v.code for v in call.lines)
    assert said == f"C-1: {lines}, due {moment(call.deadline)}: {call.tally.sentence()}."
    if full:
        assert "1 nil return" in said and "silent: " in said
        assert call.tally.sentence() == demo.calls.status(COORDINATOR, 1).tally.sentence()
    else:  # who is silent is the coordinators' (bot.domain.calls.Tally)
        assert "1 nil return" in said and "; 4 silent" in said and "silent: " not in said


def test_nil_returns_are_in_their_delegations_annex_for_the_coordinators_only(
    demo: Muster,
) -> None:
    full = report_docx(demo, COORDINATOR, Edition.COORDINATORS)
    meridia = full.section("Annex D · Meridia (MER)")
    [response] = [r for r in demo.calls.status(COORDINATOR, 1).responses if r.delegation == "MER"]
    assert response.state.value == "declined" and response.at is not None
    assert meridia.paragraph("Nil returns: ") == (
        "Nil returns: 1 nil return (nothing to offer, in writing)."
    )
    assert meridia.tables[-1] == [
        ["For", "Recorded", "Reason"],
        ["C-1 (SKY LAND-2)", moment(response.at), MERIDIA_NIL],
    ]
    northmark = full.section("Annex E · Northmark (NM)")
    assert northmark.paragraph("Nil returns: ") == "Nil returns: none recorded."
    coalition = report_docx(demo, DELEGATE, Edition.COALITION)
    assert MERIDIA_NIL not in coalition.text
    for annex in coalition.starting("Annex "):
        assert annex.paragraph("Nil returns: ") == (
            "Nil returns: in the coordinators' edition: how a delegation answered a call "
            "is for the coordinators and that delegation."
        )


@pytest.mark.parametrize("annex_limit", [100, 0])
def test_a_stale_pledge_counts_as_pending_in_the_report_as_everywhere(
    demo: Muster, clock: FixedClock, annex_limit: int
) -> None:
    """Pledges not reconfirmed in time go stale (issue 12): the report's lines, its
    annexes listed pledge by pledge and its annexes summed per line all say pending."""
    demo.reconfirmations.set_policy(COORDINATOR, Policy(90, 14))
    start = clock()
    for days in (91, 106):  # asked to reconfirm, then past the grace
        clock.set(start + timedelta(days=days))
        demo.reconfirmations.run(clock(), request_message)
    stale = [p for p in demo.pledges.list_pledges(COORDINATOR, page=None).pledges if p.stale]
    assert any(p.status == PledgeStatus.CONFIRMED for p in stale), "nothing firm went stale"
    rb = report_docx(demo, COORDINATOR, Edition.COORDINATORS, annex_limit=annex_limit)
    if annex_limit:  # each pledge listed: the whole report against the services
        check_report(demo, rb, Edition.COORDINATORS)
        listed = [row for sec in rb.sections for t in sec.tables for row in t]
        assert any(", stale" in row[3] and row[4] == "Pending" for row in listed if len(row) > 4)
        return
    order = [v.code for v in demo.requirements.list_requirements(COORDINATOR)]
    for code in {p.delegation for p in stale}:
        pledges = annex_pledges(demo, code, Edition.COORDINATORS, order)
        [annex] = [sec for sec in rb.sections if sec.title.endswith(f"({code})")]
        [rows] = annex.tables[:1]
        for line in {p.requirement for p in pledges}:
            [row] = [r for r in rows if r[0] == line]
            on_line = [p for p in pledges if p.requirement == line]
            unit = on_line[0].unit
            assert row[2:] == [
                amount(sum(p.quantity for p in on_line if counts_as(p) == w), unit)
                for w in ("Firm", "Pending", "Conditional")
            ]
