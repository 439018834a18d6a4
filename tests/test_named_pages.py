"""Entity and instrument pages on the static site, built from the real store with the real renderers;
story pages list what they name; topics.json and trends.json carry entities; slugs are safe for any key."""

from __future__ import annotations

import json
import re
from pathlib import Path

import sqlalchemy as sa
from mention_kit import ALIASES, AliasScanner, InstrumentScanner, add_article, add_feeds, at
from outputs_kit import audit, links

from monitor.config import Config
from monitor.deliver.site import build_site
from monitor.slug import slug
from monitor.store.db import session_scope
from monitor.store.tables import ArticleTopic, Story, StoryMember, Topic
from monitor.trends.service import refresh

NOW = at(10, 9)
HOSTILE = "<script>alert('entity')</script>Rosatom & Co"
INSTRUMENTS = {
    "eu-reg:2024/1745": ("Regulation (EU) 2024/1745", r"Regulation \(EU\) 2024/1745"),
    "ru-decree:Указ 166": ("Указ № 166", r"Указ № 166"),
}


def _scanners() -> list:
    aliases = {**ALIASES, "org:<rosatom>": (HOSTILE, ["Rosatom"])}
    return [AliasScanner(aliases), InstrumentScanner(INSTRUMENTS)]


def _world(engine: sa.Engine) -> tuple[int, int]:
    feeds = add_feeds(engine, ["Wire", "Daily", "Post"])
    a = add_article(engine, "a", "Sberbank and DeepSeek under Regulation (EU) 2024/1745",
                    "Putin and Xi Jinping. Rosatom too.", feeds["Wire"], at(9, 9))
    b = add_article(engine, "b", "Sber with DeepSeek", "Putin again; Указ № 166.", feeds["Daily"], at(9, 12))
    c = add_article(engine, "c", "Rosatom and Putin", "Regulation (EU) 2024/1745 applies.", feeds["Post"], at(8, 12))
    with session_scope(engine) as s:
        s.add(Topic(id=1, name="AI alliances", seeded=True, size=3))
        stories = [Story(title="Sberbank aligns with DeepSeek", topic_id=1, size=2, outlets=2, first_seen_at=at(9, 9),
                         last_seen_at=at(9, 12)),
                   Story(title="Rosatom <b>story</b>", topic_id=1, size=1, outlets=1, first_seen_at=at(8, 12),
                         last_seen_at=at(8, 12))]
        s.add_all(stories)
        s.flush()
        s.add_all([StoryMember(article_id=a, story_id=stories[0].id), StoryMember(article_id=b, story_id=stories[0].id),
                   StoryMember(article_id=c, story_id=stories[1].id)])
        s.add_all(ArticleTopic(article_id=i, topic_id=1) for i in (a, b, c))
        return int(stories[0].id or 0), int(stories[1].id or 0)


