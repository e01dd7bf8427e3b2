"""What every written report must say, checked against the services every reply uses:
the summary's counts and shortfalls, each objective's table, conditional capacity,
the questions and each delegation's annex. The expected figures come from the
services (status, digests, questions, pledges), never from the report's own code."""

from __future__ import annotations

import re
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

from bot.domain.model import CONDITION_LABELS, PledgeStatus, Rollup
from bot.domain.read_models import PledgeView, StatusReport, gaps_first
from bot.domain.wording import amount, counted, figure
from bot.services.muster import Muster
from bot.services.report_model import Edition
from tests.support.factories import COORDINATOR
from tests.support.reports import ReadBack, Rows, Section, figure_in


def headline(r: Rollup) -> str:
    if not r.count:
        return "No requirements yet."
    lines = f"Lines filled {r.filled:,} of {r.count:,}"
    if not r.critical_count:
        return f"{lines} · no critical lines."
    return (
        f"{lines} · critical lines filled {r.critical_filled:,} of {r.critical_count:,}"
        f" · critical shortfalls {r.critical_shortfalls:,}."
    )


def capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]


def quantity(text: str) -> Decimal:
    """The figure an amount starts with: "1,500 EUR/year" -> 1500."""
    return Decimal(text.split(" ")[0].replace(",", ""))


def check_summary(rb: ReadBack, status: StatusReport) -> None:
    summary = rb.section("Summary")
    assert summary.paragraphs[0][1] == headline(status.overall)
    views = [v for p in status.objectives for v in p.requirements]
    shortfalls = [v for v in gaps_first(views) if v.coverage.is_critical_shortfall]
    if not shortfalls:
        assert summary.paragraph("Critical shortfalls: none")
        return
    said = summary.bullets(f"Critical shortfalls ({len(shortfalls)}), worst first:")
    for line, v in zip(said, shortfalls, strict=False):
        c = v.coverage
        assert line.startswith(
            f"{v.code} {v.title}: firm {figure(c.firm)} of {amount(c.required, v.unit)}"
        ), line
        assert f"· open {figure(c.open)}" in line
    assert len(said) == min(len(shortfalls), 12) + (len(shortfalls) > 12)


def check_objectives(rb: ReadBack, status: StatusReport) -> None:
    for part in status.objectives:
        o = part.objective
        section = rb.section(f"{o.code} · {o.name}")
        assert headline(part.rollup) in [p for _, p in section.paragraphs]
        if not part.requirements:
            assert section.tables == []
            continue
        [table] = section.tables
        assert table[0] == [
            "Line", "Requirement", "Required", "Firm", "Pending", "Conditional", "Open",
            "State", "Needed by",
        ]  # fmt: skip
        assert len(table) == len(part.requirements) + 1
        for row, v in zip(table[1:], part.requirements, strict=True):
            c = v.coverage
            state = c.rating.value.capitalize() + (
                ", critical shortfall" if c.is_critical_shortfall else ""
            )
            assert row[0] == v.code and row[1].startswith(v.title + "\n")
            assert row[2:6] == [
                amount(v.quantity, v.unit),
                figure(c.firm),
                figure(c.pending),
                figure(c.conditional),
            ]
            assert row[6].startswith(figure(c.open)) and row[7] == state
            # The four words add up to the requirement, less what is over-pledged.
            firm, pending, conditional = (quantity(x) for x in row[3:6])
            assert firm + pending + conditional + quantity(row[6]) == v.quantity + c.over


def check_capacity(muster: Muster, rb: ReadBack, status: StatusReport, edition: Edition) -> None:
    section = rb.section("Capacity by condition")
    views = {v.code: v for p in status.objectives for v in p.requirements}
    if not any(v.coverage.conditional for v in views.values()):
        assert "No pledge waits on a condition." in section.text
        return
    [table] = section.tables
    per_line: dict[str, Decimal] = {}
    for _class, code, title, said in table[1:]:
        assert title == views[code].title
        per_line[code] = per_line.get(code, Decimal(0)) + quantity(said)
    # Every line's conditional figure, and nothing else, is in the classes.
    assert per_line == {
        c: Decimal(v.coverage.conditional) for c, v in views.items() if v.coverage.conditional
    }
    digest = muster.digests.digest(
        muster.clock(), muster.clock(), full_view=edition == Edition.COORDINATORS
    )
    classes = [
        [capitalised(CONDITION_LABELS[h.kind]), code, amount(q, unit)]
        for h in digest.hinges
        for code, q, unit in h.amounts
    ]
    assert [[r[0], r[1], r[3]] for r in table[1 : 1 + len(classes)]] == classes
    rest = table[1 + len(classes) :]
    assert all(r[0].startswith("Restricted pledges (condition not disclosed") for r in rest)
    assert edition == Edition.COALITION or not rest


def check_questions(muster: Muster, rb: ReadBack, status: StatusReport, edition: Edition) -> None:
    section = rb.section("Open questions")
    every = muster.questions.list_questions(COORDINATOR, "all")
    open_ones = sorted((q for q in every if q.status.value == "open"), key=lambda q: q.asked_at)
    published = sorted(
        (q for q in every if q.published_at), key=lambda q: q.published_at or q.asked_at
    )
    short = {v.code for p in status.objectives for v in p.requirements if not v.coverage.filled}
    short |= {p.objective.code for p in status.objectives if p.rollup.with_gap}
    tables = list(section.tables)
    if open_ones:
        asked = tables.pop(0)
        full = edition == Edition.COORDINATORS
        assert ("Asked by" in asked[0]) == full
        for row, q in zip(asked[1:], open_ones, strict=True):
            assert row[0] == q.ref and row[1] == (q.about or "the whole plan")
            assert row[4] == ("Yes" if q.about is None or q.about in short else "No")
            assert row[-1] == q.text
            if full:
                assert row[5] == q.delegation
    else:
        assert "No question is open." in section.text
    if published:
        [shared] = tables
        assert [(r[0], r[3], r[4]) for r in shared[1:]] == [
            (q.ref, q.text, q.answer) for q in published
        ]
    else:
        assert tables == [] and "No answer has been published" in section.text


