"""Same-event stories, assigned incrementally from a hybrid similarity. Pure: no clock, no I/O.

Telling two events of the same kind apart (two earthquakes, two court rulings)
is the hard part, and it rests on words and names more than on a sentence
embedding. The similarity of an article to a story is therefore

    ( w_words * cos(words) + w_names * cos(names) + w_dense * cos(dense) ) / (sum of the weights used)

where ``words`` and ``names`` are the IDF-weighted bags of ``monitor.topics.features``
and ``dense`` the article embedding; the names term is left out (and its weight
with it) when either side names nothing, so lower-cased or name-free text is
judged on words alone. Against a story, each term is the average over its
members (the story keeps the sum of their unit vectors). Within the time window the similarity decays
linearly from ``decay_after`` to ``1 - time_decay`` at the window's edge.

Two reports that each give the ages of the people they are about, and share none of those ages (a
24-year-old shot in one, a 31-year-old in the other), lose ``age_conflict`` of their similarity: the
people differ, so the events most likely do. A story's ages are all its members' ages. The bars below
are calibrated on the similarity without it. On the GVA long tail of shooting reports this kept
one city's shootings apart (one batch, no time: B-cubed F1 0.842 -> 0.864) and left every other set
unchanged; reports of one event that disagree on an age (15 or 16) lose no more than 0.05
(``bench/RESULTS-topics.md``). Two reports that each give the clock time of their event and have no
two times within half an hour of each other ("at 11:30 p.m." against "around 2 a.m.") lose
``clock_conflict`` likewise; a story's times are all its members'.

Each article has its own bar (``Threshold``): ``z`` standard deviations above its
mean similarity to the newest stored articles, plus a ``crowding`` share of that
mean again. A report of a common kind of news (one more local shooting among many)
resembles many articles of other events, and must come closer to a story than a
report that resembles little. Where every article is of one kind, the spread of
similarities is narrow and a sibling event clears any number of deviations: the
share of the mean is what keeps such siblings apart (GVA long tail, no time: 0.68
without it, 0.80 with 0.5; ``bench/RESULTS-topics.md``); one bar
for all articles, set from the pairwise similarities of the whole reference,
cannot know that (measured in ``bench/RESULTS-topics.md``).

Each batch of new articles is first grouped among itself by average-link
agglomerative clustering on how far each pair's similarity clears the pair's
mean bar, cut at zero (a pair further apart than the window has no similarity of
its own, though a group can span more than the window through the reports between,
as a story grows across batches); each
group then joins the open story whose average similarity to it (group sum .
story sum / sizes, as average linkage would compute it) is highest and reaches
the group's mean bar, else it opens a new story. A group of one article asks
``ALONE_MARGIN`` times its bar: nothing of its own event beside it holds it out of
a sibling event's story. A first crawl of a thousand articles is plain
average-link clustering. A duplicate whose original already has an open story joins
it without a test; one whose original arrives in the same batch is grouped like any
other article.

Stories that converge merge: after a batch, two open stories whose member averages
are at least ``MERGE_MARGIN`` times the reference articles' mean bar alike (with
the time decay of their gap) become one, the stored or larger one surviving, so
events split across small cron batches come together again. The margin is
measured: at 1.0, batches of 20 articles chained distinct events on long articles.
A story placed in this run has a bar of its own, the mean bar of those members, and
two stories never merge below the margin over the higher of their bars. The mean,
not the highest member bar: the highest kept the big stories of small cron batches
of snippets apart (GoogleNews-TS in batches of 50: F1 0.828 at the mean, 0.803 at
the highest; ``bench/RESULTS-topics.md``). Two stories of at least ``SETTLED``
members each merge at the higher of their bars itself: their member averages are
steady, and the margin only guards small stories against chains.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import numpy as np

from monitor.topics.embeddings import normalise
from monitor.topics.features import CLOCK_SLOTS, MAX_AGE, Bags, TermStats, bag_rows, matrix

KEEP_TERMS = 400  # largest centroid entries kept per bag when a story is stored
MIN_REFERENCE = 50  # fewer reference articles than this: no calibration (too noisy), the fallback threshold
FALLBACK_SIMILARITY = 0.3
# An article's calibrated bar stays within these. The floor binds where the reference's similarities are
# all low (short, varied texts: AG News' descriptions put every bar near 0.08, and 1,500 of them, nearly
# all of different events, made 382 stories); on the labelled sets nearly every bar is above it.
MIN_BAR, MAX_BAR = 0.12, 0.6
MERGE_MARGIN = 1.15  # two stories merge at this multiple of the join threshold
SETTLED = 5  # two stories of at least this many members each merge without the margin
ALONE_MARGIN = 1.05  # an article with no partner in its batch joins an open story at this multiple of its bar
_MAGIC = b"SC4\0"  # with the members' ages and clock slots
_MAGIC_NO_CLOCKS = b"SC3\0"  # stored before clock times were kept: read with ages only
_MAGIC_NO_AGES = b"SC2\0"  # stored before ages were kept: read with neither
_MARKS = {_MAGIC: 2, _MAGIC_NO_CLOCKS: 1, _MAGIC_NO_AGES: 0}  # kinds of marks after the bags


@dataclass(frozen=True)
class Weights:
    words: float = 0.5
    names: float = 0.3
    dense: float = 0.2
    time_decay: float = 0.3
    decay_after: timedelta = timedelta(hours=24)
    age_conflict: float = 0.05  # similarity lost by two reports whose people's ages differ
    clock_conflict: float = 0.05  # ... and by two that give clock times more than half an hour apart


@dataclass(frozen=True)
class StoryItem:
    article_id: int
    published: datetime
    dense: np.ndarray
    bags: Bags
    duplicate_of: int | None = None


@dataclass
class Centroid:
    """Sums of the members' unit vectors: dense, and the two sparse bags (bucket -> weight); and every
    age and clock-time slot the members give."""

    dense: np.ndarray
    words: dict[int, float]
    names: dict[int, float]
    n: int = 0
    ages: set[int] = field(default_factory=set)
    clocks: set[int] = field(default_factory=set)

    def add(self, dense: np.ndarray, words: dict[int, float], names: dict[int, float], n: int = 1,
            ages: Iterable[int] = (), clocks: Iterable[int] = ()) -> None:
        """Add ``n`` members whose vectors sum to these and who give these ages and clock times."""
        self.n += n
        self.dense = self.dense + dense
        self.ages.update(ages)
        self.clocks.update(clocks)
        for bag, extra in ((self.words, words), (self.names, names)):
            for k, v in extra.items():
                bag[k] = bag.get(k, 0.0) + v

    def absorb(self, other: Centroid) -> None:
        self.add(other.dense, other.words, other.names, other.n, other.ages, other.clocks)


@dataclass
class OpenStory:
    """A story that new articles may still join. ``id`` is None until stored."""

    key: int
    centroid: Centroid
    size: int
    first_seen: datetime
    last_seen: datetime
    id: int | None = None
    members: list[int] = field(default_factory=list)
    bar_sum: float = 0.0  # sum of the bars of the members placed in this run (not stored)
    placed: int = 0  # members placed in this run with a bar

    @property
    def bar(self) -> float:
        """The mean bar of the members placed in this run (0 when none: stored earlier)."""
        return self.bar_sum / self.placed if self.placed else 0.0


@dataclass(frozen=True)
class Placement:
    article_id: int
    story_key: int
    similarity: float
    new_story: bool


def encode_centroid(c: Centroid) -> bytes:
    """Dense sum, then the largest ``KEEP_TERMS`` entries of each bag, then the ages and clock slots."""
    parts = [_MAGIC, np.int32(c.n).tobytes(), np.int32(len(c.dense)).tobytes(),
             np.asarray(c.dense, np.float32).tobytes()]
    for bag in (c.words, c.names):
        top = sorted(bag.items(), key=lambda kv: -abs(kv[1]))[:KEEP_TERMS]
        parts += [np.int32(len(top)).tobytes(), np.asarray([k for k, _ in top], np.int32).tobytes(),
                  np.asarray([v for _, v in top], np.float32).tobytes()]
    for marks in (c.ages, c.clocks):
        parts += [np.int32(len(marks)).tobytes(), np.asarray(sorted(marks), np.int32).tobytes()]
    return b"".join(parts)


def decode_centroid(blob: bytes | None) -> Centroid | None:
    """None for a missing centroid or one stored by an older version (that story takes no new members);
    one stored before ages (or clock times) were kept reads with none."""
    if not blob or not blob.startswith((_MAGIC, _MAGIC_NO_CLOCKS, _MAGIC_NO_AGES)):
        return None
    pos = len(_MAGIC)

    def take(n: int, dtype: Any) -> np.ndarray:
        nonlocal pos
        out = np.frombuffer(blob, dtype, count=n, offset=pos)
        pos += out.nbytes
        return out

    members = int(take(1, np.int32)[0])
    dense = take(int(take(1, np.int32)[0]), np.float32).copy()
    bags = []
    for _ in range(2):
        size = int(take(1, np.int32)[0])
        keys, values = take(size, np.int32), take(size, np.float32)
        bags.append(dict(zip(keys.tolist(), values.tolist(), strict=True)))
    marks = [set(take(int(take(1, np.int32)[0]), np.int32).tolist()) for _ in range(_MARKS[blob[:len(_MAGIC)]])]
    marks += [set() for _ in range(2 - len(marks))]  # a set each: one shared would mix ages and clock slots
    return Centroid(dense, bags[0], bags[1], members, *marks)


def _row_dict(m: Any, i: int) -> dict[int, float]:
    start, end = m.indptr[i], m.indptr[i + 1]
    return dict(zip(m.indices[start:end].tolist(), m.data[start:end].tolist(), strict=True))


@dataclass(frozen=True)
class Vectors:
    """Unit vectors of a set of articles (or per-member averages of stories)."""

    words: Any  # CSR (None for ``_one_story``)
    names: Any  # CSR (None for ``_one_story``)
    dense: np.ndarray
    ages: Any = None  # CSR, one column per age (or a dense row; None: ages unknown)
    clocks: Any = None  # CSR, one column per half-hour slot of the clock times given (or a dense row; None: unknown)
    named: np.ndarray | None = None  # whether each row has names, where ``names`` is not kept

    @property
    def has_names(self) -> np.ndarray:
        return _given(self.names) if self.named is None else self.named

    def conflicts(self, other: Vectors) -> np.ndarray:
        """Where both give ages and share none (rows: self, columns: other)."""
        return _disagree(self.ages, other.ages, self.dense.shape[0], other.dense.shape[0])

    def clock_conflicts(self, other: Vectors) -> np.ndarray:
        """Where both give clock times and none is within half an hour of one of the other's."""
        return _disagree(self.clocks, other.clocks, self.dense.shape[0], other.dense.shape[0])

    def matched(self, other: Vectors, w: Weights, products: tuple[Any, Any] | None = None) -> np.ndarray:
        """``similarity`` less ``age_conflict`` where the two disagree on their people's ages and less
        ``clock_conflict`` where they disagree on the time: what joins articles and stories (the bars
        are calibrated on ``similarity``)."""
        return self.penalised(other, self.similarity(other, w, products), w)

    def penalised(self, other: Vectors, sims: np.ndarray, w: Weights) -> np.ndarray:
        """``sims`` (the similarity with ``other``) less the age and clock-time conflicts."""
        if w.age_conflict:
            sims = sims - np.float32(w.age_conflict) * self.conflicts(other)
        if w.clock_conflict:
            sims = sims - np.float32(w.clock_conflict) * self.clock_conflicts(other)
        return sims

    def similarity(self, other: Vectors, w: Weights, products: tuple[Any, Any] | None = None) -> np.ndarray:
        """Hybrid similarity matrix (rows: self, columns: other); ``products``: the words' and the names'
        dot products, if already computed."""
        words, names = products or (_products(self.words, other.words), _products(self.names, other.names))
        total = w.words * words + w.names * names
        if w.dense:
            total += w.dense * (self.dense @ other.dense.T)
        both = self.has_names[:, None] & other.has_names[None, :]
        return (total / (w.words + w.dense + w.names * both)).astype(np.float32)


