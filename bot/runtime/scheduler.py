"""The scheduler tick: every minute, in every process that serves Slack.

The tick works out from the data what is due, claims it, posts it, and marks it
posted. APScheduler only wakes the tick; it keeps no state of its own (an
in-memory job store per process), so processes never share scheduler state."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from apscheduler.schedulers.background import BackgroundScheduler
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.domain.schedule import MAX_LATENESS
from bot.services.broadcasts import Claim, SubscriptionView
from bot.services.digests import Alert
from bot.services.muster import Muster
from bot.services.reconfirmation import Round
from handlers.call_delivery import plan as plan_calls
from handlers.charts import coverage_png
from handlers.deliveries import send_owed
from handlers.digest import render_alerts, render_digest
from handlers.outbox import send_due
from handlers.posting import (
    UNCERTAIN,
    Unreachable,
    chart_title,
    claim_metadata,
    find_posted,
    post,
    posting_client,
    upload_chart,
)
from handlers.reconfirm import request_message

# How long a tick may wait for the requests in flight: a second before a step, three
# in all (a tick with many subscriptions under constant load is late by three seconds).
YIELD_AT_MOST_EACH, YIELD_PER_TICK = 1.0, 3.0
log = logging.getLogger("muster.tick")
RESOLVING_RULES = ("critical_red", "deadline_near", "question_stale")
ALERTS_PER_MESSAGE = 20  # one message per channel and tick, within Block Kit's 50 blocks


def worker_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@dataclass
class TickReport:
    digests: list[str] = field(default_factory=list)
    alerts: list[str] = field(default_factory=list)
    broken: list[str] = field(default_factory=list)
    notices: int = 0  # direct messages owed by answers, sent by this tick
    messages: int = 0  # direct messages the outbox owed, sent by this tick
    reconfirmation: Round = field(default_factory=Round)  # asked about, gone stale
    calls: int = 0  # messages owed by calls for contributions (a delegation's, a summary)


@contextmanager
def isolated(what: str) -> Iterator[None]:
    """One channel's failure must not cost the others their digest or alerts."""
    try:
        yield
    except Exception:
        log.exception("tick: %s failed", what)


def pause(stopping: threading.Event, seconds: float, step: float = 0.05) -> None:
    """Wait ``seconds``, or less if ``stopping`` is set. In short sleeps, not
    Event.wait(timeout): under libfaketime (CI's shifted-calendar pass, where `muster
    tick` runs as a process) a timed wait that runs out never returns."""
    deadline = time.monotonic() + seconds
    while not stopping.is_set() and (left := deadline - time.monotonic()) > 0:
        time.sleep(min(step, left))


