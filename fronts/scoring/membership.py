"""How much of a front's likely membership sits outside its clustered core.

HDBSCAN leaves works in low-density regions as outliers (Campello, Moulavi & Sander 2013,
doi:10.1007/978-3-642-37456-2_14); the outlier policy then moves the most similar of them to
their nearest topic (assignment 'reassigned') and leaves the rest unassigned ('outlier'). A
front can thus be split: part of it clustered, part of it among outliers. A non-core work is
counted as a **likely member** of topic k when k is its nearest topic (cosine to the centroids
of the topics' core works, as in the outlier policy, `fronts.topics.reassign_outliers`) and its
similarity to k's centroid is at least the median similarity of k's own core works, that is, it
sits as close to the centre as a typical clustered member. Then

    n_outlier_members(k) = likely members of k among reassigned and unassigned works
    outlier_membership(k) = n_outlier_members(k) / (n_core(k) + n_outlier_members(k))

the share of the front's likely membership that the clustering did not put in its core. Without
embeddings, unassigned outliers cannot be placed; only reassigned works (whose nearest topic and
similarity doc_topics records) are counted.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fronts.vectors import centroids_of, unit_rows

_CHUNK = 8192  # rows of the work-to-centroid similarity computed at once (bounded memory)


@dataclass(frozen=True)
class Membership:
    """Per topic (K,), aligned with the work table's topic_ids."""

    n_core: np.ndarray
    median_core_similarity: np.ndarray  # NaN without core works
    n_outlier_members: np.ndarray
    outlier_membership: np.ndarray  # NaN when the topic has neither core nor likely members


def _nearest(
    unit: np.ndarray, centroids: np.ndarray, real: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Index (into topic_ids) and cosine of each work's nearest real-topic centroid."""
    n = unit.shape[0]
    nearest = np.zeros(n, dtype=np.int64)
    best = np.full(n, -np.inf)
    cols = np.flatnonzero(real)
    for start in range(0, n, _CHUNK):
        sims = unit[start : start + _CHUNK] @ centroids[cols].T
        arg = np.argmax(sims, axis=1)  # the first (smallest topic id) among equals
        nearest[start : start + _CHUNK] = cols[arg]
        best[start : start + _CHUNK] = sims[np.arange(sims.shape[0]), arg]
    return nearest, best


def outlier_membership(
    topic_idx: np.ndarray,
    topic_ids: np.ndarray,
    core: np.ndarray,
    similarity: np.ndarray,
    vectors: np.ndarray | None = None,
) -> Membership:
    """Likely members of each topic among the works outside its core (see the module doc).

    `topic_idx`, `core` and `similarity` are the work table's rows (similarity: cosine to the
    assigned topic's centroid, NaN when unknown); `vectors` (n, d) their embeddings, or None.
    """
    k = topic_ids.size
    real = topic_ids >= 0
    assigned = real[topic_idx]
    core = core & assigned
    if vectors is not None and np.any(core):
        unit = unit_rows(vectors)
        centroids = centroids_of(unit, np.where(core, topic_idx, -1), k)
        own = np.einsum("ij,ij->i", unit, centroids[topic_idx])
        has_core = np.linalg.norm(centroids, axis=1) > 0
        nearest, near_sim = _nearest(unit, centroids, real & has_core)
        core_sim = own
        candidate = ~core
    else:
        nearest, near_sim, core_sim = topic_idx, similarity, similarity
        candidate = ~core & assigned & np.isfinite(similarity)

    median = np.full(k, np.nan)
    for t in np.flatnonzero(real):
        values = core_sim[core & (topic_idx == t)]
        values = values[np.isfinite(values)]
        if values.size:
            median[t] = float(np.median(values))
    with np.errstate(invalid="ignore"):
        likely = candidate & (near_sim >= median[nearest])
    n_members = np.bincount(nearest[likely], minlength=k)
    n_core = np.bincount(topic_idx[core], minlength=k)
    total = n_core + n_members
    share = np.divide(n_members, total, out=np.full(k, np.nan), where=(total > 0) & real)
    n_members = np.where(real, n_members, 0)
    return Membership(
        n_core=n_core.astype(np.int64),
        median_core_similarity=median,
        n_outlier_members=n_members.astype(np.int64),
        outlier_membership=share,
    )
