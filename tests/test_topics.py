"""Topic model: analyst topics keep their names and articles, ids survive refits, the saved model
assigns new articles in a new process without importing BERTopic on the crawl path."""

from __future__ import annotations

import itertools
import json
import logging
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import numpy as np
import pytest
import sqlalchemy as sa
from click.testing import CliRunner

from monitor.config import Config, TopicSeed
from monitor.demo.corpus import build_corpus
from monitor.demo.templates import CITIES
from monitor.errors import MonitorError
from monitor.store import analysis as db
from monitor.store.db import make_engine, upgrade
from monitor.records import TopicRecord
from monitor.topics.embeddings import from_bytes, to_bytes
from monitor.topics.identity import assign_ids
from monitor.topics.model import FoundTopic
from monitor.topics.service import fit, one_per_copy, process_new

END = datetime(2026, 6, 30, tzinfo=UTC).date()
SPLIT = 20  # days in the first fit


@dataclass
class Fitted:
    engine: sa.Engine
    config: Config
    url: str
    corpus: list
    ids: dict[str, int]
    first: dict
    before: dict[int, int]  # article id -> topic id after the first fit and the update
    names_before: dict[int, str]
    second: dict
    bertopic_warnings: list[str]


class Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def topics_of(engine: sa.Engine) -> dict[int, int]:
    with engine.connect() as conn:
        return dict(conn.execute(sa.text("SELECT article_id, topic_id FROM article_topic")).all())


def names(engine: sa.Engine) -> dict[int, str]:
    return {t.id: t.name for t in db.list_topics(engine, active_only=False)}


@pytest.fixture(scope="module")
def fitted(tmp_path_factory: pytest.TempPathFactory) -> Fitted:
    tmp = tmp_path_factory.mktemp("topics")
    url = f"sqlite:///{tmp / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine, url)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp / "data"),
                    )
    corpus = build_corpus(seed=7, days=30, end=END)
    cut = corpus[0].published.date() + timedelta(days=SPLIT)
    early, late = [a for a in corpus if a.published.date() < cut], [a for a in corpus if a.published.date() >= cut]
    t1 = datetime.combine(cut, datetime.min.time(), UTC)
    collect = Collect()
    logging.getLogger("BERTopic").addHandler(collect)
    try:
        ids = db.add_corpus(engine, early, "http://127.0.0.1:9", t1)
        first = fit(engine, config, t1)
        ids.update(db.add_corpus(engine, late, "http://127.0.0.1:9", t1))
        process_new(engine, config, t1 + timedelta(days=10))
        before, names_before = topics_of(engine), names(engine)
        second = fit(engine, config, t1 + timedelta(days=10, hours=1))
    finally:
        logging.getLogger("BERTopic").removeHandler(collect)
    return Fitted(engine, config, url, corpus, ids, first, before, names_before, second, collect.messages)


@pytest.mark.slow
def test_a_fit_warns_of_nothing_the_monitor_does_on_purpose(fitted: Fitted) -> None:
    """The model is saved without its embedding model on purpose (the monitor embeds itself): a cron
    log must not carry BERTopic's warning about it at every refit."""
    assert fitted.bertopic_warnings == []


@pytest.mark.slow
def test_seeded_topics_receive_their_articles(fitted: Fitted) -> None:
    assigned, topic_names = topics_of(fitted.engine), names(fitted.engine)
    seeded = [a for a in fitted.corpus if a.topic != "noise"]
    right = sum(1 for a in seeded if topic_names.get(assigned[fitted.ids[a.id]]) == a.topic)
    assert right / len(seeded) >= 0.9
    seed_names = {t.name for t in fitted.config.topics}
    noise = [a for a in fitted.corpus if a.topic == "noise"]
    leaked = sum(1 for a in noise if topic_names.get(assigned[fitted.ids[a.id]]) in seed_names)
    assert leaked / len(noise) <= 0.1


@pytest.mark.slow
def test_every_analyst_topic_exists_with_its_name(fitted: Fitted) -> None:
    rows = {t.name: t for t in db.list_topics(fitted.engine)}
    for seed in fitted.config.topics:
        assert rows[seed.name].seeded and rows[seed.name].description == seed.description
    discovered = [t for t in rows.values() if not t.seeded]
    assert discovered and all(t.name and t.keywords for t in discovered)


