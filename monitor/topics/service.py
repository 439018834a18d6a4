"""Topic and story stages wired to the database: ``process_new`` (every crawl) and ``fit`` (refit).

``process_new`` embeds articles that have no vector of the configured model,
assigns topics with the saved model (if one is fitted) and places articles in
stories. When nothing is pending it runs three cheap counts and imports nothing.
"""

from __future__ import annotations

import hashlib
import logging
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.dedupe.boilerplate import readable
from monitor.errors import LockedError, MonitorError
from monitor.extract.headline import flaws
from monitor.extract.prose import headline_prose, prose
from monitor.lock import analysis_lock
from monitor.store import analysis as db
from monitor.records import ModelRun
from monitor.topics import features
from monitor.topics.embeddings import (
    Embedder,
    document,
    from_bytes,
    load_embedder,
    model_name,
    normalise,
    to_bytes,
)
from monitor.topics.features import Bags, bags
from monitor.topics.helper import Helper, fit_helper
from monitor.topics.stories import (
    FALLBACK_SIMILARITY,
    MIN_REFERENCE,
    OpenStory,
    StoryItem,
    Weights,
    article_vectors,
    assign_stories,
    Threshold,
    calibrate,
    decode_centroid,
    encode_centroid,
    merge_converged,
    most_central,
)

log = logging.getLogger(__name__)

BATCH = 2000
KEEP_MODELS = 3
CALIBRATION_ARTICLES = 1000  # newest articles whose pairwise similarity sets the story threshold


def process_new(engine: Engine, config: Config, now: datetime) -> dict[str, Any]:
    """Embed the new articles, assign them topics and stories: one process at a time (``analysis_lock``; each
    crawl worker, `monitor run` and a refit analyse). Waited for too long, it leaves them to the next pass."""
    summary: dict[str, Any] = {"embedded": 0, "topics_assigned": 0, "stories_new": 0, "stories_joined": 0,
                              "stories_merged": 0}
    if not any(_pending(engine, config, db.current_run(engine)).values()):  # nothing new: no lock taken
        return summary
    try:
        with analysis_lock(engine, now):
            return _process_pending(engine, config, now, summary)
    except LockedError as exc:
        log.warning("%s: the new articles are analysed at the next pass", exc)
        return {**summary, "skipped": str(exc)}


def _pending(engine: Engine, config: Config, run: ModelRun | None) -> dict[str, int]:
    return db.pending_counts(engine, model_name(config.embedding), topics=run is not None)


def _process_pending(engine: Engine, config: Config, now: datetime, summary: dict[str, Any]) -> dict[str, Any]:
    run = db.current_run(engine)
    pending = _pending(engine, config, run)  # again: the process that held the lock may have done it all
    if not any(pending.values()):
        return summary
    if pending["embed"]:
        summary["embedded"] = embed_pending(engine, config, now)
    if run is not None:
        summary["topics_assigned"] = assign_topics(engine, config, run, now)
    if pending["story"] or summary["embedded"]:
        summary.update(assign_pending_stories(engine, config, now))
    return summary


def embed_pending(engine: Engine, config: Config, now: datetime, embedder: Embedder | None = None) -> int:
    """Embed every article without a vector of the configured model, in batches."""
    name, done, furniture = model_name(config.embedding), 0, _furniture(engine, config)
    while rows := db.articles_to_embed(engine, name, BATCH):
        embedder = embedder or load_embedder(config.embedding)
        read = as_read(rows, furniture)
        vectors = embedder.embed([document(r.title, r.text, config.embedding.max_words) for r in read])
        pairs = [(r.id, to_bytes(v)) for r, v in zip(rows, vectors, strict=True)]
        db.save_embeddings(engine, name, vectors.shape[1], pairs, now)
        if config.topic_model.features != "embedding":
            keep_counts(engine, read, [words_read(r.title, r.text, config.embedding.max_words) for r in read])
        done += len(rows)
        log.info("embedded %d articles with %s", done, name)
    return done


