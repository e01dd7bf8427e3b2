"""The Quantity column type: Decimal in Python, NUMERIC(18, 2) on PostgreSQL, whole
hundredths on SQLite (whose NUMERIC is a float), a value with a third decimal place
refused rather than rounded, and SQL sums read back through the same type."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select
from sqlalchemy.dialects import postgresql, sqlite

from bot.domain import model
from bot.domain.model import from_json_number, json_number
from storage import types
from storage.models import Pledge, PledgeTotal
from storage.types import Quantity, to_hundredths

SQLITE, POSTGRESQL = sqlite.dialect(), postgresql.dialect()
QUANTITIES = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(10**12), places=2)


def test_the_domain_and_the_column_agree_on_two_places() -> None:
    assert model.QUANTITY_PLACES == types.QUANTITY_PLACES == 2
    # Every quantity the domain accepts fits the column, with room for sums.
    assert model.MAX_QUANTITY < 10 ** (types.QUANTITY_PRECISION - types.QUANTITY_PLACES) // 1000


def test_the_column_types() -> None:
    column = Pledge.__table__.c.quantity  # type: ignore[attr-defined]
    assert str(column.type.compile(dialect=POSTGRESQL)) == "NUMERIC(18, 2)"
    assert str(column.type.compile(dialect=SQLITE)) == "BIGINT"


@given(QUANTITIES)
def test_sqlite_stores_whole_hundredths_and_reads_them_back_exactly(value: Decimal) -> None:
    stored = Quantity().process_bind_param(value, SQLITE)
    assert isinstance(stored, int) and stored == value * 100
    assert Quantity().process_result_value(stored, SQLITE) == value


@given(QUANTITIES)
def test_postgresql_stores_the_decimal(value: Decimal) -> None:
    stored = Quantity().process_bind_param(value, POSTGRESQL)
    assert isinstance(stored, Decimal) and stored == value
    assert Quantity().process_result_value(stored, POSTGRESQL) == value


@pytest.mark.parametrize(
    ("value", "hundredths"), [(Decimal("0.25"), 25), (2, 200), (Decimal("1.50"), 150)]
)
def test_hundredths(value: Decimal | int, hundredths: int) -> None:
    assert to_hundredths(value) == hundredths


@pytest.mark.parametrize("value", [Decimal("0.125"), Decimal("0.001"), Decimal("NaN")])
def test_a_third_decimal_place_is_refused_not_rounded(value: Decimal) -> None:
    for dialect in (SQLITE, POSTGRESQL):
        with pytest.raises(ValueError, match="at most 2 decimal places"):
            Quantity().process_bind_param(value, dialect)


def test_a_float_is_refused() -> None:
    with pytest.raises(TypeError, match="not float"):
        Quantity().process_bind_param(0.25, SQLITE)  # type: ignore[arg-type]


def test_sums_keep_the_column_type_so_they_are_read_as_quantities() -> None:
    """func.sum takes its argument's type: on SQLite the sum of hundredths is divided
    back, on PostgreSQL the numeric comes back as it is."""
    for column in (Pledge.quantity, PledgeTotal.quantity):
        assert isinstance(select(func.sum(column)).selected_columns[0].type, Quantity)
    sum_type = func.sum(Pledge.quantity).type
    assert sum_type.result_processor(SQLITE, None) is not None  # type: ignore[union-attr]


@given(QUANTITIES)
def test_json_numbers_read_back_exactly(value: Decimal) -> None:
    """The audit log and the JSON export write quantities as JSON numbers: 2, 0.25."""
    written = json_number(value)
    assert isinstance(written, int) == (value == value.to_integral_value())
    assert from_json_number(json.loads(json.dumps(written))) == value