@pytest.mark.slow
def test_a_discovered_topic_is_not_named_after_places_few_of_its_articles_name(fitted: Fitted) -> None:
    """The noise themes name a rotating city in each report: a label part that is a city must be named by
    a fifth of the topic's articles at least, whatever the topic's top keywords."""
    cities = {c.casefold() for a in fitted.corpus for c in CITIES if c in a.text}
    assigned, by_id = topics_of(fitted.engine), {fitted.ids[a.id]: a for a in fitted.corpus}
    for topic in (t for t in db.list_topics(fitted.engine) if not t.seeded):
        texts = [by_id[i].text.casefold() for i, t in assigned.items() if t == topic.id and i in by_id]
        for part in (p.casefold() for p in topic.name.split(" · ") if p.casefold() in cities):
            assert sum(part in text for text in texts) >= 0.2 * len(texts), (topic.name, part)


@pytest.mark.slow
def test_new_articles_assigned_between_refits(fitted: Fitted) -> None:
    late = [a for a in fitted.corpus if a.published.date() >= fitted.corpus[0].published.date() + timedelta(SPLIT)]
    assert all(fitted.ids[a.id] in fitted.before for a in late)
    seeded = [a for a in late if a.topic != "noise"]
    right = sum(1 for a in seeded if fitted.names_before.get(fitted.before[fitted.ids[a.id]]) == a.topic)
    assert right / len(seeded) >= 0.85


@pytest.mark.slow
def test_ids_stable_across_refit(fitted: Fitted) -> None:
    after, names_after = topics_of(fitted.engine), names(fitted.engine)
    for seed in fitted.config.topics:
        old = [i for i, n in fitted.names_before.items() if n == seed.name]
        new = [i for i, n in names_after.items() if n == seed.name]
        assert old == new
    # an analyst topic's articles keep it; off-topic articles the crawl placed in the one discovered topic of the
    # first fit (a sports topic took a museum's and a market's reports) may move to the topics the refit finds
    analyst = {i for i, n in fitted.names_before.items() if n in {seed.name for seed in fitted.config.topics}}
    kept = [aid for aid, tid in fitted.before.items() if tid in analyst]
    assert len(kept) >= 0.7 * len(fitted.before)
    assert sum(1 for aid in kept if after.get(aid) == fitted.before[aid]) / len(kept) >= 0.95
    runs = sorted((Path(fitted.config.data_dir) / "topic_model").glob("run-*"))
    assert len(runs) == 2 and fitted.second["path"] != fitted.first["path"]