def assign_topics(engine: Engine, config: Config, run: ModelRun, now: datetime) -> int:
    """Assign topics to articles that have none, with the current saved model."""
    from monitor.topics.model import load_saved

    name = model_name(config.embedding)
    if run.embedding_model != name:
        log.warning("topic model was fitted on %s vectors, the configuration uses %s: run `monitor topics fit`",
                    run.embedding_model, name)
        return 0
    saved, done, furniture = load_saved(model_path(config, run.path)), 0, _furniture(engine, config)
    while rows := db.vectors_without_topic(engine, name, BATCH):
        texts = [words_read(*readable(url, title, text, furniture), config.embedding.max_words)
                 for _, _, title, text, url in rows]
        assigned = saved.assign(np.vstack([from_bytes(r[1]) for r in rows]), texts)
        db.save_assignments(engine, int(run.id), [(r[0], t, s) for r, (t, s) in zip(rows, assigned, strict=True)],
                            now)
        db.recompute_story_topics(engine, db.story_of(engine, [r[0] for r in rows]).values())
        done += len(rows)
    return done


def story_weights(config: Config) -> Weights:
    c = config.stories
    return Weights(words=c.words_weight, names=c.names_weight, dense=c.dense_weight, time_decay=c.time_decay,
                   age_conflict=c.age_conflict, clock_conflict=c.clock_conflict)


def assign_pending_stories(engine: Engine, config: Config, now: datetime) -> dict[str, int]:
    name = model_name(config.embedding)
    window, weights = timedelta(hours=config.stories.window_hours), story_weights(config)
    threshold: Threshold | None = None  # calibrated once, and only when something is pending
    new = joined = merged = 0
    furniture = _furniture(engine, config)
    while rows := as_read(db.articles_without_story(engine, name, BATCH), furniture):
        batch_bags = [bags(r.title, r.text) for r in rows]
        stats = features.from_bytes(*db.term_stats(engine))
        delta = features.TermStats.empty()
        delta.add(batch_bags)
        stats.add(batch_bags)
        if threshold is None:
            threshold = story_threshold(engine, config, name, stats, furniture,
                                        {r.id: b for r, b in zip(rows, batch_bags, strict=True)})
        stories, known = _open_stories(engine, rows, window)
        items = [StoryItem(r.id, r.when, from_bytes(r.vector), b, r.duplicate_of)
                 for r, b in zip(rows, batch_bags, strict=True)]
        before = {s.key: s.size for s in stories}
        placements = assign_stories(items, stories, window, threshold, stats, weights, known)
        changed = {s.key for s in stories if s.size != before.get(s.key)}
        absorbed = merge_converged(stories, changed, window, threshold.level, weights)
        changed |= set(absorbed.values())  # a survivor that this batch did not touch took the batch's members
        touched = [s for s in stories if s.key in changed and s.key not in absorbed]
        stored = {s.key: s.id for s in stories if s.id is not None}
        ids = db.save_stories(engine, [_update(s) for s in touched],
                              db.StatsDelta(delta.n_docs, delta.words, delta.names), now,
                              {stored[k]: stored[v] for k, v in absorbed.items() if k in stored})
        _finish(engine, config, ids)
        threshold = replace(threshold, known=None)  # the next batch is read with other statistics
        new += sum(1 for s in touched if s.id is None)
        joined += sum(1 for p in placements if not p.new_story)
        merged += len(absorbed)
    return {"stories_new": new, "stories_joined": joined, "stories_merged": merged}


