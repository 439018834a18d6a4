"""B-cubed and adjusted Rand index, checked by hand and against scikit-learn's independent ARI."""

from __future__ import annotations

import random

import pytest
from sklearn.metrics import adjusted_rand_score

from monitor.topics.evaluate import adjusted_rand, bcubed, purity


def test_bcubed_by_hand() -> None:
    score = bcubed(["a", "a", "b", "b"], [1, 1, 1, 2])
    assert score.precision == pytest.approx((2 / 3 + 2 / 3 + 1 / 3 + 1) / 4)
    assert score.recall == pytest.approx(3 / 4)
    assert score.f1 == pytest.approx(2 * score.precision * score.recall / (score.precision + score.recall))


def test_bcubed_perfect_and_none_as_singletons() -> None:
    assert bcubed(["x", "x", None], [4, 4, 5]).f1 == 1.0
    lumped = bcubed([None, None, None], [1, 1, 1])
    assert lumped.recall == 1.0 and lumped.precision == pytest.approx(1 / 3)


def test_adjusted_rand_matches_sklearn_on_random_partitions() -> None:
    rng = random.Random(3)
    for _ in range(25):
        n = rng.randint(2, 60)
        truth = [rng.randint(0, 5) for _ in range(n)]
        predicted = [rng.randint(0, 7) for _ in range(n)]
        assert adjusted_rand(truth, predicted) == pytest.approx(adjusted_rand_score(truth, predicted))


def test_adjusted_rand_identical_and_singletons() -> None:
    assert adjusted_rand([1, 1, 2, 2], ["x", "x", "y", "y"]) == pytest.approx(1.0)
    assert adjusted_rand([None, None, 1, 1], [7, 8, 9, 9]) == pytest.approx(1.0)


def test_purity() -> None:
    assert purity(["a", "a", "b", "b"], [1, 1, 1, 2]) == pytest.approx(3 / 4)


def test_length_mismatch_is_an_error() -> None:
    with pytest.raises(ValueError):
        bcubed([1], [1, 2])
    with pytest.raises(ValueError):
        adjusted_rand([1], [])
