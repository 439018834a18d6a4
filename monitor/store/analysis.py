"""Queries and writes of the topic, story and trend stages (the only place they open sessions).

Readers elsewhere (site, digest) may use ``list_topics``, ``list_stories`` and
``story_articles``. Daily counts and alerts live in ``monitor.store.trends``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlmodel import col, delete, select

from monitor.records import ModelRun, TopicRecord
from monitor.store.db import session_scope
from monitor.store.shared import article_time, article_time_of, chunks
from monitor.store.tables import (
    Alert,
    Article,
    ArticleSource,
    ArticleTopic,
    Embedding,
    Feed,
    FitBag,
    SiteLine,
    Story,
    StoryBag,
    StoryMember,
    TermStats,
    Topic,
    TopicModelRun,
)

WHEN = article_time()  # an article's time (monitor.store.shared)


@dataclass(frozen=True)
class ArticleRow:
    id: int
    title: str
    text: str
    when: datetime
    duplicate_of: int | None
    vector: bytes | None = None
    url: str = ""  # canonical address (its site's furniture is read by it)


def _no_embedding(model: str) -> Any:
    return ~sa.exists().where(Embedding.article_id == Article.id, Embedding.model == model)


def _no_story() -> Any:
    return ~sa.exists().where(StoryMember.article_id == Article.id)


def _no_topic() -> Any:
    return ~sa.exists().where(ArticleTopic.article_id == Article.id)


def _text_of(article: Article) -> str:
    return article.text or article.summary or ""


# --- embeddings and stories --------------------------------------------------------------------


def furniture(engine: Engine, repeats: int) -> frozenset[int]:
    """The keys more than ``repeats`` stored articles of their site carried: every line and title ending
    the crawl has left out of some article (``monitor.dedupe.boilerplate.readable``)."""
    if repeats < 1:
        return frozenset()
    with engine.connect() as conn:
        return frozenset(conn.execute(sa.select(SiteLine.key).where(SiteLine.articles > repeats)).scalars())


def pending_counts(engine: Engine, model: str, topics: bool) -> dict[str, int]:
    """How many articles lack an embedding of ``model``, a story, and (if ``topics``) a topic."""
    with session_scope(engine) as s:
        count = sa.select(sa.func.count()).select_from(Article)
        out = {"embed": s.scalar(count.where(_no_embedding(model))) or 0,
               "story": s.scalar(count.where(_no_story())) or 0}
        out["topic"] = (s.scalar(count.where(_no_topic())) or 0) if topics else 0
    return out


def articles_to_embed(engine: Engine, model: str, limit: int) -> list[ArticleRow]:
    with session_scope(engine) as s:
        rows = s.exec(select(Article).where(_no_embedding(model)).order_by(Article.id).limit(limit)).all()
        return [ArticleRow(a.id, a.title, _text_of(a), article_time_of(a.published_at, a.fetched_at), a.duplicate_of,
                           url=a.canonical_url) for a in rows]


def save_embeddings(engine: Engine, model: str, dim: int, rows: Sequence[tuple[int, bytes]], now: datetime) -> None:
    """Store (or replace, for a changed model) one vector per article."""
    ids = [aid for aid, _ in rows]
    with session_scope(engine) as s:
        s.exec(delete(Embedding).where(col(Embedding.article_id).in_(ids)))
        s.add_all(Embedding(article_id=aid, model=model, dim=dim, vector=blob, created_at=now) for aid, blob in rows)


def _with_vectors(model: str) -> Any:
    """Articles joined with their embedding of ``model``."""
    return (sa.select(Article, Embedding.vector).join(Embedding, Embedding.article_id == Article.id)
            .where(Embedding.model == model))


def _vector_rows(s: Any, query: Any) -> list[ArticleRow]:
    return [ArticleRow(a.id, a.title, _text_of(a), article_time_of(a.published_at, a.fetched_at), a.duplicate_of, v,
                       a.canonical_url) for a, v in s.execute(query).all()]


def articles_without_story(engine: Engine, model: str, limit: int) -> list[ArticleRow]:
    with session_scope(engine) as s:
        return _vector_rows(s, _with_vectors(model).where(_no_story()).order_by(WHEN, Article.id).limit(limit))


def recent_articles(engine: Engine, model: str, limit: int) -> list[ArticleRow]:
    """The newest ``limit`` articles with an embedding of ``model``, copies included (story calibration)."""
    with session_scope(engine) as s:
        return _vector_rows(s, _with_vectors(model).order_by(Article.id.desc()).limit(limit))


def stories_for(engine: Engine, since: datetime, ids: Iterable[int] = ()) -> list[Story]:
    """Stories still open (last seen since ``since``) plus the stories with the given ids."""
    ids = list(set(ids))
    with session_scope(engine) as s:
        condition = Story.last_seen_at >= since
        if ids:
            condition = sa.or_(condition, col(Story.id).in_(ids))
        return list(s.exec(select(Story).where(condition)).all())


def story_of(engine: Engine, article_ids: Iterable[int]) -> dict[int, int]:
    ids = list(set(article_ids))
    out: dict[int, int] = {}
    with session_scope(engine) as s:
        for chunk in chunks(ids):
            rows = s.exec(select(StoryMember).where(col(StoryMember.article_id).in_(chunk))).all()
            out.update({m.article_id: m.story_id for m in rows})
    return out


@dataclass(frozen=True)
class StoryUpdate:
    story_id: int | None  # None: a new story
    centroid: bytes
    first_seen: datetime
    last_seen: datetime
    members: tuple[tuple[int, float], ...]  # (article id, similarity) to add


STATS = "stories"


@dataclass(frozen=True)
class StatsDelta:
    """Documents and per-bucket document frequencies to add to the stored term statistics."""

    n_docs: int
    words: Any  # numpy int32 array
    names: Any


def term_stats(engine: Engine) -> tuple[int, bytes | None, bytes | None]:
    with session_scope(engine) as s:
        row = s.get(TermStats, STATS)
        return (row.n_docs, row.words, row.names) if row else (0, None, None)


def _fold_stories(s: Any, merges: dict[int, int]) -> None:
    """Members and alert references of each absorbed story go to its survivor; the absorbed story
    is deleted. Daily counts follow at the next counting pass, which re-tallies the days of every
    article whose story changed."""
    for gone, keep in merges.items():
        s.exec(sa.update(StoryMember).where(StoryMember.story_id == gone).values(story_id=keep))
    for alert in s.exec(select(Alert).where(Alert.story_ids.is_not(None))).all():
        moved = list(dict.fromkeys(merges.get(i, i) for i in alert.story_ids or []))
        if moved != alert.story_ids:
            alert.story_ids = moved
    s.flush()
    s.exec(delete(Story).where(col(Story.id).in_(list(merges))))


def _add_stats(s: Any, delta: StatsDelta, now: datetime) -> None:
    """Add ``delta`` to the stored frequencies (row locked on PostgreSQL: concurrent workers add up)."""
    import numpy as np

    row = s.exec(select(TermStats).where(TermStats.name == STATS).with_for_update()).first()
    if row is None:
        row = TermStats(name=STATS, n_docs=0)
        s.add(row)
    words = np.frombuffer(row.words, np.int32) if row.words else np.zeros_like(delta.words)
    names = np.frombuffer(row.names, np.int32) if row.names else np.zeros_like(delta.names)
    if words.shape != delta.words.shape or names.shape != delta.names.shape:  # hashing changed: start again
        words, names, row.n_docs = np.zeros_like(delta.words), np.zeros_like(delta.names), 0
    row.words = (words + delta.words).astype(np.int32).tobytes()
    row.names = (names + delta.names).astype(np.int32).tobytes()
    row.n_docs += delta.n_docs
    row.updated_at = now


def save_stories(engine: Engine, updates: Sequence[StoryUpdate], delta: StatsDelta | None = None,
                 now: datetime | None = None, merges: dict[int, int] | None = None) -> list[int]:
    """Create or update stories and add their new members, fold each merged story (absorbed id ->
    surviving id) into its survivor, and add the batch's term frequencies, in one transaction;
    returns the ids of the updated stories in order."""
    ids = []
    with session_scope(engine) as s:
        if delta is not None and now is not None:
            _add_stats(s, delta, now)
        if merges:
            _fold_stories(s, merges)
        known = _stories_by_id(s, [up.story_id for up in updates if up.story_id is not None])
        saved = []
        for up in updates:
            story = known.get(up.story_id) if up.story_id is not None else None
            if story is None:
                story = Story(title="", first_seen_at=up.first_seen, last_seen_at=up.last_seen)
                s.add(story)
            story.centroid, story.first_seen_at, story.last_seen_at = up.centroid, up.first_seen, up.last_seen
            saved.append(story)
        s.flush()  # the new stories take their ids in one batched insert, in the order of ``updates``
        for story, up in zip(saved, updates, strict=True):
            s.add_all(StoryMember(article_id=aid, story_id=story.id, similarity=sim) for aid, sim in up.members)
            ids.append(int(story.id))
    return ids


def _stories_by_id(s: Any, ids: list[int]) -> dict[int, Story]:
    """The stories with these ids, read in the caller's session, in one query per 500 ids."""
    out: dict[int, Story] = {}
    for chunk in chunks(ids):
        out.update({st.id: st for st in s.exec(select(Story).where(col(Story.id).in_(chunk))).all()})
    return out