def article_vectors(items: Sequence[Bags], dense: np.ndarray, stats: TermStats) -> Vectors:
    dim = dense.shape[1] if dense.ndim == 2 else 1
    return Vectors(matrix(items, "words", stats), matrix(items, "names", stats),
                   normalise(dense) if len(items) else np.zeros((0, dim), np.float32),
                   _mark_rows([i.ages for i in items], MAX_AGE + 1), _mark_rows([i.clocks for i in items], CLOCK_SLOTS))


def _mark_rows(marks: Sequence[set[int] | frozenset[int]], width: int) -> Any:
    """One row per article or story, a 1 in the column of each mark (an age, a clock slot) it gives."""
    from scipy.sparse import csr_matrix

    columns = [sorted(a) for a in marks]
    indptr = np.cumsum([0] + [len(c) for c in columns])
    indices = np.fromiter((mark for c in columns for mark in c), np.int32, count=int(indptr[-1]))
    return csr_matrix((np.ones(len(indices), np.float32), indices, indptr), shape=(len(columns), width))


def _disagree(mine: Any, theirs: Any, n: int, m: int) -> np.ndarray:
    """Where both rows give marks of one kind and share none (None: that kind unknown, no conflict)."""
    if mine is None or theirs is None:
        return np.zeros((n, m), bool)
    given = _given(mine)[:, None] & _given(theirs)[None, :]
    return given & (_products(mine, theirs) == 0)


