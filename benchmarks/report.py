"""The figures as tables (rich on the terminal, Markdown in a file) and the budgets
of issue 9, each marked pass or FAIL. Absolute figures stand beside every ratio."""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

from rich.console import Console
from rich.table import Table as RichTable

from benchmarks.harness import Series
from benchmarks.scenario import CONCURRENT, DEFAULT, FLOOR, HOME, PREVIEW, PREVIEW_ACK, Scale

REPLY_P50_X_FLOOR = 3.0
READ_GROWTH = 1.5
DIGEST_GROWTH = 10.0
MAX_REPLY_MS = 1000.0
WORKER_MB = 250.0
EXPORT_MB, EXPORT_S = 250.0, 60.0
REPORT_MB, REPORT_S = 250.0, 10.0  # the written report (issue 13)
GROWING = ["status", "status <OBJ>", "gaps", "requirements", "pledges <REQ>", "pledges mine"]
GROWING += ["history <REQ>", "questions", HOME]


@dataclass
class Table:
    title: str
    headers: list[str]
    rows: list[list[str]]
    numeric: bool = True  # right-align every column but the first

    def markdown(self) -> str:
        lines = [f"**{self.title}**", "", "| " + " | ".join(self.headers) + " |"]
        align = ["---"] + ["--:" if self.numeric else "---"] * (len(self.headers) - 1)
        lines.append("|" + "|".join(align) + "|")
        lines += ["| " + " | ".join(map(_code, row)) + " |" for row in self.rows]
        return "\n".join(lines)

    def rich(self) -> RichTable:
        table = RichTable(title=self.title, title_justify="left")
        for i, header in enumerate(self.headers):
            table.add_column(header, justify="right" if self.numeric and i else "left")
        for row in self.rows:
            table.add_row(*(_colour(cell) for cell in row))
        return table


def _code(cell: str) -> str:
    """`status <OBJ>` in backticks, or Markdown takes <OBJ> for a tag."""
    return f"`{cell}`" if re.search(r"<[A-Z]", cell) and "`" not in cell else cell


def _colour(cell: str) -> str:
    return {"pass": "[green]pass[/green]", "FAIL": "[bold red]FAIL[/bold red]"}.get(cell, cell)


def ms(value: float) -> str:
    if math.isnan(value):
        return "–"
    return f"{value:,.0f}" if value >= 100 else f"{value:.1f}"


def ratio(a: float, b: float) -> str:
    return "–" if math.isnan(a) or math.isnan(b) or b == 0 else f"{a / b:.2f} ×"


def verdict(ok: bool | None) -> str:
    return "–" if ok is None else "pass" if ok else "FAIL"


# --- tables ---------------------------------------------------------------------------


def small_table(scale: Scale) -> Table:
    floor, default = scale.replies[FLOOR].p50, scale.replies[DEFAULT].p50
    rows = [
        [name, str(s.n), ms(s.p50), ms(s.p99), ratio(s.p50, floor), ratio(s.p50, default)]
        for name, s in scale.replies.items()
    ]
    c, d = scale.concurrent[CONCURRENT], scale.concurrent[DEFAULT]
    f = scale.concurrent.get(FLOOR, Series())
    rows.append(
        [
            CONCURRENT,
            str(c.n),
            ms(c.p50),
            ms(c.p99),
            f"{ratio(c.p99, f.p99)} (p99)",
            f"{ratio(c.p99, d.p99)} (p99)",
        ]
    )
    rows.append(["default Bolt at concurrency 8", str(d.n), ms(d.p50), ms(d.p99), "–", "–"])
    rows.append(["floor at concurrency 8", str(f.n), ms(f.p50), ms(f.p99), "–", "–"])
    return Table(
        f"{scale.db}, small coalition (tests.support.factories.small_coalition): ms",
        ["reply", "n", "p50", "p99", "p50 × floor", "p50 × default"],
        rows,
    )