def story_members(engine: Engine, story_ids: Iterable[int], model: str) -> dict[int, list[tuple[int, str, str, bytes]]]:
    """Per story: (article id, title, text, vector of ``model``) of each member with such a vector."""
    ids = list(set(story_ids))
    out: dict[int, list[tuple[int, str, str, bytes]]] = {}
    with session_scope(engine) as s:
        for chunk in chunks(ids):
            query = (sa.select(StoryMember.story_id, Article.id, Article.title,
                               sa.func.coalesce(Article.text, Article.summary, ""), Embedding.vector)
                     .join(Article, StoryMember.article_id == Article.id)
                     .join(Embedding, Embedding.article_id == Article.id)
                     .where(col(StoryMember.story_id).in_(chunk), Embedding.model == model)
                     .order_by(Article.id))
            for sid, aid, title, text, vector in s.execute(query).all():
                out.setdefault(sid, []).append((aid, title, text, vector))
    return out


def finish_stories(engine: Engine, headlines: dict[int, tuple[int | None, dict[int, float]]]) -> None:
    """Per story id: set headline (most central article) and title, member similarities,
    size, distinct outlets and majority topic. A fixed number of queries per 500 stories."""
    ids = list(headlines)
    with session_scope(engine) as s:
        for chunk in chunks(ids):
            _finish_chunk(s, {sid: headlines[sid] for sid in chunk})


