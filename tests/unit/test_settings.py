"""Settings from the environment: defaults, normalised values, and one-line errors
that name the variable."""

from __future__ import annotations

import pytest

from bot.runtime.settings import SettingsError, load_settings
from tests.support.http import SETTING_NAMES

ENV_NAMES = SETTING_NAMES


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_NAMES:
        monkeypatch.delenv(name, raising=False)


def test_defaults() -> None:
    s = load_settings()
    assert s.database_url == "sqlite:///muster.db"
    assert s.slack_api_url == "https://slack.com/api/"
    assert s.muster_timezone == "Europe/Brussels"
    assert s.muster_coordinators == ()
    assert s.muster_log_level == "INFO"
    assert s.muster_marking == ""  # no marking unless the coalition sets one


def test_the_marking_is_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_MARKING", "  NATO UNCLASSIFIED\n //  REL COALITION ")
    assert load_settings().muster_marking == "NATO UNCLASSIFIED // REL COALITION"


def test_the_log_level_is_read_in_any_case(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_LOG_LEVEL", " warning ")
    assert load_settings().muster_log_level == "WARNING"


def test_environment_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MUSTER_COORDINATORS", " u123abc, U456DEF ,")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9999/api")
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-1-2-3")
    s = load_settings()
    assert s.muster_coordinators == ("U123ABC", "U456DEF")
    assert s.slack_api_url == "http://127.0.0.1:9999/api/"
    assert s.slack_bot_token is not None and "xoxb" not in repr(s)


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "MUSTER_TIMEZONE",
            "Mars/Olympus",
            "MUSTER_TIMEZONE: unknown IANA time zone 'Mars/Olympus'",
        ),
        (
            "MUSTER_TIMEZONE",
            "America",
            "MUSTER_TIMEZONE: unknown IANA time zone 'America'; it is a region: name a place in "
            "it, e.g. 'America/New_York', 'America/Chicago' or 'America/Los_Angeles'.",
        ),
        (
            "MUSTER_TIMEZONE",
            "Europe/Brusels",
            "MUSTER_TIMEZONE: unknown IANA time zone 'Europe/Brusels'; "
            "did you mean 'Europe/Brussels'?",
        ),
        ("MUSTER_TIMEZONE", "Z" * 300, "MUSTER_TIMEZONE: unknown IANA time zone 'ZZZ"),
        ("MUSTER_COORDINATORS", "alice,U123", "MUSTER_COORDINATORS: not Slack user ids: ALICE"),
        (
            "DATABASE_URL",
            "mysql://x",
            "DATABASE_URL: use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB",
        ),
        (
            "SLACK_BOT_TOKEN",
            "xoxp-user-token",
            "SLACK_BOT_TOKEN: must be a bot token starting with xoxb-",
        ),
        (
            "SLACK_APP_TOKEN",
            "xoxb-1",
            "SLACK_APP_TOKEN: must be an app-level token starting with xapp-",
        ),
        ("SLACK_API_URL", "slack.com/api", "SLACK_API_URL: must be an http(s) URL"),
        ("MUSTER_MARKING", "SECRET\x07", "MUSTER_MARKING: must be printable text on one line"),
        (
            "MUSTER_MARKING",
            "X" * 101,
            "MUSTER_MARKING: must be at most 100 characters, not 101",
        ),
        (
            "MUSTER_LOG_LEVEL",
            "LOUD",
            "MUSTER_LOG_LEVEL: must be one of DEBUG, INFO, WARNING, ERROR, not 'LOUD'",
        ),
    ],
)
def test_malformed_settings_name_the_variable(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, message: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(SettingsError) as raised:
        load_settings()
    assert str(raised.value).startswith(message)
    assert "\n" not in str(raised.value)