def scale_table(db: str, low: Scale, high: Scale) -> Table:
    """Replies at the smallest and the largest coalition of one database."""
    rows = []
    names = [FLOOR, DEFAULT, *GROWING, PREVIEW_ACK, PREVIEW]
    for name in names:
        a, b = low.replies.get(name, Series()), high.replies.get(name, Series())
        rows.append([
            name, ms(a.p50), ms(a.p99), ms(b.p50), ms(b.p99), ratio(b.p50, a.p50),
            ratio(b.p50, high.replies[FLOOR].p50), ratio(b.p50, high.replies[DEFAULT].p50),
        ])  # fmt: skip
    for name, label in ((CONCURRENT, CONCURRENT), (DEFAULT, "default Bolt at concurrency 8")):
        a, b = low.concurrent.get(name, Series()), high.concurrent.get(name, Series())
        rows.append(
            [label, ms(a.p50), ms(a.p99), ms(b.p50), ms(b.p99), ratio(b.p50, a.p50), "–", "–"]
        )
    lo, hi = low.label, high.label
    return Table(
        f"{db}: replies at {lo} and {hi} pledges, ms (n = {_ns(low)} / {_ns(high)} per reply)",
        ["reply", f"{lo} p50", f"{lo} p99", f"{hi} p50", f"{hi} p99", f"growth {hi}/{lo}", f"{hi} × floor", f"{hi} × default"],
        rows,
    )  # fmt: skip


def _ns(scale: Scale) -> str:
    counts = sorted({s.n for s in scale.replies.values()})
    return f"{counts[0]}–{counts[-1]}" if counts else "0"


def operator_table(db: str, scales: Sequence[Scale]) -> Table:
    rows = []
    for name in ("muster tick", "report docx", "export csv", "export xlsx", "export json"):
        row = [f"`{name}`" + (" (one digest with chart)" if name == "muster tick" else "")]
        for scale in scales:
            run = scale.cli.get(name)
            if run is None:
                row.append("–")
                continue
            row.append(f"{run.seconds:.1f} s, {run.peak_mb:.0f} MB{run.note}")
        if any(cell != "–" for cell in row[1:]):
            rows.append(row)
    rows.append(["serving worker RSS after the run (peak)"] + [
        f"{s.worker_mb[0]:.0f} MB ({s.worker_mb[1]:.0f} MB)" for s in scales
    ])  # fmt: skip
    rows.append(["build of the coalition"] + [f"{s.build_s:.0f} s" for s in scales])
    return Table(
        f"{db}: operator commands (wall time, peak RSS) and memory",
        ["", *[s.label for s in scales]],
        rows,
    )


# --- budgets --------------------------------------------------------------------------


def budgets(scales: Sequence[Scale]) -> Table:
    rows: list[list[str]] = []
    for db in dict.fromkeys(s.db for s in scales):
        mine = [s for s in scales if s.db == db]
        small = next((s for s in mine if s.small), None)
        if small is not None:
            rows += _reply_path(db, small)
        scaled = sorted((s for s in mine if not s.small), key=lambda s: s.pledges)
        if len(scaled) >= 2:
            rows += _growth(db, scaled[0], scaled[-1])
        if scaled:
            rows += _large(db, scaled[-1])
        for s in mine:
            if s.errors:
                first = s.errors[0].replace("|", "/")
                rows.append(
                    [f"errors at {s.label}", db, f"{len(s.errors)}: {first}", "none", "FAIL"]
                )
    return Table("Budgets (issue 9)", ["budget", "database", "measured", "limit", ""], rows, False)


def _reply_path(db: str, small: Scale) -> list[list[str]]:
    status, floor = small.replies["status"].p50, small.replies[FLOOR].p50
    c, d = small.concurrent[CONCURRENT].p99, small.concurrent[DEFAULT].p99
    f = small.concurrent.get(FLOOR, Series()).p99
    return [
        ["`status` p50, small coalition", db, f"{ms(status)} ms = {ratio(status, floor)} floor ({ms(floor)} ms)",
         f"≤ {REPLY_P50_X_FLOOR:.0f} × floor", verdict(status <= REPLY_P50_X_FLOOR * floor)],
        ["`status` p99 at concurrency 8, small", db, f"{ms(c)} ms vs default Bolt {ms(d)} ms (floor {ms(f)} ms)",
         "≤ default Bolt", verdict(c <= d)],
    ]  # fmt: skip