def _finish_chunk(s: Any, headlines: dict[int, tuple[int | None, dict[int, float]]]) -> None:
    stories = _stories_by_id(s, list(headlines))
    members = s.exec(select(StoryMember).where(col(StoryMember.story_id).in_(list(headlines)))).all()
    by_story: dict[int, list[int]] = {}
    for m in members:
        m.similarity = headlines[m.story_id][1].get(m.article_id, m.similarity)
        by_story.setdefault(m.story_id, []).append(m.article_id)
    article_ids = [m.article_id for m in members]
    outlets = _outlets_of(s, article_ids)
    current = {a: (t, own) for a, t, own in s.exec(
        select(ArticleTopic.article_id, ArticleTopic.topic_id, ArticleTopic.own_topic_id)
        .where(col(ArticleTopic.article_id).in_(article_ids))).all()}  # -1: unassigned
    titles = dict(s.exec(select(Article.id, Article.title).where(
        col(Article.id).in_([h for h, _ in headlines.values() if h is not None]))).all())
    seeded = _seeded_ids(s)
    for sid, (headline, _) in headlines.items():
        story, arts = stories[sid], by_story.get(sid, [])
        story.size = len(arts)
        story.outlets = len({outlets[a] for a in arts if a in outlets})
        if headline is not None:
            story.headline_article_id, story.title = headline, titles[headline]
        placed = [_own(*current[a]) for a in arts if a in current]  # one the crawl has not placed is not counted
        story.topic_id = _story_topic([t for t in placed if t >= 0], len(placed), seeded)
    _members_take_story_topics(s, by_story, {sid: stories[sid].topic_id for sid in headlines}, current, seeded)


