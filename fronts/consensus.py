"""Consensus of several clusterings of the same works: keep what recurs, by majority vote.

One UMAP + HDBSCAN fit depends on its random seed: the layout moves, and HDBSCAN's choice of
clusters moves with it, so two seeds can give visibly different topics (BERTopic issues #47,
#1264). Fitting R times with independent seeds and keeping only what most of the fits agree on
gives topics that a different set of seeds reproduces (docs/methodology.md, "Consensus").

The combination is a cluster ensemble in the sense of Strehl & Ghosh (2002, JMLR 3:583-617),
by meta-clustering (their MCLA): clusters of different fits that hold mostly the same works are
matched into one *meta-cluster*, and each work joins the meta-cluster that a majority of the
fits put it in, which is the majority-vote reading of evidence accumulation (Fred & Jain 2005,
IEEE TPAMI 27(6):835-850). Clusters are matched by Jaccard similarity of their members, with
the threshold 0.5 below which Hennig (2007, Computational Statistics & Data Analysis
52(1):258-271) calls a cluster "dissolved" in another clustering.

Where fits agree on which works go together but cut them at different places, no cluster
matches and the vote keeps little; `evidence_partition` then asks the same majority of pairs of
works (Fred & Jain's co-association matrix, cut by average linkage). `fronts.topics` uses it
only to split a front above the size cap.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.sparse import coo_matrix

from fronts.schemas import OUTLIER

MIN_JACCARD = 0.5


def _clusters(partitions: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Every cluster of every fit as one column: (fit of each cluster, work-by-fit cluster index
    (n, R) with -1 for noise, cluster sizes)."""
    n = len(partitions[0])
    index = np.full((n, len(partitions)), OUTLIER, dtype=np.int64)
    fit_of: list[int] = []
    offset = 0
    for r, labels in enumerate(partitions):
        labels = np.asarray(labels, dtype=np.int64)
        if labels.shape != (n,):
            raise ValueError(f"partition {r} has {labels.shape} labels, expected ({n},)")
        ids, dense = np.unique(labels, return_inverse=True)
        real = ids >= 0
        code = np.where(real, np.cumsum(real) - 1 + offset, OUTLIER)
        index[:, r] = code[dense]
        fit_of += [r] * int(real.sum())
        offset += int(real.sum())
    sizes = np.bincount(index[index >= 0], minlength=offset)
    return np.asarray(fit_of, dtype=np.int64), index, sizes


def _membership(index: np.ndarray, n_clusters: int):
    """Works x clusters 0/1 matrix (sparse): which cluster of each fit holds each work."""
    rows, fits = np.nonzero(index >= 0)
    return coo_matrix(
        (np.ones(rows.size), (rows, index[rows, fits])), shape=(index.shape[0], n_clusters)
    ).tocsr()