def story_threshold(engine: Engine, config: Config, name: str, stats: features.TermStats,
                    furniture: frozenset[int], counted: dict[int, Bags] | None = None) -> Threshold:
    """The configured story similarity, or per-article bars calibrated on the newest stored articles
    (read without their sites' ``furniture``; one article of each group of copies, the first in content
    order, so that which copy arrived first does not move every bar). ``counted``: bags of articles read
    the same way already (the batch: most of the newest articles on a first crawl), not counted again."""
    if config.stories.similarity != "auto":
        return Threshold.fixed(config.stories.similarity)
    rows = one_per_copy(as_read(db.recent_articles(engine, name, CALIBRATION_ARTICLES), furniture))
    if len(rows) < MIN_REFERENCE:
        return Threshold.fixed(FALLBACK_SIMILARITY)
    reference = article_vectors(reference_bags(engine, rows, counted or {}),
                                np.vstack([from_bytes(r.vector) for r in rows]), stats)
    threshold = calibrate(reference, config.stories.z, story_weights(config), config.stories.crowding,
                          [r.id for r in rows])
    log.debug("story similarity bars average %.3f from %d recent articles", threshold.level, len(rows))
    return threshold


def reference_bags(engine: Engine, rows: list[db.ArticleRow], counted: dict[int, Bags]) -> list[Bags]:
    """The reference articles' words and names (the bars are calibrated on the similarity without the
    conflicts: their ages and times are not read): read back where kept for the same text, else taken from
    ``counted`` or counted, and kept for the next crawl, which would otherwise count its reference again
    (about 1 s of a crawl that brings 20 articles). Older articles' counts are dropped."""
    stored, out, fresh = db.story_bags(engine, [r.id for r in rows]), [], {}
    for row in rows:
        digest = _story_read_as(row.title, row.text)
        kept = stored.get(row.id)
        if kept is not None and kept[0] == digest:
            out.append(Bags(features.unpacked(kept[1]), features.unpacked(kept[2])))
            continue
        counts = counted.get(row.id) or bags(row.title, row.text, read_details=False)
        fresh[row.id] = (digest, features.packed(counts.words), features.packed(counts.names))
        out.append(Bags(counts.words, counts.names))
    db.save_story_bags(engine, fresh, below=min(r.id for r in rows))
    return out


def _story_read_as(title: str, text: str | None) -> str:
    """The digest of an article's title and text as the story pass reads them (``features.STORY_READING``)."""
    return hashlib.blake2b(f"{features.STORY_READING}\n{title}\n{text or ''}".encode(), digest_size=16).hexdigest()


def _open_stories(engine: Engine, rows: list[db.ArticleRow],
                  window: timedelta) -> tuple[list[OpenStory], dict[int, int]]:
    """Stories open around the batch; stories stored by an older version (no readable
    centroid) take no new members."""
    known = db.story_of(engine, [r.duplicate_of for r in rows if r.duplicate_of is not None])
    stored = db.stories_for(engine, min(r.when for r in rows) - window, known.values())
    stories = []
    for s in stored:
        centroid = decode_centroid(s.centroid)
        if centroid is not None:
            stories.append(OpenStory(s.id, centroid, s.size, s.first_seen_at, s.last_seen_at, s.id))
    return stories, known


def _update(story: OpenStory) -> db.StoryUpdate:
    """``members`` of a loaded story holds only the articles placed in this batch."""
    return db.StoryUpdate(story.id, encode_centroid(story.centroid), story.first_seen, story.last_seen,
                          tuple((aid, 0.0) for aid in story.members))


def _finish(engine: Engine, config: Config, story_ids: list[int]) -> None:
    """Headline = the plainest title of the members closest to the members' mean embedding."""
    members = db.story_members(engine, story_ids, model_name(config.embedding))
    headlines: dict[int, tuple[int | None, dict[int, float]]] = {}
    for sid in story_ids:
        rows = members.get(sid, [])
        if not rows:
            headlines[sid] = (None, {})
            continue
        ids = [r[0] for r in rows]
        plainness = [flaws(title or "", text or "") for _, title, text, _ in rows]
        headline, sims = most_central(normalise(np.vstack([from_bytes(r[3]) for r in rows])), ids, plainness)
        headlines[sid] = (headline, dict(zip(ids, sims.tolist(), strict=True)))
    db.finish_stories(engine, headlines)


# --- fitting ---------------------------------------------------------------------------------