def _outlets_of(s: Any, ids: list[int]) -> dict[int, Any]:
    """An outlet key per article: its first feed, else its site name, else its host."""
    rows = s.exec(select(Article.id, Article.first_feed_id, Article.site_name, Article.canonical_url)
                  .where(col(Article.id).in_(ids))).all()
    return {a: ("feed", f) if f is not None else ("site", site or urlsplit(url).hostname or url)
            for a, f, site, url in rows}


def _seeded_ids(s: Any) -> set[int]:
    """The analyst topics' ids."""
    return set(s.exec(select(Topic.id).where(Topic.seeded)).all())


def _majority(values: list[int]) -> int | None:
    return max(sorted(set(values)), key=values.count) if values else None


HELD_SHARE = 0.5  # of a story's members a discovered topic must hold to be the story's between refits


def _own(topic: int, own: int | None) -> int:
    """A member's own topic: the one the model placed it in (``ArticleTopic.own_topic_id``, else ``topic_id``)."""
    return topic if own is None else own


def _story_topic(topics: list[int], members: int, seeded: set[int], share: float = HELD_SHARE) -> int | None:
    """The majority of the members' own topics; a discovered one only when it holds at least ``share`` of the
    story's ``members`` (an unassigned member counts against it). Between refits one report of a new event
    placed near an old topic would otherwise carry the whole event into that topic (bench/between_refits.py),
    and a member counts by its own placement, not by a topic its story handed it: counted, each hand-on
    would make the next one easier. An analyst topic is earned by each member's own evidence and never
    handed on, so any majority carries it."""
    topic = _majority(topics)
    if topic is None or topic in seeded or topics.count(topic) >= share * members:
        return topic
    return None


def recompute_story_topics(engine: Engine, story_ids: Iterable[int] | None = None, share: float = HELD_SHARE,
                           settle: bool = False) -> int:
    """Set each story's topic (``_story_topic``, with ``share``; all stories if ``story_ids`` is None), and
    let its members take it (``_members_take_story_topics``). ``settle``: the topic a member takes becomes
    its own (after a fit, which clustered every member: one it left out of its story's topic is an outlier
    of that topic, not a report of another event)."""
    query = (sa.select(StoryMember.story_id, StoryMember.article_id, ArticleTopic.topic_id, ArticleTopic.own_topic_id)
             .join(ArticleTopic, ArticleTopic.article_id == StoryMember.article_id))
    wanted = None if story_ids is None else list(set(story_ids))
    queries = [query] if wanted is None else [query.where(col(StoryMember.story_id).in_(chunk))
                                              for chunk in chunks(wanted)]
    with session_scope(engine) as s:
        topics: dict[int, list[int]] = {}
        members: dict[int, list[int]] = {}
        current: dict[int, tuple[int, int | None]] = {}
        for part in queries:
            for sid, aid, tid, own in s.execute(part).all():
                members.setdefault(sid, []).append(aid)
                current[aid] = (tid, own)
                if (mine := _own(tid, own)) >= 0:
                    topics.setdefault(sid, []).append(mine)
        # a story none of whose members has a topic has none (not the topic of an earlier fit)
        seeded = _seeded_ids(s)
        values = [{"id": sid, "topic_id": _story_topic(topics.get(sid, []), len(arts), seeded, share)}
                  for sid, arts in members.items()]
        if values:
            s.execute(sa.update(Story), values)
        _members_take_story_topics(s, members, {v["id"]: v["topic_id"] for v in values}, current, seeded, settle)
        return sum(v["topic_id"] is not None for v in values)


def _members_take_story_topics(s: Any, members: dict[int, list[int]], story_topics: dict[int, int | None],
                               current: dict[int, tuple[int, int | None]], seeded: set[int],
                               settle: bool = False) -> None:
    """A story is one event, so it is read under one topic: members whose own topic is unassigned or another
    discovered topic take their story's topic when it is a discovered one, and keep their own in
    ``own_topic_id``; a member whose story holds no discovered topic (any more) is read under its own
    again. An analyst topic is never given this way (an article belongs to one only on its own evidence),
    and a member in an analyst topic keeps it. ``current``: each member's (topic_id, own_topic_id) as the
    caller read them (a member without them is left alone); ``seeded``: the analyst topics' ids;
    ``settle``: the topic taken becomes the member's own."""
    changes = []
    for sid, topic in story_topics.items():
        given = topic if topic is not None and topic not in seeded else None
        for a in members.get(sid, []):
            if a not in current:
                continue
            read, own = current[a]
            mine = _own(read, own)
            wanted = mine if given is None or mine in seeded else given
            keep = None if settle or wanted == mine else mine
            if (wanted, keep) != (read, own):
                changes.append({"article_id": a, "topic_id": wanted, "own_topic_id": keep})
    for chunk in chunks(changes):
        s.execute(sa.update(ArticleTopic), chunk)


