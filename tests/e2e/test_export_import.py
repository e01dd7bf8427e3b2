"""`muster export` and `muster import` as an operator runs them, in their own processes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.services.muster import Muster
from storage.db import upgrade
from tests.support.exports import demo_coalition
from tests.support.http import SETTING_NAMES


@pytest.fixture
def demo(muster: Muster) -> Muster:
    return demo_coalition(muster)


def test_command_line_export_and_import(demo: Muster, database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url
    }

    def muster(*args: str, url: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "bot.runtime.cli", *args],
            env=env | ({"DATABASE_URL": url} if url else {}),
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )

    out = tmp_path / "coalition.json"
    assert muster("export", "--format", "json", "-o", str(out)).returncode == 0
    for fmt in ("csv", "xlsx"):
        result = muster("export", "--format", fmt, "-o", str(tmp_path / f"r.{fmt}"))
        assert result.returncode == 0 and "Wrote" in result.stdout
    assert b"P-8" in (tmp_path / "r.csv").read_bytes()  # operators see everything
    copy = f"sqlite:///{tmp_path / 'restored.db'}"
    upgrade(copy)
    imported = muster("import", str(out), url=copy)
    assert imported.returncode == 0 and "14 pledge" in imported.stdout
    again = muster("import", str(out), url=copy)
    assert again.returncode == 2 and "not empty" in again.stderr and "Traceback" not in again.stderr
