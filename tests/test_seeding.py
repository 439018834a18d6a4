"""Cluster-then-label: absolute evidence per article and one analyst topic per cluster."""

from __future__ import annotations

import numpy as np

from monitor.topics.seeding import keyword_hits, keyword_matchers, label_clusters, seed_evidence


def test_evidence_is_absolute_and_needs_a_keyword_or_clear_similarity() -> None:
    similarity = np.array([[0.35, 0.1], [0.35, 0.1], [0.22, 0.1], [0.55, 0.4], [0.2, 0.25], [0.05, 0.02]])
    hits = np.array([[1, 0], [0, 0], [2, 0], [0, 0], [0, 3], [4, 4]])
    assert seed_evidence(similarity, hits, floor=0.3).tolist() == [0, -1, 0, 0, 1, -1]


def test_evidence_that_stands_alone_needs_the_floor_and_a_keyword_or_clear_similarity() -> None:
    """Two common keywords near the lowered floor count among a cluster's votes, not for an article alone."""
    similarity = np.array([[0.35, 0.1], [0.22, 0.1], [0.55, 0.4], [0.2, 0.25], [0.29, 0.1]])
    hits = np.array([[1, 0], [2, 0], [0, 0], [0, 3], [3, 0]])
    assert seed_evidence(similarity, hits, floor=0.3).tolist() == [0, 0, 0, 1, 0]
    assert seed_evidence(similarity, hits, floor=0.3, alone=True).tolist() == [0, -1, 0, -1, -1]


def test_a_corpus_about_nothing_gives_no_evidence_however_it_is_spread() -> None:
    """A relative rule always finds some "evidence"; the absolute one finds none in off-domain news."""
    rng = np.random.default_rng(3)
    similarity = rng.uniform(-0.05, 0.2, size=(500, 7))  # sports, weather, courts: far from every topic
    assert (seed_evidence(similarity, np.zeros((500, 7), np.int64), floor=0.3) == -1).all()


def test_keywords_match_whole_words_in_any_case_and_russian_forms() -> None:
    keywords = [("export controls", "Сбербанк"), ("GPU",)]  # two analyst topics
    hits = keyword_hits(["New EXPORT CONTROLS hit Сбербанка", "gpus and GPU", "exported controls"],
                        keyword_matchers(keywords))
    assert hits.tolist() == [[2, 0], [0, 1], [0, 0]]


def test_keywords_match_their_english_plurals_and_spellings_once_each() -> None:
    """An analyst writes "chip" and "data centre"; the news says "chips" and "data centers"."""
    keywords = [("chip", "sanctions", "data centre", "licence", "policy", "model releases", "taxes"), ("GPU", "BRICS")]
    texts = ["Chips and a chip", "a sanction", "two data centers", "export license", "AI policies",
             "GPUs", "BRIC nations", "a chipset", "data centrist", "a model release", "a tax"]
    assert keyword_hits(texts, keyword_matchers(keywords)).tolist() == [
        [1, 0], [1, 0], [1, 0], [1, 0], [1, 0], [0, 1], [0, 0], [0, 0], [0, 0], [1, 0], [1, 0]]


def test_keywords_in_lower_case_match_their_forms_as_verbs() -> None:
    """News says "sanctioned", "banned", "smuggled" where the analyst wrote "sanctions", "ban", "smuggling";
    a name, an acronym or a phrase has no verb forms, and a longer word that merely begins with the keyword
    is not one."""
    keywords = [("sanctions", "ban", "smuggling", "licence", "blacklist", "export controls"), ("Huawei", "GPU")]
    texts = ["The US sanctioned two firms", "banned from the market", "chips smuggled to Moscow",
             "licensed exporters", "blacklisted, then banning more", "export controlled items", "Huaweied GPUed",
             "a bandit and a sanctionable act"]
    assert keyword_hits(texts, keyword_matchers(keywords)).tolist() == [  # a phrase keeps its own words
        [1, 0], [1, 0], [1, 0], [1, 0], [2, 0], [0, 0], [0, 0], [0, 0]]


