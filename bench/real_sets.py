"""Readers for labelled news sets written by others, as records the evaluation understands.

The sets are not shipped with the project; pass their files to ``bench/eval_real.py``.

- ``googlenews``: the GoogleNews-TS short-text clustering set (Yin and Wang, "A model-based
  approach for text clustering with outlier detection", ICDE 2016): 11,109 news items,
  each a title and snippet from Google News (November and December 2013), labelled
  with one of 152 clusters. A cluster is the set of reports Google News grouped as one
  event, so the labels are same-event stories. JSON lines ``{"text": ..., "cluster": N}``;
  the text is lower-cased with stop words removed, and no item has a date.
- ``googlenews-siblings``: the same file, read as themes of sibling events (the shape of a
  monitor's topics): of each kind of news in ``gn_kinds.KINDS`` (the project's grouping) with two
  events of at least ``SIBLING_ITEMS`` items, those two events, ``SIBLING_ITEMS`` seeded items of
  each. 27 kinds, 54 events, 594 items; the topic is the kind, the story the event.
- ``googlenews-kinds``: the same file, every item with its event's kind of news (``gn_kinds.KINDS``, the
  project's grouping of the 152 events into 59 kinds) as its topic and its event as its story.
- ``newscluster-kinds``: Giveme5W1H's news cluster in the project's ``jsonl`` form (``story`` its event,
  ``topic`` its section), read as themes of events of one kind (``g5_kinds.KINDS``, the project's
  grouping): the topic is the kind, or the event itself where it is of no shared kind; the story the
  event. Full articles: 383 items, 69 events, 34 themes, 17 of them of two to six events.
- ``agnews``: the AG News test set (Zhang, Zhao and LeCun, "Character-level convolutional
  networks for text classification", NeurIPS 2015): CSV rows ``class,title,description``
  with class 1 World, 2 Sports, 3 Business, 4 Sci/Tech. The labels are topics.
- ``jsonl``: the project's own format, one object per line with ``title``, ``text`` and
  any of ``topic``, ``story``, ``published`` (ISO 8601), ``url`` (where the article was published:
  ``as_read`` reads its site).

A file cut short (a partial last line) is read up to its last complete record.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import numpy as np

NO_TIME = datetime(2013, 12, 1, tzinfo=UTC)  # one shared time: no time signal to lean on
SIBLING_ITEMS = 11  # items of each sibling event: two events of about a dozen reports per theme
AG_CLASSES = {"1": "World", "2": "Sports", "3": "Business", "4": "Sci/Tech"}


@dataclass(frozen=True)
class LabelledArticle:
    title: str
    text: str
    published: datetime
    topic: str | None
    story: str | None
    url: str | None = None


def read_set(path: Path, kind: str) -> list[LabelledArticle]:
    readers = {"googlenews": _googlenews, "googlenews-siblings": _siblings, "agnews": _agnews, "jsonl": _jsonl,
               "newscluster-kinds": _kinds, "googlenews-kinds": _googlenews_kinds}
    if kind not in readers:
        raise ValueError(f"unknown set format {kind!r}; expected one of {sorted(readers)}")
    return list(readers[kind](path.read_text(encoding="utf-8")))


def read_labelled(spec: str, sample: int) -> tuple[str, list[LabelledArticle]]:
    """``FORMAT:PATH``'s name and its articles with a topic or a story, a seeded sample of ``sample`` when
    there are more."""
    kind, _, raw = spec.partition(":")
    articles = [a for a in read_set(Path(raw), kind) if a.topic or a.story]
    if len(articles) > sample:
        keep = np.sort(np.random.default_rng(0).choice(len(articles), sample, replace=False))
        articles = [articles[i] for i in keep]
    return f"{kind}:{Path(raw).name}", articles


def _complete_lines(raw: str) -> Iterator[str]:
    lines = raw.split("\n")
    if lines and not raw.endswith("\n"):
        lines = lines[:-1]  # a cut last line
    yield from (line for line in lines if line.strip())


def _googlenews(raw: str) -> Iterator[LabelledArticle]:
    for line in _complete_lines(raw):
        row = json.loads(line)
        words = row["text"].split()
        # The set joins title and snippet; the first 8 words stand in for the title.
        yield LabelledArticle(" ".join(words[:8]), " ".join(words[8:]), NO_TIME, None, f"c{row['cluster']}")


def _siblings(raw: str) -> Iterator[LabelledArticle]:
    import numpy as np

    from gn_kinds import KINDS

    events: dict[int, list[LabelledArticle]] = {}
    for item in _googlenews(raw):
        events.setdefault(int(str(item.story).removeprefix("c")), []).append(item)
    rng = np.random.default_rng(0)
    for kind, ids in KINDS.items():
        full = [e for e in ids if len(events.get(e, ())) >= SIBLING_ITEMS]
        if len(full) < 2:
            continue
        for event in full[:2]:
            for i in rng.choice(len(events[event]), SIBLING_ITEMS, replace=False):
                yield replace(events[event][int(i)], topic=kind)


def _googlenews_kinds(raw: str) -> Iterator[LabelledArticle]:
    from gn_kinds import KINDS

    kind_of = {f"c{event}": kind for kind, events in KINDS.items() for event in events}
    for item in _googlenews(raw):
        yield replace(item, topic=kind_of.get(str(item.story), str(item.story)))


def _agnews(raw: str) -> Iterator[LabelledArticle]:
    for row in csv.reader(io.StringIO("\n".join(_complete_lines(raw)))):
        if len(row) != 3 or row[0] not in AG_CLASSES:
            continue
        text = row[2].replace("\\", " ")
        yield LabelledArticle(row[1], text, NO_TIME, AG_CLASSES[row[0]], None)


def _jsonl(raw: str) -> Iterator[LabelledArticle]:
    for line in _complete_lines(raw):
        row = json.loads(line)
        published = datetime.fromisoformat(row["published"]) if row.get("published") else NO_TIME
        yield LabelledArticle(row.get("title", ""), row.get("text", ""), published,
                              row.get("topic"), row.get("story"), row.get("url"))


def _kinds(raw: str) -> Iterator[LabelledArticle]:
    from g5_kinds import KINDS

    kind_of = {event: kind for kind, events in KINDS.items() for event in events}
    for item in _jsonl(raw):
        yield replace(item, topic=kind_of.get(str(item.story), f"event {item.story}"))


def as_read(articles: list[LabelledArticle], repeats: int) -> tuple[list[LabelledArticle], int]:
    """The texts the analysis reads once a crawl has stored ``articles`` in this order: the crawl leaves
    out what ``repeats`` earlier articles of the same site carried, and the analysis then reads every
    article without what more than ``repeats`` articles of its site carried (``monitor.dedupe.boilerplate``,
    as the product applies both). Articles without a ``url`` are kept as they are. Returns the articles
    and how many changed."""
    from collections import Counter

    from monitor.dedupe import boilerplate
    from monitor.records import Article

    carried: Counter[int] = Counter()
    out, changed = [], 0
    for a in articles:
        if not a.url or not repeats:
            out.append(a)
            continue
        record = Article(canonical_url=a.url, url=a.url, title=a.title, summary="", text=a.text,
                         status="extracted", fetched_at=a.published, published_at=a.published, published_source="feed")
        found = boilerplate.keys(record)
        kept = boilerplate.without(record, found, {k for k in found.counted if carried[k] >= repeats})
        carried.update(found.counted)
        out.append(replace(a, title=kept.title, text=kept.text) if kept.status == "extracted" else a)
    furniture = frozenset(k for k, n in carried.items() if n > repeats)
    read = []
    for a, stored in zip(articles, out, strict=True):
        title, text = boilerplate.readable(stored.url or "", stored.title, stored.text, furniture)
        read.append(replace(stored, title=title, text=text))
        changed += (title, text) != (a.title, a.text)
    return read, changed
