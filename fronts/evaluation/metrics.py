"""Metrics of a run against planted truth: matching, recovery, agreement, stability, coverage.

Pure functions (polars, numpy or plain mappings in; numbers out), each testable on a hand-made
case. Definitions and sources: docs/benchmarks.md.

- A found topic *matches* a planted unit when the unit holds more than half of the topic's works
  (purity > 0.5) and the topic holds at least 30 % of the unit's works (coverage >= 0.3);
  several found topics may match one unit (a planted topic split in two), a found topic matches
  at most one unit. This is the majority-overlap rule of cluster-recovery benchmarks.
- AMI (Vinh, Epps & Bailey 2010, JMLR 11:2837-2854) and ARI (Hubert & Arabie 1985, J.
  Classification 2:193-218), from scikit-learn.
- Kendall's tau-b between two top-k lists, an item missing from one list's top k placed at
  k + 1 (the location-parameter device of Fagin, Kumar & Sivakumar 2003, SIAM J. Discrete Math.
  17(1):134-160).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Collection, Hashable, Mapping, Sequence

import numpy as np
import polars as pl
from scipy.stats import kendalltau, spearmanr
from sklearn.metrics import adjusted_mutual_info_score, adjusted_rand_score

from fronts.schemas import OUTLIER

MIN_PURITY = 0.5  # strictly more than half of the found topic's works
MIN_COVERAGE = 0.3  # at least this share of the planted unit's works


def match_topics(
    doc_topics: pl.DataFrame,
    truth: pl.DataFrame,
    min_purity: float = MIN_PURITY,
    min_coverage: float = MIN_COVERAGE,
) -> pl.DataFrame:
    """Each found topic's majority unit, its purity, its coverage and whether they match.

    `doc_topics` has work_id, topic_id (-1 = outlier, never matched); `truth` has work_id, unit.
    Only works present in both count. Returns topic_id, unit (the majority unit; ties broken by
    unit name), n_works, n_shared, purity, coverage, matched, sorted by topic_id.
    """
    joined = doc_topics.select("work_id", "topic_id").join(
        truth.select("work_id", "unit"), on="work_id", how="inner"
    )
    unit_size = joined.group_by("unit").agg(unit_size=pl.len())
    cells = (
        joined.filter(pl.col("topic_id") != OUTLIER).group_by("topic_id", "unit").len("n_shared")
    )
    totals = cells.group_by("topic_id").agg(n_works=pl.col("n_shared").sum())
    best = (
        cells.sort(["topic_id", "n_shared", "unit"], descending=[False, True, False])
        .group_by("topic_id", maintain_order=True)
        .first()
    )
    return (
        best.join(totals, on="topic_id")
        .join(unit_size, on="unit")
        .with_columns(
            purity=pl.col("n_shared") / pl.col("n_works"),
            coverage=pl.col("n_shared") / pl.col("unit_size"),
        )
        .with_columns(
            matched=(pl.col("purity") > min_purity) & (pl.col("coverage") >= min_coverage)
        )
        .select("topic_id", "unit", "n_works", "n_shared", "purity", "coverage", "matched")
        .sort("topic_id")
    )


def _topic_units(matches: pl.DataFrame, keep: pl.Expr) -> dict[int, str]:
    rows = matches.filter(keep).select("topic_id", "unit").iter_rows()
    return {int(t): str(u) for t, u in rows}


def matched_units(matches: pl.DataFrame) -> dict[int, str]:
    """topic_id -> unit for the found topics that match a planted unit."""
    return _topic_units(matches, pl.col("matched"))


def majority_units(matches: pl.DataFrame, min_purity: float = MIN_PURITY) -> dict[int, str]:
    """topic_id -> the unit holding more than `min_purity` of the topic's works (any coverage)."""
    return _topic_units(matches, pl.col("purity") > min_purity)


def recall_at_k(
    ranked_topic_ids: Sequence[int],
    topic_unit: Mapping[int, str],
    emerging: Collection[str],
    k: int = 10,
) -> float:
    """Share of the planted emerging units matched by at least one of the top-k found topics."""
    if not emerging:
        return math.nan
    found = {topic_unit[t] for t in ranked_topic_ids[:k] if t in topic_unit}
    return len(found & set(emerging)) / len(set(emerging))


