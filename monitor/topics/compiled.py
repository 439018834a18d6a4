"""UMAP's numba functions kept in numba's cache, so that a fit does not compile them again.

UMAP declares three of the functions every fit runs without numba's ``cache`` option: the k smallest
distances per row (``fast_knn_indices``, which it runs below 4,096 rows), each point's neighbourhood scale
(``smooth_knn_dist``) and the graph's edge weights (``compute_membership_strengths``). Numba compiled them in
every process that fitted, with a warm cache too: about 10 s of a fit of a few hundred articles; above 4,096
rows the fit finds the neighbours itself, and 1.6 s of a fit of 10,000 news-length articles was left
(``bench/refit_warm.py``). ``keep_compiled`` rebinds each, where UMAP looks it up, to a copy of the same Python
function under the same numba options with the cache on: the same code, compiled once per machine into the
cache folder ``model.numba_cache`` names. A release of UMAP whose functions differ is left as it is.
"""

from __future__ import annotations

import importlib
import logging
from typing import Any

log = logging.getLogger(__name__)

# (module where UMAP defines the function, modules that look it up by name)
FUNCTIONS = {
    "fast_knn_indices": ("umap.utils", ("umap.utils", "umap.umap_")),
    "smooth_knn_dist": ("umap.umap_", ("umap.umap_",)),
    "compute_membership_strengths": ("umap.umap_", ("umap.umap_",)),
}
_kept: dict[str, Any] = {}


def keep_compiled() -> None:
    """Give UMAP cached copies of the functions in ``FUNCTIONS`` (once per process: a daemon's later fits
    reuse what its first compiled or read)."""
    for name, (home, users) in FUNCTIONS.items():
        if name in _kept:
            continue
        try:
            cached = _cached(getattr(importlib.import_module(home), name))
        except Exception as exc:  # noqa: BLE001 - a release without the function, or no folder to cache in
            log.debug("UMAP's %s is compiled as UMAP declares it (%s)", name, exc)
            cached = None
        _kept[name] = cached
        if cached is not None:
            for user in users:
                setattr(importlib.import_module(user), name, cached)


def _cached(dispatcher: Any) -> Any:
    """The same function under the same numba options, with numba's cache on."""
    import numba

    options = {key: value for key, value in dispatcher.targetoptions.items() if key != "nopython"}
    return numba.njit(cache=True, locals=dict(dispatcher.locals), **options)(dispatcher.py_func)
