"""`/healthz` of the WSGI app, in process: 503 when the database does not answer or its
schema is behind."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from sqlalchemy import text

from bot.domain.clock import FixedClock
from bot.runtime.app import create_app
from bot.runtime.settings import Settings
from bot.runtime.web import MusterWSGI
from bot.services.muster import Muster
from storage.db import head_revision, make_engine
from tests.conftest import SIGNING_SECRET
from tests.support.clock import START


def call_wsgi(wsgi: MusterWSGI, path: str) -> tuple[str, dict[str, Any]]:
    seen: dict[str, str] = {}

    def start_response(status: str, _headers: list[tuple[str, str]]) -> None:
        seen["status"] = status

    body = b"".join(wsgi({"PATH_INFO": path, "REQUEST_METHOD": "GET"}, start_response))
    return seen["status"], json.loads(body)


def test_health_is_503_when_the_database_does_not_answer(
    settings: Settings, tmp_path: Path
) -> None:
    broken = Muster(
        make_engine(f"sqlite:///{tmp_path / 'missing-dir' / 'x.db'}"), clock=FixedClock(START)
    )
    wsgi = MusterWSGI(create_app(settings, muster=broken), broken, signing_secret=SIGNING_SECRET)
    assert call_wsgi(wsgi, "/healthz") == (
        "503 Service Unavailable",
        {"status": "unavailable", "database": "down"},
    )


def test_health_is_503_when_the_schema_is_old(settings: Settings, muster: Muster) -> None:
    wsgi = MusterWSGI(create_app(settings, muster=muster), muster, signing_secret=SIGNING_SECRET)
    assert call_wsgi(wsgi, "/healthz")[0] == "200 OK"
    with muster.engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = '0001'"))
    try:
        assert call_wsgi(wsgi, "/healthz")[0] == "503 Service Unavailable"
    finally:
        with muster.engine.begin() as conn:
            conn.execute(
                text("UPDATE alembic_version SET version_num = :head"), {"head": head_revision()}
            )
