"""Tokens and small parsers shared by every subcommand.

Slack sends slash-command text with ``&``, ``<`` and ``>`` escaped, users as
``<@U123|name>`` or ``<@U123>``, and clients often turn ``"`` into “ ”."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from bot.domain.errors import BadInput
from bot.domain.model import HUNDREDTHS, MAX_QUANTITY, QUANTITY_PLACES, QUANTITY_RULE, places
from bot.domain.read_models import Page
from bot.domain.text import shorten, slack_id, strip_controls
from bot.domain.wording import figure, tidy

# Each opening quote closes only on its partners, so apostrophes (’ and ') inside
# a phrase never end it. Clients differ: “…” and "…" are common, „…“ and «…» too.
QUOTE_PARTNERS = {'"': '"”', "“": '”"', "„": "“”", "”": "”", "«": "»"}
MENTION = re.compile(r"^<@([UW][A-Z0-9]+)(?:\|[^>]*)?>$")
PLAIN_MENTION = re.compile(r"^@([UW][A-Z0-9]{2,})$")
REQUIREMENT = re.compile(r"^[A-Za-z]{2,8}-\d{1,4}$")
PLEDGE_REF = re.compile(r"^[Pp]-?(\d{1,9})$")
QUESTION_REF = re.compile(r"^[Qq]-?(\d{1,9})$")
# ASCII digits only: \d would also take ٣ or ３, and str.isdigit even ², which int() refuses.
# The decimal separator is the point: 0.25, 1.5, 2.01k.
_QUANTITY = re.compile(r"^([0-9]+)(?:\.([0-9]{1,15}))?\s*(k|m|bn|b)?$", re.I)
_THOUSANDS = re.compile(r"^[1-9][0-9]{0,2}(,[0-9]{3})+(\.[0-9]+)?$")  # 1,500,000 and 1,500.5
_EUROPEAN = re.compile(r"^[1-9][0-9]{0,2}(\.[0-9]{3}){2,}$")  # 1.500.000: two groups or more
_ONE_GROUP = re.compile(r"^[1-9][0-9]{0,2}\.[0-9]{3}$")  # 1.500: fifteen hundred, or 1.5?
_DECIMAL_COMMA = re.compile(r"^[0-9.]*[0-9],[0-9]{1,15}\s*(k|m|bn|b)?$", re.I)  # 1,5 and 1.500,25
_MAX_DIGITS = len(str(MAX_QUANTITY))
_MULTIPLIERS = {"": 0, "k": 3, "m": 6, "b": 9, "bn": 9}  # powers of ten


@dataclass(frozen=True)
class Token:
    text: str
    quoted: bool = False
    start: int = 0  # offset in the command text, so free text can be taken verbatim

    @property
    def word(self) -> str:
        """The token lower-cased, for keyword comparison."""
        return self.text.lower()


def command_text(raw: str) -> str:
    """A slash command's text as the parsers read it: without control characters,
    so none reaches a message, a lookup or the database."""
    return strip_controls(raw)


def unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def tokenize(text: str, *, strict: bool = True) -> list[Token]:
    """Split on whitespace, keeping quoted phrases and Slack's <…> escapes whole.

    ``strict=False`` is for free text (questions, answers): a quote that never
    closes is then just a character, not an error."""
    tokens: list[Token] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch.isspace():
            i += 1
            continue
        if ch in QUOTE_PARTNERS:
            end = _closing_quote(text, i + 1, QUOTE_PARTNERS[ch])
            if end >= 0:
                tokens.append(Token(unescape(text[i + 1 : end]).strip(), quoted=True, start=i))
                i = end + 1
                continue
            if strict:
                raise BadInput(f"A quote is not closed: {text[i : i + 40]}…", 'Close it with ".')
        if ch == "<" and text.find(">", i) > 0:
            end = text.index(">", i)
            tokens.append(Token(text[i : end + 1], start=i))
            i = end + 1
            continue
        j = i + 1
        while j < n and not text[j].isspace():
            j += 1
        tokens.append(Token(unescape(text[i:j]), start=i))
        i = j
    return tokens


def _closing_quote(text: str, start: int, partners: str) -> int:
    for j in range(start, len(text)):
        if text[j] in partners and (j + 1 == len(text) or not text[j + 1].isalnum()):
            return j
    return -1


CHANNEL = re.compile(r"^<#([CG][A-Z0-9]+)(?:\|[^>]*)?>$|^([CG][A-Z0-9]{6,})$")


def channel_id(token: Token | None) -> str | None:
    """A channel id from <#C123|name> (how Slack escapes a #channel) or a bare id."""
    match = CHANNEL.match(token.text) if token else None
    return slack_id((match.group(1) or match.group(2)).upper(), "Channel id") if match else None


def user_id(token: Token) -> str | None:
    """A Slack user id from <@U123|name>, <@U123> or @U123 (ids are upper case;
    a plain @name is a display name, which Slack did not resolve)."""
    for pattern in (MENTION, PLAIN_MENTION):
        match = pattern.match(token.text)
        if match:
            return slack_id(match.group(1))
    return None


def quantity(token: Token | None, usage: str) -> Decimal:
    if token is None:
        raise BadInput("A quantity is missing.", usage)
    try:
        return read_quantity(token.text)
    except BadInput as exc:
        raise BadInput(exc.message, usage) from None