# --- topics --------------------------------------------------------------------------------


def current_run(engine: Engine) -> ModelRun | None:
    with session_scope(engine) as s:
        row = s.exec(select(TopicModelRun).where(TopicModelRun.current).order_by(col(TopicModelRun.id).desc())
                     ).first()
        return None if row is None else ModelRun(row.path, row.embedding_model, row.bertopic_version, row.n_docs,
                                                 row.n_topics, row.fitted_at, row.seconds, row.id)


def vectors_without_topic(engine: Engine, model: str, limit: int) -> list[tuple[int, bytes, str, str, str]]:
    """(article id, vector of ``model``, title, text, canonical address) of articles without a topic."""
    with session_scope(engine) as s:
        query = (sa.select(Article.id, Embedding.vector, Article.title,
                           sa.func.coalesce(Article.text, Article.summary, ""), Article.canonical_url)
                 .join(Embedding, Embedding.article_id == Article.id)
                 .where(Embedding.model == model, _no_topic()).order_by(Article.id).limit(limit))
        return [(int(a), v, title, text, url) for a, v, title, text, url in s.execute(query).all()]


@dataclass(frozen=True)
class Placed:
    """A stored article as the topic stage read it: its vector of one model (None: not embedded yet) and the
    topic it is read under (None: not placed yet; -1: unassigned)."""

    id: int
    url: str
    title: str
    text: str
    vector: bytes | None
    topic_id: int | None
    score: float | None


def placed_at(engine: Engine, canonical_url: str, model: str) -> Placed | None:
    """The stored article at this canonical address, with its vector of ``model`` and its topic."""
    with session_scope(engine) as s:
        row = s.execute(
            sa.select(Article.id, Article.canonical_url, Article.title,
                      sa.func.coalesce(Article.text, Article.summary, ""), Embedding.vector, ArticleTopic.topic_id,
                      ArticleTopic.score)
            .outerjoin(Embedding, (Embedding.article_id == Article.id) & (Embedding.model == model))
            .outerjoin(ArticleTopic, ArticleTopic.article_id == Article.id)
            .where(Article.canonical_url == canonical_url)).first()
    return None if row is None else Placed(int(row[0]), *row[1:])


def fit_corpus(engine: Engine, model: str, since: datetime | None) -> list[ArticleRow]:
    """Articles with an embedding of ``model``, for a refit: originals and their copies (the fit reads one
    article of each group of copies)."""
    with session_scope(engine) as s:
        return _vector_rows(s, _fit_query(model, since).order_by(Article.id))


def _fit_query(model: str, since: datetime | None) -> Any:
    query = _with_vectors(model)
    return query if since is None else query.where(WHEN >= since)


Kept = dict[int, tuple[str, bytes, bytes]]  # kept counts of articles: {id: (digest, words, names)}


def fit_bags(engine: Engine, ids: Sequence[int]) -> Kept:
    """The stored fit counts of these articles."""
    return _bags(engine, FitBag, ids)


def save_fit_bags(engine: Engine, bags: Kept) -> None:
    """Store (or replace) these articles' fit counts."""
    _save_bags(engine, FitBag, bags)


def story_bags(engine: Engine, ids: Sequence[int]) -> Kept:
    """The stored story-pass counts of these articles."""
    return _bags(engine, StoryBag, ids)


def save_story_bags(engine: Engine, bags: Kept, below: int | None = None) -> None:
    """Store (or replace) these articles' story-pass counts, and drop those of articles older than
    ``below`` (an article id): the bars' reference never reads them again."""
    _save_bags(engine, StoryBag, bags, below)