@pytest.mark.slow
def test_crawl_path_assigns_with_the_saved_model_in_a_new_process(fitted: Fitted, tmp_path: Path) -> None:
    """A fresh process stores new articles and runs process_new: topics are assigned
    without importing BERTopic or torch; then BERTopic itself loads the saved model
    and predicts the same topics."""
    extra = build_corpus(seed=99, days=2, end=END + timedelta(days=5))
    db_path = tmp_path / "copy.db"
    with make_engine(fitted.url).connect() as conn:
        conn.exec_driver_sql(f"VACUUM INTO '{db_path}'")
    code = textwrap.dedent(f"""
        import json, sys
        from datetime import datetime, UTC
        from monitor.config import Config
        from monitor.demo.corpus import build_corpus
        from monitor.store import analysis as db
        from monitor.store.db import make_engine
        from monitor.topics.service import process_new
        engine = make_engine("sqlite:///{db_path}")
        config = Config.model_validate_json({fitted.config.model_dump_json(by_alias=True)!r})
        now = datetime(2026, 7, 6, tzinfo=UTC)
        ids = db.add_corpus(engine, build_corpus(seed=99, days=2, end=now.date()), "http://127.0.0.1:8", now)
        summary = process_new(engine, config, now)
        print(json.dumps({{"summary": summary, "ids": ids,
                          "heavy": sorted(m for m in ("bertopic", "torch", "umap", "hdbscan") if m in sys.modules)}}))
    """)
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True, timeout=300,
                         env={**os.environ, "HF_HUB_OFFLINE": "1"})
    assert out.returncode == 0, out.stderr[-3000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["heavy"] == []
    assert result["summary"]["topics_assigned"] == len(extra)
    copy = make_engine(f"sqlite:///{db_path}")
    assigned = topics_of(copy)
    run = db.current_run(copy)
    _bertopic_agrees(copy, fitted, run, [result["ids"][a.id] for a in extra], assigned)
    copy.dispose()


def _bertopic_agrees(engine: sa.Engine, fitted: Fitted, run, article_ids: list[int], assigned: dict) -> None:
    from monitor.topics.model import bertopic, load_saved
    from monitor.topics.service import model_path

    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT article_id, vector FROM embedding")).all()
    vectors = {a: from_bytes(v) for a, v in rows}
    matrix = np.vstack([vectors[a] for a in article_ids])
    path = model_path(fitted.config, run.path)
    predicted, _ = bertopic()[0].load(str(path)).transform(["unused"] * len(article_ids), matrix)
    saved = load_saved(path)
    assert list(saved.raw_predict(matrix)[0]) == list(predicted)
    expected = [t for t, _ in saved.assign(matrix)]
    assert [assigned[a] for a in article_ids] == expected
    assert sum(1 for t in expected if t >= 0) >= 0.8 * len(expected)


def test_the_saved_model_keeps_each_analyst_topics_required_terms(fitted: Fitted) -> None:
    """The crawl reads what an analyst topic requires from the saved model, as the fit did from the config."""
    from monitor.topics.model import load_saved
    from monitor.topics.service import model_path

    saved = load_saved(model_path(fitted.config, db.current_run(fitted.engine).path))
    assert saved.seeds is not None and any(saved.seeds.must_mention)
    assert saved.seeds.must_mention == tuple(tuple(s.must_mention) for s in fitted.config.topics)


@pytest.mark.slow
def test_cli_explains_why_an_article_is_in_or_out_of_each_analyst_topic(fitted: Fitted, write_config,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.cli import cli

    path = write_config({"feeds": [{"name": "f", "url": "http://127.0.0.1:9/feed"}],
                         "data_dir": fitted.config.data_dir})
    monkeypatch.setenv("MONITOR_DATABASE_URL", fitted.url)
    topics = {t.name: t.id for t in db.list_topics(fitted.engine)}
    assigned = topics_of(fitted.engine)
    with fitted.engine.connect() as conn:
        urls = dict(conn.execute(sa.text("SELECT id, canonical_url FROM article")).all())
    sanction = next(a for a in fitted.corpus if a.topic == "Sanctions and export controls"
                    and assigned.get(fitted.ids[a.id]) == topics["Sanctions and export controls"])
    noise = next(a for a in fitted.corpus if a.topic == "noise")
    runner = CliRunner()
    shown = runner.invoke(cli, ["topics", "explain", urls[fitted.ids[sanction.id]], "--json", "--config", str(path)])
    assert shown.exit_code == 0, shown.output
    found = json.loads(shown.output)
    assert found["title"] == sanction.title and found["placed"].startswith("Sanctions and export controls (id ")
    readings = {r["topic"]: r for r in found["readings"]}
    assert set(readings) == {s.name for s in fitted.config.topics}
    assert readings["Sanctions and export controls"]["verdict"].startswith(("evidence", "supports it"))
    assert readings["Sanctions and export controls"]["required"] is None
    text = runner.invoke(cli, ["topics", "explain", urls[fitted.ids[noise.id]], "--config", str(path)])
    assert text.exit_code == 0, text.output
    assert text.output.count("-> out: mentions none of the terms it requires") == 3  # the three AI topics
    floor, low = found["floor"], found["floor"] - found["two"]  # the bars, as the lines name them
    assert (f"how alike it is to each one's description (evidence from {floor:.2f} with a keyword, {low:.2f} with "
            f"two, {floor + found['strong']:.2f} without; support from {low:.2f} or with a keyword)") in text.output
    missing = runner.invoke(cli, ["topics", "explain", "http://127.0.0.1:9/not-stored", "--config", str(path)])
    assert missing.exit_code == 1 and "no stored article at http://127.0.0.1:9/not-stored" in str(missing.exception)


def test_fit_needs_enough_articles(tmp_path: Path, sqlite_engine: Any) -> None:
    engine = sqlite_engine
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "d"))
    db.add_corpus(engine, build_corpus(days=1)[:5], "http://127.0.0.1:9", datetime(2026, 1, 1, tzinfo=UTC))
    with pytest.raises(MonitorError, match="at least 20 articles"):
        fit(engine, config, datetime(2026, 1, 2, tzinfo=UTC))


@pytest.mark.slow
def test_cli_lists_and_shows_topics(fitted: Fitted, write_config, monkeypatch: pytest.MonkeyPatch) -> None:
    from monitor.cli import cli

    path = write_config({"feeds": [{"name": "f", "url": "http://127.0.0.1:9/feed"}],
                         "data_dir": fitted.config.data_dir})
    monkeypatch.setenv("MONITOR_DATABASE_URL", fitted.url)
    runner = CliRunner()
    listed = runner.invoke(cli, ["topics", "list", "--config", str(path)])
    assert listed.exit_code == 0, listed.output
    for seed in fitted.config.topics:
        assert seed.name in listed.output
    sanctions = next(t.id for t in db.list_topics(fitted.engine) if t.name == "Sanctions and export controls")
    shown = runner.invoke(cli, ["topics", "show", str(sanctions), "--config", str(path)])
    assert shown.exit_code == 0 and "export controls" in shown.output
    assert re.search(r"daily articles, \d\d \w{3} to \d\d \w{3} \(UTC days\): (\d+ ){13}\d+\n", shown.output)
    missing = runner.invoke(cli, ["topics", "show", "999", "--config", str(path)])
    assert missing.exit_code != 0
    as_json = json.loads(runner.invoke(cli, ["topics", "list", "--json", "--config", str(path)]).stdout)
    assert {t["name"] for t in as_json if t["kind"] == "analyst"} == {s.name for s in fitted.config.topics}
    one = json.loads(runner.invoke(cli, ["topics", "show", str(sanctions), "--json", "--limit", "3",
                                         "--config", str(path)]).stdout)
    assert one["id"] == sanctions and one["kind"] == "analyst" and len(one["daily"]) == 14
    assert 0 < len(one["recent"]) <= 3 and all("T" in a["time"] and a["url"].startswith("http") for a in one["recent"])


