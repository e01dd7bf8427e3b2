"""`make migrations-check`: upgrade empty databases and compare them with the models."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from tests.support.databases import (
    check_migrations_match_models,
    postgres_admin_url,
    postgres_database,
    postgres_required,
)


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        check_migrations_match_models(f"sqlite:///{Path(folder) / 'check.db'}")
        print("migrations match the models on SQLite")
    if postgres_admin_url():
        with postgres_database("muster_migrations") as url:
            check_migrations_match_models(url)
        print("migrations match the models on PostgreSQL")
    elif postgres_required():
        print("TEST_POSTGRES_URL is required but not set", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
