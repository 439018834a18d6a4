"""BERTopic fit, save and fast assignment with the saved model.

Fit: precomputed embeddings, a reducer and clusterer from ``config.topic_model``,
clusters labelled with the analyst topics (``monitor.topics.seeding``: cluster
first, then label each cluster by calibrated evidence), discovered clusters of one
theme merged (``monitor.topics.siblings``), then BERTopic in manual
mode builds the model from those labels: c-TF-IDF keywords with an MMR
representation, English stop words removed, one embedding per topic. Saved with
safetensors under ``<data_dir>/topic_model/run-N`` together with ``monitor.json``
(embedding model, BERTopic id -> topic mapping).

Assignment between refits reads the saved topic embeddings with safetensors and
numpy (nearest topic embedding, as BERTopic's own ``transform`` does for a saved
model), so ``monitor crawl`` never imports BERTopic or torch.
"""

from __future__ import annotations

import json
import logging
import math
import os
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from monitor.config import TopicModelConfig, TopicSeed
from monitor.errors import MonitorError
from monitor.topics.embeddings import Embedder, normalise
from monitor.topics.features import Counted
from monitor.topics.helper import Helper
from monitor.topics.imports import forget, without
from monitor.topics.labels import KEYWORDS, Corpus
from monitor.topics.leftover import stories_as_topics
from monitor.topics.memory import give_back
from monitor.topics.seeding import (
    cluster_evidence,
    gated,
    keyword_hits,
    keyword_matchers,
    label_clusters,
    seed_evidence,
    split_hits,
    supports,
    term_hits,
    term_lists,
)
from monitor.topics.siblings import merge_siblings

log = logging.getLogger(__name__)

MIN_DOCS = 20
SIDECAR = "monitor.json"
LABEL_WORDS = 30  # c-TF-IDF words a label may choose from (names few of the topic's articles carry are passed over)


@dataclass(frozen=True)
class FoundTopic:
    """One BERTopic topic after folding: which seed it belongs to (if any), keywords, centroid."""

    bertopic_id: int
    seed: str | None
    keywords: tuple[str, ...]
    centroid: np.ndarray
    size: int
    label: str = ""  # names and keywords (``monitor.topics.labels``)
    headlines: tuple[str, ...] = ()


@dataclass(frozen=True)
class Fitted:
    labels: list[int]  # BERTopic topic per document (-1 outlier)
    scores: list[float]
    topics: list[FoundTopic]
    floors: dict[int, float]
    version: str
    seed_vectors: np.ndarray


def seed_text(seed: TopicSeed) -> str:
    return f"{seed.name}: {seed.description} {', '.join(seed.keywords)}".strip()


def seed_vectors(seeds: Sequence[TopicSeed], embedder: Embedder, dim: int) -> np.ndarray:
    """One unit vector per analyst topic: its description and keywords, averaged with its examples."""
    if not seeds:
        return np.zeros((0, dim), np.float32)
    rows = []
    for seed in seeds:
        texts = [seed_text(seed), *seed.examples]
        vectors = normalise(embedder.embed(texts))
        rows.append(normalise((vectors[0] + vectors[1:].mean(axis=0) if len(texts) > 1 else vectors[0])[None])[0])
    return np.vstack(rows)


def numba_cache(data_dir: Path) -> None:
    """Keep what numba can cache (pynndescent's trees, HDBSCAN, part of UMAP) between processes (must run
    before importing them)."""
    path = data_dir / "numba_cache"
    path.mkdir(parents=True, exist_ok=True)
    os.environ.setdefault("NUMBA_CACHE_DIR", str(path.resolve()))