def test_entity_and_instrument_pages_and_story_links(engine: sa.Engine, tmp_path: Path) -> None:
    first, second = _world(engine)
    config = Config(feeds=[{"name": "Wire", "url": "https://wire.example.org/rss"}], site={"out": str(tmp_path / "site")})
    refresh(engine, config, NOW, _scanners())
    build_site(engine, config, NOW)
    root = tmp_path / "site"

    putin = (root / "entities" / f"{slug('person:putin')}.html").read_text(encoding="utf-8")
    assert "<h1>Vladimir Putin</h1>" in putin and "<svg" in putin and "Named in 3 articles" in putin
    assert putin.index(f"../stories/{first}.html") < putin.index(f"../stories/{second}.html")  # most articles first
    named_with = putin[putin.index("<h2>Named with</h2>"):]
    found = re.findall(r"<li><a href=\"\.\./entities/[^\"]+\">([^<]+)</a> <span[^>]*>(\d) article", named_with)
    assert found == [(HOSTILE.replace("<", "&lt;").replace(">", "&gt;").replace("'", "&#39;").replace(" & ", " &amp; "),
                      "2"), ("DeepSeek", "2"), ("Sberbank", "2"), ("Xi Jinping", "1")]  # most first, then by key

    regulation = (root / "instruments" / f"{slug('eu-reg:2024/1745')}.html").read_text(encoding="utf-8")
    assert "Regulation (EU) 2024/1745" in regulation and "<h2>Stories citing it</h2>" in regulation
    assert regulation.index(f"../stories/{first}.html") < regulation.index(f"../stories/{second}.html")  # newest first
    assert (root / "instruments" / f"{slug('ru-decree:Указ 166')}.html").is_file()
    index = (root / "instruments" / "index.html").read_text(encoding="utf-8")
    assert "Указ № 166" in index and "Regulation (EU) 2024/1745" in index

    story = (root / "stories" / f"{first}.html").read_text(encoding="utf-8")
    assert "<h2>Named in this story</h2>" in story and "<h2>Legal instruments cited</h2>" in story
    assert f'href="../entities/{slug("org:sberbank")}.html">Sberbank</a> (2)' in story

    for page in [*root.glob("entities/*.html"), *root.glob("instruments/*.html"), *root.glob("stories/*.html")]:
        html = page.read_text(encoding="utf-8")
        assert audit(html) == [], page
        for href in links(html):
            if not href.startswith(("http", "#")):
                assert (page.parent / href).resolve().is_file(), (page, href)
    rosatom = (root / "entities" / f"{slug('org:<rosatom>')}.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(&#39;entity&#39;)&lt;/script&gt;Rosatom &amp; Co" in rosatom

    raw = (root / "topics.json").read_text(encoding="utf-8")
    assert "<script" not in raw
    topics = json.loads(raw)["topics"]
    assert [(e["label"], e["articles"]) for e in topics[0]["entities"]][:4] == [
        ("Vladimir Putin", 3), (HOSTILE, 2), ("DeepSeek", 2), ("Sberbank", 2)]
    trends = json.loads((root / "trends.json").read_text(encoding="utf-8"))
    assert trends["days"][-2:] == ["2026-03-08", "2026-03-09"]
    assert trends["entities"]["person:putin"]["counts"][-3:] == [0, 1, 2]
    assert trends["entities"]["person:putin"]["page"] == f"entities/{slug('person:putin')}.html"


def test_news_media_are_shown_apart_from_the_actors_a_story_names(engine: sa.Engine, tmp_path: Path) -> None:
    """An agency the articles credit ("Reuters reported") is no actor of the story: the story page and the
    entities index list it under news media, its own page stays."""
    first, _ = _world(engine)
    with session_scope(engine) as s:
        s.execute(sa.text("UPDATE article SET text = text || ' Reuters reported.'"))
    config = Config(feeds=[{"name": "Wire", "url": "https://wire.example.org/rss"}], site={"out": str(tmp_path / "site")})
    scanner = AliasScanner({**ALIASES, "media:reuters": ("Reuters", ["Reuters"])})
    refresh(engine, config, NOW, [scanner])
    build_site(engine, config, NOW)
    root = tmp_path / "site"
    story = (root / "stories" / f"{first}.html").read_text(encoding="utf-8")
    reuters = f'href="../entities/{slug("media:reuters")}.html">Reuters</a> (2)'
    actors = story[story.index("<h2>Named in this story</h2>"):story.index("<h2>News media cited</h2>")]
    cited = story[story.index("<h2>News media cited</h2>"):]
    assert "Sberbank" in actors and "Reuters" not in actors and reuters in cited
    index = (root / "entities" / "index.html").read_text(encoding="utf-8")
    assert index.index("Vladimir Putin") < index.index("<h2>News media</h2>") < index.index(">Reuters<")
    putin = (root / "entities" / f"{slug('person:putin')}.html").read_text(encoding="utf-8")
    assert "Sberbank</a>" in putin[putin.index("<h2>Named with</h2>"):] and "Reuters" not in putin
    agency = (root / "entities" / f"{slug('media:reuters')}.html").read_text(encoding="utf-8")
    assert "Vladimir Putin</a>" in agency[agency.index("<h2>Named with</h2>"):]  # its own page keeps whom it cited
    topic = (root / "topics" / "1.html").read_text(encoding="utf-8")
    together = topic[topic.index('id="pairs"'):]
    assert "Vladimir Putin" in together and "Reuters" not in together


def test_a_story_page_is_rebuilt_when_what_it_names_changes(engine: sa.Engine, tmp_path: Path) -> None:
    first, _ = _world(engine)
    config = Config(feeds=[{"name": "Wire", "url": "https://wire.example.org/rss"}], site={"out": str(tmp_path / "site")})
    build_site(engine, config, NOW)
    page = tmp_path / "site" / "stories" / f"{first}.html"
    assert "Named in this story" not in page.read_text(encoding="utf-8")
    refresh(engine, config, NOW, _scanners())
    build_site(engine, config, NOW)
    assert "Named in this story" in page.read_text(encoding="utf-8")


def test_slugs_are_safe_and_distinct_for_any_key() -> None:
    keys = ["org:sberbank", "org:Sberbank", "eu-reg:2024/1745", "eu-reg:2024-1745", "Сбербанк", "深度求索", "../../etc",
            "a" * 400, "", "org:sberbank "]
    slugs = [slug(k) for k in keys]
    assert len(set(slugs)) == len(keys)
    for s in slugs:
        assert re.fullmatch(r"[a-z0-9-]{1,80}", s), s
        assert not s.startswith("-") and ".." not in s
    assert slug("eu-reg:2024/1745").startswith("eu-reg-2024-1745-")
    assert slug("org:sberbank") == slug("org:sberbank")


def test_an_entity_spike_links_to_the_entity_s_page(engine: sa.Engine, tmp_path: Path) -> None:
    from monitor.store.tables import Alert

    _world(engine)
    config = Config(feeds=[{"name": "Wire", "url": "https://wire.example.org/rss"}],
                    site={"out": str(tmp_path / "site"), "base_url": "https://monitor.example.org/"})
    refresh(engine, config, NOW, _scanners())
    with session_scope(engine) as s:
        for key, kind, subject in (("a", "entity_spike", "person:putin"), ("b", "entity_spike", "org:nobody"),
                                   ("c", "new_pairing", "person:putin|org:sberbank")):
            s.add(Alert(dedup_key=key, kind=kind, subject_kind="entity", subject=subject, title=f"alert {key}",
                        day=NOW.date(), reason="r", created_at=NOW))
    build_site(engine, config, NOW)
    root = tmp_path / "site"
    page = f"entities/{slug('person:putin')}.html"
    for html in ((root / "alerts.html").read_text(encoding="utf-8"), (root / "index.html").read_text(encoding="utf-8")):
        assert f'<a href="{page}">alert a</a>' in html
        assert "<strong>alert b</strong>" in html and "<strong>alert c</strong>" in html  # no page to link to
        for href in links(html):
            if not href.startswith(("http", "#")):
                assert (root / href).resolve().is_file(), href
    atom = (root / "feeds" / "alerts.atom").read_text(encoding="utf-8")
    assert f"https://monitor.example.org/{page}" in atom
