"""Why a stored article is in or out of each analyst topic (`monitor topics explain`).

The article is read as the crawl's assignment reads it (its stored vector, its text without its site's
furniture, markup and wire credits) against the analyst topics of the current saved model (their vectors,
keywords, required terms and evidence floor as that fit saved them), by the rules of ``seeding``. Reads the
store and the saved model; imports neither BERTopic nor the embedding model.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.dedupe.boilerplate import readable
from monitor.dedupe.urls import canonical_url
from monitor.errors import MonitorError
from monitor.store import analysis as db
from monitor.topics.embeddings import from_bytes, model_name, normalise
from monitor.topics.model import SavedSeeds, load_saved
from monitor.topics.seeding import STRONG, TWO_KEYWORDS, Reading, read_article
from monitor.topics.service import model_path, words_read
from monitor.views.shared import topic_name


@dataclass(frozen=True)
class TopicReading:
    topic: str
    topic_id: int
    similarity: float
    keywords: list[str]  # the topic's keywords the article names
    required: list[str] | None  # the topic's must-mention terms it names; None: the topic requires none
    verdict: str


@dataclass(frozen=True)
class Explained:
    url: str
    title: str
    placed: str  # the topic it is read under, or why none
    floor: float  # evidence with a keyword from this similarity
    strong: float  # above the floor by this much, evidence without one
    two: float  # below the floor by this much, evidence with two keywords, and support without any
    readings: list[TopicReading]


def explain(engine: Engine, config: Config, url: str) -> Explained:
    """The article stored at ``url`` against every analyst topic of the current model."""
    run = db.current_run(engine)
    if run is None:
        raise MonitorError("no topic model yet: run `monitor topics fit`")
    article = db.placed_at(engine, canonical_url(url.strip()), model_name(config.embedding))
    if article is None:
        raise MonitorError(f"no stored article at {url}: `monitor topics show ID` lists stored articles' addresses")
    if article.vector is None:
        raise MonitorError(f"{url} is stored but not embedded yet: run `monitor topics update`")
    seeds = load_saved(model_path(config, run.path)).seeds  # None: the model was fitted without analyst topics
    ids = seeds.topic_ids if seeds else ()
    names = _names(engine, config, [*ids, *([article.topic_id] if article.topic_id else [])])
    floor = seeds.floor if seeds else config.topic_model.evidence_similarity
    readings = [TopicReading(names.get(t, f"topic {t}"), t, round(r.similarity, 4), list(r.keywords),
                             None if r.required is None else list(r.required), r.verdict)
                for t, r in zip(ids, _read(engine, config, article, seeds) if seeds else [], strict=True)]
    return Explained(article.url, article.title, _placed(article, names), floor, STRONG, TWO_KEYWORDS, readings)


def _read(engine: Engine, config: Config, article: db.Placed, seeds: SavedSeeds) -> list[Reading]:
    """The article read as the crawl's assignment reads it, against each analyst topic."""
    furniture = db.furniture(engine, config.dedupe.site_repeats)
    text = words_read(*readable(article.url, article.title, article.text, furniture), config.embedding.max_words)
    vector = normalise(from_bytes(article.vector)[None])[0]
    return read_article(text, seeds.vectors @ vector, seeds.keywords, seeds.required, seeds.floor)


def _names(engine: Engine, config: Config, ids: list[int]) -> dict[int, str]:
    wanted = set(ids)
    return {t.id: topic_name(config, t) for t in db.all_topics(engine) if t.id in wanted}


def _placed(article: db.Placed, names: dict[int, str]) -> str:
    if article.topic_id is None:
        return "not placed yet: run `monitor topics update`"
    if article.topic_id < 0:
        return "unassigned (no topic)"
    score = "" if article.score is None else f", {article.score:.2f} alike to the topic's articles"
    return f"{names.get(article.topic_id, 'topic')} (id {article.topic_id}){score}"
