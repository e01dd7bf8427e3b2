"""What Muster accepts from Slack, checked before Bolt sees it.

Every transport (HTTP, Socket Mode, the console) builds its BoltRequest here. A
body Slack would never send is refused with `Malformed` instead of reaching Bolt:
Bolt parses the body while constructing the request, and its argument injection
and built-in middleware index into the payload (``body["actions"][0]``) before
any middleware of ours could run, so a check inside Bolt would come too late.

The checks cover the containers that Bolt and our error handler index into, not
every field Slack documents: listeners already turn a wrong value into a reply.
Reasons are ours and short; they never quote the body."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from slack_bolt import BoltRequest

# Bolt reads the body while building the request; these are how that fails on
# text that is not a Slack payload (JSONDecodeError and UnicodeDecodeError are
# ValueErrors; RecursionError comes from JSON nested thousands deep).
PARSE_ERRORS = (ValueError, TypeError, AttributeError, KeyError, IndexError, RecursionError)

# Interactive payloads: Bolt and our error handler read body["user"]["id"].
INTERACTIVE = {
    "block_actions",
    "block_suggestion",
    "interactive_message",
    "message_action",
    "shortcut",
    "view_closed",
    "view_submission",
    "dialog_submission",
    "dialog_cancellation",
    "dialog_suggestion",
}
WITH_ACTIONS = {"block_actions", "interactive_message"}  # Bolt takes actions[0]
WITH_VIEW = {"view_submission", "view_closed"}


class Malformed(ValueError):
    """A request Slack would never send. The message says why without quoting it."""


def _is_text(value: object) -> bool:
    return isinstance(value, str)


def _has_text(data: Mapping[str, Any], key: str) -> bool:
    return _is_text(data.get(key))


def problem_with(body: object) -> str | None:
    """Why a parsed body cannot be a Slack payload Muster handles, or None."""
    if not isinstance(body, dict):
        return "the payload is not a JSON object"
    if not body:
        return "the body is empty"
    if "ssl_check" in body:  # Slack's certificate probe; Bolt answers it
        return None
    kind = body.get("type")
    if kind is not None and not _is_text(kind):
        return "type is not a string"
    if "command" in body:
        if not (_has_text(body, "command") and _has_text(body, "user_id")):
            return "a slash command needs a command and a user_id"
    elif kind is None:
        return "the payload has no type"
    for key in ("response_url", "trigger_id", "text"):
        if key in body and not _has_text(body, key):
            return f"{key} is not a string"
    if kind in INTERACTIVE:
        user = body.get("user")
        if not (isinstance(user, dict) and _has_text(user, "id")):
            return f"{kind} needs a user with an id"
    if kind in WITH_ACTIONS:
        actions = body.get("actions")
        if not (isinstance(actions, list) and actions):
            return f"{kind} needs a non-empty list of actions"
        if not all(isinstance(a, dict) for a in actions):
            return "every action needs to be an object"
        if kind == "block_actions" and not all(_has_text(a, "action_id") for a in actions):
            return "every block action needs an action_id"
    if kind in WITH_VIEW:
        view = body.get("view")
        if not (
            isinstance(view, dict) and _has_text(view, "callback_id") and _has_text(view, "type")
        ):
            return f"{kind} needs a view with a type and a callback_id"
    if kind == "event_callback":
        event = body.get("event")
        if not (isinstance(event, dict) and _has_text(event, "type")):
            return "event_callback needs an event with a type"
    return None


def bolt_request(
    body: str | dict[str, Any],
    *,
    headers: Mapping[str, str | Sequence[str]] | None = None,
    mode: str = "http",
) -> BoltRequest:
    """The BoltRequest for ``body``, or Malformed if Bolt cannot read it or Slack
    would never send it. HTTP bodies are text; Socket Mode payloads are parsed JSON."""
    if mode != "http":
        # Bolt silently treats a Socket Mode payload that is not an object as {}.
        problem = problem_with(body)
        if problem:
            raise Malformed(problem)
    try:
        request = BoltRequest(body=body, headers=dict(headers or {}), mode=mode)
    except PARSE_ERRORS:
        raise Malformed("the body cannot be read as a Slack payload") from None
    problem = problem_with(request.body)
    if problem:
        raise Malformed(problem)
    return request
