"""What `muster import` checks before it writes anything.

An import is a restore: every row goes into the database as it stands, bypassing the
services. A row the services could never have written (a pledge "bogus", a
requirement of 0) would afterwards break status, gaps and the digest for everyone. So
every row is checked against its table's own columns (types, lengths, nullability,
from the SQLModel models' metadata), against the domain's rules (its enums, positive
quantities, valid schedules) and against the other rows (unique keys, references).
Problems are collected rather than raised one by one, so one run lists what to fix,
and nothing is written unless there are none."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import Table, UniqueConstraint

from bot.domain import reconfirmation
from bot.domain.conditions import ConditionKind
from bot.domain.errors import Conflict
from bot.services.import_rows import (
    NAMES_VALUE,
    Timestamp,
    row_model,
    show,
    sql_table,
    upgradable,
    upgrade_export,
)
from storage import backup
from storage.db import head_revision

FORMAT = "muster-export"
VERSION = 1
MAX_SHOWN = 20  # enough to see the pattern; the rest is counted, not printed
ENVELOPE = ("format", "version", "schema", "exported_at", "tables")


class ImportRefused(Conflict):
    """The file may not be imported; ``problems`` says why, one line each."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        more = len(self.problems) - 1
        super().__init__(self.problems[0] + (f" (and {more} more)" if more else ""))

    def lines(self, limit: int = MAX_SHOWN) -> list[str]:
        shown = list(self.problems[:limit])
        if len(self.problems) > limit:
            shown.append(f"and {len(self.problems) - limit} more")
        return shown


@dataclass(frozen=True)
class CheckedExport:
    """An export whose every row passed, with values parsed into Python types."""

    tables: dict[str, list[dict[str, Any]]]

    @property
    def row_count(self) -> int:
        return sum(len(rows) for rows in self.tables.values())


# --- the whole file -------------------------------------------------------------


def check(data: object) -> CheckedExport:
    """The export, every row parsed, or ImportRefused listing every problem found."""
    problems = _envelope(data)
    if problems:  # rows in a file of another kind or version mean nothing to check
        raise ImportRefused(problems)
    assert isinstance(data, dict)
    raw: dict[str, Any] = data["tables"]
    upgrade_export(data["schema"], raw, head_revision())
    problems += [f"table {show(n)}: unknown table" for n in raw if n not in backup.TABLES]
    problems += [
        f"table {n}: missing; an export lists every table, even an empty one"
        for n in backup.TABLES
        if n not in raw
    ]
    tables: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for name in backup.TABLES:
        rows = raw.get(name, [])
        if not isinstance(rows, list):
            problems.append(f"table {name}: should be a list of rows, not {_json_kind(rows)}")
            continue
        tables[name] = _rows(name, rows, problems)
    problems += _unique(tables) + _references(tables, raw) + _numbering(tables)
    problems += _condition_classes(tables) + _settings(tables)
    if problems:
        raise ImportRefused(problems)
    return CheckedExport({name: [row for _, row in tables.get(name, [])] for name in backup.TABLES})


def _envelope(data: object) -> list[str]:
    if not isinstance(data, dict):
        return [
            f"the file holds a JSON {_json_kind(data)}, not an export "
            "(an object with format, version, schema and tables)"
        ]
    if data.get("format") != FORMAT:
        found = f"its format is {show(data['format'])}" if "format" in data else "it has no format"
        return [f"this is not a Muster JSON export: {found}, not {FORMAT!r}"]
    problems = [
        f"unknown key {show(k)} at the top of the export" for k in data if k not in ENVELOPE
    ]
    version = data.get("version")
    if type(version) is not int or version != VERSION:  # not isinstance: true is no version
        found = f"is {show(version)}" if "version" in data else "is missing"
        problems.append(f"the export's format version {found}; this Muster reads version {VERSION}")
    if not upgradable(data.get("schema"), head_revision()):
        problems.append(
            f"the export is from schema {show(data.get('schema'))}; this Muster is at "
            f"{head_revision()}. Import it with the version of Muster that made it, then upgrade"
        )
    if "exported_at" in data:
        try:
            TypeAdapter(Timestamp).validate_python(data["exported_at"])
        except ValidationError:
            problems.append(
                f"exported_at {show(data['exported_at'])} is not a timestamp with a zone"
            )
    if "tables" not in data:
        problems.append("the export has no tables")
    elif not isinstance(data["tables"], dict):
        problems.append(
            f"tables should be an object of table names and rows, not {_json_kind(data['tables'])}"
        )
    return problems


def _rows(name: str, rows: list[Any], problems: list[str]) -> list[tuple[int, dict[str, Any]]]:
    """The rows that passed, with their index in the file; the others become problems."""
    model = row_model(name)
    passed = []
    for index, row in enumerate(rows):
        if not isinstance(row, dict):
            problems.append(
                f"{where(name, index, row)}: should be an object, not {_json_kind(row)}"
            )
            continue
        try:
            passed.append((index, model.model_validate(row).model_dump()))
        except ValidationError as exc:
            problems += [
                f"{where(name, index, row)}, field {_field(e['loc'])}: {_reason(e)}"
                for e in exc.errors(include_url=False)
            ]
    return passed


