"""Exports of what is already stored: rows written past the entry checks, as an old
database may hold them, and what a clean workbook must then contain."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from openpyxl import load_workbook
from openpyxl.workbook import Workbook
from sqlalchemy import update

from bot.domain.schedule import Weekly
from bot.runtime.demo import COORDINATORS, seed_demo
from bot.services.broadcasts import DIGEST
from bot.services.exporting import write_dump, write_report
from bot.services.muster import Muster
from bot.services.outbox import Owed, enqueue
from bot.services.report_model import Edition
from storage import backup
from storage.db import make_engine, read_session, upgrade, write_session
from storage.models import Pledge, Question, Requirement
from tests.support.factories import small_coalition

# The workbook's sheets, in order: the summary, one per objective, then the registers.
SHEETS = ["Summary", "SKY", "SEA", "LAND", "UAF", "Pledges", "Questions", "Calls", "Change log"]

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


def records(book: Workbook, sheet: str, *, marked: bool = False) -> list[dict[str, Any]]:
    """The rows of a sheet after its opening ones (the marking if ``marked``, the
    title, the headings), each by its column's heading."""
    top = 2 + marked
    table = rows(book, sheet)
    return [dict(zip(table[top - 1], row, strict=False)) for row in table[top:]]


def csv_records(content: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8-sig"))))


def assert_clean_workbook(content: bytes) -> None:
    book = load_workbook(io.BytesIO(content))
    [question] = records(book, "Questions")
    assert question["Question"] == "Q-1" and question["Text"] == CLEAN_QUESTION
    [sky1] = records(book, "SKY")
    assert (sky1["Requirement"], sky1["Objective"], sky1["Title"]) == ("SKY-1", "SKY", CLEAN_TITLE)
    pledge = next(r for r in records(book, "Pledges") if r["Pledge"] == "P-1")
    assert pledge["Caveats"] == CLEAN_CAVEATS


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


def report_file(muster: Muster, user_id: str, fmt: str) -> bytes:
    """The report ``user_id`` may see, as the file ``fmt`` (csv or xlsx) would hold it."""
    out = io.BytesIO()
    write_report(muster, user_id, fmt, out)
    return out.getvalue()


def csv_rows(muster: Muster, user_id: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(report_file(muster, user_id, "csv").decode("utf-8-sig"))))


# --- JSON exports for `muster import` ------------------------------------------------


def owe_a_message(muster: Muster, user: str, key: str = "test:hello") -> None:
    """A direct message owed through the outbox, with a block and a morning to wait for."""
    now = muster.clock()
    owed = Owed(
        key=f"{key}:{user}",
        recipient=user,
        text="Hello <@U1> & welcome",
        blocks=[{"type": "section", "text": {"type": "mrkdwn", "text": "Hello"}}],
        not_before=now + timedelta(hours=9),
        expires_at=now + timedelta(days=2),
    )
    with muster.uow.write(bookkeeping=True) as s:
        enqueue(s, owed, now)


Export = dict[str, Any]
REFUSED = "muster: import refused: "
EXPORTED_WEEK = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def ticking_clock() -> Callable[[], datetime]:
    """A clock that moves on a minute each time it is read, from the week's Sunday."""
    ticks = iter(range(10_000))
    return lambda: EXPORTED_WEEK + timedelta(days=6, minutes=next(ticks))


def full_export(folder: Path) -> Export:
    """A real export with a row in every table: the demo coalition and a week's extras."""
    url = f"sqlite:///{folder / 'source.db'}"
    upgrade(url)
    muster = Muster(make_engine(url), coordinators=COORDINATORS, clock=ticking_clock())
    seed_demo(muster, now=EXPORTED_WEEK)
    lead = COORDINATORS[0]
    muster.first_contact("UOST1")
    muster.delegations.set_coordinators_channel(lead, "C0COORD")
    broadcasts = muster.broadcasts
    digest = broadcasts.subscribe(lead, DIGEST, "C0DIGEST", Weekly.of(4, "16:00", "Europe/Oslo"))
    claim = broadcasts.claim(digest.id, "digest:2026-W49", "worker-1")
    assert claim is not None
    broadcasts.finish(claim, posted=True, message_ts="1700000000.000100")
    asked = muster.for_request("T1-delivery").questions.ask(
        "UOST1", "Who funds the host-nation support?"
    )
    # Shared with everyone, then asked again and linked: messages owed, and a link.
    muster.questions.answer(lead, int(asked.ref[2:]), "The host nation.", publish=True)
    later = muster.questions.ask("UVALD1", "Who pays for the host nation's support?")
    muster.questions.duplicate(lead, int(later.ref[2:]), int(asked.ref[2:]))
    muster.report_issues.record(lead, Edition.COALITION, EXPORTED_WEEK + timedelta(days=5))
    owe_a_message(muster, "UOST1")
    data = dumped(muster)
    muster.engine.dispose()
    assert all(data["tables"][name] for name in backup.TABLES), "every table has a row"
    return data


def dumped(muster: Muster) -> Export:
    """The whole database as `muster export --format json` writes it, read back."""
    out = io.BytesIO()
    write_dump(muster, out)
    data: Export = json.loads(out.getvalue())
    return data


def counts(muster: Muster) -> dict[str, int]:
    with read_session(muster.engine) as s:
        return backup.count_rows(s)


def write(path: Path, data: object) -> str:
    path.write_text(json.dumps(data))
    return str(path)
