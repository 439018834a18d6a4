"""Script rules shared by every name matcher (watchlist, entities, listed parties): CJK runs and Russian
case endings.

CJK scripts do not separate words with spaces, so their names match as substrings. Russian nouns
change their ending with case (Сбербанк, Сбербанка, Сбербанком): a Cyrillic word of four letters or
more that ends in a consonant also matches with one of ``CASE_ENDINGS``; :func:`case_stem` also
knows adjectives (Новый, Нового) and nouns in -ия and -а/-я (Россия, России; Москва, Москвой).
"""

from __future__ import annotations

import re

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
INFLECTS = re.compile(r"[а-яё]{3}[бвгджзклмнпрстфхцчшщ]", re.IGNORECASE)  # ends in a Cyrillic consonant
CASE_ENDINGS = "ами|ями|ого|ему|ом|ем|ов|ев|ам|ям|ах|ях|ой|ей|ою|а|я|у|ю|е|ы|и"

_CYRILLIC_WORD = re.compile(r"[а-я]+")
NOUN_ENDINGS = frozenset(("", "ым", *CASE_ENDINGS.split("|")))  # Сбербанк, Сбербанка; Путиным
ADJECTIVE_ENDINGS = frozenset("ий ый ой ая ое ые ие ого его ому ему им ым ом ем ую юю их ых ими ыми".split())
IA_ENDINGS = frozenset(("ия", "ии", "ию", "ией", "иею"))  # Россия, России, Россию, Россией
A_ENDINGS = frozenset("а я ы и е у ю ой ей ою ею".split())  # Москва, Москвы, Москве, Москву, Москвой


def case_stem(spelling: str) -> tuple[str, frozenset[str] | None]:
    """The part of a lower-case spelling (ё written е) that Russian case does not change, and the endings
    its last word takes; (spelling, None) when that word is not a Cyrillic word that inflects."""
    word = spelling.rpartition(" ")[2]
    if not _CYRILLIC_WORD.fullmatch(word) or len(word) < 4:
        return spelling, None
    if INFLECTS.fullmatch(word[-4:]):
        return spelling, NOUN_ENDINGS
    if len(word) >= 5 and word[-2:] in ("ий", "ый", "ой"):
        return spelling[:-2], ADJECTIVE_ENDINGS
    if word.endswith("ия"):
        return spelling[:-2], IA_ENDINGS
    if word[-1] in "ая":
        return spelling[:-1], A_ENDINGS
    return spelling, None
