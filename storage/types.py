"""Column types shared by the tables."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import BigInteger, DateTime, Numeric
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator, TypeEngine


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC in Python.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are
    stored as naive UTC and given their zone back on the way out.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: store timezone-aware UTC timestamps")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# Quantities have at most two decimal places (a company is 0.25 of a battlegroup).
QUANTITY_PLACES = 2
_HUNDREDTH = Decimal(1).scaleb(-QUANTITY_PLACES)
# Sixteen digits before the point: every quantity Muster ever accepted (up to 10**15)
# and the running totals' sums of them, with room to spare.
QUANTITY_PRECISION = 18


class Quantity(TypeDecorator[Decimal]):
    """An exact quantity with at most two decimal places: ``Decimal`` in Python, never
    a float.

    PostgreSQL stores ``NUMERIC(18, 2)``. SQLite has no exact decimal type (its
    NUMERIC is a float), so it stores whole hundredths in an integer column: 0.25 is
    25. A sum in SQL (``func.sum`` takes its argument's type) is then a sum of
    integers, exact, and comes back through ``process_result_value`` like a column.
    A value with more places is refused, never rounded."""

    impl = Numeric(QUANTITY_PRECISION, QUANTITY_PLACES, asdecimal=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(BigInteger())
        return dialect.type_descriptor(self.impl_instance)

    def process_bind_param(self, value: Decimal | int | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        exact = to_hundredths(value)
        return exact if dialect.name == "sqlite" else Decimal(exact).scaleb(-QUANTITY_PLACES)

    def process_result_value(self, value: Any, dialect: Dialect) -> Decimal | None:
        if value is None:
            return None
        if dialect.name == "sqlite":
            if isinstance(value, float):  # only if a float was stored: refused, not rounded
                raise ValueError(f"quantity read as a float ({value!r}) on SQLite")
            return Decimal(int(value)).scaleb(-QUANTITY_PLACES)
        return Decimal(value).quantize(_HUNDREDTH)

    @property
    def python_type(self) -> type[Decimal]:
        return Decimal


def to_hundredths(value: Decimal | int) -> int:
    """``value`` in whole hundredths (0.25 is 25); a value with more than two decimal
    places, or a float, or no number at all is refused rather than rounded."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise TypeError(f"a quantity is a Decimal or an int, not {type(value).__name__}")
    scaled = Decimal(value).scaleb(QUANTITY_PLACES)
    if not scaled.is_finite() or scaled != scaled.to_integral_value():
        raise ValueError(f"a quantity has at most {QUANTITY_PLACES} decimal places, not {value}")
    return int(scaled)