def _overlaps(index: np.ndarray, n_clusters: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(a, b, shared works) for every pair of clusters a < b of different fits that overlap."""
    member = _membership(index, n_clusters)
    shared = (member.T @ member).tocoo()
    keep = shared.row < shared.col
    return shared.row[keep], shared.col[keep], shared.data[keep].astype(np.int64)


def match_clusters(
    fit_of: np.ndarray,
    index: np.ndarray,
    sizes: np.ndarray,
    min_jaccard: float = MIN_JACCARD,
) -> np.ndarray:
    """Meta-cluster of every cluster: clusters of different fits joined when they match.

    Pairs are joined in order of decreasing Jaccard similarity (ties: smaller cluster indices
    first) while it is at least `min_jaccard`, and never when the two groups already hold a
    cluster of the same fit: one fit's two clusters stay apart even when a third fit merged
    them, so a merge that only a minority of fits made cannot chain two topics together.
    """
    a, b, shared = _overlaps(index, sizes.size)
    jaccard = shared / (sizes[a] + sizes[b] - shared)
    ok = (jaccard >= min_jaccard) & (fit_of[a] != fit_of[b])
    a, b, jaccard = a[ok], b[ok], jaccard[ok]
    parent = np.arange(sizes.size)
    fits = [{int(f)} for f in fit_of]

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = int(parent[x])
        return x

    for i in np.lexsort((b, a, -jaccard)):
        ra, rb = root(int(a[i])), root(int(b[i]))
        if ra == rb or fits[ra] & fits[rb]:
            continue
        small, large = sorted((ra, rb))
        parent[large] = small
        fits[small] |= fits[large]
    return np.array([root(c) for c in range(sizes.size)], dtype=np.int64)


def consensus_partition(
    partitions: Sequence[np.ndarray], min_size: int, min_jaccard: float = MIN_JACCARD
) -> np.ndarray:
    """One partition from several of the same works: each work's majority meta-cluster.

    `partitions` are label arrays (cluster ids >= 0, -1 = noise) of the same works in the same
    order. Clusters are matched across fits (`match_clusters`); a work takes the meta-cluster
    that more than half of the fits placed it in, else it is noise; a meta-cluster that keeps
    fewer than `min_size` works is dissolved into noise. Labels are 0..K-1 in order of each
    meta-cluster's first work; the same partitions in the same order give the same result. With
    one partition, its clusters of at least `min_size` works come back unchanged (renumbered).
    """
    if not partitions:
        raise ValueError("consensus_partition needs at least one partition")
    fit_of, index, sizes = _clusters(partitions)
    n, n_fits = index.shape
    if sizes.size == 0:
        return np.full(n, OUTLIER, dtype=np.int64)
    meta_of = match_clusters(fit_of, index, sizes, min_jaccard)
    meta = np.where(index >= 0, meta_of[np.maximum(index, 0)], OUTLIER)
    # Votes for each fit's meta-cluster of a work: how many fits agree with it. With more than
    # half of the fits needed, at most one meta-cluster can win.
    votes = np.zeros((n, n_fits), dtype=np.int64)
    for r in range(n_fits):
        votes[:, r] = (meta == meta[:, [r]]).sum(axis=1)
    best = np.argmax(np.where(meta >= 0, votes, 0), axis=1)
    winner = meta[np.arange(n), best]
    won = (winner >= 0) & (2 * votes[np.arange(n), best] > n_fits)
    labels = np.where(won, winner, OUTLIER)
    kept, first, counts = np.unique(labels[won], return_index=True, return_counts=True)
    big = counts >= min_size
    order = np.argsort(np.flatnonzero(won)[first[big]], kind="stable")
    mapping = dict(zip(kept[big][order].tolist(), range(int(big.sum())), strict=True))
    return np.array([mapping.get(int(x), OUTLIER) for x in labels], dtype=np.int64)


# Evidence accumulation builds a works x works matrix: above this many works it is not tried
# (4,096 works: a 128 MB co-association matrix and a 67 MB condensed distance vector).
EVIDENCE_MAX_WORKS = 4096


def coassociation(partitions: Sequence[np.ndarray]) -> np.ndarray:
    """Share of the fits that put each pair of works in the same cluster (noise: in none)."""
    _, index, sizes = _clusters(partitions)
    member = _membership(index, sizes.size)
    together = (member @ member.T).toarray()
    return together / len(partitions)


def evidence_partition(partitions: Sequence[np.ndarray], min_size: int) -> np.ndarray:
    """One partition by evidence accumulation (Fred & Jain 2005): works that the fits put
    together, whatever the clusters' boundaries.

    Where fits cut the same works at different places (one splits A from BC, another AB from
    C), their clusters match no cluster of the other fits and the majority vote of
    `consensus_partition` finds nothing; the pairs still agree. The co-association matrix
    (`coassociation`) is clustered by average linkage and cut where the works of two groups
    are on average together in fewer than half of the fits: the same majority, asked of pairs.
    Groups of fewer than `min_size` works are noise; labels are 0..K-1 in order of each
    group's first work. Above EVIDENCE_MAX_WORKS works, every work is noise (not tried).
    """
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    n = len(partitions[0])
    if n < 2 or n > EVIDENCE_MAX_WORKS:
        return np.full(n, OUTLIER, dtype=np.int64)
    distance = 1.0 - coassociation(partitions)
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="average")
    groups = fcluster(tree, t=0.5, criterion="distance")
    ids, first, counts = np.unique(groups, return_index=True, return_counts=True)
    big = counts >= min_size
    order = ids[big][np.argsort(first[big], kind="stable")]
    mapping = np.full(int(ids.max()) + 1, OUTLIER, dtype=np.int64)
    mapping[order] = np.arange(order.size)
    return mapping[groups]
