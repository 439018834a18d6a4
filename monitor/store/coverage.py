"""Queries behind coverage by bloc: a story's articles with their feed's bloc, region and ownership.

Returns ``monitor.trends.coverage`` records; the arithmetic is there.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from urllib.parse import urlsplit

import sqlalchemy as sa
from sqlalchemy.engine import Engine

from monitor.config import Config
from monitor.store.db import session_scope
from monitor.store.shared import article_time, chunks
from monitor.store.named import as_date, utc_day
from monitor.store.tables import Article, ArticleTopic, Feed, Story, StoryMember
from monitor.trends.coverage import UNKNOWN, CoverageRule, Member, StoryCoverage, coverage

TEXT_CHARS = 3000  # of each article, for distinguishing terms


@dataclass(frozen=True)
class Gap:
    """A story whose coverage is one-sided, for the digest and the site's list."""

    story_id: int
    title: str
    first_seen: datetime
    coverage: StoryCoverage


def rule(config: Config) -> CoverageRule:
    c = config.coverage
    return CoverageRule(c.single_min_outlets, c.absent_min_outlets, c.min_words, c.terms)


def configured_blocs(config: Config) -> list[str]:
    return sorted({f.bloc for f in config.feeds if f.bloc})


def members(engine: Engine, story_ids: Sequence[int], text: bool = False) -> dict[int, list[Member]]:
    """Each story's articles (oldest first) with their first feed's bloc, region and ownership."""
    when = article_time().label("t")
    body = (sa.func.substr(Article.title + " " + sa.func.coalesce(Article.text, Article.summary, ""), 1, TEXT_CHARS)
            if text else sa.literal(""))
    out: dict[int, list[Member]] = {}
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
                out.setdefault(sid, []).append(Member(outlet, t, bloc, region, owner, words or ""))
    return out


def story_coverage(engine: Engine, story_ids: Sequence[int], blocs: Sequence[str], how: CoverageRule
                   ) -> dict[int, StoryCoverage]:
    """Coverage of each story, distinguishing terms included (story pages); ``blocs``: the configured ones."""
    return {sid: coverage(ms, blocs, how) for sid, ms in members(engine, story_ids, text=True).items()}


def gaps(engine: Engine, config: Config, start: datetime, end: datetime, limit: int = 200) -> list[Gap]:
    """Stories reported in [start, end) whose coverage is one-sided, most outlets first."""
    with session_scope(engine) as s:
        stories = s.execute(
            sa.select(Story.id, Story.title, Story.first_seen_at)
            .where(Story.last_seen_at >= start, Story.first_seen_at < end,
                   Story.outlets >= config.coverage.single_min_outlets)
            .order_by(Story.outlets.desc(), Story.id)).all()
    found = members(engine, [sid for sid, _, _ in stories])
    blocs, how = configured_blocs(config), rule(config)
    out = []
    for sid, title, first in stories:
        cov = coverage(found.get(sid, []), blocs, how)
        if cov.gap:
            out.append(Gap(sid, title, first, cov))
    return out[:limit]


BlocDays = dict[str, dict[date, int]]  # bloc (UNKNOWN: no bloc) -> UTC day -> articles


def bloc_days(engine: Engine, since: datetime, until: datetime) -> tuple[BlocDays, dict[int, BlocDays]]:
    """Articles (not duplicates) published in [since, until) per UTC day by their first feed's bloc: all of
    them, and per topic (the share of voice per bloc, :func:`monitor.trends.coverage.bloc_shares`)."""
    when = article_time()
    overall: BlocDays = {}
    topics: dict[int, BlocDays] = {}
    with session_scope(engine) as s:
        day, bloc = utc_day(s, when), sa.func.coalesce(Feed.bloc, UNKNOWN)
        base = (sa.select().select_from(Article).outerjoin(Feed, Feed.id == Article.first_feed_id)
                .where(Article.duplicate_of.is_(None), when >= since, when < until))
        for b, d, n in s.execute(base.add_columns(bloc, day, sa.func.count()).group_by(bloc, day)):
            overall.setdefault(b, {})[as_date(d)] = int(n)
        query = (base.join(ArticleTopic, ArticleTopic.article_id == Article.id).where(ArticleTopic.topic_id >= 0)
                 .add_columns(ArticleTopic.topic_id, bloc, day, sa.func.count())
                 .group_by(ArticleTopic.topic_id, bloc, day))
        for topic, b, d, n in s.execute(query):
            topics.setdefault(topic, {}).setdefault(b, {})[as_date(d)] = int(n)
    return overall, topics
