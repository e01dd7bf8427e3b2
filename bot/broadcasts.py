"""Digests and gap alerts: who subscribed, what is due, who may post it, and what it says.

Every process works out what is due from the data. Before posting, a process
claims the (subscription, period) or (subscription, alert) under a unique key and
commits; only then does it call Slack, and it marks the claim posted afterwards.
A claim whose process died is taken over once its lease has run out."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain import ConditionKind, PledgeStatus, QuestionStatus, Rollup, classify_condition
from bot.errors import NotFound
from bot.schedule import MAX_LATENESS, Weekly, due
from bot.services import (
    SYSTEM,
    Muster,
    about_labels,
    gap_order,
    hidden_pledge_refs,
    objective_view,
    question_view,
)
from bot.views import Actor, ObjectiveStatus, QuestionView, RequirementView, StatusReport
from storage import queries as q
from storage.db import read_session, write_session
from storage.models import PostClaim, Subscription

DIGEST, ALERTS = "digest", "alerts"
LEASE = timedelta(minutes=5)
# Changes are read from the subscription's watermark, less this much: a change
# committed late (its transaction began before the last look) is still seen, and
# the per-event claim keeps it from being alerted twice.
WATERMARK_OVERLAP = timedelta(minutes=10)
STALE_QUESTION = timedelta(days=7)
DEADLINE_HORIZON = timedelta(days=14)
CHANNEL_AUDIENCE = Actor(user_id="channel", is_coordinator=False)


@dataclass(frozen=True)
class SubscriptionView:
    id: int
    kind: str
    channel: str
    schedule: Weekly | None
    active: bool
    broken_reason: str
    created_at: datetime
    schedule_from: datetime | None = None
    alerts_checked_at: datetime | None = None

    @property
    def changes_since(self) -> datetime:
        """Where the next look for withdrawals and reductions starts."""
        return (self.alerts_checked_at or self.created_at) - WATERMARK_OVERLAP

    @property
    def owed_since(self) -> datetime:
        """No period before this is owed: not before the subscription, nor before its schedule."""
        return max(self.created_at, self.schedule_from or self.created_at)


@dataclass(frozen=True)
class Claim:
    id: int
    subscription_id: int
    key: str
    worker: str
    taken_over: bool = False


@dataclass(frozen=True)
class ChangeLine:
    ref: str
    delegation: str
    requirement: str
    unit: str
    before: int | None
    after: int | None


@dataclass(frozen=True)
class Changes:
    new: tuple[ChangeLine, ...] = ()
    raised: tuple[ChangeLine, ...] = ()
    reduced: tuple[ChangeLine, ...] = ()
    confirmed: tuple[ChangeLine, ...] = ()
    withdrawn: tuple[ChangeLine, ...] = ()
    asked: tuple[str, ...] = ()
    answered: tuple[str, ...] = ()
    undisclosed: int = 0  # changes to pledges this audience may not see

    @property
    def empty(self) -> bool:
        return not any(vars(self).values())


@dataclass(frozen=True)
class Hinge:
    """Conditional capacity that waits on one kind of condition."""

    kind: ConditionKind
    amounts: tuple[tuple[str, int, str], ...]  # (requirement, quantity, unit)


@dataclass(frozen=True)
class Digest:
    generated_at: datetime
    since: datetime
    full_view: bool
    report: StatusReport
    shortfalls: tuple[RequirementView, ...]
    top_gaps: tuple[RequirementView, ...]
    changes: Changes
    hinges: tuple[Hinge, ...]
    open_questions: tuple[QuestionView, ...]
    silent: tuple[tuple[str, str], ...]  # (code, name) of delegations with nothing this period
    zone: str = "UTC"  # where its readers are, for its date


@dataclass(frozen=True)
class Alert:
    rule: str
    subject: str
    state: str
    title: str
    lines: tuple[str, ...]
    requirement: RequirementView | None = None
    question: str | None = None

    @property
    def key(self) -> str:
        return f"alert:{self.rule}:{self.subject}:{self.state}"


class Broadcasts:
    def __init__(self, muster: Muster) -> None:
        self.m = muster

    # --- subscriptions (slash commands) -------------------------------------------

    def subscribe(
        self, user_id: str, kind: str, channel: str, schedule: Weekly | None = None
    ) -> SubscriptionView:
        with self.m._write() as s:
            actor = self.m._coordinator(s, user_id, f"subscribe channels to {kind}")
            now = self.m.clock()
            existing = q.get_subscription(s, kind, channel)
            before = {
                "active": existing.active if existing else None,
                "schedule": _describe(existing) if existing else "",
            }
            sub = existing or _insert_subscription(s, kind, channel, actor.user_id, now)
            if schedule is not None:
                new = (schedule.weekday, f"{schedule.at:%H:%M}", schedule.zone.key)
                if new != (sub.weekday, sub.time_of_day, sub.timezone) or sub.schedule_from is None:
                    sub.schedule_from = now  # a slot that was never on the schedule is owed nothing
                sub.weekday, sub.time_of_day, sub.timezone = new
            if not sub.active or sub.broken_reason:
                sub.created_at = now  # a revived subscription owes nothing from before
                sub.alerts_checked_at = now  # nor alerts about changes made while it was off
            sub.active, sub.broken_reason, sub.updated_at = True, "", now
            s.add(sub)
            s.flush()
            self.m._record(
                s,
                actor,
                "subscription",
                f"{kind}:{channel}",
                "subscribed",
                before,
                {"active": True, "schedule": _describe(sub)},
            )
            return _subscription_view(sub)

    def is_subscribed(self, kind: str, channel: str) -> bool:
        with read_session(self.m.engine) as s:
            sub = q.get_subscription(s, kind, channel)
            return sub is not None and sub.active

    def require_coordinator(self, user_id: str, doing: str) -> None:
        with read_session(self.m.engine) as s:
            self.m._coordinator(s, user_id, doing)

    def unsubscribe(self, user_id: str, kind: str, channel: str) -> None:
        with self.m._write() as s:
            actor = self.m._coordinator(s, user_id, f"unsubscribe channels from {kind}")
            sub = q.get_subscription(s, kind, channel)
            if sub is None or not sub.active:
                raise NotFound(
                    f"<#{channel}> has no {kind} subscription.", f"See `/muster {kind} list`."
                )
            sub.active, sub.updated_at = False, self.m.clock()
            s.add(sub)
            self.m._record(s, actor, "subscription", f"{kind}:{channel}", "unsubscribed")

    def subscriptions(self, user_id: str, kind: str) -> list[SubscriptionView]:
        with read_session(self.m.engine) as s:
            self.m._coordinator(s, user_id, f"list {kind} subscriptions")
            return [
                _subscription_view(sub)
                for sub in q.list_subscriptions(s, kind, active_only=False)
                if sub.active or sub.broken_reason
            ]

    # --- what is due ----------------------------------------------------------------

    def due_digests(
        self, now: datetime, lateness: timedelta = MAX_LATENESS
    ) -> list[tuple[SubscriptionView, str]]:
        with read_session(self.m.engine) as s:
            result = []
            for sub in q.list_subscriptions(s, DIGEST):
                view = _subscription_view(sub)
                assert view.schedule is not None
                period = due(view.schedule, now, view.owed_since, lateness)
                if period is None:
                    continue
                claim = q.get_claim(s, sub.id, f"digest:{period[0]}")  # type: ignore[arg-type]
                if claim is None or (claim.status == "claimed" and claim.lease_until < now):
                    result.append((view, f"digest:{period[0]}"))
            return result

    def alert_subscriptions(self) -> list[SubscriptionView]:
        with read_session(self.m.engine) as s:
            return [_subscription_view(sub) for sub in q.list_subscriptions(s, ALERTS)]

    # --- claims -------------------------------------------------------------------

    def claim(self, subscription_id: int, key: str, worker: str) -> Claim | None:
        """Take the right to post ``key`` once; None if another process has it or did it.

        The lease runs from the moment of the claim, not from the tick's start, so a
        slow tick never hands out a lease that has already run out."""
        now = self.m.clock()
        with write_session(self.m.engine) as s:
            try:
                with s.begin_nested():
                    row = PostClaim(
                        subscription_id=subscription_id,
                        key=key,
                        claimed_by=worker,
                        claimed_at=now,
                        lease_until=now + LEASE,
                    )
                    s.add(row)
                return Claim(row.id, subscription_id, key, worker)  # type: ignore[arg-type]
            except IntegrityError:
                pass
            existing = q.get_claim(s, subscription_id, key, for_update=True)
            if existing is None or existing.status != "claimed" or existing.lease_until >= now:
                return None
            # The process that claimed this died before posting: take it over, once.
            existing.claimed_by, existing.claimed_at, existing.lease_until = (
                worker,
                now,
                now + LEASE,
            )
            s.add(existing)
            return Claim(existing.id, subscription_id, key, worker, taken_over=True)  # type: ignore[arg-type]

    def finish(self, claim: Claim, *, posted: bool, message_ts: str = "") -> None:
        with write_session(self.m.engine) as s:
            row = s.get(PostClaim, claim.id)
            if row is None or row.claimed_by != claim.worker:
                return  # our lease ran out and another process took over
            row.status = "posted" if posted else "failed"
            row.posted_at = self.m.clock() if posted else None
            row.message_ts = message_ts
            s.add(row)

    def alerts_checked(self, subscription_id: int, up_to: datetime) -> None:
        """Move the subscription's watermark: changes up to ``up_to`` have been alerted."""
        with write_session(self.m.engine) as s:
            sub = s.get(Subscription, subscription_id)
            if sub is not None and (sub.alerts_checked_at is None or sub.alerts_checked_at < up_to):
                sub.alerts_checked_at = up_to
                s.add(sub)

    def mark_broken(self, subscription_id: int, reason: str) -> bool:
        """Stop posting to a channel we cannot reach; True the first time, to tell the coordinators once."""
        with write_session(self.m.engine) as s:
            sub = s.get(Subscription, subscription_id)
            if sub is None or sub.broken_reason:
                return False
            sub.broken_reason, sub.active, sub.updated_at = reason[:200], False, self.m.clock()
            s.add(sub)
            return True

    def previous_digest_at(self, subscription_id: int | None, channel: str) -> datetime | None:
        with read_session(self.m.engine) as s:
            ids = (
                [subscription_id]
                if subscription_id
                else [
                    sub.id
                    for sub in q.list_subscriptions(s, DIGEST, active_only=False)
                    if sub.channel == channel
                ]
            )
            times = [
                c.posted_at for i in ids if (c := q.last_posted(s, i, "digest:")) and c.posted_at
            ]  # type: ignore[arg-type]
            return max(times) if times else None

    def forget_old_deliveries(self, now: datetime, keep: timedelta = timedelta(days=1)) -> int:
        """Slack retries within minutes; a day of delivery keys is plenty."""
        with write_session(self.m.engine) as s:
            return q.forget_deliveries_before(s, now - keep)

    def resolve_alerts(
        self,
        subscription_id: int,
        current: set[str],
        rules: tuple[str, ...],
        evaluated_at: datetime,
    ) -> int:
        """Forget alerts whose condition no longer holds, so that a relapse alerts again.

        Only alerts posted before ``evaluated_at`` (when ``current`` was read) are
        forgotten: another process may have found and posted a condition since, or
        may be posting it now, and its claim must stand."""
        with write_session(self.m.engine) as s:
            gone = 0
            for claim in q.posted_claims(s, subscription_id, "alert:", evaluated_at):
                if claim.key.split(":")[1] in rules and claim.key not in current:
                    s.delete(claim)
                    gone += 1
            return gone

    # --- content ----------------------------------------------------------------------

    def preview(self, user_id: str, now: datetime) -> Digest:
        with read_session(self.m.engine) as s:
            actor = self.m._registered(s, user_id)
        channel_since = now - timedelta(days=7)
        return self.digest(now, channel_since, full_view=actor.is_coordinator)

    def audience_is_coordinators(self, channel: str) -> bool:
        return self.m.coordinators_channel() == channel

    def digest(
        self,
        now: datetime,
        since: datetime,
        *,
        full_view: bool,
        top: int = 5,
        zone: str | None = None,
    ) -> Digest:
        viewer = SYSTEM if full_view else CHANNEL_AUDIENCE
        with read_session(self.m.engine) as s:
            views = self.m._all_requirement_views(s)
            objectives = q.list_objectives(s)
            parts = tuple(
                ObjectiveStatus(
                    objective=objective_view(o),
                    rollup=Rollup(tuple(v.coverage for v in views if v.objective == o.code)),
                    requirements=tuple(v for v in views if v.objective == o.code),
                )
                for o in objectives
            )
            report = StatusReport(
                objectives=parts, overall=Rollup(tuple(v.coverage for v in views))
            )
            gaps = sorted((v for v in views if v.coverage.gap > 0), key=gap_order)
            events = q.events_since(s, since, now)
            return Digest(
                generated_at=now,
                since=since,
                full_view=full_view,
                report=report,
                shortfalls=tuple(v for v in gaps if v.coverage.is_critical_shortfall),
                top_gaps=tuple(v for v in gaps if not v.coverage.is_critical_shortfall)[:top],
                changes=_changes(s, viewer, events, {v.code: v.unit for v in views}),
                hinges=_hinges(s, viewer, {v.code: v.unit for v in views}),
                open_questions=_open_questions(s, viewer),
                silent=_silent(s, viewer, events),
                zone=zone or self.m.timezone,
            )

    def alerts(self, now: datetime, since: datetime, *, full_view: bool) -> list[Alert]:
        """Every alert condition that holds now, and the gap openings since ``since``."""
        viewer = SYSTEM if full_view else CHANNEL_AUDIENCE
        with read_session(self.m.engine) as s:
            views = {v.code: v for v in self.m._all_requirement_views(s)}
            found: list[Alert] = []
            for v in views.values():
                if v.coverage.is_critical_shortfall:
                    found.append(
                        Alert(
                            "critical_red",
                            v.code,
                            "red",
                            f"{v.code} is red: a critical shortfall",
                            (
                                f"{v.title}: firm {v.coverage.firm:,} of {v.coverage.required:,} {v.unit}.",
                            ),
                            v,
                        )
                    )
                if (
                    v.needed_by
                    and v.coverage.gap
                    and timedelta(0)
                    <= _days_until(v.needed_by, now, self.m.timezone)
                    <= DEADLINE_HORIZON
                ):
                    found.append(
                        Alert(
                            "deadline_near",
                            v.code,
                            v.needed_by.isoformat(),
                            f"{v.code} is needed by {v.needed_by.isoformat()} and still short",
                            (f"{v.title}: gap {v.coverage.gap:,} {v.unit}.",),
                            v,
                        )
                    )
            for question in _open_questions(s, viewer):
                if now - question.asked_at >= STALE_QUESTION:
                    days = (now - question.asked_at).days
                    found.append(
                        Alert(
                            "question_stale",
                            question.ref,
                            "open",
                            f"{question.ref} has waited {days} days for an answer",
                            (question.text,),
                            question=question.ref,
                        )
                    )
            found.extend(_gap_openings(s, viewer, q.events_since(s, since, now), views))
            return found


