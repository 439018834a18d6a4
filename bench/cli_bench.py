"""Command-line start-up benchmark: what a user (or a health check) waits before anything happens.

    python bench/cli_bench.py [--runs 10] [--tree PATH ...]

Times whole processes (interpreter start to exit) of ``monitor --version`` and
``monitor status`` on a migrated, empty SQLite database, against the naive
floor of the same interpreter doing nothing (``python -c pass``) and importing
only the CLI's framework (``python -c "import click"``). Each ``--tree`` is a
source checkout to time (default: this one), so an older commit can be
measured in the same run: ``git archive COMMIT | tar -x -C DIR``. Medians of
``--runs``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONFIG = "feeds:\n  - name: Example\n    url: http://127.0.0.1:9/feed.xml\n"


def median_seconds(argv: list[str], env: dict[str, str], cwd: Path, runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        done = subprocess.run(argv, env=env, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL)
        times.append(time.perf_counter() - started)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(argv)} exited {done.returncode}:\n{done.stderr[-2000:]}")
    return statistics.median(times)


def tree_env(tree: Path, db: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    return {**env, "PYTHONPATH": str(tree), "MONITOR_DATABASE_URL": db, "MONITOR_CONFIG": "feeds.yaml"}


def measure_tree(tree: Path, runs: int, work: Path) -> dict[str, float]:
    db = f"sqlite:///{work / (tree.name + '.db')}"
    env = tree_env(tree, db)
    monitor = [sys.executable, "-m", "monitor"]
    subprocess.run([*monitor, "db", "upgrade"], env=env, cwd=work, check=True, capture_output=True)
    return {
        "monitor --version": median_seconds([*monitor, "--version"], env, work, runs),
        "monitor status": median_seconds([*monitor, "status"], env, work, runs),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--tree", action="append", type=Path, help="Source checkout to time (repeatable).")
    args = parser.parse_args()
    trees = [t.resolve() for t in args.tree or [ROOT]]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        (work / "feeds.yaml").write_text(CONFIG, encoding="utf-8")
        env = tree_env(ROOT, "sqlite://")
        floor = {
            "python -c pass": median_seconds([sys.executable, "-c", "pass"], env, work, args.runs),
            "python -c 'import click'": median_seconds([sys.executable, "-c", "import click"], env, work, args.runs),
        }
        results = {str(tree): measure_tree(tree, args.runs, work) for tree in trees}
    print(f"medians of {args.runs} whole-process runs, seconds\n")
    for name, seconds in floor.items():
        print(f"  baseline {name:<26} {seconds:6.3f}")
    for tree, figures in results.items():
        print(f"\n  {tree}")
        for name, seconds in figures.items():
            print(f"    {name:<32} {seconds:6.3f}")


if __name__ == "__main__":
    main()
