"""Routes: which words select a subcommand, how its text is parsed, how it runs."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.services.muster import Muster
from handlers.blocks import Reply
from handlers.grammar import Args
from handlers.usage import Usage


@dataclass(frozen=True)
class Route:
    words: tuple[str, ...]
    usage: Usage
    parse: Callable[[Args], Any]
    run: Callable[[Muster, str, Any], Reply]
    changes: bool = False  # refresh the caller's App Home afterwards
    free_text: bool = False  # the rest is prose: an unmatched quote is just a character