def fit_bertopic(docs: Sequence[str], embeddings: np.ndarray, seeds: Sequence[TopicSeed],
                 embedder: Embedder, cfg: TopicModelConfig, titles: Sequence[str] | None = None,
                 bodies: Sequence[str] | None = None, stories: Sequence[int | None] | None = None,
                 helper: Helper | None = None, counts: Counted | None = None) -> tuple[Any, Fitted]:
    """Cluster, label clusters with the analyst topics, then let BERTopic build the topic model
    from those labels (c-TF-IDF keywords, MMR representation, topic embeddings). With ``titles``
    and ``bodies``, each topic also gets a label of names and keywords and its headlines (from as
    many of its ``stories`` as it has); a story that no cluster took becomes a topic of its own
    (``leftover.stories_as_topics``). ``helper``: helper processes (``helper.fit_helper``) that compile on
    first use (or else find the keywords' hits) and read the label names meanwhile. ``counts``: the
    documents' hashed counts, if known (``features.counted(docs)`` otherwise)."""
    if len(docs) < MIN_DOCS:
        raise MonitorError(f"topic model needs at least {MIN_DOCS} articles with text, found {len(docs)}")
    give_back()  # what reading the corpus freed: the clustering's arrays never reuse it
    phase = _Phases()
    phase("reading %d articles: words, names and evidence for %d analyst topics", len(docs), len(seeds))
    described = helper is not None and titles is not None and bodies is not None
    must = [s.must_mention for s in seeds]
    keywords = term_lists([s.keywords for s in seeds], must)  # both found in one pass, parted by ``split_hits``
    found_apart = helper is not None and helper.free_at_start and any(keywords)
    if found_apart:
        helper.find_hits(docs, keywords)
    with ThreadPoolExecutor(1) as pool:  # BERTopic's imports (and numba's compilation on first use)
        loading = pool.submit(bertopic, helper)  # overlap the evidence and the lexical features
        embeddings = normalise(embeddings)
        seeds_at = seed_vectors(seeds, embedder, embeddings.shape[1])
        hits = None if found_apart else keyword_hits(docs, keyword_matchers(keywords))
        similarity = embeddings @ seeds_at.T
        features = representation(cfg, embeddings, docs, counts)
        del counts  # the representation holds them until the articles are placed (``del features``)
        BERTopic, version = loading.result()

    def read_names() -> None:  # in the helper, from when the neighbours are found: on the fit's other core, it
        if described:  # made their matrix products wait (14.2 s against 8.3 s at 50,000 news-length articles)
            helper.names(titles, bodies)

    phase("clustering %d articles", len(docs))
    clustered = _clusters(cfg, features, read_names)  # meanwhile a helper may still be finding the hits
    hits, allowed = split_hits(_hits(hits, helper, docs, keywords), must)
    similarity, hits = gated(similarity, hits, allowed)
    evidence = seed_evidence(similarity, hits, cfg.evidence_similarity)
    alone = seed_evidence(similarity, hits, cfg.evidence_similarity, alone=True)
    clusters = absorb_outliers(features, clustered, free=alone < 0)
    del features  # the clustered sample's rows: gone before BERTopic builds its own matrices
    give_back()
    whole = cluster_evidence(embeddings, clusters, seeds_at, hits, cfg.evidence_similarity, allowed)
    ours = unsupported_out(label_clusters(clusters, evidence, len(seeds), whole, alone),
                           supports(similarity, hits, cfg.evidence_similarity))
    ours = merge_siblings(embeddings, ours, len(seeds), cfg.sibling_z)
    ours = stories_as_topics(ours, stories, len(seeds), story_topic_size(cfg))
    phase("keywords of %d clusters", len(set(ours.tolist()) - {-1}))
    model, labels = _modelled(BERTopic, embedder, docs, embeddings, ours)
    seed_of = {t: seeds[int(o)].name for t, o in zip(labels, ours.tolist(), strict=True) if 0 <= o < len(seeds)}
    scores, floors = _scores(model, labels, embeddings)
    found = _found_topics(model, labels, embeddings, seed_of)
    if titles is not None and bodies is not None:
        phase("names and headlines of %d topics", len(found))
        found = _described(found, titles, bodies, labels, scores, _label_words(model, found), stories,
                           helper.corpus() if helper and described else None)
    return model, Fitted(labels, scores, found, floors, version, seeds_at)


class _Phases:
    """A fit's progress as log lines, each with the seconds since the fit began: a fit of tens of thousands
    of articles runs a minute or more, and a terminal or a cron log should show where it is."""

    def __init__(self) -> None:
        self.started = time.perf_counter()

    def __call__(self, message: str, *args: Any) -> None:
        log.info("topic fit: " + message + " (%.1f s in)", *args, time.perf_counter() - self.started)


