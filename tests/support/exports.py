"""Exports of what is already stored: rows written past the entry checks, as an old
database may hold them, and what a clean workbook must then contain."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import update

from bot.runtime.demo import seed_demo
from bot.services.muster import Muster
from storage.db import write_session
from storage.models import Pledge, Question, Requirement
from tests.support.factories import small_coalition

BAD_QUESTION, CLEAN_QUESTION = "Is \x01\x02 this?", "Is  this?"
BAD_TITLE, CLEAN_TITLE = "Air\x0b defence\x7f", "Air defence"
BAD_CAVEATS, CLEAN_CAVEATS = (
    "only\x1b at night,\r\n\tnot\x1f at sea",
    "only at night,\n\tnot at sea",
)


def store(muster: Muster, model: Any, row_id: int, **values: object) -> None:
    """Write straight to the table, as an old row stored before entry checks would be."""
    with write_session(muster.engine) as s:
        s.execute(update(model).where(model.id == row_id).values(**values))


def rows(book: Workbook, sheet: str) -> list[tuple[Any, ...]]:
    return list(book[sheet].iter_rows(values_only=True))


def assert_clean_workbook(content: bytes) -> None:
    book = load_workbook(io.BytesIO(content))
    [question] = rows(book, "Questions")[1:]
    assert question[0] == "Q-1" and question[5] == CLEAN_QUESTION
    sky = rows(book, "SKY")
    assert sky[2][:3] == ("SKY-1", "SKY", CLEAN_TITLE)
    pledge = next(r for r in rows(book, "Pledges") if r[0] == "P-1")
    assert pledge[8] == CLEAN_CAVEATS


def store_badly(muster: Muster) -> Muster:
    """The small coalition with control characters stored in a question, a requirement's
    title and a pledge's caveats."""
    small_coalition(muster)  # SKY-1 with P-1 (Valdoria), and Q-1 asked by Valdoria
    store(muster, Question, 1, text=BAD_QUESTION)
    store(muster, Requirement, 1, title=BAD_TITLE)
    store(muster, Pledge, 1, caveats=BAD_CAVEATS)
    return muster


def demo_coalition(muster: Muster) -> Muster:
    """The demo coalition, and a pledge whose condition holds quotes of both kinds."""
    seed_demo(muster)
    muster.pledges.pledge(
        "UVALD1", requirement="SKY-1", quantity=2, condition="d'accord, “subject to parliament”"
    )
    return muster
