"""What a discovered topic is called and which headlines stand for it.

A label an analyst can scan leads with a phrase of the topic's own headlines when
many of them share one (``Street food market opens``), then the names that set the
topic apart (people, organisations, places: c-TF-IDF over the names in the articles'
bodies, each name counted once per article and kept only if a fair share of the
topic's articles carry it), then the topic's leading keywords: ``Sberbank · DeepSeek
· open-source models`` rather than ``novosibirsk / visitors / hangzhou``. Its
headlines are the titles of its most central articles. A keyword that the articles
write as a name keeps their spelling (``Hangzhou``, not ``hangzhou``); it goes before
plain words when a fair share of the topic's articles name it, and after them when few
do (after a headline phrase, not at all). A mixed topic with neither (weather and
culture reports from many cities, no name and no phrase shared) is named by its
kinds of report: ``Film festival · Snow disrupts traffic · Heavy rain expected``, the
phrases that cover most of its titles. Failing those too, the label draws on the
topic's further c-TF-IDF words, never on cities that two of its reports each name.
Pure: records in, records out.
"""

from __future__ import annotations

import math
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from statistics import median

from monitor.extract.headline import flaws
from monitor.extract.prose import prose
from monitor.topics.features import surface_names
from monitor.words import STOP_WORDS

LABEL_PARTS = 3
KEYWORDS = 10  # a topic's keywords proper (MMR's picks); words after them serve a label without a headline phrase
NAME_PARTS = 2
MIN_SHARE = 0.2  # a name in fewer of the topic's articles does not speak for it
HEADLINES = 3
PHRASE_SHARE = 0.4  # a headline phrase leads the label when at least this share of the topic's titles carry it
PHRASE_WORDS = (2, 4)  # shortest and longest phrase, in words
_TITLE_WORD = re.compile(r"[^\W_][\w'’\-]*", re.UNICODE)
# prepositions the stop words leave out: a phrase neither opens nor closes on one ("Snow disrupts traffic",
# not "... traffic around")
_DANGLING = frozenset("""around near amid across onto towards toward without within behind beneath beside beyond
inside outside since throughout upon via among amongst despite except per unlike versus vs""".split())
BODY_CHARS = 6000  # body read per article for names
_NOT_NAMES = frozenset("""monday tuesday wednesday thursday friday saturday sunday january february march april
may june july august september october november december today mr mrs ms dr""".split())


@dataclass(frozen=True)
class Description:
    label: str
    headlines: tuple[str, ...]
    keywords: tuple[str, ...] = ()  # the topic's keywords as shown: each name whole, once


def describe(titles: Sequence[str], bodies: Sequence[str], labels: Sequence[int], scores: Sequence[float],
             keywords: dict[int, Sequence[str]], stories: Sequence[int | None] | None = None,
             corpus: Corpus | None = None) -> dict[int, Description]:
    """Per topic id in ``labels`` (outliers -1 skipped): its label and representative headlines.
    ``keywords``: per topic, its keywords and then any further words in c-TF-IDF order. ``stories``: each
    article's story, so that the headlines come from as many stories as the topic has. ``corpus``: the
    articles' names and phrases (``Corpus.of(titles, bodies)``), when read before the topics were known."""
    corpus = corpus or Corpus.of(titles, bodies)
    members: dict[int, list[int]] = {}
    for i, topic in enumerate(labels):
        if topic >= 0:
            members.setdefault(topic, []).append(i)
    return {topic: Description(corpus.label(rows, keywords.get(topic, ())),
                               _headlines([titles[i] for i in rows], [scores[i] for i in rows],
                                          [corpus.plain[i] for i in rows],
                                          [stories[i] if stories else None for i in rows]),
                               corpus.shown(keywords.get(topic, ())[:KEYWORDS]))
            for topic, rows in members.items()}


