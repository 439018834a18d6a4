"""A site's furniture (lines and title endings it repeats) is left out of its later articles."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlmodel import Session, select

from monitor.dedupe import boilerplate
from monitor.ingest.crawl import run_crawl
from monitor.records import Article as Record
from monitor.store import analysis, ingest
from monitor.topics import service
from monitor.store.tables import Article, SiteLine
from tests.conftest import Site, serve
from tests.feedkit import Item, lorem_article, page, rss
from tests.test_crawl import make_config

NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
FURNITURE = "Please enable Javascript to watch this video"
ENDING = "Harbour Daily News"


def record(text: str, title: str = "Port strike ends after talks | Harbour Daily News",
           url: str = "https://www.harbour.example/news/1") -> Record:
    return Record(canonical_url=url, url=url, title=title, summary="The strike ended.", text=text,
                  status="extracted", fetched_at=NOW, published_at=NOW, published_source="feed")


def test_only_repeated_parts_are_left_out():
    text = f"Dock workers returned on Monday.\n{FURNITURE}\nThe union signed a two-year deal."
    found = boilerplate.keys(record(text))
    furniture = found.lines[1]
    cleaned = boilerplate.without(record(text), found, {furniture, found.ending})
    assert cleaned.text == "Dock workers returned on Monday.\nThe union signed a two-year deal."
    assert cleaned.title == "Port strike ends after talks" and cleaned.status == "extracted"
    assert boilerplate.without(record(text), found, set()) == record(text)
    assert boilerplate.without(record(text), found, {furniture}).title == record(text).title


def test_keys_belong_to_one_site_and_skip_long_lines():
    line = "A line that two sites both print."
    here = boilerplate.keys(record(line))
    www_less = boilerplate.keys(record(line, url="https://harbour.example/news/2"))
    elsewhere = boilerplate.keys(record(line, url="https://other.example/news/1"))
    assert here.lines == www_less.lines and here.lines != elsewhere.lines
    long_paragraph = "word " * (boilerplate.MAX_LINE // 5 + 1)
    assert boilerplate.keys(record(long_paragraph)).lines == (None,)
    assert boilerplate.keys(record("", title="No separator here")).ending is None
    assert boilerplate.title_ending("- leading dash only") is None
    assert boilerplate.title_ending("Strike ends :: WRAL.com") == "WRAL.com"


def test_a_page_of_countless_short_lines_counts_only_its_edges():
    text = "\n".join(f"line {i}" for i in range(5000))
    found = boilerplate.keys(record(text))
    assert len(found.counted) == 2 * boilerplate.EDGE_LINES + 1  # the lines at both edges and the title ending
    assert found.lines[0] is not None and found.lines[-1] is not None and found.lines[2500] is None


def test_a_page_of_furniture_only_keeps_the_feed_summary():
    found = boilerplate.keys(record(FURNITURE))
    cleaned = boilerplate.without(record(FURNITURE), found, set(found.counted))
    assert cleaned.text == "The strike ended." and cleaned.status == "summary_only" and "furniture" in cleaned.error


def _publish(site: Site, feed: str, first: int, count: int) -> list[Item]:
    items = []
    for i in range(first, first + count):
        text = f"{lorem_article(f'harbour {i}', i, words=120)}\n{FURNITURE}"
        site.add(f"/news/{i}.html", page(f"Harbour story {i}", text))
        items.append(Item(f"Harbour story {i} | {ENDING}", site.url(f"/news/{i}.html"),
                          published=NOW - timedelta(hours=i)))
    return items


def _stored(engine) -> list[Article]:
    with Session(engine) as session:
        return list(session.exec(select(Article).order_by(Article.id)))


def test_crawl_leaves_out_what_a_site_repeats_and_counts_it_per_site(site, engine, write_config):
    other = Site()
    server, thread = serve(other, "127.0.0.2")
    try:
        items = _publish(site, "/feed.xml", 0, 3)
        site.add("/feed.xml", rss(items))
        config = make_config(write_config, [{"name": "Harbour", "url": site.url("/feed.xml")},
                                            {"name": "Other", "url": other.url("/feed.xml")}],
                             allow_private_networks=["127.0.0.0/8"])
        other.add("/feed.xml", rss([]))
        run_crawl(engine, config, now=NOW)
        first = _stored(engine)
        assert FURNITURE in first[0].text and first[0].title.endswith(ENDING), "nothing to compare the first with"

        site.add("/feed.xml", rss(_publish(site, "/feed.xml", 3, 1) + items))
        other_items = _publish(other, "/feed.xml", 10, 1)
        other.add("/feed.xml", rss(other_items))
        run_crawl(engine, config, now=NOW + timedelta(hours=1), every_feed=True)
        rows = {r.canonical_url.rsplit("/", 1)[1]: r for r in _stored(engine)}
        later = rows["3.html"]
        assert FURNITURE not in later.text and later.title == "Harbour story 3"
        assert "harbour" in later.text.lower() and later.status == "extracted"
        elsewhere = rows["10.html"]
        assert FURNITURE in elsewhere.text and elsewhere.title.endswith(ENDING), "another site's furniture"
        with Session(engine) as session:
            assert max(session.exec(select(SiteLine.articles))) == 4
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_site_repeats_zero_keeps_every_line(site, engine, write_config):
    items = _publish(site, "/feed.xml", 0, 4)
    site.add("/feed.xml", rss(items))
    config = make_config(write_config, [{"name": "Harbour", "url": site.url("/feed.xml")}])
    config = config.model_copy(update={"dedupe": config.dedupe.model_copy(update={"site_repeats": 0})})
    run_crawl(engine, config, now=NOW)
    rows = _stored(engine)
    assert len(rows) == 4 and all(FURNITURE in r.text and r.title.endswith(ENDING) for r in rows)


def test_lines_a_site_did_not_repeat_are_forgotten_after_a_month(site, engine, write_config):
    site.add("/feed.xml", rss(_publish(site, "/feed.xml", 0, 3)))
    run_crawl(engine, make_config(write_config, [{"name": "Harbour", "url": site.url("/feed.xml")}]), now=NOW)
    with Session(engine) as session:
        counts = list(session.exec(select(SiteLine.articles)))
    assert len(counts) > 3 and 3 in counts and 1 in counts
    assert ingest.forget_site_lines(engine, NOW + timedelta(days=10), 2) == 0
    forgotten = ingest.forget_site_lines(engine, NOW + timedelta(days=ingest.SITE_LINE_DAYS + 1), 2)
    with Session(engine) as session:
        kept = list(session.exec(select(SiteLine.articles)))
    assert forgotten == counts.count(1) and sorted(kept) == sorted(c for c in counts if c >= 2)


def _crawl_in_turns(site, engine, write_config, turns: list[list[int]]) -> dict[str, tuple[str, str]]:
    """Crawl the same four articles of one site, a few per crawl in the given order; then each article's
    stored text and its text as the analysis reads it, by page."""
    config = make_config(write_config, [{"name": "Harbour", "url": site.url("/feed.xml")}])
    items = {i: _publish(site, "/feed.xml", i, 1)[0] for i in range(4)}
    shown: list[Item] = []
    for hour, turn in enumerate(turns):
        shown = [items[i] for i in turn] + shown
        site.add("/feed.xml", rss(shown))
        run_crawl(engine, config, now=NOW + timedelta(hours=hour), every_feed=True)
    rows = analysis.articles_to_embed(engine, "none", 10)
    read = service.as_read(rows, analysis.furniture(engine, config.dedupe.site_repeats))
    return {r.url.rsplit("/", 1)[1]: (r.text, a.text) for r, a in zip(rows, read, strict=True)}


def test_the_analysis_reads_the_same_text_whatever_order_the_articles_arrived_in(site, write_config, tmp_path):
    from tests.conftest import migrated

    first, second = (migrated(f"sqlite:///{tmp_path / name}") for name in ("first.db", "second.db"))
    forwards = _crawl_in_turns(site, first, write_config, [[0], [1], [2], [3]])
    backwards = _crawl_in_turns(site, second, write_config, [[3], [2], [1], [0]])
    assert FURNITURE in forwards["0.html"][0] and FURNITURE not in forwards["3.html"][0]
    assert FURNITURE in backwards["3.html"][0] and FURNITURE not in backwards["0.html"][0]
    assert {page: read for page, (_, read) in forwards.items()} == {page: read for page, (_, read) in backwards.items()}
    assert not any(FURNITURE in read for _, read in forwards.values())


def test_a_fit_reads_its_texts_again_as_the_analysis_reads_them(site, engine, write_config):
    config = make_config(write_config, [{"name": "Harbour", "url": site.url("/feed.xml")}])
    site.add("/feed.xml", rss(_publish(site, "/feed.xml", 0, 4)))
    run_crawl(engine, config, now=NOW)
    rows = analysis.articles_to_embed(engine, "none", 10)
    furniture = analysis.furniture(engine, config.dedupe.site_repeats)
    read = [r.text for r in service.as_read(rows, furniture)]
    assert any(FURNITURE in r.text for r in rows) and not any(FURNITURE in text for text in read)
    texts = service.StoredTexts(engine, [r.id for r in rows], furniture)
    assert list(texts) == read and texts[1:3] == read[1:3] and texts[0] == read[0]


def test_what_an_article_names_leaves_out_its_site_s_furniture(site, engine, write_config):
    """A line the site repeats names China: no article of the site names China for it, not even the
    first two, which the crawl stored with the line; a line of the article's own that names China counts."""
    from monitor.config import load_config
    from monitor.store.tables import CountedArticle, Mention
    from monitor.trends.service import update_counts, update_mentions
    from tests.test_crawl import FAST

    promo = "Follow our China desk on the app"
    items = []
    for i in range(4):
        own = "Negotiators from China signed the deal." if i == 3 else "Negotiators signed the deal."
        site.add(f"/news/{i}.html", page(f"Harbour story {i}", f"{lorem_article(f'harbour {i}', i, 120)}\n"
                                                               f"{own}\n{promo}"))
        items.append(Item(f"Harbour story {i}", site.url(f"/news/{i}.html"), published=NOW - timedelta(hours=i)))
    site.add("/feed.xml", rss(items))
    config = load_config(write_config({"feeds": [{"name": "Harbour", "url": site.url("/feed.xml")}], "crawl": FAST,
                                       "watchlist": [{"name": "China", "aliases": ["China"]}]}))
    run_crawl(engine, config, now=NOW)
    stored = {r.canonical_url.rsplit("/", 1)[1]: r for r in _stored(engine)}
    assert sum(promo in r.text for r in stored.values()) == 2, "the crawl kept the line in its first two"
    update_mentions(engine, config)
    update_counts(engine, config)
    with Session(engine) as session:
        naming = {m.article_id for m in session.exec(select(Mention).where(Mention.key == "country:CN"))}
        watched = {c.article_id for c in session.exec(select(CountedArticle)) if c.watch}
    assert naming == watched == {stored["3.html"].id}


