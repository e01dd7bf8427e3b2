"""Block Kit building blocks: escaping, limits, and the Reply every feature returns.

Blocks are made with slack_sdk's model classes, which check Slack's own limits;
long content is cut up or truncated visibly here before it ever reaches them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar

from slack_sdk import WebClient
from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    MarkdownTextObject,
    PlainTextObject,
    SectionBlock,
)

from bot.domain.errors import BadInput
from bot.domain.model import Rating
from bot.domain.read_models import Page
from bot.domain.wording import counted
from bot.services.report_issues import IssueRequest
from handlers.ids import ACTION_ANSWER, ACTION_PLEDGE

MAX_BLOCKS = 50
MAX_MODAL_BLOCKS = 100
MAX_OPTION_TEXT = 75
MAX_SECTION = 3000
MAX_HEADER = 150
MAX_FALLBACK = 3000  # the blocks carry the content; the fallback feeds notifications
CLASSIFIED_NOTICE = (
    "Slack is not accredited for classified information. Keep pledges, caveats and "
    "questions at the level your nation allows on an unclassified system."
)
RATING_ICON = {Rating.GREEN: "🟢", Rating.AMBER: "🟠", Rating.RED: "🔴"}


def esc(text: object) -> str:
    """Escape user text so it cannot mention @channel, link, or format as a Slack command."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Notice:
    """A message to post somewhere other than the reply (e.g. a DM to an asker)."""

    channel: str
    text: str
    blocks: list[dict[str, Any]]
    thread_ts: str | None = None


@dataclass(frozen=True)
class ExportRequest:
    """A report file for one user, built and sent after the acknowledgement: on a
    large coalition it takes longer than Slack will wait."""

    user: str
    format: str  # csv | xlsx


@dataclass(frozen=True)
class PreviewRequest:
    """A digest preview for one user, answered through the command's response URL:
    on a large coalition building it takes longer than Slack waits for the ack."""

    user: str
    response_url: str


@dataclass(frozen=True)
class FollowUps:
    """Slow work after the reply has gone: posts, announcements, App Home refreshes,
    digests on demand and file uploads."""

    notices: tuple[Notice, ...] = ()
    announce_question: int | None = None
    refresh_home: tuple[str, ...] = ()
    digest_to: str | None = None
    upload: ExportRequest | None = None
    preview: PreviewRequest | None = None
    send_notices: bool = False  # direct messages an answer or a link owes
    report: IssueRequest | None = None  # a written report to build and send by DM
    send_messages: bool = False  # direct messages the outbox owes (bot.services.outbox)
    plan_calls: bool = False  # what calls for contributions owe, owed and sent now

    def __bool__(self) -> bool:
        return any(bool(v) for v in vars(self).values())


# The context key under which the runtime puts its hand-off to the worker pool.
FOLLOW_UP = "follow_up"


def hand_off(context: dict[str, Any], work: FollowUps) -> None:
    """Give slow work to the runtime's pool once the answer has gone, and only when
    there is some: a read answers and is done, with no copy of the request handed to
    a thread for nothing."""
    if work:
        context[FOLLOW_UP](work)


@dataclass
class Reply:
    """What a command answers: Block Kit plus a plain-text fallback, or a form to open."""

    text: str
    blocks: list[dict[str, Any]]
    notices: list[Notice] = field(default_factory=list)
    response_type: str = "ephemeral"
    modal: dict[str, Any] | None = None
    announce_question: int | None = None
    digest_to: str | None = None
    upload: ExportRequest | None = None
    refresh_home: tuple[str, ...] = ()  # others whose Home tab this changed
    preview: bool = False  # the digest preview follows through the response URL
    send_notices: bool = False  # direct messages an answer or a link owes
    report: IssueRequest | None = None  # the written report follows by direct message
    send_messages: bool = False  # direct messages the outbox owes
    plan_calls: bool = False  # what calls for contributions owe, owed and sent now


