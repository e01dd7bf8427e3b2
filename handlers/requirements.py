"""The statement of requirements: adding, editing and listing lines with their coverage."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from slack_sdk.models.blocks import Option

from bot.domain.errors import BadInput
from bot.domain.model import Priority
from bot.domain.read_models import ObjectiveView, Page, RequirementView
from bot.services.muster import Muster
from handlers import forms
from handlers import usage as u
from handlers.blocks import (
    MessageBuilder,
    Reply,
    form_reply,
    page_note,
    paginate,
    pledge_button,
)
from handlers.coverage import LEGEND

# A requirement's lines are drawn in handlers.coverage, with every other view's; they
# are re-exported here, where the other features have always found them.
from handlers.coverage import coverage_line as coverage_line
from handlers.coverage import requirement_lines as requirement_lines
from handlers.coverage import tags as tags
from handlers.grammar import Args, expect_end, iso_date, paged, quantity, requirement_code
from handlers.ids import CALLBACK_REQUIREMENT
from handlers.routing import Route


@dataclass(frozen=True)
class AddRequirement:
    """Its fields are `Muster.add_requirement`'s keywords, so it is passed on as it is."""

    objective: str
    quantity: Decimal
    unit: str
    title: str
    priority: Priority = Priority.ESSENTIAL
    enabler: bool = False
    needed_by: date | None = None


@dataclass(frozen=True)
class OpenRequirementForm:
    pass


@dataclass(frozen=True)
class EditRequirement:
    code: str
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ListRequirements:
    objective: str | None = None
    page: Page = field(default_factory=Page)


def parse_priority(word: str, usage: u.Usage) -> Priority:
    try:
        return Priority(word.lower())
    except ValueError:
        raise BadInput(
            f"{word!r} is not a priority; use critical, essential or desirable.", str(usage)
        ) from None


def parse_add(args: Args) -> AddRequirement | OpenRequirementForm:
    if not args.tokens:
        return OpenRequirementForm()
    usage = str(u.REQUIREMENT_ADD)
    objective = args.get(0)
    if objective is None:
        raise BadInput("Say which objective the requirement belongs to.", usage)
    amount = quantity(args.get(1), usage)
    title_at = next((i for i, t in enumerate(args.tokens) if t.quoted and i >= 2), None)
    if title_at is None:
        raise BadInput(
            'Put the requirement\'s title in quotes, e.g. "Role 2 field hospitals".', usage
        )
    unit = " ".join(t.text for t in args.tokens[2:title_at])
    if not unit:
        raise BadInput(
            "Give the unit after the quantity (aircraft, batteries, flight hours/month…).", usage
        )
    cmd: dict[str, Any] = {}
    rest = list(args.tokens[title_at + 1 :])
    while rest:
        token = rest.pop(0)
        if token.word in {p.value for p in Priority}:
            cmd["priority"] = Priority(token.word)
        elif token.word == "enabler":
            cmd["enabler"] = True
        elif token.word == "by":
            cmd["needed_by"] = iso_date(rest.pop(0) if rest else None, usage)
        else:
            raise BadInput(f"I did not understand {token.text!r}.", usage)
    return AddRequirement(objective.text.upper(), amount, unit, args.tokens[title_at].text, **cmd)


def parse_edit(args: Args) -> EditRequirement:
    usage = str(u.REQUIREMENT_EDIT)
    code = requirement_code(args.get(0), usage)
    rest = list(args.tokens[1:])
    changes: dict[str, Any] = {}
    if not rest:
        raise BadInput("Say what to change.", usage)
    while rest:
        name = rest.pop(0).word
        value = rest.pop(0) if rest else None
        if value is None:
            raise BadInput(f"Give a value for {name}.", usage)
        if name == "quantity":
            changes["quantity"] = quantity(value, usage)
        elif name == "priority":
            changes["priority"] = parse_priority(value.text, u.REQUIREMENT_EDIT)
        elif name == "by":
            changes["needed_by"] = None if value.word == "none" else iso_date(value, usage)
        elif name in ("title", "notes", "unit"):
            changes[name] = value.text
        elif name == "enabler" and value.word in ("yes", "no"):
            changes["enabler"] = value.word == "yes"
        else:
            raise BadInput(f"I cannot change {name!r} that way.", usage)
    return EditRequirement(code, changes)


def parse_list(args: Args) -> ListRequirements:
    args, page = paged(args, str(u.REQUIREMENTS))
    objective = args.get(0)
    expect_end(args.tokens[1:], str(u.REQUIREMENTS))
    return ListRequirements(objective.text.upper() if objective else None, page)