def test_keywords_whose_case_folding_respells_them_match() -> None:
    """Texts are read case-folded ("Straße" -> "strasse"): a keyword so respelled still matches, in
    either spelling of the text, and so does a watch name read from the text as written."""
    matchers = keyword_matchers([("Straße", "İstanbul")])
    texts = ["Die Straße nach İstanbul", "Die STRASSE war gesperrt", "Strassenbahn"]
    assert keyword_hits(texts, matchers).tolist() == [[2], [1], [0]]
    assert matchers[0].matches("Die STRASSE war gesperrt") == {"Straße"}


def test_keywords_that_differ_only_in_case_are_one_keyword() -> None:
    """Two keywords lower the evidence floor; "AI" listed twice must not count as two."""
    matchers = keyword_matchers([("AI", "ai", "chips")])
    assert keyword_hits(["the AI boom", "AI chips"], matchers).tolist() == [[1], [2]]


def test_keyword_hits_count_what_the_watch_matcher_matches() -> None:
    """The fit's fast path (a word looked up among the text's words, phrases as substrings) counts
    exactly the keywords the watch matcher's word-boundary patterns find."""
    from monitor.config import Config
    from monitor.demo.corpus import build_corpus

    keywords = [*(s.keywords for s in Config(feeds=[{"name": "f", "url": "http://127.0.0.1:9/f"}]).topics),
                ("AI", "chip", "芯片", "Сбербанк", "5G")]
    texts = [f"{a.title}. {a.text}" for a in build_corpus(seed=7)[:120]]
    texts += ["Sanctioned firms; BANNED chipé", "over-licensed 2chips chips2 smuggled_goods", "breach—breached"]
    texts += ["AI-based chips", "said the chip_maker", "the ai chip", "芯片出口管制", "Сбербанком и 5G", "aid"]
    matchers = keyword_matchers(keywords)
    expected = [[len(m.matches(t.casefold())) for m in matchers] for t in texts]
    hits = keyword_hits(texts, matchers)
    assert hits.tolist() == expected
    assert hits[-6:, -1].tolist() == [2, 0, 2, 1, 2, 0]  # "chips" is a form of "chip"
    assert hits[-9:-6, 1].tolist() == [2, 1, 0]  # sanctioned and banned; licensed; "breach" is Cyber's


def test_no_seeds_means_no_evidence() -> None:
    assert seed_evidence(np.zeros((2, 0)), np.zeros((2, 0), np.int64), 0.3).tolist() == [-1, -1]


def test_a_cluster_takes_a_topic_only_when_most_members_are_its_evidence() -> None:
    clusters = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 3, 3, 3, 3])
    evidence = np.array([1, 1, 1, 0, -1, -1, -1, 0, 0, 0, 1, 0, -1, -1, -1])
    labels = label_clusters(clusters, evidence, n_seeds=2)
    assert labels[:4].tolist() == [1] * 4  # 3 of 4 are evidence for topic 1: all follow
    assert labels[4:9].tolist() == [2] * 5  # 2 of 5: not most of the cluster, a discovered topic
    assert labels[9:11].tolist() == [3] * 2  # a tie is no majority: discovered
    assert labels[11:].tolist() == [4] * 4  # 1 of 4 is no longer enough


def test_outliers_keep_their_own_evidence() -> None:
    labels = label_clusters(np.array([-1, -1, 0, 0]), np.array([1, -1, -1, -1]), n_seeds=2)
    assert labels.tolist() == [1, -1, 2, 2]


def test_outliers_are_labelled_by_the_evidence_that_stands_alone_and_clusters_by_all_of_it() -> None:
    clusters = np.array([-1, -1, 0, 0, 0])
    evidence = np.array([1, 0, 1, 1, -1])  # the first outlier has evidence alone, the second only with others
    alone = np.array([1, -1, -1, 1, -1])
    labels = label_clusters(clusters, evidence, n_seeds=2, alone=alone)
    assert labels.tolist() == [1, -1, 1, 1, 1]  # the cluster still counts two votes of three