def _found(bid: int, vector: list[float], seed: str | None = None, label: str = "") -> FoundTopic:
    v = np.array(vector, dtype=np.float32)
    return FoundTopic(bid, seed, ("alpha", "beta", "gamma"), v / np.linalg.norm(v), 10, label, (f"headline {bid}",))


def test_assign_ids_keeps_seeds_matches_centroids_and_never_reuses_ids() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    seeds = [TopicSeed(name="Chips"), TopicSeed(name="Cyber")]
    existing = [TopicRecord(id=0, name="Chips", seeded=True), TopicRecord(id=1, name="Cyber", seeded=True),
                TopicRecord(id=5, name="football / cup / final", centroid=to_bytes(np.array([0, 1, 0], np.float32))),
                TopicRecord(id=6, name="old", centroid=to_bytes(np.array([0, 0, 1], np.float32)))]
    found = [_found(0, [1, 0, 0], "Chips"), _found(3, [0.1, 1, 0], label="Arsenal · FA Cup · final"),
             _found(4, [1, -1, 1]), _found(7, [1, 0.1, 0], "Chips")]
    identity = assign_ids(found, existing, seeds, 0.8, now)
    assert identity.mapping[0] == identity.mapping[7] == 0
    assert identity.mapping[3] == 5
    assert identity.mapping[4] == 7  # new: above every id ever used
    rows = {t.id: t for t in identity.topics}
    # a matched topic keeps its id and takes the new fit's label; without a label, keywords name it
    assert rows[5].name == "Arsenal · FA Cup · final" and rows[7].name == "alpha / beta / gamma"
    assert rows[5].headlines == ("headline 3",) and rows[0].headlines == ("headline 0", "headline 7")
    assert rows[1].size == 0 and rows[0].size == 20 and 6 not in rows


def test_the_closest_pairs_match_first_and_each_old_topic_is_matched_once() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old = [TopicRecord(id=3, name="a", centroid=to_bytes(np.array([1, 0, 0], np.float32))),
           TopicRecord(id=4, name="b", centroid=to_bytes(np.array([0.8, 0.6, 0], np.float32))),
           TopicRecord(id=5, name="other model", centroid=to_bytes(np.array([1, 0], np.float32)))]
    found = [_found(0, [0.9, 0.44, 0]), _found(1, [1, 0.01, 0]), _found(2, [0.99, 0.05, 0])]
    mapping = assign_ids(found, old, [], 0.8, now).mapping
    # 1 is the closest to 3 and takes it, 0 to 4; 2 is close enough to both but comes later: a new id
    # (above every id ever used, the other model's included)
    assert mapping == {1: 3, 0: 4, 2: 6}


def test_a_topic_just_under_the_bar_is_not_matched() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    old = [TopicRecord(id=3, name="a", centroid=to_bytes(np.array([1, 0], np.float32)))]
    under = _found(0, [0.7, 0.714143])  # its similarity 0.699999988 in single precision: under a bar of 0.7
    assert assign_ids([under], old, [], 0.7, now).mapping == {0: 4}
    assert assign_ids([under], old, [], 0.69, now).mapping == {0: 3}

@pytest.mark.slow
def test_umap_and_hdbscan_label_clusters_with_analyst_topics(tmp_path: Path) -> None:
    """The configurable UMAP + HDBSCAN pair: HDBSCAN's outliers stay -1 unless they are evidence."""
    from monitor.topics.embeddings import document, load_embedder
    from monitor.topics.model import fit_bertopic, numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}],
                    topic_model={"reducer": "umap", "clusterer": "hdbscan", "min_cluster_size": 5})
    corpus = build_corpus(seed=11)
    embedder = load_embedder(config.embedding)
    docs = [document(a.title, a.text, config.embedding.max_words) for a in corpus]
    _, fitted = fit_bertopic(docs, embedder.embed(docs), config.topics, embedder, config.topic_model)
    seed_of = {t.bertopic_id: t.seed for t in fitted.topics}
    on_topic = [(a.topic, seed_of.get(label)) for a, label in zip(corpus, fitted.labels, strict=True)
                if a.topic != "noise"]
    assert sum(1 for truth, got in on_topic if truth == got) / len(on_topic) >= 0.8
    assert {t.seed for t in fitted.topics if t.seed} == {s.name for s in config.topics}
    assert len(fitted.labels) == len(corpus) and min(fitted.labels) >= -1


