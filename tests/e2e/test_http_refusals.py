"""What `muster serve --http` refuses, and what a refused request leaves in the log:
one short line, never its body. The server runs as a process at DEBUG, its log in a
file; every body carries a marker that must not appear there."""

from __future__ import annotations

import copy
import json
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import pytest
from sqlalchemy import Engine

from bot.domain.clock import FixedClock
from bot.runtime.standin import SlackStandIn
from bot.runtime.web import MAX_BODY
from bot.services.muster import Muster
from storage.db import make_engine
from tests.support.clock import START
from tests.support.databases import reset, row_counts, served_database
from tests.support.factories import COORDINATOR, OWN, small_coalition
from tests.support.http import HttpReply, SlackOverHttp, muster_server
from tests.support.slack import new_trigger_id, payload

SECRET = "refusals-signing-secret"
BOT_TOKEN = "xoxb-refusals-bot-token"
FORM = "application/x-www-form-urlencoded"


@dataclass
class Served:
    port: int
    engine: Engine
    log: Path


def start(
    kind: str,
    level: str,
    factory: pytest.TempPathFactory,
    template: Path,
    slack: SlackStandIn,
) -> Iterator[Served]:
    folder = factory.mktemp(f"refusals-{kind}-{level.lower()}")
    with served_database(kind, folder, template) as url:
        env = {
            "DATABASE_URL": url,
            "SLACK_BOT_TOKEN": BOT_TOKEN,
            "SLACK_SIGNING_SECRET": SECRET,
            "SLACK_API_URL": slack.api_url,
            "MUSTER_COORDINATORS": COORDINATOR,
            "MUSTER_LOG_LEVEL": level,
        }
        engine = make_engine(url)
        with muster_server(env, workers=1, threads=4, log=folder / "server.log") as port:
            yield Served(port, engine, folder / "server.log")
        engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def served(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    slack_server: SlackStandIn,
) -> Iterator[Served]:
    yield from start(request.param, "DEBUG", tmp_path_factory, sqlite_template, slack_server)


@pytest.fixture
def http(served: Served, slack: SlackStandIn) -> Iterator[SlackOverHttp]:
    reset(served.engine)
    small_coalition(Muster(served.engine, clock=FixedClock(START), coordinators=[COORDINATOR]))
    yield SlackOverHttp(served.port, SECRET, slack.response_url())
    slack.settle()


@pytest.fixture
def marker() -> str:
    """Put into every body of a test; it must appear nowhere in the server's log."""
    return f"BODY-MARKER-{uuid.uuid4().hex}"


def assert_clean_log(log: Path, marker: str) -> str:
    text = log.read_text()
    assert " DEBUG " in text, "the server must log at DEBUG, or the test proves little"
    assert marker not in text
    assert "Traceback" not in text
    assert BOT_TOKEN not in text and SECRET not in text
    return text


def send_part_then_read_answer(port: int, head: str, part: bytes) -> bytes:
    """Send a request's head and only ``part`` of its body, keep the connection open,
    and return the first bytes of what the server answers meanwhile."""
    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(
            f"POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n"
            f"Content-Type: {FORM}\r\n{head}\r\n".encode()
        )
        sock.sendall(part)
        return sock.recv(200)