def test_without_seeds_every_cluster_is_discovered() -> None:
    labels = label_clusters(np.array([5, 5, 9, -1]), np.array([-1, -1, -1, -1]), n_seeds=0)
    assert labels.tolist() == [0, 0, 1, -1]


def test_an_outlier_close_to_a_cluster_joins_it_and_a_far_or_evidenced_one_does_not() -> None:
    from monitor.topics.model import absorb_outliers

    rng = np.random.default_rng(7)
    a, b, far = np.eye(8)[0], np.eye(8)[1], np.eye(8)[2]
    members = np.vstack([a + 0.1 * rng.standard_normal(8) for _ in range(5)]
                        + [b + 0.1 * rng.standard_normal(8) for _ in range(5)])
    near_a = a + 0.05 * rng.standard_normal(8)
    features = np.vstack([members, near_a, far, near_a])
    clusters = np.array([0] * 5 + [1] * 5 + [-1, -1, -1])
    free = np.array([True] * 12 + [False])  # the last one carries analyst evidence: left to the labeller
    out = absorb_outliers(features, clusters, free)
    assert out[:10].tolist() == clusters[:10].tolist()
    assert out[10:].tolist() == [0, -1, -1]


def test_an_outlier_as_close_as_a_loose_clusters_own_members_joins_it_though_other_clusters_are_tight() -> None:
    """The fit's floor is the crawl's: a cluster's loosest member, whatever the other clusters' spread."""
    from monitor.topics.model import absorb_outliers

    rng = np.random.default_rng(3)
    tight, loose = np.eye(16)[0], np.eye(16)[1]
    members = np.vstack([tight + 0.02 * rng.standard_normal(16) for _ in range(200)]
                        + [loose + 0.6 * rng.standard_normal(16) for _ in range(6)])
    unit = members / np.linalg.norm(members, axis=1, keepdims=True)
    centroid = unit[200:].mean(axis=0) / np.linalg.norm(unit[200:].mean(axis=0))
    own = unit[200:] @ centroid
    between = (own.min() + 1.0) / 2  # closer than the loose cluster's loosest member
    side = np.eye(16)[5] - (np.eye(16)[5] @ centroid) * centroid
    outlier = between * centroid + np.sqrt(1 - between ** 2) * side / np.linalg.norm(side)
    features = np.vstack([members, outlier])
    clusters = np.array([0] * 200 + [1] * 6 + [-1])
    out = absorb_outliers(features, clusters, np.ones(207, bool))
    tight_own = unit[:200] @ (unit[:200].mean(axis=0) / np.linalg.norm(unit[:200].mean(axis=0)))
    assert between < np.percentile(np.concatenate([tight_own, own]), 5)  # a floor over all members refuses it
    assert out[-1] == 1


