"""The weekly digest and the gap alerts, as Block Kit within Slack's limits."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any
from zoneinfo import ZoneInfo

from slack_sdk.models.blocks import (
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    SectionBlock,
)

from bot.domain.model import ConditionKind, Rollup
from bot.domain.wording import amount, counted, figure, is_singular
from bot.services.digests import MAX_PER_CHANGE, Alert, ChangeLine, Changes, Digest
from handlers.answers import answers_for_all
from handlers.blocks import (
    MAX_BLOCKS,
    MAX_FALLBACK,
    MAX_SECTION,
    answer_button,
    esc,
    pack,
    pledge_button,
    truncate,
)
from handlers.call_messages import digest_lines
from handlers.coverage import LEGEND, average_line, counts, requirement_lines
from handlers.questions import age
from handlers.reports import objective_heading
from handlers.times import slack_date

MAX_QUESTIONS = 10
GAPS_COMMAND = "`/muster gaps`"
HINGE_PHRASES = {
    ConditionKind.US: "hinge on US enablers or a US backstop",
    ConditionKind.OTHER_BACKSTOP: "hinge on another nation's or a European backstop",
    ConditionKind.NATIONAL: "await national or parliamentary approval",
    ConditionKind.MANDATE: "await a mandate, a ceasefire or a host-nation invitation",
    ConditionKind.OTHER: "carry other conditions",
}


def _section(text: str, accessory: Any = None) -> SectionBlock:
    return SectionBlock(text=MarkdownTextObject(text=truncate(text, 3000)), accessory=accessory)


def _list_section(heading: str, lines: list[str], limit: int = 3000) -> SectionBlock:
    """A heading and whole lines, as many as fit; what does not fit is counted, not cut."""
    shown: list[str] = []
    size = len(heading)
    for index, line in enumerate(lines):
        more = f"…and {len(lines) - index} more."
        if size + len(line) + 1 > limit - len(more) - 1:
            shown.append(more)
            break
        shown.append(line)
        size += len(line) + 1
    return _section("\n".join([heading, *shown]))


def _capped(items: list[str], cap: int, total: int) -> str:
    """The first ``cap`` of ``items``, and how many of ``total`` that leaves out."""
    left = total - min(cap, len(items))
    extra = f" …and {left} more" if left > 0 else ""
    return "; ".join(items[:cap]) + extra


MAX_SILENT = 40


def _change(line: ChangeLine) -> str:
    if line.before is not None and line.after is not None and line.before != line.after:
        figures = f"{figure(line.before)} → {amount(line.after, line.unit)}"
    else:
        figures = amount(line.after if line.after is not None else line.before or 0, line.unit)
    return f"{line.ref} {line.delegation} → {line.requirement}: {esc(figures)}"


def change_lines(changes: Changes) -> list[str]:
    lines = []
    for label, kind, items in (
        ("New", "new", changes.new),
        ("Raised", "raised", changes.raised),
        ("Reduced", "reduced", changes.reduced),
        ("Confirmed", "confirmed", changes.confirmed),
        ("Withdrawn", "withdrawn", changes.withdrawn),
        ("Reconfirmed", "reconfirmed", changes.reconfirmed),
    ):
        # The service reads only the first lines of each kind and counts the rest.
        if total := changes.count(kind):
            shown = [_change(i) for i in items]
            lines.append(f"*{label} ({total})*: " + _capped(shown, MAX_PER_CHANGE, total))
    if changes.asked:
        lines.append(f"*Questions asked ({len(changes.asked)})*: {', '.join(changes.asked)}")
    if changes.answered:
        lines.append(
            f"*Questions answered ({len(changes.answered)})*: {', '.join(changes.answered)}"
        )
    if changes.undisclosed:
        lines.append(
            f"…and {counted(changes.undisclosed, 'change')} to undisclosed pledges,"
            " counted in the totals."
        )
    return lines or ["No changes."]


def stale_lines(digest: Digest) -> list[str]:
    """Firm capacity that went stale this period, per line: "2 batteries of firm
    capacity went stale: SKY-2 (P-3 CAL, P-7 VAL)". Empty when nothing did."""
    stale = digest.gone_stale
    lines = []
    for line in stale.firm:
        if not line.pledges:  # only undisclosed pledges: how many, never how much
            lines.append(
                f"{line.requirement}: {counted(line.undisclosed, 'undisclosed pledge')} "
                "of firm capacity went stale"
            )
            continue
        named = ", ".join(line.pledges)
        hidden = (
            f", and {counted(line.undisclosed, 'undisclosed pledge')} not counted here"
            if line.undisclosed
            else ""
        )
        lines.append(
            f"{esc(amount(line.quantity, line.unit))} of firm capacity went stale: "
            f"{line.requirement} ({named}){hidden}"
        )
    if stale.other:
        others = counted(stale.other, "pledge")
        lines.append(f"Also gone stale: {others} that counted as pending or conditional.")
    if lines:
        lines.append(
            "Not reconfirmed by their delegations in time, they count as pending until they are."
        )
    return lines


