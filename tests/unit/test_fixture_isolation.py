"""The tests never see the developer's environment: the autouse fixture in
tests/conftest.py removes every variable Settings reads, whatever the shell exports."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from bot.runtime.settings import Settings


def test_no_setting_is_visible_inside_a_test() -> None:
    fields = {name.upper() for name in Settings.model_fields}
    leaked = sorted(key for key in os.environ if key.upper() in fields)
    assert leaked == []
    settings = Settings(database_url="sqlite://")
    assert settings.slack_app_token is None
    defaults = {
        name: field.get_default(call_default_factory=True)
        for name, field in Settings.model_fields.items()
    }
    assert settings.model_dump(exclude={"database_url"}) == {
        name: value for name, value in defaults.items() if name != "database_url"
    }


def test_settings_exported_by_the_shell_or_a_dotenv_do_not_reach_the_tests(
    tmp_path: Path,
) -> None:
    """Runs the test above in a child pytest whose environment sets every setting
    (in upper and lower case) and whose working directory holds a .env."""
    (tmp_path / ".env").write_text("SLACK_APP_TOKEN=xapp-from-dotenv\nMUSTER_LOG_LEVEL=DEBUG\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST_")}
    env |= {name.upper(): "bogus" for name in Settings.model_fields}
    env |= {
        "DATABASE_URL": "sqlite:////nonexistent/x.db",
        "muster_coordinators": "UBOGUS",  # valid, and lower case: Settings ignores case
        "MUSTER_TIMEZONE": "UTC",
    }
    here = Path(__file__).resolve()
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            f"{here}::test_no_setting_is_visible_inside_a_test",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