def test_a_cluster_plainly_about_a_topic_is_evidence_though_half_its_articles_are_weak() -> None:
    from monitor.topics.seeding import cluster_evidence

    rng = np.random.default_rng(5)
    dim = 64
    seeds = np.eye(dim)[:2]

    def members(n: int, towards: int, weight: float) -> np.ndarray:
        noise = rng.standard_normal((n, dim))
        noise[:, :2] = 0.0
        noise /= np.linalg.norm(noise, axis=1, keepdims=True)
        rows = weight * seeds[towards] + noise
        return rows / np.linalg.norm(rows, axis=1, keepdims=True)

    vectors = np.vstack([members(10, 1, 0.15), members(10, 1, 0.15), members(10, 0, 0.05), members(10, 0, 0.3)])
    clusters = np.repeat([0, 1, 2, 3], 10)
    hits = np.zeros((40, 2), np.int64)
    hits[:6, 1] = 1  # cluster 0: 6 of 10 name a keyword of topic 1
    hits[10:13, 1] = 1  # cluster 1: only 3 of 10 do
    hits[20:30, 0] = 1  # cluster 2 names topic 0's keywords but is not about it; cluster 3 names none
    single = (vectors @ seeds.T).max(axis=1)
    assert (single[:20] < 0.3).all()  # no single article of clusters 0 and 1 reaches the floor
    assert (single[30:] < 0.5).all()  # nor does one of cluster 3 reach the floor + 0.2 alone
    means = [vectors[clusters == c].mean(axis=0) for c in range(4)]
    alike = [float(m @ seeds[t] / np.linalg.norm(m)) for m, t in zip(means, (1, 1, 0, 0), strict=True)]
    assert 0.3 <= min(alike[:2]) and max(alike[:3]) < 0.5 <= alike[3]  # what each cluster as a whole reads as
    whole = cluster_evidence(vectors, clusters, seeds, hits, floor=0.3)
    assert whole == [1, None, None, 0]  # keywords carry a cluster near the floor; far above it, none are needed
    labels = label_clusters(clusters, np.full(40, -1), n_seeds=2, whole=whole)
    assert set(labels[:10]) == {1} and set(labels[30:]) == {0} and set(labels[10:30]) == {2, 3}


def test_an_article_that_does_not_support_its_clusters_analyst_topic_is_left_out() -> None:
    from monitor.topics.model import unsupported_out
    from monitor.topics.seeding import supports

    labels = np.array([0, 0, 0, 1, 2, -1])  # two analyst topics (0, 1); 2 is a discovered cluster
    similarity = np.array([[0.5, 0.0], [0.1, 0.0], [0.1, 0.0], [0.0, 0.25], [0.0, 0.0], [0.0, 0.0]])
    hits = np.array([[0, 0], [0, 0], [1, 0], [0, 0], [0, 0], [0, 0]])
    # row 1: neither a keyword nor near the topic; row 3: near enough (floor - 0.1); row 4 is not analyst
    assert unsupported_out(labels, supports(similarity, hits, floor=0.3)).tolist() == [0, -1, 0, 1, 2, -1]


def _hybrid_reference(cfg, embeddings, docs):
    """The hybrid representation as first written: every bag at once, float64 blocks stacked."""
    from scipy.sparse import csr_matrix

    from monitor.topics.embeddings import normalise
    from monitor.topics.features import DIM, TermStats, bags, matrix
    from monitor.topics.model import HYBRID, PROJECTED

    items = [bags("", d) for d in docs]
    stats = TermStats.empty()
    stats.add(items)
    blocks = [np.sqrt(HYBRID["dense"]) * embeddings]
    for kind in ("words", "names"):
        rng = np.random.default_rng(cfg.seed)
        hashing = csr_matrix((rng.choice([-1.0, 1.0], DIM), (np.arange(DIM), rng.integers(0, PROJECTED[kind], DIM))),
                             shape=(DIM, PROJECTED[kind]), dtype=np.float32)
        blocks.append(np.sqrt(HYBRID[kind]) * normalise((matrix(items, kind, stats) @ hashing).toarray()))
    return np.hstack(blocks).astype(np.float32)


def test_the_hybrid_representation_built_in_chunks_is_the_one_built_at_once(monkeypatch) -> None:
    from monitor.config import TopicModelConfig
    from monitor.demo.corpus import build_corpus
    from monitor.topics import model
    from monitor.topics.embeddings import normalise

    monkeypatch.setattr(model, "ROWS", 64)  # several chunks, the last one partial
    docs = [f"{a.title}. {a.text}" for a in build_corpus(seed=3)][:150] + ["", "no names at all"]
    embeddings = normalise(np.random.default_rng(1).standard_normal((len(docs), 16)).astype(np.float32))
    cfg = TopicModelConfig()
    built = model.representation(cfg, embeddings, docs)
    reference = _hybrid_reference(cfg, embeddings, docs)
    whole = built[np.arange(len(docs))]
    assert whole.dtype == np.float32 and len(built) == len(docs)
    assert np.array_equal(whole, reference)
    # rows are the same however they are asked for: kept (the clustered sample), by mask, in any order
    sample = np.array([3, 10, 70, 140, 151])
    assert np.array_equal(built.keep(sample), reference[sample])
    mask = np.zeros(len(docs), bool)
    mask[[0, 3, 64, 70, 150]] = True
    assert np.array_equal(built[mask], reference[mask])
    assert np.array_equal(built[np.array([151, 3, 5, 10])], reference[[151, 3, 5, 10]])


