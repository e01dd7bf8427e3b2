"""The coverage chart is drawn with matplotlib's object API: no pyplot, whose
global state threads serving Slack would share, and user text stays literal. It
speaks the four words of every reply, in the same colours."""

from __future__ import annotations

import subprocess
import sys

from matplotlib.colors import to_hex

from bot.domain.model import Coverage, Priority
from bot.domain.read_models import ObjectiveView, RequirementView, status_report
from handlers.charts import coverage_figure, coverage_png
from handlers.coverage import COLOURS, WORDS


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


def test_the_chart_stacks_the_four_words_in_their_colours_to_a_hundred() -> None:
    sky = ObjectiveView("SKY", "Safe skies", ())
    line = RequirementView(
        "SKY-1", "SKY", "Air", 10, "units", Priority.CRITICAL, True, None, "", 1,
        Coverage(10, firm=3, pending=2, conditional=1, critical=True),
    )  # fmt: skip
    figure = coverage_figure(status_report([sky], [line]), "Coverage")
    [axes] = figure.axes
    legend = axes.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == list(WORDS)
    widths = {}
    for container in axes.containers:
        [bar] = container.patches
        widths[container.get_label()] = bar.get_width()
        assert to_hex(bar.get_facecolor()) == COLOURS[container.get_label()]
    assert widths == {"firm": 30, "pending": 20, "conditional": 10, "open": 40}
    assert sum(widths.values()) == 100
    assert axes.get_yticklabels()[0].get_text() == "SKY  Safe skies\nfilled 0 of 1"
    assert "average of lines" in axes.get_xlabel()
