"""What one row of a JSON export may hold, as a pydantic model per table.

The columns' own types, lengths and nullability come from the tables the SQLModel
models declare, so a new column is checked without being listed here (and a column
of a type not taught here fails loudly). On top of them come the domain's rules: the
values its enums allow, positive quantities, schedules the scheduler can read.

An export an older schema wrote is brought up to this one first (``upgrade_export``),
where the rows can be without the database: the steps mirror the migrations."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Annotated, Any

from annotated_types import Ge, Gt, Le, MaxLen, MinLen
from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    create_model,
)
from pydantic_core import PydanticCustomError
from sqlalchemy import JSON, BigInteger, Boolean, Column, Date, Integer, String, Table
from sqlalchemy.types import TypeDecorator
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from bot.domain.calls import REMINDERS, Answer, CallState
from bot.domain.errors import BadInput
from bot.domain.model import (
    QUANTITY_PLACES,
    ConditionKind,
    PledgeStatus,
    Priority,
    QuestionStatus,
    classify_condition,
    from_json_number,
    places,
)
from bot.domain.plaintext import describe, first_unprintable
from bot.domain.schedule import parse_time, parse_zone
from bot.services.answer_notices import REASONS
from bot.services.broadcasts import ALERTS, DIGEST
from bot.services.loaders import DELEGATION_CODE, REQUIREMENT_CODE
from bot.services.report_model import EDITIONS
from storage import calls, notices, outbox, report_queries
from storage.types import QUANTITY_PRECISION, Quantity, UTCDateTime

INT32, INT64 = 2**31 - 1, 2**63 - 1  # PostgreSQL's integer and bigint
CLAIM_STATUSES = (
    "claimed",
    "posted",
    "failed",
)  # the states bot.services.broadcasts moves claims through
# Errors of this type name the value in their message already.
NAMES_VALUE = "muster_value"


# --- one value ------------------------------------------------------------------


def show(value: object, limit: int = 60) -> str:
    """A value as the file has it, on one line and not too long."""
    if value is None or isinstance(value, bool):
        return {None: "null", True: "true", False: "false"}[value]
    text = repr(value)  # escapes newlines and control characters: the message stays one line
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _clean(value: str) -> str:
    char = first_unprintable(value)
    if char is not None:
        raise PydanticCustomError(
            "unprintable",
            "contains the control character {char}; only newline and tab may be stored",
            {"char": describe(char)},
        )
    return value


def _clean_json(value: Any) -> Any:
    """Strings nested in the audit log's before/after are shown in exports too."""
    if isinstance(value, str):
        _clean(value)
    elif isinstance(value, dict):
        for key, item in value.items():
            _clean_json(key)
            _clean_json(item)
    elif isinstance(value, list):
        for item in value:
            _clean_json(item)
    return value


def _iso_text(value: Any) -> Any:
    # The export writes dates as ISO-8601 text; pydantic would take a number for
    # seconds since 1970, which no export ever means.
    if not isinstance(value, str):
        raise PydanticCustomError("iso_text", "should be ISO-8601 text")
    return value


Timestamp = Annotated[AwareDatetime, BeforeValidator(_iso_text)]


def _json_quantity(value: Any) -> Decimal:
    # The export writes quantities as JSON numbers: 2, or 0.25 (which json reads as a
    # float, converted back exactly by its shortest form, never by its binary value).
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise PydanticCustomError("quantity", "should be a number")
    quantity = from_json_number(value)
    if not quantity.is_finite() or places(quantity) > QUANTITY_PLACES:
        raise PydanticCustomError("quantity", "should have at most two decimal places")
    if abs(quantity) >= COLUMN_LIMIT:
        raise PydanticCustomError("quantity", f"should be below {COLUMN_LIMIT:,}")
    return quantity


# What the column holds: two decimal places, sixteen digits before the point (every
# quantity Muster ever accepted, including whole numbers above today's maximum).
COLUMN_LIMIT = 10 ** (QUANTITY_PRECISION - QUANTITY_PLACES)
QuantityValue = Annotated[Decimal, BeforeValidator(_json_quantity)]


def one_of(values: Iterable[str], *, empty: bool = False) -> AfterValidator:
    """The value is stored as plain text, so it is checked rather than turned into an enum."""
    allowed = [str(v) for v in values]
    listed = ", ".join(allowed) + (", or empty" if empty else "")

    def check(value: str) -> str:
        if value in allowed or (empty and value == ""):
            return value
        raise PydanticCustomError(
            NAMES_VALUE,
            "{value} is not one of {allowed}",
            {"value": show(value), "allowed": listed},
        )

    return AfterValidator(check)


