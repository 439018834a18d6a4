"""Queries on what articles name (``mention``): per story, per topic, per entity and per pair of entities.

Only articles that are not duplicates count; the pure logic (new pairings, strongest co-mentions)
is in :mod:`monitor.mentions.pairs`. Results are plain records (monitor.records).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import combinations
from typing import Any
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine
from sqlalchemy.orm import aliased

from monitor.mentions.pairs import Pair, Pairing, Sighting, new_pairings, strongest
from monitor.records import Link, ListedView, Named, NamedPage, PairingView, PairSeries, StoryRecord
from monitor.store.db import session_scope
from monitor.store.shared import article_time, chunks, midnight, time_from
from monitor.store.tables import Article, ArticleTopic, Feed, Mention, Story, StoryMember

ENTITY = "entity"


def utc_day(session: Any, when: Any) -> Any:
    """SQL: the UTC date of a timestamp, on SQLite and PostgreSQL."""
    if session.get_bind().dialect.name == "postgresql":
        return sa.cast(sa.func.timezone("UTC", when), sa.Date)
    return sa.func.date(when)


def as_date(value: date | str) -> date:
    return date.fromisoformat(value) if isinstance(value, str) else value


def _ordered(a: str, b: str) -> Pair:
    return (a, b) if a < b else (b, a)


def _named(rows: Any) -> list[Named]:
    """(kind, key, label, articles, mentions) rows, most articles first."""
    out = [Named(kind, key, label, int(n), int(m or 0)) for kind, key, label, n, m in rows]
    return sorted(out, key=lambda x: (-x.articles, -x.mentions, x.label, x.key))


def _grouped(session: Any, group: Any, where: Sequence[Any], join: Any) -> dict[int, list[Named]]:
    m = Mention
    query = (sa.select(group, m.kind, m.key, sa.func.max(m.label), sa.func.count(), sa.func.sum(m.count))
             .select_from(m).join(Article, Article.id == m.article_id).join(*join)
             .where(Article.duplicate_of.is_(None), *where).group_by(group, m.kind, m.key))
    rows: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for gid, *rest in session.execute(query):
        rows[gid].append(tuple(rest))
    return {gid: _named(r) for gid, r in rows.items()}


def story_named(engine: Engine, story_ids: Sequence[int]) -> dict[int, list[Named]]:
    """Per story, what its articles name (with how many of its articles name each)."""
    out: dict[int, list[Named]] = {}
    with session_scope(engine) as s:
        for chunk in chunks(list(story_ids)):
            out.update(_grouped(s, StoryMember.story_id, [StoryMember.story_id.in_(chunk)],
                                (StoryMember, StoryMember.article_id == Article.id)))
    return out


def topic_named(engine: Engine, since: datetime, kinds: Sequence[str] = (ENTITY,), limit: int = 10
                ) -> dict[int, list[Named]]:
    """Per topic, what its articles since ``since`` name most."""
    with session_scope(engine) as s:
        found = _grouped(s, ArticleTopic.topic_id,
                         [ArticleTopic.topic_id >= 0, Mention.kind.in_(list(kinds)), time_from(since)],
                         (ArticleTopic, ArticleTopic.article_id == Article.id))
    return {t: names[:limit] for t, names in found.items()}


def named_stamps(engine: Engine) -> dict[int, str]:
    """Per story, a string that changes when what its articles name changes (for rebuilding its page)."""
    m = Mention
    with session_scope(engine) as s:
        rows = s.execute(sa.select(StoryMember.story_id, sa.func.count(), sa.func.sum(m.count),
                                   sa.func.sum(sa.func.length(m.key)))
                         .join(m, m.article_id == StoryMember.article_id).group_by(StoryMember.story_id))
        return {sid: f"{n}/{total}/{length}" for sid, n, total, length in rows}


def daily(engine: Engine, kind: str, first: date, last: date) -> dict[str, dict[date, int]]:
    """``{key: {day: articles naming it}}`` for one kind, days in UTC."""
    when = article_time()
    with session_scope(engine) as s:
        day = utc_day(s, when)
        rows = s.execute(sa.select(Mention.key, day, sa.func.count()).join(Article, Article.id == Mention.article_id)
                         .where(Mention.kind == kind, Article.duplicate_of.is_(None), time_from(midnight(first)),
                                when < midnight(last, 1))
                         .group_by(Mention.key, day))
        out: dict[str, dict[date, int]] = defaultdict(dict)
        for key, d, n in rows:
            out[key][as_date(d)] = int(n)
        return dict(out)


def totals(engine: Engine, kind: str, since: datetime | None = None) -> list[Named]:
    """Everything of one kind named since ``since`` (None: ever), most articles first."""
    m = Mention
    with session_scope(engine) as s:
        query = (sa.select(m.kind, m.key, sa.func.max(m.label), sa.func.count(), sa.func.sum(m.count))
                 .join(Article, Article.id == m.article_id)
                 .where(m.kind == kind, Article.duplicate_of.is_(None)).group_by(m.kind, m.key))
        if since is not None:
            query = query.where(time_from(since))
        return _named(s.execute(query))


def key_stories(engine: Engine, kind: str, keys: Sequence[str], limit: int = 10, newest: bool = False
                ) -> dict[str, list[tuple[int, int]]]:
    """Per key, (story id, its articles naming the key): most such articles first, or newest story first."""
    m = Mention
    out: dict[str, list[tuple[int, int, Any]]] = defaultdict(list)
    with session_scope(engine) as s:
        for chunk in chunks(list(keys)):
            rows = s.execute(sa.select(m.key, StoryMember.story_id, sa.func.count(), Story.last_seen_at)
                             .join(StoryMember, StoryMember.article_id == m.article_id)
                             .join(Story, Story.id == StoryMember.story_id)
                             .join(Article, Article.id == m.article_id)
                             .where(m.kind == kind, m.key.in_(chunk), Article.duplicate_of.is_(None))
                             .group_by(m.key, StoryMember.story_id, Story.last_seen_at))
            for key, sid, n, last in rows:
                out[key].append((sid, int(n), last))
    order = (lambda r: (-r[2].timestamp(), r[0])) if newest else (lambda r: (-r[1], -r[2].timestamp(), r[0]))
    return {k: [(sid, n) for sid, n, _ in sorted(v, key=order)[:limit]] for k, v in out.items()}


def _pair_query(since: datetime | None = None, until: datetime | None = None) -> tuple[Any, Any, Any]:
    """(select from two mentions of one article, the first, the second): entity pairs, not duplicates."""
    m1, m2 = aliased(Mention), aliased(Mention)
    when = article_time()
    base = (sa.select().select_from(m1)
            .join(m2, sa.and_(m2.article_id == m1.article_id, m2.kind == ENTITY, m1.key < m2.key))
            .join(Article, Article.id == m1.article_id)
            .where(m1.kind == ENTITY, Article.duplicate_of.is_(None)))
    if since is not None:
        base = base.where(time_from(since))
    if until is not None:
        base = base.where(when < until)
    return base, m1, m2


def co_mentions(engine: Engine, since: datetime | None = None) -> dict[Pair, int]:
    """Articles naming both entities of each pair."""
    base, m1, m2 = _pair_query(since)
    with session_scope(engine) as s:
        rows = s.execute(base.add_columns(m1.key, m2.key, sa.func.count()).group_by(m1.key, m2.key))
        return {_ordered(a, b): int(n) for a, b, n in rows}


def _pair_days(engine: Engine, by: str, since: datetime, until: datetime | None,
               without: frozenset[str] = frozenset()) -> Counter[tuple[int, date, str, str]]:
    """Articles naming each pair of entities (none of them in ``without``), per story or topic and UTC day.

    The entities each article names are read once and paired here: on a year of data that is faster
    than joining the mention table with itself and grouping the pairs in SQL."""
    table, column = (StoryMember, StoryMember.story_id) if by == "story" else (ArticleTopic, ArticleTopic.topic_id)
    when = article_time()
    # the articles of the period first, then their mentions by key (not every entity mention, then its article)
    period = sa.select(Article.id).where(Article.duplicate_of.is_(None), time_from(since)).correlate(None)
    if until is not None:
        period = period.where(when < until)
    named_by: dict[tuple[int, int], tuple[date, list[str]]] = {}
    with session_scope(engine) as s:
        query = (sa.select(column, Mention.article_id, utc_day(s, when), Mention.key).select_from(Mention)
                 .join(Article, Article.id == Mention.article_id).join(table, table.article_id == Article.id)
                 .where(Mention.kind == ENTITY, Mention.article_id.in_(period)))
        for gid, aid, day, key in s.execute(query):
            if key not in without:
                named_by.setdefault((gid, aid), (day, []))[1].append(key)
    counts: Counter[tuple[int, date, str, str]] = Counter()
    for (gid, _aid), (day, keys) in named_by.items():
        if len(keys) > 1:
            keys.sort()
            counts.update((gid, day, a, b) for a, b in combinations(keys, 2))
    return counts


def pair_timeline(engine: Engine, by: str, since: datetime, until: datetime | None = None
                  ) -> list[tuple[int, date, str, str, int]]:
    """Co-mentions per story (``by="story"``) or topic (``"topic"``) per day: (id, day, a, b, articles)."""
    return sorted((gid, as_date(day), a, b, n) for (gid, day, a, b), n in _pair_days(engine, by, since, until).items())


def strongest_pairs(engine: Engine, by: str, since: datetime, until: datetime, limit: int = 5,
                    without: frozenset[str] = frozenset()) -> dict[int, list[PairSeries]]:
    """Per topic (or story), the ``limit`` pairs of entities (none in ``without``: the news media) named
    together in most of its articles in [since, until), each with its articles per UTC day."""
    counts = _pair_days(engine, by, since, until, without)
    totals: dict[int, Counter[Pair]] = defaultdict(Counter)
    for (gid, _day, a, b), n in counts.items():
        totals[gid][(a, b)] += n
    top = {gid: sorted(found.items(), key=lambda kv: (-kv[1], kv[0]))[:limit] for gid, found in totals.items()}
    wanted = {(gid, pair) for gid, found in top.items() for pair, _ in found}
    days: dict[tuple[int, Pair], dict[date, int]] = defaultdict(dict)
    for (gid, day, a, b), n in counts.items():
        if (gid, (a, b)) in wanted:
            days[(gid, (a, b))][as_date(day)] = n
    names = labels(engine, ENTITY, [k for _gid, pair in wanted for k in pair])
    return {gid: [PairSeries(Named(ENTITY, a, names.get(a, a)), Named(ENTITY, b, names.get(b, b)), n,
                             tuple(sorted(days[(gid, (a, b))].items()))) for (a, b), n in found]
            for gid, found in top.items()}


def sightings(engine: Engine, since: datetime, until: datetime) -> list[Sighting]:
    """Every article in [since, until) naming two entities, once per pair, with its outlet and story."""
    base, m1, m2 = _pair_query(since, until)
    query = (base.outerjoin(Feed, Feed.id == Article.first_feed_id)
             .outerjoin(StoryMember, StoryMember.article_id == Article.id)
             .add_columns(m1.key, m2.key, Article.id, Feed.name, Article.site_name, Article.url, article_time(),
                          StoryMember.story_id))
    with session_scope(engine) as s:
        rows = s.execute(query).all()
    return [Sighting(*_ordered(a, b), aid, feed or site or urlsplit(url or "").hostname or "", when, story)
            for a, b, aid, feed, site, url, when, story in rows]


def seen_before(engine: Engine, pairs: Sequence[Pair], before: datetime) -> set[Pair]:
    """Which of ``pairs`` some article before ``before`` already named together."""
    keys = sorted({k for pair in pairs for k in pair})
    wanted = set(pairs)
    found: set[Pair] = set()
    with session_scope(engine) as s:
        for chunk in chunks(keys, 250):
            base, m1, m2 = _pair_query(until=before)
            query = base.add_columns(m1.key, m2.key).where(m1.key.in_(chunk), m2.key.in_(keys)).distinct()
            found |= {_ordered(a, b) for a, b in s.execute(query)} & wanted
    return found


def find_pairings(engine: Engine, since: datetime, until: datetime, min_sources: int) -> list[Pairing]:
    """Entities named together for the first time in [since, until) by ``min_sources`` outlets or more."""
    rows = sightings(engine, since, until)
    old = seen_before(engine, sorted({(r.a, r.b) for r in rows}), since)
    return new_pairings(rows, old, min_sources)


def labels(engine: Engine, kind: str, keys: Sequence[str]) -> dict[str, str]:
    with session_scope(engine) as s:
        out: dict[str, str] = {}
        for chunk in chunks(sorted(set(keys))):
            out.update(s.execute(sa.select(Mention.key, sa.func.max(Mention.label))
                                 .where(Mention.kind == kind, Mention.key.in_(chunk)).group_by(Mention.key)).all())
        return out


def _links(session: Any, ids: Sequence[int]) -> dict[int, Link]:
    when = article_time()
    out: dict[int, Link] = {}
    for chunk in chunks(list(ids)):
        rows = session.execute(sa.select(Article.id, Article.title, Article.url, Feed.name, Article.site_name, when)
                               .outerjoin(Feed, Feed.id == Article.first_feed_id).where(Article.id.in_(chunk)))
        for aid, title, url, feed, site, time in rows:
            out[aid] = Link(title or "", url or "", feed or site or urlsplit(url or "").hostname or "", time)
    return out


def pairing_views(engine: Engine, found: Sequence[Pairing], articles: int = 3) -> list[PairingView]:
    names = labels(engine, ENTITY, [k for p in found for k in (p.a, p.b)])
    with session_scope(engine) as s:
        links = _links(s, [i for p in found for i in p.articles[:articles]])
    return [PairingView(Named(ENTITY, p.a, names.get(p.a, p.a)), Named(ENTITY, p.b, names.get(p.b, p.b)),
                        p.first_seen, p.corroborated, p.outlets,
                        tuple(links[i] for i in p.articles[:articles] if i in links)) for p in found]


def listed_in(engine: Engine, start: datetime, end: datetime, articles: int = 3) -> list[ListedView]:
    """Listed parties named by articles in [start, end), most articles first, with the list's details."""
    when = article_time()
    with session_scope(engine) as s:
        rows = s.execute(sa.select(Mention.key, Mention.label, Mention.detail, Article.id)
                         .join(Article, Article.id == Mention.article_id)
                         .where(Mention.kind == "listed", Article.duplicate_of.is_(None), when >= start, when < end)
                         .order_by(when, Article.id)).all()
        links = _links(s, sorted({r[3] for r in rows}))
    grouped: dict[str, list[Any]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    out = []
    for key, group in grouped.items():
        detail = tuple(sorted((str(k), str(v)) for k, v in (group[0][2] or {}).items()))
        party = Named("listed", key, group[0][1], len(group), 0, detail)
        out.append(ListedView(party, tuple(links[r[3]] for r in group[:articles])))
    return sorted(out, key=lambda v: (-v.party.articles, v.party.label, v.party.key))


MAX_PAGES = 2000  # entities (or instruments) with a page: those named in the most articles


def _story_records(session: Any, ids: Sequence[int]) -> dict[int, StoryRecord]:
    out: dict[int, StoryRecord] = {}
    for chunk in chunks(sorted(set(ids))):
        for s in session.execute(sa.select(Story).where(Story.id.in_(chunk))).scalars():
            out[s.id] = StoryRecord(s.id or 0, s.title, s.size, s.outlets, s.first_seen_at, s.last_seen_at, s.topic_id)
    return out


def named_pages(engine: Engine, kind: str, days: Sequence[date], stories: int = 10, co: int = 10) -> list[NamedPage]:
    """One page's worth per entity or instrument named in ``days``: daily articles, top stories (instruments:
    newest first), strongest co-mentions (entities)."""
    since = midnight(days[0])
    found = totals(engine, kind, since)[:MAX_PAGES]
    keys = [n.key for n in found]
    series = daily(engine, kind, days[0], days[-1])
    top = key_stories(engine, kind, keys, stories, newest=kind != ENTITY)
    pairs_ = co_mentions(engine, since) if kind == ENTITY else {}
    by_key = {n.key: n for n in found}
    missing = labels(engine, ENTITY, [k for pair in pairs_ for k in pair if k not in by_key]) if pairs_ else {}
    by_key.update({k: Named(ENTITY, k, label) for k, label in missing.items()})
    with session_scope(engine) as s:
        views = _story_records(s, [sid for v in top.values() for sid, _ in v])
    out = []
    for n in found:
        others = tuple((by_key.get(k) or Named(ENTITY, k, k), c) for k, c in strongest(pairs_, n.key, co))
        out.append(NamedPage(n, tuple(series.get(n.key, {}).get(d, 0) for d in days),
                             tuple(views[sid] for sid, _ in top.get(n.key, []) if sid in views), others))
    return out
