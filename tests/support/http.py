"""A real `muster serve --http` process, and a client that speaks to it as Slack does."""

from __future__ import annotations

import copy
import http.client
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_sdk.signature import SignatureVerifier

from bot.domain.clock import epoch_seconds
from tests.support.slack import new_trigger_id, payload

SETTING_NAMES = [
    "DATABASE_URL",
    "SLACK_BOT_TOKEN",
    "SLACK_SIGNING_SECRET",
    "SLACK_APP_TOKEN",
    "SLACK_API_URL",
    "MUSTER_COORDINATORS",
    "MUSTER_TIMEZONE",
    "MUSTER_LOG_LEVEL",
    "MUSTER_LOG_FORMAT",
    "MUSTER_HEALTH_FILE",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class HttpReply:
    status: int
    body: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.body) if self.body else {}

    @property
    def text(self) -> str:
        return str(self.json().get("text", ""))


@contextmanager
def muster_server(
    env: dict[str, str], *, workers: int = 2, threads: int = 16, log: Path | None = None
) -> Iterator[int]:
    """Start `muster serve --http` on a free port; yield the port once /healthz answers.

    With ``log``, everything the server writes (its log) goes to that file."""
    port = free_port()
    clean = {k: v for k, v in os.environ.items() if k not in SETTING_NAMES}
    output = log.open("w") if log else None
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "bot.runtime.cli",
            "serve",
            "--http",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--threads",
            str(threads),
        ],
        env=clean | env,
        stdout=output or subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if process.poll() is not None:
                said = log.read_text() if log else process.stdout.read() if process.stdout else ""
                raise RuntimeError(f"muster serve exited: {said}")
            try:
                if get(port, "/healthz").status == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("muster serve did not become healthy")
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
        if process.stdout:
            process.stdout.close()
        if output:
            output.close()


def get(port: int, path: str) -> HttpReply:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        return HttpReply(response.status, response.read().decode())
    finally:
        conn.close()


class SlackOverHttp:
    """Posts signed slash commands, interactions and events to /slack/events."""

    def __init__(self, port: int, signing_secret: str, response_url: str) -> None:
        self.port = port
        self.verifier = SignatureVerifier(signing_secret)
        self.response_url = response_url

    def post(
        self,
        body: str,
        content_type: str,
        *,
        headers: dict[str, str] | None = None,
        timestamp: int | None = None,
        signature: str | None = None,
    ) -> HttpReply:
        ts = str(timestamp if timestamp is not None else epoch_seconds())
        all_headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": ts,
            "X-Slack-Signature": signature
            or self.verifier.generate_signature(timestamp=ts, body=body),
        } | (headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request("POST", "/slack/events", body=body.encode(), headers=all_headers)
            response = conn.getresponse()
            return HttpReply(response.status, response.read().decode())
        finally:
            conn.close()

    def command_body(self, user: str, text: str, trigger_id: str | None = None) -> str:
        fields = payload("slash_command") | {
            "user_id": user,
            "text": text,
            "response_url": self.response_url,
            "trigger_id": trigger_id or new_trigger_id(),
        }
        return urlencode(fields)

    def command(self, user: str, text: str, **kwargs: Any) -> HttpReply:
        return self.post(
            self.command_body(user, text), "application/x-www-form-urlencoded", **kwargs
        )

    def interaction(self, data: dict[str, Any], **kwargs: Any) -> HttpReply:
        body = urlencode({"payload": json.dumps(data)})
        return self.post(body, "application/x-www-form-urlencoded", **kwargs)

    def event(self, data: dict[str, Any], **kwargs: Any) -> HttpReply:
        return self.post(json.dumps(data), "application/json", **kwargs)


def click(
    user: str, action_id: str, value: str, *, response_url: str | None = None
) -> dict[str, Any]:
    data = copy.deepcopy(payload("block_actions"))
    data["user"]["id"] = user
    data["trigger_id"] = new_trigger_id()
    data["actions"][0].update(action_id=action_id, value=value)
    if response_url is None:
        data.pop("response_url")
    else:
        data["response_url"] = response_url
    return data


def fill(user: str, view: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    """The view_submission Slack sends when ``user`` fills the form ``view`` with ``values``.

    Select values must be among the form's options, as in Slack."""
    state: dict[str, dict[str, Any]] = {}
    for block in view.get("blocks", []):
        if block.get("type") != "input":
            continue
        element, name = block["element"], block["block_id"]
        value = values.get(name)
        kind = element["type"]
        if kind == "static_select":
            options = element.get("options") or [
                o for g in element.get("option_groups", []) for o in g["options"]
            ]
            if value is None and "initial_option" in element:
                value = element["initial_option"]["value"]
            chosen = next((o for o in options if o["value"] == value), None)
            assert value is None or chosen is not None, f"{value!r} is not an option of {name}"
            field = {"type": kind, "selected_option": chosen}
        elif kind == "checkboxes":
            field = {"type": kind, "selected_options": element["options"] if value else []}
        elif kind == "datepicker":
            field = {"type": kind, "selected_date": value}
        else:
            field = {"type": kind, "value": None if value is None else str(value)}
        state[name] = {element["action_id"]: field}
    data = copy.deepcopy(payload("view_submission"))
    data["user"]["id"] = user
    data["trigger_id"] = new_trigger_id()
    data["view"].update(
        callback_id=view["callback_id"],
        blocks=view["blocks"],
        private_metadata=view.get("private_metadata", ""),
        title=view["title"],
        state={"values": state},
    )
    return data
