"""Stability of the planted benchmark's refits: do fits on other seeds or samples agree?

Partitions are compared by mean pairwise ARI on the works both fits hold (Hubert & Arabie
1985), also on the works both fits placed in a cluster; top-k rankings by Kendall's tau-b with
absentees at k + 1 (Fagin, Kumar & Sivakumar 2003). A fixed-k k-means of the same works is the
yardstick of how stable a partition of these vectors can be. Used by
`fronts.evaluation.harness`; protocol in docs/benchmarks.md.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence

import numpy as np

from fronts.evaluation.metrics import kendall_tau_top_k, partition_stability

K = 10


def mean_pairwise_tau(rankings: Sequence[Sequence], k: int = K) -> float:
    """Mean Kendall tau-b of the top-k over every pair of rankings; pairs with < 2 items skip."""
    taus = [kendall_tau_top_k(a, b, k) for a, b in itertools.combinations(rankings, 2)]
    taus = [t for t in taus if not math.isnan(t)]
    return float(np.mean(taus)) if taus else math.nan


def kmeans_partition(work_ids: Sequence[str], vectors: np.ndarray, n_clusters: int, seed: int):
    """{work id: cluster} by k-means on the unit vectors, `n_clusters` clusters (the yardstick).

    The stability of a partition is the data's as much as the method's: a fixed-k k-means
    (Lloyd, 10 restarts, seeded) of the same works, with as many clusters as the fit found,
    says how stable a partition of these vectors at that grain can be with a method that is
    stable by construction. It is a yardstick beside the fits, not part of the pipeline.
    """
    from sklearn.cluster import KMeans

    from fronts.vectors import unit_rows

    unit = unit_rows(np.asarray(vectors, dtype=np.float64))
    labels = KMeans(n_clusters, n_init=10, random_state=seed).fit_predict(unit)
    return dict(zip(work_ids, labels.tolist(), strict=True))


def stability(fits: Sequence[dict], k: int = K) -> dict:
    """ARI and top-k tau across refits; each fit has "partition", "rank_units", "emergence_units".

    Also the ARI on the works both fits of a pair placed in clusters (each fit's "core", when
    given: the agreement of the clusters themselves, without the works the outlier policy
    assigned or left out), and the spread of recall@k and AMI over the fits (each fit scored
    as a run).
    """
    recall = [f["metrics"][f"recall_at_{k}"] for f in fits]
    ami = [f["metrics"]["ami"] for f in fits]
    fdr = [f["metrics"]["fdr_growing"] for f in fits]
    fdr = [v for v in fdr if not math.isnan(v)]
    # Coverage pooled over the fits' matched fronts: one fit matches too few to judge alone.
    covered = [(f["metrics"]["interval_coverage"], f["metrics"]["n_coverage"]) for f in fits]
    covered = [(c, n) for c, n in covered if n and not math.isnan(c)]
    n_cov = sum(n for _, n in covered)
    pooled = sum(c * n for c, n in covered) / n_cov if n_cov else math.nan
    return {
        "n_fits": len(fits),
        "ari_mean_pairwise": partition_stability([f["partition"] for f in fits]),
        "ari_core_pairwise": _core_stability(fits),
        f"tau_top{k}_rank": mean_pairwise_tau([f["rank_units"] for f in fits], k),
        f"tau_top{k}_emergence": mean_pairwise_tau([f["emergence_units"] for f in fits], k),
        f"recall_at_{k}_min": float(np.min(recall)),
        f"recall_at_{k}_mean": float(np.mean(recall)),
        "ami_min": float(np.min(ami)),
        "ami_mean": float(np.mean(ami)),
        "interval_coverage_pooled": pooled,
        "n_coverage_pooled": n_cov,
        "fdr_growing_max": float(np.max(fdr)) if fdr else math.nan,
        "fdr_growing_mean": float(np.mean(fdr)) if fdr else math.nan,
        "n_topics": [f["metrics"]["n_topics"] for f in fits],
    }


def _core_stability(fits: Sequence[dict]) -> float:
    """Mean pairwise ARI on the works both fits placed in clusters; nan without cores."""
    if any("core" not in f for f in fits):
        return math.nan
    cores = [{w: t for w, t in f["partition"].items() if w in f["core"]} for f in fits]
    try:
        return partition_stability(cores)
    except ValueError:  # two fits whose cores share fewer than two works
        return math.nan
