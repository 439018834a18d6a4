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
from typing import Any

from monitor.entities.script import CASE_ENDINGS as _CASE_ENDINGS
from monitor.entities.script import CJK as _CJK
from monitor.entities.script import INFLECTS as _INFLECTS


@dataclass(frozen=True)
class WatchMatcher:
    names: tuple[str, ...]
    patterns: tuple[re.Pattern[str], ...]
    needles: tuple[tuple[str, ...], ...] = ()  # casefolded spellings per name: a cheap test before the pattern

    def candidates(self, text: str) -> list[int]:
        """Indexes of the names one of whose casefolded spellings occurs in ``text`` at all (word or not)."""
        folded = text.casefold()
        return [i for i, needles in enumerate(self.needles) if any(n in folded for n in needles)]

    def among(self, found: set[str]) -> list[int]:
        """Indexes of the names with a spelling in ``found`` (case-folded spellings a caller found in a text)."""
        return [i for i, needles in enumerate(self.needles) if not found.isdisjoint(needles)]

    def matches(self, text: str, candidates: Iterable[int] | None = None) -> set[str]:
        """The watch names any of whose spellings occur in ``text`` (as words, see above); only the
        ``candidates`` (indexes, default: ``self.candidates(text)``) run their pattern."""
        chosen = self.candidates(text) if candidates is None else candidates
        return {self.names[i] for i in chosen if self.patterns[i].search(text)}


def _spelling(term: str) -> str:
    escaped = re.escape(term.strip())
    if _CJK.search(term):
        return escaped
    if _INFLECTS.fullmatch(term.strip()[-4:]):
        return rf"(?<![\w]){escaped}(?:{_CASE_ENDINGS})?(?![\w])"
    return rf"(?<![\w]){escaped}(?![\w])"


def compile_watchlist(terms: Iterable[tuple[str, Iterable[str]]]) -> WatchMatcher:
    """``terms``: (name, aliases) pairs, as in ``config.watchlist``."""
    names, patterns, needles = [], [], []
    for name, aliases in terms:
        spellings = sorted({s for s in (name, *aliases) if s.strip()}, key=len, reverse=True)
        # each as written and case-folded: a text read case-folded spells "Straße" "strasse", which the
        # written form does not match even ignoring case
        written = sorted({w for s in spellings for w in (s, s.casefold())}, key=len, reverse=True)
        names.append(name)
        patterns.append(re.compile("|".join(_spelling(s) for s in written), re.IGNORECASE))
        needles.append(tuple(s.strip().casefold() for s in spellings))
    return WatchMatcher(tuple(names), tuple(patterns), tuple(needles))


def watchlist_matcher(watchlist: Iterable[Any]) -> WatchMatcher:
    """The matcher of ``config.watchlist`` (entries with ``name`` and ``aliases``), for counts and outputs alike."""
    return compile_watchlist((term.name, term.aliases) for term in watchlist)
