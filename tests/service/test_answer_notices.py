"""Who an answer owes a direct message, decided in the answer's own transaction: each
person once, their own delegation's question first; what each may read of it; and the
answers a digest lists as shared with every delegation."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from sqlalchemy import Engine, text

from bot.domain.clock import FixedClock
from bot.domain.model import QuestionStatus
from bot.services.exporting import restore
from bot.services.importing import check
from bot.services.muster import Muster
from storage.db import make_engine, upgrade
from tests.support.answers import ANSWER, CAL, EVERYONE, OST, VAL, more_members
from tests.support.exports import dumped
from tests.support.factories import COORDINATOR, OTHER


def owed(engine: Engine) -> dict[str, tuple[str, int | None]]:
    with engine.connect() as conn:
        rows = conn.execute(
            text("SELECT recipient, reason, about_id FROM answer_notice WHERE status = 'pending'")
        ).all()
    return {str(user): (str(reason), about) for user, reason, about in rows}


def test_each_person_is_owed_once_their_own_question_first(
    coalition: Muster, engine: Engine
) -> None:
    more_members(coalition)
    coalition.questions.ask(OTHER, "Who gives us air cover?")  # Q-2, OST
    coalition.questions.duplicate(COORDINATOR, 2, 1)
    assert owed(engine) == {user: ("linked", 2) for user in OST}
    answered = coalition.questions.answer(COORDINATOR, 1, ANSWER, publish=True)
    assert owed(engine) == (
        {user: ("asked", None) for user in VAL}
        | {user: ("duplicate", 2) for user in OST}
        | {user: ("published", None) for user in CAL}
    )
    assert (answered.sent.asking, answered.sent.duplicates, answered.sent.total) == (
        3,
        ("Q-2",),
        len(EVERYONE),
    )
    assert set(answered.members) == set(VAL)


def test_other_delegations_read_it_without_who_asked(coalition: Muster) -> None:
    more_members(coalition)
    coalition.questions.answer(COORDINATOR, 1, ANSWER, publish=True)
    seen: dict[str, tuple[str | None, str | None]] = {}
    for notice_id in coalition.answer_notices.due(coalition.clock()):
        notice = coalition.answer_notices.claim(notice_id, "w")
        assert notice is not None
        seen[notice.recipient] = (notice.question.delegation, notice.question.asker)
    assert {seen[user] for user in (*OST, *CAL)} == {(None, None)}
    assert {seen[user][0] for user in VAL} == {"VAL"}


def test_a_claim_is_taken_once(coalition: Muster) -> None:
    coalition.questions.answer(COORDINATOR, 1, ANSWER)
    [notice_id] = coalition.answer_notices.due(coalition.clock())
    first = coalition.answer_notices.claim(notice_id, "a")
    assert first is not None and not first.taken_over
    assert coalition.answer_notices.claim(notice_id, "b") is None
    coalition.answer_notices.finish(first, posted=True, message_ts="1.2")
    assert coalition.answer_notices.due(coalition.clock() + timedelta(hours=1)) == []


def test_an_unnotified_answer_owes_no_one(coalition: Muster, engine: Engine) -> None:
    coalition.questions.answer(COORDINATOR, 1, ANSWER, notify=False)
    assert owed(engine) == {}


def test_the_digest_lists_the_answers_shared_in_its_period(
    coalition: Muster, clock: FixedClock
) -> None:
    start = clock()
    coalition.questions.ask(OTHER, "Who pays for fuel?")  # Q-2, not shared
    clock.advance(timedelta(hours=1))
    coalition.questions.answer(COORDINATOR, 1, ANSWER, publish=True)
    coalition.questions.answer(COORDINATOR, 2, "The host nation.")
    later = clock.advance(timedelta(hours=1))
    channel = coalition.digests.digest(later, start, full_view=False).published
    assert [(v.ref, v.delegation, v.answer) for v in channel] == [("Q-1", None, ANSWER)]
    coordinators = coalition.digests.digest(later, start, full_view=True).published
    assert [v.delegation for v in coordinators] == ["VAL"]
    assert (
        coalition.digests.digest(later, later - timedelta(minutes=30), full_view=False).published
        == ()
    )


def test_links_shared_answers_and_owed_messages_survive_a_backup(
    coalition: Muster, tmp_path: Path
) -> None:
    """Q-1 is linked to a later question, Q-2: a restore inserts questions in id order,
    so the link is no foreign key; the messages owed come back as they were."""
    more_members(coalition)
    coalition.questions.ask(OTHER, "Who gives us air cover?")
    coalition.questions.duplicate(COORDINATOR, 1, 2)
    coalition.questions.answer(COORDINATOR, 2, ANSWER, publish=True)
    first = dumped(coalition)
    assert len(first["tables"]["answer_notice"]) == len(VAL) + len(EVERYONE)
    url = f"sqlite:///{tmp_path / 'copy.db'}"
    upgrade(url)
    copy = Muster(make_engine(url), clock=FixedClock(coalition.clock()), coordinators=[COORDINATOR])
    restore(copy, first)
    assert {k: v for k, v in dumped(copy).items() if k != "exported_at"} == {
        k: v for k, v in first.items() if k != "exported_at"
    }
    [q1] = [v for v in copy.questions.list_questions(COORDINATOR, "all") if v.ref == "Q-1"]
    assert q1.duplicate_of == "Q-2"
    copy.engine.dispose()


def test_an_export_from_before_answers_for_all_imports(coalition: Muster) -> None:
    old = dumped(coalition)
    old["schema"] = "0007"
    del old["tables"]["answer_notice"]
    for row in old["tables"]["question"]:
        del row["duplicate_of"], row["published_at"]
    checked = check(old)
    assert checked.tables["answer_notice"] == []
    assert {(r["duplicate_of"], r["published_at"]) for r in checked.tables["question"]} == {
        (None, None)
    }


def test_a_correction_goes_to_all_only_when_published_again(
    coalition: Muster, engine: Engine
) -> None:
    more_members(coalition)
    coalition.questions.answer(COORDINATOR, 1, ANSWER, publish=True)
    coalition.questions.answer(COORDINATOR, 1, ANSWER + " (corrected)")
    assert owed(engine) == {user: ("asked", None) for user in VAL}
    coalition.questions.answer(COORDINATOR, 1, ANSWER + " (final)", publish=True)
    assert set(owed(engine)) == set(EVERYONE)


def test_reopening_cancels_what_was_owed(coalition: Muster, engine: Engine) -> None:
    """An answer or a link still owed would tell of a state the question has left."""
    more_members(coalition)
    coalition.questions.ask(OTHER, "Who gives us air cover?")  # Q-2, OST
    coalition.questions.duplicate(COORDINATOR, 2, 1)
    coalition.questions.answer(COORDINATOR, 1, ANSWER)
    assert set(owed(engine)) == {*VAL, *OST}
    coalition.questions.set_question_status(COORDINATOR, 2, QuestionStatus.OPEN)
    assert set(owed(engine)) == set(VAL)  # Q-2 stands alone again: OST is owed nothing
    coalition.questions.set_question_status(COORDINATOR, 1, QuestionStatus.OPEN)
    assert owed(engine) == {}
