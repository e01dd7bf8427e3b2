"""Answers that reach who needs them: what the coordinator who answers is told, the
direct messages each member gets, duplicate questions linked, and the digest's
"Answers for all"."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from slack_sdk.models.blocks import MarkdownTextObject, SectionBlock

from bot.domain.errors import BadInput
from bot.domain.read_models import QuestionView
from bot.services.answer_notices import DUPLICATE, LINKED, PUBLISHED, OwedNotice
from bot.services.digests import Digest
from bot.services.muster import Muster
from bot.services.questions import Linked
from handlers import usage as u
from handlers.blocks import MAX_SECTION, MessageBuilder, Reply, esc, truncate
from handlers.grammar import QUESTION_REF, Args, expect_end, ref_number
from handlers.questions import members, question_lines
from handlers.routing import Route

ALL_DELEGATIONS = "every delegation"


@dataclass(frozen=True)
class LinkDuplicate:
    question_id: int
    original_id: int


def parse_duplicate(args: Args) -> LinkDuplicate:
    """`question duplicate Q-4 of Q-2` (the `of` may be left out)."""
    usage = str(u.QUESTION_DUPLICATE)
    question_id = ref_number(args.get(0), QUESTION_REF, "question", usage)
    rest = list(args.tokens[1:])
    if rest and not rest[0].quoted and rest[0].word == "of":
        rest.pop(0)
    if not rest:
        raise BadInput(f"Which question does Q-{question_id} ask again?", usage)
    original_id = ref_number(rest[0], QUESTION_REF, "question", usage)
    expect_end(rest[1:], usage)
    return LinkDuplicate(question_id, original_id)


def run_duplicate(muster: Muster, user: str, cmd: LinkDuplicate) -> Reply:
    linked = muster.questions.duplicate(user, cmd.question_id, cmd.original_id)
    now = muster.clock()
    reply = (
        MessageBuilder(f"{linked.view.ref} is a duplicate of {linked.original.ref}")
        .lines(question_lines(linked.view, now))
        .lines(question_lines(linked.original, now))
        .context(link_told(linked))
        .build()
    )
    reply.send_notices = True
    reply.refresh_home = linked.members
    return reply


def link_told(linked: Linked) -> str:
    delegation = f"{linked.view.delegation}, which asked {linked.view.ref}"
    if not linked.sent.asking:
        return f"{delegation}, has no members to tell."
    verb = "is" if linked.sent.asking == 1 else "are"
    told = f"The {members(linked.sent.asking)} of {delegation}, {verb} being told"
    if linked.original.answer:
        return f"{told} the answer to {linked.original.ref}."
    return f"{told} that the answer to {linked.original.ref} will come to them."


# --- the direct messages -------------------------------------------------------------


def notice_message(notice: OwedNotice, now: datetime) -> tuple[str, list[dict[str, Any]]]:
    """The message one member gets. Members of one delegation all get the same one,
    whoever asked; other delegations see the question without who asked it."""
    view, own = notice.question, notice.own
    if notice.reason == PUBLISHED:
        builder = MessageBuilder(f"An answer for {ALL_DELEGATIONS}: {view.ref}")
        note = "The coordinators have shared this answer with every delegation."
    elif notice.reason == DUPLICATE:
        builder = MessageBuilder(f"Your delegation's question {own} has been answered")
        note = f"{own} asks the same as {view.ref}: this is the answer to {view.ref}."
    elif notice.reason == LINKED:
        builder = MessageBuilder(f"Your delegation's question {own} is linked to {view.ref}")
        note = f"{view.ref} asks the same; its answer will come to you here."
    else:
        builder = MessageBuilder(f"Your delegation's question {view.ref} has been answered")
        note = "Every member of your delegation gets this answer."
    reply = builder.lines(question_lines(view, now)).context(note).build()
    return reply.text, reply.blocks


# --- the digest ----------------------------------------------------------------------


def answers_for_all(digest: Digest) -> list[SectionBlock]:
    """The answers shared with every delegation this period, as many as one section
    holds, then how many more and where to read them."""
    if not digest.published:
        return []
    heading = f"*Answers for all ({len(digest.published)})*"
    lines: list[str] = []
    size = len(heading)
    for index, view in enumerate(digest.published):
        line = published_line(view)
        more = f"…and {len(digest.published) - index} more: `/muster questions all`"
        if size + len(line) + len(more) + 2 > MAX_SECTION:
            lines.append(more)
            break
        lines.append(line)
        size += len(line) + 1
    return [SectionBlock(text=MarkdownTextObject(text="\n".join([heading, *lines])))]


def published_line(view: QuestionView) -> str:
    about = f" ({view.about})" if view.about else ""
    question = esc(truncate(view.text, 200))
    return f"*{view.ref}*{about} {question}\n↳ {esc(truncate(view.answer, 400))}"


ROUTES = [
    Route(
        ("question", "duplicate"),
        u.QUESTION_DUPLICATE,
        parse_duplicate,
        run_duplicate,
        changes=True,
    ),
]
