"""The co-chairs' written report, read in one snapshot: coverage, critical shortfalls,
the changes since the previous report and conditional capacity from the digest's own
reads (bot.services.digests), the questions, the calls, and each delegation's annex.

Two editions. The coordinators' shows everything. The coalition's is what every
delegation may see (access.CHANNEL_AUDIENCE): a restricted pledge is inside the
totals and nowhere else, not in any delegation's annex, not in a change, not in a
class of condition, so nothing in it can be subtracted to find one."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from sqlmodel import Session

from bot.domain.model import PledgeFigure, PledgeStatus, requirement_coverage
from bot.domain.read_models import QuestionView, RequirementView, StatusReport
from bot.services import loaders
from bot.services.answer_notices import published_answers
from bot.services.digests import Hinge
from bot.services.exporting import snapshot
from bot.services.muster import Muster
from bot.services.report_calls import CallsPicture, calls_for_report
from bot.services.report_model import (
    AnnexLine,
    ConditionCapacity,
    DelegationAnnex,
    Edition,
    WrittenReport,
    check_edition,
)
from storage import queries as q
from storage import report_queries as rq

# A delegation with more live pledges than this is listed by line in its annex (with
# how many pledges each line holds): page after page of one nation's pledges is no
# report. Every pledge is in `/muster export xlsx`, which the annex says.
ANNEX_LIMIT = 100
FIRST_REPORT = timedelta(days=7)  # with no previous report, the changes of a week
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def build_report(
    muster: Muster,
    user_id: str,
    edition: Edition,
    *,
    as_of: datetime | None = None,
    annex_limit: int = ANNEX_LIMIT,
) -> WrittenReport:
    """The report ``edition`` as of ``as_of`` (now, by the clock, unless given), for
    ``user_id``, who must be entitled to it."""
    # The moment before the snapshot: a change stamped before it but committed after the
    # snapshot began would otherwise fall before the next report's window, and be in
    # neither report.
    as_of = as_of or muster.clock()
    with snapshot(muster) as s:
        check_edition(muster.uow.registered(s, user_id), edition)
        return read_report(s, muster, edition, as_of, annex_limit)


def read_report(
    s: Session, muster: Muster, edition: Edition, as_of: datetime, annex_limit: int
) -> WrittenReport:
    full = edition == Edition.COORDINATORS
    previous = rq.previous_issue(s, edition.value, as_of)
    since = previous or as_of - FIRST_REPORT
    digest = muster.digests.digest_in(s, as_of, since, full_view=full)
    report = digest.report
    views = [v for part in report.objectives for v in part.requirements]
    calls = calls_for_report(s, digest.calls, full_view=full)
    return WrittenReport(
        edition=edition,
        coalition=muster.coalition,
        as_of=as_of,
        zone=muster.timezone,
        marking=muster.marking,
        previous=previous,
        since=since,
        status=report,
        shortfalls=digest.shortfalls,
        changes=digest.changes,
        silent=digest.silent,
        calls=calls.open_calls,
        decisions=decisions(digest.open_questions, report),
        capacity=capacity(digest.hinges, views, full=full),
        open_questions=digest.open_questions,
        published=published_answers(s, full, EPOCH, as_of),
        annexes=_annexes(s, views, calls, full=full, limit=annex_limit),
        annex_limit=annex_limit,
    )


def decisions(
    open_questions: Sequence[QuestionView], report: StatusReport
) -> tuple[QuestionView, ...]:
    """The open questions that hold up a line with a gap: asked about such a line, about
    an objective that has one, or about the plan as a whole (which bears on every line).
    Until they are answered, nations wait to pledge: the co-chairs' decisions needed."""
    short = {v.code for p in report.objectives for v in p.requirements if not v.coverage.filled}
    short |= {p.objective.code for p in report.objectives if p.rollup.with_gap}
    return tuple(q for q in open_questions if q.about is None or q.about in short)