class Ticker:
    def __init__(
        self,
        muster: Muster,
        client: WebClient,
        *,
        pace: float = 1.0,
        worker: str | None = None,
        lateness: timedelta = MAX_LATENESS,
        yield_to: Callable[[float], object] | None = None,
    ) -> None:
        self.b = muster.broadcasts
        # Called before each step with the seconds it may wait: a serving process
        # waits there until no request is being answered, so that a burst of
        # delegates is answered first. YIELD_PER_TICK in all, a second at a time.
        self.yield_to = yield_to or (lambda _seconds: None)
        self._may_yield = 0.0
        self.digests = muster.digests
        self.muster = muster
        self.client = posting_client(client)
        self.pace = pace
        self.worker = worker or worker_id()
        self.lateness = lateness
        # Set on shutdown: the tick claims nothing more (what it has not claimed, a
        # later tick, here or in another process, posts).
        self.stopping = threading.Event()

    def tick(self) -> TickReport:
        self._may_yield = YIELD_PER_TICK
        now = self.muster.clock()
        report = TickReport()
        # First: a pledge gone stale must not count as firm in this tick's digests, and
        # the requests it owes go out with this tick's direct messages.
        with self._step("reconfirmation"):
            report.reconfirmation = self.muster.reconfirmations.run(now, request_message)
        # Before the digests too: a call due now is closed with its final tally in them.
        with self._step("calls for contributions"):  # closes, summaries, letters, reminders
            report.calls = plan_calls(self.muster, self.client, log)
        for sub, key in self.b.due_digests(now, self.lateness):
            if self.stopping.is_set():
                break
            claim = self.b.claim(sub.id, key, self.worker)
            if claim is not None:
                with self._step(f"digest to {sub.channel}"):
                    self._digest(sub, claim, now, report)
                pause(
                    self.stopping, self.pace
                )  # several channels: keep inside Slack's posting rate
        for sub in self.b.alert_subscriptions():
            if self.stopping.is_set():
                return report
            with self._step(f"alerts to {sub.channel}"):
                self._alerts(sub, now, report)
        with self._step("answer notices"):  # what a follow-up dropped, or Slack failed
            report.notices = send_owed(self.muster, self.client, log)
        with self._step("reports lost"):  # asked for, then their process ended
            self.muster.report_issues.give_up_lost(now)
        with self._step("outbox"):  # what is due, what a process dropped, or Slack failed
            report.messages = send_due(self.muster, self.client, log)
        self._yield()
        self.b.forget_old_deliveries(now)
        return report

    @contextmanager
    def _step(self, what: str) -> Iterator[None]:
        self._yield()
        with isolated(what):
            yield

    def _yield(self) -> None:
        if self.stopping.is_set() or self._may_yield <= 0:
            return
        started = time.monotonic()
        self.yield_to(min(YIELD_AT_MOST_EACH, self._may_yield))
        self._may_yield -= time.monotonic() - started

    def _digest(
        self, sub: SubscriptionView, claim: Claim, now: datetime, report: TickReport
    ) -> None:
        full = self.digests.audience_is_coordinators(sub.channel)
        since = self.b.previous_digest_at(sub.channel, sub.id) or max(
            sub.created_at, now - timedelta(days=7)
        )
        assert sub.schedule is not None
        digest = self.digests.digest(now, since, full_view=full, zone=sub.schedule.zone.key)
        text, blocks = render_digest(digest)
        ts = self._post(sub, [claim], text, blocks, report)
        if ts:
            upload_chart(
                self.client, sub.channel, ts, lambda: coverage_png(digest.report, chart_title(now))
            )
            report.digests.append(f"{sub.channel} {claim.key}")

    def _alerts(self, sub: SubscriptionView, now: datetime, report: TickReport) -> None:
        # Taken before reading: an alert posted by another process after this moment
        # may rest on data this reading has not seen, so it is not ours to resolve.
        evaluated_at = self.muster.clock()
        alerts = self.digests.alerts(
            now, sub.changes_since, full_view=self.digests.audience_is_coordinators(sub.channel)
        )
        self.b.resolve_alerts(sub.id, {a.key for a in alerts}, RESOLVING_RULES, evaluated_at)
        ours = [
            (alert, claim)
            for alert in alerts
            if (claim := self.b.claim(sub.id, alert.key, self.worker)) is not None
        ]
        ours = self._not_yet_posted(sub, ours)
        for start in range(0, len(ours), ALERTS_PER_MESSAGE):
            batch = ours[start : start + ALERTS_PER_MESSAGE]
            text, blocks = render_alerts([alert for alert, _claim in batch])
            if not self._post(sub, [claim for _alert, claim in batch], text, blocks, report):
                return  # the watermark stays: the next tick looks at these changes again
            report.alerts.extend(f"{sub.channel} {alert.key}" for alert, _claim in batch)
            pause(self.stopping, self.pace)  # a burst of messages must not trip Slack's rate limit
        self.b.alerts_checked(sub, evaluated_at, alerted=bool(ours))

    def _post(
        self,
        sub: SubscriptionView,
        claims: list[Claim],
        text: str,
        blocks: list[dict[str, Any]],
        report: TickReport,
    ) -> str | None:
        """Post once for ``claims``. A claim taken over from a process that died may
        already be in the channel, and so may a post whose answer was lost: look
        there (by the message metadata naming the claims) before posting again."""
        if any(c.taken_over for c in claims) and (ts := self._already_posted(sub, claims)):
            return ts
        try:
            ts = post(self.client, sub.channel, text, blocks, claim_metadata(claims))
        except Unreachable as exc:
            for claim in claims:
                self.b.finish(claim, posted=False)
            self._broken(sub, str(exc), report)
            return None
        except UNCERTAIN as exc:
            log.warning("posting to %s: the answer was lost (%s)", sub.channel, exc)
            return self._already_posted(sub, claims)
        except Exception as exc:
            # Leave the claims: once their lease runs out, a later tick tries again.
            log.warning("posting %s to %s failed: %s", claims[0].key, sub.channel, exc)
            return None
        for claim in claims:
            self.b.finish(claim, posted=True, message_ts=ts)
        return ts

    def _not_yet_posted(
        self, sub: SubscriptionView, ours: list[tuple[Alert, Claim]]
    ) -> list[tuple[Alert, Claim]]:
        """Drop the alerts that a process which died after posting had already sent."""
        taken_over = [claim for _alert, claim in ours if claim.taken_over]
        if not taken_over:
            return ours
        found = find_posted(self.client, sub.channel, taken_over)
        for claim in taken_over:
            if claim.id in found:
                self.b.finish(claim, posted=True, message_ts=found[claim.id])
        return [(alert, claim) for alert, claim in ours if claim.id not in found]

    def _already_posted(self, sub: SubscriptionView, claims: list[Claim]) -> str | None:
        """The ts of our earlier post for all of ``claims``, marking them posted; None
        if any is missing (the claims then stay for a later tick to post)."""
        found = find_posted(self.client, sub.channel, claims)
        if len(found) < len(claims):
            return None
        for claim in claims:
            self.b.finish(claim, posted=True, message_ts=found[claim.id])
        return found[claims[0].id]

    def _broken(self, sub: SubscriptionView, reason: str, report: TickReport) -> None:
        report.broken.append(sub.channel)
        if not self.b.mark_broken(sub.id, reason):
            return
        coordinators = self.muster.delegations.coordinators_channel()
        if coordinators and coordinators != sub.channel:
            text = (
                f"Muster can no longer post the {sub.kind} to <#{sub.channel}> ({reason}). The subscription is "
                f"paused: invite Muster there, or subscribe another channel with `/muster {sub.kind} subscribe`."
            )
            try:
                self.client.chat_postMessage(channel=coordinators, text=text)
            except SlackApiError as exc:
                log.warning(
                    "could not tell the coordinators about %s: %s",
                    sub.channel,
                    exc.response.get("error"),
                )