def _bags(engine: Engine, table: type[FitBag] | type[StoryBag], ids: Sequence[int]) -> Kept:
    out: Kept = {}
    with session_scope(engine) as s:
        for chunk in chunks(list(ids)):
            query = sa.select(table.article_id, table.digest, table.words, table.names)
            for aid, digest, words, names in s.execute(query.where(col(table.article_id).in_(chunk))).all():
                out[aid] = (digest, bytes(words), bytes(names))
    return out


def _save_bags(engine: Engine, table: type[FitBag] | type[StoryBag], bags: Kept, below: int | None = None) -> None:
    if not bags and below is None:
        return
    with session_scope(engine) as s:
        if below is not None:
            s.exec(delete(table).where(col(table.article_id) < below))
        for chunk in chunks(list(bags)):
            s.exec(delete(table).where(col(table.article_id).in_(chunk)))
        if bags:
            s.execute(sa.insert(table), [{"article_id": a, "digest": d, "words": w, "names": n}
                                         for a, (d, w, n) in bags.items()])


def fit_corpus_size(engine: Engine, model: str, since: datetime | None) -> int:
    """How many articles ``fit_corpus`` would read (embedded ones only: a fit embeds the rest first)."""
    with session_scope(engine) as s:
        return int(s.execute(sa.select(sa.func.count()).select_from(_fit_query(model, since).subquery())).scalar_one())


def all_topics(engine: Engine) -> list[TopicRecord]:
    with session_scope(engine) as s:
        return all_topics_in(s)


def all_topics_in(session: Any) -> list[TopicRecord]:
    """Every topic, by id, read in a session the caller holds."""
    return [_topic_record(t) for t in session.exec(select(Topic).order_by(Topic.id)).all()]


def _topic_record(row: Topic) -> TopicRecord:
    return TopicRecord(row.id, row.name, row.description, tuple(row.keywords or ()), tuple(row.headlines or ()),
                       row.seeded, row.size, row.centroid, row.active, row.first_seen_at, row.updated_at)


def _topic_row(t: TopicRecord) -> Topic:
    return Topic(id=t.id, name=t.name, description=t.description, keywords=list(t.keywords),
                 headlines=list(t.headlines) or None, seeded=t.seeded, size=t.size, centroid=t.centroid,
                 active=t.active, first_seen_at=t.first_seen_at, updated_at=t.updated_at)


def save_fit(engine: Engine, fitted: ModelRun, topics: Sequence[TopicRecord],
             assignments: Sequence[tuple[int, int, float | None]]) -> int:
    """Record a fitted model as current, upsert its topics (others become inactive), assign articles."""
    with session_scope(engine) as s:
        s.execute(sa.update(TopicModelRun).values(current=False))
        run = TopicModelRun(path=fitted.path, embedding_model=fitted.embedding_model,
                            bertopic_version=fitted.bertopic_version, n_docs=fitted.n_docs, n_topics=fitted.n_topics,
                            fitted_at=fitted.fitted_at, seconds=fitted.seconds, current=True)
        s.add(run)
        s.flush()
        s.execute(sa.update(Topic).values(active=False))
        for topic in topics:
            s.merge(_topic_row(topic))
        _replace_assignments(s, int(run.id), assignments, run.fitted_at)
        return int(run.id)


def save_assignments(engine: Engine, run_id: int, assignments: Sequence[tuple[int, int, float | None]],
                     now: datetime) -> None:
    with session_scope(engine) as s:
        _replace_assignments(s, run_id, assignments, now)


def _replace_assignments(s: Any, run_id: int, assignments: Sequence[tuple[int, int, float | None]],
                         now: datetime) -> None:
    """The articles' topics, in one executemany (not one ORM object per article: 50,000 of them took
    seconds of a refit)."""
    for chunk in chunks([a for a, _, _ in assignments]):
        s.exec(delete(ArticleTopic).where(col(ArticleTopic.article_id).in_(chunk)))
    if assignments:
        s.execute(sa.insert(ArticleTopic), [{"article_id": a, "topic_id": t, "score": p, "model_run_id": run_id,
                                            "assigned_at": now} for a, t, p in assignments])


# --- readers ---------------------------------------------------------------------------------


