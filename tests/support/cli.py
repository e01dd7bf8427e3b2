"""Run the `muster` command line in this process, as an operator would run it."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from bot.runtime.cli import main
from tests.support.http import SETTING_NAMES


@dataclass(frozen=True)
class Ran:
    code: int
    out: str
    err: str

    @property
    def err_lines(self) -> list[str]:
        return self.err.splitlines()


class CommandLine:
    """`muster …` against one database. An unexpected exception escapes ``main`` (the
    real process would print a traceback), so it fails the test where it happens."""

    def __init__(
        self, database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
    ) -> None:
        for name in SETTING_NAMES:  # the developer's own settings must not leak in
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DATABASE_URL", database_url)
        self.capsys = capsys

    def __call__(self, *argv: str) -> Ran:
        self.capsys.readouterr()
        code = main(list(argv))
        out, err = self.capsys.readouterr()
        return Ran(code, out, err)
