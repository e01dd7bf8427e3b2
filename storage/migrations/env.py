"""Alembic environment: the URL comes from the config Muster builds, or DATABASE_URL."""

from __future__ import annotations

import os

from alembic import context
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables on the metadata)
from storage import versions
from storage.db import make_engine

config = context.config
target_metadata = SQLModel.metadata


def _url() -> str:
    url = config.get_main_option("sqlalchemy.url")
    return url or os.environ.get("DATABASE_URL", "sqlite:///muster.db")


def run_migrations_offline() -> None:
    context.configure(url=_url(), target_metadata=target_metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    # Its commits are not counted as they go (the table that counts them may not
    # exist yet); a migration counts up once at its end, if the table is there.
    engine = make_engine(_url(), count_versions=False)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            # SQLite runs DDL in transactions too: a multi-step upgrade or downgrade that
            # one step refuses (0010's guard) then changes nothing, as on PostgreSQL.
            transactional_ddl=True,
        )
        with context.begin_transaction():
            context.run_migrations()
            versions.count_up_if_counting(connection)
    engine.dispose()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
