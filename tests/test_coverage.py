"""Coverage by bloc: who reported first, each bloc's delay, the terms that set a bloc apart, single-bloc
stories and absent blocs; on the real store, the story page, the coverage-gaps page and the digest."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from outputs_kit import audit

from monitor.config import Config
from monitor.deliver.digests import digest_data, render_for_site
from monitor.deliver.site import build_site
from monitor.store.db import session_scope
from monitor.store.tables import Article, ArticleSource, Feed, Story, StoryMember
from monitor.records import CoverageMember
from monitor.trends.coverage import CoverageRule, coverage, distinguishing_terms
from monitor.words import bloc_name

T0 = datetime(2026, 3, 9, 8, 0, tzinfo=UTC)
NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)
HOSTILE = "<script>alert('gap')</script>Sber & GigaChat"

RU = ("Sberbank will build a sovereign model with GigaChat. Sberbank says the sovereign model serves Russian "
      "banks. GigaChat training uses domestic chips and sovereign data centres. ") * 3
WEST = ("Sanctions analysts say the model evades export controls. Export controls on chips tighten, and "
        "sanctions lawyers expect enforcement. The export controls were announced in Washington. ") * 3


def _m(outlet: str, hours: float, bloc: str | None, text: str = "", ownership: str | None = None,
       region: str | None = None) -> CoverageMember:
    return CoverageMember(outlet, T0 + timedelta(hours=hours), bloc, region, ownership, text)


def test_a_bloc_written_in_lower_case_reads_capitalised() -> None:
    """Blocs are the feeds' free text, often written as keys ("global-south"); a reader sees names."""
    written = ["russia", "global-south", "west_europe", "EU", "BRICS+", "Latin America", "non-aligned states"]
    assert [bloc_name(b) for b in written] == ["Russia", "Global South", "West Europe", "EU", "BRICS+", "Latin America",
                                                "Non-Aligned States"]


def test_first_reporter_delays_and_distinguishing_terms() -> None:
    cov = coverage([_m("TASS", 0, "russia", RU, "state", "RU"), _m("Reuters", 5.5, "west", WEST, "independent", "UK"),
                    _m("RIA", 1, "russia", RU, "state", "RU"), _m("AP", 26, "west", WEST, "independent", "US")],
                   configured=["west", "russia", "china"])
    assert (cov.first_outlet, cov.first) == ("TASS", T0)
    assert [(b.bloc, b.first_outlet, b.delay) for b in cov.blocs] == [
        ("russia", "TASS", timedelta(0)), ("west", "Reuters", timedelta(hours=5, minutes=30))]
    assert cov.regions == ("RU", "UK", "US") and cov.outlets == 4
    russia, west = cov.blocs
    assert {"sovereign", "gigachat", "sberbank"} <= set(russia.terms) and "sanctions" not in russia.terms
    assert {"export", "controls", "sanctions"} <= set(west.terms) and "sovereign" not in west.terms
    assert cov.single_bloc is None and cov.absent == ("china",) and cov.gap
    assert cov.notes == ["No China source covers this."]


def test_single_bloc_story_is_flagged_with_its_ownership() -> None:
    cov = coverage([_m("TASS", 0, "russia", ownership="state"), _m("RIA", 2, "russia", ownership="state")],
                   configured=["west", "russia", "china"])
    assert cov.single_bloc == "russia" and cov.single_ownership == "state" and cov.absent == ()
    assert cov.notes == ["Only Russia/state media report this (2 outlets)."]
    mixed = coverage([_m("TASS", 0, "russia", ownership="state"), _m("Meduza", 2, "russia", ownership="independent")])
    assert mixed.notes == ["Only Russia media report this (2 outlets)."]