def test_counted_bags_give_the_same_idf_rows_and_statistics_as_the_bags() -> None:
    from monitor.demo.corpus import build_corpus
    from monitor.topics.features import TermStats, bags, counted, matrix

    docs = [a.text for a in build_corpus(seed=5)][:90]
    items = [bags("", d) for d in docs]
    stats = TermStats.empty()
    stats.add(items)
    kept = counted(docs, chunk=25)
    assert kept.stats.n_docs == stats.n_docs
    assert np.array_equal(kept.stats.words, stats.words) and np.array_equal(kept.stats.names, stats.names)
    for kind in ("words", "names"):
        whole = matrix(items, kind, stats)
        for rows in (slice(0, 40), slice(40, 90)):
            assert (kept.weighted(kind, rows) != whole[rows]).nnz == 0


def test_exact_neighbours_are_the_brute_force_ones_with_each_row_first() -> None:
    from monitor.topics.model import NEIGHBOUR_ROWS, exact_neighbours

    rng = np.random.default_rng(3)
    rows = rng.standard_normal((NEIGHBOUR_ROWS + 77, 12)).astype(np.float32)  # more than one block
    rows[9] = rows[4] * 2.0  # a duplicate direction: each must still list itself first
    indices, distances, _ = exact_neighbours(rows, 6)
    unit = rows / np.linalg.norm(rows, axis=1, keepdims=True)
    brute = 1.0 - unit @ unit.T
    assert (indices[:, 0] == np.arange(len(rows))).all() and np.allclose(distances[:, 0], 0.0)
    assert indices[4, 1] == 9 and indices[9, 1] == 4
    others = np.sort(brute + np.eye(len(rows)) * 9, axis=1)[:, :5]
    assert np.allclose(distances[:, 1:], others, atol=1e-5)
    assert (np.diff(distances, axis=1) >= -1e-6).all()


def test_umap_on_the_precomputed_neighbours_separates_what_umap_alone_separates() -> None:
    """Handed the exact neighbours (as fits above 4,096 rows are), UMAP + HDBSCAN find the same groups as
    when UMAP searches the neighbours itself."""
    import warnings

    from hdbscan import HDBSCAN

    from monitor.topics.evaluate import adjusted_rand
    from monitor.topics.model import exact_neighbours

    with warnings.catch_warnings():  # umap warns on import that an optional TensorFlow is missing
        warnings.simplefilter("ignore")
        from umap import UMAP
    rng = np.random.default_rng(5)
    centres = rng.standard_normal((5, 24))
    rows = np.vstack([c + 0.45 * rng.standard_normal((60, 24)) for c in centres]).astype(np.float32)
    truth = np.repeat(np.arange(5), 60).tolist()
    found = []
    for knn in ((None, None, None), exact_neighbours(rows, 15)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            layout = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=1, n_jobs=1,
                          precomputed_knn=knn).fit_transform(rows)
        found.append(HDBSCAN(min_cluster_size=10).fit_predict(layout).tolist())
    assert adjusted_rand(truth, found[0]) == adjusted_rand(truth, found[1]) == 1.0


