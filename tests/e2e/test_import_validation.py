"""`muster import` as an operator runs it, in its own process: a bad file is refused
in one line on stderr, without a traceback, and nothing is written."""

from __future__ import annotations

import copy
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services.muster import Muster
from tests.support.exports import REFUSED, Export, counts, full_export, write
from tests.support.http import SETTING_NAMES


@pytest.fixture(scope="module")
def export(tmp_path_factory: pytest.TempPathFactory) -> Export:
    return full_export(tmp_path_factory.mktemp("source"))


def test_the_real_command_refuses_without_a_traceback(
    export: Export, database_url: str, muster: Muster, tmp_path: Path
) -> None:
    """The installed entry point, in its own process: exit status and stderr as an operator sees them."""
    bad = copy.deepcopy(export)
    bad["tables"]["pledge"][2]["status"] = "bogus"
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    result = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "import", write(tmp_path / "bad.json", bad)],
        env=env | {"DATABASE_URL": database_url},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr == (
        f"{REFUSED}pledge row 3 (id 3), field status: 'bogus' is not one of indicated, "
        "offered, confirmed, withdrawn\n"
    )
    assert counts(muster)["pledge"] == 0