class MessageBuilder:
    """Collects headed sections of mrkdwn lines, then packs them into blocks
    that respect Slack's limits, and the same content as plain text."""

    def __init__(self, title: str) -> None:
        self.title = title
        self._parts: list[tuple[str, Any]] = []

    def lines(self, lines: Iterable[str]) -> MessageBuilder:
        self._parts.append(("lines", list(lines)))
        return self

    def line(self, line: str) -> MessageBuilder:
        return self.lines([line])

    def section(self, text: str, button: ButtonElement | None = None) -> MessageBuilder:
        """One block of its own, with an optional button beside it."""
        self._parts.append(("section", (text, button)))
        return self

    def divider(self) -> MessageBuilder:
        self._parts.append(("divider", None))
        return self

    def context(self, text: str) -> MessageBuilder:
        self._parts.append(("context", text))
        return self

    def actions(self, buttons: Sequence[ButtonElement]) -> MessageBuilder:
        """A row of buttons, in a block of its own (they carry no text of their own)."""
        self._parts.append(("actions", list(buttons)))
        return self

    def entries(
        self, entries: Sequence[tuple[str, ButtonElement | None]], more: str
    ) -> MessageBuilder:
        """Whole entries (a requirement's lines), each a block with its button while
        the message has room; otherwise packed several to a block without buttons, and
        what still does not fit is counted in "…and N more" with ``more``, the command
        that shows them. Nothing is dropped silently."""
        self._parts.append(("entries", (list(entries), more)))
        return self

    def build(self, *, notices: Sequence[Notice] = ()) -> Reply:
        blocks: list[Any] = [
            HeaderBlock(text=PlainTextObject(text=truncate(self.title, MAX_HEADER)))
        ]
        text_parts = [self.title]
        room = MAX_BLOCKS - 1 - self._fixed_blocks()
        entries = sum(len(v[0]) for k, v in self._parts if k == "entries")
        one_each = entries <= room
        for kind, value in self._parts:
            if kind == "divider":
                blocks.append(DividerBlock())
            elif kind == "section":
                body, button = value
                blocks.append(
                    SectionBlock(
                        text=MarkdownTextObject(text=truncate(body, MAX_SECTION)), accessory=button
                    )
                )
                text_parts.append(body)
            elif kind == "context":
                blocks.append(
                    ContextBlock(elements=[MarkdownTextObject(text=truncate(value, MAX_SECTION))])
                )
                text_parts.append(value)
            elif kind == "actions":
                blocks.append(ActionsBlock(elements=value))
            elif kind == "entries":
                listed, more = value
                if one_each:
                    for body, button in listed:
                        blocks.append(
                            SectionBlock(
                                text=MarkdownTextObject(text=truncate(body, MAX_SECTION)),
                                accessory=button,
                            )
                        )
                    text_parts.extend(body for body, _ in listed)
                else:
                    texts, _left = pack([body for body, _ in listed], max(1, room), more)
                    room -= len(texts)
                    blocks += [SectionBlock(text=MarkdownTextObject(text=t)) for t in texts]
                    text_parts.extend(texts)
            else:
                for chunk in _chunks(value):
                    blocks.append(SectionBlock(text=MarkdownTextObject(text=chunk)))
                text_parts.extend(value)
        blocks = _fit(blocks)
        return Reply(
            text=truncate("\n".join(text_parts), MAX_FALLBACK),
            blocks=[b.to_dict() for b in blocks],
            notices=list(notices),
        )

    def _fixed_blocks(self) -> int:
        """Blocks of every part but the entries."""
        return sum(
            0 if kind == "entries" else len(_chunks(value)) if kind == "lines" else 1
            for kind, value in self._parts
        )


MORE_ROOM = 160  # characters kept free in a packed block for its "…and N more: <command>"


