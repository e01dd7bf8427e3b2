"""The coverage chart that goes with the weekly digest."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")  # no display: render straight to PNG

import matplotlib.pyplot as plt

from bot.domain.read_models import StatusReport

FIRM, CONDITIONAL, GAP = "#2e7d32", "#f9a825", "#c62828"


def coverage_png(report: StatusReport, title: str) -> bytes:
    """A horizontal stacked bar per objective: firm, conditional and open shares."""
    parts = [p for p in report.objectives if p.rollup.count]
    labels = [f"{p.objective.code}  {p.objective.name}" for p in parts][::-1]
    firm = [float(p.rollup.firm_share) * 100 for p in parts][::-1]
    conditional = [float(p.rollup.conditional_share) * 100 for p in parts][::-1]
    gap = [100 - f - c for f, c in zip(firm, conditional, strict=True)]
    # Objective names are user text: a "$" must stay a dollar sign, not start TeX.
    with plt.rc_context({"text.parse_math": False}):
        return _draw(labels, firm, conditional, gap, title, len(parts))


def _draw(
    labels: list[str],
    firm: list[float],
    conditional: list[float],
    gap: list[float],
    title: str,
    count: int,
) -> bytes:
    fig, ax = plt.subplots(figsize=(8, 0.7 * max(count, 1) + 1.4), dpi=110)
    try:
        ax.barh(labels, firm, color=FIRM, label="firm")
        ax.barh(labels, conditional, left=firm, color=CONDITIONAL, label="conditional")
        ax.barh(
            labels,
            gap,
            left=[f + c for f, c in zip(firm, conditional, strict=True)],
            color=GAP,
            label="gap",
        )
        ax.set_xlim(0, 100)
        ax.set_xlabel("share of each requirement, averaged per objective (%)")
        ax.set_title(title, loc="left", fontsize=11)
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
    finally:
        plt.close(fig)