def filler(marker: str, size: int) -> bytes:
    return (f"text={marker}&" * (size // len(marker) + 1)).encode()[:size]


def test_a_body_declared_over_one_megabyte_is_refused_before_it_is_sent(
    served: Served, marker: str
) -> None:
    """Only 64 kB of the 2 MB declared are ever sent: the answer cannot wait for the rest."""
    answer = send_part_then_read_answer(
        served.port, f"Content-Length: {2 * MAX_BODY}\r\n", filler(marker, 65536)
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert "refused a request body over 1048576 bytes (413)" in assert_clean_log(served.log, marker)


def test_a_chunked_body_is_cut_off_after_one_megabyte(served: Served, marker: str) -> None:
    """A chunked body without its final empty chunk has no end: the server must stop
    reading after the limit and answer."""
    data = filler(marker, 65536)
    chunk = b"%x\r\n%s\r\n" % (len(data), data)
    answer = send_part_then_read_answer(
        served.port, "Transfer-Encoding: chunked\r\n", chunk * (MAX_BODY // len(data) + 2)
    )
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert_clean_log(served.log, marker)


def test_a_signed_body_of_exactly_one_megabyte_is_still_served(
    http: SlackOverHttp, served: Served, marker: str
) -> None:
    text = f"help {marker} "
    trigger = new_trigger_id()  # one trigger id for both bodies: ids differ in length
    body = http.command_body(OWN, text, trigger)
    body = http.command_body(OWN, text + "x" * (MAX_BODY - len(body)), trigger)
    assert len(body.encode()) == MAX_BODY
    reply = http.post(body, FORM)
    assert reply.status == 200 and reply.text
    assert_clean_log(served.log, marker)


@pytest.mark.parametrize("forgery", ["unsigned", "forged", "stale", "nonsense-timestamp"])
def test_an_unverified_request_gets_401_and_its_body_stays_out_of_the_log(
    forgery: str, http: SlackOverHttp, served: Served, marker: str
) -> None:
    before = row_counts(served.engine)
    body = http.command_body(OWN, f"pledge LAND-1 1 {marker}")
    kwargs: dict[str, object] = {
        "unsigned": {"headers": {"X-Slack-Signature": ""}},
        "forged": {"signature": "v0=" + "ab" * 32},
        "stale": {"timestamp": 1_600_000_000},
        "nonsense-timestamp": {"headers": {"X-Slack-Request-Timestamp": "¹²³"}},
    }[forgery]
    reply = http.post(body, FORM, **kwargs)  # type: ignore[arg-type]
    assert (reply.status, reply.json()) == (401, {"error": "invalid request"})
    assert row_counts(served.engine) == before
    assert "refused a request with a bad or stale signature (401)" in assert_clean_log(
        served.log, marker
    )


def block_actions_without(marker: str, actions: object = None) -> str:
    data = copy.deepcopy(payload("block_actions"))
    data["user"]["name"] = marker
    if actions is None:
        data.pop("actions")
    else:
        data["actions"] = actions
    return urlencode({"payload": json.dumps(data)})


def malformed(case: str, marker: str) -> tuple[str, str]:
    """A body Slack would never send, signed as if it had, and its content type."""
    command = urlencode(payload("slash_command") | {"user_id": OWN, "text": marker})
    event = payload("event_app_home_opened") | {"event": marker}
    return {
        "payload-not-json": (f"payload={marker}", FORM),
        "payload-a-json-list": (urlencode({"payload": json.dumps([marker])}), FORM),
        "form-sent-as-json": (command, "application/json"),
        "block-actions-without-actions": (block_actions_without(marker), FORM),
        "block-actions-with-no-action": (block_actions_without(marker, []), FORM),
        "block-actions-with-a-string-action": (block_actions_without(marker, [marker]), FORM),
        "event-not-an-object": (json.dumps(event), "application/json"),
        "json-nested-too-deep": (
            "[" * 100_000 + json.dumps(marker) + "]" * 100_000,
            "application/json",
        ),
        "no-type": (json.dumps({"text": marker}), "application/json"),
        "empty": ("", FORM),
    }[case]


MALFORMED = [
    "payload-not-json",
    "payload-a-json-list",
    "form-sent-as-json",
    "block-actions-without-actions",
    "block-actions-with-no-action",
    "block-actions-with-a-string-action",
    "event-not-an-object",
    "json-nested-too-deep",
    "no-type",
    "empty",
]


@pytest.mark.parametrize("case", MALFORMED)
def test_a_signed_malformed_request_gets_400_and_changes_nothing(
    case: str, http: SlackOverHttp, served: Served, slack: SlackStandIn, marker: str
) -> None:
    before = row_counts(served.engine)
    body, content_type = malformed(case, marker)
    reply: HttpReply = http.post(body, content_type)
    assert reply.status == 400
    assert reply.json()["error"].startswith("malformed: ") and len(reply.body) < 120
    assert marker not in reply.body
    assert row_counts(served.engine) == before
    assert slack.calls == []
    assert "refused a signed but malformed request (400)" in assert_clean_log(served.log, marker)


def test_a_signed_well_formed_request_is_still_answered(
    http: SlackOverHttp, served: Served, marker: str
) -> None:
    """The checks let Slack's own requests through, and Bolt's log of them is body-free."""
    reply = http.command(OWN, f"ask {marker}?")
    assert reply.status == 200 and "Question Q-2 recorded" in reply.text
    log = assert_clean_log(served.log, marker)
    assert "Responding with status: 200 [body withheld]" in log


@pytest.fixture(scope="module")
def quiet(
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
    slack_server: SlackStandIn,
) -> Iterator[Served]:
    yield from start("sqlite", "WARNING", tmp_path_factory, sqlite_template, slack_server)


def test_muster_log_level_warning_quiets_muster_bolt_and_gunicorn(
    quiet: Served, slack_server: SlackStandIn
) -> None:
    http = SlackOverHttp(quiet.port, SECRET, slack_server.response_url())
    assert http.post("text=unsigned", FORM, signature="v0=0").status == 401  # logged at INFO
    assert http.post("payload=notjson", FORM).status == 400  # logged at WARNING
    log = quiet.log.read_text()
    assert "WARNING muster.web: refused a signed but malformed request (400)" in log
    for quieted in (" INFO ", " DEBUG ", "[INFO]", "[DEBUG]"):
        assert quieted not in log, f"{quieted.strip()} lines at MUSTER_LOG_LEVEL=WARNING"
