"""Topic-stage performance: update cost, fit cost by corpus size, embedding throughput, crawl-path imports.

Each measurement runs in a fresh process (imports and numba compilation included,
as a cron run pays them). Naive baselines in the same run:
- update: load the saved model with BERTopic and call ``transform`` (what a plain
  BERTopic deployment does) instead of our numpy path over the saved topic embeddings;
- embedding: the same texts in their original order (no length bucketing);
- fit: first use (empty numba cache) against a warm cache in the data directory.

    python bench/topics_perf.py [--sizes 10000 50000] [--runs 3] [--update 1000]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

CHILD_PREFIX = textwrap.dedent("""
    import json, resource, sys, time
    started = time.perf_counter()
""")
CHILD_SUFFIX = textwrap.dedent("""
    result["seconds"] = round(time.perf_counter() - started, 3)
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    print(json.dumps(result))
""")


def child(code: str, env: dict[str, str] | None = None) -> dict:
    body = "\n".join(textwrap.dedent(part) for part in code.split("# end of corpus builder"))
    out = subprocess.run([sys.executable, "-c", CHILD_PREFIX + body + CHILD_SUFFIX], check=False,
                         capture_output=True, text=True, env={**os.environ, **(env or {})}, timeout=3600)
    if out.returncode != 0:
        raise RuntimeError(out.stderr[-3000:])
    return json.loads(out.stdout.strip().splitlines()[-1])


CORPUS = """
    from datetime import timedelta
    from monitor.demo.corpus import build_corpus
    def articles(n, first_seed=1000):
        out, seed = [], first_seed
        while len(out) < n:
            for a in build_corpus(seed=seed):
                out.append(a.__class__(f"s{seed}-{a.id}", a.outlet, a.title, a.text, f"/s{seed}" + a.url_path,
                                       a.published, a.topic, a.story))
            seed += 1
        return out[:n]
    # end of corpus builder
