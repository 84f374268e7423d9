"""Broad fronts: a front above the size cap is split along its sub-topics where it has them.

`hdbscan.max_cluster_share` caps a front's share of the works, but the outlier policy can pour
the works HDBSCAN left in no cluster into a front past the cap (in a small corpus, most works).
`split_broad` clusters such a front's works again on their own and splits it where that
clustering finds sub-topics; a front it cannot split keeps its works and says why
(`broad_reason`). docs/methodology.md, *Grain*, gives the measurements behind each rule.
"""

from __future__ import annotations

import numpy as np

from fronts.config import TopicsConfig
from fronts.consensus import evidence_partition
from fronts.layouts import ConsensusClusterer, resolve_min_cluster_size
from fronts.schemas import OUTLIER
from fronts.vectors import centroids_of, unit_rows


def broad_reason(size: int, n_works: int, cap_share: float | None, mcs: int) -> str | None:
    """Why a topic is broad: it holds more than `cap_share` of the works although the size cap
    splits every cluster whose structure allows it, so none does at min_cluster_size `mcs`.
    None for a topic within the cap (or when there is no cap)."""
    if cap_share is None or n_works == 0 or size / n_works <= cap_share:
        return None
    return (
        f"holds {size / n_works:.0%} of the works, above topics.hdbscan.max_cluster_share = "
        f"{cap_share:.0%}: the clustering found no sub-topics of {mcs} or more works to split it "
        "into; read it as a theme of the field that holds several fronts"
    )


# A broad front is split along sub-topics whose cores hold at least this share of its works;
# the rest join the nearest sub-topic, as the outlier policy joined them to the broad front.
MIN_CORE_COVERAGE = 0.2


def split_broad(
    vectors: np.ndarray,
    labels: np.ndarray,
    core: np.ndarray,
    config: TopicsConfig,
    seed: int,
    min_cluster_size: int,
    cap: int,
    depth: int = 2,
) -> tuple[np.ndarray, np.ndarray]:
    """Every topic above `cap` works split into its sub-topics where it has them.

    `core` marks the works a clustering placed in their topic (the others were assigned to it
    by the outlier policy). A broad topic's works are clustered again on their own: a fresh
    consensus of UMAP layouts of just these works (structure that the layout of the whole
    corpus flattens shows there), with HDBSCAN's excess-of-mass selection, else leaf selection,
    else the evidence accumulation of the fits (`_sub_topics`).
    The split is kept when it finds two or more sub-topics of at least `min_cluster_size` works
    that hold at least MIN_CORE_COVERAGE of the topic. Their members are core works of the
    sub-topics: the clustering of the topic placed them there, as the clustering of the corpus
    placed the topic's core. The topic's other works join their nearest sub-topic (cosine to
    its centroid), as the outlier policy joined most of them to the broad topic, and keep
    their status. A part still above `cap` is split again, `depth` levels at most. Topics that
    cannot be split keep their label (`broad_reason`).

    Returns (labels, core), the same works with the split topics' new labels and cores.
    """
    out, out_core = labels.copy(), core.copy()
    unit = unit_rows(vectors)
    for topic in np.unique(labels[labels >= 0]).tolist():
        members = np.flatnonzero(labels == topic)
        if members.size <= cap or depth == 0:
            continue
        # the size rule applied to the topic's own works: sub-topics of a topic are smaller
        sub_size = min(min_cluster_size, resolve_min_cluster_size(members.size, _auto(config)))
        parts = _sub_topics(vectors[members], config, seed, sub_size)
        if parts is None:
            continue
        part_core = core[members] | (parts >= 0)
        parts = _join_nearest(unit[members], parts)
        if depth > 1:
            parts, part_core = split_broad(
                vectors[members], parts, part_core, config, seed, min_cluster_size, cap, depth - 1
            )
        ids = np.unique(parts)
        new = np.concatenate([[topic], out.max() + 1 + np.arange(ids.size - 1)])
        out[members] = new[np.searchsorted(ids, parts)]
        out_core[members] = part_core
    return out, out_core


def _auto(config: TopicsConfig) -> TopicsConfig:
    """`config` with the automatic min_cluster_size."""
    hdbscan = config.hdbscan.model_copy(update={"min_cluster_size": None})
    return config.model_copy(update={"hdbscan": hdbscan})


def _sub_topics(
    vectors: np.ndarray, config: TopicsConfig, seed: int, min_cluster_size: int
) -> np.ndarray | None:
    """Sub-topic labels of one topic's works (-1 = in none), or None when it has none.

    The consensus of the topic's own fits with excess-of-mass selection, else with leaf
    selection; where neither majority vote keeps sub-topics, the evidence accumulation of the
    excess-of-mass fits (`evidence_partition`): fits that agree on which works go together
    but cut them at different places (measured: a 94-work front whose 25 fits found 2 to 5
    clusters each) still show the sub-topics they share.
    """
    if vectors.shape[0] < max(3 * min_cluster_size, config.umap.n_neighbors + 1):
        return None
    eom_fits: list[np.ndarray] = []
    for method in ("eom", "leaf"):
        hdbscan = config.hdbscan.model_copy(
            update={"cluster_selection_method": method, "max_cluster_share": None}
        )
        sub_config = config.model_copy(update={"hdbscan": hdbscan})
        clusterer = ConsensusClusterer(sub_config, seed, min_cluster_size).fit(vectors)
        eom_fits = eom_fits or clusterer.partitions_
        parts = _enough_sub_topics(clusterer.labels_, min_cluster_size)
        if parts is not None:
            return parts
    return _enough_sub_topics(evidence_partition(eom_fits, min_cluster_size), min_cluster_size)


def _enough_sub_topics(labels: np.ndarray, min_cluster_size: int) -> np.ndarray | None:
    """`labels` less clusters under `min_cluster_size`, if two or more clusters remain that
    hold at least MIN_CORE_COVERAGE of the works; else None."""
    found, sizes = np.unique(labels[labels >= 0], return_counts=True)
    big = np.isin(labels, found[sizes >= min_cluster_size])
    if (sizes >= min_cluster_size).sum() >= 2 and big.mean() >= MIN_CORE_COVERAGE:
        return np.where(big, labels, OUTLIER)
    return None


def _join_nearest(unit: np.ndarray, parts: np.ndarray) -> np.ndarray:
    """Every work of `parts` in a part: those in none join the part with the nearest centroid."""
    ids = np.unique(parts[parts >= 0])
    dense = np.where(parts >= 0, np.searchsorted(ids, np.maximum(parts, 0)), OUTLIER)
    centroids = centroids_of(unit, dense, ids.size)
    nearest = np.argmax(unit @ centroids.T, axis=1)
    return np.where(dense >= 0, dense, nearest)
