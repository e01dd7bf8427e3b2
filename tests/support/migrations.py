"""A migration's module, to test the frozen rules a data migration carries."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

VERSIONS = Path(__file__).resolve().parents[2] / "storage/migrations/versions"


def load_migration(filename: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"migration_{filename[:4]}", VERSIONS / filename)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module
