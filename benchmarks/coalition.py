"""A coalition-scale database, written in bulk: 30 delegations of 3 members, 137
requirements over the four objectives, 2,000 questions (about half answered) and any
number of pledges in every state, each with its audit events as the services write
them, spread over the 180 days before ``now``.

    build("sqlite:////tmp/c.db", pledges=200_000, now=system_clock())

The database must be migrated (storage.db.upgrade) and hold nothing but the seeded
objectives. Rows go in, in one transaction, as SQLite executemany chunks of the
driver's own INSERT (values already in the types SQLAlchemy would bind) or as one
PostgreSQL COPY per table, with explicit ids in time order, as the services would have numbered
them. Requirement quantities grow with the number of pledges, so coverage (which
lines are filled, partly filled, empty) reads the same at every size: what grows
is history, not the picture. The same seed gives the same requirements, questions
and handles at every size."""

from __future__ import annotations

import random
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import accumulate

from sqlalchemy import Connection, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from benchmarks.bulk import Inserter, Row, between, event, iso
from benchmarks.coalition_data import CAVEATS, CONDITIONS, LINES, NATIONS, QUESTION_TEXTS, REGIONS
from bot.domain.model import PledgeStatus, Priority, QuestionStatus, classify_condition
from storage import totals
from storage.db import make_engine

COORDINATOR = "UCOORD"
MEMBERS = 3  # per delegation
REQUIREMENTS = {"SKY": 35, "SEA": 30, "LAND": 45, "UAF": 27}  # 137, the migration's objectives
QUESTIONS = 2_000
DAYS = 180
LIVE = [PledgeStatus.INDICATED, PledgeStatus.OFFERED, PledgeStatus.CONFIRMED]


@dataclass(frozen=True)
class Coalition:
    """What a benchmark needs to talk to the generated coalition."""

    url: str
    now: datetime
    pledges: int
    events: int
    coordinator: str  # a coordinator's user id (a Coordinator row)
    delegate: str  # a member of ``delegation``
    delegation: str  # a delegation code with pledges
    delegates: tuple[str, ...]  # one member of each delegation, in delegation order
    objective: str  # an objective code, e.g. for `status LAND`
    requirement: str  # a requirement code with pledges: the line of ``objective`` most pledged to
    empty_requirement: str  # a requirement no one pledged to
    seconds: float  # how long the build took


@dataclass(slots=True)
class _Pledge:
    requirement: int  # index into the requirements
    delegation: int  # index into the delegations
    author: str
    quantity: int  # now
    first_quantity: int  # when created
    status: str  # now
    first_status: str  # when created
    condition: str
    caveats: str
    available_from: date | None
    restricted: bool
    created: datetime
    steps: list[tuple[datetime, str]]  # later changes: quantity | status | withdrawn
    reason: str
    withdrawn_by: str
    id: int = 0