def pack(entries: Sequence[str], max_blocks: int, more: str) -> tuple[list[str], int]:
    """Whole entries packed into at most ``max_blocks`` section texts of at most
    MAX_SECTION characters each. What does not fit is counted on a last line, "…and N
    more: ``more``"; returns the texts and that N (0 when everything fits)."""
    texts: list[str] = []
    current = ""
    limit = MAX_SECTION - MORE_ROOM
    for index, entry in enumerate(entries):
        entry = truncate(entry, limit)
        candidate = f"{current}\n{entry}" if current else entry
        if len(candidate) <= limit:
            current = candidate
            continue
        if len(texts) + 1 >= max_blocks:
            left = len(entries) - index
            texts.append(truncate(f"{current}\n…and {left:,} more: {more}", MAX_SECTION))
            return texts, left
        texts.append(current)
        current = entry
    if current:
        texts.append(current)
    return texts, 0


def _chunks(lines: Sequence[str]) -> list[str]:
    """Pack lines into section texts of at most MAX_SECTION characters."""
    chunks: list[str] = []
    current = ""
    for line in lines:
        line = truncate(line, MAX_SECTION)
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION:
            chunks.append(current)
            current = line
        else:
            current = candidate
    if current:
        chunks.append(current)
    return chunks


def _fit(blocks: list[Any]) -> list[Any]:
    if len(blocks) <= MAX_BLOCKS:
        return blocks
    kept = blocks[: MAX_BLOCKS - 1]
    dropped = len(blocks) - len(kept)
    # A last resort: every list packs or pages itself before it gets here.
    note = f"…{counted(dropped, 'more block')} not shown. Narrow the list, e.g. by objective."
    return [*kept, ContextBlock(elements=[MarkdownTextObject(text=note)])]


def page_note(page: Page, command: str, *, latest_first: bool = False) -> str | None:
    """Where a long list's page stands and the command for the next one; None when
    the list fits on one page."""
    if page.pages == 1:
        return None
    first, last = page.offset + 1, min(page.offset + page.size, page.total)
    note = (
        f"Showing {first:,}–{last:,} of {page.total:,}{', latest first' if latest_first else ''}."
    )
    if page.has_more:
        label = "Earlier entries" if latest_first else "The next"
        note += f" {label}: `/muster {command} page {page.number + 1}`"
    return note


T = TypeVar("T")


def paginate(items: Sequence[T], page: Page, what: str) -> tuple[Page, Sequence[T]]:
    """One page of a list held whole (a statement's requirements), with its count;
    BadInput for a page past the end."""
    numbered = page.counted(len(items))
    if page.number > numbered.pages:
        raise BadInput(
            f"There is no page {page.number:,}: {what} fit on {counted(numbered.pages, 'page')}."
        )
    return numbered, items[numbered.offset : numbered.offset + numbered.size]


def pledge_button(requirement_code: str) -> ButtonElement:
    return ButtonElement(text="Pledge", action_id=ACTION_PLEDGE, value=requirement_code)


def answer_button(question_ref: str) -> ButtonElement:
    return ButtonElement(
        text="Answer", action_id=ACTION_ANSWER, value=question_ref, style="primary"
    )


def open_form(client: WebClient, trigger_id: str, view: dict[str, Any]) -> None:
    """views.open with its own short timeout and no retries: a trigger lives three
    seconds and the user is waiting, so fail fast and say so rather than retry past it."""
    WebClient(token=client.token, base_url=client.base_url, timeout=2).views_open(
        trigger_id=trigger_id, view=view
    )


def form_reply(view: dict[str, Any]) -> Reply:
    """A reply that opens a form instead of posting a message."""
    return Reply(text="", blocks=[], modal=view)


def simple(text: str, *, notices: Sequence[Notice] = ()) -> Reply:
    """A one-paragraph reply."""
    block = SectionBlock(text=MarkdownTextObject(text=truncate(text, MAX_SECTION)))
    return Reply(text=text, blocks=[block.to_dict()], notices=list(notices))