@dataclass(frozen=True)
class Corpus:
    """Each article's names and headline phrases, and how many articles carry each, and whether its title
    is a plain headline (no ``headline.flaws``, which reads the body): read from the articles alone, so
    before their topics are known, and the only things the labels and headlines need of the bodies."""

    names: list[dict[str, str]]
    spelled: dict[str, str]
    in_bodies: Counter[str]
    phrases: list[dict[str, str]]
    in_titles: Counter[str]
    plain: list[bool]

    @classmethod
    def of(cls, titles: Sequence[str], bodies: Iterable[str]) -> Corpus:
        """Read from ``bodies`` in one pass (an iterable: a fit's helper is sent them a piece at a time)."""
        names, plain = [], []
        for title, body in zip(titles, bodies, strict=True):
            names.append(_interned(_article_names(body)))
            plain.append(not flaws(title, body))
        phrases = [_interned(_title_phrases(title)) for title in titles]
        return cls(names, _spellings(names), Counter(key for doc in names for key in doc), phrases,
                   Counter(key for doc in phrases for key in doc), plain)

    def shown(self, keywords: Sequence[str]) -> tuple[str, ...]:
        """Keywords for a reader: a piece of a name among them as that name (``dhabi`` of ``abu dhabi``),
        each once, in c-TF-IDF's lower case."""
        return tuple(dict.fromkeys(_whole_names(keywords, self.spelled)))

    def label(self, rows: Sequence[int], keywords: Sequence[str]) -> str:
        phrase = _shared_phrase([self.phrases[i] for i in rows], self.in_titles, len(self.phrases))
        widely = _carried([self.names[i] for i in rows], MIN_SHARE)
        chosen = [key for key in _distinctive(widely, len(rows), self.in_bodies, len(self.names))
                  if f" {key} " not in f" {phrase} " and not (phrase and key.startswith(phrase))]  # "Costa Rican"
        if not phrase and not chosen and (kinds := self.kinds(rows)):
            return " · ".join(kinds)
        pool = keywords[:KEYWORDS] if phrase else keywords  # a phrase needs no padding from far down
        rank = {w: _keyword_rank(w.casefold(), widely, self.spelled)
                for w in _other_keywords(_whole_names(pool, self.spelled), [*chosen, *([phrase] if phrase else [])])}
        # after a headline phrase, a name few of the topic's articles carry adds nothing
        others = [w for w in sorted(rank, key=rank.__getitem__) if not phrase or rank[w] < 2]
        spelling = _plainest(self.phrases[i][phrase] for i in rows if phrase in self.phrases[i]) if phrase else ""
        lead = [spelling[:1].upper() + spelling[1:]] if phrase else []  # it reads as a headline: "Win the cup final"
        parts = lead + [self.spelled[key] for key in chosen] + [self.spelled.get(w.casefold(), w) for w in others]
        return " · ".join(parts[:LABEL_PARTS]) or "unlabelled topic"

    def kinds(self, rows: Sequence[int]) -> list[str]:
        """A mixed topic's kinds of report: up to ``LABEL_PARTS`` headline phrases, each the one that the
        most titles not yet covered share (two at least), when together they cover ``PHRASE_SHARE`` of its
        titles (``Film festival · Heavy rain expected · Jazz week returns``); [] otherwise. A name is not a
        kind of report: two reports naming ``Abu Dhabi`` are not what the topic is about."""
        docs = [{k: v for k, v in self.phrases[i].items() if k not in self.spelled} for i in rows]
        left, out = set(range(len(docs))), []
        while left and len(out) < LABEL_PARTS:
            phrase = _shared_phrase([docs[i] for i in sorted(left)], self.in_titles, len(self.phrases), share=0.0)
            if not phrase:
                break
            carrier = next(i for i in sorted(left) if phrase in docs[i])
            out.append(docs[carrier][phrase][:1].upper() + docs[carrier][phrase][1:])
            left -= {i for i in left if phrase in docs[i]}
        covered = len(docs) - len(left)
        return out if len(out) > 1 and covered >= PHRASE_SHARE * len(docs) else []


def _interned(found: dict[str, str]) -> dict[str, str]:
    """The same names as one string object each however many articles carry them: a 50,000-article
    corpus's names took 160 MB, and a helper process hands them over pickled (each string once)."""
    return {sys.intern(key): sys.intern(spelling) for key, spelling in found.items()}


def _plainest(spellings: Iterable[str]) -> str:
    """The spelling with the fewest capitals, the first of those: a phrase reads as a headline in sentence
    case ("Israel indicts"), and Title Case headlines capitalise every word ("Israel Indicts")."""
    return min(spellings, key=lambda s: sum(c.isupper() for c in s))