# --- helpers ---------------------------------------------------------------------------


def _insert_subscription(
    s: Session, kind: str, channel: str, user_id: str, now: datetime
) -> Subscription:
    """A new subscription row; if a simultaneous subscribe inserted it first, that row.

    The unique (kind, channel) constraint decides the race; the loser updates the
    winner's row instead, so every caller gets the same answer and one row exists."""
    row = Subscription(
        kind=kind,
        channel=channel,
        created_by=user_id,
        created_at=now,
        updated_at=now,
        alerts_checked_at=now,
        active=False,  # made active, with its schedule, by the caller
    )
    try:
        with s.begin_nested():
            s.add(row)
        return row
    except IntegrityError:
        existing = q.get_subscription(s, kind, channel)
        assert existing is not None  # the row that won the race is committed
        return existing


def _describe(sub: Subscription) -> str:
    return f"{sub.weekday} {sub.time_of_day} {sub.timezone}" if sub.kind == DIGEST else ""


def _subscription_view(sub: Subscription) -> SubscriptionView:
    schedule = Weekly.of(sub.weekday, sub.time_of_day, sub.timezone) if sub.kind == DIGEST else None
    return SubscriptionView(
        sub.id,  # type: ignore[arg-type]
        sub.kind,
        sub.channel,
        schedule,
        sub.active,
        sub.broken_reason,
        sub.created_at,
        sub.schedule_from,
        sub.alerts_checked_at,
    )