def annex_pledges(
    muster: Muster, code: str, edition: Edition, order: list[str]
) -> list[PledgeView]:
    """The live pledges a delegation's annex lists, from `/muster pledges <CODE>` as a
    coordinator sees it; the coalition's edition without the restricted ones."""
    listed = muster.pledges.list_pledges(COORDINATOR, code).pledges
    live = [p for p in listed if p.status != PledgeStatus.WITHDRAWN]
    if edition == Edition.COALITION:
        live = [p for p in live if not p.restricted]
    return sorted(live, key=lambda p: (order.index(p.requirement), int(p.ref[2:])))


def counts_as(p: PledgeView) -> str:
    if p.condition_kind is not None:
        return "Conditional"
    return "Firm" if p.status == PledgeStatus.CONFIRMED and not p.stale else "Pending"


NIL_RETURNS_HIDDEN = (
    "Nil returns: in the coordinators' edition: how a delegation answered a call is for "
    "the coordinators and that delegation."
)


def nil_returns(muster: Muster, code: str) -> Rows:
    """A delegation's nil returns as `/muster call status` gives them to coordinators."""
    found = []
    listed = muster.calls.calls(COORDINATOR)
    for call in (*listed.open, *listed.recent):
        for r in muster.calls.status(COORDINATOR, int(call.ref[2:])).responses:
            if r.delegation == code and r.state.value == "declined" and r.at is not None:
                found.append((r.at, [f"{call.ref} ({call.scope})", moment(r.at), r.reason]))
    return [row for _at, row in sorted(found, key=lambda f: f[0])]


def moment(at: datetime) -> str:
    return f"{at.astimezone(ZoneInfo('Europe/Brussels')):%d %b %Y, %H:%M}".lstrip("0")


def check_nil_returns(muster: Muster, annex: Section, code: str, edition: Edition) -> int:
    """The annex's nil returns; how many tables they take (none, or one)."""
    said = annex.paragraph("Nil returns: ")
    if edition == Edition.COALITION:
        assert said == NIL_RETURNS_HIDDEN
        return 0
    expected = nil_returns(muster, code)
    if not expected:
        assert said == "Nil returns: none recorded."
        return 0
    assert (
        said
        == f"Nil returns: {counted(len(expected), 'nil return')} (nothing to offer, in writing)."
    )
    assert annex.tables[-1] == [["For", "Recorded", "Reason"], *expected]
    return 1


def check_annexes(muster: Muster, rb: ReadBack, status: StatusReport, edition: Edition) -> None:
    order = [v.code for p in status.objectives for v in p.requirements]
    delegations = muster.delegations.list_delegations(COORDINATOR)
    annexes = rb.starting("Annex ")
    assert len(annexes) == len(delegations)
    for annex, d in zip(annexes, delegations, strict=True):
        assert annex.title.endswith(f" · {d.name} ({d.code})")
        nil_tables = check_nil_returns(muster, annex, d.code, edition)
        pledges = annex_pledges(muster, d.code, edition, order)
        if not pledges:
            assert annex.paragraph("Pledges: ") == "Pledges: No live pledge."
            assert len(annex.tables) == nil_tables
            continue
        assert annex.paragraph("Pledges: ") == f"Pledges: {counted(len(pledges), 'live pledge')}."
        rows: Rows = annex.tables[0]
        assert len(rows) == len(pledges) + 1
        for row, p in zip(rows[1:], pledges, strict=True):
            assert row[:3] == [p.ref, p.requirement, amount(p.quantity, p.unit)]
            assert row[4] == counts_as(p) and row[6] == p.caveats
            assert row[5].startswith(p.condition)
            assert (", stale" in row[3]) == p.stale
            assert row[3].endswith(", restricted") == (
                p.restricted and edition == Edition.COORDINATORS
            )


def check_report(muster: Muster, rb: ReadBack, edition: Edition) -> None:
    """Every section's figures against the services."""
    status = muster.reports.status(COORDINATOR)
    check_summary(rb, status)
    check_objectives(rb, status)
    check_capacity(muster, rb, status, edition)
    check_questions(muster, rb, status, edition)
    check_annexes(muster, rb, status, edition)


def check_releasable(rb: ReadBack, restricted: list[PledgeView]) -> None:
    """The coalition's edition: no restricted pledge with its delegation or a detail,
    anywhere a reader can look (its reference, its caveats, its condition, its
    quantity in its delegation's annex or in a change)."""
    text = rb.text
    # The changes, not the shortfalls: a line's totals hold every pledge.
    changes = "\n".join(rb.section("Summary").bullets("Changes "))
    for p in restricted:
        assert not re.search(rf"(?<![\w-]){p.ref}(?!\d)", text), p.ref
        assert p.caveats not in text and p.condition not in text, p.ref
        [annex] = [a for a in rb.starting("Annex ") if a.title.endswith(f"({p.delegation})")]
        assert not figure_in(annex.text, figure(p.quantity)), (p.ref, p.quantity)
        assert not figure_in(changes, figure(p.quantity)), (p.ref, p.quantity)
