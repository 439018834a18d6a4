"""Find the registry's entities in text: Aho-Corasick passes over every spelling of every entity.

Spellings are matched in the lower-cased text (one automaton) or, when they must match as written,
in the text itself (another): a spelling in capitals (EU, BIS, US) or listed as ``exact`` (Quad). A
hit counts only at word boundaries ("India" is not found in "Indiana", nor "China" in "Chinatown");
an English possessive (Sberbank's) is fine. CJK spellings match anywhere (those scripts do not separate
words). A Cyrillic spelling is stored without its changing ending and matches with a Russian case
ending (Сбербанка, Сбербанком; России; Зеленского). The capitalised words of a spelling must be
capitalised in the text (China, not china; Intel, not intel). When hits overlap, the longest wins, so
"New Mexico" (an excluding phrase of Mexico) hides "Mexico", and "Xi Jinping" counts once.
"""

from __future__ import annotations

import hashlib
import re
from functools import cached_property
from typing import Any

import ahocorasick

from monitor.entities.registry import Entity, Registry, registry_from_config
from monitor.entities.script import CJK, case_stem
from monitor.records import Mention

MATCHER_VERSION = "1"  # part of the signature: a change of rules makes stored mentions stale

_WORD_TAIL = re.compile(r"\w*")
_STOP = -1  # an excluding phrase: it hides what it overlaps and names nothing
_APOSTROPHES = "'’"

# A spelling in an automaton: (length, entity index or _STOP, via, CJK, endings or None, capitals)
Spelling = tuple[int, int, str, bool, "frozenset[str] | None", tuple[int, ...]]


def lower(text: str) -> str:
    """Lower case with ё as е and ’ as ', exactly as long as ``text`` (offsets hold)."""
    low = text.lower()
    if len(low) != len(text):  # a few letters lower to two characters (İ): keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return low.replace("ё", "е").replace("’", "'")


def _capitals(core: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(core) if c.isupper() and (i == 0 or not core[i - 1].isalnum()))


def _key(spelling: str, entity: int, via: str, exact_spellings: frozenset[str]) -> tuple[bool, str, Spelling] | None:
    """(exact, automaton key, spelling) for one spelling of an entity."""
    core = spelling.strip().replace("’", "'")
    if not core:
        return None
    cjk = bool(CJK.search(core))
    if spelling in exact_spellings or (core.isupper() and not cjk):
        return True, core, (len(core), entity, via, cjk, None, ())
    stem, endings = case_stem(lower(core))
    return False, stem, (len(stem), entity, via, cjk, endings, () if cjk else _capitals(core))


def _word_char(text: str, i: int) -> bool:
    return 0 <= i < len(text) and text[i].isalnum()


def _bounded(text: str, start: int, stop: int) -> bool:
    """Nothing of a word touches ``text[start:stop]``; an 's after it is a possessive."""
    if _word_char(text, start - 1):
        return False
    if _word_char(text, stop):
        return False
    if stop < len(text) and text[stop] in _APOSTROPHES and _word_char(text, stop + 1):
        return text[stop + 1] in "sS" and not _word_char(text, stop + 2)
    return True


class EntityMatcher:
    """The scanner of entity mentions: ``kind``, ``signature`` and ``scan(text)``."""

    kind = "entity"

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.signature = hashlib.sha256(f"{registry.signature}:{MATCHER_VERSION}".encode()).hexdigest()[:16]

    @cached_property
    def _automata(self) -> tuple[Any, Any]:
        """(folded, exact) automata, built on the first scan: a pass with nothing to read never pays for them."""
        tables: tuple[dict[str, list[Spelling]], dict[str, list[Spelling]]] = ({}, {})
        for index, entity in enumerate(self.registry.entities):
            for exact, key, spelling in self._entity_keys(index, entity):
                tables[exact].setdefault(key, []).append(spelling)
        return _automaton(tables[0]), _automaton(tables[1])

    @staticmethod
    def _entity_keys(index: int, entity: Entity) -> list[tuple[bool, str, Spelling]]:
        exact = frozenset(entity.exact)
        keys = [_key(spelling, index, via, exact) for spelling, via in entity.spellings()]
        keys += [_key(phrase, _STOP, "", exact) for phrase in entity.excluding]
        return [k for k in keys if k is not None]

    def scan(self, text: str) -> list[Mention]:
        """The entities ``text`` names, each once, in order of first appearance."""
        if not text:
            return []
        folded, exact = self._automata
        hits = self._hits(folded, lower(text), text) + self._hits(exact, text, text)
        found: dict[int, list[Any]] = {}
        for start, _stop, entity, via in _longest(hits):
            if entity == _STOP:
                continue
            seen = found.get(entity)
            if seen is None:
                found[entity] = [1, start, {via}]
            else:
                seen[0] += 1
                seen[1] = min(seen[1], start)
                seen[2].add(via)
        return sorted((self._mention(i, *v) for i, v in found.items()), key=lambda m: m.first_offset)

    @staticmethod
    def _hits(automaton: Any, searched: str, text: str) -> list[tuple[int, int, int, str]]:
        """(start, stop, entity, via) of every spelling found whole in ``searched`` (``text`` lower-cased, or itself)."""
        if automaton is None:
            return []
        hits = []
        for end, spellings in automaton.iter(searched):
            for length, entity, via, cjk, endings, capitals in spellings:
                start, stop = end - length + 1, end + 1
                if endings is not None:
                    tail = _WORD_TAIL.match(searched, stop).end()
                    if searched[stop:tail] not in endings:
                        continue
                    stop = tail
                if not cjk and not _bounded(searched, start, stop):
                    continue
                if capitals and not all(text[start + i].isupper() for i in capitals):
                    continue
                hits.append((start, stop, entity, via))
        return hits

    def _mention(self, index: int, count: int, first: int, vias: set[str]) -> Mention:
        entity = self.registry.entities[index]
        detail = [("type", entity.type)]
        if "alias" not in vias:
            detail.append(("via", ",".join(sorted(vias))))
        if entity.parent:
            detail.append(("parent", entity.parent))
        return Mention(kind=self.kind, key=entity.key, label=entity.name, count=count, first_offset=first,
                       detail=tuple(detail))


def _automaton(table: dict[str, list[Spelling]]) -> Any:
    if not table:
        return None
    automaton = ahocorasick.Automaton()
    for key, spellings in table.items():
        automaton.add_word(key, tuple(dict.fromkeys(spellings)))
    automaton.make_automaton()
    return automaton


def _longest(hits: list[tuple[int, int, int, str]]) -> list[tuple[int, int, int, str]]:
    """Of overlapping hits, the longest (then the first; then a name over an excluding phrase) wins."""
    if len(hits) < 2:
        return hits
    hits.sort()
    if all(hits[i][1] <= hits[i + 1][0] for i in range(len(hits) - 1)):
        return hits  # nothing overlaps (the common case)
    taken = bytearray(max(h[1] for h in hits))
    kept = []
    for hit in sorted(hits, key=lambda h: (h[0] - h[1], h[0], h[2] == _STOP)):
        start, stop = hit[0], hit[1]
        if taken.find(1, start, stop) == -1:
            taken[start:stop] = b"\x01" * (stop - start)
            kept.append(hit)
    return kept


def entity_scanner(config: Any) -> EntityMatcher:
    """The matcher of ``config``'s registry (shipped entities, ``entities`` and ``entities_file``)."""
    return EntityMatcher(registry_from_config(config))
