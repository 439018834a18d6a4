"""The index leads with the day's top stories; a story page says who reported first, when (with the zone),
and which regions and languages carried it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import sqlalchemy as sa
from outputs_data import NOW, config_dict, populate

from monitor.config import Config
from monitor.deliver.site import build_site
from monitor.store.db import session_scope
from monitor.store.tables import Article, Feed


def _site(engine: Any, tmp_path: Path, zone: str = "UTC") -> tuple[Path, dict[str, int]]:
    fx = populate(engine)
    with session_scope(engine) as s:
        for feed in s.execute(sa.select(Feed)).scalars():
            feed.region, feed.language = ("Russia", "ru") if feed.name == "TASS English" else ("Global", "en")
            if feed.name == "TASS English":  # the article's own language wins over its feed's
                s.execute(sa.update(Article).where(Article.first_feed_id == feed.id).values(language="ru"))
    config = Config.model_validate(config_dict(tmp_path, digest={"time": "07:00", "timezone": zone}))
    build_site(engine, config, NOW)
    return tmp_path / "site", fx.stories


def test_index_leads_with_the_days_top_stories(engine: Any, tmp_path: Path) -> None:
    site, stories = _site(engine, tmp_path)
    index = (site / "index.html").read_text(encoding="utf-8")
    top = index.split('id="top-stories"')[1].split("</ol>")[0]
    assert top.index(f"stories/{stories['sber']}.html") < top.index(f"stories/{stories['brics']}.html")
    assert "&lt;script&gt;alert(&#39;title&#39;)&lt;/script&gt;Sberbank" in top  # the headline, escaped
    assert "Sberbank to work with Chinese researchers on AI, aligning with DeepSeek." in top  # the lede
    assert "4 outlets; first reported by Reuters Tech at Mon 9 Mar 2026, 09:00 UTC" in top
    assert f"stories/{stories['chips']}.html" not in top  # a lone article is no story


def test_story_page_names_first_reporter_with_zone_and_outlets_by_region_and_language(engine: Any,
                                                                                      tmp_path: Path) -> None:
    site, stories = _site(engine, tmp_path, zone="Europe/Berlin")
    page = (site / "stories" / f"{stories['sber']}.html").read_text(encoding="utf-8")
    assert "First reported by <strong>Reuters Tech</strong> at Mon 9 Mar 2026, 10:00 CET." in page
    regions = page.split('<th scope="col">Region</th>')[1].split("</table>")[0]
    assert "<td>Global</td>" in regions and "<td>Russia</td><td>TASS English</td>" in regions
    languages = page.split('<th scope="col">Language</th>')[1].split("</table>")[0]
    assert "<td>ru</td><td>TASS English</td>" in languages and "<td>en</td>" in languages
    assert "Putin orders Sberbank to deepen AI cooperation with China." in page  # each article's snippet


def test_index_says_which_hours_the_latest_digest_covers(engine: Any, tmp_path: Path) -> None:
    from monitor.deliver.digests import run_due
    from monitor.settings import Settings

    populate(engine)
    config = Config.model_validate(config_dict(tmp_path, digest={"time": "07:00", "timezone": "Europe/Berlin"}))
    run_due(engine, config, Settings(), NOW, send=False)
    build_site(engine, config, NOW)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert "Articles of the 24 hours to Tue 10 Mar 2026, 07:00 CET; the counts above are through" in index


def test_a_story_from_feeds_without_descriptions_leads_with_its_text(engine: Any, tmp_path: Path) -> None:
    """A feed with no description per entry stores an empty summary: the lede and each article's snippet
    then come from the article's text, not from the empty summary."""
    fx = populate(engine)
    with session_scope(engine) as s:
        s.execute(sa.update(Article).values(summary="", text="From the page: " + Article.text))
    build_site(engine, Config.model_validate(config_dict(tmp_path)), NOW)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    top = index.split('id="top-stories"')[1].split("</ol>")[0]
    assert "From the page: Sberbank to work with Chinese researchers on AI, aligning with DeepSeek." in top
    page = (tmp_path / "site" / "stories" / f"{fx.stories['sber']}.html").read_text(encoding="utf-8")
    assert "From the page: Putin orders Sberbank to deepen AI cooperation with China." in page


def test_a_lede_does_not_open_with_a_photo_caption(engine: Any, tmp_path: Path) -> None:
    """Pages open their article block with the lead photo's caption and credit, which differ from article to
    article: the lede starts with the story's own words, the stored text keeps the caption."""
    populate(engine)
    with session_scope(engine) as s:
        s.execute(sa.update(Article).values(
            summary="", text="Enlarge this image toggle caption Jane Doe/AP Jane Doe/AP\n" + Article.text))
    build_site(engine, Config.model_validate(config_dict(tmp_path)), NOW)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    top = index.split('id="top-stories"')[1].split("</ol>")[0]
    assert '<span class="lede">Sberbank to work with Chinese researchers on AI' in top and "toggle caption" not in top
    with session_scope(engine) as s:
        stored = s.scalar(sa.select(Article.text).where(Article.text.like("%Sberbank to work with Chinese%")))
    assert stored.startswith("Enlarge this image toggle caption")


def test_a_lede_does_not_open_with_the_headline_its_page_printed_again(engine: Any, tmp_path: Path) -> None:
    """Some pages print the headline twice (a heading, then the article's first line): the stored text keeps
    the second copy for the analysis, the lede shows the article's own words."""
    populate(engine)
    with session_scope(engine) as s:
        s.execute(sa.update(Article).values(
            summary="", text=Article.title + "\n" + Article.title + "\nReported today: " + Article.text))
    build_site(engine, Config.model_validate(config_dict(tmp_path)), NOW)
    index = (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    top = index.split('id="top-stories"')[1].split("</ol>")[0]
    assert '<span class="lede">Reported today: Sberbank to work with Chinese researchers on AI' in top
    with session_scope(engine) as s:
        stored = s.scalar(sa.select(Article.text).where(Article.text.like("%Sberbank to work with Chinese%")))
    assert stored.count("Sberbank to work with Chinese researchers") == 3  # the text as stored
