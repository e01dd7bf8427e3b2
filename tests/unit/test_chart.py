"""The coverage chart is drawn with matplotlib's object API: no pyplot, whose
global state threads serving Slack would share, and user text stays literal."""

from __future__ import annotations

import subprocess
import sys

from bot.domain.model import Coverage, Priority
from bot.domain.read_models import ObjectiveView, RequirementView, status_report
from handlers.charts import coverage_png


def test_drawing_the_chart_never_loads_pyplot() -> None:
    code = (
        "import sys; from handlers.charts import coverage_png; "
        "from bot.domain.read_models import StatusReport; from bot.domain.model import Rollup; "
        "coverage_png(StatusReport((), Rollup(())), 'x'); "
        "print('matplotlib.pyplot' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_dollar_signs_in_names_are_drawn_not_parsed_as_tex() -> None:
    objective = ObjectiveView("SKY", "Safe $kies $x$ 50$ a day", ())
    line = RequirementView(
        "SKY-1", "SKY", "Air", 10, "units", Priority.CRITICAL, True, None, "", 1,
        Coverage(10, 3, 2, critical=True),
    )  # fmt: skip
    png = coverage_png(status_report([objective], [line]), "Coverage on 1 Dec 2026 $")
    assert png.startswith(b"\x89PNG")