class Schedule:
    """The tick, woken every minute by APScheduler, and stopped with the process."""

    def __init__(self, ticker: Ticker) -> None:
        self.ticker = ticker
        self._idle = threading.Condition()
        self._ticking = False
        self.scheduler = BackgroundScheduler(timezone=UTC)

    def run(self) -> None:
        with self._idle:
            if self.ticker.stopping.is_set():
                return
            self._ticking = True
        try:
            self.ticker.tick()
        except Exception:
            log.exception("tick failed")
        finally:
            with self._idle:
                self._ticking = False
                self._idle.notify_all()

    def start(self) -> Schedule:
        """Wake the tick every minute, at once on start-up to catch up after downtime."""
        self.scheduler.add_job(
            self.run,
            "interval",
            minutes=1,
            next_run_time=self.ticker.muster.clock(),
            id="muster-tick",
            max_instances=1,
            coalesce=True,
            misfire_grace_time=50,
        )
        self.scheduler.start()
        return self

    def stop(self, timeout: float) -> bool:
        """Start no tick; let the running one finish what it has claimed, for at most
        ``timeout`` seconds. False if it is still running then."""
        self.ticker.stopping.set()
        self.scheduler.shutdown(wait=False)
        with self._idle:
            return self._idle.wait_for(lambda: not self._ticking, timeout=max(0.0, timeout))


def start_scheduler(ticker: Ticker) -> Schedule:
    """Wake the tick every minute, at once on start-up to catch up after downtime."""
    return Schedule(ticker).start()