def hinge_lines(digest: Digest) -> list[str]:
    lines = []
    for hinge in digest.hinges:
        amounts = ", ".join(
            f"{esc(amount(qty, unit))} ({code})" for code, qty, unit in hinge.amounts
        )
        phrase = HINGE_PHRASES[hinge.kind]
        if len(hinge.amounts) == 1 and is_singular(hinge.amounts[0][1]):
            verb, rest = phrase.split(" ", 1)  # "1 battlegroup hinges on …"
            phrase = f"{verb[:-1]}ies {rest}" if verb.endswith("y") else f"{verb}s {rest}"
        lines.append(f"{amounts} {phrase}")
    return lines or ["No pledge waits on a condition."]


def open_question_summary(digest: Digest) -> list[str]:
    lines = []
    for question in digest.open_questions[:MAX_QUESTIONS]:
        old = digest.generated_at - question.asked_at
        flag = "⚠️ " if old.days >= 7 else ""
        who = f" ({question.delegation})" if question.delegation else ""
        lines.append(
            f"{flag}*{question.ref}*{who}, {age(question.asked_at, digest.generated_at)}: {esc(truncate(question.text, 200))}"
        )
    if len(digest.open_questions) > MAX_QUESTIONS:
        lines.append(f"…and {len(digest.open_questions) - MAX_QUESTIONS} more: `/muster questions`")
    return lines or ["None open."]


def local_day(digest: Digest) -> str:
    """The digest's date where its readers are, not in UTC."""
    return f"{digest.generated_at.astimezone(ZoneInfo(digest.zone)):%d %b %Y}"


def headline(rollup: Rollup) -> str:
    """The counts a planner reads first, as a sentence."""
    line = counts(rollup)
    return line[:1].upper() + line[1:]


def _gap_blocks(digest: Digest, room: int) -> list[Any]:
    """The critical shortfalls, every one of them: one block each with a Pledge button
    while they fit in ``room`` blocks, packed several to a block when they do not, and
    counted in "…and N more" with the command that lists them if even that is too few."""
    if not digest.shortfalls:
        return []
    blocks: list[Any] = [_section(f"*Critical shortfalls ({len(digest.shortfalls):,})*")]
    if len(digest.shortfalls) <= room - 1:
        return blocks + [
            _section("\n".join(requirement_lines(v)), pledge_button(v.code))
            for v in digest.shortfalls
        ]
    texts, _left = pack(
        ["\n".join(requirement_lines(v)) for v in digest.shortfalls], room - 1, GAPS_COMMAND
    )
    return blocks + [_section(text) for text in texts]


def _other_gaps(digest: Digest) -> list[Any]:
    others = sum(
        1
        for part in digest.report.objectives
        for v in part.requirements
        if v.coverage.gap and not v.coverage.is_critical_shortfall
    )
    if not digest.top_gaps:
        return []
    blocks: list[Any] = [_section(f"*Other gaps ({others:,}), worst first*")]
    blocks += [
        _section("\n".join(requirement_lines(v)), pledge_button(v.code)) for v in digest.top_gaps
    ]
    if others > len(digest.top_gaps):
        more = f"…and {others - len(digest.top_gaps):,} more: {GAPS_COMMAND}"
        blocks.append(ContextBlock(elements=[MarkdownTextObject(text=more)]))
    return blocks


