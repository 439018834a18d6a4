"""The topic refit end to end: `monitor.topics.service.fit` on a stored, embedded corpus, as `monitor topics fit`
runs it (rows read, words read, fit, labels and headlines, saved, every article assigned), each in a fresh process,
with its peak RSS and the peak of it and its children together: first the fit alone in one process, its helper
processes switched off and no counts kept (the baseline), cold (empty numba cache) and warm; then as shipped with
no counts kept (a first fit after an upgrade), cold; then as shipped after the crawl's update kept the counts
(a first fit), cold and warm (a refit).

    python bench/topics_fit_e2e.py --articles 50000
    python bench/topics_fit_e2e.py --texts giveme5w1h_newscluster.jsonl --articles 50000
    python bench/topics_fit_e2e.py --texts giveme5w1h_newscluster.jsonl --update 1000 --runs 3
    python bench/topics_fit_e2e.py --passes giveme5w1h_newscluster.jsonl --articles 10000
    python bench/topics_fit_e2e.py --texts giveme5w1h_newscluster.jsonl --articles 1500 --cron 20 --runs 5

The first builds a database of the demo corpus's synthetic articles (about 90 words each; stored, embedded,
stories assigned, as the crawl's update leaves them; kept in --workdir for later runs). With --texts the articles
are news length instead: each one is made of paragraphs drawn (seeded) from the texts of a jsonl file (title,
text), as many as one of those texts has, so that no two are copies; it is a timing corpus, not a labelled one.
--update times what the crawl's update (`process_new`: embedding, the kept counts, stories) costs for that many
new articles of news length on a fresh store, against the same update that keeps no counts (`features: embedding`),
medians of --runs fresh processes. --passes times the fit's two Python passes over every article, the hashed
word and name bags and the label names, on real texts repeated to --articles: their cost grows with the texts'
length, which the synthetic articles understate. It also times what a fit pays instead of the bags when the
counts were kept: reading them back from SQLite, checking their digests and building the counts. --cron times
a cron crawl's update (``process_new``) of that many new articles on a store of --articles news-length ones, as
shipped (the story bars' reference read back from the counts the crawl before kept) against the same update
with those counts deleted (every reference article counted again), interleaved, medians of --runs.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from topics_perf import CORPUS  # the demo corpus's articles, as the other topic benchmarks build them

BUILD = textwrap.dedent(CORPUS).replace("# end of corpus builder", "") + """
from datetime import UTC, datetime
from monitor.config import Config
from monitor.store import analysis
from monitor.store.db import make_engine, upgrade
from monitor.topics.service import process_new
engine = make_engine(URL); upgrade(engine, URL)
config = Config(feeds=[{"name": "b", "url": "http://127.0.0.1/f"}], data_dir=DATA)
now = datetime(2026, 12, 1, tzinfo=UTC)
analysis.add_corpus(engine, articles(N), "http://127.0.0.1:1", now)
process_new(engine, config, now)
"""

FIT = """
import json, os, resource, threading, time
from datetime import UTC, datetime
from monitor.config import Config
from monitor.store.db import make_engine
from monitor.topics import helper
from monitor.topics.service import fit
if not HELPERS:
    helper.APART_FROM = 10 ** 12  # the fit alone, in one process
peak = [0]
def rss(pid):
    try:
        return next(int(line.split()[1]) * 1024 for line in open(f"/proc/{pid}/status") if line.startswith("VmRSS"))
    except (OSError, StopIteration):
        return 0
def sample():  # this process and its children (helpers, workers) at the same moment
    me = os.getpid()
    while True:
        try:
            kids = [k for t in os.listdir(f"/proc/{me}/task") for k in open(f"/proc/{me}/task/{t}/children").read().split()]
        except OSError:  # a thread ended meanwhile
            continue
        peak[0] = max(peak[0], rss(me) + sum(rss(k) for k in kids))
        time.sleep(0.05)
threading.Thread(target=sample, daemon=True).start()
engine = make_engine(URL)
config = Config(feeds=[{"name": "b", "url": "http://127.0.0.1/f"}], data_dir=DATA)
t = time.perf_counter()
result = fit(engine, config, datetime(2026, 12, 2, tzinfo=UTC))
print(json.dumps({"fit_s": round(time.perf_counter() - t, 1), "topics": result["topics"],
                  "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6, 2),
                  "peak_with_children_gb": round(peak[0] / 1e9, 2)}))