def test_an_article_that_mentions_none_of_a_topics_required_terms_is_no_evidence_and_no_support() -> None:
    """"AI alliances" must mention AI: a strategic partnership of drug makers names its keywords and reads
    like it, yet is neither evidence for it nor supports it; a topic with no required term is unaffected."""
    from monitor.topics.seeding import gated, split_hits, supports, term_lists

    keywords, must = [("partnership", "strategic"), ("sanctions",)], [("AI", "artificial intelligence"), ()]
    texts = ["Drug makers form a strategic partnership", "A strategic AI partnership",
             "An artificial intelligence partnership under sanctions", "New sanctions on a bank"]
    named = keyword_hits(texts, keyword_matchers(term_lists(keywords, must)))
    hits, allowed = split_hits(named, must)
    assert allowed.tolist() == [[False, True], [True, True], [True, True], [False, True]]
    similarity = np.array([[0.6, 0.0], [0.6, 0.0], [0.35, 0.35], [0.0, 0.4]])
    similarity, hits = gated(similarity, hits, allowed)
    assert seed_evidence(similarity, hits, floor=0.3).tolist() == [-1, 0, 0, 1]
    assert seed_evidence(similarity, hits, floor=0.3, alone=True).tolist() == [-1, 0, 0, 1]
    assert supports(similarity, hits, floor=0.3).tolist() == [[False, False], [True, False], [True, True],
                                                              [False, True]]


def test_a_cluster_most_of_whose_members_mention_no_required_term_does_not_take_the_topic() -> None:
    """However plainly a cluster reads as a topic, it takes it only when most members may belong to it."""
    from monitor.topics.seeding import cluster_evidence

    seeds = np.eye(8)[:1]
    vectors = np.tile(np.eye(8)[0], (20, 1))  # both clusters exactly on the topic
    clusters = np.repeat([0, 1], 10)
    hits = np.ones((20, 1), np.int64)
    allowed = np.zeros((20, 1), bool)
    allowed[:6] = True  # cluster 0: 6 of 10 mention a required term; cluster 1: none
    assert cluster_evidence(vectors, clusters, seeds, hits, floor=0.3) == [0, 0]
    assert cluster_evidence(vectors, clusters, seeds, hits, floor=0.3, allowed=allowed) == [0, None]


def test_the_crawl_reads_required_terms_from_the_saved_model_and_old_models_require_none() -> None:
    from monitor.topics.model import SavedSeeds

    vectors = np.eye(4)[:2].astype(np.float32)
    texts = ["Drug makers form a strategic partnership", "A strategic AI partnership"]
    article = np.tile(vectors[0], (2, 1))  # both read exactly as topic 0
    keywords = (("partnership",), ("sanctions",))
    required = SavedSeeds((10, 11), vectors, keywords, 0.3, (("AI",), ()))
    assert required.supported(article, texts) == [set(), {10}]
    assert SavedSeeds((10, 11), vectors, keywords, 0.3).supported(article, texts) == [{10}, {10}]


def test_an_article_is_explained_by_the_rules_that_place_it() -> None:
    """`monitor topics explain`: each analyst topic's verdict is the one the fit's and the crawl's rules give."""
    from monitor.topics.seeding import read_article

    keywords = [("partnership", "strategic"), ("sanctions", "ban"), ("chip",), ("cyber",), ("summit",)]
    must = [("AI",), (), (), (), ()]
    text = "Drug makers form a strategic partnership; chips under a sanctions ban".casefold()
    readings = read_article(text, np.array([0.6, 0.22, 0.55, 0.25, 0.1]), keywords, must, floor=0.3)
    assert [r.keywords for r in readings] == [("partnership", "strategic"), ("ban", "sanctions"), ("chip",), (), ()]
    assert [r.required for r in readings] == [(), None, None, None, None]
    assert [r.verdict.split(":")[0] for r in readings] == [
        "out", "evidence among its cluster's votes (two keywords near the floor)", "evidence", "supports it", "out"]
    assert "requires" in readings[0].verdict and "not alike enough" in readings[4].verdict
