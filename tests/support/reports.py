"""The co-chairs' written report read back as its readers would: the DOCX through
python-docx (headings, paragraphs, tables, headers and footers), the Markdown as
text. And a random coalition built through the real services, with restricted
pledges whose every detail is a token a scan can look for."""

from __future__ import annotations

import io
import random
import re
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

import docx
from docx.document import Document
from docx.table import Table
from docx.text.paragraph import Paragraph

from bot.domain.errors import Conflict
from bot.domain.model import PledgeStatus, Priority
from bot.domain.read_models import PledgeView
from bot.services.muster import Muster
from bot.services.pledges import PledgeChange
from bot.services.report_model import Edition
from handlers.written_report import build_file
from tests.support.factories import COORDINATOR

Rows = list[list[str]]


@dataclass
class Section:
    """What follows one heading of level 0 or 1, up to the next: paragraphs (with
    their style) and tables, in order."""

    title: str
    paragraphs: list[tuple[str, str]] = field(default_factory=list)  # (style, text)
    tables: list[Rows] = field(default_factory=list)

    @property
    def text(self) -> str:
        cells = [c for t in self.tables for row in t for c in row]
        return "\n".join([self.title, *(p for _, p in self.paragraphs), *cells])

    def paragraph(self, starting: str) -> str:
        """The first paragraph that starts with ``starting``."""
        return next(p for _, p in self.paragraphs if p.startswith(starting))

    def bullets(self, after: str) -> list[str]:
        """The bulleted paragraphs that follow the paragraph starting with ``after``."""
        index = next(n for n, (_, p) in enumerate(self.paragraphs) if p.startswith(after))
        found = []
        for style, text in self.paragraphs[index + 1 :]:
            if style != "List Bullet":
                break
            found.append(text)
        return found


@dataclass
class ReadBack:
    document: Document
    sections: list[Section]

    def section(self, title: str) -> Section:
        return next(s for s in self.sections if s.title == title)

    def starting(self, prefix: str) -> list[Section]:
        return [s for s in self.sections if s.title.startswith(prefix)]

    @property
    def text(self) -> str:
        """Everything a reader can see: every section, and the pages' headers and footers."""
        margins = [
            p.text
            for section in self.document.sections
            for part in (section.header, section.footer)
            for p in part.paragraphs
        ]
        return "\n".join([*(s.text for s in self.sections), *margins])


def table_rows(table: Table) -> Rows:
    return [[c.text for c in row.cells] for row in table.rows]


def read_docx(content: bytes) -> ReadBack:
    document = docx.Document(io.BytesIO(content))
    sections: list[Section] = []
    for item in document.iter_inner_content():
        if isinstance(item, Paragraph):
            style = item.style.name if item.style is not None else ""
            if style in ("Title", "Heading 1"):
                sections.append(Section(item.text))
            elif sections:
                sections[-1].paragraphs.append((style, item.text))
        else:
            sections[-1].tables.append(table_rows(item))
    return ReadBack(document, sections)


def report_docx(muster: Muster, user: str, edition: Edition, **kwargs: object) -> ReadBack:
    return read_docx(build_file(muster, user, edition, "docx", **kwargs).content)  # type: ignore[arg-type]


def figure_in(text: str, figure: str) -> bool:
    """Whether ``figure`` (3.47, 1,200) stands in ``text`` as a figure of its own, not
    as part of a longer one (13.47)."""
    return re.search(rf"(?<![\d.,]){re.escape(figure)}(?![\d]|[.,]\d)", text) is not None


# --- Markdown ---------------------------------------------------------------------------


def markdown_tables(text: str) -> list[Rows]:
    """Every pipe table of a Markdown report, its cells unescaped, line breaks as \\n;
    the heading row first, the alignment row left out."""
    tables: list[Rows] = []
    current: Rows | None = None
    for line in text.splitlines():
        if not line.startswith("|"):
            current = None
            continue
        if re.fullmatch(r"\|(-+:?\|)+|\|(---\|)+(-+:?\|)*", line):
            continue
        cells = re.split(r"(?<!\\)\|", line.strip())[1:-1]
        row = [re.sub(r"\\(.)", r"\1", c.strip()).replace("<br>", "\n") for c in cells]
        if current is None:
            current = []
            tables.append(current)
        current.append(row)
    return tables


# --- a random coalition ---------------------------------------------------------------

