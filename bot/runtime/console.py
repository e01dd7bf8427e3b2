"""A chat console in the terminal, in the spirit of errbot's text backend.

Each line is what a user would type in Slack. It goes through the same Bolt app
(middleware, listeners, error handler) as a real slash command, with signing off,
and with the Web API pointed at a loopback stand-in that prints what the bot posts."""

from __future__ import annotations

import json
import re
import sys
import uuid
from collections.abc import Iterable
from typing import Any, TextIO
from urllib.parse import urlencode

from rich.console import Console
from rich.markup import escape
from slack_bolt import App, BoltResponse
from slack_sdk import WebClient

from bot.runtime.app import create_app
from bot.runtime.inbound import Malformed, bolt_request
from bot.runtime.settings import USER_ID, Settings
from bot.runtime.standin import Call, SlackStandIn
from bot.runtime.workers import WorkerPool
from bot.services.muster import Muster
from handlers.ids import COMMAND
from handlers.times import in_zone

CONSOLE_TOKEN = "xoxb-muster-console"  # noqa: S105 (not a secret: the stand-in accepts anything)
CONSOLE_HELP = "Type `/muster help`, `:as <USER_ID>` to switch user, `:quit` to leave."


class ConsoleTransport:
    def __init__(self, settings: Settings, *, user: str, out: Console, muster: Muster) -> None:
        self.user = user
        self.out = out
        self.zone = settings.muster_timezone  # Slack shows each reader's own; here, the coalition's
        self.standin = SlackStandIn(on_call=self._print_call)
        self.standin.start()
        client = WebClient(token=CONSOLE_TOKEN, base_url=self.standin.api_url)
        unsigned = settings.model_copy(update={"slack_signing_secret": None})
        self.workers = WorkerPool(4)
        self.app: App = create_app(unsigned, client, muster=muster, workers=self.workers)

    def close(self) -> None:
        self.workers.wait_idle()
        self.workers.shutdown()
        self.standin.stop()

    def slash_command(self, user: str, text: str) -> BoltResponse:
        # Unique per delivery, across processes too: the delivery table remembers keys for
        # a day, and a second console on the same database must not look like a retry.
        n = uuid.uuid4().hex
        form = {
            "token": "console",
            "team_id": "T0MUSTER",
            "team_domain": "coalition",
            "channel_id": "D0CONSOLE",
            "channel_name": "directmessage",
            "user_id": user,
            "user_name": user.lower(),
            "command": COMMAND,
            "text": text,
            "api_app_id": "A0MUSTER",
            "is_enterprise_install": "false",
            "response_url": self.standin.response_url(n),
            "trigger_id": f"{n}.console",
        }
        try:
            request = bolt_request(
                urlencode(form), headers={"content-type": "application/x-www-form-urlencoded"}
            )
        except Malformed as exc:  # as Slack's HTTP requests are: refused before Bolt sees them
            return BoltResponse(status=400, body=f"malformed: {exc}")
        return self.app.dispatch(request)

    def handle(self, line: str) -> bool:
        """Act on one input line; False means the user asked to leave."""
        line = line.strip()
        if not line or line.startswith("#"):
            return True
        if line in (":quit", ":q", ":exit"):
            return False
        if line.startswith(":as"):
            self._switch_user(line[3:].strip())
        elif line.split()[0] == COMMAND:
            response = self.slash_command(self.user, line[len(COMMAND) :].strip())
            self._print_response(response)
            self.workers.wait_idle()  # print what the bot posts afterwards before the next prompt
        elif line.startswith("/"):
            self.out.print(f"Only {COMMAND} is installed here. {CONSOLE_HELP}")
        else:
            self.out.print(CONSOLE_HELP)
        return True

    def run(self, lines: Iterable[str], *, echo: bool) -> None:
        for line in lines:
            if echo:
                self.out.print(f"[bold]{escape(self.user)}>[/bold] {escape(line.rstrip())}")
            if not self.handle(line):
                break

    def _switch_user(self, user: str) -> None:
        user = user.upper().lstrip("@")
        if not USER_ID.match(user):
            self.out.print("Give a Slack user id, e.g. `:as UVALD1`.")
            return
        self.user = user
        self.out.print(f"[dim]now acting as {user}[/dim]")

    def _print_response(self, response: BoltResponse) -> None:
        if response.status != 200:
            self.out.print(f"[red]Slack would show an error: HTTP {response.status}[/red]")
            return
        if response.body:
            self._print_message(json.loads(response.body))

    def _print_message(self, message: dict[str, Any]) -> None:
        blocks = message.get("blocks")
        if not blocks:
            self.out.print(self._mrkdwn(message.get("text", "")))
            return
        for block in blocks:
            kind = block.get("type")
            if kind == "header":
                self.out.print(
                    f"[bold underline]{escape(_plain(block['text']['text']))}[/bold underline]"
                )
            elif kind == "section":
                self.out.print(self._mrkdwn(block["text"]["text"]))
            elif kind == "context":
                for element in block.get("elements", []):
                    self.out.print(f"[dim]{self._mrkdwn(element.get('text', ''))}[/dim]")
            elif kind == "divider":
                self.out.print("[dim]" + "─" * 40 + "[/dim]")
        self.out.print()

    def _mrkdwn(self, text: str) -> str:
        return _mrkdwn(in_zone(text, self.zone))

    def _print_call(self, call: Call) -> None:
        if call.method == "chat.postMessage":
            self.out.print(f"[cyan]→ Muster posts to {call.args.get('channel')}:[/cyan]")
            self._print_message(call.args)
        elif call.method in ("views.open", "views.push"):
            view = call.args.get("view") or {}
            title = (view.get("title") or {}).get("text", "")
            fields = [
                b.get("label", {}).get("text", "")
                for b in view.get("blocks", [])
                if b.get("type") == "input"
            ]
            self.out.print(
                f"[cyan]→ Muster opens a form “{escape(title)}”: {escape(', '.join(fields))}[/cyan]"
            )
        elif call.method == "response_url":
            self._print_message(call.args)
        elif call.method == "views.publish":
            self.out.print(
                f"[dim]→ Muster refreshes the Home tab of {escape(str(call.args.get('user_id')))}[/dim]"
            )
        elif call.method != "auth.test":  # Bolt's own start-up check, not something the bot did
            self.out.print(f"[dim]→ Web API {escape(call.method)}[/dim]")


def _plain(text: str) -> str:
    text = re.sub(r"<@([A-Z0-9]+)(?:\|[^>]*)?>", r"@\1", text)
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _mrkdwn(text: str) -> str:
    """Slack mrkdwn to rich markup: *bold* and _italic_, everything else verbatim."""
    text = escape(_plain(text))
    text = re.sub(r"(?<![\w*])\*([^*\n]+)\*(?![\w*])", r"[bold]\1[/bold]", text)
    return re.sub(r"(?<![\w_])_([^_\n]+)_(?![\w_])", r"[italic]\1[/italic]", text)


def interactive_lines(console: Console, prompt: Any) -> Iterable[str]:
    while True:
        try:
            yield console.input(f"[bold]{escape(prompt())}>[/bold] ")
        except EOFError:
            return


def run_console(transport: ConsoleTransport, stdin: TextIO = sys.stdin) -> None:
    out = transport.out
    out.print(f"[dim]Muster console: you are {transport.user}. {CONSOLE_HELP}[/dim]")
    if stdin.isatty():
        transport.run(interactive_lines(out, lambda: transport.user), echo=False)
    else:
        transport.run(stdin, echo=True)