def where(table: str, index: int, row: object) -> str:
    """``pledge row 3 (id 17)``: rows count from 1, as a reader counts them."""
    label = f"{table} row {index + 1}"
    keys = sql_table(table).primary_key.columns.keys()
    if len(keys) != 1 or not isinstance(row, dict):  # no one value names the row
        return label
    key = keys[0]
    value = row.get(key)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{label} ({key} {value})"
    if isinstance(value, str):
        shown = value if re.fullmatch(r"[\w.:-]{1,40}", value) else show(value)
        return f"{label} ({key} {shown})"
    return label


def _field(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(part) for part in loc)


def _reason(error: Any) -> str:
    if error["type"] == "missing":
        return "missing"
    if error["type"] == "extra_forbidden":
        return "unknown column"
    message: str = error["msg"]
    if error["type"] == NAMES_VALUE:  # the message names the value already
        return message
    return f"{message[:1].lower()}{message[1:]} (got {show(error['input'])})"


def _json_kind(value: object) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, str):
        return "string"
    if value is None:
        return "null"
    return "true/false" if isinstance(value, bool) else "number"


# --- across rows ----------------------------------------------------------------

Rows = dict[str, list[tuple[int, dict[str, Any]]]]


def _keys(table: Table) -> list[tuple[str, ...]]:
    """Every set of columns the database holds unique, the primary key first."""
    keys = [tuple(table.primary_key.columns.keys())]
    keys += [(c.name,) for c in table.columns if c.unique]
    keys += [tuple(c.columns.keys()) for c in table.constraints if isinstance(c, UniqueConstraint)]
    keys += [tuple(i.columns.keys()) for i in table.indexes if i.unique]
    return list(dict.fromkeys(keys))


def _unique(tables: Rows) -> list[str]:
    problems = []
    for name, rows in tables.items():
        for key in _keys(sql_table(name)):
            seen: dict[tuple[Any, ...], int] = {}
            for index, row in rows:
                value = tuple(row[c] for c in key)
                if None in value:  # NULLs never collide in SQL
                    continue
                if value in seen:
                    shown = show(value[0]) if len(value) == 1 else show(value)
                    problems.append(
                        f"{where(name, index, row)}, field {', '.join(key)}: "
                        f"{shown} is already used by row {seen[value] + 1}"
                    )
                else:
                    seen[value] = index
    return problems


def _references(tables: Rows, raw: dict[str, Any]) -> list[str]:
    def present(table: str, column: str) -> set[object]:
        # Every row of the file counts, even one refused for another reason: its
        # own problem is reported, and its referrers need not repeat it.
        rows = raw.get(table)
        return {
            r.get(column) for r in (rows if isinstance(rows, list) else []) if isinstance(r, dict)
        } - {None}

    problems = []
    for name, rows in tables.items():
        for column in sql_table(name).columns:
            for fk in column.foreign_keys:
                target, target_column = fk.column.table.name, fk.column.name
                if not isinstance(raw.get(target), list):
                    continue  # the missing table is reported; its referrers need not repeat it
                known = present(target, target_column)
                problems += [
                    f"{where(name, index, row)}, field {column.name}: "
                    f"no {target} with {target_column} {show(row[column.name])} in the file"
                    for index, row in rows
                    if row[column.name] is not None and row[column.name] not in known
                ]
    return problems


def _numbering(tables: Rows) -> list[str]:
    """Requirement codes are their objective's code and number, and the objective's
    counter must be past every number used, or the next requirement added collides."""
    problems = []
    objectives = {row["id"]: row for _, row in tables.get("objective", [])}
    highest: dict[int, int] = defaultdict(int)
    for index, row in tables.get("requirement", []):
        objective = objectives.get(row["objective_id"])
        if objective is None:
            continue  # reported as a missing reference
        highest[objective["id"]] = max(highest[objective["id"]], row["seq"])
        expected = f"{objective['code']}-{row['seq']}"
        if row["code"] != expected:
            problems.append(
                f"{where('requirement', index, row)}, field code: {show(row['code'])} should be "
                f"{expected!r}, its objective's code and its seq"
            )
    for index, row in tables.get("objective", []):
        if row["next_requirement_seq"] <= highest[row["id"]]:
            problems.append(
                f"{where('objective', index, row)}, field next_requirement_seq: "
                f"{row['next_requirement_seq']} is not above {highest[row['id']]}, the highest "
                "requirement number in use, so the next requirement added would collide"
            )
    return problems


def _settings(tables: Rows) -> list[str]:
    """The scheduler reads the reconfirmation policy on every tick: it must be one
    `/muster reconfirm every …` could have set."""
    return [
        f"{where('setting', index, row)}, field value: {show(row['value'])} is not a "
        "reconfirmation policy; write off, or every <N>d grace <M>d"
        for index, row in tables.get("setting", [])
        if row["key"] == reconfirmation.SETTING
        and row["value"] != reconfirmation.OFF
        and reconfirmation.Policy.read(row["value"]) is None
    ]


def _condition_classes(tables: Rows) -> list[str]:
    """Coverage counts a pledge as conditional by its condition's class: a condition
    without a class would count as firm, and a class without a condition as held."""
    problems = []
    for index, row in tables.get("pledge", []):
        has_condition, has_class = bool(row["condition"].strip()), bool(row["condition_kind"])
        if has_condition and not has_class:
            problems.append(
                f"{where('pledge', index, row)}, field condition_kind: empty, but the pledge "
                f"has a condition; give its class ({', '.join(k.value for k in ConditionKind)})"
            )
        elif has_class and not has_condition:
            problems.append(
                f"{where('pledge', index, row)}, field condition_kind: "
                f"{show(row['condition_kind'])}, but the pledge has no condition; leave it empty"
            )
    return problems
