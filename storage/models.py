"""The tables. Enumerated values are stored as short strings; the domain owns their meaning."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import JSON, BigInteger, Column, Index, UniqueConstraint, false
from sqlmodel import Field, SQLModel

from storage.types import Quantity, UTCDateTime


def _ts(**kwargs: Any) -> Any:
    return Field(sa_type=UTCDateTime, **kwargs)


class Objective(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=8, unique=True)
    name: str = Field(max_length=120)
    lead_delegations: str = Field(default="", max_length=120)
    position: int = 0
    next_requirement_seq: int = 1


class Delegation(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=6, unique=True)
    name: str = Field(max_length=120)
    created_at: datetime = _ts()


class Member(SQLModel, table=True):
    """A Slack user speaking for a delegation. A user belongs to one delegation."""

    user_id: str = Field(primary_key=True, max_length=32)
    delegation_id: int = Field(foreign_key="delegation.id", index=True)
    added_by: str = Field(max_length=32)
    added_at: datetime = _ts()
    # Their own Slack time zone (users.info), kept so a night's quiet hours are theirs;
    # empty until first looked up, and looked up again once it is old.
    timezone: str = Field(default="", max_length=64, sa_column_kwargs={"server_default": ""})
    timezone_checked_at: datetime | None = _ts(default=None)


class Coordinator(SQLModel, table=True):
    user_id: str = Field(primary_key=True, max_length=32)
    added_by: str = Field(max_length=32)
    added_at: datetime = _ts()


class KnownUser(SQLModel, table=True):
    """Users the bot has answered at least once (for the first-contact notice)."""

    user_id: str = Field(primary_key=True, max_length=32)
    first_seen_at: datetime = _ts()


class Requirement(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("objective_id", "seq"),)

    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=16, unique=True)
    objective_id: int = Field(foreign_key="objective.id", index=True)
    seq: int
    title: str = Field(max_length=200)
    quantity: Decimal = Field(sa_type=Quantity)
    unit: str = Field(max_length=40)
    priority: str = Field(max_length=12)
    enabler: bool = False
    needed_by: date | None = None
    notes: str = Field(default="", max_length=2000)
    version: int = 1
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Pledge(SQLModel, table=True):
    # A list reads one page in id order within a requirement or a delegation, and
    # counts from an index that holds every column the count looks at (listing.py).
    __table_args__ = (
        Index("ix_pledge_requirement_page", "requirement_id", "id"),
        Index("ix_pledge_delegation_page", "delegation_id", "id"),
        Index(
            "ix_pledge_requirement_count", "requirement_id", "status", "restricted", "delegation_id"
        ),
        Index(
            "ix_pledge_delegation_count", "delegation_id", "status", "restricted", "condition_kind"
        ),
        # The reconfirmation pass (bot.services.reconfirmation) reads, every round, the
        # pledges not yet asked whose confirmation is old, and those asked and not yet
        # stale whose grace has run out; the digest reads those gone stale in a period.
        Index("ix_pledge_reconfirm_due", "reconfirm_asked_at", "confirmed_at"),
        Index("ix_pledge_stale_due", "stale_since", "reconfirm_asked_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    delegation_id: int = Field(foreign_key="delegation.id")
    requirement_id: int = Field(foreign_key="requirement.id")
    quantity: Decimal = Field(sa_type=Quantity)
    status: str = Field(max_length=12)
    condition: str = Field(default="", max_length=500)
    condition_kind: str = Field(default="", max_length=24)
    # Set by a coordinator (`/muster pledge classify`): a new wording keeps the class.
    condition_kind_manual: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    caveats: str = Field(default="", max_length=500)
    available_from: date | None = None
    restricted: bool = False
    withdrawn_reason: str = Field(default="", max_length=500)
    author: str = Field(max_length=32)
    version: int = 1
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # When its delegation last said it stands: made, changed or reconfirmed ("still
    # valid"). Periodic reconfirmation asks again once this is old enough.
    confirmed_at: datetime = _ts()
    reconfirm_asked_at: datetime | None = _ts(default=None)  # its delegation was asked
    # Not reconfirmed within the grace: it counts as firm no longer (DOMAIN.md) until
    # it is reconfirmed, changed, or reconfirmation is turned off.
    stale_since: datetime | None = _ts(default=None)


class Question(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    delegation_id: int = Field(foreign_key="delegation.id", index=True)
    asker: str = Field(max_length=32)
    text: str = Field(max_length=2000)
    requirement_id: int | None = Field(default=None, foreign_key="requirement.id")
    objective_id: int | None = Field(default=None, foreign_key="objective.id")
    status: str = Field(max_length=12)
    answer: str = Field(default="", max_length=2000)
    answered_by: str = Field(default="", max_length=32)
    answered_at: datetime | None = _ts(default=None)
    announce_channel: str = Field(default="", max_length=32)
    announce_ts: str = Field(default="", max_length=32)
    # The question this one asks again (it is closed, and its delegation gets that
    # one's answer). No foreign key: a backup restores questions in id order, and an
    # earlier question may be linked to a later one; the service checks it exists.
    duplicate_of: int | None = Field(default=None, index=True)
    published_at: datetime | None = _ts(default=None)  # its answer was shared with everyone
    version: int = 1
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class Event(SQLModel, table=True):
    """The audit log: one row per change, with the fields before and after."""

    # A trail is read newest first, a page at a time (listing.history_page).
    __table_args__ = (
        Index("ix_event_requirement_code_at", "requirement_code", "at", "id"),
        Index("ix_event_entity_ref_at", "entity_ref", "at", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = _ts(index=True)
    actor: str = Field(max_length=32)
    entity: str = Field(max_length=16)
    entity_ref: str = Field(max_length=64)  # e.g. digest:C01ABCDEF23
    action: str = Field(max_length=24)
    # Every event about a requirement or one of its pledges, the requirement's own too.
    requirement_code: str = Field(default="", max_length=16)
    delegation_id: int | None = Field(default=None, foreign_key="delegation.id")
    restricted: bool = False
    before: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    after: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class Setting(SQLModel, table=True):
    """Workspace settings chosen in Slack, such as the coordinators' channel."""

    key: str = Field(primary_key=True, max_length=64)
    value: str = Field(max_length=200)
    updated_by: str = Field(max_length=32)
    updated_at: datetime = _ts()


