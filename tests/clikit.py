"""Running the real `monitor` command in a child process, with a clean environment (no MONITOR_* of ours)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path


def clean_env(db: str | None = None) -> dict[str, str]:
    """This process's environment without MONITOR_* variables; ``db`` becomes MONITOR_DATABASE_URL."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("MONITOR_")}
    if db is not None:
        env["MONITOR_DATABASE_URL"] = db
    return env


def run_monitor(args: Sequence[str], cwd: Path, db: str | None = None, python_flags: Sequence[str] = (),
                before: Callable[[], None] | None = None) -> subprocess.CompletedProcess[str]:
    """`python -m monitor ARGS` to completion, output captured (``before`` runs in the child, e.g. rlimits)."""
    return subprocess.run([sys.executable, *python_flags, "-m", "monitor", *args], cwd=cwd, env=clean_env(db),
                          capture_output=True, text=True, timeout=120, preexec_fn=before)


def start_monitor(args: Sequence[str], config: Path, db: str) -> subprocess.Popen[str]:
    """`python -m monitor --config CONFIG ARGS` started in its own process group (to kill it as a whole)."""
    return subprocess.Popen([sys.executable, "-m", "monitor", "--config", str(config), *args], env=clean_env(db),
                            cwd=config.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
