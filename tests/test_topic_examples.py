"""Analyst topics' examples given as links stand for the stored articles at those addresses."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import pytest

from monitor.config import Config, TopicSeed
from monitor.demo.corpus import build_corpus
from monitor.store import analysis as db
from monitor.topics.examples import linked, resolve
from monitor.topics.service import with_linked_examples

T0 = datetime(2026, 3, 2, 9, tzinfo=UTC)
BASE = "http://127.0.0.1:9"


def _config(examples: list[str]) -> Config:
    return Config(feeds=[{"name": "f", "url": f"{BASE}/feed"}],
                  topics=[{"name": "AI alliances", "description": "AI cooperation between states",
                           "examples": examples}, {"name": "Chips", "description": "chip export controls"}])


def test_a_linked_example_is_replaced_by_the_stored_article_and_a_missing_one_is_reported(
        sqlite_engine: Any, caplog: pytest.LogCaptureFixture) -> None:
    article = build_corpus(seed=7)[0]
    db.add_corpus(sqlite_engine, [article], BASE, T0)
    config = _config([f"{BASE}{article.url_path}?utm_source=newsletter", "Russia and China sign an AI pact.",
                      f"{BASE}/never-crawled"])
    with caplog.at_level(logging.WARNING):
        examples = with_linked_examples(sqlite_engine, config).topics[0].examples
    assert len(examples) == 2
    assert examples[0].startswith(article.title) and article.text.split()[5] in examples[0]
    assert examples[1] == "Russia and China sign an AI pact."
    assert "never-crawled" in caplog.text and "not a stored article" in caplog.text


def test_topics_without_links_are_handed_on_untouched(sqlite_engine: Any) -> None:
    config = _config(["plain text only"])
    assert with_linked_examples(sqlite_engine, config) is config


def test_resolution_is_pure_and_keeps_order() -> None:
    seed = TopicSeed(name="T", examples=("first", "https://example.org/a", "last"))
    assert linked([seed]) == ["https://example.org/a"]
    done = resolve([seed], {"https://example.org/a": ("Title", "one two three four")}, max_words=2)
    assert done.seeds[0].examples == ("first", "Title. one two", "last") and not done.missing
