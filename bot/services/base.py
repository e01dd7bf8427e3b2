"""What every aggregate's service holds: the unit of work of its request."""

from __future__ import annotations

from datetime import datetime

from bot.services.unit_of_work import UnitOfWork


class Service:
    def __init__(self, uow: UnitOfWork) -> None:
        self.uow = uow

    def now(self) -> datetime:
        return self.uow.clock()
