"""Watchlist matching: case-insensitive, on word boundaries, for Latin, Cyrillic and CJK alike.

CJK scripts do not separate words with spaces, so terms written in them match
as substrings; every other term must not touch a letter or digit on either side.
Russian nouns change their ending with case (Сбербанк, Сбербанка, Сбербанком), so
a Cyrillic term of four letters or more that ends in a consonant also matches with
a noun case ending. Terms whose own ending changes (Россия, России) need aliases.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
_INFLECTS = re.compile(r"[а-яё]{3}[бвгджзклмнпрстфхцчшщ]", re.IGNORECASE)  # ends in a Cyrillic consonant
_CASE_ENDINGS = "ами|ями|ого|ему|ом|ем|ов|ев|ам|ям|ах|ях|ой|ей|ою|а|я|у|ю|е|ы|и"


@dataclass(frozen=True)
class WatchMatcher:
    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]

    def matches(self, text: str) -> set[str]:
        """The watch names any of whose spellings occur in ``text``."""
        return {name for name, pattern in zip(self.names, self.patterns, strict=True) if pattern.search(text)}


def _spelling(term: str) -> str:
    escaped = re.escape(term.strip())
    if _CJK.search(term):
        return escaped
    if _INFLECTS.fullmatch(term.strip()[-4:]):
        return rf"(?<![\w]){escaped}(?:{_CASE_ENDINGS})?(?![\w])"
    return rf"(?<![\w]){escaped}(?![\w])"


def compile_watchlist(terms: Iterable[tuple[str, Iterable[str]]]) -> WatchMatcher:
    """``terms``: (name, aliases) pairs, as in ``config.watchlist``."""
    names, patterns = [], []
    for name, aliases in terms:
        spellings = sorted({s for s in (name, *aliases) if s.strip()}, key=len, reverse=True)
        names.append(name)
        patterns.append(re.compile("|".join(_spelling(s) for s in spellings), re.IGNORECASE))
    return WatchMatcher(tuple(names), tuple(patterns))
