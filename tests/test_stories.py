"""Same-event stories: incremental assignment, time window, duplicates, headline and outlets."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
import sqlalchemy as sa

from monitor.config import Config
from monitor.demo.corpus import build_corpus
from monitor.store import analysis as db
from monitor.topics.embeddings import normalise
from monitor.topics.evaluate import adjusted_rand, bcubed
from monitor.topics.service import process_new, story_threshold
from monitor.topics.stories import (
    FALLBACK_SIMILARITY,
    MIN_REFERENCE,
    OpenStory,
    StoryItem,
    assign_stories,
    calibrated_threshold,
)

T0 = datetime(2026, 5, 1, 8, tzinfo=UTC)
WINDOW = timedelta(hours=72)


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_similar_items_join_and_dissimilar_open_new_stories() -> None:
    items = [StoryItem(1, T0, unit(1, 0, 0)), StoryItem(2, T0 + timedelta(hours=5), unit(0.95, 0.1, 0)),
             StoryItem(3, T0 + timedelta(hours=6), unit(0, 1, 0))]
    stories: list[OpenStory] = []
    placements = assign_stories(items, stories, WINDOW, 0.8)
    keys = {p.article_id: p.story_key for p in placements}
    assert keys[1] == keys[2] != keys[3]
    assert [p.new_story for p in placements] == [True, False, True]
    joined = next(s for s in stories if s.key == keys[1])
    assert joined.size == 2 and joined.last_seen == T0 + timedelta(hours=5)
    assert np.isclose(np.linalg.norm(joined.centroid), 1.0)


def test_window_closes_a_story() -> None:
    items = [StoryItem(1, T0, unit(1, 0)), StoryItem(2, T0 + WINDOW + timedelta(hours=1), unit(1, 0))]
    placements = assign_stories(items, [], WINDOW, 0.8)
    assert placements[0].story_key != placements[1].story_key


def test_a_duplicate_joins_its_originals_story_without_a_similarity_test() -> None:
    stored = [OpenStory(key=40, centroid=unit(1, 0), size=3, first_seen=T0, last_seen=T0, id=40)]
    dup = StoryItem(9, T0 + timedelta(hours=1), unit(0, 1), duplicate_of=5)
    (placement,) = assign_stories([dup], stored, WINDOW, 0.99, known={5: 40})
    assert placement.story_key == 40 and stored[0].size == 4


def test_order_of_arrival_does_not_matter_within_a_batch() -> None:
    items = [StoryItem(i, T0 + timedelta(hours=i), unit(1, 0.05 * i)) for i in range(5)]
    a = assign_stories(items, [], WINDOW, 0.9)
    b = assign_stories(items[::-1], [], WINDOW, 0.9)
    assert {p.article_id: p.story_key for p in a} == {p.article_id: p.story_key for p in b}


def test_calibrated_threshold_follows_the_similarity_scale() -> None:
    rng = np.random.default_rng(5)
    spread = normalise(rng.normal(size=(400, 64)))  # random pairs: mean ~0, sd ~1/8
    shared = normalise(np.hstack([np.ones((400, 1)) * 2.0, rng.normal(size=(400, 64)) * 0.2]))  # all alike
    low, high = calibrated_threshold(spread, 3.0), calibrated_threshold(shared, 3.0)
    sims = (shared @ shared.T)[np.triu_indices(400, 1)]
    assert 0.3 < low < 0.45  # about 3 standard deviations of 1/8 above 0
    assert high == pytest.approx(sims.mean() + 3.0 * sims.std(), abs=1e-4) and high > low + 0.3
    assert calibrated_threshold(spread[:MIN_REFERENCE - 1], 3.0) == FALLBACK_SIMILARITY


def test_fixed_similarity_overrides_calibration(engine: sa.Engine, tmp_path) -> None:
    fixed = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], stories={"similarity": 0.6})
    assert story_threshold(engine, fixed, "wordllama:l2_supercat_256") == 0.6


@pytest.fixture
def config(tmp_path) -> Config:
    return Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"))


def _predicted(engine: sa.Engine, ids: dict[str, int], corpus: list) -> list[int]:
    members = db.story_of(engine, ids.values())
    return [members[ids[a.id]] for a in corpus]


@pytest.mark.slow
def test_corpus_stories_grouped_incrementally_day_by_day(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(seed=7)
    ids: dict[str, int] = {}
    start = corpus[0].published.date()
    for offset in range(31):
        day = start + timedelta(days=offset)
        batch = [a for a in corpus if a.published.date() == day]
        now = datetime.combine(day, datetime.max.time(), UTC)
        ids.update(db.add_corpus(engine, batch, "http://127.0.0.1:9", now))
        process_new(engine, config, now)
    truth = [a.story for a in corpus]
    predicted = _predicted(engine, ids, corpus)
    score = bcubed(truth, predicted)
    assert score.precision >= 0.93 and score.recall >= 0.93, score
    assert adjusted_rand(truth, predicted) >= 0.8
    planted = Counter(a.story for a in corpus if a.story)
    whole = sum(1 for story in planted if len({p for a, p in zip(corpus, predicted) if a.story == story}) == 1)
    assert whole / len(planted) >= 0.85


def test_story_headline_outlets_and_times(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(seed=7)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    process_new(engine, config, T0)
    planted = Counter(a.story for a in corpus if a.story and a.topic != "noise").most_common(1)[0][0]
    members = [ids[a.id] for a in corpus if a.story == planted]
    story_id = Counter(db.story_of(engine, members).values()).most_common(1)[0][0]
    (story,) = [s for s in db.list_stories(engine, min_size=2, limit=1000) if s.id == story_id]
    members = db.story_articles(engine, story_id)
    assert story.size == len(members) >= 2
    assert story.outlets == len({m.site_name for m in members})
    assert story.headline_article_id in {m.id for m in members}
    assert story.title == next(m.title for m in members if m.id == story.headline_article_id)
    assert story.first_seen_at == min(m.published_at for m in members)
    assert story.last_seen_at == max(m.published_at for m in members)


def test_duplicates_collapse_into_the_original_story(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(days=2)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    original = ids[corpus[0].id]
    copy = ids[corpus[-1].id]  # unrelated text, but marked a syndicated duplicate of the first article
    process_new(engine, config, T0)
    with engine.begin() as conn:
        conn.execute(sa.text("DELETE FROM story_member WHERE article_id = :a"), {"a": copy})
        conn.execute(sa.text("UPDATE article SET duplicate_of = :o WHERE id = :a"), {"o": original, "a": copy})
    process_new(engine, config, T0)
    stories = db.story_of(engine, [original, copy])
    assert stories[original] == stories[copy]


def test_nothing_new_is_cheap_and_changes_nothing(engine: sa.Engine, config: Config) -> None:
    corpus = build_corpus(days=2)
    db.add_corpus(engine, corpus, "http://127.0.0.1:9", T0)
    first = process_new(engine, config, T0)
    assert first["stories_new"] > 0
    assert process_new(engine, config, T0) == {"embedded": 0, "topics_assigned": 0, "stories_new": 0,
                                               "stories_joined": 0}