"""

NEWS = """
import json, random
from datetime import UTC, datetime, timedelta
from monitor.demo.corpus import CorpusArticle
def articles(n, first=0):
    rows = [json.loads(line) for line in open(PATH, encoding="utf-8")]
    pool = [p for r in rows for p in r["text"].split("\\n") if len(p.split()) > 3]
    out = []
    for i in range(first, first + n):
        draw = random.Random(i)
        shape = rows[i % len(rows)]["text"].split("\\n")
        paragraphs = [draw.choice(pool) for _ in shape]
        title = " ".join(paragraphs[0].split()[:12])
        when = datetime(2026, 11, 1, tzinfo=UTC) + timedelta(minutes=(i * 37) % (30 * 24 * 60))
        out.append(CorpusArticle(f"n{i}", f"Site {i % 50}", title, "\\n".join(paragraphs), f"/n/{i}", when, "", None))
    return out
"""

BUILD_NEWS = NEWS + BUILD[BUILD.index("from datetime import UTC, datetime\nfrom monitor.config"):]

UPDATE = NEWS + """
import time
from monitor.config import Config
from monitor.store import analysis
from monitor.store.db import make_engine, upgrade
from monitor.topics.service import process_new
engine = make_engine(URL); upgrade(engine, URL)
config = Config(feeds=[{"name": "b", "url": "http://127.0.0.1/f"}], data_dir=DATA,
                topic_model={"features": FEATURES})
now = datetime(2026, 12, 1, tzinfo=UTC)
analysis.add_corpus(engine, articles(N), "http://127.0.0.1:1", now)
t = time.perf_counter()
process_new(engine, config, now)
print(json.dumps({"process_new_s": round(time.perf_counter() - t, 3)}))
"""

CRON = NEWS + """
import shutil, sqlite3, time
from monitor.config import Config
from monitor.store import analysis
from monitor.store.db import make_engine
from monitor.topics.service import process_new
shutil.copy(BUILT, PATH_COPY)
if not KEPT:  # the baseline: the reference's counts not kept, so every crawl counts its reference again
    with sqlite3.connect(PATH_COPY) as conn:
        conn.execute("DELETE FROM story_bag")
engine = make_engine("sqlite:///" + PATH_COPY)
config = Config(feeds=[{"name": "b", "url": "http://127.0.0.1/f"}], data_dir=DATA)
now = datetime(2026, 12, 2, tzinfo=UTC)
analysis.add_corpus(engine, articles(N, first=FIRST), "http://127.0.0.1:1", now)
t = time.perf_counter()
process_new(engine, config, now)
print(json.dumps({"process_new_s": round(time.perf_counter() - t, 3)}))
"""

KEEP = """
import sqlite3
with sqlite3.connect(PATH) as conn:
    conn.execute("DELETE FROM fit_bag")
    if RESTORE:
        conn.execute("INSERT INTO fit_bag SELECT * FROM bench_crawl_bag")
