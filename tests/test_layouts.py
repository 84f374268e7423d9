"""The clustering's geometry: seeds of the consensus fits, neighbour graphs, the size cap, and
layouts that are the same in worker processes as in this one."""

from __future__ import annotations

import numpy as np
import pytest

import fronts.layouts
from fronts.config import TopicsConfig
from fronts.errors import FrontsError
from fronts.layouts import exact_knn, fit_seeds, resolve_max_cluster_size


def test_consensus_fits_get_independent_seeds() -> None:
    assert fit_seeds(42, 5) == fit_seeds(42, 5) and len(set(fit_seeds(42, 5))) == 5
    # Two run seeds share no fit: comparing them compares two independent consensuses.
    assert not set(fit_seeds(42, 5)) & set(fit_seeds(43, 5))
    assert fit_seeds(42, 3) == fit_seeds(42, 5)[:3]


def test_exact_neighbours_are_the_cosine_nearest_self_first() -> None:
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(60, 8))
    indices, dists, index = exact_knn(vectors, 5, "cosine")
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    brute = np.argsort(1 - unit @ unit.T, axis=1)[:, :5]
    assert (indices[:, 0] == np.arange(60)).all() and np.allclose(dists[:, 0], 0, atol=1e-6)
    assert (np.sort(indices, axis=1) == np.sort(brute, axis=1)).all()
    assert (np.diff(dists, axis=1) >= 0).all() and index is None
    with pytest.raises(FrontsError, match="only 'cosine'"):
        exact_knn(vectors, 5, "euclidean")


def test_size_cap_is_a_share_of_the_works_never_below_two_minimum_topics() -> None:
    config = TopicsConfig()
    assert resolve_max_cluster_size(20_000, 100, config) == 2_000
    assert resolve_max_cluster_size(400, 10, config) == 40
    assert resolve_max_cluster_size(100, 10, config) == 20
    assert (
        resolve_max_cluster_size(5_000, 50, TopicsConfig(hdbscan={"max_cluster_share": None})) == 0
    )


def test_layouts_in_worker_processes_equal_those_in_this_one() -> None:
    rng = np.random.default_rng(3)
    centres = rng.normal(size=(3, 16))
    vectors = np.repeat(centres, 40, axis=0) + 0.2 * rng.normal(size=(120, 16))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    knn = fronts.layouts.exact_knn(vectors, 15, "cosine")
    tasks = [(1, 10), (2, 10), (5, None)]
    for array in knn[:2]:  # as a worker's memory-mapped graph: umap must not write into it
        array.flags.writeable = False
    here = fronts.layouts.run_layouts(vectors, knn, TopicsConfig(jobs=1), tasks)
    there = fronts.layouts.run_layouts(vectors, knn, TopicsConfig(jobs=2), tasks)
    assert len(here) == 3 and here[2].shape == (120, 2)
    assert all(np.array_equal(a, b) for a, b in zip(here, there, strict=True))
    assert len(np.unique(here[0][here[0] >= 0])) == 3  # the three groups, found


def test_consensus_fits_scale_down_with_the_corpus() -> None:
    config = TopicsConfig()
    runs = [fronts.layouts.resolve_consensus_runs(n, config) for n in (280, 1000, 2000, 60_000)]
    assert runs == [25, 10, 5, 5]
    assert fronts.layouts.resolve_consensus_runs(280, TopicsConfig(consensus={"runs": 3})) == 3


def _layout_workers() -> set[int]:
    """Process ids of this process's loky workers (not its resource trackers), from /proc."""
    import os

    kids: set[int] = set()
    for task in os.listdir(f"/proc/{os.getpid()}/task"):
        with open(f"/proc/{os.getpid()}/task/{task}/children") as fh:
            kids.update(int(k) for k in fh.read().split())
    workers = set()
    for pid in kids:
        try:
            with open(f"/proc/{pid}/cmdline") as fh:
                if "LokyProcess" in fh.read():
                    workers.add(pid)
        except OSError:  # ended meanwhile
            pass
    return workers


def test_released_workers_are_gone_and_later_layouts_start_new_ones() -> None:
    import os

    rng = np.random.default_rng(4)
    vectors = rng.normal(size=(80, 8)).astype(np.float32)
    knn = fronts.layouts.exact_knn(vectors, 10, "cosine")
    tasks = [(1, 8), (2, 8)]
    first = fronts.layouts.run_layouts(vectors, knn, TopicsConfig(jobs=2), tasks)
    workers = _layout_workers()
    assert workers, "the layouts ran in no worker process"
    fronts.layouts.release_workers()
    assert not _layout_workers()
    assert not [pid for pid in workers if os.path.exists(f"/proc/{pid}")]
    again = fronts.layouts.run_layouts(vectors, knn, TopicsConfig(jobs=2), tasks)
    assert all(np.array_equal(a, b) for a, b in zip(first, again, strict=True))