"""


def embed_docs(n: int, path: Path) -> dict:
    """Embed n synthetic documents once (saved for the fit runs); sorted vs unsorted throughput."""
    return child(CORPUS + f"""
        import numpy as np
        from monitor.config import EmbeddingConfig
        from monitor.topics.embeddings import document, load_embedder, normalise
        from monitor.topics.service import words_read
        arts = articles({n})
        docs = [document(a.title, a.text, 400) for a in arts]  # embedded as the crawl embeds them
        t = time.perf_counter(); read = [words_read(a.title, a.text, 400) for a in arts]
        read_s = time.perf_counter() - t  # the fit's words are read as the product's fit reads them
        e = load_embedder(EmbeddingConfig())
        t = time.perf_counter(); vectors = e.embed(docs); sorted_s = time.perf_counter() - t
        sample = docs[:5000]
        t = time.perf_counter()
        rows = [e._model.embed(sample[i:i + 64], norm=False, batch_size=64) for i in range(0, len(sample), 64)]
        naive_s = time.perf_counter() - t
        t = time.perf_counter(); e.embed(sample); bucketed_s = time.perf_counter() - t
        np.save({str(path)!r}, vectors)
        with open({str(path.with_suffix('.json'))!r}, "w") as f:
            json.dump(read, f)
        result = {{"docs": len(docs), "docs_per_s": round(len(docs) / sorted_s, 1), "words_read_s": round(read_s, 2),
                   "sample_naive_s": round(naive_s, 3), "sample_bucketed_s": round(bucketed_s, 3)}}
    """)


def fit_once(path: Path, numba_dir: Path) -> dict:
    return child(f"""
        import numpy as np
        from monitor.config import Config
        from monitor.topics.embeddings import load_embedder
        from monitor.topics.model import fit_bertopic, numba_cache
        from pathlib import Path
        numba_cache(Path({str(numba_dir)!r}))
        config = Config(feeds=[{{"name": "b", "url": "http://127.0.0.1/f"}}])
        docs = json.load(open({str(path.with_suffix('.json'))!r}))
        vectors = np.load({str(path)!r})
        t = time.perf_counter()
        model, fitted = fit_bertopic(docs, vectors, config.topics, load_embedder(config.embedding), config.topic_model)
        result = {{"fit_s": round(time.perf_counter() - t, 3), "topics": len(fitted.topics)}}
    """)


def update_runs(workdir: Path, n_update: int, runs: int) -> dict:
    """A 5,000-article database with a fitted model; then n_update new articles, ours vs naive."""
    db, data = workdir / "update.db", workdir / "data"
    setup = CORPUS + f"""
        from datetime import UTC, datetime
        from monitor.config import Config
        from monitor.store import analysis
        from monitor.store.db import make_engine, upgrade
        from monitor.topics.service import fit, process_new
        url = "sqlite:///{db}"
        engine = make_engine(url); upgrade(engine, url)
        config = Config(feeds=[{{"name": "b", "url": "http://127.0.0.1/f"}}], data_dir={str(data)!r})
        now = datetime(2026, 12, 1, tzinfo=UTC)
        analysis.add_corpus(engine, articles(5000), "http://127.0.0.1:1", now)
        result = {{"fit": fit(engine, config, now), "stories": process_new(engine, config, now)}}
    """
    child(setup)
    ours, naive = [], []
    for run in range(runs):
        copy = workdir / f"update-{run}.db"
        subprocess.run(["cp", str(db), str(copy)], check=True)
        ours.append(child(CORPUS + f"""
            from datetime import UTC, datetime
            from monitor.config import Config
            from monitor.store import analysis
            from monitor.store.db import make_engine
            from monitor.topics.service import process_new
            engine = make_engine("sqlite:///{copy}")
            config = Config(feeds=[{{"name": "b", "url": "http://127.0.0.1/f"}}], data_dir={str(data)!r})
            analysis.add_corpus(engine, articles({n_update}, first_seed=5000), "http://127.0.0.1:1",
                                datetime(2026, 12, 2, tzinfo=UTC))
            t = time.perf_counter()
            summary = process_new(engine, config, datetime(2026, 12, 2, tzinfo=UTC))
            heavy = sorted(m for m in ("bertopic", "torch", "umap", "hdbscan") if m in sys.modules)
            result = {{"process_new_s": round(time.perf_counter() - t, 3), "summary": summary, "heavy": heavy}}
        """))
        naive.append(child(CORPUS + f"""
            import numpy as np
            from monitor.config import EmbeddingConfig
            from monitor.store import analysis
            from monitor.store.db import make_engine
            from monitor.topics.embeddings import document, load_embedder
            from monitor.topics.model import bertopic
            from monitor.topics.service import model_path
            from monitor.config import Config
            engine = make_engine("sqlite:///{copy}")
            config = Config(feeds=[{{"name": "b", "url": "http://127.0.0.1/f"}}], data_dir={str(data)!r})
            docs = [document(a.title, a.text, 400) for a in articles({n_update}, first_seed=5000)]
            t = time.perf_counter()
            vectors = load_embedder(EmbeddingConfig()).embed(docs)
            model = bertopic()[0].load(str(model_path(config, analysis.current_run(engine).path)))
            topics, _ = model.transform(docs, vectors)
            result = {{"embed_and_transform_s": round(time.perf_counter() - t, 3)}}
        """))
    return {"ours": ours, "naive": naive}


def crawl_path(workdir: Path) -> dict:
    """`monitor topics update` with nothing new: whole-process wall time and heavy imports."""
    db = workdir / "update.db"
    config = workdir / "feeds.yaml"
    config.write_text(f"feeds:\n  - name: b\n    url: http://127.0.0.1/f\ndata_dir: {workdir / 'data'}\n")
    times = []
    for _ in range(3):
        t = time.perf_counter()
        subprocess.run([sys.executable, "-m", "monitor", "topics", "update", "--config", str(config)], check=True,
                       capture_output=True, env={**os.environ, "MONITOR_DATABASE_URL": f"sqlite:///{db}"})
        times.append(time.perf_counter() - t)
    imports = child("""
        import monitor.cli, monitor.topics.service, monitor.trends.service
        result = {"heavy": sorted(m for m in ("bertopic", "torch", "umap", "hdbscan", "sklearn", "wordllama")
                                  if m in sys.modules)}
    """)
    return {"update_nothing_new_s": [round(x, 3) for x in times], "imports": imports["heavy"]}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10000, 50000])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--update", type=int, default=1000)
    parser.add_argument("--skip-fit", action="store_true")
    args = parser.parse_args(argv)
    report: dict = {"cpu_count": os.cpu_count()}
    with tempfile.TemporaryDirectory(prefix="topics-bench-") as tmp:
        workdir = Path(tmp)
        report["update"] = update_runs(workdir, args.update, args.runs)
        report["crawl_path"] = crawl_path(workdir)
        print(json.dumps(report, indent=1), flush=True)
        if not args.skip_fit:
            report["fit"] = {}
            for size in args.sizes:
                vectors = workdir / f"vectors-{size}.npy"
                entry = {"embed": embed_docs(size, vectors)}
                numba_dir = workdir / f"numba-{size}"
                entry["first_use"] = fit_once(vectors, numba_dir)
                entry["warm"] = [fit_once(vectors, numba_dir) for _ in range(max(1, args.runs - 1))]
                report["fit"][str(size)] = entry
                print(json.dumps({size: entry}, indent=1), flush=True)
    ours = [r["process_new_s"] for r in report["update"]["ours"]]
    naive = [r["embed_and_transform_s"] for r in report["update"]["naive"]]
    print(f"update {args.update}: ours median {statistics.median(ours):.2f} s (in-process), naive "
          f"BERTopic.load+transform median {statistics.median(naive):.2f} s, ratio "
          f"{statistics.median(naive) / statistics.median(ours):.1f}x")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
