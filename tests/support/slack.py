"""Drive the real Bolt app the way Slack does: signed, form-encoded requests."""

from __future__ import annotations

import itertools
import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from slack_bolt import App, BoltRequest
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View
from slack_sdk.signature import SignatureVerifier

from bot.domain.clock import epoch_seconds
from bot.runtime.standin import SlackStandIn
from bot.runtime.workers import WorkerPool

PAYLOADS = Path(__file__).parent.parent / "payloads"
MAX_BLOCKS_PER_MESSAGE = 50
MAX_BLOCKS_PER_VIEW = 100


_triggers = itertools.count(1)


def new_trigger_id() -> str:
    return f"{next(_triggers)}.{uuid.uuid4().int % 10**12}.{uuid.uuid4().hex}"


def payload(name: str) -> dict[str, Any]:
    return json.loads((PAYLOADS / f"{name}.json").read_text())


def validate_blocks(blocks: list[dict[str, Any]]) -> None:
    """Every block must parse and validate with slack_sdk's own Block Kit models."""
    assert len(blocks) <= MAX_BLOCKS_PER_MESSAGE, f"{len(blocks)} blocks"
    for raw in blocks:
        block = Block.parse(raw)
        assert block is not None, raw
        block.validate_json()
        assert block.to_dict() == raw, "blocks must round-trip through slack_sdk's models"


def validate_view(raw: dict[str, Any]) -> None:
    """A modal or Home view must validate with slack_sdk's View model and Slack's limits."""
    view = View(**raw)
    view.validate_json()
    assert len(raw.get("blocks", [])) <= MAX_BLOCKS_PER_VIEW
    for block in raw.get("blocks", []):
        parsed = Block.parse(block)
        assert parsed is not None, block
        parsed.validate_json()


def validate_calls(calls: list[Any]) -> None:
    """Everything the bot sent to the Web API that carries Block Kit must validate."""
    for call in calls:
        if "view" in call.args:
            validate_view(call.args["view"])
        if call.args.get("blocks"):
            validate_blocks(call.args["blocks"])


@dataclass
class SlackReply:
    status: int
    body: dict[str, Any]

    @property
    def text(self) -> str:
        return str(self.body.get("text", ""))

    @property
    def blocks(self) -> list[dict[str, Any]]:
        return list(self.body.get("blocks", []))

    @property
    def ephemeral(self) -> bool:
        return self.body.get("response_type") == "ephemeral"


class SlashCommands:
    """Sends `/muster …` as ``user`` through ``app.dispatch`` with a valid signature."""

    def __init__(
        self, app: App, signing_secret: str, response_url: str, workers: WorkerPool | None = None
    ) -> None:
        self.app = app
        self.verifier = SignatureVerifier(signing_secret)
        self.response_url = response_url
        self.workers = workers

    def signed(self, body: str, *, timestamp: int | None = None) -> dict[str, str]:
        ts = str(timestamp if timestamp is not None else epoch_seconds())
        return {
            "content-type": "application/x-www-form-urlencoded",
            "x-slack-request-timestamp": ts,
            "x-slack-signature": self.verifier.generate_signature(timestamp=ts, body=body),
        }

    def form(self, user: str, text: str) -> str:
        fields = payload("slash_command") | {
            "user_id": user,
            "text": text,
            "response_url": self.response_url,
            "trigger_id": new_trigger_id(),  # Slack issues a fresh one for every invocation
        }
        return urlencode(fields)

    def __call__(self, user: str, text: str, *, opens_form: bool = False) -> SlackReply:
        """Send the command; ``opens_form`` when the answer is a form, not a message."""
        body = self.form(user, text)
        response = self.app.dispatch(BoltRequest(body=body, headers=self.signed(body)))
        if self.workers is not None:
            assert self.workers.wait_idle(), "follow-up work did not finish"
        reply = SlackReply(response.status, json.loads(response.body) if response.body else {})
        assert reply.status == 200, reply
        assert bool(reply.text) != opens_form, (
            f"{'silent' if not opens_form else 'unexpected'} reply to {text!r}"
        )
        validate_blocks(reply.blocks)
        return reply


def submit(muster_cmd: SlashCommands, data: dict[str, Any]) -> dict[str, Any]:
    """A view_submission through the real app, signed as Slack signs it."""
    body = urlencode({"payload": json.dumps(data)})
    response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
    assert response.status == 200
    assert muster_cmd.workers is not None and muster_cmd.workers.wait_idle()
    return json.loads(response.body) if response.body else {}


def home_of(user: str, muster_cmd: SlashCommands, slack: SlackStandIn) -> dict[str, Any]:
    """Open the App Home tab as ``user``, through the app's real event path: the view
    published last for them."""
    event = payload("event_app_home_opened")
    event["event"]["user"] = user
    body = json.dumps(event)
    headers = muster_cmd.signed(body) | {"content-type": "application/json"}
    assert muster_cmd.app.dispatch(BoltRequest(body=body, headers=headers)).status == 200
    assert muster_cmd.workers is not None and muster_cmd.workers.wait_idle()
    published = [c for c in slack.calls_to("views.publish") if c.args["user_id"] == user]
    view: dict[str, Any] = published[-1].args["view"]
    validate_view(view)
    return view


def open_form(muster_cmd: SlashCommands, slack: SlackStandIn, user: str, command: str) -> Any:
    """The form ``command`` opens for ``user``."""
    muster_cmd(user, command, opens_form=True)
    return slack.calls_to("views.open")[-1].args["view"]


def press(muster_cmd: SlashCommands, user: str, action_id: str, value: str) -> None:
    """``user`` presses a button (block_actions) through the real app; what the app
    answers there (``respond``) reaches the stand-in's response URL."""
    data = payload("block_actions")
    data["user"]["id"] = user
    data["trigger_id"] = new_trigger_id()
    data["response_url"] = muster_cmd.response_url  # what the clicker is told goes there
    data["actions"] = [dict(data["actions"][0], action_id=action_id, value=value)]
    body = urlencode({"payload": json.dumps(data)})
    response = muster_cmd.app.dispatch(BoltRequest(body=body, headers=muster_cmd.signed(body)))
    assert response.status == 200
    assert muster_cmd.workers is not None and muster_cmd.workers.wait_idle()
