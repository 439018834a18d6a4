"""Analyst topics' examples given as links: an example that is a URL stands for the stored article at
that address, embedded as the corpus is. Pure: the caller reads the stored articles.

A linked article that is not stored (its feed is not crawled, or it has not been fetched yet) is left
out of the topic's description and reported, never fetched: the topic stage does no network I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from monitor.config import TopicSeed
from monitor.dedupe.urls import canonical_url
from monitor.topics.embeddings import document


@dataclass(frozen=True)
class Resolved:
    seeds: tuple[TopicSeed, ...]
    missing: tuple[tuple[str, str], ...]  # (topic, link) of linked articles that are not stored


def is_link(example: str) -> bool:
    return example.strip().lower().startswith(("http://", "https://"))


def linked(seeds: Sequence[TopicSeed]) -> list[str]:
    """The canonical addresses of every example given as a link."""
    return sorted({canonical_url(e.strip()) for s in seeds for e in s.examples if is_link(e)})


def resolve(seeds: Sequence[TopicSeed], stored: Mapping[str, tuple[str, str]], max_words: int) -> Resolved:
    """Each linked example replaced by its stored article's title and text (as the corpus is embedded);
    ``stored``: canonical address -> (title, text)."""
    out, missing = [], []
    for seed in seeds:
        examples = []
        for example in seed.examples:
            if not is_link(example):
                examples.append(example)
            elif (found := stored.get(canonical_url(example.strip()))) is not None:
                examples.append(document(found[0], found[1], max_words))
            else:
                missing.append((seed.name, example.strip()))
        out.append(seed.model_copy(update={"examples": tuple(examples)}) if examples != list(seed.examples) else seed)
    return Resolved(tuple(out), tuple(missing))
