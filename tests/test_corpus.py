"""The synthetic corpus: deterministic, labelled, with stories and one planted spike."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, timedelta

from monitor.defaults import DEFAULT_TOPICS
from monitor.demo.corpus import MAX_PER_TOPIC_DAY, build_corpus, planted_spike


def test_same_seed_same_corpus_and_other_seed_differs() -> None:
    assert build_corpus(seed=3) == build_corpus(seed=3)
    assert [a.text for a in build_corpus(seed=3)] != [a.text for a in build_corpus(seed=4)]


def test_shape_and_labels() -> None:
    corpus = build_corpus()
    names = {t["name"] for t in DEFAULT_TOPICS}
    assert 250 <= len(corpus) <= 600
    assert {a.topic for a in corpus} == names | {"noise"}
    assert len({a.id for a in corpus}) == len(corpus)
    assert len({a.url_path for a in corpus}) == len(corpus)
    assert all(a.published.tzinfo is UTC or a.published.utcoffset() == timedelta(0) for a in corpus)
    assert [a.published for a in corpus] == sorted(a.published for a in corpus)
    assert all(a.url_path.startswith("/") and a.url_path.endswith(".html") for a in corpus)


def test_stories_are_multi_outlet_and_single_topic() -> None:
    corpus = build_corpus()
    members: dict[str, list] = {}
    for a in corpus:
        if a.story:
            members.setdefault(a.story, []).append(a)
    assert len(members) >= 30
    for story, arts in members.items():
        assert len(arts) >= 2, story
        assert len({a.topic for a in arts}) == 1, story
        assert len({a.outlet for a in arts}) == len(arts), story
        assert len({a.title for a in arts}) >= 1
        span = max(a.published for a in arts) - min(a.published for a in arts)
        assert span <= timedelta(hours=72), story


def test_real_samples_form_one_story() -> None:
    corpus = build_corpus()
    real = [a for a in corpus if "Vedyakhin" in a.text or "Xi Jinping" in a.text]
    assert len(real) == 2 and real[0].story is not None and real[0].story == real[1].story


def test_planted_spike_is_the_only_busy_day() -> None:
    end = date(2026, 3, 10)
    corpus = build_corpus(days=30, end=end)
    topic, day = planted_spike(30, end)
    per_day = Counter((a.topic, a.published.date()) for a in corpus)
    assert per_day[(topic, day)] >= 3 * MAX_PER_TOPIC_DAY
    others = [n for key, n in per_day.items() if key != (topic, day) and key[0] != "noise"]
    assert max(others) <= MAX_PER_TOPIC_DAY
    assert min(a.published.date() for a in corpus) >= end - timedelta(days=29)
    assert max(a.published.date() for a in corpus) <= end


def test_off_topic_news_names_no_country() -> None:
    """Off-topic reports happen in cities that stand for no state, so they add no mention of a country."""
    from monitor.demo.templates import NOISE_CITIES
    from monitor.entities.match import EntityMatcher
    from monitor.entities.registry import build_registry

    matcher = EntityMatcher(build_registry())
    assert {c: [m.key for m in matcher.scan(f"Rain fell in {c} on Monday.")] for c in NOISE_CITIES} == {
        c: [] for c in NOISE_CITIES}
    assert [m.key for m in matcher.scan("Rain fell in Tbilisi on Monday.")] == ["country:GE"]  # a capital would
