"""A loopback stand-in for the Slack Web API.

It answers the Web API methods Muster uses the way Slack does, records every
call, and can be told to fail (rate limits, server errors, Slack error codes,
slow answers). The console prints what reaches it; tests assert on it. It also
receives `response_url` posts, which Slack would show to the user."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import count
from typing import Any
from urllib.parse import parse_qsl

HOST = "127.0.0.1"  # the stand-in listens on loopback only
BOT_USER_ID = "UMUSTERBOT"
ALL_SCOPES = "commands,chat:write,chat:write.public,im:write,channels:join,files:write,users:read,channels:read,groups:read,channels:history,groups:history,im:history"


@dataclass
class Call:
    method: str
    args: dict[str, Any]
    token: str | None
    reply: dict[str, Any] = field(default_factory=dict)  # what the stand-in answered


@dataclass
class Failure:
    status: int = 200
    error: str | None = None
    retry_after: int | None = None
    delay: float = 0.0
    times: int = 1
    drop_answer: bool = False  # carry the call out, then close the connection unanswered


@dataclass
class SlackStandIn:
    """Run with ``with SlackStandIn() as slack: ...``; point clients at ``slack.api_url``."""

    on_call: Callable[[Call], None] | None = None
    calls: list[Call] = field(default_factory=list)
    scopes: str = ALL_SCOPES  # what auth.test reports as granted (x-oauth-scopes)
    channels: dict[str, dict[str, Any]] = field(default_factory=dict)  # conversations.info answers
    messages: dict[str, list[dict[str, Any]]] = field(default_factory=dict)  # posted, per channel
    # What users.info answers as each user's Slack time zone; without one, no tz at all.
    user_zones: dict[str, str] = field(default_factory=dict)
    # What apps.connections.open answers: a Socket Mode server's URL, new for each call.
    socket_url: Callable[[], str] | None = None
    port: int = 0  # 0: any free port
    _failures: dict[str, list[Failure]] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _arrived: threading.Condition = field(default_factory=threading.Condition)
    _ts: count[int] = field(default_factory=lambda: count(1))

    def __enter__(self) -> SlackStandIn:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def start(self) -> None:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                standin._handle(self)

            def log_message(self, *_args: Any) -> None:  # keep test and console output clean
                return

        self._server = ThreadingHTTPServer((HOST, self.port), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    @property
    def base_url(self) -> str:
        return f"http://{HOST}:{self._server.server_port}"

    @property
    def api_url(self) -> str:
        return f"{self.base_url}/api/"

    def response_url(self, name: str = "1") -> str:
        return f"{self.base_url}/respond/{name}"

    # --- test controls ---------------------------------------------------------

    def fail(self, method: str, **failure: Any) -> None:
        """Make the next call(s) to ``method`` fail as described by ``Failure``."""
        with self._lock:
            self._failures.setdefault(method, []).append(Failure(**failure))

    def calls_to(self, method: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.method == method]

    def wait_for(self, method: str, count: int = 1, timeout: float = 10.0) -> list[Call]:
        """Wait until ``count`` calls to ``method`` have arrived (work after an ack is async)."""
        with self._arrived:
            self._arrived.wait_for(lambda: len(self.calls_to(method)) >= count, timeout=timeout)
        calls = self.calls_to(method)
        assert len(calls) >= count, f"expected {count} call(s) to {method}, got {len(calls)}"
        return calls

    def settle(self, quiet: float = 0.3, timeout: float = 15.0) -> None:
        """Wait until no call has arrived for ``quiet`` seconds: a server's follow-up
        work (posts, Home refreshes) has then drained."""
        deadline = time.monotonic() + timeout
        seen = -1
        while time.monotonic() < deadline:
            with self._lock:
                count_now = len(self.calls)
            if count_now == seen:
                return
            seen = count_now
            time.sleep(quiet)

    def reset(self) -> None:
        with self._lock:
            self.calls.clear()
            self._failures.clear()
            self.channels.clear()
            self.messages.clear()
            self.user_zones.clear()
            self.scopes = ALL_SCOPES
            self.socket_url = None

    # --- serving ---------------------------------------------------------------

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        length = int(request.headers.get("content-length") or 0)
        data = request.rfile.read(length)
        if request.path.startswith("/upload/"):
            self._receive_file(request, data)
            return
        raw = data.decode()
        if request.headers.get("content-type", "").startswith("application/json"):
            args = json.loads(raw or "{}")
        else:
            args = dict(parse_qsl(raw))
        for key in ("blocks", "view", "attachments"):
            if isinstance(args.get(key), str):
                args[key] = json.loads(args[key])
        path = request.path
        method = "response_url" if path.startswith("/respond/") else path.removeprefix("/api/")
        token = (request.headers.get("authorization") or "").removeprefix("Bearer ") or args.pop(
            "token", None
        )
        call = Call(method=method, args=args, token=token)
        with self._lock:
            self.calls.append(call)
            failure = self._next_failure(method)
        with self._arrived:
            self._arrived.notify_all()
        if self.on_call:
            self.on_call(call)
        if failure is not None:
            time.sleep(failure.delay)
            if failure.drop_answer:  # Slack did it, but its answer never arrives
                call.reply = self._answer(method, args)
                request.close_connection = True
                return
            if failure.status != 200 or failure.error:
                self._send(
                    request,
                    failure.status,
                    {"ok": False, "error": failure.error or "internal_error"},
                    retry_after=failure.retry_after,
                )
                return
        if method == "conversations.history":
            with self._lock:
                latest = list(reversed(self.messages.get(str(args.get("channel")), [])))
            limit = int(args.get("limit") or 100)
            with_metadata = str(args.get("include_all_metadata")).lower() in ("1", "true")
            found = [
                m if with_metadata else {k: v for k, v in m.items() if k != "metadata"}
                for m in latest[:limit]
            ]
            self._send(request, 200, {"ok": True, "messages": found, "has_more": False})
            return
        if method == "conversations.info":
            channel = self.channels.get(str(args.get("channel")))
            if channel is None:
                self._send(request, 200, {"ok": False, "error": "channel_not_found"})
                return
            self._send(
                request, 200, {"ok": True, "channel": {"id": args.get("channel"), **channel}}
            )
            return
        extra = {"x-oauth-scopes": self.scopes} if method == "auth.test" else {}
        call.reply = self._answer(method, args)
        self._send(request, 200, call.reply, extra_headers=extra)

    def _receive_file(self, request: BaseHTTPRequestHandler, data: bytes) -> None:
        """Step two of files_upload_v2: the bytes go to the URL step one handed out."""
        call = Call(
            method="file.upload",
            args={"file_id": request.path.rsplit("/", 1)[-1], "bytes": data},
            token=None,
        )
        with self._lock:
            self.calls.append(call)
            failure = self._next_failure("file.upload")
        with self._arrived:
            self._arrived.notify_all()
        status = failure.status if failure and failure.status != 200 else 200
        body = b"OK" if status == 200 else b"upload failed"
        request.send_response(status)
        request.send_header("content-length", str(len(body)))
        request.end_headers()
        request.wfile.write(body)

    def _next_failure(self, method: str) -> Failure | None:
        queue = self._failures.get(method)
        if not queue:
            return None
        failure = queue[0]
        failure.times -= 1
        if failure.times <= 0:
            queue.pop(0)
        return failure

    def _answer(self, method: str, args: dict[str, Any]) -> dict[str, Any]:
        ts = f"{1_700_000_000 + next(self._ts)}.000100"
        if method == "chat.postMessage":
            message = {"type": "message", "ts": ts, "text": args.get("text")}
            if args.get("metadata"):
                metadata = args["metadata"]
                message["metadata"] = (
                    json.loads(metadata) if isinstance(metadata, str) else metadata
                )
            with self._lock:
                self.messages.setdefault(_dm(str(args.get("channel"))), []).append(message)
        answers: dict[str, dict[str, Any]] = {
            "auth.test": {
                "user_id": BOT_USER_ID,
                "bot_id": "BMUSTER",
                "team_id": "T0MUSTER",
                "user": "muster",
            },
            "chat.postMessage": {
                "channel": args.get("channel"),
                "ts": ts,
                "message": {"text": args.get("text")},
            },
            "chat.postEphemeral": {"message_ts": ts},
            "chat.update": {"channel": args.get("channel"), "ts": args.get("ts")},
            "views.open": {"view": {"id": f"V{ts[:10]}", **(args.get("view") or {})}},
            "views.publish": {"view": {"id": f"V{ts[:10]}", **(args.get("view") or {})}},
            "conversations.join": {"channel": {"id": args.get("channel")}},
            "apps.connections.open": {
                "url": self.socket_url() if self.socket_url else "wss://127.0.0.1/socket"
            },
            "conversations.open": {"channel": {"id": _dm(str(args.get("users", "UX")))}},
            "users.info": {"user": self._user(str(args.get("user", "")))},
            "files.getUploadURLExternal": {
                "upload_url": f"{self.base_url}/upload/F{ts[:10]}",
                "file_id": f"F{ts[:10]}",
            },
            "files.completeUploadExternal": {
                "files": [{"id": f["id"], "title": f.get("title")} for f in _files(args)]
            },
        }
        return {"ok": True, **answers.get(method, {})}

    def _user(self, user: str) -> dict[str, Any]:
        """A user as users.info describes one: their time zone, when they have set one."""
        found: dict[str, Any] = {"id": user, "name": user.lower(), "is_bot": False}
        zone = self.user_zones.get(user)
        return found | {"tz": zone} if zone else found

    @staticmethod
    def _send(
        request: BaseHTTPRequestHandler,
        status: int,
        body: dict[str, Any],
        retry_after: int | None = None,
        extra_headers: dict[str, str] | None = None,
    ) -> None:
        data = json.dumps(body).encode()
        request.send_response(status)
        request.send_header("content-type", "application/json; charset=utf-8")
        request.send_header("content-length", str(len(data)))
        if retry_after is not None:
            request.send_header("retry-after", str(retry_after))
        for name, value in (extra_headers or {}).items():
            request.send_header(name, value)
        request.end_headers()
        request.wfile.write(data)


def _files(args: dict[str, Any]) -> list[dict[str, Any]]:
    files = args.get("files") or "[]"
    return json.loads(files) if isinstance(files, str) else list(files)


def _dm(channel: str) -> str:
    """Where a post to a user goes, as in Slack: their direct messages with the bot."""
    return f"D{channel[1:]}" if channel[:1] in ("U", "W") else channel