def _growth(db: str, low: Scale, high: Scale) -> list[list[str]]:
    span = f"{high.label}/{low.label}"
    growth = {n: high.replies[n].p50 / low.replies[n].p50 for n in GROWING if n in high.replies}
    over = {n: g for n, g in growth.items() if g > READ_GROWTH}
    worst = max(growth, key=lambda n: growth[n])
    measured = f"worst `{worst}` {growth[worst]:.1f} ×" + (
        f"; {len(over)} of {len(growth)} over" if over else ""
    )
    rows = [[f"reads grow ({span} p50)", db, measured, f"≤ {READ_GROWTH} ×", verdict(not over)]]
    p = high.replies[PREVIEW].p50 / low.replies[PREVIEW].p50
    rows.append([f"`digest preview` grows ({span}, delivered p50)", db,
                 f"{p:.1f} × ({ms(low.replies[PREVIEW].p50)} → {ms(high.replies[PREVIEW].p50)} ms)",
                 f"≤ {DIGEST_GROWTH:.0f} ×", verdict(p <= DIGEST_GROWTH)])  # fmt: skip
    a, b = low.cli.get("muster tick"), high.cli.get("muster tick")
    if a and b:
        t = b.seconds / a.seconds
        rows.append([f"`muster tick` digest grows ({span})", db,
                     f"{t:.1f} × ({a.seconds:.1f} → {b.seconds:.1f} s)", f"≤ {DIGEST_GROWTH:.0f} ×",
                     verdict(t <= DIGEST_GROWTH and a.ok and b.ok)])  # fmt: skip
    return rows


def _large(db: str, high: Scale) -> list[list[str]]:
    acks = {n: high.replies[n] for n in high.replies if n not in (FLOOR, DEFAULT, HOME, PREVIEW)}
    acks[CONCURRENT] = high.concurrent.get(CONCURRENT, Series())
    worst = max(acks, key=lambda n: acks[n].worst)
    rows = [
        [f"no reply over 1 s at {high.label}", db, f"worst `{worst}`: {ms(acks[worst].worst)} ms",
         f"≤ {MAX_REPLY_MS:,.0f} ms", verdict(acks[worst].worst <= MAX_REPLY_MS)],
        [f"serving worker RSS after {high.label}", db, f"{high.worker_mb[0]:.0f} MB (peak {high.worker_mb[1]:.0f} MB)",
         f"< {WORKER_MB:.0f} MB", verdict(high.worker_mb[0] < WORKER_MB)],
    ]  # fmt: skip
    run = high.cli.get("report docx")
    if run is not None:
        ok = run.ok and run.peak_mb < REPORT_MB and run.seconds < REPORT_S
        rows.append([f"`muster report --edition coordinators` at {high.label}", db,
                     f"{run.seconds:.1f} s, {run.peak_mb:.0f} MB{run.note}",
                     f"< {REPORT_S:.0f} s, < {REPORT_MB:.0f} MB", verdict(ok)])  # fmt: skip
    for fmt in ("csv", "xlsx", "json"):
        run = high.cli.get(f"export {fmt}")
        if run is None:
            continue
        ok = run.ok and run.peak_mb < EXPORT_MB and run.seconds < EXPORT_S
        rows.append([f"`muster export --format {fmt}` at {high.label}", db,
                     f"{run.seconds:.1f} s, {run.peak_mb:.0f} MB{run.note}",
                     f"< {EXPORT_S:.0f} s, < {EXPORT_MB:.0f} MB", verdict(ok)])  # fmt: skip
    return rows


def show(console: Console, tables: Sequence[Table]) -> None:
    for table in tables:
        console.print(table.rich())


def markdown(tables: Sequence[Table], preface: str) -> str:
    return preface + "\n\n" + "\n\n".join(t.markdown() for t in tables) + "\n"