def false_discovery_rate(
    ranked_topic_ids: Sequence[int],
    topic_unit: Mapping[int, str],
    emerging: Collection[str],
    k: int = 10,
) -> float:
    """Share of the top-k found topics that match no planted emerging unit (NaN when empty)."""
    top = list(ranked_topic_ids[:k])
    if not top:
        return math.nan
    return sum(topic_unit.get(t) not in set(emerging) for t in top) / len(top)


def flagged_fdr(
    flagged_topic_ids: Collection[int], topic_unit: Mapping[int, str], emerging: Collection[str]
) -> float:
    """Share of the fronts the tool flags (its discoveries) whose unit is not planted emerging.

    `topic_unit` maps a front to the unit holding most of its works (`majority_units`: purity
    alone, no coverage needed: a planted front split into two flagged fronts is two true
    discoveries). The false-discovery rate of Benjamini & Hochberg (1995), observed: NaN when
    nothing is flagged (no discovery, no false one).
    """
    flagged = list(flagged_topic_ids)
    if not flagged:
        return math.nan
    return sum(topic_unit.get(t) not in set(emerging) for t in flagged) / len(flagged)


def spearman(x: Mapping[Hashable, float], y: Mapping[Hashable, float]) -> float:
    """Spearman's rho between two scores over their common keys (NaN with fewer than 3)."""
    keys = sorted(set(x) & set(y), key=str)
    a = np.array([x[k] for k in keys], dtype=np.float64)
    b = np.array([y[k] for k in keys], dtype=np.float64)
    if len(keys) < 3 or np.ptp(a) == 0 or np.ptp(b) == 0:
        return math.nan
    return float(spearmanr(a, b).statistic)


def ami_ari(
    labels_true: Sequence[Hashable], labels_pred: Sequence[Hashable]
) -> tuple[float, float]:
    """(adjusted mutual information, adjusted Rand index) of two labellings of the same items."""
    if len(labels_true) != len(labels_pred):
        raise ValueError(f"{len(labels_true)} true labels but {len(labels_pred)} predicted")
    true = [str(v) for v in labels_true]
    pred = [str(v) for v in labels_pred]
    return float(adjusted_mutual_info_score(true, pred)), float(adjusted_rand_score(true, pred))


def partition_stability(partitions: Sequence[Mapping[Hashable, Hashable]]) -> float:
    """Mean ARI over every pair of partitions, each pair compared on the items both hold.

    Used across seeds (same items) and 80 % bootstrap subsamples (pairs share ~64 % of items).
    """
    if len(partitions) < 2:
        raise ValueError("partition_stability needs at least two partitions")
    scores = []
    for a, b in itertools.combinations(partitions, 2):
        common = sorted(set(a) & set(b), key=str)
        if len(common) < 2:
            raise ValueError("two partitions share fewer than two items")
        scores.append(adjusted_rand_score([str(a[i]) for i in common], [str(b[i]) for i in common]))
    return float(np.mean(scores))


def kendall_tau_top_k(rank_a: Sequence[Hashable], rank_b: Sequence[Hashable], k: int = 10) -> float:
    """Kendall's tau-b of two rankings (best first) over the union of their top-k items.

    An item outside one list's top k takes position k + 1 there (tied with the other absentees).
    Compare runs by what their fronts match (planted units), not by topic ids, which differ.
    """
    top_a, top_b = list(rank_a[:k]), list(rank_b[:k])
    items = list(dict.fromkeys(top_a + top_b))
    if len(items) < 2:
        return math.nan
    pos_a = [top_a.index(i) + 1 if i in top_a else k + 1 for i in items]
    pos_b = [top_b.index(i) + 1 if i in top_b else k + 1 for i in items]
    return float(kendalltau(pos_a, pos_b).statistic)


def outlier_share(topic_ids: Sequence[int]) -> float:
    """Share of works left unassigned (topic -1)."""
    ids = np.asarray(topic_ids)
    return float((ids == OUTLIER).mean()) if ids.size else math.nan


def true_ranks(observed_rank: Mapping[int, int], planted: Mapping[int, float]) -> dict[int, int]:
    """The rank each matched front would hold if the matched fronts were ordered by planted growth.

    The rank slots the matched fronts occupy in the observed ranking are dealt out again by
    planted growth (highest first; ties keep the observed order), so unmatched fronts keep their
    slots and the true ranks live on the same scale as the rank intervals.
    """
    fronts = [t for t in observed_rank if t in planted]
    slots = sorted(observed_rank[t] for t in fronts)
    order = sorted(fronts, key=lambda t: (-planted[t], observed_rank[t]))
    return dict(zip(order, slots, strict=True))