def _given(m: Any) -> np.ndarray:
    """Which rows have any entry (a dense row: whether it has one)."""
    return np.array([bool(m.any())]) if isinstance(m, np.ndarray) else np.diff(m.indptr) > 0


def _products(rows: Any, columns: Any) -> np.ndarray:
    """The dot products of sparse ``rows`` with sparse ``columns`` (rows of their own), as a dense matrix. One
    column is multiplied as a dense vector: the same sums in the same order, without building a sparse
    transpose for it."""
    if isinstance(columns, np.ndarray):  # one story's marks (``_one_story``)
        return np.asarray(rows @ columns)[:, None]
    if columns.shape[0] == 1:
        return np.asarray(rows @ columns.toarray()[0])[:, None]
    return (rows @ columns.T).toarray()


def _story_vectors(centroids: Sequence[Centroid], dim: int) -> Vectors:
    """Member averages: a dot product with them is the average similarity to the members."""
    sizes = [max(c.n, 1) for c in centroids]
    dense = (np.vstack([c.dense for c in centroids]) / np.asarray(sizes, np.float32)[:, None] if centroids
             else np.zeros((0, dim), np.float32))
    return Vectors(bag_rows([c.words for c in centroids], scale=sizes),
                   bag_rows([c.names for c in centroids], scale=sizes), dense.astype(np.float32),
                   _mark_rows([c.ages for c in centroids], MAX_AGE + 1),
                   _mark_rows([c.clocks for c in centroids], CLOCK_SLOTS))


