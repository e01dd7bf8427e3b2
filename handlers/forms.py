"""Building and reading Block Kit forms (modals) within Slack's limits."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import (
    Block,
    CheckboxesElement,
    ContextBlock,
    DatePickerElement,
    InputBlock,
    MarkdownTextObject,
    NumberInputElement,
    Option,
    OptionGroup,
    PlainTextInputElement,
    SectionBlock,
    StaticSelectElement,
)
from slack_sdk.models.views import View

from bot.domain.errors import BadInput
from bot.domain.model import MAX_QUANTITY
from bot.domain.read_models import RequirementView
from bot.domain.text import strip_controls
from bot.domain.wording import amount, figure, tidy
from handlers.blocks import CLASSIFIED_NOTICE, MAX_MODAL_BLOCKS, MAX_OPTION_TEXT, truncate
from handlers.grammar import read_quantity
from handlers.ids import FIELD_ACTION

MAX_OPTIONS_PER_GROUP = 100
MAX_TITLE = 24  # modal titles


def option(text: str, value: str) -> Option:
    return Option(text=truncate(text, MAX_OPTION_TEXT), value=value)


def requirement_option(view: RequirementView) -> Option:
    """The line, then how firm it is (kept whole: the title gives way to it)."""
    c = view.coverage
    state = (
        " · filled" if c.filled else f" · firm {figure(c.firm)} of {amount(c.required, view.unit)}"
    )
    name = f"{view.code} {view.title}"
    if len(state) < MAX_OPTION_TEXT - len(view.code) - 2:
        name = truncate(name, MAX_OPTION_TEXT - len(state))
    return option(name + state, view.code)


def requirement_groups(views: Sequence[RequirementView]) -> list[OptionGroup]:
    """Requirements grouped by objective; in a crowded objective the largest gaps win a place."""
    groups: list[OptionGroup] = []
    for objective in dict.fromkeys(v.objective for v in views):
        members = [v for v in views if v.objective == objective]
        if len(members) > MAX_OPTIONS_PER_GROUP:
            members = sorted(members, key=lambda v: (v.coverage.filled, v.coverage.fill))[
                :MAX_OPTIONS_PER_GROUP
            ]
            members.sort(key=lambda v: int(v.code.split("-")[1]))
        groups.append(
            OptionGroup(label=objective, options=[requirement_option(v) for v in members])
        )
    return groups


def select(
    block_id: str,
    label: str,
    *,
    options: Sequence[Option] | None = None,
    groups: Sequence[OptionGroup] | None = None,
    initial: str | None = None,
    optional: bool = False,
    placeholder: str = "Choose…",
) -> InputBlock:
    flat = list(options or []) + [o for g in groups or [] for o in g.options or []]
    chosen = next((o for o in flat if o.value == initial), None)
    element = StaticSelectElement(
        action_id=FIELD_ACTION,
        placeholder=placeholder,
        options=list(options) if options else None,
        option_groups=list(groups) if groups else None,
        initial_option=chosen,
    )
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def text_input(
    block_id: str,
    label: str,
    *,
    max_length: int,
    multiline: bool = False,
    optional: bool = False,
    initial: str | None = None,
    placeholder: str | None = None,
) -> InputBlock:
    element = PlainTextInputElement(
        action_id=FIELD_ACTION,
        max_length=max_length,
        multiline=multiline,
        initial_value=initial,
        placeholder=placeholder,
    )
    return InputBlock(block_id=block_id, label=label, element=element, optional=optional)


def number_input(block_id: str, label: str, *, initial: Decimal | None = None) -> InputBlock:
    """A quantity: up to two decimal places (0.25 of a battlegroup), read exactly."""
    element = NumberInputElement(
        action_id=FIELD_ACTION,
        is_decimal_allowed=True,
        min_value="0.01",
        max_value=str(MAX_QUANTITY),
        initial_value=str(tidy(initial)) if initial else None,
    )
    return InputBlock(block_id=block_id, label=label, element=element)


def date_input(block_id: str, label: str, *, initial: date | None = None) -> InputBlock:
    return InputBlock(
        block_id=block_id,
        label=label,
        element=DatePickerElement(
            action_id=FIELD_ACTION, initial_date=initial.isoformat() if initial else None
        ),
        optional=True,
    )


def checkbox(
    block_id: str, label: str, text: str, description: str = "", *, initial: bool = False
) -> InputBlock:
    choice = Option(
        text=MarkdownTextObject(text=text), value="yes", description=description or None
    )
    return InputBlock(
        block_id=block_id,
        label=label,
        element=CheckboxesElement(
            action_id=FIELD_ACTION, options=[choice], initial_options=[choice] if initial else None
        ),
        optional=True,
    )


def modal(
    title: str,
    callback_id: str,
    blocks: Sequence[Block],
    *,
    submit: str | None = "Submit",
    metadata: dict[str, Any] | None = None,
    close: str = "Cancel",
) -> dict[str, Any]:
    notice = ContextBlock(elements=[MarkdownTextObject(text=f"⚠️ {CLASSIFIED_NOTICE}")])
    body = [*list(blocks)[: MAX_MODAL_BLOCKS - 1], notice]
    view = View(
        type="modal",
        callback_id=callback_id,
        title=truncate(title, MAX_TITLE),
        submit=submit,
        close=close,
        blocks=body,
        private_metadata=json.dumps(metadata) if metadata else None,
    )
    return view.to_dict()


def done(title: str, lines: Sequence[str]) -> dict[str, Any]:
    """The view a form turns into once its submission has been applied."""
    blocks = [SectionBlock(text=MarkdownTextObject(text=truncate("\n".join(lines), 3000)))]
    return View(
        type="modal", title=truncate(title, MAX_TITLE), close="Done", blocks=blocks
    ).to_dict()


# --- reading a submitted form --------------------------------------------------------


class Form:
    """The values of a submitted view, by field (block id)."""

    def __init__(self, view: dict[str, Any]) -> None:
        self.values: dict[str, dict[str, Any]] = {
            block: fields.get(FIELD_ACTION, {})
            for block, fields in view.get("state", {}).get("values", {}).items()
        }
        self.metadata: dict[str, Any] = json.loads(view.get("private_metadata") or "{}")

    # What a field holds is text from outside: control characters go here, before
    # it reaches a lookup or the database (PostgreSQL refuses NUL even in a query).
    def text(self, name: str) -> str:
        return strip_controls(self.values.get(name, {}).get("value") or "").strip()

    def choice(self, name: str) -> str | None:
        selected = self.values.get(name, {}).get("selected_option")
        return strip_controls(str(selected["value"])) if selected else None

    def checked(self, name: str) -> bool:
        return bool(self.values.get(name, {}).get("selected_options"))

    def date(self, name: str) -> date | None:
        raw = self.values.get(name, {}).get("selected_date")
        try:
            return date.fromisoformat(raw) if raw else None
        except (TypeError, ValueError):
            raise BadInput("Pick a date from the calendar.", field=name) from None

    def one_of(self, name: str, allowed: Iterable[str], default: str) -> str:
        """A select's value, which must be one the form offered."""
        value = self.choice(name) or default
        if value not in set(allowed):
            raise BadInput("Choose one of the options.", field=name)
        return value

    def number(self, name: str) -> Decimal:
        """A quantity, read as a command reads it (handlers.grammar.read_quantity)."""
        try:
            return read_quantity(self.text(name))
        except BadInput as exc:
            raise BadInput(exc.message, field=name) from None

    def required(self, name: str, what: str) -> str:
        value = self.choice(name) or self.text(name)
        if not value:
            raise BadInput(f"Choose {what}.", field=name)
        return value
