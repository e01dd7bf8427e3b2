"""The coverage chart that goes with the weekly digest: the same four words and
colours as every reply (handlers.coverage), and each objective's count of lines filled."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

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
    conditional and open shares of the requirement, which add up to 100 %."""
    views = part.requirements
    labels = [v.code for v in views][::-1]
    shares = {
        word: [float(v.coverage.shares[index]) * 100 for v in views][::-1]
        for index, word in enumerate(WORDS)
    }
    # Many lines get thinner bars, so the chart still fits on a page.
    row = min(0.8, 8.0 / max(len(views), 1))
    return _draw(labels, shares, title, len(views), row=row, axis="share of the requirement (%)")


def _draw(
    labels: list[str],
    shares: dict[str, list[float]],
    title: str,
    count: int,
    *,
    row: float = 0.8,
    axis: str = f"share of each requirement, {AVERAGE} per objective (%)",
) -> Figure:
    # The object API only: pyplot keeps global state that threads would share.
    fig = Figure(figsize=(8, row * max(count, 1) + 1.4), dpi=110)
    ax = fig.subplots()
    rows = list(range(len(labels)))
    left = [0.0] * len(labels)
    for word in WORDS:
        ax.barh(rows, shares[word], left=left, color=COLOURS[word], label=word)
        left = [a + b for a, b in zip(left, shares[word], strict=True)]
    ax.set_yticks(rows, labels=labels)
    for label in ax.get_yticklabels():
        label.set_parse_math(False)  # names are user text: "$" is a dollar sign, not TeX
        if row < 0.8:  # thin bars, smaller labels
            label.set_fontsize(max(5.0, 12 * row))
    ax.set_xlim(0, 100)
    ax.set_xlabel(axis)
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