def _title_phrases(title: str) -> dict[str, str]:
    """Case-folded phrase -> its spelling in this title: runs of two to four words that neither open
    nor close on a stop word (each phrase once per title)."""
    words = _TITLE_WORD.findall(title)
    out: dict[str, str] = {}
    low, high = PHRASE_WORDS
    for start in range(len(words)):
        for size in range(low, high + 1):
            run = words[start:start + size]
            if len(run) < size or not _may_bound(run[0]) or not _may_bound(run[-1]):
                continue
            out.setdefault(" ".join(run).casefold(), " ".join(run))
    return out


def _may_bound(word: str) -> bool:
    """Whether a phrase may open or close on ``word``: not on a stop word or a preposition."""
    return word.casefold() not in STOP_WORDS and word.casefold() not in _DANGLING


def _shared_phrase(docs: Sequence[dict[str, str]], corpus: Counter[str], n_docs: int,
                   share: float = PHRASE_SHARE) -> str:
    """The phrase most of the topic's titles share (share x rarity among all titles), lengthened to the
    longest phrase that as many titles carry; '' when no phrase reaches ``share`` of them (and two)."""
    inside = _carried(docs, share)
    ranked = _ranked(inside, len(docs), corpus, n_docs)
    if not ranked:
        return ""
    best = ranked[0]
    longer = [key for key in inside if inside[key] == inside[best] and f" {best} " in f" {key} "]
    return max(longer, key=lambda k: (len(k.split()), k))


def _whole_names(keywords: Sequence[str], spelled: dict[str, str]) -> list[str]:
    """Each keyword that is a piece of a name among the keywords (``dhabi`` of ``abu dhabi``) as that name."""
    names = [w for w in keywords if w.casefold() in spelled]
    return [next((n for n in names if f" {w.casefold()} " in f" {n.casefold()} "), w)
            if w.casefold() not in spelled else w for w in keywords]


def _keyword_rank(keyword: str, widely: Counter[str], spelled: dict[str, str]) -> int:
    """0: a name a fair share of the topic's articles carry; 1: a plain word; 2: a name few of them carry."""
    return 0 if keyword in widely else (2 if keyword in spelled else 1)


def _carried(docs: Sequence[dict[str, str]], share: float) -> Counter[str]:
    """How many of the topic's ``docs`` carry each key, for the keys that at least ``share`` of them
    (and at least two) carry."""
    inside: Counter[str] = Counter(key for doc in docs for key in doc)
    floor = max(2, math.ceil(share * len(docs)))
    return Counter({key: n for key, n in inside.items() if n >= floor})


def _ranked(carried: Counter[str], n_rows: int, corpus: Counter[str], n_docs: int) -> list[str]:
    """Keys by the share of the topic's ``n_rows`` articles carrying them x their rarity in the corpus."""
    return sorted(carried, key=lambda k: (-carried[k] / n_rows * math.log(1 + n_docs / corpus[k]), k))


def _article_names(body: str) -> dict[str, str]:
    """Case-folded name -> the spelling this article uses (each name once per article), read from its
    prose: a line in title case (a headline the page printed again, a heading) capitalises every word, so
    its runs of words ("Fires Another Missile Over Japan") would read as names."""
    out: dict[str, str] = {}
    text = prose("\n".join(line for line in body[:BODY_CHARS].splitlines() if not _title_case(line)))
    found = surface_names(text)
    elsewhere = _channels(text, found) | _sources(text, found)
    for name in found:
        if _label_worthy(name) and name not in elsewhere:
            out.setdefault(name.casefold(), name)
    return out


# where a name is the place a report was posted, not what it is about: "wrote on Facebook", "posted on its
# official Telegram channel", "the temple's Facebook page" (one word, as platforms are named)
_CHANNEL = re.compile(r"\b([A-Z][\w'’-]*)\s+(?i:posts?|pages?|feeds?|channels?|videos?|livestreams?|handles?)\b"
                      r"|\b(?:posted|wrote|shared|tweeted|said|posting|writing)\s+on\s+"
                      r"(?:(?:its|his|her|their|the|an?)\s+)?(?:official\s+)?([A-Z][\w'’-]*)")


