"""Operations benchmark: the offline demo's wall time, and what a cron pass costs when nothing is new.

    python bench/ops_bench.py [--repeat 3]

Everything runs the real `monitor` command in subprocesses against the demo corpus
served from 127.0.0.1. Figures are medians of ``--repeat`` runs (quick ones:
``--repeat`` + 2). The baseline is the floor any cron pass pays: starting the
interpreter and the CLI (`monitor --version`).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def timed(args: list[str], env: dict[str, str], cwd: Path) -> tuple[float, subprocess.CompletedProcess[str]]:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "monitor", *args], env={**os.environ, **env}, cwd=cwd,
                          capture_output=True, text=True, stdin=subprocess.DEVNULL, timeout=900)
    return time.perf_counter() - started, done


def median_of(n: int, args: list[str], env: dict[str, str], cwd: Path, expect: int = 0) -> float:
    times = []
    for _ in range(n):
        seconds, done = timed(args, env, cwd)
        if done.returncode != expect:
            detail = f"{done.stdout}\n{done.stderr[-2000:]}"
            raise SystemExit(f"monitor {' '.join(args)} exited {done.returncode}:\n{detail}")
        times.append(seconds)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from monitor.demo.run import demo_config, demo_corpus
    from monitor.demo.server import DemoServer, build_routes

    with tempfile.TemporaryDirectory(prefix="ops-bench-") as tmp:
        work = Path(tmp)
        floor = median_of(args.repeat + 2, ["--version"], {}, work)
        cold_demos = [median_of(1, ["demo", "--out", str(work / f"demo-{i}")], {}, work) for i in range(args.repeat)]
        demo = statistics.median(cold_demos)
        warm = median_of(args.repeat, ["demo", "--out", str(work / "demo-0")], {}, work)
        corpus = demo_corpus(datetime.now(UTC), 7, 30)
        env = {"MONITOR_DATABASE_URL": f"sqlite:///{work / 'cron' / 'monitor.db'}"}
        with DemoServer() as server:
            server.publish(build_routes(corpus, server.base_url))
            outlets = sorted({a.outlet for a in corpus})
            config = demo_config(work / "cron", server.base_url, outlets)
            config["crawl"]["default_poll_minutes"] = 1  # every feed is due again on each pass
            path = work / "feeds.yaml"
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            cold, done = timed(["--config", str(path), "run"], env, work)
            idle = median_of(args.repeat + 2, ["--config", str(path), "run"], env, work)
            polled = []
            for _ in range(args.repeat):
                time.sleep(61)  # every feed falls due again
                polled.append(median_of(1, ["--config", str(path), "run"], env, work))
            noop = statistics.median(polled)
            from monitor.lock import run_lock
            from monitor.store.db import make_engine

            engine = make_engine(env["MONITOR_DATABASE_URL"])
            with run_lock(engine, datetime.now(UTC)):
                refused = median_of(args.repeat + 2, ["--config", str(path), "run"], env, work)
            engine.dispose()
    rows = [
        ("CLI start (`monitor --version`), the floor", floor, 1.0),
        ("`monitor demo`, new directory: serve, crawl, analyse, fit, trends, digest, site", demo, demo / floor),
        ("`monitor demo` again in the same directory (compiled-code cache kept)", warm, warm / floor),
        ("first `monitor run` on the demo feeds (cold database)", cold, cold / floor),
        ("`monitor run`, no feed due", idle, idle / floor),
        ("`monitor run`, nothing new (all feeds re-polled)", noop, noop / floor),
        ("`monitor run` refused by the lock", refused, refused / floor),
    ]
    print(f"{len(corpus)} articles, {len(outlets)} feeds; medians of {args.repeat} (demo) / {args.repeat + 2} runs")
    print("| what | seconds | x floor |\n|---|---:|---:|")
    for what, seconds, ratio in rows:
        print(f"| {what} | {seconds:.2f} | {ratio:.1f} |")


if __name__ == "__main__":
    main()
