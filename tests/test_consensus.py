"""Consensus of clusterings: hand-made partitions with known majority answers."""

from __future__ import annotations

import numpy as np
import pytest

from fronts.consensus import (
    EVIDENCE_MAX_WORKS,
    coassociation,
    consensus_partition,
    evidence_partition,
    match_clusters,
)
from fronts.consensus import _clusters as clusters_of


def test_one_partition_comes_back_renumbered_without_small_clusters() -> None:
    labels = np.array([5, 5, 5, -1, 2, 2, 2, 9])
    assert consensus_partition([labels], min_size=2).tolist() == [0, 0, 0, -1, 1, 1, 1, -1]


def test_relabelled_copies_agree_with_the_original() -> None:
    a = np.array([0, 0, 0, 1, 1, 1, -1])
    b = np.array([7, 7, 7, 3, 3, 3, -1])  # the same clusters under other numbers
    c = np.array([1, 1, 1, 0, 0, 0, 0])  # and one fit that also takes the noise point
    assert consensus_partition([a, b, c], min_size=2).tolist() == [0, 0, 0, 1, 1, 1, -1]


def test_each_work_takes_the_cluster_most_fits_put_it_in() -> None:
    # Work 3 sits in the first cluster in two fits of three, in the second in one.
    a = np.array([0, 0, 0, 0, 1, 1, 1])
    b = np.array([0, 0, 0, 0, 1, 1, 1])
    c = np.array([0, 0, 0, 1, 1, 1, 1])
    assert consensus_partition([a, b, c], min_size=2).tolist() == [0, 0, 0, 0, 1, 1, 1]


def test_no_majority_means_noise() -> None:
    # Work 4 is in three different clusters in three fits: no cluster has more than half.
    a = np.array([0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2])
    b = np.array([0, 0, 0, 0, 1, 1, 1, 1, 1, 2, 2, 2, 2])
    c = np.array([0, 0, 0, 0, 2, 1, 1, 1, 1, 2, 2, 2, 2])
    labels = consensus_partition([a, b, c], min_size=2)
    assert labels[4] == -1
    assert labels.tolist() == [0, 0, 0, 0, -1, 1, 1, 1, 1, 2, 2, 2, 2]


def test_a_merge_made_by_a_minority_of_fits_does_not_chain_two_topics() -> None:
    # Fits a and b keep two topics apart; fit c merges them. Each half of c's merged cluster has
    # Jaccard 0.5 with it, so both could match it, but one fit's two clusters never join.
    a = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    b = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    c = np.array([0, 0, 0, 0, 0, 0, 0, 0])
    labels = consensus_partition([a, b, c], min_size=2)
    assert labels.tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def test_a_split_made_by_a_majority_wins() -> None:
    a = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    b = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    c = np.array([0, 0, 0, 0, 0, 0, 0, 0])
    merged = consensus_partition([c, c, a], min_size=2)
    assert merged.tolist() == [0] * 8
    assert consensus_partition([a, b, c], min_size=2).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]


def test_clusters_below_the_jaccard_threshold_are_not_matched() -> None:
    a = np.array([0, 0, 0, 0, -1, -1, -1, -1])
    b = np.array([-1, -1, 0, 0, 0, 0, -1, -1])  # overlaps a's cluster in 2 of 6: J = 1/3
    fit_of, index, sizes = clusters_of([a, b])
    assert match_clusters(fit_of, index, sizes, min_jaccard=0.5).tolist() == [0, 1]
    assert match_clusters(fit_of, index, sizes, min_jaccard=0.3).tolist() == [0, 0]


def test_small_consensus_clusters_dissolve_into_noise() -> None:
    a = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    labels = consensus_partition([a, a, a], min_size=3)
    assert labels.tolist() == [0, 0, 0, -1, -1, 1, 1, 1]


def test_same_input_same_output_and_bad_input_is_refused() -> None:
    rng = np.random.default_rng(0)
    parts = [rng.integers(-1, 4, size=200) for _ in range(5)]
    first = consensus_partition(parts, min_size=5)
    assert np.array_equal(first, consensus_partition(parts, min_size=5))
    assert consensus_partition([np.full(4, -1)] * 3, min_size=1).tolist() == [-1] * 4
    with pytest.raises(ValueError, match="partition 1"):
        consensus_partition([np.zeros(4), np.zeros(5)], min_size=1)
    with pytest.raises(ValueError, match="at least one"):
        consensus_partition([], min_size=1)


def _groups_cut_differently() -> list[np.ndarray]:
    """Three groups of six works, A B C, that no two fits cut alike: A|BC, AB|C, AC|B, A|B|C
    with noise. Every pair inside a group is together in at least three fits of four; pairs
    across groups in at most one."""
    a, b, c = [0] * 6, [1] * 6, [2] * 6
    return [
        np.array(a + [1] * 12),  # A | BC
        np.array([0] * 12 + [1] * 6),  # AB | C
        np.array(a + b + [0] * 6),  # AC | B
        np.array(a + b + c[:4] + [-1, -1]),  # A | B | C, two works of C in no cluster
    ]


def test_pairs_agree_where_the_fits_cut_the_groups_differently() -> None:
    fits = _groups_cut_differently()
    # matched by Jaccard, B's clusters (B, BC, AB) join A's or C's: the majority vote loses B
    assert (consensus_partition(fits, min_size=3)[6:12] == -1).all()
    labels = evidence_partition(fits, min_size=3)
    assert labels.tolist() == [0] * 6 + [1] * 6 + [2] * 6
    together = coassociation(fits)
    assert together[0, 5] == 1.0 and together[0, 6] == 0.25 and together[16, 17] == 0.75
    assert np.allclose(together, together.T)


def test_evidence_finds_no_groups_in_fits_that_agree_on_nothing() -> None:
    rng = np.random.default_rng(3)
    fits = [rng.integers(-1, 4, size=60) for _ in range(9)]
    assert (evidence_partition(fits, min_size=3) == -1).all()
    # the same fits in the same order: the same answer; small groups are noise
    fits = _groups_cut_differently()
    assert evidence_partition(fits, min_size=7).tolist() == [-1] * 18
    assert np.array_equal(evidence_partition(fits, 3), evidence_partition(fits, 3))


def test_evidence_is_not_tried_above_its_size_limit() -> None:
    big = [np.zeros(EVIDENCE_MAX_WORKS + 1, dtype=np.int64)] * 2
    assert (evidence_partition(big, min_size=2) == -1).all()
    assert evidence_partition([np.zeros(EVIDENCE_MAX_WORKS, dtype=np.int64)], 2).max() == 0