def _days_until(day, now: datetime, zone: str) -> timedelta:  # type: ignore[no-untyped-def]
    """Whole days from today to ``day``, both in the coalition's time zone."""
    return timedelta(days=(day - now.astimezone(ZoneInfo(zone)).date()).days)


def _changes(s: Session, viewer: Actor, events, units: dict[str, str]) -> Changes:  # type: ignore[no-untyped-def]
    hidden = hidden_pledge_refs(s, viewer, events)
    codes = {d.id: d.code for d in q.list_delegations(s)}
    # Status changes and withdrawals leave the quantity out of the event: it did not change.
    quantities = {f"P-{p.id}": p.quantity for p, _d, _r in q.list_pledges(s)}
    buckets: dict[str, list[ChangeLine]] = defaultdict(list)
    asked, answered, undisclosed = [], [], 0
    for e in events:
        if e.entity == "question":
            (asked if e.action == "asked" else answered if e.action == "answered" else []).append(
                e.entity_ref
            )
            continue
        if e.entity != "pledge":
            continue
        if e.entity_ref in hidden:
            undisclosed += 1
            continue
        before, after = e.before.get("quantity"), e.after.get("quantity")
        if before is None and after is None:
            before = after = quantities.get(e.entity_ref)
        line = ChangeLine(
            e.entity_ref,
            codes.get(e.delegation_id, "?"),
            e.requirement_code,  # type: ignore[arg-type]
            units.get(e.requirement_code, ""),
            before,
            after,
        )
        if e.action == "created":
            buckets["new"].append(line)
        elif e.action == "withdrawn":
            buckets["withdrawn"].append(line)
        else:
            if before is not None and after is not None and before != after:
                buckets["raised" if after > before else "reduced"].append(line)
            if e.after.get("status") == PledgeStatus.CONFIRMED:
                buckets["confirmed"].append(line)
    return Changes(
        **{k: tuple(v) for k, v in buckets.items()},
        asked=tuple(asked),
        answered=tuple(answered),
        undisclosed=undisclosed,
    )