def model_path(config: Config, stored: str) -> Path:
    path = Path(stored)
    return path if path.is_absolute() else Path(config.data_dir) / path


def fit(engine: Engine, config: Config, now: datetime) -> dict[str, Any]:
    """Fit a new topic model on stored articles, keep topic ids stable, reassign every article; under the
    analysis lock, as it embeds and assigns what the crawl's analysis would. Held too long by another process,
    the lock stops the fit with an error (exit status 1: unlike an overlapping run, the work was not done)."""
    try:
        with analysis_lock(engine, now):
            return _fit(engine, config, now)
    except LockedError as exc:
        raise MonitorError(f"topic model not refitted: {exc}") from None


def _fit(engine: Engine, config: Config, now: datetime) -> dict[str, Any]:
    from monitor.topics.model import numba_cache

    numba_cache(Path(config.data_dir))
    started = time.perf_counter()
    name = model_name(config.embedding)
    since = now - timedelta(days=config.topic_model.fit_days) if config.topic_model.fit_days else None
    with fit_helper(db.fit_corpus_size(engine, name, since)) as helper:  # it starts while the rows are read
        embedder = load_embedder(config.embedding)
        embed_pending(engine, config, now, embedder)
        corpus = read_corpus(engine, config, name, since)
        run = _fit_and_save(engine, with_linked_examples(engine, config), corpus, embedder, now, started, helper)
        del corpus  # its words read and texts: not needed to assign the articles
    assign_topics(engine, config, run, now)
    # the fit clustered every member: one it left out of its story's topic is an outlier of that topic, not a
    # report of a new event, so any majority carries the story (a half-share bar cost Giveme5W1H's kinds 0.004)
    stories = db.recompute_story_topics(engine, share=0.0, settle=True)
    _prune(Path(config.data_dir) / "topic_model")
    return {"articles": run.n_docs, "topics": run.n_topics, "stories": stories, "seconds": round(
        time.perf_counter() - started, 2), "path": run.path}


def words_read(title: str, text: str | None, max_words: int) -> str:
    """The text whose words the topic fit and the assignment read (the analyst's keywords, the clustered
    words, c-TF-IDF): the embedded document, without markup and wire credits (``extract.prose``)."""
    return document(headline_prose(title), prose(text or ""), max_words)


def _furniture(engine: Engine, config: Config) -> frozenset[int]:
    return db.furniture(engine, config.dedupe.site_repeats)


def as_read(rows: list[db.ArticleRow], furniture: frozenset[int]) -> list[db.ArticleRow]:
    """The rows as the analysis reads them: without their sites' furniture by today's counts, so the
    same articles give the same text (and the same stories and topics) whatever order they arrived in."""
    if not furniture:
        return rows
    out = []
    for row in rows:
        title, text = readable(row.url, row.title, row.text, furniture)
        out.append(row if (title, text) == (row.title, row.text) else replace(row, title=title, text=text))
    return out


def one_per_copy(rows: list[db.ArticleRow]) -> list[db.ArticleRow]:
    """One article of each group of copies (an original and its duplicates), the first in content order:
    which copy the store calls the original depends on which arrived first, and the fit should read the
    same articles whatever that order was."""
    chosen: dict[int, db.ArticleRow] = {}
    for row in rows:
        group = _group(row)
        if group not in chosen or content_order(row) < content_order(chosen[group]):
            chosen[group] = row
    return list(chosen.values())


def copies_of(stored: list[db.ArticleRow], readers: list[db.ArticleRow]) -> dict[int, list[int]]:
    """Per article the fit reads, the other articles of its group of copies: they take its topic, or a
    refit would leave them under the topic an earlier fit gave them."""
    group = {_group(r): r.id for r in readers}
    out: dict[int, list[int]] = {}
    for row in stored:
        reader = group[_group(row)]
        if reader != row.id:
            out.setdefault(reader, []).append(row.id)
    return out