"""

CRAWL_COUNTS = """
from monitor.config import Config
from monitor.store import analysis
from monitor.store.db import make_engine
from monitor.topics.embeddings import model_name
from monitor.topics.service import keep_counts, words_read
engine = make_engine(URL)
config = Config(feeds=[{"name": "b", "url": "http://127.0.0.1/f"}], data_dir=DATA)
rows = analysis.fit_corpus(engine, model_name(config.embedding), None)
keep_counts(engine, rows, [words_read(r.title, r.text, config.embedding.max_words) for r in rows])
"""

UPGRADE = """
from monitor.store.db import make_engine, upgrade
upgrade(make_engine(URL), URL)
"""

PASSES = """
import json, time
from monitor.topics.features import counted
from monitor.topics.labels import describe
from monitor.topics.service import words_read
rows = [json.loads(line) for line in open(PATH, encoding="utf-8")]
rows = [(r["title"], r["text"]) for r in (rows * (N // len(rows) + 1))[:N]]
t = time.perf_counter(); docs = [words_read(title, text, 400) for title, text in rows]; read = time.perf_counter() - t
t = time.perf_counter(); counted(docs); bags = time.perf_counter() - t
import hashlib, os, sqlite3, tempfile
from monitor.topics.features import bags as bag_of, from_packed, packed
digest = lambda doc: hashlib.blake2b(doc.encode(), digest_size=16).hexdigest()
kept = [(i, digest(d), packed(b.words), packed(b.names)) for i, d in enumerate(docs)
        for b in [bag_of("", d, read_details=False)]]
path = os.path.join(tempfile.mkdtemp(), "kept.db")
with sqlite3.connect(path) as conn:  # the counts a fit keeps, read back as a refit reads them
    conn.execute("CREATE TABLE fit_bag (article_id INTEGER PRIMARY KEY, digest TEXT, words BLOB, names BLOB)")
    conn.executemany("INSERT INTO fit_bag VALUES (?, ?, ?, ?)", kept)
t = time.perf_counter()
with sqlite3.connect(path) as conn:
    stored = {a: (d, w, n) for a, d, w, n in conn.execute("SELECT article_id, digest, words, names FROM fit_bag")}
same = all(stored[i][0] == digest(d) for i, d in enumerate(docs))
from_packed([stored[i][1] for i in range(N)], [stored[i][2] for i in range(N)])
kept_s = time.perf_counter() - t
kept_bytes = sum(len(w) + len(n) for _, _, w, n in kept) / N
titles, bodies = [r[0] for r in rows], [r[1] for r in rows]
t = time.perf_counter()
describe(titles, bodies, [0] * len(rows), [1.0] * len(rows), {})
labels = time.perf_counter() - t
print(json.dumps({"articles": N, "mean_chars": round(sum(len(b) for b in bodies) / N), "words_read_s": round(read, 2),
                  "bags_s": round(bags, 2), "kept_bags_read_s": round(kept_s, 2), "kept_bytes_per_article": round(kept_bytes),
                  "labels_s": round(labels, 2), "all_kept_bags_match": same}))
"""


def child(code: str, tree: Path | None = None, **values: object) -> dict:
    """Run ``code`` in a fresh interpreter with ``values`` defined first; its last line read as JSON. With
    ``tree``, that source checkout comes first on the path (run from a folder of no source: ``python -c``
    puts the working folder before ``PYTHONPATH``)."""
    head = "".join(f"{k} = {v!r}\n" for k, v in values.items())
    env, cwd = (None, None) if tree is None else ({**os.environ, "PYTHONPATH": str(tree)}, tempfile.gettempdir())
    done = subprocess.run([sys.executable, "-c", head + code], capture_output=True, text=True, env=env, cwd=cwd)
    if done.returncode:
        raise SystemExit(f"a child process failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1]) if done.stdout.strip() else {}


def build_corpus(db: Path, data: Path, articles: int, texts: Path | None) -> None:
    """A database of ``articles`` stored, embedded articles with their stories: the demo corpus's synthetic
    ones, or news-length ones made of ``texts``' paragraphs."""
    t = time.perf_counter()
    extra = {"PATH": str(texts.resolve())} if texts else {}
    child(BUILD_NEWS if texts else BUILD, URL=f"sqlite:///{db}", DATA=str(data), N=articles, **extra)
    print(f"built {articles} articles in {time.perf_counter() - t:.0f} s", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=50000)
    parser.add_argument("--workdir", type=Path, help="keep the built database here (default: a temporary folder)")
    parser.add_argument("--texts", type=Path, help="news-length articles made of this jsonl's paragraphs")
    parser.add_argument("--update", type=int, help="time the crawl's update of this many new articles instead")
    parser.add_argument("--runs", type=int, default=3, help="runs of --update (median)")
    parser.add_argument("--passes", type=Path, help="time the two Python passes on this jsonl's texts instead")
    parser.add_argument("--cron", type=int, help="time a cron crawl's update of this many new articles on a store "
                        "of --articles news-length ones instead, with the bars' reference counts kept or not")
    args = parser.parse_args(argv)
    if args.passes:
        print(json.dumps(child(PASSES, PATH=str(args.passes.resolve()), N=args.articles)))
        return 0
    work = args.workdir or Path(tempfile.mkdtemp(prefix="fit-e2e-"))
    work.mkdir(parents=True, exist_ok=True)
    report = update_runs(args, work) if args.update else cron_runs(args, work) if args.cron else fit_runs(args, work)
    print(json.dumps(report))
    if not args.workdir:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def update_runs(args: argparse.Namespace, work: Path) -> dict:
    """The crawl's update of ``args.update`` new news-length articles, keeping the counts or not."""
    if not args.texts:
        raise SystemExit("--update needs --texts")
    report: dict = {"articles": args.update}
    for features in ("embedding", "hybrid") * args.runs:  # interleaved: the machine's drift hits both
        db = work / "update.db"
        db.unlink(missing_ok=True)
        out = child(UPDATE, URL=f"sqlite:///{db}", DATA=str(work / "data"), N=args.update,
                    PATH=str(args.texts.resolve()), FEATURES=features)
        report.setdefault(f"{features} runs", []).append(out["process_new_s"])
    for features in ("embedding", "hybrid"):
        report[features] = statistics.median(report[f"{features} runs"])
    return report


def cron_runs(args: argparse.Namespace, work: Path) -> dict:
    """A cron crawl's update of ``args.cron`` new news-length articles on a store of ``args.articles``, each
    run on a fresh copy of the store: as shipped (the bars' reference counts kept by the crawl before) and
    with them deleted (the baseline: the reference counted again), interleaved, medians of ``args.runs``."""
    if not args.texts:
        raise SystemExit("--cron needs --texts")
    built, data = work / f"cron-news-{args.articles}.db", work / "data"
    if not built.exists():
        build_corpus(built, data, args.articles, args.texts)
    report: dict = {"stored": args.articles, "new": args.cron}
    for run in range(args.runs):
        for name, kept in (("counted again", False), ("kept", True)):
            out = child(CRON, BUILT=str(built), PATH_COPY=str(work / "cron-run.db"), DATA=str(data), N=args.cron,
                        FIRST=args.articles + run * args.cron, KEPT=kept, PATH=str(args.texts.resolve()))
            report.setdefault(f"{name} runs", []).append(out["process_new_s"])
    for name in ("counted again", "kept"):
        report[name] = statistics.median(report[f"{name} runs"])
    report["ratio"] = round(report["kept"] / report["counted again"], 2)
    return report


def fit_runs(args: argparse.Namespace, work: Path) -> dict:
    kind = "news" if args.texts else "synthetic"
    db, data = work / f"fit-{kind}-{args.articles}.db", work / "data"
    values = {"URL": f"sqlite:///{db}", "DATA": str(data), "N": args.articles}
    if not db.exists():
        build_corpus(db, data, args.articles, args.texts)
    subprocess.run([sys.executable, "-c", f"URL = {values['URL']!r}\n" + UPGRADE], check=True)  # a database built earlier
    with sqlite3.connect(db) as conn:  # the counts the crawl's update kept, put aside for the first fits
        if not conn.execute("SELECT 1 FROM sqlite_master WHERE name = 'bench_crawl_bag'").fetchone():
            if not conn.execute("SELECT 1 FROM fit_bag LIMIT 1").fetchone():  # built before the update kept them
                child(CRAWL_COUNTS, **values)
            conn.execute("CREATE TABLE bench_crawl_bag AS SELECT * FROM fit_bag")
    report: dict = {"articles": args.articles, "corpus": kind}
    for name, helpers, kept, runs in (("alone, nothing kept", False, False, ("cold", "warm")),
                                      ("shipped, nothing kept", True, False, ("cold",)),
                                      ("shipped", True, True, ("cold", "warm"))):
        shutil.rmtree(data, ignore_errors=True)  # no numba cache, no saved model: the first fit is cold
        child(KEEP, PATH=str(db), RESTORE=kept)
        for run in runs:
            t = time.perf_counter()
            report[f"{name}: {run}"] = {**child(FIT, **values, HELPERS=helpers),
                                        "process_s": round(time.perf_counter() - t, 1)}
    return report

if __name__ == "__main__":
    raise SystemExit(main())
