"""A command identifies its caller once, inside its own transaction: a read is one
read transaction, a change one write transaction, and only a stranger's very first
request writes anything else (that Muster has now answered them)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import Connection, Engine, event

from bot.services.muster import Muster
from tests.conftest import StatementCounter
from tests.support.factories import OTHER, small_coalition
from tests.support.slack import SlashCommands


class Transactions:
    """Transactions begun on the engine, writes (which take the write lock) apart."""

    def __init__(self) -> None:
        self.count = self.writes = 0

    def __call__(self, conn: Connection) -> None:
        self.count += 1
        self.writes += conn.get_execution_options().get("muster_begin") == "IMMEDIATE"

    @property
    def reads(self) -> int:
        return self.count - self.writes

    def reset(self) -> None:
        self.count = self.writes = 0


@pytest.fixture
def transactions(engine: Engine) -> Iterator[Transactions]:
    counter = Transactions()
    event.listen(engine, "begin", counter)
    yield counter
    event.remove(engine, "begin", counter)


def identifications(counter: StatementCounter) -> list[str]:
    return [s for s in counter.statements if "known_user" in s or "FROM coordinator" in s]


@pytest.mark.parametrize("command", ["status", "gaps", "pledges", "questions all", "history SKY-1"])
def test_a_read_command_is_one_transaction_and_one_lookup_of_the_caller(
    command: str,
    muster: Muster,
    muster_cmd: SlashCommands,
    transactions: Transactions,
    count_statements: StatementCounter,
) -> None:
    small_coalition(muster)
    muster_cmd(OTHER, "help")  # the first contact is behind us
    transactions.reset()
    count_statements.statements.clear()
    reply = muster_cmd(OTHER, command)
    assert "not registered" not in reply.text
    assert (transactions.reads, transactions.writes) == (1, 0)
    assert len(identifications(count_statements)) == 1, count_statements.statements


def test_a_change_is_one_write_transaction(
    muster: Muster,
    muster_cmd: SlashCommands,
    transactions: Transactions,
    count_statements: StatementCounter,
) -> None:
    small_coalition(muster)
    muster_cmd(OTHER, "help")
    transactions.reset()
    count_statements.statements.clear()
    assert "Pledge P-3 recorded" in muster_cmd(OTHER, "pledge SKY-1 1 confirmed").text
    # One write; the one read is the App Home refresh that follows the reply, and
    # it knows the caller already.
    assert (transactions.writes, transactions.reads) == (1, 1)
    assert len(identifications(count_statements)) == 1


def test_only_a_strangers_first_request_writes_that_it_was_answered(
    muster: Muster, muster_cmd: SlashCommands, transactions: Transactions
) -> None:
    small_coalition(muster)
    transactions.reset()
    assert "not accredited" in muster_cmd(OTHER, "status").text
    assert (transactions.reads, transactions.writes) == (1, 1)  # the command, then remembering
    transactions.reset()
    assert "not accredited" not in muster_cmd(OTHER, "status").text
    assert (transactions.reads, transactions.writes) == (1, 0)
