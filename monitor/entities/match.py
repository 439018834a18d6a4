"""Find the registry's entities in text: one Aho-Corasick pass over every spelling of every entity.

The text is folded to lower case with every character that is not part of a word turned into a
space (same length, so offsets hold), and padded with a space at each end. Spellings are folded the
same way and stored with a space on each side, so the automaton only reports whole words: "India"
is not found in "Indiana", nor "China" in "Chinatown". CJK spellings have no spaces around them
(those scripts do not separate words). A Cyrillic spelling is stored without its last letters and
matches with a Russian case ending (Сбербанка, Сбербанком; России; Зеленского). English possessives
(Sberbank's) match.

Case: a spelling in capitals (EU, BIS, US) or listed as ``exact`` (Quad) matches only as written;
otherwise the capitalised words of a spelling must be capitalised in the text (China, not china;
Intel, not intel). When spellings overlap, the longest wins, so "New Mexico" (an excluding phrase
of Mexico) hides "Mexico", and "Xi Jinping" counts once.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any, NamedTuple

import ahocorasick

from monitor.entities.registry import Entity, Registry, registry_from_config
from monitor.entities.script import CASE_ENDINGS, CJK, INFLECTS
from monitor.records import Mention

MATCHER_VERSION = "1"  # part of the signature: a change of rules makes stored mentions stale

_SEPARATOR = re.compile(r"[^\w']|_|(?<!\w)'|'(?!\w)")  # one character each: offsets are kept
_CYRILLIC_WORD = re.compile(r"[а-я]+")
_NOUN_ENDINGS = frozenset(("", "ым", *CASE_ENDINGS.split("|")))  # Сбербанк, Сбербанка; Путиным
_ADJECTIVE_ENDINGS = frozenset("ий ый ой ая ое ые ие ого его ому ему им ым ом ем ую юю их ых ими ыми".split())
_IA_ENDINGS = frozenset(("ия", "ии", "ию", "ией", "иею"))  # Россия, России, Россию, Россией
_A_ENDINGS = frozenset("а я ы и е у ю ой ей ою ею".split())  # Москва, Москвы, Москве, Москву, Москвой
_STOP = -1  # an excluding phrase: it hides what it overlaps and names nothing


class _Spelling(NamedTuple):
    key_length: int  # of the automaton key (spaces included)
    lead: int  # 1 when the key starts with a space
    entity: int  # index in the registry, or _STOP
    via: str  # alias | demonym | metonym
    core: str  # the spelling as written, for exact matches
    span: int  # folded length of the spelling (before any ending)
    exact: bool
    capitals: tuple[int, ...]  # offsets of capitalised word starts that the text must repeat
    endings: frozenset[str] | None  # Cyrillic: the endings allowed after the stored stem


def fold(text: str) -> str:
    """Lower case, ё as е, separators as spaces; exactly as long as ``text``."""
    low = text.lower()
    if len(low) != len(text):  # a few letters lower to two characters (İ): keep those as they are
        low = "".join(c.lower() if len(c.lower()) == 1 else c for c in text)
    return _SEPARATOR.sub(" ", low.replace("’", "'").replace("ё", "е"))


def _stem(folded: str) -> tuple[str, frozenset[str] | None]:
    """The part of a Cyrillic spelling that does not change with case, and the endings it takes."""
    word = folded.rpartition(" ")[2]
    if not _CYRILLIC_WORD.fullmatch(word) or len(word) < 4:
        return folded, None
    if INFLECTS.fullmatch(word[-4:]):
        return folded, _NOUN_ENDINGS
    if len(word) >= 5 and word[-2:] in ("ий", "ый", "ой"):
        return folded[:-2], _ADJECTIVE_ENDINGS
    if word.endswith("ия"):
        return folded[:-2], _IA_ENDINGS
    if word[-1] in "ая":
        return folded[:-1], _A_ENDINGS
    return folded, None


def _capitals(core: str) -> tuple[int, ...]:
    return tuple(i for i, c in enumerate(core) if c.isupper() and (i == 0 or not core[i - 1].isalnum()))


def _keys(spelling: str, entity: int, via: str, exact_spellings: frozenset[str]) -> list[tuple[str, _Spelling]]:
    folded = fold(spelling)
    stripped = folded.strip()
    if not stripped:
        return []
    lead = len(folded) - len(folded.lstrip())
    core = spelling[lead:lead + len(stripped)]
    exact = spelling in exact_spellings or (core.isupper() and not CJK.search(core))
    capitals = () if exact else _capitals(core)
    if CJK.search(stripped):
        return [(stripped, _Spelling(len(stripped), 0, entity, via, core, len(stripped), exact, capitals, None))]
    stem, endings = _stem(stripped)
    if endings is not None:
        key = f" {stem}"
        return [(key, _Spelling(len(key), 1, entity, via, core, len(stem), exact, capitals, endings))]
    out = []
    for key in (f" {stripped} ", f" {stripped}'s "):
        out.append((key, _Spelling(len(key), 1, entity, via, core, len(stripped), exact, capitals, None)))
    return out


@dataclass
class _Hit:
    start: int
    end: int
    entity: int
    via: str


class EntityMatcher:
    """The scanner of entity mentions: ``kind``, ``signature`` and ``scan(text)``."""

    kind = "entity"

    def __init__(self, registry: Registry) -> None:
        self.registry = registry
        self.signature = hashlib.sha256(f"{registry.signature}:{MATCHER_VERSION}".encode()).hexdigest()[:16]
        self._automaton = ahocorasick.Automaton()
        table: dict[str, list[_Spelling]] = {}
        for index, entity in enumerate(registry.entities):
            for key, spelling in self._entity_keys(index, entity):
                table.setdefault(key, []).append(spelling)
        for key, spellings in table.items():
            self._automaton.add_word(key, tuple(dict.fromkeys(spellings)))
        if table:
            self._automaton.make_automaton()
        self._empty = not table

    @staticmethod
    def _entity_keys(index: int, entity: Entity) -> list[tuple[str, _Spelling]]:
        exact = frozenset(entity.exact)
        out = [k for spelling, via in entity.spellings() for k in _keys(spelling, index, via, exact)]
        return out + [k for phrase in entity.excluding for k in _keys(phrase, _STOP, "", exact)]

    def scan(self, text: str) -> list[Mention]:
        """The entities ``text`` names, each once, in order of first appearance."""
        if self._empty or not text:
            return []
        hits = _longest(self._hits(text))
        found: dict[int, list[Any]] = {}
        for hit in hits:
            if hit.entity == _STOP:
                continue
            seen = found.setdefault(hit.entity, [0, hit.start, set()])
            seen[0] += 1
            seen[1] = min(seen[1], hit.start)
            seen[2].add(hit.via)
        return sorted((self._mention(i, *v) for i, v in found.items()), key=lambda m: m.first_offset)

    def _hits(self, text: str) -> list[_Hit]:
        padded = f" {fold(text)} "
        hits = []
        for end, spellings in self._automaton.iter(padded):
            for sp in spellings:
                start = end - sp.key_length + sp.lead  # in text offsets (the padding shifts by one)
                stop = start + sp.span
                if sp.endings is not None:
                    after = padded.find(" ", end + 1)
                    suffix = padded[end + 1:after]
                    if suffix not in sp.endings:
                        continue
                    stop += len(suffix)
                if sp.exact and text[start:start + len(sp.core)] != sp.core:
                    continue
                if not all(text[start + i].isupper() for i in sp.capitals):
                    continue
                hits.append(_Hit(start, stop, sp.entity, sp.via))
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


def _longest(hits: list[_Hit]) -> list[_Hit]:
    """Of overlapping hits, the longest (then the first; then a name over an excluding phrase) wins."""
    if len(hits) < 2:
        return hits
    taken = bytearray(max(h.end for h in hits))
    kept = []
    for hit in sorted(hits, key=lambda h: (h.start - h.end, h.start, h.entity == _STOP)):
        if taken.find(1, hit.start, hit.end) == -1:
            taken[hit.start:hit.end] = b"\x01" * (hit.end - hit.start)
            kept.append(hit)
    return kept


def entity_scanner(config: Any) -> EntityMatcher:
    """The matcher of ``config``'s registry (shipped entities, ``entities`` and ``entities_file``)."""
    return EntityMatcher(registry_from_config(config))
