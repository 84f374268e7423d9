"""Flat clusters from HDBSCAN's condensed tree, with and without the size cap."""

from __future__ import annotations

import numpy as np
import pytest
from hdbscan import HDBSCAN

from fronts.cluster_selection import select_clusters


def _blobs(rng: np.random.Generator, centres: list[float], sizes: list[int], spread: float):
    return np.vstack(
        [rng.normal(c, spread, size=(s, 3)) for c, s in zip(centres, sizes, strict=True)]
    )


@pytest.mark.parametrize("seed", range(8))
def test_without_a_cap_it_is_hdbscans_own_excess_of_mass(seed: int) -> None:
    rng = np.random.default_rng(seed)
    k = int(rng.integers(2, 7))
    centres = rng.uniform(-30, 30, k).tolist()
    sizes = rng.integers(20, 150, k).tolist()
    points = _blobs(rng, centres, sizes, float(rng.uniform(0.5, 3)))
    model = HDBSCAN(min_cluster_size=10).fit(points)
    assert np.array_equal(select_clusters(model.condensed_tree_.to_numpy()), model.labels_)


def test_an_over_size_cluster_splits_into_its_sub_clusters() -> None:
    rng = np.random.default_rng(1)
    # Two tight sub-blobs close together (one field, two topics) and a separate small blob.
    points = _blobs(rng, [0.0, 1.5, 60.0], [150, 150, 60], 0.4)
    tree = HDBSCAN(min_cluster_size=20).fit(points).condensed_tree_.to_numpy()
    uncapped = select_clusters(tree)
    assert uncapped.max() + 1 == 2  # the field and the small blob
    capped = select_clusters(tree, max_cluster_size=200)
    assert capped.max() + 1 == 3
    for part in (slice(0, 150), slice(150, 300), slice(300, 360)):
        labels = capped[part]
        assert (labels == np.bincount(labels[labels >= 0]).argmax()).mean() > 0.9


def test_an_over_size_cluster_without_sub_clusters_is_kept_whole() -> None:
    rng = np.random.default_rng(2)
    points = _blobs(rng, [0.0, 40.0], [300, 60], 1.0)
    model = HDBSCAN(min_cluster_size=20).fit(points)
    tree = model.condensed_tree_.to_numpy()
    capped = select_clusters(tree, max_cluster_size=100)
    assert capped.max() + 1 == 2 and (capped[:300] >= 0).mean() > 0.9
    # hdbscan's own max_cluster_size would drop the big blob into noise instead.
    theirs = HDBSCAN(min_cluster_size=20, max_cluster_size=100).fit(points).labels_
    assert (theirs[:300] < 0).mean() > 0.9


def test_degenerate_trees() -> None:
    empty = np.zeros(
        0, dtype=[("parent", int), ("child", int), ("lambda_val", float), ("child_size", int)]
    )
    assert select_clusters(empty).size == 0
    one_blob = HDBSCAN(min_cluster_size=30).fit(np.random.default_rng(3).normal(size=(40, 2)))
    labels = select_clusters(one_blob.condensed_tree_.to_numpy(), max_cluster_size=10)
    assert (labels == one_blob.labels_).all()