def _channels(text: str, names: Sequence[str]) -> set[str]:
    """The names ``text`` writes only as a channel: every time it names one, that is where something was
    posted. A plane-crash topic was labelled "Costa Rica · Nature Air · Facebook" for the airline's posts;
    a report about Facebook itself names it otherwise too, and keeps it."""
    used = Counter(a or b for a, b in _CHANNEL.findall(text))
    if not used:
        return set()
    named = Counter(names)
    return {name for name, times in used.items() if times >= named.get(name, 0)}


# where a name is who reported, not what a report is about: "according to the Chosun Ilbo", "told the Erie
# Times-News", "the Erie Times-News reported", "South Korea's Yonhap news agency"
_RUN = r"[A-Z](?:[\w'’-]|\.(?=\w))*(?:\s+[A-Z](?:[\w'’-]|\.(?=\w))*){0,4}"
# cues before the outlet ("according to the Chosun Ilbo") and after it ("the Erie Times-News reported"), found as
# plain substrings of the lower-cased text (a regular expression over every position cost a quarter more reading)
_CITED_BY = ("according to ", "told ", "reported by ", "quoted by ", "cited by ", "interview with ", "wrote in ",
             "writing in ", "quoted in ", "published in ", "report in ", "reports in ", "report from ", "reports from ")
_CITES = (" reported", " reports", " newspaper", " daily", " news agency", " broadcaster")
_RUN_AT = re.compile(rf"(?:[Tt]he\s+)?({_RUN})")
_RUN_BEFORE = re.compile(rf"({_RUN})$")
_POSSESSOR = re.compile(r"^.*[’']s\s+")


def _sources(text: str, names: Sequence[str]) -> set[str]:
    """The names ``text`` writes only as the source of what it reports, every time it names them (as
    ``_channels``): a North Korea topic was labelled "North Korea · Chosun Ilbo · China" for the Korean
    newspaper its reports cite. A report about the newspaper itself names it otherwise too, and keeps it."""
    lower = text.lower()
    if len(lower) != len(text):  # a letter whose lower case is longer: positions would not line up
        return set()
    cited: Counter[str] = Counter()  # outlets as ``_outlet`` reads them, and how often each is cited
    for cue, at in _cue_positions(lower, _CITED_BY, leads=True):
        run = _RUN_AT.match(text, at + len(cue))
        if run:
            cited[_outlet(run.group(1))] += 1
    for _, at in _cue_positions(lower, _CITES, leads=False):  # the run of names just before the cue
        before = _RUN_BEFORE.search(text, max(0, at - 100), at)
        if before:  # "South Korea's Yonhap news agency": the outlet is "Yonhap" (or the run read as one name)
            run = before.group(1)
            cited.update({_outlet(_POSSESSOR.sub("", run)), _outlet(run)})
    if not cited:
        return set()
    named = Counter(names)
    return {name for name, times in named.items() if cited[_outlet(name)] >= times}


def _outlet(run: str) -> str:
    """A run of names as an outlet is compared: its words, case-folded, without a leading "the"."""
    words = _words(run)
    return words[4:] if words.startswith("the ") else words


def _cue_positions(lower: str, cues: Sequence[str], leads: bool) -> Iterator[tuple[str, int]]:
    """Where each cue occurs in ``lower`` as whole words: a cue that ``leads`` the outlet ends in a space, so only
    the character before it is checked; one that follows it opens with a space, so only the one after it."""
    for cue in cues:
        at = lower.find(cue)
        while at >= 0:
            edge = at - 1 if leads else at + len(cue)
            if not (0 <= edge < len(lower) and lower[edge].isalnum()):
                yield cue, at
            at = lower.find(cue, at + 1)


def _words(text: str) -> str:
    """``text``'s words, case-folded, one space apart (``_within`` and ``_outlet`` compare names so)."""
    return " ".join(_PART.findall(text.casefold()))


_WORD = re.compile(r"[^\W\d_][\w'’-]*")
TITLE_CASE = 0.8  # a line whose words, short function words aside, are capitalised this often


