"""Run a command and sample its whole process tree: wall time, peak summed RSS and PSS, CPU seconds (Linux /proc).

Summed RSS counts a page shared by several processes (a fork server's preloaded
modules, inherited by every worker) once per process; summed PSS splits each shared
page between its sharers, so it is what the tree costs the machine.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


@dataclass
class Measured:
    wall: float
    peak_rss_mb: float  # largest sum over the tree at one sample
    peak_single_mb: float  # largest single process
    peak_pss_mb: float  # largest PSS sum over the tree at one sample
    cpu_seconds: float  # user + system over every process seen in the tree
    processes: int
    machine_cpu_seconds: float  # every process on the machine, this tree included
    returncode: int
    stdout: str
    stderr: str


@dataclass
class _Tree:
    root: int
    cpu: dict[int, float] = field(default_factory=dict)
    peak_sum: int = 0
    peak_single: int = 0
    peak_pss: int = 0

    def sample(self) -> None:
        children: dict[int, list[int]] = {}
        stats: dict[int, list[str]] = {}
        for entry in os.scandir("/proc"):
            if not entry.name.isdigit():
                continue
            fields = _stat(int(entry.name))
            if fields is not None:
                stats[int(entry.name)] = fields
                children.setdefault(int(fields[1]), []).append(int(entry.name))
        total = pss = 0
        for pid in _descendants(self.root, children):
            fields = stats.get(pid)
            if fields is None:
                continue
            rss = int(fields[21]) * PAGE  # field 24 of /proc/pid/stat, counted after the command name
            total += rss
            pss += _pss(pid)
            self.peak_single = max(self.peak_single, rss)
            self.cpu[pid] = (int(fields[11]) + int(fields[12])) / TICK
        self.peak_sum = max(self.peak_sum, total)
        self.peak_pss = max(self.peak_pss, pss)


def _kill_group(proc: subprocess.Popen[str]) -> None:
    """Stop the command and everything it started (its own session's process group)."""
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    proc.wait()


def machine_busy() -> float:
    """CPU seconds the whole machine has been busy since boot (all cores; idle and iowait excluded)."""
    fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]
    ticks = [int(v) for v in fields[:8]]
    return (sum(ticks) - ticks[3] - ticks[4]) / TICK


def _stat(pid: int) -> list[str] | None:
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rindex(")") + 2:].split()  # fields from "state" on; the command name may hold spaces


def _pss(pid: int) -> int:
    """Proportional set size in bytes (0 if the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def _descendants(root: int, children: dict[int, list[int]]) -> list[int]:
    found, stack = [], [root]
    while stack:
        pid = stack.pop()
        found.append(pid)
        stack.extend(children.get(pid, ()))
    return found


def run_measured(args: list[str], env: dict[str, str], cwd: str, interval: float = 0.05, timeout: float = 1800) -> Measured:
    """Run ``args`` to completion while sampling its process tree every ``interval`` seconds."""
    started, busy = time.monotonic(), machine_busy()
    proc = subprocess.Popen(args, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True)
    tree = _Tree(proc.pid)
    done = threading.Event()

    def watch() -> None:
        while not done.is_set():
            tree.sample()
            done.wait(interval)

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    try:
        stdout, stderr = proc.communicate(timeout=timeout)
    except BaseException:
        _kill_group(proc)
        raise
    finally:
        done.set()
        watcher.join()
    wall = time.monotonic() - started
    return Measured(wall, tree.peak_sum / 2**20, tree.peak_single / 2**20, tree.peak_pss / 2**20,
                    sum(tree.cpu.values()), len(tree.cpu),
                    machine_busy() - busy, proc.returncode, stdout, stderr)
