"""Helper processes for a large topic fit: work that runs beside the fit's own, on another core.

On first use numba compiles the code BERTopic's dependencies cache (pynndescent's trees): in a thread of
the fit it competed with the fit's own Python work for the interpreter's lock, and a 50,000-article fit
waited 28 s for an import that takes 16 s alone. A first helper imports BERTopic, which fills numba's
cache, and exits; the fit's own import then reads the cache. A second helper reads the articles' names
and headline phrases for the topic labels (``labels.Corpus``), which need no topic, while the fit
clusters. A fit below ``APART_FROM`` articles, or on one core, keeps everything in its own process: the
helpers' start and the second import would cost more than they spare.

A helper is ``python -m monitor.topics.helper``, spoken to through its standard input and output (not
``multiprocessing``, whose spawned children run the caller's main script again when it has no
``__main__`` guard). Whatever goes wrong in one, the fit does that work itself.
"""

from __future__ import annotations

import logging
import os
import pickle
import subprocess
import sys
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from monitor.topics.labels import Corpus

log = logging.getLogger(__name__)

APART_FROM = 10_000  # articles from which a fit takes helper processes
COMPILE = "--compile"
# a helper process; -P: the module is the fit's own, never one of that name in the working directory
COMMAND = (sys.executable, "-P", "-m", __name__)


class Helper:
    """The fit's side of its helpers: one that compiles (on first use), then one that reads the label
    names. One at a time, each gone once done (the compiler holds BERTopic's libraries in memory)."""

    def __init__(self, compile_first: bool) -> None:
        self._compiler = _start([COMPILE], stdin=None, stdout=subprocess.DEVNULL) if compile_first else None
        self._namer: subprocess.Popen[bytes] | None = None
        self._reading: threading.Thread | None = None
        self._corpus: Corpus | None = None

    def compiled(self) -> None:
        """Wait until the compiler has imported BERTopic and exited (whatever came of it: the fit's own
        import compiles what it did not)."""
        if self._compiler is not None and self._compiler.wait() != 0:
            log.debug("the helper process could not import BERTopic; the fit compiles it")

    def names(self, titles: Sequence[str], bodies: Sequence[str]) -> None:
        """Start reading the articles' names (``labels.Corpus``) in a helper, once the compiler is done."""
        self._reading = threading.Thread(target=self._read, args=(list(titles), list(bodies)), daemon=True)
        self._reading.start()

    def corpus(self) -> Corpus | None:
        """What the helper read, or None (the fit reads it itself) if it failed."""
        if self._reading is not None:
            self._reading.join()
        return self._corpus

    def _read(self, titles: list[str], bodies: list[str]) -> None:
        self.compiled()
        try:
            self._namer = _start([], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            stdin, stdout = self._namer.stdin, self._namer.stdout
            assert stdin is not None and stdout is not None
            pickle.dump((titles, bodies), stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.close()
            corpus = pickle.load(stdout)
            if not isinstance(corpus, Corpus):
                raise TypeError(f"an answer of type {type(corpus).__name__}")
            self._corpus = corpus
        except Exception as exc:  # a helper that died (memory, signal) costs time, never the fit
            log.warning("topic fit helper failed (%s); the fit reads the label names itself", exc)
        finally:
            _end(self._namer)

    def close(self) -> None:
        for process in (self._compiler, self._namer):
            if process is not None and process.poll() is None:
                process.kill()
            _end(process)


def _start(args: list[str], stdin: int | None, stdout: int) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*COMMAND, *args], stdin=stdin, stdout=stdout,
                            stderr=subprocess.DEVNULL)


def _end(process: subprocess.Popen[bytes] | None) -> None:
    if process is None:
        return
    for stream in (process.stdin, process.stdout):
        if stream is not None and not stream.closed:
            try:
                stream.close()
            except OSError:  # what was buffered for a helper that is gone
                pass
    process.wait()


@contextmanager
def fit_helper(articles: int) -> Iterator[Helper | None]:
    """Helpers for a fit on ``articles`` articles, or None where they would not pay."""
    if articles < APART_FROM or (os.cpu_count() or 1) < 2:
        yield None
        return
    helper = Helper(compile_first=cache_is_cold())
    try:
        yield helper
    finally:
        helper.close()


def cache_is_cold() -> bool:
    """Numba's cache folder (``model.numba_cache``) holds no compiled function yet."""
    folder = os.environ.get("NUMBA_CACHE_DIR")
    return bool(folder) and next(Path(folder).rglob("*.nbi"), None) is None


def main() -> None:
    """A helper: import BERTopic (``--compile``), or read the names of the articles on standard input."""
    if COMPILE in sys.argv[1:]:
        from monitor.topics.model import bertopic

        bertopic()
        return
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to standard error, not into the answer
    titles, bodies = pickle.load(sys.stdin.buffer)
    pickle.dump(Corpus.of(titles, bodies), out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


if __name__ == "__main__":
    main()