CONDITIONS = [
    "US backstop",
    "subject to a vote in parliament",
    "a UN Security Council resolution",
    "clarity on the rules of engagement",
    "a European backstop",
]
UNITS = ["batteries", "ships", "companies", "flight hours/month", "personnel"]


@dataclass
class Random:
    members: dict[str, str]  # delegation code -> its member
    restricted: list[PledgeView]  # every restricted pledge, as its delegation sees it


def random_coalition(m: Muster, seed: int) -> Random:
    """Delegations, lines, pledges in every status with and without conditions (a
    quarter restricted, with tokens in their caveats and conditions and quantities no
    other pledge has), withdrawals, changes, questions, answers, some published."""
    rng = random.Random(seed)
    members = {}
    for n in range(rng.randint(3, 5)):
        code = f"R{chr(65 + n)}"
        members[code] = f"UR{chr(65 + n)}1"
        m.delegations.add_delegation(COORDINATOR, code, f"Randomia {chr(65 + n)}")
        m.delegations.add_members(COORDINATOR, code, [members[code]])
    m.delegations.add_delegation(COORDINATOR, "RZ", "Randomia Z")  # nothing to offer
    m.delegations.add_members(COORDINATOR, "RZ", ["URZ1"])
    codes = []
    today = m.clock().date()
    for n in range(rng.randint(5, 9)):
        view = m.requirements.add_requirement(
            COORDINATOR,
            objective=rng.choice(["SKY", "SEA", "LAND", "UAF"]),
            quantity=rng.choice([4, 6, 10, 60, 480, Decimal("2.5")]),
            unit=rng.choice(UNITS),
            title=f"Random line {n}",
            priority=rng.choice(list(Priority)),
            enabler=rng.random() < 0.3,
            needed_by=today + timedelta(days=rng.randint(10, 200)) if rng.random() < 0.5 else None,
        )
        codes.append(view.code)
    # A call for contributions on a few lines, open while the delegations answer.
    due = m.clock() + timedelta(days=5)
    m.calls.open_call(COORDINATOR, rng.sample(codes, k=2), due, m.timezone, notify=False)
    refs = []
    for n in range(rng.randint(12, 24)):
        user = rng.choice(list(members.values()))
        restricted = rng.random() < 0.3
        condition = rng.choice(["", *CONDITIONS])
        caveats = rng.choice(["", "only in the north", "no night operations"])
        quantity: Decimal | int = rng.randint(1, 5)
        if restricted:  # details no other pledge shares, for the scan to find
            quantity = Decimal(rng.randint(101, 999)) / 100 + n * 10
            condition = f"{condition or 'clarity on the rules of engagement'} (token C{seed}x{n})"
            caveats = f"only under token K{seed}x{n}"
        result = m.pledges.pledge(
            user,
            requirement=rng.choice(codes),
            quantity=quantity,
            status=rng.choice(
                [PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED]
            ),
            condition=condition,
            caveats=caveats,
            restricted=restricted,
        )
        refs.append((user, int(result.pledge.ref[2:]), restricted))
    for user, number, restricted in rng.sample(refs, k=len(refs) // 4):
        if rng.random() < 0.5:
            m.pledges.withdraw(user, number, "no longer available")
        elif not restricted:
            m.pledges.update_pledge(user, number, PledgeChange(quantity=rng.randint(6, 9)))
    for n in range(rng.randint(2, 5)):
        about = rng.choice([None, rng.choice(codes), rng.choice(["SKY", "LAND"])])
        asked = m.questions.ask(rng.choice(list(members.values())), f"Random question {n}?", about)
        if rng.random() < 0.5:
            m.questions.answer(
                COORDINATOR, int(asked.ref[2:]), f"Random answer {n}.", publish=rng.random() < 0.5
            )
    # A delegation with nothing to offer says so; of the others, those still silent
    # may too.
    m.calls.open_call(COORDINATOR, [rng.choice(codes)], due, m.timezone, notify=False)
    m.calls.decline("URZ1", "C-1", "nothing to offer this rotation")
    m.calls.decline("URZ1", "C-2", "")
    for code, member in members.items():
        if rng.random() < 0.5:
            with suppress(Conflict):  # it has answered already, by a pledge or a question
                m.calls.decline(member, "C-1", f"nothing from {code} this rotation")
    every = m.pledges.list_pledges(COORDINATOR).pledges
    return Random(members, [p for p in every if p.restricted])


def at(muster: Muster, hours: float) -> datetime:
    """A moment ``hours`` after the services' clock now."""
    return muster.clock() + timedelta(hours=hours)