def add_requirement_sections(
    builder: MessageBuilder, views: Sequence[RequirementView], more: str
) -> MessageBuilder:
    """One block per requirement, with a Pledge button where there is a gap to fill,
    while the message has room; ``more`` is the command that shows what does not fit."""
    return builder.entries(
        [
            ("\n".join(requirement_lines(v)), pledge_button(v.code) if v.coverage.gap else None)
            for v in views
        ],
        more,
    )


def run_add(muster: Muster, user: str, cmd: AddRequirement | OpenRequirementForm) -> Reply:
    if isinstance(cmd, OpenRequirementForm):
        return form_reply(requirement_form(muster.requirements.requirement_form(user)))
    view = muster.requirements.add_requirement(user, **vars(cmd))
    return (
        MessageBuilder(f"Requirement {view.code} added")
        .lines(requirement_lines(view))
        .context(f"Delegations pledge against it with `/muster pledge {view.code} <quantity>`.")
        .build()
    )


def run_edit(muster: Muster, user: str, cmd: EditRequirement) -> Reply:
    view = muster.requirements.edit_requirement(user, cmd.code, **cmd.changes)
    return (
        MessageBuilder(f"Requirement {view.code} updated (version {view.version})")
        .lines(requirement_lines(view))
        .build()
    )


def run_list(muster: Muster, user: str, cmd: ListRequirements) -> Reply:
    views = muster.requirements.list_requirements(user, cmd.objective)
    return render_list(views, cmd.objective, cmd.page)


def render_list(views: Sequence[RequirementView], objective: str | None, page: Page) -> Reply:
    scope = f" for {objective}" if objective else ""
    command = f"requirements {objective}" if objective else "requirements"
    page, shown = paginate(views, page, "the requirements")
    builder = MessageBuilder(f"Requirements{scope} ({len(views):,})")
    if not views:
        return builder.line("No requirements yet.").build()
    add_requirement_sections(builder, shown, f"`/muster {command} page {page.number}`")
    note = page_note(page, command)
    return (builder.context(note) if note else builder).context(LEGEND).build()


# --- the requirement form -------------------------------------------------------------

PRIORITY_OPTIONS = [Option(text=p.value.capitalize(), value=p.value) for p in Priority]


def requirement_form(objectives: Sequence[ObjectiveView]) -> dict[str, Any]:
    blocks = [
        forms.select(
            "objective",
            "Objective",
            options=[forms.option(f"{o.code} {o.name}", o.code) for o in objectives],
        ),
        forms.text_input(
            "title", "Title", max_length=200, placeholder="e.g. Role 2 field hospitals"
        ),
        forms.number_input("quantity", "Quantity"),
        forms.text_input(
            "unit",
            "Unit",
            max_length=40,
            placeholder="aircraft, batteries, flight hours/month, EUR…",
        ),
        forms.select("priority", "Priority", options=PRIORITY_OPTIONS, initial=Priority.ESSENTIAL),
        forms.checkbox(
            "enabler",
            "Enabler",
            "Enabler",
            "Other contributions depend on it (air defence, ISR, medical…)",
        ),
        forms.date_input("needed_by", "Needed by"),
    ]
    return forms.modal("Add a requirement", CALLBACK_REQUIREMENT, blocks, submit="Add")


def parse_requirement_form(view: dict[str, Any]) -> AddRequirement:
    form = forms.Form(view)
    return AddRequirement(
        objective=form.required("objective", "an objective"),
        quantity=form.number("quantity"),
        unit=form.required("unit", "a unit"),
        title=form.required("title", "a title"),
        priority=Priority(form.one_of("priority", [p.value for p in Priority], Priority.ESSENTIAL)),
        enabler=form.checked("enabler"),
        needed_by=form.date("needed_by"),
    )


def on_requirement_submitted(
    ack: Callable[..., Any], body: dict[str, Any], view: dict[str, Any], context: dict[str, Any]
) -> None:
    muster: Muster = context["muster"]
    cmd = parse_requirement_form(view)
    added = muster.requirements.add_requirement(body["user"]["id"], **vars(cmd))
    ack(response_action="update", view=forms.done(f"{added.code} added", requirement_lines(added)))


ROUTES = [
    Route(("requirement", "add"), u.REQUIREMENT_ADD, parse_add, run_add, changes=True),
    Route(("requirement", "edit"), u.REQUIREMENT_EDIT, parse_edit, run_edit, changes=True),
    Route(("requirements",), u.REQUIREMENTS, parse_list, run_list),
]
