"""Find listed parties in article text: every matchable alias in one Aho-Corasick automaton.

An alias ending in a Russian word that inflects is stored as its stem, without the closing space, and
a hit counts only when the rest of the text's word is one of that word's case endings.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

import ahocorasick

from monitor.lists.names import alias_tokens, case_forms, haystack, matchable, tokens
from monitor.lists.parties import ListedParty
from monitor.records import Mention

VERSION = "2"  # bump when normalisation or the alias rules change: stored mentions are scanned again


class ListedScanner:
    """``scan(text)`` gives one Mention (kind ``listed``) per listed party the text names.

    Aliases and text are normalised the same way (:mod:`monitor.lists.names`) and matched at word
    boundaries, Russian names in their case forms too; key ``<list>:<id>``, label the party's primary name,
    detail its list, programmes
    and listing date.
    """

    kind = "listed"

    def __init__(self, parties: Sequence[ListedParty] | Callable[[], Sequence[ListedParty]],
                 signature_parts: Iterable[str] = ()) -> None:
        """``parties``, or a function reading them: called on the first scan, so a pass with nothing to
        read never parses the lists (``signature_parts`` say what they hold)."""
        self._load = parties if callable(parties) else (lambda: parties)
        digest = hashlib.sha256("\x1e".join((VERSION, *signature_parts)).encode("utf-8"))
        self.signature = f"listed:{digest.hexdigest()[:16]}"

    @cached_property
    def parties(self) -> tuple[ListedParty, ...]:
        return tuple(self._load())

    @cached_property
    def _automaton(self) -> Any:
        """Every matchable alias (normalised, space-delimited; an inflecting one as its stem, open at the end)
        -> (its length, the (party, endings or None) it names); None without any."""
        patterns: dict[str, list[tuple[int, frozenset[str] | None]]] = {}
        for index, party in enumerate(self.parties):
            for name in dict.fromkeys((party.name, *party.aliases)):
                alias = alias_tokens(name)
                if not matchable(alias, party.type):
                    continue
                stem, endings = case_forms(name, alias)
                named = patterns.setdefault(" " + " ".join(stem) + (" " if endings is None else ""), [])
                if all(i != index for i, _ in named):
                    named.append((index, endings))
        if not patterns:
            return None
        automaton = ahocorasick.Automaton()
        for pattern, named in patterns.items():
            automaton.add_word(pattern, (len(pattern), tuple(named)))
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> list[Mention]:
        if not text or self._automaton is None:
            return []
        joined = haystack(text)
        hits: dict[int, set[int]] = {}  # party index -> haystack positions where a name of it starts
        for end, (length, named) in self._automaton.iter(joined):
            for index, endings in named:
                if endings is None or joined[end + 1:joined.index(" ", end + 1)] in endings:
                    hits.setdefault(index, set()).add(end - length + 1)
        if not hits:
            return []
        offsets = [offset for _token, offset in tokens(text)]
        mentions = [self._mention(self.parties[i], len(at), offsets[joined.count(" ", 0, min(at))])
                    for i, at in hits.items()]
        return sorted(mentions, key=lambda m: (m.first_offset, m.key))

    def _mention(self, party: ListedParty, count: int, offset: int) -> Mention:
        detail = (("list", party.list), ("programme", "; ".join(party.programmes)),
                  ("listed_on", party.listed_on.isoformat() if party.listed_on else ""))
        return Mention(self.kind, party.key, party.name, count, offset, detail)