def _modelled(BERTopic: Any, embedder: Embedder, docs: Sequence[str], embeddings: np.ndarray,
              ours: np.ndarray) -> tuple[Any, list[int]]:
    """BERTopic built from our labels, and its topic per document. Its keywords are drawn from the terms
    not nearly all topics use, pairs of words only from those more than one uses (``_vectorizer``); with one
    topic (a corpus of one event, or of copies of one report) every term is used by all, so the model is
    built again from every term before the texts are called unusable."""
    from bertopic.cluster import BaseCluster
    from bertopic.dimensionality import BaseDimensionalityReduction

    failed: ValueError | None = None
    for bounded in (True, False) if len(docs) >= BOUNDED_FROM else (False,):
        model = BERTopic(embedding_model=_backend(embedder), umap_model=BaseDimensionalityReduction(),
                         hdbscan_model=BaseCluster(), vectorizer_model=_vectorizer(bounded),
                         representation_model=_representation(), top_n_words=KEYWORDS)
        try:
            labels, _ = model.fit_transform(list(docs), embeddings, y=ours.tolist())
        except ValueError as exc:  # scikit-learn: no term within the bounds, or none left after stop words
            failed = exc
            continue
        return model, [int(t) for t in labels]
    raise MonitorError(f"topic model: the {len(docs)} articles have no usable words ({failed})") from None


def story_topic_size(cfg: TopicModelConfig) -> int:
    """The fewest unassigned reports of one story that make a topic of their own: half the clusterer's
    minimum cluster size, at least 3."""
    return max(3, cfg.min_cluster_size // 2)


def _hits(found: np.ndarray | None, helper: Helper | None, docs: Sequence[str],
          keywords: Sequence[Sequence[str]]) -> np.ndarray:
    """The analyst keywords' hits: as the fit found them, else as the helper did, else found now (the helper
    failed; ``Helper.hits``)."""
    if found is None and helper is not None:
        found = helper.hits()
    return keyword_hits(docs, keyword_matchers(keywords)) if found is None else found


def bertopic(helper: Helper | None = None) -> tuple[Any, str]:
    """The BERTopic class and version (umap warns on import that an optional TensorFlow is missing), once a
    ``helper`` process has imported it and so filled numba's cache, if it was asked to; imported without
    ``transformers`` and ``torch`` (``imports.without``), or with them where a release of BERTopic (or of a
    library it imports) cannot do without them."""
    import warnings

    if helper is not None:
        helper.compiled()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ImportWarning)
        loaded = list(sys.modules)
        try:
            with without("transformers", "torch"):  # for models this project never uses
                import bertopic as package
        except Exception as exc:  # noqa: BLE001 - a release that needs them to import: import them after all
            log.debug("BERTopic did not import without transformers and torch (%s); importing them", exc)
            forget("bertopic", loaded)  # its modules loaded meanwhile found them missing: loaded again
            import bertopic as package
    BERTopic = package.BERTopic

    class Model(BERTopic):  # type: ignore[misc,valid-type]
        """BERTopic without its representative documents: nothing reads them (a topic's headlines come from
        ``labels.describe``, and the safetensors save leaves them out), yet each fit vectorised up to 500
        sampled documents per topic again for them: 18.7 s of a fit of 50,000 news-length articles."""

        def _save_representative_docs(self, documents: Any) -> None:
            self.representative_docs_ = {}

        def _preprocess_text(self, documents: Any) -> Any:
            """BERTopic's cleaning, of one document at a time as the vectorizer reads it (``Cleaned``)."""
            from monitor.topics.vocabulary import Cleaned

            return Cleaned(documents, lambda document: BERTopic._preprocess_text(self, [document])[0])

    return Model, package.__version__


def unsupported_out(labels: np.ndarray, support: np.ndarray) -> np.ndarray:
    """An article in an analyst topic's cluster that does not support the topic (``seeding.supports``,
    articles x topics) is left unassigned, as the crawl leaves a new one (``SavedSeeds.supported``):
    a cluster that took in off-topic articles does not carry them into the analyst's topic."""
    labels = np.asarray(labels).copy()
    rows = np.flatnonzero((labels >= 0) & (labels < support.shape[1]))
    labels[rows[~support[rows, labels[rows]]]] = -1
    return labels


def _backend(embedder: Embedder) -> Any:
    from bertopic.backend import BaseEmbedder

    class Backend(BaseEmbedder):
        def embed(self, documents: Any, verbose: bool = False) -> np.ndarray:
            return embedder.embed([str(d) for d in documents])

    return Backend()


