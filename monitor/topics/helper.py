"""Helper processes for a large topic fit: work that runs beside the fit's own, on another core.

On first use numba compiles the code BERTopic's dependencies cache (pynndescent's trees): in a thread of
the fit it competed with the fit's own Python work for the interpreter's lock, and a 50,000-article fit
waited 28 s for an import that takes 16 s alone. A first helper imports BERTopic, which fills numba's
cache, and exits; the fit's own import then reads the cache. When nothing is compiled, a helper finds the
analyst keywords' hits (5 s at 50,000 news-length articles) while the fit imports BERTopic and clusters,
which does not need them. Another reads the articles' names and headline phrases for the topic labels
(``labels.Corpus``), which need no topic, while the fit clusters. A fit below ``APART_FROM`` articles, or on
one core, keeps everything in its own process: the helpers' start and the second import would cost more
than they spare.

A helper is ``python -m monitor.topics.helper``, spoken to through its standard input and output (not
``multiprocessing``, whose spawned children run the caller's main script again when it has no
``__main__`` guard): the request first, then the texts it is about, ``PIECE`` at a time up to a None, so
that a helper holds one piece and never a second copy of the corpus beside the fit's. Whatever goes wrong
in one, the fit does that work itself.
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
from typing import Any, BinaryIO

import numpy as np

from monitor.topics.labels import Corpus

log = logging.getLogger(__name__)

APART_FROM = 10_000  # articles from which a fit takes helper processes
COMPILE = "--compile"
HITS, NAMES = "hits", "names"  # what a helper is asked for
PIECE = 2_000  # texts sent to a helper at a time: it holds one piece, never all of them
# a helper process; -P: the module is the fit's own, never one of that name in the working directory
COMMAND = (sys.executable, "-P", "-m", __name__)


class Helper:
    """The fit's side of its helpers: one that compiles (on first use), then one that finds the analyst
    keywords' hits (when nothing compiles), then one that reads the label names. One at a time, each gone
    once done (the compiler holds BERTopic's libraries in memory)."""

    def __init__(self, compile_first: bool) -> None:
        self._compiler = _start([COMPILE], stdin=None, stdout=subprocess.DEVNULL) if compile_first else None
        self._asked: list[subprocess.Popen[bytes]] = []
        self._finding: threading.Thread | None = None
        self._reading: threading.Thread | None = None
        self._hits: np.ndarray | None = None
        self._corpus: Corpus | None = None

    @property
    def free_at_start(self) -> bool:
        """Whether the helpers' core is free from the start (nothing to compile)."""
        return self._compiler is None

    def compiled(self) -> None:
        """Wait until the compiler has imported BERTopic and exited (whatever came of it: the fit's own
        import compiles what it did not)."""
        if self._compiler is not None and self._compiler.wait() != 0:
            log.debug("the helper process could not import BERTopic; the fit compiles it")

    def find_hits(self, docs: Sequence[str], keywords: Sequence[Sequence[str]]) -> None:
        """Start finding the analyst keywords' hits in ``docs`` (``seeding.keyword_hits``) in a helper: the fit
        meanwhile imports BERTopic and clusters; in one process the hits and the import would take turns on
        the interpreter."""
        request = (HITS, [list(k) for k in keywords])  # the documents follow it a piece at a time
        self._finding = threading.Thread(target=self._find, args=(request, docs), daemon=True)
        self._finding.start()

    def hits(self) -> np.ndarray | None:
        """What the helper found, or None (the fit finds the hits itself) if it failed or was not asked."""
        if self._finding is not None:
            self._finding.join()
        return self._hits

    def names(self, titles: Sequence[str], bodies: Sequence[str]) -> None:
        """Start reading the articles' names and plain headlines (``labels.Corpus``) in a helper, once the
        others are done. The texts follow the request a ``PIECE`` at a time, each piece read when it is sent
        (a fit reads its texts from the store, ``service.StoredTexts``): neither process holds them all."""
        self._reading = threading.Thread(target=self._read, args=((NAMES, list(titles)), bodies), daemon=True)
        self._reading.start()

    def corpus(self) -> Corpus | None:
        """What the helper read, or None (the fit reads it itself) if it failed."""
        if self._reading is not None:
            self._reading.join()
        return self._corpus

    def _find(self, request: tuple[Any, ...], docs: Sequence[str]) -> None:
        self._hits = self._ask(request, np.ndarray, "finds the keywords' hits", docs)

    def _read(self, request: tuple[Any, ...], bodies: Sequence[str]) -> None:
        self.compiled()
        if self._finding is not None:
            self._finding.join()
        self._corpus = self._ask(request, Corpus, "reads the label names", bodies)

    def _ask(self, request: tuple[Any, ...], kind: type, fallback: str, pieces: Sequence[str] | None = None) -> Any:
        """The answer of a helper to ``request`` (and ``pieces``, sent after it a ``PIECE`` at a time), or None
        if it failed (a helper that died of memory or a signal costs time, never the fit)."""
        process = None
        try:
            process = _start([], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
            self._asked.append(process)
            stdin, stdout = process.stdin, process.stdout
            assert stdin is not None and stdout is not None
            pickle.dump(request, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            if pieces is not None:
                for at in range(0, len(pieces), PIECE):
                    pickle.dump(pieces[at:at + PIECE], stdin, protocol=pickle.HIGHEST_PROTOCOL)
                pickle.dump(None, stdin, protocol=pickle.HIGHEST_PROTOCOL)
            stdin.close()
            answer = pickle.load(stdout)
            if not isinstance(answer, kind):
                raise TypeError(f"an answer of type {type(answer).__name__}")
            return answer
        except Exception as exc:  # noqa: BLE001 - whatever became of the helper, the fit does the work itself
            log.warning("topic fit helper failed (%s); the fit %s itself", exc, fallback)
            return None
        finally:
            _end(process)

    def close(self) -> None:
        for process in (self._compiler, *self._asked):
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
    """A helper: import BERTopic (``--compile``), or answer the request on standard input: the keywords'
    hits in the documents, or the names of the articles."""
    if COMPILE in sys.argv[1:]:
        from monitor.topics.model import bertopic

        bertopic()
        return
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # whatever a library prints goes to standard error, not into the answer
    kind, *arguments = pickle.load(sys.stdin.buffer)
    if kind == HITS:
        from monitor.topics.seeding import keyword_hits, keyword_matchers

        (keywords,) = arguments
        matchers = keyword_matchers(keywords)
        found = [keyword_hits(piece, matchers) for piece in _pieces(sys.stdin.buffer)]
        answer: Any = np.vstack(found) if found else np.zeros((0, len(matchers)), np.int64)
    else:
        (titles,) = arguments
        answer = Corpus.of(titles, (text for piece in _pieces(sys.stdin.buffer) for text in piece))
    pickle.dump(answer, out, protocol=pickle.HIGHEST_PROTOCOL)
    out.flush()


def _pieces(stream: BinaryIO) -> Iterator[Sequence[str]]:
    """The texts sent after a request, a piece at a time, up to the None that ends them."""
    while (piece := pickle.load(stream)) is not None:
        yield piece


if __name__ == "__main__":
    main()