def _group(row: db.ArticleRow) -> int:
    """The id naming an article's group of copies: its original's, or its own when it is the original."""
    return row.id if row.duplicate_of is None else row.duplicate_of


def content_order(row: db.ArticleRow) -> tuple[str, str, int]:
    """The fit reads articles in an order of their content, not of their ids: ids follow the order in
    which concurrent fetches finished, and UMAP's layout depends on the order of its rows, so the same
    articles crawled twice gave different topics (3 or 12 clusters on one 300-article set)."""
    return row.title, row.text, row.id


def with_linked_examples(engine: Engine, config: Config) -> Config:
    """The configuration with every analyst-topic example given as a link replaced by the stored
    article at that address; a link to an article that is not stored is left out with a warning."""
    from monitor.topics.examples import linked, resolve

    urls = linked(config.topics)
    if not urls:
        return config
    resolved = resolve(config.topics, db.texts_at(engine, urls), config.embedding.max_words)
    for topic, link in resolved.missing:
        log.warning("analyst topic %r: example %s is not a stored article; left out (crawl its feed first, "
                    "or give the example as text)", topic, link)
    return config.model_copy(update={"topics": resolved.seeds})


class StoredTexts(Sequence[str]):
    """The texts of the stored articles ``ids`` as the analysis reads them (``as_read``: without their sites'
    ``furniture``), read from the store when asked for, a slice in one query. A fit reads every text when it
    starts (the words read) and then once more, a piece at a time, for the label names and plain headlines
    (``labels.Corpus``, which a helper process reads while the fit clusters): held in between, the texts
    (0.19 GB at 50,000 news articles, as UTF-8) were a tenth of the fit's peak."""

    def __init__(self, engine: Engine, ids: Sequence[int], furniture: frozenset[int]) -> None:
        self.engine, self.ids, self.furniture = engine, list(ids), furniture

    def __len__(self) -> int:
        return len(self.ids)

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return self._read(self.ids[index])
        return self._read([self.ids[index]])[0]

    def __iter__(self) -> Iterator[str]:
        for at in range(0, len(self.ids), BATCH):
            yield from self._read(self.ids[at:at + BATCH])

    def _read(self, ids: Sequence[int]) -> list[str]:
        stored = db.texts_of(self.engine, ids)  # an article deleted meanwhile reads as no text
        return [readable(*stored[i], self.furniture)[1] if i in stored else "" for i in ids]


@dataclass(frozen=True)
class FitCorpus:
    """What a fit reads: one article of each group of copies, in content order (``content_order``), and
    the other articles of each group (``copies``), which take its topic. The texts themselves are read
    again from the store when asked for (``StoredTexts``)."""

    ids: list[int]
    titles: list[str]
    docs: list[str]  # the words read (``words_read``)
    bodies: Sequence[str]
    vectors: np.ndarray
    copies: dict[int, list[int]]


def read_corpus(engine: Engine, config: Config, model: str, since: datetime | None) -> FitCorpus:
    """The stored articles a fit reads (``db.fit_corpus``), as the analysis reads them (``as_read``)."""
    furniture = _furniture(engine, config)
    stored = as_read(db.fit_corpus(engine, model, since), furniture)
    rows = sorted(one_per_copy(stored), key=content_order)
    vectors = np.vstack([from_bytes(r.vector) for r in rows]) if rows else np.zeros((0, 1), np.float32)
    return FitCorpus([r.id for r in rows], [r.title for r in rows],
                     [words_read(r.title, r.text, config.embedding.max_words) for r in rows],
                     StoredTexts(engine, [r.id for r in rows], furniture), vectors, copies_of(stored, rows))