def cluster_count(cfg: TopicModelConfig, n: int) -> int:
    """k-means clusters: about sqrt(n/2), at most ``n_clusters`` (300 articles: 12; 50,000: the cap)."""
    return max(2, min(cfg.n_clusters, round(math.sqrt(n / 2))))


# shares of the clustered representation: a topic is a theme, read mostly by the embedding; names tell the
# events of one theme apart (the stories' work), so they weigh least (bench/RESULTS-topics.md, 2026-12-02)
HYBRID = {"dense": 0.6, "words": 0.3, "names": 0.1}
PROJECTED = {"words": 1024, "names": 512}  # dimensions of the signed random projections


ROWS = 4096  # rows per chunk where the fit works on full-size float matrices


def representation(cfg: TopicModelConfig, embeddings: np.ndarray, docs: Sequence[str],
                   counts: Counted | None = None) -> Any:
    """What is clustered: the embedding, or (hybrid) the embedding next to the documents' IDF-weighted
    words and names, each projected to a few hundred dimensions by signed feature hashing, so that the
    cosine of two rows is the weighted sum of the three cosines (approximately, for the projections).
    The hybrid rows are built when asked for (``Represented``), a chunk of rows at a time, in float32."""
    if cfg.features == "embedding":
        return embeddings
    from monitor.topics.features import counted

    return Represented(cfg, embeddings, counts if counts is not None else counted(docs))


class Represented:
    """The hybrid representation's rows, indexed like a matrix (``rows[index or mask]``) but built when asked
    for. The rows that ``keep`` is given (the clustered sample) are kept; the others are built again when
    placed, so the fit never holds the whole matrix (0.36 GB at 50,000 articles). A row is the same however
    it is asked for: each one depends on its own counts and embedding alone."""

    def __init__(self, cfg: TopicModelConfig, embeddings: np.ndarray, counts: Counted) -> None:
        self.embeddings, self.counts = embeddings, counts
        self.hashing = {kind: _hashing(counts.stats.words.shape[0], dim, cfg.seed) for kind, dim in PROJECTED.items()}
        self.width = embeddings.shape[1] + sum(PROJECTED.values())
        self.kept_rows, self.kept = np.zeros(0, np.int64), np.zeros((0, self.width), np.float32)

    def __len__(self) -> int:
        return len(self.embeddings)

    def __getitem__(self, key: Any) -> np.ndarray:
        key = np.asarray(key)
        rows = np.flatnonzero(key) if key.dtype == bool else key.astype(np.int64)
        out = np.empty((len(rows), self.width), np.float32)
        at = np.minimum(np.searchsorted(self.kept_rows, rows), max(len(self.kept_rows) - 1, 0))
        hit = (self.kept_rows[at] == rows) if len(self.kept_rows) else np.zeros(len(rows), bool)
        out[hit] = self.kept[at[hit]]
        missing = np.flatnonzero(~hit)
        for start in range(0, len(missing), ROWS):
            chunk = missing[start:start + ROWS]
            out[chunk] = self._built(rows[chunk])
        return out

    def keep(self, rows: np.ndarray) -> np.ndarray:
        """The rows at ``rows`` (sorted), kept for later requests."""
        self.kept, self.kept_rows = self[rows], np.asarray(rows, np.int64)
        return self.kept

    def _built(self, rows: np.ndarray) -> np.ndarray:
        out = np.empty((len(rows), self.width), np.float32)
        dense = self.embeddings.shape[1]
        out[:, :dense] = np.sqrt(HYBRID["dense"]) * self.embeddings[rows]
        for kind, dim in PROJECTED.items():
            block = self.counts.weighted(kind, rows) @ self.hashing[kind]
            out[:, dense:dense + dim] = np.sqrt(HYBRID[kind]) * normalise(block.toarray())
            dense += dim
        return out


def _hashing(n: int, dim: int, seed: int) -> Any:
    """Signed feature hashing of ``n`` buckets into ``dim`` columns (sparse, n x dim)."""
    from scipy.sparse import csr_matrix

    rng = np.random.default_rng(seed)
    return csr_matrix((rng.choice([-1.0, 1.0], n), (np.arange(n), rng.integers(0, dim, n))), shape=(n, dim),
                      dtype=np.float32)