def _hinges(s: Session, viewer: Actor, units: dict[str, str]) -> tuple[Hinge, ...]:
    """Conditional capacity by condition. A restricted pledge's condition is one of its
    details, so outside the coordinators' view it is left out here (it still counts as
    conditional in the coverage figures)."""
    totals: dict[ConditionKind, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for pledge, _d, req in q.list_pledges(s):
        kind = classify_condition(pledge.condition)
        visible = viewer.is_coordinator or not pledge.restricted
        if kind is not None and visible and pledge.status != PledgeStatus.WITHDRAWN:
            totals[kind][req.code] += pledge.quantity
    order = list(ConditionKind)
    return tuple(
        Hinge(kind, tuple((code, qty, units.get(code, "")) for code, qty in sorted(per.items())))
        for kind, per in sorted(totals.items(), key=lambda kv: order.index(kv[0]))
    )


def _open_questions(s: Session, viewer: Actor) -> tuple[QuestionView, ...]:
    about = about_labels(s)
    rows = q.list_questions(s, statuses=[QuestionStatus.OPEN])
    return tuple(
        sorted((question_view(viewer, qu, d, about) for qu, d in rows), key=lambda v: v.asked_at)
    )


def _silent(s: Session, viewer: Actor, events) -> tuple[tuple[str, str], ...]:  # type: ignore[no-untyped-def]
    hidden = hidden_pledge_refs(s, viewer, events)
    # Who asked is not for every audience either: only the coordinators count questions.
    active = {
        e.delegation_id
        for e in events
        if (e.entity == "pledge" and e.entity_ref not in hidden)
        or (e.entity == "question" and e.action == "asked" and viewer.is_coordinator)
    }
    return tuple((d.code, d.name) for d in q.list_delegations(s) if d.id not in active)


def _gap_openings(
    s: Session, viewer: Actor, events, views: dict[str, RequirementView]
) -> list[Alert]:  # type: ignore[no-untyped-def]
    hidden = hidden_pledge_refs(s, viewer, events)
    codes = {d.id: d.code for d in q.list_delegations(s)}
    found = []
    for e in events:
        if e.entity != "pledge":
            continue
        before, after = e.before.get("quantity"), e.after.get("quantity")
        reduced = before is not None and after is not None and after < before
        if e.action != "withdrawn" and not reduced:
            continue
        view = views.get(e.requirement_code)
        if view is None or view.coverage.gap == 0:
            continue
        who = (
            "An undisclosed pledge"
            if e.entity_ref in hidden
            else f"{e.entity_ref} ({codes.get(e.delegation_id, '?')})"
        )
        if e.action == "withdrawn":
            what = "was withdrawn"
        elif e.entity_ref in hidden:  # the figures of an undisclosed pledge are its details
            what = "was reduced"
        else:
            what = f"was reduced from {before:,} to {after:,}"
        found.append(
            Alert(
                "gap_opened",
                f"{e.entity_ref}#{e.id}",
                "opened",
                f"{who} {what} on {view.code}",
                (f"{view.title}: gap now {view.coverage.gap:,} {view.unit}.",),
                view,
            )
        )
    return found
