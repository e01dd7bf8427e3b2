"""The `muster` command line as an operator runs it, in its own process: one-line errors
for bad settings, what `serve` refuses, `db upgrade`, `seed-demo` and the console."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.http import SETTING_NAMES

ENV_NAMES = SETTING_NAMES


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def muster(*args: str, env: dict[str, str], stdin: str = "") -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if k not in ENV_NAMES}
    return subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=clean | env,
        timeout=120,
        check=False,
    )


def test_cli_reports_a_bad_setting_in_one_line(tmp_path: Path) -> None:
    result = muster("db", "current", env={"MUSTER_TIMEZONE": "Nowhere/Land"})
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "muster: setting MUSTER_TIMEZONE: unknown IANA time zone 'Nowhere/Land'; "
        "use a name such as 'Europe/Brussels'."
    )


def test_cli_reports_a_region_for_a_time_zone_in_one_line(tmp_path: Path) -> None:
    result = muster("db", "current", env={"MUSTER_TIMEZONE": "America"})
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith(
        "muster: setting MUSTER_TIMEZONE: unknown IANA time zone 'America'; it is a region"
    )


@pytest.mark.parametrize("command", [["serve"], ["serve", "--http"]])
def test_serve_refuses_a_bad_log_level_in_one_line(command: list[str], tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": "xapp-1",
        "SLACK_SIGNING_SECRET": "s",
        "MUSTER_LOG_LEVEL": "chatty",
    }
    result = muster(*command, env=env)
    assert result.returncode == 2
    assert result.stderr == (
        "muster: setting MUSTER_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR,"
        " not 'chatty'\n"
    )
    assert result.stdout == ""


def test_serve_needs_its_tokens(tmp_path: Path) -> None:
    result = muster("serve", env={"DATABASE_URL": f"sqlite:///{tmp_path / 'x.db'}"})
    assert result.returncode == 2
    assert (
        result.stderr.strip() == "muster: setting SLACK_BOT_TOKEN: not set; this operation needs it"
    )


def test_serve_refuses_an_unmigrated_database_without_touching_it(tmp_path: Path) -> None:
    env = {
        "DATABASE_URL": f"sqlite:///{tmp_path / 'old.db'}",
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_APP_TOKEN": "xapp-1",
    }
    result = muster("serve", env=env)
    assert result.returncode == 2
    assert "The database is empty" in result.stderr and "muster db upgrade" in result.stderr
    assert "Traceback" not in result.stderr
    assert "xoxb-1" not in result.stderr + result.stdout


def test_db_upgrade_then_seed_demo(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'ops.db'}"}
    assert muster("db", "current", env=env).returncode == 1
    upgraded = muster("db", "upgrade", env=env)
    assert upgraded.returncode == 0 and "Database at revision" in upgraded.stdout
    assert "up to date" in muster("db", "current", env=env).stdout
    assert muster("seed-demo", env=env).returncode == 0
    result = muster("console", "--as", "ucoord1", env=env, stdin="/muster pledges MER\n")
    assert "P-8 MER → UAF-1: 4,000 training places/year, confirmed · restricted" in result.stdout


def test_console_on_the_demo_coalition(tmp_path: Path) -> None:
    script = "\n".join(
        [
            "/muster status",
            ":as UVALD1",
            "/muster pledge LAND-2 1 offered if “subject to parliament”",
            "/muster pledges MER",
            ":as UCOORD1",
            "/muster answer Q-1 Robust ROE; national caveats are respected.",
            "/muster frobnicate",
            "hello",
        ]
    )
    result = muster("console", "--demo", env={}, stdin=script + "\n")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert "Coverage by objective" in out
    assert "SKY Safe skies: lines filled 0 of 3 · critical lines filled 0 of 2" in out
    assert "critical shortfalls 2" in out and "(s)" not in out
    assert "Pledge P-14 recorded" in out
    assert (
        "LAND-2 Role 2 field hospitals now: 🟨🟨🟨🟨🟨🟥🟥🟥🟥🟥 🔴 firm 0 of 2 units (0%)"
        " · pending 0 · conditional 1 · open 1 · critical shortfall"
    ) in out
    assert "P-14 VAL → LAND-2: 1 unit, offered" in out
    assert "Pledges of MER (1)" in out and "P-8" not in out  # MER's restricted pledge stays unseen
    assert "→ Muster posts to UOST1:" in out
    assert "Your delegation's question Q-1 has been answered" in out
    assert "Unknown subcommand `frobnicate`." in out
    assert "Type `/muster help`" in out
    assert "Traceback" not in out + result.stderr


def test_two_consoles_one_after_the_other_both_apply_their_writes(tmp_path: Path) -> None:
    """Each console delivery carries its own key: a second console on the same database
    is not mistaken for a retry of the first one's commands."""
    env = {"DATABASE_URL": f"sqlite:///{tmp_path / 'two.db'}", "MUSTER_COORDINATORS": "UCOORD"}
    assert muster("db", "upgrade", env=env).returncode == 0
    first = muster(
        "console", "--as", "UCOORD", env=env, stdin="/muster delegation add AUR Aurelia\n"
    )
    second = muster(
        "console", "--as", "UCOORD", env=env, stdin="/muster delegation add BOR Borealis\n"
    )
    assert "reached Muster twice" not in first.stdout + second.stdout
    listing = muster("console", "--as", "UCOORD", env=env, stdin="/muster delegations\n").stdout
    assert "AUR" in listing and "Aurelia" in listing
    assert "BOR" in listing and "Borealis" in listing


def test_serve_refuses_an_empty_signing_secret(database_url: str, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES} | {
        "DATABASE_URL": database_url,
        "SLACK_BOT_TOKEN": "xoxb-1",
        "SLACK_SIGNING_SECRET": "",
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot.runtime.cli", "serve", "--http", "--port", "1"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2 and "SLACK_SIGNING_SECRET: not set" in result.stderr