def _clusters(cfg: TopicModelConfig, features: np.ndarray | Represented,
              then: Callable[[], None] = lambda: None) -> np.ndarray:
    """Cluster ids per article (-1: HDBSCAN outlier, or outside the sample) on the reduced
    representation. A corpus larger than ``fit_sample`` is clustered on a seeded sample; the other
    articles are left -1 for ``absorb_outliers``, which places them by the crawl's rule for new ones.
    ``then`` is called once the step that takes both cores (UMAP's exact neighbours) is done."""
    n = len(features)
    out = np.full(n, -1, np.int64)
    rows = (np.arange(n) if n <= cfg.fit_sample
            else np.sort(np.random.default_rng(cfg.seed).choice(n, cfg.fit_sample, replace=False)))
    out[rows] = _cluster_rows(cfg, features.keep(rows) if isinstance(features, Represented) else features[rows], then)
    return out


def _cluster_rows(cfg: TopicModelConfig, features: np.ndarray, then: Callable[[], None]) -> np.ndarray:
    n = len(features)
    components = max(2, min(cfg.n_components, n - 2))
    if cfg.reducer == "pca":
        from sklearn.decomposition import PCA

        then()
        reduced = PCA(n_components=components, random_state=cfg.seed).fit_transform(features)
    else:
        reduced = _umap(cfg, features, components, then)
    if cfg.clusterer == "kmeans":
        from sklearn.cluster import MiniBatchKMeans

        return MiniBatchKMeans(n_clusters=cluster_count(cfg, n), random_state=cfg.seed, n_init=3,
                               batch_size=4096).fit_predict(reduced)
    from hdbscan import HDBSCAN

    size = max(2, min(cfg.min_cluster_size, n // 2))
    # core distances in this process: its default starts four worker processes, which cost 2 s and 0.6 GB
    # at 20,000 articles for the same clusters
    return HDBSCAN(min_cluster_size=size, min_samples=min(cfg.min_samples or size, size), metric="euclidean",
                   cluster_selection_method="eom", core_dist_n_jobs=1).fit_predict(reduced)


def absorb_outliers(features: np.ndarray | Represented, clusters: np.ndarray, free: np.ndarray) -> np.ndarray:
    """Give a clusterer's outlier (among the ``free`` rows) to the nearest cluster when it is as close to
    that cluster's centroid as the cluster's loosest member is (but never held to more than the 5th
    percentile of all members): the rule the crawl applies to a new article between refits
    (``member_floors``), applied to the fit's own articles. The two measure in different spaces: here the
    clustered representation and its cluster centroids, at the crawl the embedding and the saved topics'
    embeddings (where the outliers' own embedding competes too), so an article near a floor may be placed
    by one and not the other. Rows are normalised a chunk at a time (no normalised copy of ``features``)."""
    clusters = np.asarray(clusters).copy()
    ids = np.unique(clusters[clusters >= 0])
    outliers = np.flatnonzero((clusters < 0) & free)
    if not len(ids) or not len(outliers):
        return clusters
    index = np.searchsorted(ids, clusters)
    centroids = normalise(np.vstack([normalise(features[clusters == c]).mean(axis=0) for c in ids]))
    members = np.flatnonzero(clusters >= 0)
    own = np.concatenate([np.einsum("ij,ij->i", normalise(features[rows]), centroids[index[rows]])
                          for rows in _chunks(members)])
    floors = member_floors(own, index[members], len(ids))
    for rows in _chunks(outliers):
        sims = normalise(features[rows]) @ centroids.T
        nearest = sims.argmax(axis=1)
        close = sims[np.arange(len(rows)), nearest] >= floors[nearest]
        clusters[rows[close]] = ids[nearest[close]]
    return clusters


def _chunks(rows: np.ndarray) -> list[np.ndarray]:
    return [rows[start:start + ROWS] for start in range(0, len(rows), ROWS)]


EXACT_BELOW = 4096  # UMAP itself finds exact neighbours below this many rows; above, NN-descent
NEIGHBOUR_ROWS = 256  # rows per block of the exact neighbour search (a block x n similarities at a time)


def _umap(cfg: TopicModelConfig, features: np.ndarray, components: int, then: Callable[[], None]) -> np.ndarray:
    """UMAP on cosine distance. Above ``EXACT_BELOW`` rows the neighbours are found exactly here (blocked
    matrix products) and handed to UMAP: its approximate NN-descent is compiled by numba on every fit
    (about 20 s that its cache does not keep), while the exact search over a 20,000-article sample takes
    about 10 s and is never worse."""
    import warnings

    from umap import UMAP

    from monitor.topics.compiled import keep_compiled

    keep_compiled()
    n = len(features)
    k = max(2, min(cfg.n_neighbors, n - 1))
    knn = exact_neighbours(features, k) if n >= EXACT_BELOW else (None, None, None)
    then()
    umap = UMAP(n_neighbors=k, n_components=components, min_dist=0.0, metric="cosine", random_state=cfg.seed,
                low_memory=True, n_jobs=1, precomputed_knn=knn)
    with warnings.catch_warnings():  # a fixed seed makes UMAP single-threaded, and it says so every time
        warnings.filterwarnings("ignore", message="n_jobs value", category=UserWarning)
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", category=UserWarning)
        return umap.fit_transform(features)


def exact_neighbours(features: np.ndarray, k: int) -> tuple[np.ndarray, np.ndarray, None]:
    """The ``k`` nearest rows of each row by cosine distance (itself first), and those distances."""
    rows = normalise(np.asarray(features, np.float32))
    n = len(rows)
    indices = np.empty((n, k), np.int64)
    distances = np.empty((n, k), np.float32)
    for start in range(0, n, NEIGHBOUR_ROWS):
        far = rows[start:start + NEIGHBOUR_ROWS] @ rows.T
        np.negative(far, out=far)  # minus the similarities, in place: nearest first when sorted
        block = np.arange(start, min(start + NEIGHBOUR_ROWS, n))
        far[block - start, block] = -np.inf  # itself first, whatever its duplicates
        top = np.argpartition(far, k - 1, axis=1)[:, :k].copy()  # not a view of the whole block's order
        order = np.argsort(np.take_along_axis(far, top, axis=1), axis=1, kind="stable")
        indices[block] = np.take_along_axis(top, order, axis=1)
        chosen = -np.take_along_axis(far, indices[block], axis=1)
        distances[block] = np.clip(1.0 - chosen, 0.0, 2.0)
    return indices, distances, None


# words of the photo captions pages keep inside their stories ("Enlarge this image toggle caption Jane Doe/AP", a
# gallery's "Hide Caption 3 of 8"), never a topic's keywords ("hide caption", "caption photos")
CAPTION_WORDS = frozenset({"caption", "captions", "enlarge", "hide", "toggle"})


BOUNDED_FROM = 50  # articles from which c-TF-IDF keeps pairs two topics or more use, and terms not nearly all use


def _vectorizer(bounded: bool) -> Any:
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    from monitor.topics.vocabulary import WORD_PATTERN, TopicVectorizer

    # counts as float64: BERTopic's c-TF-IDF then weights them in place of a float copy of its own (0.1 GB at
    # 50,000 news articles, at the fit's peak); the same weights (tests/test_ctfidf.py), and the save leaves the
    # type out
    vectorizer = TopicVectorizer(stop_words=sorted(ENGLISH_STOP_WORDS | CAPTION_WORDS), ngram_range=(1, 2),
                                 max_df=0.95 if bounded else 1.0, token_pattern=WORD_PATTERN, dtype=np.float64)
    vectorizer.pairs_min_df = 2 if bounded else 1  # a word one topic alone uses is the likeliest of its keywords
    return vectorizer


def _representation() -> Any:
    from bertopic.representation import MaximalMarginalRelevance

    return MaximalMarginalRelevance(diversity=0.3, top_n_words=KEYWORDS)


def _found_topics(model: Any, labels: list[int], embeddings: np.ndarray,
                  seed_of: dict[int, str]) -> list[FoundTopic]:
    found = []
    for t, rows in _members(labels).items():
        words = tuple(w for w, _ in (model.get_topic(t) or [])[:KEYWORDS] if w)
        found.append(FoundTopic(t, seed_of.get(t), words, _centroid(embeddings[rows]), len(rows)))
    return found


def _members(labels: list[int]) -> dict[int, np.ndarray]:
    """Each topic's rows, in order, topics in order (one sort, not a pass over the labels per topic)."""
    at = np.asarray(labels)
    order = np.argsort(at, kind="stable")
    topics, starts, counts = np.unique(at[order], return_index=True, return_counts=True)
    return {int(t): order[s:s + c] for t, s, c in zip(topics, starts, counts, strict=True) if t >= 0}


def _label_words(model: Any, found: list[FoundTopic]) -> dict[int, list[str]]:
    """Per topic, its keywords and then its next c-TF-IDF words, up to ``LABEL_WORDS``: the MMR's ten
    can be mostly places that few of the topic's articles name, and the label then needs plain words."""
    vocabulary = model.vectorizer_model.get_feature_names_out()
    weights = model.c_tf_idf_.tocsr()
    out = {}
    for f in found:
        row = weights[f.bertopic_id + model._outliers]  # sparse: only the words the topic uses
        used = row.data > 0
        words, weight = row.indices[used], row.data[used]
        top = words[np.lexsort((words, -weight))][:LABEL_WORDS]
        out[f.bertopic_id] = [*f.keywords, *(w for w in map(str, vocabulary[top]) if w not in f.keywords)]
    return out


def _described(found: list[FoundTopic], titles: Sequence[str], bodies: Sequence[str], labels: list[int],
               scores: list[float], words: dict[int, list[str]],
               stories: Sequence[int | None] | None, corpus: Corpus | None) -> list[FoundTopic]:
    from dataclasses import replace

    from monitor.topics.labels import describe

    about = describe(titles, bodies, labels, scores, words, stories, corpus)
    return [replace(f, label=about[f.bertopic_id].label, headlines=about[f.bertopic_id].headlines,
                    keywords=about[f.bertopic_id].keywords or f.keywords)
            if f.bertopic_id in about else f for f in found]


def _centroid(rows: np.ndarray) -> np.ndarray:
    return normalise(rows.mean(axis=0, keepdims=True))[0]


def member_floors(own: np.ndarray, cluster: np.ndarray, count: int) -> np.ndarray:
    """Per cluster, the outlier floor: its loosest member's similarity (``own``, members of ``cluster``
    0..count-1), but never stricter than the 5th percentile over all members (a small, tight cluster
    must not turn its new articles into outliers)."""
    loosest = np.full(count, np.inf)
    np.minimum.at(loosest, cluster, own)
    return np.minimum(loosest, np.percentile(own, 5))


def _scores(model: Any, labels: list[int], embeddings: np.ndarray) -> tuple[list[float], dict[int, float]]:
    """Each document's similarity to its topic embedding, and per topic its outlier floor
    (``member_floors``)."""
    topic_embeddings = normalise(np.asarray(model.topic_embeddings_))
    offset = int(model._outliers)
    scores = [float(embeddings[i] @ topic_embeddings[t + offset]) for i, t in enumerate(labels)]
    topics = sorted({t for t in labels if t >= 0})
    if not topics:
        return scores, {}
    members = np.array([i for i, t in enumerate(labels) if t >= 0])
    index = np.searchsorted(topics, np.asarray(labels)[members])
    floors = member_floors(np.asarray(scores)[members], index, len(topics))
    return scores, {t: float(f) for t, f in zip(topics, floors, strict=True)}


@dataclass(frozen=True)
class SavedSeeds:
    """What the assignment path needs to check evidence for the analyst topics."""

    topic_ids: tuple[int, ...]  # stable topic id per analyst topic
    vectors: np.ndarray
    keywords: tuple[tuple[str, ...], ...]
    floor: float
    must_mention: tuple[tuple[str, ...], ...] = ()  # per analyst topic (none saved: no topic requires a term)

    @property
    def required(self) -> tuple[tuple[str, ...], ...]:
        """The must-mention terms of each analyst topic (none for each, when none were saved)."""
        return self.must_mention or tuple(() for _ in self.topic_ids)

    def supported(self, vectors: np.ndarray, texts: Sequence[str]) -> list[set[int]]:
        """Per article, the stable ids of the analyst topics it supports: as a member of such a topic's
        cluster would at a fit, it mentions one of the topic's must-mention terms (if it has any) and names
        one of its keywords or comes near the evidence floor (``seeding.TWO_KEYWORDS`` below it)."""
        if not self.topic_ids:
            return [set() for _ in texts]
        hits, allowed = term_hits(texts, self.keywords, self.required)
        ok = supports(*gated(normalise(vectors) @ self.vectors.T, hits, allowed), self.floor)
        return [{self.topic_ids[j] for j in np.flatnonzero(row)} for row in ok]


@contextmanager
def _quiet(name: str) -> Iterator[None]:
    """Only errors from the logger ``name`` while the block runs."""
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        yield
    finally:
        logger.setLevel(level)


def save(model: Any, path: Path, embedding_model: str, mapping: dict[int, int], floors: dict[int, float],
         seeds: SavedSeeds | None = None) -> None:
    path.mkdir(parents=True, exist_ok=True)
    with _quiet("BERTopic"):  # it warns on every save that no embedding model is saved, which is deliberate
        model.save(str(path), serialization="safetensors", save_ctfidf=True, save_embedding_model=False)
    meta: dict[str, Any] = {"embedding_model": embedding_model, "topic_map": {str(k): v for k, v in mapping.items()},
                            "floors": {str(k): v for k, v in floors.items()}}
    if seeds is not None:
        meta["seeds"] = {"topic_ids": list(seeds.topic_ids), "vectors": seeds.vectors.tolist(),
                         "keywords": [list(k) for k in seeds.keywords], "floor": seeds.floor,
                         "must_mention": [list(k) for k in seeds.must_mention]}
    (path / SIDECAR).write_text(json.dumps(meta, indent=1), encoding="utf-8")


@dataclass(frozen=True)
class SavedModel:
    """A saved model as the fast assignment path needs it (no BERTopic import)."""

    path: Path
    embedding_model: str
    topic_embeddings: np.ndarray
    outliers: int
    topic_map: dict[int, int]
    floors: dict[int, float]
    seeds: SavedSeeds | None = None

    def raw_predict(self, vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """BERTopic's prediction for a saved model: nearest topic embedding (ids include -1)."""
        sims = normalise(vectors) @ self.topic_embeddings.T
        return np.argmax(sims, axis=1) - self.outliers, sims.max(axis=1)

    def assign(self, vectors: np.ndarray, texts: Sequence[str] | None = None) -> list[tuple[int, float]]:
        """Stable topic ids (-1 outlier) and similarity for each vector. With ``texts``, an article
        lands in an analyst topic only if it supports that topic (else it is unassigned)."""
        predicted, sims = self.raw_predict(vectors)
        seeded = set(self.seeds.topic_ids) if self.seeds else set()
        support = self.seeds.supported(vectors, texts) if self.seeds and texts is not None else None
        out = []
        for i, (t, sim) in enumerate(zip(predicted.tolist(), sims.tolist(), strict=True)):
            stable = self.topic_map.get(t) if t >= 0 and sim >= self.floors.get(t, 0.0) else None
            if stable is not None and stable in seeded and support is not None and stable not in support[i]:
                stable = None
            out.append((-1 if stable is None else stable, float(sim)))
        return out


def _saved_seeds(raw: dict[str, Any], dim: int) -> SavedSeeds:
    """The analyst topics' evidence as saved; a configuration without analyst topics saved none."""
    ids = tuple(int(i) for i in raw["topic_ids"])
    vectors = np.asarray(raw["vectors"], np.float32).reshape(len(ids), dim)
    return SavedSeeds(ids, vectors, tuple(tuple(k) for k in raw["keywords"]), float(raw["floor"]),
                      tuple(tuple(k) for k in raw.get("must_mention", ())))


def load_saved(path: Path) -> SavedModel:
    from safetensors.numpy import load_file

    try:  # a file missing, damaged, or without a field this version reads: the same advice
        meta = json.loads((path / SIDECAR).read_text(encoding="utf-8"))
        topics = json.loads((path / "topics.json").read_text(encoding="utf-8"))
        embeddings = load_file(str(path / "topic_embeddings.safetensors"))["topic_embeddings"]
        raw = meta.get("seeds")
        seeds = _saved_seeds(raw, embeddings.shape[1]) if raw else None
        return SavedModel(path, meta["embedding_model"], normalise(embeddings), int(topics.get("_outliers", 0)),
                          {int(k): int(v) for k, v in meta["topic_map"].items()},
                          {int(k): float(v) for k, v in meta["floors"].items()}, seeds)
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise MonitorError(f"cannot read the saved topic model at {path}: {exc!r}; run `monitor topics fit`") from None
