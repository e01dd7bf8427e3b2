"""The coverage chart that goes with the weekly digest."""

from __future__ import annotations

import io

from matplotlib.figure import Figure

from bot.domain.read_models import StatusReport

FIRM, CONDITIONAL, GAP = "#2e7d32", "#f9a825", "#c62828"


def coverage_png(report: StatusReport, title: str) -> bytes:
    """A horizontal stacked bar per objective: firm, conditional and open shares."""
    parts = [p for p in report.objectives if p.rollup.count]
    labels = [f"{p.objective.code}  {p.objective.name}" for p in parts][::-1]
    firm = [float(p.rollup.firm_share) * 100 for p in parts][::-1]
    conditional = [float(p.rollup.conditional_share) * 100 for p in parts][::-1]
    gap = [100 - f - c for f, c in zip(firm, conditional, strict=True)]
    return _draw(labels, firm, conditional, gap, title, len(parts))


def _draw(
    labels: list[str],
    firm: list[float],
    conditional: list[float],
    gap: list[float],
    title: str,
    count: int,
) -> bytes:
    # The object API only: pyplot keeps global state that threads would share.
    fig = Figure(figsize=(8, 0.7 * max(count, 1) + 1.4), dpi=110)
    ax = fig.subplots()
    rows = list(range(len(labels)))
    ax.barh(rows, firm, color=FIRM, label="firm")
    ax.barh(rows, conditional, left=firm, color=CONDITIONAL, label="conditional")
    ax.barh(
        rows,
        gap,
        left=[f + c for f, c in zip(firm, conditional, strict=True)],
        color=GAP,
        label="gap",
    )
    ax.set_yticks(rows, labels=labels)
    for label in ax.get_yticklabels():
        label.set_parse_math(False)  # names are user text: "$" is a dollar sign, not TeX
    ax.set_xlim(0, 100)
    ax.set_xlabel("share of each requirement, averaged per objective (%)")
    ax.set_title(title, loc="left", fontsize=11, parse_math=False)
    ax.axvline(50, color="#555", linewidth=0.6, linestyle=":")
    ax.legend(
        ncols=3,
        loc="lower center",
        bbox_to_anchor=(0.5, -0.5 if count < 3 else -0.3),
        frameon=False,
    )
    fig.tight_layout()
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