def _fit_labels(corpus: list, config: Config) -> tuple[list[str | None], list[int]]:
    from monitor.topics.embeddings import document, load_embedder
    from monitor.topics.model import fit_bertopic

    embedder = load_embedder(config.embedding)
    docs = [document(a.title, a.text, config.embedding.max_words) for a in corpus]
    _, fitted = fit_bertopic(docs, embedder.embed(docs), config.topics, embedder, config.topic_model)
    seed_of = {t.bertopic_id: t.seed for t in fitted.topics}
    return [seed_of.get(label) for label in fitted.labels], fitted.labels


@pytest.mark.slow
def test_an_analyst_topic_absent_from_the_corpus_gets_no_article(tmp_path: Path) -> None:
    """Nothing about sanctions in the corpus: "Sanctions and export controls" stays empty, and the
    other analyst topics keep their own articles."""
    from monitor.topics.model import numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    corpus = [a for a in build_corpus(seed=7) if a.topic != "Sanctions and export controls"]
    seeds, _ = _fit_labels(corpus, config)
    assert "Sanctions and export controls" not in seeds
    on_topic = [(a.topic, s) for a, s in zip(corpus, seeds, strict=True) if a.topic != "noise"]
    assert sum(1 for truth, got in on_topic if truth == got) / len(on_topic) >= 0.8


@pytest.mark.slow
def test_off_domain_news_lands_in_no_analyst_topic(tmp_path: Path) -> None:
    """Sports, weather and culture only: every analyst topic stays empty (no least-unlikely label)."""
    from monitor.topics.model import numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    noise = [a for seed in (7, 11, 23) for a in build_corpus(seed=seed) if a.topic == "noise"]
    seeds, labels = _fit_labels(noise, config)
    assert len(noise) >= 100 and not any(seeds)
    assert len(set(labels)) >= 1


ALLIANCES = [  # alliances outside AI: they name "AI alliances"'s keywords and read like it, yet mention no AI
    ("{a} and {b} form strategic alliance on cancer drugs",
     "{a} and {b} signed a strategic partnership agreement to develop cancer drugs, deepening a collaboration "
     "that began last year. The cooperation covers joint research on three compounds and shared trials in "
     "Moscow and Beijing, the companies said in a memorandum."),
    ("{a}, {b} sign partnership on jet engines",
     "The carriers {a} and {b} agreed a strategic partnership on jet engine maintenance. The agreement "
     "extends their cooperation to joint research on fuel efficiency, with collaboration centres planned in "
     "Beijing and Moscow, according to a memorandum seen by reporters."),
    ("{a} and {b} announce cooperation agreement on electric cars",
     "{a} and {b} announced a cooperation agreement to build electric cars together. The strategic "
     "partnership includes joint research on batteries and a memorandum on collaboration in Beijing."),
]
COMPANIES = [("Meridian Pharma", "Castellan Biotech"), ("Orion Air", "Baltic Wings"), ("Volta Motors", "Kestrel Auto"),
             ("Helix Labs", "Norden Health"), ("Arcadia Airlines", "Sable Jet"), ("Tamsin Cars", "Ridge Motors")]


@pytest.mark.slow
def test_news_that_mentions_no_ai_stays_out_of_the_ai_topics(tmp_path: Path) -> None:
    """Alliances of drug makers, airlines and carmakers name "partnership", "strategic", "Beijing" and read
    like "AI alliances and partnerships", but mention no AI: no AI topic takes them (``must_mention``), while
    the corpus's own AI alliances stay in theirs."""
    from monitor.demo.corpus import CorpusArticle
    from monitor.topics.model import numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    corpus = build_corpus(seed=7)
    alliances = [CorpusArticle(f"x{i}-{j}", "wire", title.format(a=a, b=b), text.format(a=a, b=b), f"x/{i}/{j}",
                               corpus[0].published, "business", None)
                 for i, (title, text) in enumerate(ALLIANCES) for j, (a, b) in enumerate(COMPANIES)]
    seeds, _ = _fit_labels(corpus + alliances, config)
    ai = {s.name for s in config.topics if s.must_mention}
    assert len(ai) == 3 and not ai & set(seeds[len(corpus):])
    ours = [s for a, s in zip(corpus, seeds[:len(corpus)], strict=True) if a.topic == "AI alliances and partnerships"]
    assert sum(1 for s in ours if s == "AI alliances and partnerships") >= 0.8 * len(ours)


