"""Help: the grammar with examples, by topic."""

from __future__ import annotations

from dataclasses import dataclass

from bot.domain.errors import BadInput
from bot.services.muster import Muster
from handlers import usage as u
from handlers.blocks import CLASSIFIED_NOTICE, MessageBuilder, Reply
from handlers.coverage import definitions
from handlers.grammar import Args
from handlers.routing import Route

QUESTIONS_NOTE = (
    "An answer goes by direct message to every member of the delegation that asked. "
    "With the answer in quotes and `publish` at the end it also goes to every member of "
    "every delegation (this cannot be taken back), and the next digest lists it under "
    "“Answers for all”; other delegations never see who asked. A question linked as a "
    "duplicate is closed, and its delegation gets the answer to the one it repeats; "
    "reopening it undoes the link."
)

RECONFIRM_NOTE = (
    "With `reconfirm every 90d`, each delegation is asked once a round, by direct message, "
    "whether its pledges last confirmed 90 days ago or more still stand. One not reconfirmed "
    "within the grace (14 days unless set) goes *stale*: it no longer counts as firm until "
    "its delegation reconfirms it (*Still valid*, or `reconfirm P-n`) or changes it."
)
CALLS_NOTE = (
    "Opening a call sends every member of every delegation one direct message with the "
    "lines called, their open quantities and the deadline, and buttons to pledge, ask or "
    "send a nil return. A delegation has answered once any member pledges to a called "
    "line, asks about one (or its objective), or declines. Reminders go 48 h and 4 h "
    "before the deadline to the members of delegations that have not, never between "
    "22:00 and 07:00 where the member is. At the deadline the call closes and the "
    "coordinators' channel gets one summary."
)

QUANTITIES = (
    "Quantities are in the requirement's unit, above 0 with up to two decimal places: "
    "`6`, `0.25` (a company towards a battlegroup), `1.5`, `1,500` or `1.5bn`. "
    "The point marks the decimals."
)


@dataclass(frozen=True)
class Help:
    topic: str | None = None


def parse_help(args: Args) -> Help:
    topic = args.word(0) or None
    if topic is not None:
        topic = {
            "delegation": "delegations",
            "requirement": "requirements",
            "pledge": "pledges",
            "reconfirm": "pledges",
            "reconfirmation": "pledges",
            "stale": "pledges",
            "question": "questions",
            "report": "reports",
            "status": "reports",
            "gaps": "reports",
            "history": "reports",
            "ask": "questions",
            "answer": "questions",
            "digest": "broadcasts",
            "alerts": "broadcasts",
            "export": "reports",
            "call": "calls",
            "decline": "calls",
            "nil": "calls",
            "reminders": "calls",
            "terms": "words",
            "figures": "words",
            "posture": "words",
            "postures": "words",
        }.get(topic, topic)
        if topic not in u.TOPICS:
            raise BadInput(f"There is no help topic {topic!r}.", f"Topics: {', '.join(u.TOPICS)}.")
    return Help(topic)


def render_help(topic: str | None) -> Reply:
    usages = [x for x in u.ALL if topic is None or x.topic == topic]
    title = "Muster help" if topic is None else f"Muster help: {u.TOPICS[topic]}"
    lines = [f"`/muster {x.form}` ({x.who})\n      e.g. `/muster {x.example}`" for x in usages]
    builder = MessageBuilder(title).context(
        f"⚠️ {CLASSIFIED_NOTICE}"
    )  # first, so no reader misses it
    if topic is None:
        builder.line(
            "Muster keeps the coalition's statement of requirements, the pledges delegations make "
            "against it, their questions, and the coverage and gaps that follow."
        )
    builder.lines(lines)
    if topic == "questions":
        builder.context(QUESTIONS_NOTE)
    if topic == "pledges":
        builder.context(RECONFIRM_NOTE)
    if topic == "calls":
        builder.context(CALLS_NOTE)
    if topic in (None, "requirements", "pledges"):
        builder.context(QUANTITIES)
    if topic in (None, "reports", "delegations", "words"):
        builder.divider().lines(definitions())
    if topic is None:
        builder.context(f"Topics: {', '.join(u.TOPICS)} (`/muster help pledges`).")
    return builder.build()


def run_help(_muster: Muster, _user: str, cmd: Help) -> Reply:
    return render_help(cmd.topic)


ROUTES = [Route(("help",), u.HELP, parse_help, run_help)]
