"""The written report as Markdown, from the same blocks as the Word document: the same
words in the same order. A chart is drawn as the ten-cell bar every reply uses, in
the same four colours, with its shares in figures.

User text is escaped, so a title or a question cannot turn into a link, a heading
or a table of its own."""

from __future__ import annotations

import re

from bot.domain.read_models import ObjectiveStatus, StatusReport
from bot.domain.wording import percents
from handlers.coverage import WORDS, bar
from handlers.report_blocks import Bullets, Cell, Chart, Heading, Layout, Para, Table
from handlers.report_docx import clean

SPECIAL = re.compile(r"([\\`*_\[\]<>|#~])")


def markdown(layout: Layout) -> str:
    lines: list[str] = []
    if layout.marking:
        lines += [f"**{md(layout.marking)}**", ""]
    for block in layout.blocks:
        if isinstance(block, Heading):
            if block.page_break and lines:
                lines += ["---", ""]
            lines += [f"{'#' * (block.level + 1)} {md(block.text)}", ""]
        elif isinstance(block, Para):
            lines += [para(block), ""]
        elif isinstance(block, Bullets):
            lines += [f"- {para(item)}" for item in block.items] + [""]
        elif isinstance(block, Table):
            lines += [*table(block), ""]
        else:
            lines += [*chart(block), ""]
    lines += ["---", "", f"_{md(layout.footer)}_"]
    if layout.marking:
        lines += ["", f"**{md(layout.marking)}**"]
    return "\n".join(lines) + "\n"


def md(text: str) -> str:
    """Plain text as Markdown shows it: specials escaped, one line."""
    return SPECIAL.sub(r"\\\1", clean(text)).replace("\n", " ")


def para(block: Para) -> str:
    text = md(block.text)
    if block.note:
        text = f"_{text}_" if text else text
    return f"**{md(block.lead.strip())}** {text}".rstrip() if block.lead else text


def _cell(c: Cell, *, heading: bool = False) -> str:
    text = SPECIAL.sub(r"\\\1", clean(c.text)).replace("\n", "<br>")
    return f"**{text}**" if c.bold and text and not heading else text


def table(t: Table) -> list[str]:
    align = ["---:" if n in t.right else "---" for n in range(len(t.headers))]
    head = "| " + " | ".join(_cell(c, heading=True) for c in t.headers) + " |"
    rows = ["| " + " | ".join(_cell(c) for c in row) + " |" for row in t.rows]
    return [head, "|" + "|".join(align) + "|", *rows]


def chart(c: Chart) -> list[str]:
    """The chart as a table of bars: each objective (or line) with its shares."""
    if c.status is not None:
        rows = [
            (f"{p.objective.code} {p.objective.name}", p.rollup.shares)
            for p in _with_lines(c.status)
        ]
    else:
        part: ObjectiveStatus | None = c.objective
        rows = [(v.code, v.coverage.shares) for v in (part.requirements if part else ())]
    out = [
        f"_{md(c.title)}_",
        "",
        "| | coverage | " + " | ".join(WORDS) + " |",
        "|---|---|" + "---:|" * len(WORDS),
    ]
    for label, shares in rows:
        figures = " | ".join(f"{p}%" for p in percents(shares))
        out.append(f"| {md(label)} | {bar(shares)} | {figures} |")
    return out


def _with_lines(status: StatusReport) -> list[ObjectiveStatus]:
    return [p for p in status.objectives if p.rollup.count]
