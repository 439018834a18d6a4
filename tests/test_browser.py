"""The site in Debian's chromium (Playwright, system executable) from file://: renders, charts, links.

Screenshots are kept in tests/artifacts/ for review.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from outputs_data import NOW, config_dict, populate

from monitor.config import Config
from monitor.deliver.digests import run_due
from monitor.deliver.site import build_site
from monitor.settings import Settings

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} is missing in CI: .ci/run must install Debian's chromium")
        pytest.skip(f"{CHROMIUM} not installed (apt-get install chromium) — browser tests skipped")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS, headless=True)
        try:
            yield instance
        finally:
            instance.close()


@pytest.fixture
def built(sqlite_engine: Any, tmp_path: Path) -> Path:
    populate(sqlite_engine)
    config = Config.model_validate(config_dict(tmp_path))
    run_due(sqlite_engine, config, Settings(), NOW, send=False)
    build_site(sqlite_engine, config, NOW)
    return tmp_path / "site"


def _open(browser: Any, url: str, width: int = 1200) -> tuple[Any, Any, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
    page.on("dialog", lambda d: (problems.append(f"dialog: {d.message}"), d.dismiss()))
    page.on("requestfailed", lambda r: problems.append(f"request failed: {r.url}"))
    page.goto(url, wait_until="load")
    return context, page, problems


def _shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _chart_sizes(page: Any) -> list[tuple[float, float]]:
    boxes = page.eval_on_selector_all(
        "svg", "els => els.filter(e => e.checkVisibility()).map(e => [e.getBoundingClientRect().width, "
               "e.getBoundingClientRect().height])")
    return [tuple(b) for b in boxes]


def test_index_renders_with_charts_and_no_errors(browser: Any, built: Path) -> None:
    context, page, problems = _open(browser, (built / "index.html").as_uri())
    try:
        assert page.title() == "Tech-policy monitor"
        assert page.locator("h1").first.inner_text() == "Tech-policy monitor"
        sizes = _chart_sizes(page)
        assert sizes and all(w > 0 and h > 0 for w, h in sizes)
        assert page.locator("svg.chart").first.get_attribute("role") == "img"
        header = page.eval_on_selector("header.site", "e => getComputedStyle(e).backgroundColor")
        assert header == "rgb(16, 49, 79)"  # the stylesheet loaded from file:// despite the page's CSP
        _shot(page, "index")
    finally:
        context.close()
    assert problems == []


def test_topic_page_renders_and_links_resolve(browser: Any, built: Path) -> None:
    context, page, problems = _open(browser, (built / "index.html").as_uri())
    try:
        page.get_by_role("link", name="AI alliances and partnerships").first.click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/topics/1.html")
        assert page.locator("h1").inner_text() == "AI alliances and partnerships"
        width, height = _chart_sizes(page)[0]
        assert width > 100 and height > 30
        _shot(page, "topic")
        page.locator("a[href^='../stories/']").first.click()
        page.wait_for_load_state("load")
        assert "/stories/" in page.url
        assert "<script>alert('title')</script>" in page.locator("h1").inner_text()  # shown as text, not run
        page.get_by_role("link", name="Digests").click()
        page.wait_for_load_state("load")
        page.get_by_role("link", name="Tue 10 Mar 2026").click()
        page.wait_for_load_state("load")
        assert page.url.endswith("/digests/2026-03-10.html")
        assert page.locator("svg.spark").count() >= 3
        _shot(page, "digest")
    finally:
        context.close()
    assert problems == []


def test_pages_fit_a_phone_screen(browser: Any, built: Path) -> None:
    for name in ("index.html", "topics/1.html", "digests/2026-03-10.html"):
        context, page, problems = _open(browser, (built / name).as_uri(), width=375)
        try:
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"{name} is {overflow}px wider than a phone"
            if name == "index.html":
                _shot(page, "index-phone")
        finally:
            context.close()
        assert problems == []


_LINES = """els => els.map(e => { const r = document.createRange(); r.selectNodeContents(e);
  return new Set([...r.getClientRects()].map(b => Math.round(b.top))).size; })"""
_AXIS = """els => els.filter(e => e.closest('svg').checkVisibility()).map(e => e.getBoundingClientRect().height)"""


def test_phone_width_keeps_axis_labels_readable_and_percentages_on_one_line(browser: Any, built: Path) -> None:
    for width, name in ((1200, "index-desktop"), (390, "index-390")):
        context, page, problems = _open(browser, (built / "index.html").as_uri(), width=width)
        try:
            labels = page.eval_on_selector_all("figure svg text", _AXIS)
            assert labels and min(labels) >= 10, f"axis labels {min(labels):.1f}px high at {width}px"
            lines = page.eval_on_selector_all("main table td:nth-child(3)", _LINES)
            assert lines and max(lines) == 1, f"a trend cell wraps at {width}px"
            legend = page.eval_on_selector_all("figure table.legend tbody td:first-child",
                                               "els => els.map(e => e.innerText.trim())")
            table = page.eval_on_selector_all("#topics ~ div table tbody td:first-child",
                                              "els => els.filter(e => e.querySelector('.swatch'))"
                                              ".map(e => e.innerText.trim())")
            assert legend[: len(table)] == table  # the chart's legend lists the table's coloured topics in order
            _shot(page, name)
        finally:
            context.close()
        assert problems == []


def test_story_page_at_phone_width(browser: Any, built: Path) -> None:
    story = sorted((built / "stories").glob("*.html"))[0]
    for width in (1200, 390):
        context, page, problems = _open(browser, story.as_uri(), width=width)
        try:
            assert page.locator("p.first-report").inner_text().startswith("First reported by ")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 1, f"the story page is {overflow}px wider than the screen at {width}px"
            _shot(page, f"story-{width}")
        finally:
            context.close()
        assert problems == []
