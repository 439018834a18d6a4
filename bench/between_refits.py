"""Topics between weekly refits: how the crawl places new articles under the last fit's topics.

    python bench/between_refits.py newscluster-kinds:newscluster.jsonl googlenews-siblings:TS.jsonl \\
                                   googlenews-kinds:TS.jsonl [--sample 3000] [--seeds 42 1 2]

Each ``FORMAT:PATH`` is read by ``bench/real_sets.py`` (the data is not shipped). Per seed, a fifth of the
set's themes is held out whole (news the fit never saw) and a fifth of the other themes' articles (news
of themes it knows, arriving later). The topic model is fitted on the rest with the shipped defaults and
no analyst topics; the held-out articles are then placed as the crawl places them
(``SavedModel.assign``: the nearest topic embedding, kept when above that topic's floor).

Reported per floor rule, means over the seeds: the share of the unseen themes' articles placed in a
topic (lower is better: they belong to none yet), the share of the known themes' articles placed
(higher is better), and the ARI of the known themes' articles against their themes (unassigned ones as
singletons). The rules: ``shipped`` (each topic's loosest member, never above the 5th percentile of all
members' similarities), the naive baseline ``nearest`` (no floor: every article goes to its nearest
topic), and one percentile of all members for every topic (``p5``, ``p2``, ``p1``).

Each rule is also scored as the product reads it: the crawl groups articles into stories, and a story's
members that are unassigned or in another discovered topic take the story's discovered topic
(``store.analysis._story_topic``). ``+ stories, half`` is the shipped rule: the topic must hold at least
half the story's members, unassigned ones included. ``+ stories, any majority`` is the rule before it:
the majority of the members that have a topic, however few they are. The set's own events stand in for
the stories here, an upper bound on what the crawl's stories (B-cubed F1 0.90-0.95 on these sets) give.

The crawl applies the rule each time a batch arrives, not once. ``+ stories, half, in batches`` replays
that: the later articles arrive in shuffled batches (``--batch``), and after each one the stories it
touched take their topics again. Its two readings differ in what a member counts as: ``read`` counts the
topic a member is read under, including one its story handed it earlier (the store until it kept each
article's own placement), ``own`` counts the topic the model placed it in, and a member whose story no
longer holds a topic goes back to its own (``ArticleTopic.own_topic_id``). After a fit the topic a story
hands on is its members' own in both: the fit clustered every member.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
from eval_topics import CONFIG
from real_sets import LabelledArticle, read_labelled

from monitor.config import Config
from monitor.topics.embeddings import document, load_embedder
from monitor.topics.evaluate import adjusted_rand
from monitor.topics.model import SavedModel, fit_bertopic, normalise

PERCENTILES = {"p5": 5, "p2": 2, "p1": 1}


def held_out(truth: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Rows fitted, rows placed later, and which rows are of a theme the fit never saw."""
    rng = np.random.default_rng(seed)
    themes = np.unique(truth)
    unseen = np.isin(truth, rng.choice(themes, len(themes) // 5, replace=False))
    known = np.flatnonzero(~unseen)
    later = np.zeros(len(truth), bool)
    later[rng.choice(known, len(known) // 5, replace=False)] = True
    return np.flatnonzero(~unseen & ~later), np.flatnonzero(unseen | later), unseen


def floor_rules(fitted: Any) -> dict[str, dict[int, float]]:
    members = np.array([t >= 0 for t in fitted.labels])
    scores = np.asarray(fitted.scores)[members]
    rules = {"shipped": dict(fitted.floors), "nearest": {t: -1.0 for t in fitted.floors}}
    for name, q in PERCENTILES.items():
        rules[name] = {t: float(np.percentile(scores, q)) for t in fitted.floors}
    return rules


def with_stories(placed: np.ndarray, later: np.ndarray, fitted: np.ndarray, fit_rows: np.ndarray,
                 events: np.ndarray, half: bool) -> np.ndarray:
    """The later articles' topics once each takes its story's majority topic (its fitted members' and
    the later members' placements; a story with none placed keeps its members unassigned). ``half``:
    only a topic that holds at least half the story's members is given."""
    rows = [*fit_rows.tolist(), *later.tolist()]
    mine = {int(r): int(t) for r, t in zip(rows, [*fitted, *placed], strict=True)}
    stories: dict[str, list[int]] = {}
    for r in rows:
        stories.setdefault(events[r], []).append(int(r))
    read = dict(mine)
    for members in stories.values():
        _hand_on(members, mine, read, 0.5 if half else 0.0, own=True)
    return np.array([read[int(r)] for r in later])


def in_batches(placed: np.ndarray, later: np.ndarray, fitted: np.ndarray, fit_rows: np.ndarray,
               events: np.ndarray, batch: int, seed: int, own: bool) -> np.ndarray:
    """The later articles' topics after they arrive ``batch`` at a time and, after each batch, the stories
    it touched hand on a topic that holds half their members. ``own``: members count by their own
    placement and go back to it when their story holds no topic; else by the topic they are read under."""
    stories: dict[str, list[int]] = {}
    mine = {int(r): int(t) for r, t in zip(fit_rows, fitted, strict=True)}
    for r in fit_rows:
        stories.setdefault(events[r], []).append(int(r))
    read = dict(mine)
    for rows in stories.values():  # after the fit: any majority carries a story, and is its members' own
        _hand_on(rows, mine, read, 0.0, own=True)
    mine = dict(read)
    order = np.random.default_rng(seed).permutation(len(later))
    for start in range(0, len(order), batch):
        touched = set()
        for i in order[start:start + batch]:
            r = int(later[i])
            mine[r] = read[r] = int(placed[i])
            stories.setdefault(events[r], []).append(r)
            touched.add(events[r])
        for event in touched:
            _hand_on(stories[event], mine, read, 0.5, own)
    return np.array([read[int(r)] for r in later])


def _hand_on(rows: list[int], mine: dict[int, int], read: dict[int, int], share: float, own: bool) -> None:
    """A story of ``rows`` hands its majority topic to every member when it holds at least ``share`` of them
    (counted by ``mine``, their own placements, with ``own``, else by ``read``); with ``own`` and no such
    topic, members are read under their own again."""
    counted = [(mine if own else read)[r] for r in rows]
    votes = Counter(t for t in counted if t >= 0).most_common(1)
    topic = votes[0][0] if votes and votes[0][1] >= share * len(rows) else None
    for r in rows:
        if topic is not None:
            read[r] = topic
        elif own:
            read[r] = mine[r]


def scored(placed: np.ndarray, truth: np.ndarray, new: np.ndarray) -> dict[str, float]:
    known = ~new
    return {"unseen placed": float(np.mean(placed[new] >= 0)), "known placed": float(np.mean(placed[known] >= 0)),
            "known ARI": adjusted_rand(list(truth[known]), [None if t < 0 else t for t in placed[known]])}


def one_seed(truth: np.ndarray, events: np.ndarray, docs: list[str], dense: np.ndarray, embedder: Any,
             seed: int, batch: int) -> dict[str, dict]:
    fit_rows, later, unseen = held_out(truth, seed)
    cfg = Config(feeds=CONFIG.feeds, topics=[]).topic_model.model_copy(update={"seed": seed})
    model, fitted = fit_bertopic([docs[i] for i in fit_rows], dense[fit_rows], [], embedder, cfg)
    ids = sorted(fitted.floors)
    new, out = unseen[later], {}
    for rule, floors in floor_rules(fitted).items():
        saved = SavedModel(Path("."), "", normalise(np.asarray(model.topic_embeddings_)), int(model._outliers),
                           {t: t for t in ids}, floors)
        placed = np.array([t for t, _ in saved.assign(dense[later])])
        out[rule] = scored(placed, truth[later], new)
        for half, name in ((False, "+ stories, any majority"), (True, "+ stories, half")):
            taken = with_stories(placed, later, np.asarray(fitted.labels), fit_rows, events, half)
            out[f"{rule} {name}"] = scored(taken, truth[later], new)
        for own, name in ((False, "read"), (True, "own")):
            taken = in_batches(placed, later, np.asarray(fitted.labels), fit_rows, events, batch, seed, own)
            out[f"{rule} + stories, half, in batches ({name})"] = scored(taken, truth[later], new)
    return out


def run(name: str, articles: list[LabelledArticle], embedder: Any, seeds: list[int], batch: int) -> dict[str, Any]:
    truth = np.array([str(a.topic or a.story) for a in articles])
    events = np.array([str(a.story) for a in articles])
    docs = [document(a.title, a.text, CONFIG.embedding.max_words) for a in articles]
    dense = normalise(np.asarray(embedder.embed(docs)))
    runs = [one_seed(truth, events, docs, dense, embedder, seed, batch) for seed in seeds]
    rules = {rule: {k: round(float(np.mean([r[rule][k] for r in runs])), 3) for k in runs[0][rule]}
             for rule in runs[0]}
    return {"set": name, "articles": len(articles), "seeds": seeds, "rules": rules}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sets", nargs="+", help="FORMAT:PATH of topic-labelled sets")
    parser.add_argument("--sample", type=int, default=3000, help="larger sets are read as a seeded sample")
    parser.add_argument("--seeds", type=int, nargs="+", default=[42, 1, 2])
    parser.add_argument("--batch", type=int, default=25, help="later articles arriving at each crawl")
    args = parser.parse_args(argv)
    embedder = load_embedder(CONFIG.embedding)
    for spec in args.sets:
        name, articles = read_labelled(spec, args.sample)
        print(json.dumps(run(name, articles, embedder, args.seeds, args.batch)), flush=True)
    print("done", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
