"""Words every stage shares: the English stop words the analysis and extraction leave out, and counted
nouns as every output writes them (pure, and light enough for the command line)."""

from __future__ import annotations

import re
from datetime import date, datetime


def plural(count: int, word: str, many: str | None = None) -> str:
    """``1 outlet``, ``2 outlets``, ``1,234 articles``; ``many`` where adding an s is wrong."""
    return f"{count:,} {word if count == 1 else (many or word + 's')}"


# Function words (and a few newsroom verbs) that say nothing about what an article is about.
STOP_WORDS = frozenset([
    "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "as",
    "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by", "can", "could",
    "did", "do", "does", "doing", "down", "during", "each", "few", "for", "from", "further", "had", "has",
    "have", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
    "into", "is", "it", "its", "itself", "just", "me", "more", "most", "my", "myself", "no", "nor", "not",
    "now", "of", "off", "on", "once", "only", "or", "other", "our", "ours", "ourselves", "out", "over", "own",
    "same", "she", "should", "so", "some", "such", "than", "that", "the", "their", "theirs", "them",
    "themselves", "then", "there", "these", "they", "this", "those", "through", "to", "too", "under", "until",
    "up", "very", "was", "we", "were", "what", "when", "where", "which", "while", "who", "whom", "why", "will",
    "with", "would", "you", "your", "yours", "yourself", "yourselves", "said", "says", "say", "new", "also",
    "one", "two",
])


# British and American spellings of one word ending, both ways (centre / center, licence / license)
_SPELLINGS = (("tre", "ter"), ("isation", "ization"), ("ise", "ize"), ("yse", "yze"), ("cence", "cense"),
              ("fence", "fense"), ("our", "or"))
_SIBILANT = ("s", "x", "z", "ch", "sh")


def day_name(value: date | datetime) -> str:
    """A day as every output writes it: ``Wed 2 Dec 2026``."""
    return f"{value:%a} {value.day} {value:%b %Y}"


def bloc_name(bloc: str) -> str:
    """A bloc as a reader sees it. A name the configuration wrote in lower case is capitalised; written as
    a key, without spaces, its hyphens are spaces (``global-south``: Global South, ``russia``: Russia; but
    ``non-aligned states``: Non-Aligned States). One with a capital is kept as written (EU, BRICS+)."""
    if bloc != bloc.lower():
        return bloc
    if " " not in bloc.strip():
        return " ".join(w[:1].upper() + w[1:] for w in re.split(r"[-_]+", bloc.strip()) if w)
    return " ".join("-".join(p[:1].upper() + p[1:] for p in w.split("-")) for w in bloc.split())


def keyword_forms(term: str) -> set[str]:
    """Other forms an analyst's English keyword takes in news: its last word's singular or plural ("chip",
    "chips"; "sanctions", "sanction"; "policy", "policies"), the other side's spelling ("data centre",
    "data centers") and, for a keyword of one word written in lower case, its forms as a verb
    ("sanctioned", "banning", "smuggled", "licensed"; a phrase's would be searched for as a phrase, at a
    cost, and rarely occur), lower-cased. Only terms of plain Latin letters: names in other scripts have their own
    rules, and an acronym in capitals keeps a final s ("BRICS" is not the plural of "BRIC"). Forms that are
    no word ("computre") are harmless: they never occur."""
    letters, lowered = term.replace(" ", "").replace("-", ""), term.lower()
    if not (letters.isascii() and letters.isalpha()):
        return set()
    spelt = {lowered, _respelt(lowered, 0, 1), _respelt(lowered, 1, 0)}
    last = term.split()[-1]
    forms = {form for phrase in spelt for form in (phrase, *_number(phrase, last.isupper()))}
    if last == term and last.islower():  # one word, not a name or an acronym: "sanctions" finds "sanctioned"
        forms |= {form for phrase in spelt for form in _verb(phrase)}
    return forms - {lowered}


def _respelt(phrase: str, old: int, new: int) -> str:
    words = []
    for word in phrase.split(" "):
        for pair in _SPELLINGS:
            if len(word) >= 5 and word.endswith(pair[old]):
                word = word[: -len(pair[old])] + pair[new]
                break
        words.append(word)
    return " ".join(words)


def _number(phrase: str, acronym: bool) -> list[str]:
    """The phrase with its last word in the other number (plural or singular)."""
    head, _, last = phrase.rpartition(" ")
    lead = f"{head} " if head else ""
    if acronym:
        return [] if last.endswith("s") else [f"{lead}{last}s"]
    if len(last) < 3:
        return []
    forms = []
    if last.endswith("ies") and len(last) > 4:
        forms.append(last[:-3] + "y")
    elif last.endswith(tuple(f"{s}es" for s in _SIBILANT)):  # taxes, releases: which, the word cannot say
        forms += [last[:-2], last[:-1]]
    elif _plain_plural(last):
        forms.append(last[:-1])
    if not forms:
        if last.endswith("is"):  # analysis, crisis
            forms.append(last[:-2] + "es")
        elif last.endswith("y") and last[-2:-1] not in "aeiou":
            forms.append(last[:-1] + "ies")
        elif last.endswith(_SIBILANT):
            forms.append(last + "es")
        else:
            forms.append(last + "s")
    return [lead + f for f in forms]


def _verb(word: str) -> list[str]:
    """The word as a verb in the past and the present participle ("sanctions": "sanctioned",
    "sanctioning"; "ban": "banned"; "licence": "licenced"; "smuggling": "smuggled", "smuggle"). A noun that
    is no verb gives forms that are no words, and they never occur."""
    last = word[:-1] if _plain_plural(word) else word
    if len(last) < 3 or not last.isalpha():
        return []
    if last.endswith("ing") and len(last) > 5:
        stem = last[:-3]
        forms = [stem + "ed", stem + "e", stem + "es"]
    elif last.endswith("e"):
        forms = [last + "d", last[:-1] + "ing"]
    elif last.endswith("y") and last[-2] not in _VOWELS:
        forms = [last[:-1] + "ied", last + "ing"]
    else:
        stem = last + last[-1] if _doubles(last) else last
        forms = [stem + "ed", stem + "ing"]
    return forms


_VOWELS = "aeiou"


def _plain_plural(word: str) -> bool:
    """Whether ``word`` reads as a plural made by a final s ("chips", "sanctions"; not "process", "status",
    "analysis")."""
    return word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3


def _doubles(word: str) -> bool:
    """Whether a verb doubles its last consonant before -ed and -ing: one syllable ending in one vowel and
    one consonant ("ban", "chip"), or a final -ol ("control", "patrol")."""
    if word[-1] in _VOWELS + "wxy" or word[-2] not in _VOWELS or word[-3] in _VOWELS:
        return False
    return word.endswith("ol") or len(re.findall(f"[{_VOWELS}]+", word)) == 1
