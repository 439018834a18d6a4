"""Counted nouns as every output writes them (pure, and light enough for the command line)."""

from __future__ import annotations


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 outlet``, ``2 outlets``, ``1,234 articles``; ``many`` where adding an s is wrong."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"