def _calls(digest: Digest) -> list[Any]:
    """Each open call's count and who is silent."""
    if not digest.calls:
        return []
    heading = f"*Calls for contributions ({len(digest.calls):,} open)*"
    return [_list_section(heading, digest_lines(digest.calls, digest.generated_at))]


def render_digest(digest: Digest) -> tuple[str, list[dict[str, Any]]]:
    overall = digest.report.overall
    head: list[Any] = [
        HeaderBlock(text=f"Weekly status · {local_day(digest)}"),
        _section(f"*{headline(overall)}*\n{average_line(overall)}"),
        _section(
            "*By objective*\n"
            + "\n".join(
                f"{objective_heading(p.objective.code, p.objective.name, p.rollup)}\n"
                f"{average_line(p.rollup)}"
                for p in digest.report.objectives
            )
        ),
        DividerBlock(),
    ]
    silent = (
        ", ".join(f"{code} {esc(name)}" for code, name in digest.silent[:MAX_SILENT])
        + (
            f" …and {len(digest.silent) - MAX_SILENT:,} more"
            if len(digest.silent) > MAX_SILENT
            else ""
        )
        if digest.silent
        else "Every delegation pledged or asked something."
    )
    tail: list[Any] = [
        *_other_gaps(digest),
        DividerBlock(),
        _list_section(f"*Changes since {slack_date(digest.since)}*", change_lines(digest.changes)),
        *([_list_section("*Gone stale*", gone)] if (gone := stale_lines(digest)) else []),
        *answers_for_all(digest),
        _list_section("*Conditional capacity*", hinge_lines(digest)),
        _list_section(
            f"*Open questions ({len(digest.open_questions):,}), oldest first*",
            open_question_summary(digest),
        ),
        _list_section("*Not heard from this period*", [silent]),
        *_calls(digest),
    ]
    note = LEGEND
    if not digest.full_view:
        note += " Restricted pledges appear only inside totals."
    tail.append(
        ContextBlock(
            elements=[
                MarkdownTextObject(text=f"{note} Generated {slack_date(digest.generated_at)}.")
            ]
        )
    )
    blocks = head + _gap_blocks(digest, MAX_BLOCKS - len(head) - len(tail)) + tail
    fallback = (
        f"Weekly status · {local_day(digest)}: {headline(overall)}; "
        f"{counted(len(digest.open_questions), 'open question')}."
    )
    return truncate(fallback, MAX_FALLBACK), [b.to_dict() for b in blocks]


def render_alert(alert: Alert) -> tuple[str, list[dict[str, Any]]]:
    return render_alerts([alert])


def render_alerts(alerts: Sequence[Alert]) -> tuple[str, list[dict[str, Any]]]:
    """Everything one tick found for one channel, in one message: what concerns the
    same requirement (a withdrawal that turns a critical line red) reads together,
    under one Pledge button."""
    groups: dict[str, list[Alert]] = {}
    for alert in alerts:
        subject = alert.requirement.code if alert.requirement else alert.question or alert.subject
        groups.setdefault(subject, []).append(alert)
    blocks: list[dict[str, Any]] = []
    if len(alerts) > 1:
        blocks.append(_section(f"🚨 *{counted(len(alerts), 'gap alert')}*").to_dict())
    for same in groups.values():
        first = same[0]
        button = (
            pledge_button(first.requirement.code)
            if first.requirement
            else (answer_button(first.question) if first.question else None)
        )
        body = "\n".join(
            f"🚨 *{esc(a.title)}*\n" + "\n".join(esc(line) for line in a.lines) for a in same
        )
        blocks.append(_section(truncate(body, MAX_SECTION), button).to_dict())
    # Notifications show the plain text as typed: one sentence per alert.
    text = "\n".join(esc(f"{a.title}. {' '.join(a.lines)}") for a in alerts)
    return truncate(text, MAX_FALLBACK), blocks