def _title_case(line: str) -> bool:
    """A headline-length line (4 to 20 words, no closing full stop) whose words nearly all open with a
    capital, short function words ("of", "to", "the") aside: a prose sentence capitalises only its names
    and its first word, and one that lists names ("Putin, Xi Jinping and Modi met in Kazan.") ends as a
    sentence does."""
    words = _WORD.findall(line)
    if not 4 <= len(words) <= 20 or line.rstrip().endswith((".", ".”", '."')):
        return False
    counted = [w for w in words if w.casefold() not in STOP_WORDS or w[0].isupper()]
    capitals = sum(w[0].isupper() for w in counted)
    return len(counted) >= 4 and capitals >= TITLE_CASE * len(counted)


def _label_worthy(name: str) -> bool:
    """Not a weekday, month or title, and a one-word name has three letters or is an acronym (``EU``)."""
    if name.casefold() in _NOT_NAMES:
        return False
    return " " in name or len(name) >= 3 or (len(name) == 2 and name.isupper())


def _spellings(names: Sequence[dict[str, str]]) -> dict[str, str]:
    """The most common spelling of each name over the corpus."""
    counts: dict[str, Counter[str]] = {}
    for doc in names:
        for key, spelling in doc.items():
            counts.setdefault(key, Counter())[spelling] += 1
    return {key: c.most_common(1)[0][0] for key, c in counts.items()}


def _distinctive(carried: Counter[str], n_rows: int, corpus: Counter[str], n_docs: int) -> list[str]:
    """Up to ``NAME_PARTS`` of the names a fair share of the topic's articles carry (``carried``): share
    of its ``n_rows`` articles naming it x rarity in the corpus; a name inside a chosen one (``Xi`` in
    ``Xi Jinping``) adds nothing."""
    chosen: list[str] = []
    for key in _ranked(carried, n_rows, corpus, n_docs):
        if len(chosen) == NAME_PARTS:
            break
        if not any(_within(key, c) or _within(c, key) for c in chosen):
            chosen.append(key)
    return chosen


_PART = re.compile(r"\w+")


def _within(part: str, whole: str) -> bool:
    """Whether the words of ``part`` run whole inside ``whole``'s (``xi`` in ``xi jinping``, ``russian`` in
    ``sino-russian``; not ``xi`` in ``xinhua``, nor ``ai`` in ``dubai``), ignoring case."""
    inner = _words(part)
    return bool(inner) and f" {inner} " in f" {_words(whole)} "


def _other_keywords(keywords: Sequence[str], chosen: Sequence[str]) -> list[str]:
    """Keywords that do not repeat a chosen name or one another."""
    out: list[str] = []
    for word in keywords:
        if any(_within(word, c) or _within(c, word) for c in [*chosen, *out]):
            continue
        out.append(word)
    return out


def _headlines(titles: Sequence[str], scores: Sequence[float], plain: Sequence[bool],
               stories: Sequence[int | None]) -> tuple[str, ...]:
    """Titles of the topic's articles, each distinct title once, the most central first within each
    of these steps: plain titles (no ``headline.flaws``) of reported stories (two articles or more in the
    topic), one per story; plain titles of other stories of its central half (as close as the median
    article or closer), one per story; plain titles; any title. The headlines show what the topic covers
    in plain words, not three reports of its biggest story, a tabloid's voice or its outliers."""
    by_score = sorted(range(len(titles)), key=lambda i: -scores[i])
    middle = median(scores) if len(scores) else 0.0  # as a story's title takes its central half
    sizes = Counter(s for s in stories if s is not None)
    is_plain = plain.__getitem__

    shown: dict[str, int] = {}  # a title as compared -> its article
    told: set[object] = set()  # stories with a headline shown
    steps = ((True, lambda i: sizes[stories[i]] > 1 and is_plain(i)),  # (one per story, which titles)
             (True, lambda i: scores[i] >= middle and is_plain(i)), (False, is_plain), (False, lambda i: True))
    for per_story, wanted in steps:
        for i in by_score:
            if len(shown) == HEADLINES:
                break
            key = " ".join(titles[i].split()).casefold()
            story = ("article", i) if stories[i] is None else stories[i]
            if key and key not in shown and not (per_story and story in told) and wanted(i):
                shown[key] = i
                told.add(story)
    return tuple(" ".join(titles[i].split()) for i in shown.values())