@pytest.mark.slow
def test_identical_or_empty_articles_give_a_clear_outcome(tmp_path: Path) -> None:
    from monitor.topics.embeddings import load_embedder
    from monitor.topics.model import BOUNDED_FROM, fit_bertopic, numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    embedder = load_embedder(config.embedding)
    same = ["Sberbank and DeepSeek sign an AI partnership. The same report, word for word."] * 30
    _, fitted = fit_bertopic(same, embedder.embed(same), config.topics, embedder, config.topic_model)
    assert len(fitted.labels) == 30 and len({t.bertopic_id for t in fitted.topics}) <= 1
    # from BOUNDED_FROM articles on, keywords come from terms more than one topic uses: with one topic none
    # does, and the copies still make one topic named by their words (no "no usable words")
    many = same * 2
    assert len(many) >= BOUNDED_FROM
    _, fitted = fit_bertopic(many, embedder.embed(many), config.topics, embedder, config.topic_model)
    assert len(fitted.labels) == 60 and len({t.bertopic_id for t in fitted.topics}) == 1
    assert "sberbank" in fitted.topics[0].keywords
    empty = [""] * 10 + ["the of and."] * 15
    with pytest.raises(MonitorError, match="no usable words"):
        fit_bertopic(empty, embedder.embed(empty), config.topics, embedder, config.topic_model)


@pytest.mark.slow
def test_a_fit_logs_each_phase_with_the_seconds_since_it_began(tmp_path: Path,
                                                               caplog: pytest.LogCaptureFixture) -> None:
    """A fit of a large corpus runs a minute or more: a terminal or a cron log shows which phase it is in."""
    from monitor.topics.embeddings import load_embedder
    from monitor.topics.model import fit_bertopic, numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}])
    embedder = load_embedder(config.embedding)
    titles = [f"Storm {i} floods the coast of Brittany" for i in range(20)] + \
             [f"Striker {i} wins the cup final for Porto" for i in range(20)]
    bodies = [f"{t}. Reports from the scene, part {i}." for i, t in enumerate(titles)]
    with caplog.at_level(logging.INFO, logger="monitor.topics.model"):
        fit_bertopic(bodies, embedder.embed(bodies), config.topics, embedder, config.topic_model, titles, bodies)
    lines = [r.getMessage() for r in caplog.records if r.getMessage().startswith("topic fit: ")]
    assert [line.split()[2] for line in lines] == ["reading", "clustering", "keywords", "names"]
    assert lines[0].startswith("topic fit: reading 40 articles") and f"{len(config.topics)} analyst topics" in lines[0]
    seconds = [float(re.search(r"\(([\d.]+) s in\)$", line).group(1)) for line in lines]
    assert seconds == sorted(seconds)


@pytest.mark.slow
def test_a_corpus_larger_than_the_fit_sample_is_clustered_on_the_sample_and_the_rest_placed(tmp_path: Path) -> None:
    """Articles outside the clustered sample join the cluster their vectors are near, as new
    articles do at a crawl: they land with their own theme, not in a pile of outliers."""
    from collections import Counter

    from monitor.topics.embeddings import document, load_embedder
    from monitor.topics.model import fit_bertopic, numba_cache

    numba_cache(tmp_path)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], topics=[],
                    topic_model={"fit_sample": 120, "min_cluster_size": 5})
    corpus = [a for a in build_corpus(seed=11) if a.topic != "noise"]
    embedder = load_embedder(config.embedding)
    docs = [document(a.title, a.text, config.embedding.max_words) for a in corpus]
    _, fitted = fit_bertopic(docs, embedder.embed(docs), [], embedder, config.topic_model)
    sample = set(np.random.default_rng(config.topic_model.seed).choice(len(docs), 120, replace=False).tolist())
    rest = [i for i in range(len(docs)) if i not in sample]
    assert len(rest) > 100
    theme = {t: Counter(corpus[i].topic for i in sample if fitted.labels[i] == t).most_common(1)[0][0]
             for t in {fitted.labels[i] for i in sample} if t >= 0}
    placed = [i for i in rest if fitted.labels[i] >= 0]
    assert len(placed) >= 0.6 * len(rest)  # the rest are as far from every cluster as outliers are
    assert sum(theme.get(fitted.labels[i]) == corpus[i].topic for i in placed) >= 0.85 * len(placed)


