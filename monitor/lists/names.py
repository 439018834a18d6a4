"""Name normalisation for matching list names in article text.

Both sides go through :func:`tokens`: NFKD, combining marks dropped, casefolded, split into word
tokens (each Chinese, Japanese or Korean character its own token, as those scripts do not space
words). Aliases also lose their legal-form words (PJSC, OOO, Ltd, "joint stock company"), and an
alias that is too short or made only of common words is not matched at all. An alias whose last word
is Russian and inflects is looked for by its stem and matched with its case endings (Сбербанк,
Сбербанка, Сбербанком), by the rules the entity matcher uses (:func:`monitor.entities.script.case_stem`).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from monitor.entities.script import case_stem

_WORD = re.compile(r"[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]|[^\W_]+")
_CHUNK = re.compile(r"\S+")
_CJK = re.compile(r"^[\u2e80-\u9fff\uac00-\ud7af\uf900-\ufaff]$")

LEGAL_FORMS = frozenset("""
pjsc jsc ojsc cjsc ojsc llc ltd limited ooo pao oao zao ao tov pat fgup gup nao ip
co corp corporation inc incorporated plc gmbh ag sa sarl srl spa bv nv lp llp pte pty kg ab oy as asa
пао оао зао ао ооо нао фгуп гуп ип тов
""".split())
LEGAL_PHRASES: tuple[tuple[str, ...], ...] = tuple(tuple(p.split()) for p in (
    "public joint stock company", "open joint stock company", "closed joint stock company", "joint stock company",
    "limited liability company", "limited liability partnership", "public limited company", "company limited",
    "aktsionernoe obshchestvo", "obshchestvo s ogranichennoy otvetstvennostyu",
    "obshchestvo s ogranichennoi otvetstvennostyu", "публичное акционерное общество", "акционерное общество",
    "общество с ограниченной ответственностью",
))

# Words too common to name a party on their own (an alias made only of these is not matched).
COMMON_WORDS = frozenset("""
a an the of and or for in on at to by with from as is it its this that these those be new old
bank group holding holdings company companies trading trade international global general national united
state federal central capital energy oil gas services service industries industry industrial systems
technology technologies tech investment investments finance financial fund partners partner management
development resources research institute university ministry department office agency committee council
centre center limited enterprise enterprises export import logistics shipping marine maritime transport
air airlines aviation defence defense security solutions engineering construction electronics
precision machinery equipment supply supplies products production manufacturing plant factory works
science scientific academy foundation association union society organization organisation network
north south east west northern southern eastern western first second one two star sun moon gold
golden silver diamond pearl ocean sea sky light power energy green blue red black white alpha beta
omega delta sigma atlas orion aurora phoenix eagle falcon lion tiger dragon victory progress future
unity peace hope liberty freedom express prime royal grand great
mr mrs ms dr president minister director general chairman
""".split())
MIN_CHARS = 4  # an alias shorter than this (letters and digits) is never matched
MIN_SINGLE_CHARS = 5  # nor a one-word alias shorter than this


@lru_cache(maxsize=1)
def _marks() -> re.Pattern[str]:
    """Combining marks (accents) of the Basic Multilingual Plane, as one character class."""
    marks = [cp for cp in range(0x300, 0x10000) if unicodedata.combining(chr(cp))]
    ranges, start = [], marks[0]
    for previous, cp in zip(marks, marks[1:] + [-1], strict=True):
        if cp != previous + 1:
            ranges.append(f"{re.escape(chr(start))}-{re.escape(chr(previous))}")
            start = cp
    return re.compile("[" + "".join(ranges) + "]+")


def fold_text(text: str) -> str:
    """Casefolded, decomposed, accents dropped (``Straße`` -> ``strasse``, ``Société`` -> ``societe``)."""
    if text.isascii():
        return text.lower()
    return _marks().sub("", unicodedata.normalize("NFKD", text.casefold()))


def fold(word: str) -> tuple[str, ...]:
    """A word as matching tokens."""
    return tuple(_WORD.findall(fold_text(word)))


def haystack(text: str) -> str:
    """The text's tokens joined by single spaces, with a space at each end (what aliases are looked for in)."""
    return " " + " ".join(_WORD.findall(fold_text(text))) + " "


def tokens(text: str) -> list[tuple[str, int]]:
    """The same tokens as :func:`haystack`, each with the character offset where it starts in ``text``.

    Folding never turns whitespace into a word character, so the text can be folded one
    whitespace-separated chunk at a time; a chunk whose length folding changed gives its tokens
    the chunk's own offset.
    """
    out: list[tuple[str, int]] = []
    for chunk in _CHUNK.finditer(text):
        folded = fold_text(chunk.group())
        same_length = len(folded) == len(chunk.group())
        out.extend((m.group(), chunk.start() + (m.start() if same_length else 0)) for m in _WORD.finditer(folded))
    return out


def alias_tokens(name: str) -> tuple[str, ...]:
    """A list name as the tokens to look for: legal forms removed."""
    words = [t for t, _ in tokens(name)]
    kept: list[str] = []
    i = 0
    while i < len(words):
        phrase = next((p for p in LEGAL_PHRASES if tuple(words[i:i + len(p)]) == p), None)
        if phrase is not None:
            i += len(phrase)
            continue
        if words[i] not in LEGAL_FORMS:
            kept.append(words[i])
        i += 1
    return tuple(kept)


def matchable(alias: tuple[str, ...], party_type: str = "") -> bool:
    """Specific enough to match in news text without drowning in false positives."""
    if not alias:
        return False
    if all(_CJK.match(t) for t in alias):
        return len(alias) >= 2  # two characters: 华为
    if all(t in COMMON_WORDS or t.isdigit() for t in alias):
        return False
    if len(alias) == 1:
        # one word: never for a person or a vessel (given names, ship names are ordinary words)
        return party_type not in ("individual", "vessel") and len(alias[0]) >= MIN_SINGLE_CHARS
    return sum(len(t) for t in alias) >= MIN_CHARS


def case_forms(name: str, alias: tuple[str, ...]) -> tuple[tuple[str, ...], frozenset[str] | None]:
    """``alias`` (the tokens of ``name``) with its last word cut where Russian case changes it, and the
    folded endings that word takes; (alias, None) when that word does not inflect (it matches as written)."""
    if not alias:
        return alias, None
    words = _WORD.findall(name.lower().replace("ё", "е"))
    word = next((w for w in reversed(words) if fold_text(w) == alias[-1]), None)
    stem, endings = case_stem(word) if word is not None else ("", None)
    if endings is None:
        return alias, None
    return (*alias[:-1], fold_text(stem)), frozenset(fold_text(e) for e in endings)