def test_what_is_not_a_gap() -> None:
    lone = coverage([_m("TASS", 0, "russia"), _m("TASS", 1, "russia")])  # one outlet twice
    assert lone.single_bloc is None and not lone.gap
    unknown = coverage([_m("TASS", 0, "russia"), _m("Some blog", 1, None)])  # an outlet of no known bloc
    assert unknown.single_bloc is None and [b.bloc for b in unknown.blocs] == ["russia", ""]
    few = coverage([_m("TASS", 0, "russia"), _m("AP", 1, "west"), _m("AFP", 1, "west")], configured=["china"])
    assert few.absent == ()  # three outlets: too few to note a missing bloc
    strict = coverage([_m("TASS", 0, "russia"), _m("RIA", 1, "russia")], rule=CoverageRule(single_min_outlets=3))
    assert strict.single_bloc is None


def test_terms_skip_a_bloc_with_too_little_text() -> None:
    terms = distinguishing_terms({"russia": [RU], "west": ["Export controls."], "china": [WEST]}, 40, 5)
    assert set(terms) == {"russia", "china"}
    assert distinguishing_terms({"russia": [RU], "west": ["Export controls."]}, 40, 5) == {}


def test_a_term_most_blocs_write_sets_none_apart() -> None:
    """Three blocs of four name G42 and Sarvam-2 alike: those words set none of them apart, while each bloc's
    own words do; a possessive counts as its word."""
    shared = "G42 unveiled Sarvam-2 in New Delhi. Sarvam-2 is built by G42 for schools. "
    texts = {"west": [shared * 2 + "Regulators in Brussels question the model's safety testing. " * 3],
             "russia": [shared * 2 + "Sberbank engineers compare GigaChat with the new model. " * 3],
             "china": [shared * 2 + "Korea's chip makers and Korea's ministry follow the launch. " * 3],
             "global-south": ["Teachers in Lagos and Nairobi hope to test new tools in classrooms this year. " * 3]}
    terms = distinguishing_terms(texts, 20, 8)
    for bloc in ("west", "russia", "china"):
        assert not {"g42", "sarvam-2"} & set(terms[bloc]), terms[bloc]
    assert {"regulators", "brussels"} <= set(terms["west"]) and "gigachat" in terms["russia"]
    assert "korea" in terms["china"] and "korea's" not in terms["china"]


# --- on the store ---------------------------------------------------------------------------------


def _feeds(s: Any) -> dict[str, Feed]:
    specs = [("TASS", "russia", "state", "RU"), ("RIA Novosti", "russia", "state", "RU"),
             ("Reuters", "west", "independent", "UK"), ("Xinhua", "china", "state", "CN")]
    feeds = {n: Feed(name=n, url=f"https://{i}.example.org/feed", bloc=b, ownership=o, region=r)
             for i, (n, b, o, r) in enumerate(specs)}
    s.add_all(feeds.values())
    s.flush()
    return feeds


def _story(s: Any, title: str, members: list[tuple[Feed, float, str]]) -> int:
    rows = []
    for feed, hours, text in members:
        when = T0 + timedelta(hours=hours)
        url = f"https://news.example.org/{hashlib.sha1(f'{title}{feed.name}{hours}'.encode()).hexdigest()[:10]}"
        a = Article(canonical_url=url, url=url, first_feed_id=feed.id, title=title, text=text, published_at=when,
                    fetched_at=when, content_hash=hashlib.sha256(url.encode()).hexdigest(), status="extracted")
        s.add(a)
        s.flush()
        s.add(ArticleSource(article_id=a.id, feed_id=feed.id, entry_url=url, seen_at=when))
        rows.append(a)
    story = Story(title=title, headline_article_id=rows[0].id, size=len(rows),
                  outlets=len({r.first_feed_id for r in rows}), first_seen_at=rows[0].fetched_at,
                  last_seen_at=rows[-1].fetched_at)
    s.add(story)
    s.flush()
    s.add_all(StoryMember(article_id=r.id, story_id=story.id) for r in rows)
    return int(story.id)


