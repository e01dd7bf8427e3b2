"""Digests and gap alerts: who subscribed, what is due, who may post it, and what it says.

Every process works out what is due from the data. Before posting, a process
claims the (subscription, period) or (subscription, alert) under a unique key and
commits; only then does it call Slack, and it marks the claim posted afterwards.
A claim whose process died is taken over once its lease has run out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session

from bot.domain.errors import NotFound
from bot.domain.schedule import MAX_LATENESS, Weekly, due
from bot.services.base import Service
from bot.services.loaders import row_id
from storage import queries as q
from storage.models import PostClaim, Subscription

DIGEST, ALERTS = "digest", "alerts"
LEASE = timedelta(minutes=5)
# Changes are read from the subscription's watermark, less this much: a change
# committed late (its transaction began before the last look) is still seen, and
# the per-event claim keeps it from being alerted twice.
WATERMARK_OVERLAP = timedelta(minutes=10)
# On a quiet minute the watermark moves only once this far behind: moving it is a
# write, and every write makes each serving process build its shared reads again.
# Looking back further costs little (the changes since, at most an hour of them) and
# alerts nothing twice (the per-event claim).
WATERMARK_STEP = timedelta(hours=1)


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


class Broadcasts(Service):
    # --- subscriptions (slash commands) -------------------------------------------

    def subscribe(
        self, user_id: str, kind: str, channel: str, schedule: Weekly | None = None
    ) -> SubscriptionView:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, f"subscribe channels to {kind}")
            now = self.now()
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
            self.uow.record(
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
        with self.uow.read() as s:
            sub = q.get_subscription(s, kind, channel)
            return sub is not None and sub.active

    def require_coordinator(self, user_id: str, doing: str) -> None:
        with self.uow.read() as s:
            self.uow.coordinator(s, user_id, doing)

    def unsubscribe(self, user_id: str, kind: str, channel: str) -> None:
        with self.uow.write() as s:
            actor = self.uow.coordinator(s, user_id, f"unsubscribe channels from {kind}")
            sub = q.get_subscription(s, kind, channel)
            if sub is None or not sub.active:
                raise NotFound(
                    f"<#{channel}> has no {kind} subscription.", f"See `/muster {kind} list`."
                )
            sub.active, sub.updated_at = False, self.now()
            s.add(sub)
            self.uow.record(s, actor, "subscription", f"{kind}:{channel}", "unsubscribed")

    def subscriptions(self, user_id: str, kind: str) -> list[SubscriptionView]:
        with self.uow.read() as s:
            self.uow.coordinator(s, user_id, f"list {kind} subscriptions")
            return [
                _subscription_view(sub)
                for sub in q.list_subscriptions(s, kind, active_only=False)
                if sub.active or sub.broken_reason
            ]

    # --- what is due ----------------------------------------------------------------

    def due_digests(
        self, now: datetime, lateness: timedelta = MAX_LATENESS
    ) -> list[tuple[SubscriptionView, str]]:
        with self.uow.read() as s:
            result = []
            for sub in q.list_subscriptions(s, DIGEST):
                view = _subscription_view(sub)
                assert view.schedule is not None
                period = due(view.schedule, now, view.owed_since, lateness)
                if period is None:
                    continue
                claim = q.get_claim(s, view.id, f"digest:{period[0]}")
                if claim is None or (claim.status == "claimed" and claim.lease_until < now):
                    result.append((view, f"digest:{period[0]}"))
            return result

    def alert_subscriptions(self) -> list[SubscriptionView]:
        with self.uow.read() as s:
            return [_subscription_view(sub) for sub in q.list_subscriptions(s, ALERTS)]

    # --- claims -------------------------------------------------------------------

    def claim(self, subscription_id: int, key: str, worker: str) -> Claim | None:
        """Take the right to post ``key`` once; None if another process has it or did it.

        The lease runs from the moment of the claim, not from the tick's start, so a
        slow tick never hands out a lease that has already run out."""
        now = self.now()
        with self.uow.write(bookkeeping=True) as s:
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
                return Claim(row_id(row.id), subscription_id, key, worker)
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
            return Claim(row_id(existing.id), subscription_id, key, worker, taken_over=True)

    def finish(self, claim: Claim, *, posted: bool, message_ts: str = "") -> None:
        with self.uow.write(bookkeeping=True) as s:
            row = s.get(PostClaim, claim.id)
            if row is None or row.claimed_by != claim.worker:
                return  # our lease ran out and another process took over
            row.status = "posted" if posted else "failed"
            row.posted_at = self.now() if posted else None
            row.message_ts = message_ts
            s.add(row)

    def alerts_checked(self, sub: SubscriptionView, up_to: datetime, *, alerted: bool) -> None:
        """Move the subscription's watermark: changes up to ``up_to`` have been alerted.
        With nothing ``alerted``, only once it is WATERMARK_STEP behind."""
        checked = sub.alerts_checked_at
        if checked is not None and (
            checked >= up_to or (up_to - checked < WATERMARK_STEP and not alerted)
        ):
            return
        with self.uow.write(bookkeeping=True) as s:
            row = s.get(Subscription, sub.id)
            if row is not None and (row.alerts_checked_at is None or row.alerts_checked_at < up_to):
                row.alerts_checked_at = up_to
                s.add(row)

    def mark_broken(self, subscription_id: int, reason: str) -> bool:
        """Stop posting to a channel we cannot reach; True the first time, to tell the coordinators once."""
        with self.uow.write(bookkeeping=True) as s:
            sub = s.get(Subscription, subscription_id)
            if sub is None or sub.broken_reason:
                return False
            sub.broken_reason, sub.active, sub.updated_at = reason[:200], False, self.now()
            s.add(sub)
            return True

    def previous_digest_at(
        self, channel: str, subscription_id: int | None = None
    ) -> datetime | None:
        """When a digest last went to ``channel``: by that subscription if one is named,
        else by any digest subscription the channel has had."""
        with self.uow.read() as s:
            if subscription_id is not None:
                ids = [subscription_id]
            else:
                subs = q.list_subscriptions(s, DIGEST, active_only=False)
                ids = [row_id(sub.id) for sub in subs if sub.channel == channel]
            claims = (q.last_posted(s, i, "digest:") for i in ids)
            times = [c.posted_at for c in claims if c is not None and c.posted_at is not None]
            return max(times) if times else None

    def forget_old_deliveries(self, now: datetime, keep: timedelta = timedelta(days=1)) -> int:
        """Slack retries within minutes; a day of delivery keys is plenty."""
        with self.uow.write(bookkeeping=True) as s:
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
        with self.uow.write(bookkeeping=True) as s:
            gone = 0
            for claim in q.posted_claims(s, subscription_id, "alert:", evaluated_at):
                if claim.key.split(":")[1] in rules and claim.key not in current:
                    s.delete(claim)
                    gone += 1
            return gone


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
        row_id(sub.id),
        sub.kind,
        sub.channel,
        schedule,
        sub.active,
        sub.broken_reason,
        sub.created_at,
        sub.schedule_from,
        sub.alerts_checked_at,
    )
