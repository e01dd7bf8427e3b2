"""The written reports as they are asked for and sent.

`/muster report` records its report when it is asked for, in the request's own write
transaction: that claims the Slack delivery, so a retried request is refused there
and nothing is built or sent twice. The document follows by direct message; the
record is then marked sent, with the moment the document describes. A report a
coordinator asked for (not a draft, not a delegate's copy) is *issued*: the next
report of its edition counts its changes from it. `muster report --record` records
an issue the same way, in one step."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.domain.errors import NotFound
from bot.services.base import Service
from bot.services.loaders import row_id
from bot.services.outbox import Owed, enqueue
from bot.services.report_model import Edition, check_edition
from storage import report_queries as rq
from storage.models import ReportIssue

# A report is made in seconds (under 10 s at 200,000 pledges): one still not sent
# after this was lost with the process that was making it.
LOST_AFTER = timedelta(minutes=15)


@dataclass(frozen=True)
class IssueRequest:
    """A report asked for and recorded, for the follow-up that builds and sends it."""

    id: int
    user: str
    edition: Edition
    issued: bool


class ReportIssues(Service):
    def request(self, user_id: str, edition: Edition, *, draft: bool = False) -> IssueRequest:
        """Record that ``user_id`` asked for ``edition`` (refused if not entitled)."""
        with self.uow.write() as s:
            actor = check_edition(self.uow.registered(s, user_id), edition)
            row = ReportIssue(
                edition=edition.value,
                requested_by=user_id,
                requested_at=self.now(),
                issued=actor.is_coordinator and not draft,
            )
            s.add(row)
            s.flush()
            return IssueRequest(row_id(row.id), user_id, edition, row.issued)

    def finish(
        self, issue_id: int, *, as_of: datetime | None, sent: bool, file_id: str = ""
    ) -> None:
        """Mark a report sent (it then counts as issued, if it is) or failed."""
        with self.uow.write(bookkeeping=True) as s:
            row = rq.get_issue(s, issue_id, for_update=True)
            if row is None:
                raise NotFound(f"No report {issue_id} was asked for.")
            row.status = rq.SENT if sent else rq.FAILED
            row.as_of = as_of
            row.sent_at = self.now() if sent else None
            row.file_id = file_id[:32]

    def record(self, user_id: str, edition: Edition, as_of: datetime) -> None:
        """A report written and handed on outside Slack (`muster report --record`): issued."""
        with self.uow.write() as s:
            check_edition(self.uow.registered(s, user_id), edition)
            s.add(
                ReportIssue(
                    edition=edition.value,
                    requested_by=user_id,
                    requested_at=self.now(),
                    issued=True,
                    status=rq.SENT,
                    as_of=as_of,
                    sent_at=self.now(),
                )
            )

    def give_up_lost(self, now: datetime) -> int:
        """Reports whose process ended while making them: marked failed, and the one
        who asked is told once by direct message (the outbox), so no request is left
        waiting in silence. How many."""
        with self.uow.write(bookkeeping=True) as s:
            lost = rq.lost_requests(s, now - LOST_AFTER)
            for row in lost:
                row.status = rq.FAILED
                edition = Edition(row.edition).value
                text = (
                    f"The {edition} edition of the report you asked for could not be sent: "
                    "Muster was restarted while making it. Please ask again with "
                    f"`/muster report {edition}`."
                )
                owed = Owed(f"report:{row.id}:lost", row.requested_by, text, [])
                enqueue(s, owed, now)
            return len(lost)
