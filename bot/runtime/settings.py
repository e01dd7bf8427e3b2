"""Settings from the environment, validated once, with one-line errors."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Annotated, Any

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from bot.domain.errors import BadInput
from bot.domain.schedule import zone_name
from bot.domain.text import shorten

USER_ID = re.compile(r"^[UW][A-Z0-9]{2,31}$")
DEFAULT_SLACK_API_URL = "https://slack.com/api/"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")
MAX_MARKING = 100  # a marking is one line; a printed page header holds 255 characters
LOG_FORMATS = ("text", "json")


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore", frozen=True)

    database_url: str = "sqlite:///muster.db"
    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str = DEFAULT_SLACK_API_URL
    muster_coordinators: Annotated[tuple[str, ...], NoDecode] = Field(default=())
    muster_timezone: str = "Europe/Brussels"
    muster_log_level: str = "INFO"
    muster_marking: str = ""  # e.g. NATO UNCLASSIFIED // REL COALITION; none by default
    muster_coalition_name: str = ""  # on the written report's cover; none by default
    muster_log_format: str = "text"
    # Where `muster serve` says how it is, for `muster health` (empty: the temp folder).
    muster_health_file: str = ""

    @field_validator("database_url")
    @classmethod
    def _known_database(cls, value: str) -> str:
        if not value.startswith(("sqlite:", "postgresql+psycopg:")):
            raise ValueError("use sqlite:///FILE or postgresql+psycopg://USER@HOST/DB")
        return value

    @field_validator("slack_api_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://slack.com/api/")
        return value if value.endswith("/") else value + "/"

    @field_validator("slack_bot_token")
    @classmethod
    def _bot_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xoxb-"):
            raise ValueError("must be a bot token starting with xoxb-")
        return value

    @field_validator("slack_app_token")
    @classmethod
    def _app_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None and not value.get_secret_value().startswith("xapp-"):
            raise ValueError("must be an app-level token starting with xapp-")
        return value

    @field_validator("muster_coordinators", mode="before")
    @classmethod
    def _split_users(cls, value: object) -> tuple[str, ...]:
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, Iterable):
            raise ValueError("must be a comma-separated list of Slack user ids")
        users = tuple(str(v).strip().upper() for v in value)
        bad = [u for u in users if not USER_ID.match(u)]
        if bad:
            raise ValueError(f"not Slack user ids: {', '.join(bad)} (expected e.g. U012ABCDEF)")
        return users

    @field_validator("muster_timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            return zone_name(value)
        except BadInput as exc:  # one line for the operator, in the terminal's quotes
            hint = exc.hint[:1].lower() + exc.hint[1:].replace("`", "'")
            raise ValueError(f"unknown IANA time zone {shorten(value)!r}; {hint}") from None

    @field_validator("muster_marking", "muster_coalition_name")
    @classmethod
    def _marking(cls, value: str) -> str:
        marking = " ".join(value.split())
        if not marking.isprintable():
            raise ValueError("must be printable text on one line")
        if len(marking) > MAX_MARKING:
            raise ValueError(f"must be at most {MAX_MARKING} characters, not {len(marking)}")
        return marking

    @field_validator("muster_log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        level = value.strip().upper()
        if level not in LOG_LEVELS:
            raise ValueError(f"must be one of {', '.join(LOG_LEVELS)}, not {value!r}")
        return level

    @field_validator("muster_log_format")
    @classmethod
    def _log_format(cls, value: str) -> str:
        kind = value.strip().lower()
        if kind not in LOG_FORMATS:
            raise ValueError(f"must be one of {', '.join(LOG_FORMATS)}, not {value!r}")
        return kind


def load_settings(**overrides: Any) -> Settings:
    """Read the environment; raise SettingsError naming the first bad variable.

    The overrides are raw values, as from the environment: Settings validates them."""
    try:
        return Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        variable = str(error["loc"][0]).upper() if error["loc"] else "settings"
        message = str(error["msg"]).removeprefix("Value error, ")
        raise SettingsError(f"{variable}: {message}") from None


def require(settings: Settings, *names: str) -> None:
    """Fail with a one-line error when a setting an operation needs is unset."""
    for name in names:
        value = getattr(settings, name)
        if isinstance(value, SecretStr):
            value = value.get_secret_value()
        if value in (None, ""):
            raise SettingsError(f"{name.upper()}: not set; this operation needs it")