def _one_story(centroid: Centroid) -> Vectors:
    """One story's member averages without its bags (its products are taken bucket by bucket, ``_shared``):
    a story changes at each group a batch places."""
    size = max(centroid.n, 1)

    def marks(given: set[int], width: int) -> np.ndarray:
        row = np.zeros(width, np.float32)
        row[list(given)] = 1.0
        return row

    dense = (centroid.dense[None, :] / np.asarray([[size]], np.float32)).astype(np.float32)
    return Vectors(None, None, dense, marks(centroid.ages, MAX_AGE + 1), marks(centroid.clocks, CLOCK_SLOTS),
                   named=np.array([bool(centroid.names)]))


def _shared(by_bucket: Any, bag: dict[int, float], size: int) -> np.ndarray:
    """Each article's dot product with ``bag`` divided by ``size`` (one column), from the articles' bags
    with a row per bucket (CSR, buckets x articles): only the articles sharing one of the bag's buckets
    are visited."""
    n = by_bucket.shape[1]
    if not bag:
        return np.zeros((n, 1), np.float32)
    keys = np.fromiter(bag, dtype=np.int64, count=len(bag))
    values = np.fromiter(bag.values(), dtype=np.float32, count=len(bag)) / float(size)
    starts, ends = by_bucket.indptr[keys], by_bucket.indptr[keys + 1]
    counts = ends - starts
    total = int(counts.sum())
    offsets = np.repeat(starts - np.concatenate(([0], np.cumsum(counts)[:-1])), counts)
    at = offsets + np.arange(total)
    sums = np.bincount(by_bucket.indices[at], weights=by_bucket.data[at] * np.repeat(values, counts), minlength=n)
    return sums.astype(np.float32)[:, None]