def build(url: str, *, pledges: int, now: datetime, seed: int = 1) -> Coalition:
    """Fill the empty, migrated database at ``url``; ``now`` is timezone-aware."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    started = time.monotonic()
    plan = _Plan(random.Random(seed), now.astimezone(UTC), pledges)
    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            events = plan.write(conn)
        if engine.dialect.name == "postgresql":
            # As autovacuum soon does after a load this size: the visibility map lets
            # the lists count from their indexes alone (index-only scans).
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                conn.execute(text("VACUUM (ANALYZE)"))
    finally:
        engine.dispose()
    return plan.coalition(url, events, time.monotonic() - started)


class _Plan:
    def __init__(self, rng: random.Random, now: datetime, pledges: int) -> None:
        self.now, self.start = now, now - timedelta(days=DAYS)
        self.founded = self.start - timedelta(days=1)
        self.members = [[f"U{code}{k + 1}" for k in range(MEMBERS)] for code, _ in NATIONS]
        self.requirements = self._requirements(rng)
        # Each part draws from its own stream: the questions are the same at every size.
        pledge_rng, question_rng = random.Random(rng.random()), random.Random(rng.random())
        weights = list(accumulate(0.0 if r["empty"] else r["weight"] for r in self.requirements))
        lines = range(len(weights))
        self.pledges = sorted(
            (
                self._pledge(pledge_rng, pledge_rng.choices(lines, cum_weights=weights)[0])
                for _ in range(pledges)
            ),
            key=lambda p: p.created,
        )
        for number, pledge in enumerate(self.pledges, 1):
            pledge.id = number
        self._size_requirements()
        self.questions = self._questions(question_rng)

    # --- what to write -----------------------------------------------------------------

    def _requirements(self, rng: random.Random) -> list[Row]:
        rows: list[Row] = []
        for objective, count in REQUIREMENTS.items():
            for seq in range(1, count + 1):
                title, unit, base, step = LINES[objective][(seq - 1) % len(LINES[objective])]
                if seq > len(LINES[objective]):
                    title += f" ({REGIONS[(seq - 1) // len(LINES[objective]) % len(REGIONS)]})"
                priority = rng.choices(list(Priority), [2, 6, 2])[0]
                by = rng.randint(-20, 240) if rng.random() < 0.35 else None
                rows.append({
                    "code": f"{objective}-{seq}", "objective": objective, "seq": seq,
                    "title": title, "quantity": base, "unit": unit, "priority": str(priority),
                    "enabler": rng.random() < (0.4 if priority == Priority.CRITICAL else 0.1),
                    "needed_by": None if by is None else self.now.date() + timedelta(days=by),
                    "notes": "Rotations of six months." if rng.random() < 0.1 else "",
                    "created": self.start + timedelta(minutes=rng.randint(0, 10 * 24 * 60)),
                    "edited": rng.random() < 0.2, "empty": rng.random() < 0.1,
                    "weight": rng.uniform(0.2, 3.0), "step": step,
                    "cover": rng.choice([3, 5, 7, 9, 10, 12]),  # tenths of the quantity pledged
                })  # fmt: skip
        rows.sort(key=lambda r: r["created"])
        for number, req in enumerate(rows, 1):
            req["id"] = number
        return rows

    def _pledge(self, rng: random.Random, r: int) -> _Pledge:
        req, d = self.requirements[r], rng.randrange(len(NATIONS))
        created = between(rng, req["created"] + timedelta(hours=1), self.now - timedelta(hours=1))
        status = rng.choices([*LIVE, PledgeStatus.WITHDRAWN], [15, 35, 40, 10])[0]
        first = status
        if status == PledgeStatus.WITHDRAWN:
            first = rng.choice(LIVE)
        elif status != PledgeStatus.INDICATED and rng.random() < 0.4:
            first = rng.choice(LIVE[: LIVE.index(status)])  # confirmed or offered later
        quantity = first_quantity = req["step"] * rng.randint(1, 5)
        kinds = []
        if rng.random() < 0.15:
            first_quantity = req["step"] * rng.randint(1, 5)
            kinds.append("quantity")
        if status != first and status != PledgeStatus.WITHDRAWN:
            kinds.append("status")
        if status == PledgeStatus.WITHDRAWN:
            kinds.append("withdrawn")
        steps, at = [], created
        for kind in kinds:
            at = between(rng, at + timedelta(minutes=5), min(at + timedelta(days=20), self.now))
            steps.append((at, kind))
        author = rng.choice(self.members[d])
        return _Pledge(
            requirement=r,
            delegation=d,
            author=author,
            quantity=quantity,
            first_quantity=first_quantity,
            status=str(status),
            first_status=str(first),
            condition=rng.choice(CONDITIONS) if rng.random() < 0.35 else "",
            caveats=rng.choice(CAVEATS) if rng.random() < 0.1 else "",
            available_from=self.now.date() + timedelta(days=rng.randint(-60, 120))
            if rng.random() < 0.15
            else None,
            restricted=rng.random() < 0.1,
            created=created,
            steps=steps,
            reason=rng.choice(["", "the unit is committed elsewhere", "budget cut"])
            if status == PledgeStatus.WITHDRAWN
            else "",
            withdrawn_by=COORDINATOR if rng.random() < 0.2 else author,
        )

    def _size_requirements(self) -> None:
        """A requirement's quantity is what its live pledges add up to, over its cover."""
        live = [0] * len(self.requirements)
        for p in self.pledges:
            if p.status != PledgeStatus.WITHDRAWN:
                live[p.requirement] += p.quantity
        for req, pledged in zip(self.requirements, live, strict=True):
            wanted = -(-pledged * 10 // req["cover"])
            req["quantity"] = max(req["quantity"], -(-wanted // req["step"]) * req["step"])

    def _questions(self, rng: random.Random) -> list[Row]:
        rows: list[Row] = []
        for _ in range(QUESTIONS):
            d = rng.randrange(len(NATIONS))
            asked = between(rng, self.start + timedelta(days=11), self.now - timedelta(minutes=30))
            pick = rng.random()
            req = rng.choice(self.requirements) if pick < 0.4 else None
            objective = rng.choice(list(REQUIREMENTS)) if 0.4 <= pick < 0.6 else None
            about = req["code"] if req else objective
            status = rng.choices(list(QuestionStatus), [50, 45, 5])[0]
            answered = min(
                between(rng, asked + timedelta(hours=1), asked + timedelta(days=10)),
                self.now - timedelta(minutes=1),
            )
            rows.append({
                "delegation": d, "asker": rng.choice(self.members[d]),
                "text": rng.choice(QUESTION_TEXTS).format(about=about or "the force"),
                "about": about, "requirement": req, "objective": objective,
                "status": str(status), "asked": asked,
                "answered": None if status == QuestionStatus.OPEN else answered,
                "answer": "" if status == QuestionStatus.OPEN
                else f"Answered by the coordinators on {answered:%d %b}.",
                "closed": status == QuestionStatus.CLOSED,
            })  # fmt: skip
        rows.sort(key=lambda r: r["asked"])
        return rows

    # --- writing ---------------------------------------------------------------------

    def write(self, conn: Connection) -> int:
        tables = SQLModel.metadata.tables
        if conn.execute(text("SELECT count(*) FROM delegation")).scalar_one():
            raise ValueError("the database already holds a coalition: build into an empty one")
        ids = {code: id_ for code, id_ in conn.execute(text("SELECT code, id FROM objective"))}
        for code, count in REQUIREMENTS.items():
            conn.execute(
                text("UPDATE objective SET next_requirement_seq = :seq WHERE code = :code"),
                {"seq": count + 1, "code": code},
            )
        insert = Inserter(conn)
        founded = self.founded
        insert(tables["delegation"], (
            {"id": i + 1, "code": c, "name": n, "created_at": founded}
            for i, (c, n) in enumerate(NATIONS)
        ))  # fmt: skip
        insert(tables["member"], (
            {"user_id": u, "delegation_id": i + 1, "added_by": COORDINATOR, "added_at": founded,
             "timezone": "", "timezone_checked_at": None}
            for i, users in enumerate(self.members) for u in users
        ))  # fmt: skip
        insert(tables["coordinator"], [
            {"user_id": COORDINATOR, "added_by": "bootstrap", "added_at": founded}
        ])  # fmt: skip
        insert(tables["knownuser"], (
            {"user_id": u, "first_seen_at": founded + timedelta(hours=1)}
            for u in [COORDINATOR, *(u for users in self.members for u in users)]
        ))  # fmt: skip
        insert(tables["requirement"], (
            {
                "id": r["id"], "code": r["code"], "objective_id": ids[r["objective"]],
                "seq": r["seq"], "title": r["title"], "quantity": r["quantity"], "unit": r["unit"],
                "priority": r["priority"], "enabler": r["enabler"], "needed_by": r["needed_by"],
                "notes": "Reviewed." if r["edited"] else r["notes"], "version": 1 + r["edited"],
                "created_at": r["created"],
                "updated_at": r["created"] + timedelta(days=2 if r["edited"] else 0),
            }
            for r in self.requirements
        ))  # fmt: skip
        insert(tables["pledge"], (
            {
                "id": p.id, "delegation_id": p.delegation + 1,
                "requirement_id": self.requirements[p.requirement]["id"],
                "quantity": p.quantity, "status": p.status, "condition": p.condition,
                "condition_kind": classify_condition(p.condition) or "",
                "condition_kind_manual": False, "caveats": p.caveats,
                "available_from": p.available_from, "restricted": p.restricted,
                "withdrawn_reason": p.reason, "author": p.author, "version": 1 + len(p.steps),
                "created_at": p.created, "updated_at": p.steps[-1][0] if p.steps else p.created,
                # No reconfirmation policy: last confirmed at the last change, never asked.
                "confirmed_at": p.steps[-1][0] if p.steps else p.created,
                "reconfirm_asked_at": None, "stale_since": None,
            }
            for p in self.pledges
        ))  # fmt: skip
        insert(tables["question"], (
            {
                "id": n, "delegation_id": q["delegation"] + 1, "asker": q["asker"],
                "text": q["text"], "requirement_id": q["requirement"] and q["requirement"]["id"],
                "objective_id": ids[q["objective"]] if q["objective"] else None,
                "status": q["status"], "answer": q["answer"],
                "answered_by": COORDINATOR if q["answered"] else "", "answered_at": q["answered"],
                "announce_channel": "", "announce_ts": "", "duplicate_of": None, "published_at": None,
                "version": 1 + (q["answered"] is not None) + q["closed"],
                "created_at": q["asked"], "updated_at": self._closed(q) or q["answered"] or q["asked"],
            }
            for n, q in enumerate(self.questions, 1)
        ))  # fmt: skip
        events = insert(tables["event"], self._events())
        totals.rebuild(conn)  # the running totals the services keep, for rows loaded in bulk
        if conn.dialect.name == "postgresql":
            for name in ("delegation", "requirement", "pledge", "question", "event"):
                conn.execute(text(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
                    f"(SELECT COALESCE(MAX(id), 1) FROM {name}))"
                ))  # fmt: skip
        return events

    def _closed(self, q: Row) -> datetime | None:
        return min(q["answered"] + timedelta(days=1), self.now) if q["closed"] else None

    def _events(self) -> Iterator[Row]:
        """Every audit event, numbered in time order as the services would have written them."""
        keys: list[tuple[datetime, int, int, int]] = []
        for i, users in enumerate(self.members):
            keys += [(self.founded, 0, i, k) for k in range(-1, len(users))]
        for i, r in enumerate(self.requirements):
            keys.append((r["created"], 1, i, 0))
            if r["edited"]:
                keys.append((r["created"] + timedelta(days=2), 1, i, 1))
        for i, q in enumerate(self.questions):
            keys.append((q["asked"], 2, i, 0))
            if q["answered"]:
                keys.append((q["answered"], 2, i, 1))
            if q["closed"]:
                keys.append((self._closed(q) or q["answered"], 2, i, 2))
        for i, p in enumerate(self.pledges):
            keys.append((p.created, 3, i, -1))
            keys += [(at, 3, i, k) for k, (at, _) in enumerate(p.steps)]
        keys.sort()
        makers = [self._delegation_event, self._requirement_event, self._question_event]
        makers.append(self._pledge_event)
        for number, (at, kind, i, step) in enumerate(keys, 1):
            yield {"id": number, "at": at} | makers[kind](i, step)

    def _delegation_event(self, i: int, step: int) -> Row:
        code, name = NATIONS[i]
        if step < 0:
            return event(COORDINATOR, "delegation", code, "created", {}, {"name": name}, i + 1)
        member = {"member": self.members[i][step]}
        return event(COORDINATOR, "delegation", code, "member added", {}, member, i + 1)

    def _requirement_event(self, i: int, step: int) -> Row:
        r = self.requirements[i]
        if step == 1:
            changed = ({"notes": r["notes"]}, {"notes": "Reviewed."})
            return event(COORDINATOR, "requirement", r["code"], "updated", *changed, code=r["code"])
        fields = {k: r[k] for k in ("title", "quantity", "unit", "priority", "enabler")}
        fields |= {"needed_by": iso(r["needed_by"]), "notes": r["notes"]}
        return event(COORDINATOR, "requirement", r["code"], "created", {}, fields, code=r["code"])

    def _question_event(self, i: int, step: int) -> Row:
        q, ref = self.questions[i], f"Q-{i + 1}"
        if step == 0:
            about = {"text": q["text"], "about": q["about"]}
            return event(q["asker"], "question", ref, "asked", {}, about, q["delegation"] + 1)
        if step == 1:
            before = {"status": QuestionStatus.OPEN.value, "answer": ""}
            after = {"status": QuestionStatus.ANSWERED.value, "answer": q["answer"]}
            return event(
                COORDINATOR, "question", ref, "answered", before, after, q["delegation"] + 1
            )
        before, after = (
            {"status": QuestionStatus.ANSWERED.value},
            {"status": QuestionStatus.CLOSED.value},
        )
        return event(COORDINATOR, "question", ref, "closed", before, after, q["delegation"] + 1)

    def _pledge_event(self, i: int, step: int) -> Row:
        p = self.pledges[i]
        code = self.requirements[p.requirement]["code"]

        def change(actor: str, action: str, before: Row, after: Row) -> Row:
            return event(actor, "pledge", f"P-{p.id}", action, before, after,
                          p.delegation + 1, code=code, restricted=p.restricted)  # fmt: skip

        if step < 0:
            created = {
                "quantity": p.first_quantity, "status": p.first_status, "condition": p.condition,
                "caveats": p.caveats, "available_from": iso(p.available_from),
                "restricted": p.restricted, "withdrawn_reason": "",
            }  # fmt: skip
            return change(p.author, "created", {}, created)
        kind = p.steps[step][1]
        if kind == "quantity":
            return change(
                p.author, "updated", {"quantity": p.first_quantity}, {"quantity": p.quantity}
            )
        if kind == "status":  # only a live pledge moves up (a withdrawn one kept its status)
            return change(p.author, "updated", {"status": p.first_status}, {"status": p.status})
        before: Row = {"status": p.first_status}
        after: Row = {"status": PledgeStatus.WITHDRAWN.value}
        if p.reason:
            before["withdrawn_reason"], after["withdrawn_reason"] = "", p.reason
        return change(p.withdrawn_by, "withdrawn", before, after)

    # --- handles -----------------------------------------------------------------------

    def coalition(self, url: str, events: int, seconds: float) -> Coalition:
        def pull(r: Row) -> float:  # the same line at every size: drawn by weight
            return -1.0 if r["empty"] or r["objective"] != "LAND" else float(r["weight"])

        return Coalition(
            url=url,
            now=self.now,
            pledges=len(self.pledges),
            events=events,
            coordinator=COORDINATOR,
            delegate=self.members[1][0],
            delegation=NATIONS[1][0],
            delegates=tuple(users[0] for users in self.members),
            objective="LAND",
            requirement=max(self.requirements, key=pull)["code"],
            empty_requirement=next((r["code"] for r in self.requirements if r["empty"]), ""),
            seconds=seconds,
        )