def read_quantity(text: str) -> Decimal:
    """A quantity as typed in a command or a form: ``12``, ``0.25``, ``1,500``,
    ``1.500.000``, ``1.5bn``, read exactly (never through a float), or BadInput in one
    line. The point is the decimal separator: a decimal comma (``1,5``) is refused with
    the figure to write instead, and ``1.500`` (fifteen hundred, or one and a half?)
    with both readings."""
    raw = text.strip()
    for separator in ("_", "\u202f", "\u00a0", "'", " "):
        raw = raw.replace(separator, "")
    shown = repr(shorten(text))
    if raw.startswith(("-", "\u2212")) and _QUANTITY.match(raw[1:].replace(",", "")):
        raise BadInput(f"{shown} is negative; quantities are above zero.")
    if _THOUSANDS.match(raw):
        raw = raw.replace(",", "")
    elif _EUROPEAN.match(raw):
        raw = raw.replace(".", "")
    elif _ONE_GROUP.match(raw):
        thousands, decimal = raw.replace(".", ""), Decimal(raw)
        if places(decimal) > QUANTITY_PLACES:
            raise BadInput(
                f"{shown} has more than two decimal places; {HUNDREDTHS}. "
                f"For {int(thousands):,}, write {thousands}."
            )
        raise BadInput(f"{shown} could mean {thousands} or {figure(decimal)}: write one of those.")
    elif _DECIMAL_COMMA.match(raw):
        written = raw.replace(".", "").replace(",", ".")
        raise BadInput(f"{shown} has a decimal comma: write {written}, with a point.")
    match = _QUANTITY.match(raw)
    if not match:
        raise BadInput(f"{shown} is not a quantity; write a number such as 6, 0.25 or 1.5bn.")
    whole, decimals, suffix = match.groups()
    if len(whole.lstrip("0")) > _MAX_DIGITS:  # before Decimal(): a bound on the work done
        raise BadInput(f"{shown} is too large. {QUANTITY_RULE}")
    # Exact arithmetic: a float would make 2.01k 2009.999… and 0.29 0.28999….
    value = Decimal(f"{whole}.{decimals or 0}").scaleb(_MULTIPLIERS[(suffix or "").lower()])
    if places(value) > QUANTITY_PLACES:
        raise BadInput(f"{shown} has more than two decimal places; {HUNDREDTHS}.")
    if value <= 0:
        raise BadInput(f"{shown} is zero; quantities are above zero.")
    if value > MAX_QUANTITY:
        raise BadInput(f"{shown} is too large. {QUANTITY_RULE}")
    return Decimal(tidy(value))


def iso_date(token: Token | None, usage: str) -> date:
    if token is None:
        raise BadInput("A date is missing.", usage)
    try:
        return date.fromisoformat(token.text)
    except ValueError:
        raise BadInput(f"{token.text!r} is not a date; write it as YYYY-MM-DD.", usage) from None


def ref_number(token: Token | None, pattern: re.Pattern[str], what: str, usage: str) -> int:
    if token is None:
        raise BadInput(f"Which {what}?", usage)
    match = pattern.match(token.text)
    if not match:
        raise BadInput(f"{token.text!r} is not a {what} reference.", usage)
    return int(match.group(1))


def requirement_code(token: Token | None, usage: str) -> str:
    if token is None or not REQUIREMENT.match(token.text):
        given = f"{token.text!r} is not" if token else "Name"
        raise BadInput(f"{given} a requirement code such as SKY-2.", usage)
    return token.text.upper()


MAX_PAGE = 100_000


def paged(args: Args, usage: str) -> tuple[Args, Page]:
    """Split a trailing `page N` off a list command's words."""
    tokens = args.tokens
    if tokens and not tokens[-1].quoted and tokens[-1].word == "page":
        raise BadInput("Which page? Give its number, e.g. `page 2`.", usage)
    if len(tokens) < 2 or tokens[-2].quoted or tokens[-2].word != "page":
        return args, Page()
    number = tokens[-1].text
    if not number.isdecimal() or not 1 <= int(number) <= MAX_PAGE:
        raise BadInput(f"{shorten(number)!r} is not a page number; pages count from 1.", usage)
    return Args(args.source, tokens[:-2], args.channel), Page(int(number))


def rest_text(tokens: Sequence[Token]) -> str:
    return " ".join(t.text for t in tokens).strip()


@dataclass(frozen=True)
class Args:
    """The tokens after the subcommand words, and the text they came from."""

    source: str
    tokens: tuple[Token, ...]
    channel: str = ""  # where the command was typed

    def get(self, index: int) -> Token | None:
        return self.tokens[index] if index < len(self.tokens) else None

    def word(self, index: int) -> str:
        token = self.get(index)
        return token.word if token and not token.quoted else ""

    def verbatim(self, index: int = 0, end: int | None = None) -> str:
        """The text from token ``index`` on (up to token ``end``, if given), exactly
        as typed (quotes kept)."""
        token = self.get(index)
        stop = self.get(end) if end is not None else None
        if token is None:
            return ""
        return unescape(self.source[token.start : stop.start if stop else None]).strip()

    def ends_with(self, word: str) -> bool:
        """Whether the last token is ``word``, unquoted (a trailing flag such as `publish`)."""
        last = self.tokens[-1] if self.tokens else None
        return last is not None and not last.quoted and last.word == word

    def __len__(self) -> int:
        return len(self.tokens)


def expect_end(tokens: Sequence[Token], usage: str) -> None:
    if tokens:
        raise BadInput(f"I did not understand {rest_text(tokens)!r}.", usage)