def interval_coverage(
    rank_low: Sequence[float], rank_high: Sequence[float], true_rank: Sequence[float]
) -> float:
    """Share of fronts whose true rank lies within [rank_low, rank_high] (NaN when none)."""
    low, high, true = (np.asarray(v, dtype=np.float64) for v in (rank_low, rank_high, true_rank))
    if not (low.shape == high.shape == true.shape):
        raise ValueError("rank_low, rank_high and true_rank must have the same length")
    if true.size == 0:
        return math.nan
    return float(((low <= true) & (true <= high)).mean())


def evaluate_planted(
    doc_topics: pl.DataFrame,
    fronts: pl.DataFrame,
    truth: pl.DataFrame,
    summary: dict,
    k: int = 10,
) -> dict:
    """Every single-run metric of a run on a planted corpus.

    `doc_topics` (work_id, topic_id) and `fronts` (topic_id, rank, rank_low, rank_high,
    emergence, growing) are the run's tables; `truth` and `summary` are truth.parquet and
    truth.json.
    Emergence ranks order fronts by the emergence composite (ties by topic_id). AMI/ARI compare
    found topics (outliers as one label) with planted units on the works of non-background units.
    """
    planted = {u: spec["planted_growth"] for u, spec in summary["topics"].items()}
    emerging = [u for u, spec in summary["topics"].items() if spec["emerging"]]
    matches = match_topics(doc_topics, truth)
    topic_unit = matched_units(matches)
    by_emergence = fronts.sort(["emergence", "topic_id"], descending=[True, False], nulls_last=True)
    ranked = [int(t) for t in by_emergence["topic_id"]]
    emergence = dict(zip(ranked, by_emergence["emergence"].to_list(), strict=True))
    # One point per planted unit: the emergence of its matched topic sharing the most works.
    best = (
        matches.filter(pl.col("matched") & pl.col("topic_id").is_in(ranked))
        .sort(["unit", "n_shared"], descending=[False, True])
        .group_by("unit", maintain_order=True)
        .first()
    )
    unit_emergence = {u: emergence[t] for t, u in best.select("topic_id", "unit").iter_rows()}
    observed = {int(t): int(r) for t, r in fronts.select("topic_id", "rank").iter_rows()}
    growth_of = {t: planted[u] for t, u in topic_unit.items() if t in observed}
    true = true_ranks(observed, growth_of)
    bounds = fronts.filter(pl.col("topic_id").is_in(list(true))).sort("topic_id")
    planted_works = truth.filter(pl.col("kind") != "background").select("work_id", "unit")
    labelled = planted_works.join(doc_topics.select("work_id", "topic_id"), on="work_id")
    ami, ari = ami_ari(labelled["unit"].to_list(), labelled["topic_id"].to_list())
    in_run = truth.join(doc_topics.select("work_id"), on="work_id", how="semi")
    growing = [int(t) for t in fronts.filter(pl.col("growing"))["topic_id"]]
    return {
        "n_works": doc_topics.height,
        "n_truth_in_run": in_run.height,
        "n_topics": int(doc_topics.filter(pl.col("topic_id") != OUTLIER)["topic_id"].n_unique()),
        "n_matched_topics": len(topic_unit),
        "n_matched_units": len(set(topic_unit.values())),
        "emerging_units": emerging,
        "emergence_rank": {
            u: next((i + 1 for i, t in enumerate(ranked) if topic_unit.get(t) == u), None)
            for u in emerging
        },
        f"recall_at_{k}": recall_at_k(ranked, topic_unit, emerging, k),
        f"fdr_at_{k}": false_discovery_rate(ranked, topic_unit, emerging, k),
        "n_growing": len(growing),
        "recall_growing": recall_at_k(growing, topic_unit, emerging, len(growing)),
        "fdr_growing": flagged_fdr(growing, majority_units(matches), emerging),
        "spearman_emergence_growth": spearman(unit_emergence, planted),
        "ami": ami,
        "ari": ari,
        "outlier_share": outlier_share(doc_topics["topic_id"].to_list()),
        "interval_coverage": interval_coverage(
            bounds["rank_low"].to_list(),
            bounds["rank_high"].to_list(),
            [true[int(t)] for t in bounds["topic_id"]],
        ),
        "n_coverage": bounds.height,
    }
