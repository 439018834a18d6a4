"""Queries behind coverage by bloc: a story's articles with their feed's bloc, region and ownership.

Returns ``CoverageMember`` records; the rule and the arithmetic are in ``monitor.trends.coverage``.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.records import UNKNOWN_BLOC, CoverageMember
from monitor.store.db import session_scope
from monitor.store.shared import article_time, chunks, time_from
from monitor.store.named import as_date, utc_day
from monitor.store.tables import Article, ArticleTopic, Feed, Story, StoryMember

TEXT_CHARS = 3000  # of each article, for distinguishing terms


def members(engine: Engine, story_ids: Sequence[int], text: bool = False) -> dict[int, list[CoverageMember]]:
    """Each story's articles (oldest first) with their first feed's bloc, region and ownership."""
    when = article_time().label("t")
    body = (sa.func.substr(Article.title + " " + sa.func.coalesce(Article.text, Article.summary, ""), 1, TEXT_CHARS)
            if text else sa.literal(""))
    out: dict[int, list[CoverageMember]] = {}
    with session_scope(engine) as s:
        for chunk in chunks(sorted(set(story_ids))):
            rows = s.execute(
                sa.select(StoryMember.story_id, Feed.name, Article.site_name, Article.url, when, Feed.bloc,
                          Feed.region, Feed.ownership, body)
                .join(Article, Article.id == StoryMember.article_id)
                .outerjoin(Feed, Feed.id == Article.first_feed_id)
                .where(StoryMember.story_id.in_(chunk)).order_by(when, Article.id))
            for sid, feed, site, url, t, bloc, region, owner, words in rows:
                outlet = feed or site or urlsplit(url or "").hostname or ""
                out.setdefault(sid, []).append(CoverageMember(outlet, t, bloc, region, owner, words or ""))
    return out


def one_sided_candidates(engine: Engine, start: datetime, end: datetime, min_outlets: int
                         ) -> list[tuple[int, str, datetime]]:
    """Stories reported in [start, end) by at least ``min_outlets`` outlets (id, title, first seen), most
    outlets first: those whose coverage can be one-sided."""
    with session_scope(engine) as s:
        return [(int(sid), title, first) for sid, title, first in s.execute(
            sa.select(Story.id, Story.title, Story.first_seen_at)
            .where(Story.last_seen_at >= start, Story.first_seen_at < end, Story.outlets >= min_outlets)
            .order_by(Story.outlets.desc(), Story.id))]


BlocDays = dict[str, dict[date, int]]  # bloc (UNKNOWN_BLOC: no bloc) -> UTC day -> articles


def bloc_days(engine: Engine, since: datetime, until: datetime) -> tuple[BlocDays, dict[int, BlocDays]]:
    """Articles (not duplicates) published in [since, until) per UTC day by their first feed's bloc: all of
    them, and per topic (the share of voice per bloc, :func:`monitor.trends.coverage.bloc_shares`)."""
    when = article_time()
    overall: BlocDays = {}
    topics: dict[int, BlocDays] = {}
    with session_scope(engine) as s:
        day, bloc = utc_day(s, when), sa.func.coalesce(Feed.bloc, UNKNOWN_BLOC)
        base = (sa.select().select_from(Article).outerjoin(Feed, Feed.id == Article.first_feed_id)
                .where(Article.duplicate_of.is_(None), time_from(since), when < until))
        for b, d, n in s.execute(base.add_columns(bloc, day, sa.func.count()).group_by(bloc, day)):
            overall.setdefault(b, {})[as_date(d)] = int(n)
        query = (base.join(ArticleTopic, ArticleTopic.article_id == Article.id).where(ArticleTopic.topic_id >= 0)
                 .add_columns(ArticleTopic.topic_id, bloc, day, sa.func.count())
                 .group_by(ArticleTopic.topic_id, bloc, day))
        for topic, b, d, n in s.execute(query):
            topics.setdefault(topic, {}).setdefault(b, {})[as_date(d)] = int(n)
    return overall, topics
