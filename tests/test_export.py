"""`monitor export`: the exact bytes of a small store's CSV and JSON lines, however the rows are read."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.store.db import session_scope
from monitor.store.export import iter_articles, write_csv
from monitor.store.tables import Article, ArticleSource, ArticleTopic, Feed, Mention, Story, StoryMember, Topic

DAY = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)

EXPECTED_CSV = (
    "id,url,canonical_url,feed,feeds,title,published,published_source,fetched,language,site_name,authors,status,"
    "duplicate_of,duplicate_kind,topic_id,topic_name,story_id,summary,text,entities,instruments,listed_parties\n"
    "1,http://127.0.0.1:9/one,http://127.0.0.1:9/one,Alpha,Alpha;Beta,\"Chips, \"\"export\"\" rules\","
    "2026-11-01T08:00:00+00:00,feed,2026-11-01T09:00:00+00:00,en,,Ann;Bo,extracted,,,3,Sanctions,1,"
    "first summary,\"line one\nline two\",Russia;Sberbank,Regulation (EU) 2024/1745,\"SBERBANK, PJSC\"\n"
    "2,http://127.0.0.1:9/two,http://127.0.0.1:9/two,Beta,Beta,Two,,fetch,2026-11-02T10:00:00+00:00,,Two Site,,"
    "extracted,1,near,-1,,,,,,,\n"
    "3,http://127.0.0.1:9/three,http://127.0.0.1:9/three,,,Three,,fetch,2026-11-02T11:00:00+00:00,de,,,"
    "summary_only,,,,,1,only a summary,,,,\n"
    "4,http://127.0.0.1:9/four,http://127.0.0.1:9/four,Alpha,Beta;Alpha,Four,,fetch,2026-10-01T10:00:00+00:00,"
    ",,,extracted,,,,,,,old,China,,\n"
)


def _article(key: str, fetched: datetime, **fields: Any) -> Article:
    url = f"http://127.0.0.1:9/{key}"
    values: dict[str, Any] = {"title": key.capitalize(), "published_source": "fetch", "status": "extracted"}
    return Article(canonical_url=url, url=url, fetched_at=fetched, content_hash=key * 8, **(values | fields))


@pytest.fixture
def store(engine: Any) -> Any:
    """Four articles: several feeds in an order other than the articles', a topic, an outlier, a story."""
    with session_scope(engine) as s:
        alpha, beta = Feed(name="Alpha", url="http://127.0.0.1:9/a"), Feed(name="Beta", url="http://127.0.0.1:9/b")
        s.add_all([alpha, beta, Topic(id=3, name="Sanctions", seeded=True)])
        s.flush()
        one = _article("one", datetime(2026, 11, 1, 9, tzinfo=UTC), title='Chips, "export" rules',
                       published_at=datetime(2026, 11, 1, 8, tzinfo=UTC), published_source="feed", language="en",
                       authors=["Ann", "Bo"], first_feed_id=alpha.id, summary="first summary",
                       text="line one\nline two")
        two = _article("two", DAY, site_name="Two Site", first_feed_id=beta.id)
        three = _article("three", DAY.replace(hour=11), language="de", status="summary_only",
                         summary="only a summary")
        four = _article("four", datetime(2026, 10, 1, 10, tzinfo=UTC), first_feed_id=alpha.id, text="old")
        s.add_all([one, two, three, four])
        s.flush()
        two.duplicate_of, two.duplicate_kind = one.id, "near"
        for article, feed in ((four, beta), (one, alpha), (two, beta), (one, beta), (four, alpha)):
            s.add(ArticleSource(article_id=article.id, feed_id=feed.id, entry_url=article.url, seen_at=DAY))
            s.flush()
        story = Story(title="A story", first_seen_at=DAY, last_seen_at=DAY)
        s.add(story)
        s.flush()
        s.add_all([ArticleTopic(article_id=one.id, topic_id=3), ArticleTopic(article_id=two.id, topic_id=-1),
                   StoryMember(article_id=one.id, story_id=story.id),
                   StoryMember(article_id=three.id, story_id=story.id)])
        s.add_all([Mention(article_id=four.id, kind="entity", key="country:CN", label="China"),  # not in id order
                   Mention(article_id=one.id, kind="entity", key="org:sberbank", label="Sberbank", first_offset=5),
                   Mention(article_id=one.id, kind="listed", key="eu:EU.1", label="SBERBANK, PJSC", first_offset=5),
                   Mention(article_id=one.id, kind="instrument", key="eu-reg:2024/1745",
                           label="Regulation (EU) 2024/1745", first_offset=40),
                   Mention(article_id=one.id, kind="entity", key="country:RU", label="Russia", first_offset=0)])
    return engine


@pytest.mark.parametrize("batch", [1, 2, 2000])
def test_csv_of_a_small_store_is_exactly_these_bytes(store, batch):
    out = io.StringIO()
    assert write_csv(iter_articles(store, batch=batch), out) == 4
    assert out.getvalue() == EXPECTED_CSV


def test_since_keeps_each_articles_own_feeds(store):
    records = list(iter_articles(store, since=datetime(2026, 11, 1, 12, tzinfo=UTC), batch=1))
    assert [(r["id"], r["feeds"]) for r in records] == [(2, ["Beta"]), (3, [])]


def test_json_lines_record(store):
    first = next(iter_articles(store))
    assert json.loads(json.dumps(first)) == {
        "id": 1, "url": "http://127.0.0.1:9/one", "canonical_url": "http://127.0.0.1:9/one", "feed": "Alpha",
        "feeds": ["Alpha", "Beta"], "title": 'Chips, "export" rules', "published": "2026-11-01T08:00:00+00:00",
        "published_source": "feed", "fetched": "2026-11-01T09:00:00+00:00", "language": "en", "site_name": None,
        "authors": ["Ann", "Bo"], "status": "extracted", "duplicate_of": None, "duplicate_kind": None, "topic_id": 3,
        "topic_name": "Sanctions", "story_id": 1, "summary": "first summary", "text": "line one\nline two",
        "entities": ["Russia", "Sberbank"], "instruments": ["Regulation (EU) 2024/1745"],
        "listed_parties": ["SBERBANK, PJSC"],
    }
