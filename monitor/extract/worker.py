"""Worker-process side of the crawl's process pool: a CPU and memory budget per task,
and an exit as soon as the crawl that started the worker is gone.

A task that spends its CPU budget is interrupted with :class:`TaskOverrun` (a timer
signal); one stuck where that signal cannot be handled (inside a C call) is killed
by the kernel's CPU limit a little later, which the parent sees as a broken pool.
Either way the parent replaces its workers.
"""

from __future__ import annotations

import math
import os
import resource
import select
import signal
import threading
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")
HARD_MARGIN_SECONDS = 5  # CPU seconds past the budget before the kernel kills a worker stuck in C code
# What the workers' process server imports once, before it forks them (shared, copy-on-write).
PRELOAD = ("monitor.extract.worker", "monitor.extract.task", "monitor.parse.feed", "monitor.dedupe.text",
           "trafilatura", "feedparser")


def server_context() -> Any:
    """The multiprocessing context of the extraction workers: forked from a server with PRELOAD imported."""
    import multiprocessing

    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(list(PRELOAD))
    return context


def start_server() -> None:
    """Start the workers' process server now, without waiting: its imports (trafilatura, feedparser) then
    overlap the crawl's own start-up instead of delaying the first feed parsed. Nothing else changes: the
    pool connects to the server it finds running."""
    from multiprocessing import forkserver

    server_context()
    forkserver.ensure_running()


class TaskOverrun(BaseException):  # noqa: N818 (BaseException: library code catching Exception must not swallow it)
    """The task used up its CPU budget."""


def init_worker(parent_pid: int, memory_mb: int | None) -> None:
    """Pool initializer: watch the parent, cap the address space, install the budget signal."""
    watch_parent(parent_pid)
    if memory_mb:
        limit = memory_mb * 1024 * 1024
        _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
        resource.setrlimit(resource.RLIMIT_AS, (limit if hard == resource.RLIM_INFINITY else min(limit, hard), hard))
    signal.signal(signal.SIGPROF, _overrun)


def _overrun(_signum: int, _frame: Any) -> None:
    raise TaskOverrun


def run_budgeted(cpu_seconds: float, func: Callable[..., T], *args: Any) -> T:
    """Run ``func(*args)`` in this worker with at most ``cpu_seconds`` of CPU time."""
    used = resource.getrusage(resource.RUSAGE_SELF)
    spent = used.ru_utime + used.ru_stime
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    backstop = math.ceil(spent + cpu_seconds + HARD_MARGIN_SECONDS)
    if hard == resource.RLIM_INFINITY or backstop < hard:
        resource.setrlimit(resource.RLIMIT_CPU, (backstop, hard))
    signal.setitimer(signal.ITIMER_PROF, cpu_seconds)
    try:
        return func(*args)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)


def watch_parent(parent_pid: int) -> None:
    """Exit this process within about a second of ``parent_pid`` ending (even by SIGKILL)."""
    threading.Thread(target=_wait_for_exit, args=(parent_pid,), name="parent-watch", daemon=True).start()


def _wait_for_exit(pid: int) -> None:
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(1)
    except (AttributeError, OSError):
        return  # no process descriptors here (not Linux): the worker ends with its pool, as before
    poller = select.poll()
    poller.register(fd, select.POLLIN)
    poller.poll()
    os._exit(1)