def _fit_and_save(engine: Engine, config: Config, corpus: FitCorpus, embedder: Embedder, now: datetime,
                  started: float, helper: Helper | None) -> ModelRun:
    """Fit on ``corpus``; the copies of each article take its topic."""
    from monitor.topics.identity import assign_ids
    from monitor.topics.model import SavedSeeds, fit_bertopic, save

    story = db.story_of(engine, corpus.ids)
    model, fitted = fit_bertopic(corpus.docs, corpus.vectors, config.topics, embedder, config.topic_model,
                                 corpus.titles, corpus.bodies, [story.get(i) for i in corpus.ids], helper,
                                 fit_counts(engine, corpus.ids, corpus.docs)  # held by the fit alone
                                 if config.topic_model.features != "embedding" else None)
    identity = assign_ids(fitted.topics, db.all_topics(engine), config.topics,
                          config.topic_model.match_similarity, now)
    relative = Path("topic_model") / f"run-{now:%Y%m%dT%H%M%S}"
    seeded = {t.name: t.id for t in identity.topics if t.seeded}
    seeds = SavedSeeds(tuple(seeded[s.name] for s in config.topics), fitted.seed_vectors,
                       tuple(tuple(s.keywords) for s in config.topics), config.topic_model.evidence_similarity,
                       tuple(tuple(s.must_mention) for s in config.topics))
    save(model, Path(config.data_dir) / relative, embedder.name, identity.mapping, fitted.floors, seeds)
    run = ModelRun(path=relative.as_posix(), embedding_model=embedder.name, bertopic_version=fitted.version,
                   n_docs=len(corpus.ids), n_topics=len(identity.topics), fitted_at=now,
                   seconds=round(time.perf_counter() - started, 2))
    assignments = [(aid, identity.mapping.get(t, -1) if t >= 0 else -1, s)
                   for rid, t, s in zip(corpus.ids, fitted.labels, fitted.scores, strict=True)
                   for aid in (rid, *corpus.copies.get(rid, ()))]
    run = replace(run, id=db.save_fit(engine, run, identity.topics, assignments))
    log.info("fitted %d topics on %d articles in %.1f s", run.n_topics, run.n_docs, run.seconds)
    return run


def fit_counts(engine: Engine, ids: Sequence[int], docs: Sequence[str]) -> features.Counted:
    """The hashed counts of ``docs`` (the words the fit reads of articles ``ids``): stored ones where the words
    read, and the way they are counted (``features.COUNTING``), are the same (their digest), the others
    counted now and stored for the next fit. Counting is the fit's longest Python pass (5.6 s per 10,000
    news-length articles); most of a refit's articles were there at the last one."""
    stored = db.fit_bags(engine, ids)
    fresh: dict[int, tuple[str, bytes, bytes]] = {}
    words, names = [], []
    for aid, doc in zip(ids, docs, strict=True):
        digest = _counted_as(doc)
        kept = stored.get(aid)
        if kept is None or kept[0] != digest:
            kept = fresh[aid] = _count(digest, doc)
        words.append(kept[1])
        names.append(kept[2])
    db.save_fit_bags(engine, fresh)
    return features.from_packed(words, names)


def keep_counts(engine: Engine, rows: list[db.ArticleRow], docs: list[str]) -> None:
    """Count new articles as the next fit will read them (``docs``, their words read) and keep the counts:
    the crawl pays 0.25-0.7 s per 1,000 news articles so that a first fit reads them back instead of counting
    every article (about 27 s at 50,000); an article whose words read otherwise by then is counted again."""
    db.save_fit_bags(engine, {row.id: _count(_counted_as(doc), doc) for row, doc in zip(rows, docs, strict=True)})


def _counted_as(doc: str) -> str:
    """The digest of a document's words and of the way they are counted (``features.COUNTING``)."""
    return hashlib.blake2b(f"{features.COUNTING}\n{doc}".encode(), digest_size=16).hexdigest()


def _count(digest: str, doc: str) -> tuple[str, bytes, bytes]:
    counts = bags("", doc, read_details=False)
    return digest, features.packed(counts.words), features.packed(counts.names)


def _prune(folder: Path) -> None:
    runs = sorted(p for p in folder.glob("run-*") if p.is_dir())
    for old in runs[:-KEEP_MODELS]:
        shutil.rmtree(old, ignore_errors=True)