class Delivery(SQLModel, table=True):
    """Slack deliveries that changed something, so a retried delivery is applied once."""

    key: str = Field(primary_key=True, max_length=120)
    received_at: datetime = _ts(index=True)


class Subscription(SQLModel, table=True):
    """A channel that gets the weekly digest, or gap alerts. Stored as data, so every
    process can work out what is due without sharing scheduler state. A channel has at
    most one subscription of each kind."""

    # A unique index rather than a table constraint: SQLite adds it without rebuilding
    # the table, which post claims reference.
    __table_args__ = (Index("uq_subscription_kind_channel", "kind", "channel", unique=True),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=8)  # digest | alerts
    channel: str = Field(max_length=32, index=True)
    weekday: int = 4  # Monday 0 … Sunday 6 (digests)
    time_of_day: str = Field(default="16:00", max_length=5)
    timezone: str = Field(default="Europe/Brussels", max_length=64)
    active: bool = True
    broken_reason: str = Field(default="", max_length=200)
    created_by: str = Field(max_length=32)
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    # When the current schedule was set: slots before it were never promised.
    schedule_from: datetime | None = _ts(default=None)
    # Alerts: changes up to this moment have been looked at (a watermark, not a window,
    # so downtime loses nothing and a change is never alerted twice).
    alerts_checked_at: datetime | None = _ts(default=None)


class PostClaim(SQLModel, table=True):
    """One process's claim to post one thing once: a subscription's digest for one
    period, or one alert. The unique key makes every other process stand back."""

    __table_args__ = (UniqueConstraint("subscription_id", "key"),)

    id: int | None = Field(default=None, primary_key=True)
    subscription_id: int = Field(foreign_key="subscription.id", index=True)
    key: str = Field(max_length=160)  # e.g. digest:2026-W48, alert:critical_red:SKY-2:red
    claimed_by: str = Field(max_length=80)
    claimed_at: datetime = _ts()
    lease_until: datetime = _ts()
    status: str = Field(default="claimed", max_length=12)  # claimed | posted | failed
    posted_at: datetime | None = _ts(default=None)
    message_ts: str = Field(default="", max_length=32)


class PledgeTotal(SQLModel, table=True):
    """Pledged quantities summed per requirement, status, condition class,
    releasability and staleness, kept by storage.totals in the transaction of every
    pledge change: coverage and conditional capacity read these few rows, not every
    pledge."""

    __tablename__ = "pledge_total"

    requirement_id: int = Field(foreign_key="requirement.id", primary_key=True)
    status: str = Field(max_length=12, primary_key=True)
    condition_kind: str = Field(max_length=24, primary_key=True)
    restricted: bool = Field(primary_key=True)
    stale: bool = Field(default=False, primary_key=True)
    quantity: Decimal = Field(default=Decimal(0), sa_type=Quantity)
    pledges: int = 0


class AnswerNotice(SQLModel, table=True):
    """A direct message owed to one member about a question: its answer, or that their
    delegation's question was linked to it. Written in the transaction of the answer
    (or of the link), then claimed, posted and marked, like a post claim: each goes
    once, whichever process sends it, and one that a process dropped is sent later."""

    __tablename__ = "answer_notice"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=120, unique=True)  # e.g. Q-3:v4:U123; one per recipient
    question_id: int = Field(foreign_key="question.id", index=True)  # whose answer it carries
    about_id: int | None = Field(default=None, foreign_key="question.id")  # their own, if linked
    recipient: str = Field(max_length=32)
    reason: str = Field(max_length=12)  # asked | duplicate | published | linked
    created_at: datetime = _ts()
    status: str = Field(default="pending", max_length=12, index=True)
    claimed_by: str = Field(default="", max_length=80)
    lease_until: datetime | None = _ts(default=None)
    attempts: int = 0
    posted_at: datetime | None = _ts(default=None)
    message_ts: str = Field(default="", max_length=32)