def one_of_hours() -> AfterValidator:
    """A reminder's hours before the deadline, or 0 for none yet."""
    allowed = {0, *(int(r.total_seconds() // 3600) for r in REMINDERS)}

    def check(value: int) -> int:
        if value in allowed:
            return value
        raise PydanticCustomError(
            NAMES_VALUE,
            "{value} is not one of {allowed}",
            {"value": show(value), "allowed": ", ".join(map(str, sorted(allowed)))},
        )

    return AfterValidator(check)


def parsed_by(parse: Callable[[str], object]) -> AfterValidator:
    """The value must be accepted by the parser the commands use for it."""

    def check(value: str) -> str:
        try:
            parse(value)
        except BadInput as exc:
            raise PydanticCustomError(NAMES_VALUE, "{reason}", {"reason": exc.message}) from None
        return value

    return AfterValidator(check)


def _column_type(column: Column[Any]) -> Any:
    """What the column can hold, as the database and the models would have it."""
    kind = column.type
    if isinstance(kind, UTCDateTime):  # naive times would be refused at insert
        return Timestamp
    if isinstance(kind, Quantity):  # before TypeDecorator: a Numeric underneath
        return QuantityValue
    if isinstance(kind, TypeDecorator):  # SQLModel's AutoString is a VARCHAR underneath
        kind = kind.impl_instance
    if isinstance(kind, Boolean):
        return Annotated[bool, Strict()]
    if isinstance(kind, BigInteger):  # before Integer: BigInteger is one
        return Annotated[int, Strict(), Ge(-INT64), Le(INT64)]
    if isinstance(kind, Integer):
        return Annotated[int, Strict(), Ge(-INT32), Le(INT32)]
    if isinstance(kind, Date):
        return Annotated[date, BeforeValidator(_iso_text)]
    if isinstance(kind, String) and kind.length:
        return Annotated[str, Strict(), MaxLen(kind.length), AfterValidator(_clean)]
    if isinstance(kind, JSON):
        return Annotated[dict[str, Any], Strict(), AfterValidator(_clean_json)]
    raise TypeError(f"no import rule for {column} of type {kind!r}: add one here")


# --- the domain's rules, on top of the columns' ----------------------------------

POSITIVE = Gt(0)
NOT_EMPTY = MinLen(1)
RULES: dict[str, dict[str, tuple[Any, ...]]] = {
    "objective": {
        "code": (Field(pattern=r"^[A-Z]{2,8}$"),),
        "name": (NOT_EMPTY,),
        "lead_delegations": (Field(pattern=r"^([A-Z]{2,6}(,[A-Z]{2,6})*)?$"),),
        "next_requirement_seq": (POSITIVE,),
    },
    "delegation": {"code": (Field(pattern=DELEGATION_CODE.pattern),), "name": (NOT_EMPTY,)},
    "requirement": {
        "code": (Field(pattern=REQUIREMENT_CODE.pattern),),
        "seq": (POSITIVE,),
        "title": (NOT_EMPTY,),
        "quantity": (POSITIVE,),  # coverage divides by it
        "unit": (NOT_EMPTY,),
        "priority": (one_of(Priority),),
        "version": (POSITIVE,),
    },
    "pledge": {
        "quantity": (POSITIVE,),
        "status": (one_of(PledgeStatus),),
        "condition_kind": (one_of(ConditionKind, empty=True),),
        "version": (POSITIVE,),
    },
    "question": {"text": (NOT_EMPTY,), "status": (one_of(QuestionStatus),), "version": (POSITIVE,)},
    "subscription": {  # the scheduler reads these on every tick, for every subscription
        "kind": (one_of((DIGEST, ALERTS)),),
        "weekday": (Ge(0), Le(6)),
        "time_of_day": (parsed_by(parse_time),),
        "timezone": (parsed_by(parse_zone),),
    },
    "postclaim": {"status": (one_of(CLAIM_STATUSES),)},
    "answer_notice": {
        "status": (one_of(notices.STATUSES),),
        "reason": (one_of(REASONS),),
        "attempts": (Ge(0),),
    },
    "outbox_message": {"status": (one_of(outbox.STATUSES),), "attempts": (Ge(0),)},
    "report_issue": {
        "edition": (one_of(EDITIONS),),
        "status": (one_of(report_queries.STATUSES),),
    },
    "contribution_call": {  # the tick reads these: what is due, and when
        "scope": (NOT_EMPTY,),
        "status": (one_of(calls.STATUSES),),
        "timezone": (parsed_by(parse_zone),),
        "deadline_version": (POSITIVE,),
    },
    "call_response": {
        "state": (one_of(CallState),),
        "how": (one_of(Answer, empty=True),),
        "told": (Ge(0),),
        "reminded": (one_of_hours(),),
    },
}
# Columns whose JSON is not an object: a message's Block Kit is a list of blocks.
JSON_LISTS = {("outbox_message", "blocks")}


def sql_table(name: str) -> Table:
    return SQLModel.metadata.tables[name]


@cache
def row_model(name: str) -> type[BaseModel]:
    """A pydantic model of one row of table ``name``: every column required, no other."""
    rules = RULES.get(name, {})
    fields: dict[str, Any] = {}
    for column in sql_table(name).columns:
        annotation: Any = _column_type(column)
        if (name, column.name) in JSON_LISTS:
            annotation = Annotated[list[dict[str, Any]], Strict(), AfterValidator(_clean_json)]
        if column.name in rules:
            annotation = Annotated[annotation, *rules[column.name]]
        fields[column.name] = (annotation | None if column.nullable else annotation, ...)
    return create_model(f"{name}_row", __config__=ConfigDict(extra="forbid"), **fields)


# --- exports of an older schema ----------------------------------------------------

# The classes before migration 0006: every backstop was "us_backstop", and national
# approvals were often "other". Like the migration, the import reads each condition
# again from its text, but by this Muster's rules (the migration keeps its own copy,
# so that it gives the same result whenever it runs).
OLD_CONDITION_KINDS = ("us_backstop", "parliament", "legal_mandate", "rules_of_engagement", "other")


def _rows_of(tables: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The rows that are objects; anything else is left for the checks to report."""
    rows = tables.get(name)
    return [r for r in rows if isinstance(r, dict)] if isinstance(rows, list) else []


def _from_0005(tables: dict[str, Any]) -> None:
    for row in _rows_of(tables, "pledge"):
        condition, kind = row.get("condition"), row.get("condition_kind")
        if isinstance(condition, str) and kind in ("", *OLD_CONDITION_KINDS):
            row["condition_kind"] = classify_condition(condition) or ""
        row.setdefault("condition_kind_manual", False)  # no class was set by hand then


def _from_0006(_tables: dict[str, Any]) -> None:
    """0007 added the pledge totals, which are derived and never exported: rows are unchanged."""


def _from_0007(tables: dict[str, Any]) -> None:
    """0008 reads a requirement's trail by requirement_code alone: its own events carry it."""
    for row in _rows_of(tables, "event"):
        if row.get("entity") == "requirement" and not row.get("requirement_code"):
            row["requirement_code"] = row.get("entity_ref", "")


def _from_0008(tables: dict[str, Any]) -> None:
    """0009 added a question's link to the question it repeats, when its answer was
    shared with every delegation, and the direct messages answers owe. Questions then
    were neither, and no message was owed."""
    for row in _rows_of(tables, "question"):
        row.setdefault("duplicate_of", None)
        row.setdefault("published_at", None)
    tables.setdefault("answer_notice", [])


def _from_0009(_tables: dict[str, Any]) -> None:
    """0010 gives quantities two decimal places: whole numbers read the same, so rows
    are unchanged (the database's own copy is multiplied by 100 on SQLite only)."""


def _from_0010(tables: dict[str, Any]) -> None:
    """0011 added calls for contributions and their responses (there were none), the
    outbox of direct messages (none owed), and a member's own time zone (not yet
    looked up)."""
    for name in ("outbox_message", "contribution_call", "call_line", "call_response"):
        tables.setdefault(name, [])
    for row in _rows_of(tables, "member"):
        row.setdefault("timezone", "")
        row.setdefault("timezone_checked_at", None)


def _from_0011(tables: dict[str, Any]) -> None:
    """0012 records when each pledge was last confirmed, asked to reconfirm and gone
    stale: as the migration does, a pledge was last confirmed when it last changed,
    and none was asked or stale (there was no reconfirmation)."""
    for row in _rows_of(tables, "pledge"):
        row.setdefault("confirmed_at", row.get("updated_at"))
        row.setdefault("reconfirm_asked_at", None)
        row.setdefault("stale_since", None)


def _from_0012(tables: dict[str, Any]) -> None:
    """0013 records the written reports issued: there were none before."""
    tables.setdefault("report_issue", [])


def _from_0013(_tables: dict[str, Any]) -> None:
    """0014 added the data version, bookkeeping that is never exported: rows are
    unchanged."""


# From a schema to the next, as its migration changes the rows. A schema with no path
# to this one is refused (import it with the Muster that made it, then upgrade).
ROW_UPGRADES: dict[str, tuple[str, Callable[[dict[str, Any]], None]]] = {
    "0005": ("0006", _from_0005),
    "0006": ("0007", _from_0006),
    "0007": ("0008", _from_0007),
    "0008": ("0009", _from_0008),
    "0009": ("0010", _from_0009),
    "0010": ("0011", _from_0010),
    "0011": ("0012", _from_0011),
    "0012": ("0013", _from_0012),
    "0013": ("0014", _from_0013),
}


def upgradable(schema: object, head: str) -> bool:
    while isinstance(schema, str) and schema != head and schema in ROW_UPGRADES:
        schema = ROW_UPGRADES[schema][0]
    return schema == head


def upgrade_export(schema: str, tables: dict[str, Any], head: str) -> None:
    """Bring an older export's rows, in place, to schema ``head``."""
    while schema != head:
        schema, step = ROW_UPGRADES[schema]
        step(tables)
