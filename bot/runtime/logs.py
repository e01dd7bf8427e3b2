"""The log: one level for the whole process, and nothing a request carried, nor a
secret, ever written to it.

Bolt and the Slack SDK put bodies into log messages in a few places: Bolt at INFO
for every request with a bad signature (the whole body, however large), at
WARNING for a request no listener handles, at DEBUG for every response; the SDK at
DEBUG for every Web API call, response_url post and Socket Mode message. These
messages are cut down to what they say about the request's fate, and anything
shaped like a Slack token is blanked, by one filter, `WITHHOLD`.

The filter sits on the loggers the messages start at, so that every handler is
spared them (pytest's caplog too): on the logger Muster gives Bolt, which Bolt
copies to each logger it makes, and on the SDK loggers Bolt does not make. It
also sits on the handlers `configure` installs, as the last net for the rest."""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from pathlib import Path

FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
WITHHELD = " [body withheld]"
REDACTED = "[redacted]"

# Messages that carry a body, and the part of each that is kept: the regex's group.
_BODY_CARRIERS = [
    re.compile(pattern, re.DOTALL)
    for pattern in (
        # slack_bolt
        r"(Invalid request signature detected)",
        r"(A global middleware \(.*?\) skipped calling .*?) without providing",
        r"(Unhandled request)",
        r"(Responding with status: \d+)",
        r"(Responding with listener middleware's response - listener: \S+, status: \d+)",
        r"(Skipped self event)",
        r"(Unsuccessful Bolt execution result \(status: \d+)",
        # slack_sdk: Web API calls and response_url posts
        r"(Sending a request - url: [^,\s]+)",
        r"(Received the following response - status: \d+)",
        # slack_sdk: Socket Mode
        r"(on_message invoked)",
        r"((?:Failed to send|Sending) a message \(session id: [^,)]*)",
        r"((?:Sending|Received) an? (?:new |unsupported |text |ping |pong )?data frame \(session id: [^,)]*)",
        r"(\S+ handshake (?:request|response) \(session id: [^)]*\))",
        r"(Failed to parse a pong message)",
        # slack_sdk: Socket Mode over websocket-client (acknowledgements carry replies)
        r"(Sending a message): ",
        r"(Failed to send a message) \(error",
    )
]
# Slack tokens (xoxb-, xoxp-, xapp-, …), bearer credentials, and the one-time ticket
# in a Socket Mode URL.
_SECRETS = re.compile(
    r"\b(?:xox[a-z]|xapp|xwfp)-[A-Za-z0-9-]+|(?<=Bearer )\S+|(?<=ticket=)[^&\s'\"]+"
)
# Messages that say nothing to an operator, dropped. Bolt reads SLACK_BOT_TOKEN from
# the environment itself and warns that its copy goes unused: Muster hands it a client
# made from the same token. The Socket Mode client and websocket-client log every
# dropped connection as an ERROR, twice; muster.socket says it once, as a WARNING,
# with the reason and what it does about it.
_NOISE = re.compile(
    r"As you gave `client` as well, `token` will be unused\.$"
    r"|on_error invoked \(error: "
    r"|.* - goodbye$",
    re.DOTALL,
)
# Loggers of the Slack SDK that Bolt does not create, by the SDK's module names.
SDK_LOGGERS = (
    "slack_sdk.web.base_client",
    "slack_sdk.web.internal_utils",
    "slack_sdk.webhook.client",
    "slack_sdk.socket_mode.builtin.client",
    "slack_sdk.socket_mode.builtin.connection",
    "slack_sdk.socket_mode.websocket_client",
    "websocket",
)


# Libraries that say at INFO what an operator need not read: alembic names its dialect
# at every schema check, APScheduler announces every tick, twice.
QUIET = ("alembic", "apscheduler")


class Withhold(logging.Filter):
    """Rewrites a record so that no body and no known secret reaches any handler."""

    def __init__(self) -> None:
        super().__init__()
        self._secrets: set[str] = set()

    def remember(self, *secrets: str | None) -> None:
        """Blank these values too (the signing secret has no telltale shape)."""
        self._secrets.update(s for s in secrets if s and len(s) >= 6)

    def scrub(self, text: str) -> str:
        text = _SECRETS.sub(REDACTED, text)
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: leave it to the handler to report
            return True
        if _NOISE.match(message):
            return False
        for carrier in _BODY_CARRIERS:
            match = carrier.match(message)
            if match:
                message = match.group(1) + WITHHELD
                break
        record.msg, record.args = self.scrub(message), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the traceback is scrubbed once, here.
            record.exc_text = self.scrub(logging.Formatter().formatException(record.exc_info))
        return True


WITHHOLD = Withhold()


def guard(logger: logging.Logger) -> logging.Logger:
    """Put WITHHOLD on ``logger`` (once)."""
    if WITHHOLD not in logger.filters:
        logger.addFilter(WITHHOLD)
    return logger


def guard_sdk() -> None:
    for name in SDK_LOGGERS:
        guard(logging.getLogger(name))


class JsonLines(logging.Formatter):
    """One JSON object a line, for log collectors: time (UTC, ISO 8601), level,
    logger, message, and the traceback if there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line = {
            # The moment logging took for the record: no clock of Muster's is read here.
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            line["traceback"] = record.exc_text
        return json.dumps(line, ensure_ascii=False)


def formatter(kind: str) -> logging.Formatter:
    return JsonLines() if kind == "json" else logging.Formatter(FORMAT)


def configure(
    level: str,
    *,
    filename: Path | None = None,
    secrets: Iterable[str | None] = (),
    kind: str = "text",
) -> None:
    """Log at ``level`` to stderr (or ``filename``), through WITHHOLD, as text lines
    or (``kind="json"``) JSON lines."""
    logging.basicConfig(level=level, format=FORMAT, filename=filename, force=True)
    WITHHOLD.remember(*secrets)
    for handler in logging.getLogger().handlers:
        handler.addFilter(WITHHOLD)
        handler.setFormatter(formatter(kind))
    guard_sdk()
    for name in QUIET:
        logging.getLogger(name).setLevel(max(logging.WARNING, logging.getLogger().level))