@pytest.mark.slow
def test_the_same_articles_stored_in_another_order_get_the_same_topics(tmp_path: Path) -> None:
    """Article ids follow the order concurrent fetches finish in; the topics must not. The demo's
    filler news (weather, sport, culture in many cities) has no clear-cut themes, the case where the
    order of UMAP's rows decides the clusters."""
    corpus = [a for a in build_corpus(seed=7, days=30, end=END) if a.topic == "noise"]
    partitions = []
    for name, articles in (("forward", corpus), ("backward", corpus[::-1])):
        url = f"sqlite:///{tmp_path / f'{name}.db'}"
        engine = make_engine(url)
        upgrade(engine, url)
        config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / name))
        ids = db.add_corpus(engine, articles, "http://127.0.0.1:9", datetime(2026, 7, 1, tzinfo=UTC))
        fit(engine, config, datetime(2026, 7, 1, tzinfo=UTC))
        topic_of, labels = topics_of(engine), names(engine)
        engine.dispose()
        groups: dict[str, set[str]] = {}
        for corpus_id, article_id in ids.items():
            groups.setdefault(labels.get(topic_of.get(article_id, -1), "unassigned"), set()).add(corpus_id)
        partitions.append(groups)
    assert partitions[0] == partitions[1]


def test_the_fit_reads_one_copy_of_each_group_whichever_arrived_first() -> None:
    when = datetime(2026, 7, 1, tzinfo=UTC)
    wire = ("Chip curbs widen", "The Commerce Department widened its chip rules on Monday.")
    edited = ("Chip curbs widen", "The Commerce Department widened its chip rules on Monday, officials said.")
    alone = ("Harbour strike ends", "Dock workers returned on Tuesday.")

    def rows(first: tuple[str, str], second: tuple[str, str]) -> list[db.ArticleRow]:
        return [db.ArticleRow(1, *first, when, None), db.ArticleRow(2, *second, when, 1),
                db.ArticleRow(3, *alone, when, None)]

    forwards, backwards = one_per_copy(rows(wire, edited)), one_per_copy(rows(edited, wire))
    assert {(r.title, r.text) for r in forwards} == {(r.title, r.text) for r in backwards} == {min(wire, edited), alone}


def test_the_fit_corpus_reads_each_group_once_in_content_order_with_its_texts_stored(tmp_path: Path) -> None:
    from monitor.topics.embeddings import model_name
    from monitor.topics.service import StoredTexts, content_order, embed_pending, read_corpus, words_read

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine, url)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"))
    ids = db.add_corpus(engine, build_corpus(seed=2, days=2, end=END)[:24], "http://127.0.0.1:9", datetime(2026, 7, 1, tzinfo=UTC))
    original = min(ids.values())
    with engine.begin() as conn:  # a later copy of the first article
        conn.execute(sa.text("INSERT INTO article (canonical_url, url, first_feed_id, title, text, published_at, "
                             "published_source, fetched_at, content_hash, status, site_name, language, word_count, "
                             "duplicate_of) SELECT canonical_url || '?copy', url || '?copy', first_feed_id, title, "
                             "text || ' Reprinted.', published_at, published_source, fetched_at, 'copy', status, "
                             "site_name, language, word_count + 1, id FROM article WHERE id = :id"), {"id": original})
    embed_pending(engine, config, datetime(2026, 7, 1, tzinfo=UTC))
    stored = db.fit_corpus(engine, model_name(config.embedding), None)
    read = sorted((r for r in stored if r.duplicate_of is None), key=content_order)

    corpus = read_corpus(engine, config, model_name(config.embedding), None)
    assert isinstance(corpus.bodies, StoredTexts)  # read again from the store when asked for
    assert corpus.ids == [r.id for r in read] and list(corpus.bodies) == [r.text for r in read]
    assert corpus.bodies[3:7] == [r.text for r in read[3:7]] and corpus.bodies[-1] == read[-1].text
    with engine.begin() as conn:  # an article gone since the fit started reads as no text
        conn.execute(sa.text("DELETE FROM embedding WHERE article_id = :id"), {"id": read[2].id})
        conn.execute(sa.text("DELETE FROM article WHERE id = :id"), {"id": read[2].id})
    assert corpus.bodies[2] == "" and corpus.bodies[1] == read[1].text
    assert corpus.titles == [r.title for r in read]
    assert corpus.docs == [words_read(r.title, r.text, config.embedding.max_words) for r in read]
    assert corpus.vectors.shape == (len(read), len(from_bytes(read[0].vector)))
    assert corpus.copies == {original: [r.id for r in stored if r.duplicate_of == original]}

