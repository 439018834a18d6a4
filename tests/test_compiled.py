"""UMAP's numba functions kept in numba's cache: the same layout, compiled once into the cache folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest

# a UMAP layout of 200 seeded rows in a fresh process, NUMBA_CACHE_DIR set before numba is imported; with
# KEEP, UMAP's functions rebound first (as the fit does); the layout and what the process compiled are printed
LAYOUT = """
import json, os, sys
import numpy as np
from numba.core import dispatcher
compiled = []
real = dispatcher._FunctionCompiler._compile_core
def counted(self, args, return_type):
    compiled.append(self.py_func.__name__)
    return real(self, args, return_type)
dispatcher._FunctionCompiler._compile_core = counted
from umap import UMAP
if os.environ.get("KEEP"):
    from monitor.topics.compiled import keep_compiled
    keep_compiled()
rows = np.random.default_rng(7).normal(size=(200, 24)).astype(np.float32)
layout = UMAP(n_neighbors=15, n_components=5, min_dist=0.0, metric="cosine", random_state=42, low_memory=True,
              n_jobs=1).fit_transform(rows)
print(json.dumps({"layout": layout.tolist(), "compiled": compiled}))
"""
KEPT = {"fast_knn_indices", "smooth_knn_dist", "compute_membership_strengths"}


def _layout(cache: Path, keep: bool) -> tuple[np.ndarray, set[str]]:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(cache), "KEEP": "1" if keep else ""}
    out = subprocess.run([sys.executable, "-c", LAYOUT], env=env, capture_output=True, text=True, check=True,
                         timeout=300).stdout
    found = json.loads(out.strip().splitlines()[-1])
    return np.array(found["layout"]), set(found["compiled"])


@pytest.mark.slow
def test_umap_functions_are_compiled_once_into_the_cache_and_give_the_same_layout(tmp_path: Path) -> None:
    plain, compiled_plain = _layout(tmp_path / "plain", keep=False)
    again, compiled_again = _layout(tmp_path / "plain", keep=False)
    assert KEPT <= compiled_plain and KEPT <= compiled_again  # as UMAP declares them: compiled in every process

    first, compiled_first = _layout(tmp_path / "kept", keep=True)
    second, compiled_second = _layout(tmp_path / "kept", keep=True)
    assert KEPT <= compiled_first  # compiled once, into the cache folder ...
    assert not KEPT & compiled_second  # ... and read from it by the next process
    assert {p.name.split(".")[1].split("-")[0] for p in (tmp_path / "kept").rglob("*.nbi")} >= KEPT
    np.testing.assert_array_equal(first, plain)  # the same code: the same layout, to the last bit
    np.testing.assert_array_equal(second, plain)


def test_keeping_the_functions_twice_rebinds_them_once() -> None:
    with warnings.catch_warnings():  # UMAP says on import that TensorFlow, which it does not need here, is missing
        warnings.simplefilter("ignore", ImportWarning)
        import umap.umap_
        import umap.utils

    from monitor.topics.compiled import keep_compiled

    keep_compiled()
    bound = {name: getattr(umap.umap_, name) for name in KEPT}
    keep_compiled()
    assert {name: getattr(umap.umap_, name) for name in KEPT} == bound
    assert umap.utils.fast_knn_indices is umap.umap_.fast_knn_indices
    assert all(getattr(f, "_cache").__class__.__name__ != "NullCache" for f in bound.values())
