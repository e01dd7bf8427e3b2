"""The house rules that import-linter and ruff do not state: no module borrows
another's underscore names, and no module grows past what one reader holds."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("bot", "handlers", "storage")
MAX_LINES = 400


def project_modules() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.parts
    )


def private_imports(path: Path) -> list[str]:
    """`from our.module import _name`: a name its module keeps to itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").split(".")[0] in PACKAGES:
            found += [
                f"{node.module}.{alias.name}"
                for alias in node.names
                if alias.name.startswith("_") and not alias.name.startswith("__")
            ]
    return found


def test_the_scan_sees_every_layer() -> None:
    names = {p.relative_to(ROOT).parts[0:2] for p in project_modules()}
    assert {("bot", "domain"), ("bot", "services"), ("bot", "runtime")} <= names
    assert any(p.name == "router.py" for p in project_modules())


def test_a_private_import_would_be_caught(tmp_path: Path) -> None:
    sample = tmp_path / "sample.py"
    sample.write_text("from bot.services.pledges import _rows\nfrom os import _exit\n")
    assert private_imports(sample) == ["bot.services.pledges._rows"]


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_imports_another_modules_private_names(path: Path) -> None:
    assert private_imports(path) == []


@pytest.mark.parametrize("path", project_modules(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_module_is_longer_than_one_reader_holds(path: Path) -> None:
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{path.relative_to(ROOT)} has {lines} lines; split it by concern"