@pytest.mark.slow
def test_copies_take_the_topic_the_refit_gives_their_group(tmp_path: Path) -> None:
    """The fit reads one article of each group of copies; the others follow it at every fit, not only at
    the first, so no copy stays under a topic (or a fit) that a refit has replaced."""
    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine, url)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"))
    corpus = build_corpus(seed=7, days=20, end=END)
    ids = db.add_corpus(engine, corpus, "http://127.0.0.1:9", datetime(2026, 7, 1, tzinfo=UTC))
    originals = [ids[a.id] for a in corpus[::25]]
    with engine.begin() as conn:  # every 25th article reprinted: the copy adds a credit line
        for original in originals:
            conn.execute(sa.text("INSERT INTO article (canonical_url, url, first_feed_id, title, text, published_at, "
                                 "published_source, fetched_at, content_hash, status, site_name, language, "
                                 "word_count, duplicate_of) SELECT canonical_url || '?copy', url || '?copy', "
                                 "first_feed_id, title, text || ' (Reprinted with permission.)', published_at, "
                                 "published_source, fetched_at, substr(content_hash, 2) || 'c', status, 'Reprints', "
                                 "language, word_count + 3, id FROM article WHERE id = :id"), {"id": original})

    def assigned() -> dict[int, tuple[int, int]]:
        with engine.connect() as conn:
            return {a: (t, r) for a, t, r in conn.execute(sa.text(
                "SELECT article_id, topic_id, model_run_id FROM article_topic")).all()}

    def copies() -> dict[int, int]:
        with engine.connect() as conn:
            query = "SELECT id, duplicate_of FROM article WHERE duplicate_of IS NOT NULL"
            return dict(conn.execute(sa.text(query)).all())

    fit(engine, config, datetime(2026, 7, 1, tzinfo=UTC))
    refit = config.model_copy(update={"topic_model": config.topic_model.model_copy(update={"seed": 3})})
    fit(engine, refit, datetime(2026, 7, 2, tzinfo=UTC))
    topics, current = assigned(), db.current_run(engine)
    assert current is not None and len(copies()) == len(originals)
    for copy, original in copies().items():
        assert topics[copy] == topics[original] and topics[copy][1] == current.id
    engine.dispose()


@pytest.mark.slow
def test_markup_and_wire_credits_give_a_topic_no_keywords(tmp_path: Path) -> None:
    """A feed that escaped its HTML twice: short market briefs, each opening with the wire's dateline
    and carrying a quote link as text. Their topic is described by what they report, not by "href http"
    or "york reuters". The configuration has no analyst topics, so the fit also saves (and assigns with) a
    model without any."""
    from monitor.demo.corpus import CorpusArticle

    url = f"sqlite:///{tmp_path / 'monitor.db'}"
    engine = make_engine(url)
    upgrade(engine, url)
    config = Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/feed"}], data_dir=str(tmp_path / "data"),
                    topics=[])
    corpus = build_corpus(seed=7, days=20, end=END)
    when = datetime(2026, 6, 20, tzinfo=UTC)
    for n, (company, result) in enumerate(itertools.product(
            ("Acme", "Borealis", "Cortland", "Dunmore", "Eastfield", "Fairhaven", "Glenrock", "Harwick"),
            ("quarterly profit rose", "quarterly earnings fell short of forecasts"))):
        link = (f'<A HREF="http://www.investor.example.com/FullQuote.aspx?ticker={company[:3].upper()}.N '
                f'target=/stocks/quickinfo/fullquote">{company[:3].upper()}.N</A>')
        corpus.append(CorpusArticle(f"b{n:02d}", "Market Wire", f"{company} says {result}",
                                    f"NEW YORK (Reuters) - {company} Inc. {link} said on Monday its {result}.",
                                    f"/market-wire/b{n:02d}.html", when, "briefs", None))
    db.add_corpus(engine, corpus, "http://127.0.0.1:9", datetime(2026, 7, 1, tzinfo=UTC))
    fit(engine, config, datetime(2026, 7, 1, tzinfo=UTC))
    topics = db.list_topics(engine, active_only=False)
    words = {w for t in topics for k in (t.name.replace("·", " "), *t.keywords) for w in k.casefold().split()}
    assert "quarterly" in words  # the briefs were fitted and described
    assert not words & {"href", "http", "www", "fullquote", "quickinfo", "target", "reuters", "york"}
    engine.dispose()


@pytest.mark.parametrize("meta", [{"embedding_model": "m", "topic_map": {"0": 1}},  # no "floors"
                                  {"embedding_model": "m", "topic_map": [1], "floors": {}}])  # a list for a map
def test_a_saved_model_missing_a_field_asks_for_a_refit_instead_of_a_traceback(tmp_path: Path, meta: dict) -> None:
    from safetensors.numpy import save_file

    from monitor.topics.model import SIDECAR, load_saved

    (tmp_path / SIDECAR).write_text(json.dumps(meta), encoding="utf-8")
    (tmp_path / "topics.json").write_text("{}", encoding="utf-8")
    save_file({"topic_embeddings": np.ones((2, 4), np.float32)}, str(tmp_path / "topic_embeddings.safetensors"))
    with pytest.raises(MonitorError, match="cannot read the saved topic model.*run `monitor topics fit`"):
        load_saved(tmp_path)
