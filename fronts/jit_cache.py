"""Keep umap's and pynndescent's numba-compiled code on disk, so a new process does not compile it.

umap and pynndescent compile their numba functions on first use in every process; most are not
declared `cache=True`, so numba's on-disk cache never sees them. In a fresh process that cost
about 45 s before the first UMAP layout of 5,000 works (docs/benchmarks.md, *Topics stage*).
`enable_jit_cache` turns numba's cache on for every compiled function of those modules before
they are first called. numba keys each cached entry by the function's source file, its
signature and the CPU, and stores it beside the module (or in its user-wide cache folder when
that is read-only, or in NUMBA_CACHE_DIR when set). The code is the same code, so results do
not change; functions that take other compiled functions as arguments (pynndescent's search)
cannot be cached and still compile once per process.
"""

from __future__ import annotations

import importlib
import warnings

_MODULES = (
    "umap.umap_",
    "umap.layouts",
    "umap.distances",
    "umap.sparse",
    "umap.utils",
    "umap.spectral",
    "pynndescent.pynndescent_",
    "pynndescent.utils",
    "pynndescent.distances",
    "pynndescent.sparse",
    "pynndescent.rp_trees",
    "pynndescent.graph_utils",
)


def enable_jit_cache() -> int:
    """Turn numba's disk cache on for umap's and pynndescent's functions; returns how many.

    Idempotent and cheap after the first call in a process (those functions already cache).
    """
    from numba.core.caching import NullCache
    from numba.core.registry import CPUDispatcher

    enabled = 0
    for name in _MODULES:
        try:
            module = importlib.import_module(name)
        except ImportError:  # a module a future release drops: nothing to cache there
            continue
        for value in vars(module).values():
            if isinstance(value, CPUDispatcher) and isinstance(value._cache, NullCache):
                value.enable_caching()
                enabled += 1
    # Functions numba cannot cache (dynamic globals) say so once each at save time: harmless.
    warnings.filterwarnings("ignore", message=r".*Cannot cache compiled function")
    return enabled