def decay(gap_seconds: np.ndarray, window: timedelta, w: Weights) -> np.ndarray:
    """1 up to ``decay_after``, falling linearly to ``1 - time_decay`` at the window's edge, 0 beyond."""
    start, end = w.decay_after.total_seconds(), max(window.total_seconds(), w.decay_after.total_seconds() + 1)
    gap = np.abs(gap_seconds)
    share = np.clip((gap - start) / (end - start), 0.0, 1.0)
    return np.where(gap <= window.total_seconds(), 1.0 - w.time_decay * share, 0.0)


SELF = 0.999  # a reference similarity this high is the article itself (or a verbatim copy): not counted


@dataclass(frozen=True)
class Threshold:
    """Where an article joins a story. Calibrated: each article's own bar, ``z`` standard deviations
    above its mean hybrid similarity to the reference articles (the newest stored), plus ``crowding``
    times that mean again, so an article whose kind of news is common (the tenth shooting report of
    the week, which resembles every other) needs a closer match than one that resembles little.
    Fixed: one similarity for every article. ``level`` is the bar for stories as a whole (merging
    converged ones): the reference articles' average bar."""

    level: float
    reference: Vectors | None = None
    z: float = 0.0
    weights: Weights = Weights()
    crowding: float = 0.0
    known: Reference | None = field(default=None, compare=False, repr=False)

    @classmethod
    def fixed(cls, similarity: float) -> Threshold:
        return cls(float(similarity))

    def of(self, vectors: Vectors, ids: Sequence[int] | None = None) -> np.ndarray:
        """Each article's bar (bounded to a sane range); a reference article's (by its id in ``ids``) as
        calibrated."""
        n = vectors.dense.shape[0]
        if self.reference is None:
            return np.full(n, self.level, np.float32)
        at = self._rows(ids)
        if at is None:
            return _bars(vectors.similarity(self.reference, self.weights), self.z, self.crowding)
        out = np.empty(n, np.float32)
        out[at >= 0] = self.known.bars[at[at >= 0]]
        missing = np.flatnonzero(at < 0)
        if len(missing):
            sims = _take(vectors, missing).similarity(self.reference, self.weights)
            out[missing] = _bars(sims, self.z, self.crowding)
        return out

    def among(self, ids: Sequence[int], w: Weights) -> np.ndarray | None:
        """The similarities of these articles to one another, if all are reference articles and ``w`` the
        weights they were calibrated with."""
        at = self._rows(ids)
        if at is None or (at < 0).any() or w != self.weights:
            return None
        return self.known.sims[np.ix_(at, at)]

    def _rows(self, ids: Sequence[int] | None) -> np.ndarray | None:
        if ids is None or self.known is None:
            return None
        return np.array([self.known.rows.get(i, -1) for i in ids], np.int64)


@dataclass(frozen=True)
class Reference:
    """What calibration computed for the reference articles, read back for those of them in the batch
    being placed (most of a first crawl's batch): their rows by article id, bars and similarities."""

    rows: dict[int, int]
    bars: np.ndarray
    sims: np.ndarray


def _bars(sims: np.ndarray, z: float, crowding: float) -> np.ndarray:
    mean, sd = _row_moments(sims)
    return np.clip((1.0 + crowding) * mean + z * sd, MIN_BAR, MAX_BAR).astype(np.float32)