class OutboxMessage(SQLModel, table=True):
    """A direct message owed to one member, written in the transaction of what owes it
    and keyed by what it is (``call:C-3:open:U123``), so the same thing is never owed
    twice. A process claims it under a lease, posts it with the key in the message
    metadata, and marks it sent; a claim whose process died is looked for in the
    member's direct messages before it is posted again."""

    __tablename__ = "outbox_message"
    # The sender reads what is due: pending and past its moment, or a lapsed claim.
    __table_args__ = (Index("ix_outbox_message_due", "status", "not_before"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=160, unique=True)
    recipient: str = Field(max_length=32)
    text: str = Field(max_length=4000)  # the notification's plain text
    blocks: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = _ts()
    not_before: datetime = _ts()  # not sent earlier (a member's night moves it to morning)
    expires_at: datetime | None = _ts(default=None)  # not sent later (a deadline gone by)
    status: str = Field(default="pending", max_length=12)
    claimed_by: str = Field(default="", max_length=80)
    claimed_at: datetime | None = _ts(default=None)
    lease_until: datetime | None = _ts(default=None)
    attempts: int = 0
    sent_at: datetime | None = _ts(default=None)
    ts: str = Field(default="", max_length=32)


class DataVersion(SQLModel, table=True):
    """One row, counted up in the transaction of every commit that wrote anything
    (storage/versions.py): a read that finds the same number sees the same data."""

    __tablename__ = "data_version"

    id: int = Field(default=1, primary_key=True)
    number: int = Field(default=0, sa_type=BigInteger)


class ContributionCall(SQLModel, table=True):
    """A call for contributions (C-n): the coordinators ask every delegation for offers
    against some lines by a deadline. Delegations answer with a pledge, a question or a
    nil return (call_response); reminders go to the silent, and at the deadline the
    call closes and the coordinators get one summary."""

    __tablename__ = "contribution_call"

    id: int | None = Field(default=None, primary_key=True)
    scope: str = Field(max_length=400)  # what the coordinator named: "SKY LAND-2"
    message: str = Field(default="", max_length=2000)
    deadline: datetime = _ts()
    timezone: str = Field(max_length=64)  # the zone the deadline was set in
    # Each extension is a new deadline: reminders and notices follow the latest.
    deadline_version: int = 1
    status: str = Field(default="open", max_length=12, index=True)  # open | closed
    opened_by: str = Field(max_length=32)
    opened_at: datetime = _ts()
    extended_at: datetime | None = _ts(default=None)
    closed_by: str = Field(default="", max_length=32)
    closed_at: datetime | None = _ts(default=None)
    summarized_at: datetime | None = _ts(default=None)  # its one summary was owed then


class CallLine(SQLModel, table=True):
    """A line of the statement of requirements that a call asks offers for."""

    __tablename__ = "call_line"

    call_id: int = Field(foreign_key="contribution_call.id", primary_key=True)
    requirement_id: int = Field(foreign_key="requirement.id", primary_key=True, index=True)


class CallResponse(SQLModel, table=True):
    """Where one delegation stands on one call: silent, responded (a pledge to a called
    line or a question about one) or declined (a nil return). Written in the
    transaction of the pledge, question or decline itself, so a call's counts are read
    from these few rows, never from the history."""

    __tablename__ = "call_response"

    call_id: int = Field(foreign_key="contribution_call.id", primary_key=True)
    delegation_id: int = Field(foreign_key="delegation.id", primary_key=True, index=True)
    state: str = Field(default="silent", max_length=12)  # silent | responded | declined
    how: str = Field(default="", max_length=12)  # pledge | question | decline
    ref: str = Field(default="", max_length=16)  # the pledge or question that answered
    restricted: bool = False  # answered by a restricted pledge: its ref is not for everyone
    responded_by: str = Field(default="", max_length=32)
    responded_at: datetime | None = _ts(default=None)
    reason: str = Field(default="", max_length=500)  # of a nil return
    told: int = 0  # the deadline version its members were last told of (0: not yet)
    reminded: int = 0  # hours before the deadline of the latest reminder owed (0: none)


class ReportIssue(SQLModel, table=True):
    """A written report (`/muster report`, `muster report --record`): which edition,
    who asked, and the moment it describes. Recorded when asked for (so a retried
    request sends nothing twice) and marked once sent; the latest issued and sent one
    of an edition is where the next one's "since the previous report" starts."""

    __tablename__ = "report_issue"
    __table_args__ = (Index("ix_report_issue_previous", "edition", "issued", "status", "as_of"),)

    id: int | None = Field(default=None, primary_key=True)
    edition: str = Field(max_length=12)  # coalition | coordinators
    requested_by: str = Field(max_length=32)
    requested_at: datetime = _ts()
    # A coordinator's report, not a delegate's copy or a draft: the next report counts
    # its changes from this one.
    issued: bool = False
    status: str = Field(default="requested", max_length=12)  # requested | sent | failed
    as_of: datetime | None = _ts(default=None)  # the moment the document describes
    sent_at: datetime | None = _ts(default=None)
    file_id: str = Field(default="", max_length=32)  # Slack's id of the file sent