def capacity(
    hinges: Sequence[Hinge], views: Sequence[RequirementView], *, full: bool
) -> tuple[ConditionCapacity, ...]:
    """Conditional capacity by class of condition, as the digest sums it. The digest
    leaves restricted pledges out of the classes for every delegation's eyes (a
    condition is a pledge's detail); what they hold is added as one line of its own,
    the line's conditional figure less the classes, so the section adds up to the
    objective tables. For the coordinators nothing is left over."""
    classes = tuple(ConditionCapacity(h.kind, h.amounts) for h in hinges)
    shown: dict[str, Decimal] = defaultdict(Decimal)
    for hinge in hinges:
        for code, quantity, _unit in hinge.amounts:
            shown[code] += quantity
    rest = tuple(
        (v.code, Decimal(v.coverage.conditional) - shown[v.code], v.unit)
        for v in views
        if v.coverage.conditional > shown[v.code]
    )
    if not rest:
        return classes
    if full:  # every class is shown: a remainder would be a total out of step
        raise RuntimeError(f"conditional capacity without a class on {rest[0][0]}")
    return (*classes, ConditionCapacity(None, rest))


# --- the delegations' annexes -------------------------------------------------------


def _annexes(
    s: Session,
    views: Sequence[RequirementView],
    calls: CallsPicture,
    *,
    full: bool,
    limit: int,
) -> tuple[DelegationAnnex, ...]:
    """Each delegation's live pledges, as many as ``limit`` one by one, beyond that per
    line: summed in the database, never read one by one at coalition scale."""
    withdrawn = PledgeStatus.WITHDRAWN.value
    delegations = q.list_delegations(s)
    by_id = {loaders.row_id(d.id): d for d in delegations}
    order = {v.code: n for n, v in enumerate(views)}
    sums: dict[int, dict[str, list[rq.DelegationLineSum]]] = defaultdict(lambda: defaultdict(list))
    for row in rq.delegation_line_sums(s, withdrawn=withdrawn, with_restricted=full):
        sums[row.delegation_id][row.requirement].append(row)
    counts = {d: sum(r.pledges for rows in per.values() for r in rows) for d, per in sums.items()}
    few = [d for d in by_id if 0 < counts.get(d, 0) <= limit]
    listed = defaultdict(list)
    for p, d, r in rq.live_pledges_of(s, few, withdrawn=withdrawn, with_restricted=full):
        listed[p.delegation_id].append(loaders.pledge_view(p, d, r))
    lines = {v.code: v for v in views}
    annexes = []
    for delegation_id, d in by_id.items():
        pledges = sorted(
            listed[delegation_id], key=lambda p: (order[p.requirement], int(p.ref[2:]))
        )
        per_line = () if delegation_id in few else _by_line(sums[delegation_id], lines, order)
        annexes.append(
            DelegationAnnex(
                code=d.code,
                name=d.name,
                pledge_count=counts.get(delegation_id, 0),
                pledges=tuple(pledges),
                lines=per_line,
                nil_returns=calls.nil_returns.get(d.code, ()),
            )
        )
    return tuple(annexes)


def _by_line(
    per_line: dict[str, list[rq.DelegationLineSum]],
    lines: dict[str, RequirementView],
    order: dict[str, int],
) -> tuple[AnnexLine, ...]:
    """A delegation's pledges per line in the catalogue's order, split into firm,
    pending and conditional by the arithmetic every line's coverage uses."""
    found = []
    for code in sorted(per_line, key=order.__getitem__):
        rows = per_line[code]
        figures = [
            PledgeFigure(r.quantity, PledgeStatus(r.status), r.conditional, stale=r.stale)
            for r in rows
        ]
        c = requirement_coverage(lines[code].quantity, figures)
        found.append(
            AnnexLine(
                requirement=code,
                unit=lines[code].unit,
                pledges=sum(r.pledges for r in rows),
                firm=Decimal(c.firm),
                pending=Decimal(c.pending),
                conditional=Decimal(c.conditional),
            )
        )
    return tuple(found)