def test_ledes_leave_out_what_the_crawl_kept_in_a_site_s_first_articles(site, engine, write_config):
    """From a feed without descriptions, ledes and snippets come from the text; the crawl stored the site's
    first two articles with the line it repeats at their top, and neither the digest's articles nor a
    story's show it."""
    from monitor.store import outputs
    from monitor.store.tables import Story, StoryMember

    items = []
    for i in range(4):
        site.add(f"/news/{i}.html", page(f"Harbour story {i}", f"{FURNITURE}\n{lorem_article(f'harbour {i}', i, 120)}"))
        items.append(Item(f"Harbour story {i}", site.url(f"/news/{i}.html"), published=NOW - timedelta(hours=i)))
    site.add("/feed.xml", rss(items))
    config = make_config(write_config, [{"name": "Harbour", "url": site.url("/feed.xml")}])
    run_crawl(engine, config, now=NOW)
    stored = _stored(engine)
    assert sum(r.text.startswith(FURNITURE) for r in stored) == 2, "the crawl kept the line in its first two"
    with Session(engine) as session:
        story = Story(title="Harbour", size=4, outlets=1, first_seen_at=NOW, last_seen_at=NOW,
                      headline_article_id=stored[0].id)
        session.add(story)
        session.flush()
        session.add_all(StoryMember(article_id=r.id, story_id=story.id) for r in stored)
        session.commit()
        story_id = story.id
    repeats = config.dedupe.site_repeats
    rows = outputs.digest_rows(engine, NOW - timedelta(days=1), NOW + timedelta(hours=1), NOW.date(), NOW.date(),
                               NOW.date(), repeats)
    (_, links, lede), = outputs.load_stories(engine, [story_id], repeats)
    ledes = [a.summary for a in rows.articles] + [link.snippet for link in links] + [lede]
    assert len(ledes) == 9 and all(text.startswith("Report ") and FURNITURE not in text for text in ledes), ledes
    as_stored = outputs.digest_rows(engine, NOW - timedelta(days=1), NOW + timedelta(hours=1), NOW.date(),
                                    NOW.date(), NOW.date())
    assert sum(a.summary.startswith(FURNITURE) for a in as_stored.articles) == 2