def list_topics(engine: Engine, active_only: bool = True) -> list[TopicRecord]:
    with session_scope(engine) as s:
        query = select(Topic).order_by(col(Topic.size).desc(), Topic.id)
        return [_topic_record(t) for t in s.exec(query.where(Topic.active) if active_only else query).all()]


def get_topic(engine: Engine, topic_id: int) -> Topic | None:
    with session_scope(engine) as s:
        return s.get(Topic, topic_id)


def topic_articles(engine: Engine, topic_id: int, limit: int = 10) -> list[Article]:
    with session_scope(engine) as s:
        query = (select(Article).join(ArticleTopic, col(ArticleTopic.article_id) == col(Article.id))
                 .where(ArticleTopic.topic_id == topic_id).order_by(WHEN.desc()).limit(limit))
        return list(s.exec(query).all())


def list_stories(engine: Engine, since: datetime | None = None, min_size: int = 1, limit: int = 50) -> list[Story]:
    """Stories last seen since ``since``, biggest (most outlets) first."""
    with session_scope(engine) as s:
        query = select(Story).where(Story.size >= min_size)
        if since is not None:
            query = query.where(Story.last_seen_at >= since)
        query = query.order_by(col(Story.outlets).desc(), col(Story.size).desc(), col(Story.last_seen_at).desc())
        return list(s.exec(query.limit(limit)).all())


def story_articles(engine: Engine, story_id: int) -> list[Article]:
    with session_scope(engine) as s:
        query = (select(Article).join(StoryMember, col(StoryMember.article_id) == col(Article.id))
                 .where(StoryMember.story_id == story_id).order_by(WHEN))
        return list(s.exec(query).all())


# --- corpus loading (tests, benchmarks, demo) --------------------------------------------------


def add_corpus(engine: Engine, articles: Sequence[Any], base_url: str, now: datetime) -> dict[str, int]:
    """Store ``monitor.demo.corpus.CorpusArticle`` records as crawled articles (one feed per outlet).

    Returns ``{corpus id: article id}``. Used by tests and benchmarks to skip the crawl.
    """
    import hashlib

    ids: dict[str, int] = {}
    with session_scope(engine) as s:
        feeds = {f.name: f for f in s.exec(select(Feed)).all()}
        for outlet in sorted({a.outlet for a in articles} - set(feeds)):
            feeds[outlet] = Feed(name=outlet, url=f"{base_url}/{outlet.lower().replace(' ', '-')}/feed.xml",
                                 created_at=now)
            s.add(feeds[outlet])
        s.flush()
        for a in articles:
            url = base_url + a.url_path
            row = Article(canonical_url=url, url=url, first_feed_id=feeds[a.outlet].id, title=a.title, text=a.text,
                          published_at=a.published, published_source="feed", fetched_at=a.published,
                          content_hash=hashlib.sha256(a.text.encode()).hexdigest(), status="extracted",
                          site_name=a.outlet, language="en", word_count=len(a.text.split()))
            s.add(row)
            s.flush()
            s.add(ArticleSource(article_id=row.id, feed_id=feeds[a.outlet].id, entry_url=url, seen_at=a.published))
            ids[a.id] = int(row.id)
    return ids


def texts_of(engine: Engine, ids: Sequence[int]) -> dict[int, tuple[str, str, str]]:
    """Canonical address, title and text (or summary) of the stored articles ``ids``."""
    return _texts(engine, Article.id, ids)


def texts_at(engine: Engine, canonical_urls: Sequence[str]) -> dict[str, tuple[str, str]]:
    """Title and text (or summary) of the stored articles at these canonical addresses."""
    found = _texts(engine, Article.canonical_url, canonical_urls)
    return {url: (title, text) for url, (_, title, text) in found.items()}


def _texts(engine: Engine, key: Any, values: Sequence[Any]) -> dict[Any, tuple[str, str, str]]:
    """Canonical address, title and text (or summary) of the stored articles whose ``key`` column is among
    ``values``, by that value."""
    out: dict[Any, tuple[str, str, str]] = {}
    with session_scope(engine) as s:
        for chunk in chunks(list(values)):
            rows = s.exec(select(key, Article.canonical_url, Article.title, Article.text, Article.summary)
                          .where(col(key).in_(chunk))).all()
            out.update({k: (url, title, text or summary or "") for k, url, title, text, summary in rows})
    return out
