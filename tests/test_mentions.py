"""The mention pass on the real store: incremental, whole chunks only, reset by a new scanner, safe twice at once;
and the queries on what articles name (per story, topic, entity and pair)."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from monitor.entities.registry import build_registry
from monitor.mentions.pairs import Sighting, fewest_per_story, new_pairings, pairs, strongest, without_belonging
from monitor.records import Mention as Found
from monitor.store import named
from monitor.store.db import session_scope
from monitor.store.mentions import scan_pass
from monitor.store.tables import ArticleTopic, Mention, MentionScan, Story, StoryMember, TrendState
from mention_kit import ALIASES, AliasScanner, add_article, add_feeds, at


def _rows(engine: sa.Engine) -> tuple[set[tuple[int, str, int]], set[int]]:
    with session_scope(engine) as s:
        mentions = {(m.article_id, m.key, m.count) for m in s.exec(sa.select(Mention)).scalars()}
        scans = set(s.exec(sa.select(MentionScan.article_id)).scalars())
    return mentions, scans


def test_pass_reads_each_article_once_skips_duplicates_and_rereads_for_new_scanners(engine: sa.Engine) -> None:
    feeds = add_feeds(engine, ["Wire", "Daily"])
    a = add_article(engine, "a", "Sberbank and DeepSeek", "Sber said Сбербанк would work with DeepSeek.", feeds["Wire"],
                    at(9))
    copy = add_article(engine, "copy", "Sberbank and DeepSeek", "Sber said it.", feeds["Daily"], at(9), duplicate_of=a)
    scanner = AliasScanner()
    assert scan_pass(engine, [scanner])["scanned"] == 1
    mentions, scans = _rows(engine)
    assert mentions == {(a, "org:sberbank", 3), (a, "org:deepseek", 2)} and scans == {a}
    assert copy not in scans

    b = add_article(engine, "b", "Putin and Xi Jinping", "", feeds["Daily"], at(10))
    assert scan_pass(engine, [scanner])["scanned"] == 1  # only the new one
    assert scanner.read == 2
    assert scan_pass(engine, [scanner])["scanned"] == 0

    scanner.aliases = {"org:sberbank": ("Sberbank", ["Sberbank"])}  # another scanner: everything is read again
    summary = scan_pass(engine, [scanner])
    assert summary["reset"] and summary["scanned"] == 2
    mentions, scans = _rows(engine)
    assert mentions == {(a, "org:sberbank", 1)} and scans == {a, b}


class Failing(AliasScanner):
    def scan(self, text: str) -> list[Found]:
        if "boom" in text:
            raise RuntimeError("killed")
        return super().scan(text)


def test_a_pass_killed_midway_leaves_whole_chunks_and_the_next_one_carries_on(engine: sa.Engine) -> None:
    feed = add_feeds(engine, ["Wire"])["Wire"]
    ids = [add_article(engine, f"a{i}", f"Sberbank {i}", "boom" if i == 3 else "DeepSeek", feed, at(9, i))
           for i in range(5)]
    with pytest.raises(RuntimeError):
        scan_pass(engine, [Failing(version="x")], chunk=2)
    mentions, scans = _rows(engine)
    assert scans == set(ids[:2])  # the first chunk is whole; the chunk that failed left nothing
    assert {m[0] for m in mentions} == set(ids[:2])
    assert scan_pass(engine, [AliasScanner(version="x")], chunk=2)["scanned"] == 3
    mentions, scans = _rows(engine)
    assert scans == set(ids) and {m[0] for m in mentions} == set(ids)


def test_two_passes_at_once_read_every_article_once(engine: sa.Engine) -> None:
    feed = add_feeds(engine, ["Wire"])["Wire"]
    ids = [add_article(engine, f"a{i}", "Sberbank and DeepSeek", "text", feed, at(9, i % 24)) for i in range(60)]
    scanners = [AliasScanner(), AliasScanner()]
    errors: list[BaseException] = []

    def run(scanner: AliasScanner) -> None:
        try:
            scan_pass(engine, [scanner], chunk=5)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(s,)) for s in scanners]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors
    assert sum(s.read for s in scanners) == len(ids)
    mentions, scans = _rows(engine)
    assert scans == set(ids) and len(mentions) == 2 * len(ids)
    with session_scope(engine) as s:
        assert s.get(TrendState, "mentions").value.startswith("[")


def _story(engine: sa.Engine, title: str, members: list[int], topic: int) -> int:
    with session_scope(engine) as s:
        story = Story(title=title, topic_id=topic, size=len(members), outlets=len(members), first_seen_at=at(9),
                      last_seen_at=at(10))
        s.add(story)
        s.flush()
        s.add_all(StoryMember(article_id=i, story_id=story.id) for i in members)
        s.add_all(ArticleTopic(article_id=i, topic_id=topic) for i in members)
        return int(story.id or 0)


def test_queries_per_story_topic_entity_and_pair(engine: sa.Engine) -> None:
    feeds = add_feeds(engine, ["Wire", "Daily", "Post"])
    a = add_article(engine, "a", "Sberbank and DeepSeek", "Putin", feeds["Wire"], at(9))
    b = add_article(engine, "b", "Sber with DeepSeek", "", feeds["Daily"], at(9, 15))
    c = add_article(engine, "c", "Xi Jinping visits", "Putin", feeds["Post"], at(10))
    dup = add_article(engine, "d", "Sberbank and DeepSeek", "Putin", feeds["Post"], at(10), duplicate_of=a)
    first = _story(engine, "Sber and DeepSeek", [a, b, dup], topic=1)
    second = _story(engine, "Summit", [c], topic=2)
    scan_pass(engine, [AliasScanner()])

    by_story = named.story_named(engine, [first, second])
    assert [(n.key, n.articles) for n in by_story[first]] == [("org:deepseek", 2), ("org:sberbank", 2),
                                                                ("person:putin", 1)]
    assert {n.key for n in by_story[second]} == {"person:putin", "person:xi"}
    assert [n.key for n in named.topic_named(engine, at(1))[1]][:2] == ["org:deepseek", "org:sberbank"]
    assert named.daily(engine, "entity", at(8).date(), at(10).date())["person:putin"] == {
        at(9).date(): 1, at(10).date(): 1}
    co = named.co_mentions(engine)
    assert co[("org:deepseek", "org:sberbank")] == 2  # the near-duplicate copy does not count
    assert strongest(co, "person:putin") == [("org:deepseek", 1), ("org:sberbank", 1), ("person:xi", 1)]
    assert named.key_stories(engine, "entity", ["org:sberbank"])["org:sberbank"] == [(first, 2)]
    timeline = named.pair_timeline(engine, "story", at(1))
    assert (first, at(9).date(), "org:deepseek", "org:sberbank", 2) in timeline
    assert (second, at(10).date(), "person:putin", "person:xi", 1) in timeline


def test_new_pairings_need_two_outlets_and_no_earlier_sighting() -> None:
    t = at(9)
    rows = [
        Sighting("a", "b", 1, "Wire", t), Sighting("a", "b", 2, "Wire", t + timedelta(hours=1)),  # one outlet twice
        Sighting("a", "c", 3, "Wire", t), Sighting("a", "c", 4, "Daily", t + timedelta(hours=2), 7),
        Sighting("b", "c", 5, "Wire", t), Sighting("b", "c", 6, "Post", t),
    ]
    found = new_pairings(rows, seen_before={("b", "c")})
    assert [(p.a, p.b, p.outlets, p.corroborated, p.story_ids) for p in found] == [
        ("a", "c", ("Wire", "Daily"), t + timedelta(hours=2), (7,))]
    assert new_pairings(rows, set(), min_sources=3) == []
    assert pairs(["x", "b", "x", "a"]) == [("a", "b"), ("a", "x"), ("b", "x")]


def test_one_story_gives_its_strongest_few_new_pairings() -> None:
    """Two reports of one summit name five actors: ten pairs, all new. The story gives three: those more
    outlets carried first, then those with fewer countries among their sides; another story's pairing and
    one outside any story are kept, and the order is the one given."""
    t = at(9)
    actors = ["country:brazil", "country:india", "org:sberbank", "person:putin", "person:xi"]
    rows = [Sighting(a, b, n, outlet, t, 1) for a, b in pairs(actors) for n, outlet in ((1, "Wire"), (2, "Daily"))]
    rows += [Sighting("country:india", "org:sberbank", 3, "Post", t + timedelta(hours=1), 1)]  # three outlets
    rows += [Sighting("org:g42", "org:sarvam", n, o, t, 2) for n, o in ((4, "Wire"), (5, "Post"))]
    rows += [Sighting("org:g42", "person:xi", n, o, t) for n, o in ((6, "Wire"), (7, "Daily"))]
    found = new_pairings(rows, set())
    kept = fewest_per_story(found, 3)
    assert [(p.a, p.b) for p in kept if p.story_ids == (1,)] == [
        ("country:india", "org:sberbank"), ("org:sberbank", "person:putin"), ("org:sberbank", "person:xi")]
    assert {(p.a, p.b) for p in kept if p.story_ids != (1,)} == {("org:g42", "org:sarvam"), ("org:g42", "person:xi")}
    assert kept == [p for p in found if p in kept] and len(fewest_per_story(found, 10)) == len(found) == 12


def test_a_wire_crediting_itself_does_not_cite_itself(engine: sa.Engine) -> None:
    """A TASS report opens "MOSCOW, December 1. /TASS/.": that is its own credit, not a citation of TASS, so
    TASS is not among the news media its stories cite. Another outlet's "TASS reported" is one; and an actor
    named by its own feed ("Sberbank news" naming Sberbank) is still named."""
    feeds = add_feeds(engine, ["TASS", "Daily", "Sberbank news"])
    scanner = AliasScanner({**ALIASES, "media:tass": ("TASS", ["TASS"])})
    own = add_article(engine, "own", "Sberbank and DeepSeek", "MOSCOW, December 1. /TASS/. Sberbank met DeepSeek.",
                      feeds["TASS"], at(9))
    cited = add_article(engine, "cited", "Sberbank and DeepSeek", "TASS reported that Sberbank met DeepSeek.",
                        feeds["Daily"], at(9))
    press = add_article(engine, "press", "Sberbank results", "Sberbank posted its results.", feeds["Sberbank news"],
                        at(9))
    scan_pass(engine, [scanner], media=frozenset({"media:tass"}))
    mentions, _ = _rows(engine)
    keys = {aid: {key for a, key, _ in mentions if a == aid} for aid in (own, cited, press)}
    assert keys == {own: {"org:sberbank", "org:deepseek"}, cited: {"media:tass", "org:sberbank", "org:deepseek"},
                    press: {"org:sberbank"}}


def test_the_monitor_reads_a_feed_named_as_a_shipped_news_medium_as_that_medium(engine: sa.Engine) -> None:
    """The shipped registry's TASS (type media) and a feed the default feeds.yaml names "TASS": its reports'
    own credit is not a citation; a paper quoting TASS cites it."""
    from monitor.config import Config
    from monitor.trends.service import update_mentions

    feeds = add_feeds(engine, ["TASS", "Global Times"])
    own = add_article(engine, "own", "BRICS AI", "MOSCOW, December 1. /TASS/. Russia and China will build AI.",
                      feeds["TASS"], at(9))
    quoting = add_article(engine, "quoting", "BRICS AI", "Russia and China will build AI, TASS reported.",
                          feeds["Global Times"], at(9))
    update_mentions(engine, Config(feeds=[{"name": "TASS", "url": "http://127.0.0.1:9/feed"}]))
    mentions, _ = _rows(engine)
    assert {a for a, key, _ in mentions if key == "media:tass"} == {quoting}
    assert {a for a, key, _ in mentions if key == "country:CN"} == {own, quoting}


def test_no_pairing_of_an_entity_with_what_it_belongs_to_nor_its_broader_echo() -> None:
    """BIS belongs to the Commerce Department, which belongs to the United States. A story naming Hong Kong
    and all three gives one pairing worth telling: Hong Kong + BIS. Hong Kong + the United States says the
    same less precisely; BIS + the United States says nothing. Taiwan + the United States in one story and
    Taiwan + BIS in another are two pairings."""
    registry = build_registry()
    assert registry.lineage("org:bis") == ("org:us-commerce", "country:US") and registry.lineage("country:US") == ()
    t = at(9)
    named = ["country:HK", "country:US", "org:bis", "org:us-commerce"]
    rows = [Sighting(a, b, n, o, t, 1) for a, b in pairs(named) for n, o in ((1, "Wire"), (2, "Daily"))]
    rows += [Sighting("country:TW", "country:US", n, o, t, 2) for n, o in ((3, "Wire"), (4, "Post"))]
    rows += [Sighting("country:TW", "org:bis", n, o, t, 3) for n, o in ((5, "Wire"), (6, "Post"))]
    found = new_pairings(rows, set())
    assert len(found) == 8
    kept = without_belonging(found, registry.lineages)
    assert {(p.a, p.b, p.story_ids) for p in kept} == {("country:HK", "org:bis", (1,)),
                                                       ("country:TW", "country:US", (2,)),
                                                       ("country:TW", "org:bis", (3,))}
    assert kept == [p for p in found if p in kept] and without_belonging(found, {}) == found


def test_a_loop_of_parents_ends() -> None:
    registry = build_registry([{"key": "org:a", "name": "A", "parent": "org:b"},
                               {"key": "org:b", "name": "B", "parent": "org:a"}], defaults=False)
    assert registry.lineage("org:a") == ("org:b",) and registry.lineages == {"org:a": ("org:b",), "org:b": ("org:a",)}
