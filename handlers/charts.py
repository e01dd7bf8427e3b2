"""The coverage chart that goes with the weekly digest: the same four words and
colours as every reply (handlers.coverage), and each objective's count of lines filled."""

from __future__ import annotations

import io

from matplotlib.collections import PolyCollection
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from bot.domain.read_models import ObjectiveStatus, StatusReport
from handlers.coverage import AVERAGE, COLOURS, WORDS


def coverage_png(report: StatusReport, title: str) -> bytes:
    buffer = io.BytesIO()
    coverage_figure(report, title).savefig(buffer, format="png")
    return buffer.getvalue()


def coverage_figure(report: StatusReport, title: str) -> Figure:
    """A horizontal stacked bar per objective: the averages of its lines' firm,
    pending, conditional and open shares, which add up to 100 %."""
    parts = [p for p in report.objectives if p.rollup.count]
    labels = [
        f"{p.objective.code}  {p.objective.name}\nfilled {p.rollup.filled:,} of {p.rollup.count:,}"
        for p in parts
    ][::-1]
    shares = {
        word: [float(p.rollup.shares[index]) * 100 for p in parts][::-1]
        for index, word in enumerate(WORDS)
    }
    return _draw(labels, shares, title, len(parts))


def lines_png(part: ObjectiveStatus, title: str) -> bytes:
    """One objective's chart for the written report: a bar per line."""
    buffer = io.BytesIO()
    lines_figure(part, title).savefig(buffer, format="png")
    return buffer.getvalue()


def lines_figure(part: ObjectiveStatus, title: str) -> Figure:
    """A horizontal stacked bar per line of one objective: its firm, pending,
    conditional and open shares of the requirement, which add up to 100 %. An
    objective may hold dozens of lines: each word's bars are one collection, and the
    margins are set rather than measured, which takes a fraction of the time."""
    views = part.requirements[::-1]  # the first line on top
    count = max(len(views), 1)
    row = min(0.6, 8.0 / count)  # many lines get thinner bars: the chart fits a page
    height = row * count + 1.4
    fig = Figure(figsize=(8, height), dpi=110)
    ax = fig.subplots()
    left = [0.0] * len(views)
    for index, word in enumerate(WORDS):
        widths = [float(v.coverage.shares[index]) * 100 for v in views]
        bars = [
            [(x, y - 0.4), (x + w, y - 0.4), (x + w, y + 0.4), (x, y + 0.4)]
            for y, (x, w) in enumerate(zip(left, widths, strict=True))
        ]
        ax.add_collection(PolyCollection(bars, facecolors=COLOURS[word], linewidths=0, label=word))
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax.set_xlim(0, 100)
    ax.set_ylim(-0.6, count - 0.4)
    ax.set_yticks(range(len(views)), labels=[v.code for v in views])
    for label in ax.get_yticklabels():
        label.set_parse_math(False)
        label.set_fontsize(max(5.0, min(10.0, 12 * row)))
    ax.set_xlabel("share of the requirement (%)")
    ax.set_title(title, loc="left", fontsize=11, parse_math=False)
    ax.axvline(50, color="#555", linewidth=0.6, linestyle=":")
    handles = [Patch(facecolor=COLOURS[w], label=w) for w in WORDS]
    ax.legend(handles=handles, ncols=len(WORDS), loc="upper center", frameon=False,
              bbox_to_anchor=(0.5, -0.48 / (height - 1.4)))  # fmt: skip
    # Inches, as fractions of the figure: room for the codes, the title, the legend.
    fig.subplots_adjust(left=1.0 / 8, right=0.97, top=1 - 0.45 / height, bottom=0.95 / height)
    return fig


def _draw(labels: list[str], shares: dict[str, list[float]], title: str, count: int) -> Figure:
    # The object API only: pyplot keeps global state that threads would share.
    fig = Figure(figsize=(8, 0.8 * max(count, 1) + 1.4), dpi=110)
    ax = fig.subplots()
    rows = list(range(len(labels)))
    left = [0.0] * len(labels)
    for word in WORDS:
        ax.barh(rows, shares[word], left=left, color=COLOURS[word], label=word)
        left = [a + b for a, b in zip(left, shares[word], strict=True)]
    ax.set_yticks(rows, labels=labels)
    for label in ax.get_yticklabels():
        label.set_parse_math(False)  # names are user text: "$" is a dollar sign, not TeX
    ax.set_xlim(0, 100)
    ax.set_xlabel(f"share of each requirement, {AVERAGE} per objective (%)")
    ax.set_title(title, loc="left", fontsize=11, parse_math=False)
    ax.axvline(50, color="#555", linewidth=0.6, linestyle=":")
    ax.legend(
        ncols=len(WORDS),
        loc="lower center",
        bbox_to_anchor=(0.5, -0.5 if count < 3 else -0.3),
        frameon=False,
    )
    fig.tight_layout()
    return fig
