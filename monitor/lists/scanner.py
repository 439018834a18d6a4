"""Find listed parties in article text: every matchable alias in one Aho-Corasick automaton."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from functools import cached_property
from typing import Any

import ahocorasick

from monitor.lists.names import alias_tokens, haystack, matchable, tokens
from monitor.lists.parties import ListedParty
from monitor.records import Mention

VERSION = "1"  # bump when normalisation or the alias rules change: stored mentions are scanned again


class ListedScanner:
    """``scan(text)`` gives one Mention (kind ``listed``) per listed party the text names.

    Aliases and text are normalised the same way (:mod:`monitor.lists.names`) and matched at word
    boundaries; key ``<list>:<id>``, label the party's primary name, detail its list, programmes
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
        """Every matchable alias (normalised, space-delimited) -> the parties it names; None without any."""
        patterns: dict[str, list[int]] = {}
        for index, party in enumerate(self.parties):
            for name in dict.fromkeys((party.name, *party.aliases)):
                alias = alias_tokens(name)
                if matchable(alias, party.type):
                    indices = patterns.setdefault(" " + " ".join(alias) + " ", [])
                    if index not in indices:
                        indices.append(index)
        if not patterns:
            return None
        automaton = ahocorasick.Automaton()
        for pattern, indices in patterns.items():
            automaton.add_word(pattern, (len(pattern), tuple(indices)))
        automaton.make_automaton()
        return automaton

    def scan(self, text: str) -> list[Mention]:
        if not text or self._automaton is None:
            return []
        joined = haystack(text)
        hits: dict[int, set[int]] = {}  # party index -> haystack positions where a name of it starts
        for end, (length, indices) in self._automaton.iter(joined):
            for index in indices:
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