def _populate(engine: Any) -> dict[str, int]:
    with session_scope(engine) as s:
        f = _feeds(s)
        return {
            "single": _story(s, HOSTILE, [(f["TASS"], 0, RU), (f["RIA Novosti"], 3, RU)]),
            "shared": _story(s, "Chip rules debated", [(f["Reuters"], 0, WEST), (f["TASS"], 4, RU),
                                                       (f["Xinhua"], 30, WEST)]),
        }


def _config(tmp_path: Path) -> Config:
    feeds = [{"name": "TASS", "url": "https://0.example.org/feed", "bloc": "russia", "ownership": "state"},
             {"name": "Reuters", "url": "https://2.example.org/feed", "bloc": "west"},
             {"name": "Xinhua", "url": "https://3.example.org/feed", "bloc": "china"}]
    return Config.model_validate({"feeds": feeds, "site": {"out": str(tmp_path / "site")}, "watchlist": [],
                                  "digest": {"time": "07:00", "timezone": "UTC"}})


def test_story_page_shows_the_bloc_timeline(engine: Any, tmp_path: Path) -> None:
    ids = _populate(engine)
    build_site(engine, _config(tmp_path), NOW)
    page = (tmp_path / "site" / "stories" / f"{ids['shared']}.html").read_text()
    assert 'id="blocs"' in page and audit(page) == []
    rows = page.split('id="blocs"')[1].split("</table>")[0]
    assert rows.index(">West") < rows.index(">Russia") < rows.index(">China")  # first to report first
    assert "+4 h 0 min" in rows and "+1 d 6 h" in rows and ">first<" in rows
    assert "sovereign" in rows and "coverage gap" not in page
    single = (tmp_path / "site" / "stories" / f"{ids['single']}.html").read_text()
    assert "Only Russia/state media report this (2 outlets)." in single
    assert "<script>alert('gap')" not in single and audit(single) == []


def test_gaps_page_filters_single_bloc_stories_by_anchor(engine: Any, tmp_path: Path) -> None:
    ids = _populate(engine)
    build_site(engine, _config(tmp_path), NOW)
    page = (tmp_path / "site" / "coverage.html").read_text()
    assert 'href="#bloc-russia"' in page and 'id="bloc-russia"' in page and audit(page) == []
    assert f'stories/{ids["single"]}.html' in page and f'stories/{ids["shared"]}.html' not in page
    assert "&lt;script&gt;alert(&#39;gap&#39;)&lt;/script&gt;Sber &amp; GigaChat" in page
    index = (tmp_path / "site" / "index.html").read_text()
    assert 'href="coverage.html"' in index


def test_digest_lists_the_days_coverage_gaps_escaped(engine: Any, tmp_path: Path) -> None:
    ids = _populate(engine)
    data = digest_data(engine, _config(tmp_path), NOW.date())
    assert [g.story_id for g in data.gaps] == [ids["single"]]
    rendered = render_for_site(data, _config(tmp_path))
    section = rendered.html.split("<h2>Coverage gaps</h2>")[1].split("<h2>")[0]
    assert "Only Russia/state media report this" in section and "TASS, RIA Novosti" in section
    assert "<script>alert('gap')" not in rendered.html and audit(rendered.html) == []
    text = rendered.text.split("== Coverage gaps ==")[1].split("==")[0]
    assert f"{HOSTILE}: Only Russia/state media report this" in text  # plain text: one line, no markup to escape


def test_demo_feeds_carry_blocs_and_its_corpus_has_a_single_bloc_story(tmp_path: Path) -> None:
    from monitor.demo.corpus import OUTLET_PROFILES, build_corpus
    from monitor.demo.run import demo_config

    config = Config.model_validate(demo_config(tmp_path, "http://127.0.0.1:9", sorted(OUTLET_PROFILES)))
    assert all(f.bloc and f.ownership for f in config.feeds) and len({f.bloc for f in config.feeds}) == 4
    stories: dict[str, set[str]] = {}
    for a in build_corpus():
        if a.story:
            stories.setdefault(a.story, set()).add(a.outlet)
    assert any(len(o) >= 2 and len({OUTLET_PROFILES[x][0] for x in o}) == 1 for o in stories.values())