def _row_moments(sims: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and standard deviation of each row, leaving out the article itself."""
    counted = sims < SELF
    n = np.maximum(counted.sum(axis=1), 1)
    mean = np.where(counted, sims, 0.0).sum(axis=1) / n
    var = np.where(counted, (sims - mean[:, None]) ** 2, 0.0).sum(axis=1) / n
    return mean, np.sqrt(var)


def calibrate(reference: Vectors, z: float, weights: Weights, crowding: float = 0.0,
              ids: Sequence[int] | None = None) -> Threshold:
    """Per-article bars from ``reference``, or the fallback with too few reference articles. With the
    reference articles' ``ids``, what was computed for them is kept (``Reference``): valid while the batch
    is read with the statistics the reference was."""
    if reference.dense.shape[0] < MIN_REFERENCE:
        return Threshold.fixed(FALLBACK_SIMILARITY)
    sims = reference.similarity(reference, weights)
    bars = _bars(sims, z, crowding)
    known = None if ids is None else Reference({a: i for i, a in enumerate(ids)}, bars, sims)
    return Threshold(float(bars.mean()), reference, z, weights, crowding, known)


def group_batch(vectors: Vectors, times: np.ndarray, window: timedelta, bars: np.ndarray,
                w: Weights, similarity: np.ndarray | None = None) -> np.ndarray:
    """Average-link clusters of a batch: two articles' similarity counts by how far it clears their
    bars (``bars``, one per article; their mean for the pair); cut where that margin is zero."""
    n = vectors.dense.shape[0]
    if n < 2:
        return np.zeros(n, np.int64)
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    if similarity is None:
        similarity = vectors.similarity(vectors, w)
    sims = vectors.penalised(vectors, similarity, w) * decay(times[:, None] - times[None, :], window, w)
    margin = sims - (bars[:, None] + bars[None, :]) / 2
    distance = np.clip(1.0 - margin, 0.0, None).astype(np.float64)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    return fcluster(tree, t=1.0, criterion="distance") - 1


def assign_stories(items: Sequence[StoryItem], stories: list[OpenStory], window: timedelta,
                   threshold: Threshold, stats: TermStats, weights: Weights = Weights(),
                   known: dict[int, int] | None = None) -> list[Placement]:
    """Group the batch, then attach each group to the best open story (at the group's mean bar; a
    group of one a little above it, ``ALONE_MARGIN``) or open a new one.

    ``stories`` is updated in place (centroids, sizes, times, members; new stories
    appended). ``known`` maps already placed article ids to story keys.
    """
    known = dict(known or {})
    ordered = sorted(items, key=lambda i: (i.published, i.article_id))
    if not ordered:
        return []
    vectors = article_vectors([i.bags for i in ordered], np.vstack([i.dense for i in ordered]), stats)
    times = np.array([i.published.timestamp() for i in ordered])
    by_key = {s.key: s for s in stories}
    forced = {r: known[i.duplicate_of] for r, i in enumerate(ordered)
              if i.duplicate_of in known and known[i.duplicate_of] in by_key}
    free = np.array([r for r in range(len(ordered)) if r not in forced], np.int64)
    ids = [i.article_id for i in ordered]
    bars = threshold.of(vectors, ids)
    groups = (group_batch(_take(vectors, free), times[free], window, bars[free], weights,
                          threshold.among([ids[r] for r in free], weights)) if len(free) else free)
    index = _OpenIndex(stories, vectors, window, weights)
    placements: dict[int, Placement] = {}
    next_key = max((s.key for s in stories), default=0) + 1
    for label in np.unique(groups):
        rows = free[groups == label]
        story, sim = index.attach(rows, times[rows], _join_bar(bars[rows]))
        if story is None:
            story = OpenStory(next_key, Centroid(np.zeros(vectors.dense.shape[1], np.float32), {}, {}), 0,
                              ordered[rows[0]].published, ordered[rows[0]].published)
            next_key += 1
            by_key[story.key] = story
            index.append(story)
        new = story.size == 0
        index.placed(rows)
        for r in rows:
            _join(story, ordered[r], vectors, r, float(bars[r]))
            placements[r] = Placement(ordered[r].article_id, story.key, 1.0 if new else sim, new and r == rows[0])
        index.changed(story)
    for r, key in forced.items():
        _join(by_key[key], ordered[r], vectors, r)
        placements[r] = Placement(ordered[r].article_id, key, 1.0, False)
    return [placements[r] for r in range(len(ordered))]


def _join_bar(bars: np.ndarray) -> float:
    """Where a group joins an open story: its members' mean bar. An article alone in its batch asks a
    little more: it has no report of its own event beside it to keep it out of a sibling event's story
    (a second shooting that day), and its partners may not have arrived yet."""
    return float(bars.mean()) * (ALONE_MARGIN if len(bars) == 1 else 1.0)


def _take(v: Vectors, rows: np.ndarray) -> Vectors:
    return Vectors(v.words[rows], v.names[rows], v.dense[rows], None if v.ages is None else v.ages[rows],
                   None if v.clocks is None else v.clocks[rows])


class _OpenIndex:
    """The open stories of one batch and each batch article's similarity to each of them: computed
    once for the stories open when the batch begins, and again for one story when it changes, for the
    articles not placed yet (only their similarities are read again)."""

    def __init__(self, stories: list[OpenStory], vectors: Vectors, window: timedelta, w: Weights) -> None:
        self.stories, self.vectors, self.window, self.w = stories, vectors, window, w
        self.pending = np.ones(vectors.dense.shape[0], bool)
        self._keep(np.arange(vectors.dense.shape[0]))
        self.first = np.array([s.first_seen.timestamp() for s in stories], np.float64)
        self.last = np.array([s.last_seen.timestamp() for s in stories], np.float64)
        self.live = np.array([s.size > 0 for s in stories], bool)
        self.sims = self._against(stories)
        self.column = {s.key: j for j, s in enumerate(stories)}

    def _against(self, stories: Sequence[OpenStory]) -> np.ndarray:
        if not stories:
            return np.zeros((self.vectors.dense.shape[0], 0), np.float32)
        return self.vectors.matched(_story_vectors([s.centroid for s in stories], self.vectors.dense.shape[1]),
                                    self.w)

    def _keep(self, rows: np.ndarray) -> None:
        """Recompute changed stories for these batch rows only; their bags with a row per bucket, so that a
        story's few buckets pick out the articles that share them."""
        self.rows = rows
        self.part = self.vectors if len(rows) == len(self.pending) else _take(self.vectors, rows)
        self.by_bucket = self.part.words.T.tocsr(), self.part.names.T.tocsr()

    def placed(self, rows: np.ndarray) -> None:
        """These rows have their story: once half the rows kept are placed, keep only the others."""
        self.pending[rows] = False
        left = np.flatnonzero(self.pending)
        if len(left) <= len(self.rows) // 2:
            self._keep(left)

    def _against_one(self, story: OpenStory) -> np.ndarray:
        """``_against`` for one story and the rows kept, its products taken bucket by bucket (``_shared``)."""
        size = max(story.centroid.n, 1)
        products = tuple(_shared(rows, bag, size) for rows, bag in
                         zip(self.by_bucket, (story.centroid.words, story.centroid.names), strict=True))
        return self.part.matched(_one_story(story.centroid), self.w, products)

    def append(self, story: OpenStory) -> None:
        self.stories.append(story)
        self.column[story.key] = len(self.stories) - 1
        self.first, self.last = np.append(self.first, 0.0), np.append(self.last, 0.0)
        self.live = np.append(self.live, False)
        if len(self.stories) > self.sims.shape[1]:  # room for as many stories again: not a copy per new story
            grown = np.zeros((self.sims.shape[0], 2 * len(self.stories)), np.float32)
            grown[:, :self.sims.shape[1]] = self.sims
            self.sims = grown

    def changed(self, story: OpenStory) -> None:
        j = self.column[story.key]
        self.first[j], self.last[j] = story.first_seen.timestamp(), story.last_seen.timestamp()
        self.live[j] = story.size > 0
        self.sims[self.rows, j] = self._against_one(story)[:, 0]

    def attach(self, rows: np.ndarray, times: np.ndarray, threshold: float) -> tuple[OpenStory | None, float]:
        """The open story with the highest average similarity to the group, if it reaches the group's bar."""
        span = self.window.total_seconds()
        start, end = float(times.min()), float(times.max())
        near = np.flatnonzero(self.live & (start - self.last <= span) & (self.first - end <= span))
        if not len(near):
            return None, -1.0
        gap = np.maximum(np.maximum(start - self.last[near], self.first[near] - end), 0.0)
        average = self.sims[np.ix_(rows, near)].mean(axis=0) * decay(gap, self.window, self.w)
        best = int(np.argmax(average))
        story = self.stories[int(near[best])]
        return (story, float(average[best])) if average[best] >= threshold else (None, float(average[best]))


def _join(story: OpenStory, item: StoryItem, vectors: Vectors, row: int, bar: float | None = None) -> None:
    """Add the article at ``row``; ``bar`` None for a duplicate, which joins without a test."""
    story.centroid.add(vectors.dense[row], _row_dict(vectors.words, row), _row_dict(vectors.names, row),
                       ages=item.bags.ages, clocks=item.bags.clocks)
    if bar is not None:
        story.bar_sum, story.placed = story.bar_sum + bar, story.placed + 1
    story.size += 1
    story.members.append(item.article_id)
    story.first_seen, story.last_seen = min(story.first_seen, item.published), max(story.last_seen, item.published)


def merge_converged(stories: list[OpenStory], touched: set[int], window: timedelta, threshold: float,
                    w: Weights = Weights()) -> dict[int, int]:
    """Merge open stories that became alike; at least one of each pair is in ``touched`` (the keys
    this batch changed). Each pass compares the touched stories with every open one and merges the
    most alike pairs first, each story once; the survivors are compared again in the next pass.
    ``threshold`` is the reference articles' mean bar (``Threshold.level``), the bar of stories
    stored earlier.
    Returns absorbed key -> surviving key; the survivor takes the absorbed story's centroid, size,
    times and this batch's members (``stories`` updated in place)."""
    merged: dict[int, int] = {}
    keys = set(touched)
    while keys:
        live = [s for s in stories if s.size]
        used: set[int] = set()
        keys = set()
        for a, b in _close_pairs(live, {k for k in touched if k not in merged}, window, threshold, w):
            if a.key in used or b.key in used:
                continue
            keep, gone = (a, b) if _survives(a, b) else (b, a)
            _fold(keep, gone)
            merged = {old: (keep.key if new == gone.key else new) for old, new in merged.items()}
            merged[gone.key] = keep.key
            used |= {a.key, b.key}
            keys.add(keep.key)
        touched = keys
    return merged


def _survives(a: OpenStory, b: OpenStory) -> bool:
    """The stored story survives, else the larger, else the older."""
    return (a.id is not None, a.size, -a.key) >= (b.id is not None, b.size, -b.key)


def _fold(keep: OpenStory, gone: OpenStory) -> None:
    keep.centroid.absorb(gone.centroid)
    keep.size, gone.size = keep.size + gone.size, 0
    keep.members.extend(gone.members)
    keep.bar_sum, keep.placed = keep.bar_sum + gone.bar_sum, keep.placed + gone.placed
    keep.first_seen, keep.last_seen = min(keep.first_seen, gone.first_seen), max(keep.last_seen, gone.last_seen)


def _close_pairs(live: list[OpenStory], touched: set[int], window: timedelta, level: float,
                 w: Weights) -> list[tuple[OpenStory, OpenStory]]:
    """Pairs (touched, other open story) alike after time decay by at least ``MERGE_MARGIN`` times the
    higher of ``level`` and the two stories' bars (the higher itself when both have ``SETTLED``
    members), most alike first."""
    rows = [s for s in live if s.key in touched]
    if not rows or len(live) < 2:
        return []
    dim = live[0].centroid.dense.shape[0]
    sims = _story_vectors([s.centroid for s in rows], dim).matched(_story_vectors([s.centroid for s in live], dim), w)
    first = np.array([s.first_seen.timestamp() for s in live])
    last = np.array([s.last_seen.timestamp() for s in live])
    at = {s.key: j for j, s in enumerate(live)}
    for i, story in enumerate(rows):
        j = at[story.key]
        gap = np.maximum(np.maximum(first[j] - last, first - last[j]), 0.0)
        sims[i] *= decay(gap, window, w)
        sims[i, j] = -1.0
    bars, sizes = np.array([s.bar for s in live]), np.array([s.size for s in live])
    mine = [at[s.key] for s in rows]
    margin = np.where(np.minimum(sizes[mine][:, None], sizes[None, :]) >= SETTLED, 1.0, MERGE_MARGIN)
    floor = margin * np.maximum(level, np.maximum(bars[mine][:, None], bars[None, :]))
    found = np.argwhere(sims >= floor)
    order = np.argsort(-sims[found[:, 0], found[:, 1]], kind="stable") if len(found) else []
    return [(rows[int(found[k, 0])], live[int(found[k, 1])]) for k in order]


def most_central(vectors: np.ndarray, ids: Sequence[int],
                 flaws: Sequence[int] | None = None) -> tuple[int, np.ndarray]:
    """The headline's id and each member's similarity to the members' mean vector. The headline is the
    member closest to that mean; with ``flaws`` (per member, ``monitor.extract.headline.flaws``), the
    member with the plainest title among the central half (as close as the median member or closer),
    the closest of equals: a story's title should not shout because its most central report does."""
    centroid = normalise(vectors.mean(axis=0, keepdims=True))[0]
    sims = vectors @ centroid
    if flaws is None:
        return ids[int(np.argmax(sims))], sims
    central = np.flatnonzero(sims >= np.median(sims))
    return ids[int(min(central, key=lambda i: (flaws[i], -sims[i])))], sims
