"""Composite scores, ranks, bootstrap rank intervals and the hot / emerging / established class.

The bootstrap (Efron 1979, Annals of Statistics 7(1):1-26, doi:10.1214/aos/1176344552; Efron &
Tibshirani 1993, *An Introduction to the Bootstrap*) resamples the works of the window with
replacement, keeps the topics and their assignments fixed, recomputes every indicator and the
composite, and ranks again. The spread of a front's rank over the resamples is its sampling
uncertainty given the topics; the uncertainty of the clustering itself is not part of it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fronts.config import ScoreConfig, ScoreWeights
from fronts.scoring.indicators import Indicators, indicators
from fronts.scoring.worktable import WorkTable

EMERGENCE_PARTS = ("growth", "acceleration", "novelty", "burst")
SCORE_PARTS = (*EMERGENCE_PARTS, "citation_growth", "impact", "size", "coherence")
INTERVAL = (5.0, 95.0)  # percentiles of the bootstrap rank distribution


@dataclass(frozen=True)
class Ranking:
    """Ranks of the rankable topics (arrays aligned with `rankable`, an index into topic_ids)."""

    rankable: np.ndarray
    emergence: np.ndarray
    score: np.ndarray
    rank: np.ndarray
    rank_low: np.ndarray
    rank_high: np.ndarray
    p_top_n: np.ndarray  # NaN when no bootstrap was run


def zscore(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """Standardise across topics; NaN (undefined) and constant indicators score 0 (neutral).

    Mean and standard deviation come from the `reference` entries (default: all), so that
    off-topic fronts, which are ranked apart, do not shift the scale of the others.
    """
    x = np.asarray(values, dtype=np.float64)
    known = np.isfinite(x)
    base = known if reference is None else known & np.asarray(reference, dtype=bool)
    if base.sum() < 2:
        return np.zeros_like(x)
    mean = x[base].mean()
    std = x[base].std()
    if not std > 1e-12 * max(1.0, abs(mean)):
        return np.zeros_like(x)
    return np.where(known, (x - mean) / std, 0.0)


def indicator_columns(
    ind: Indicators, rows: np.ndarray, shrink: bool = False
) -> dict[str, np.ndarray]:
    """The values standardised for the composite, by weight name, for the given topic rows;
    with `shrink`, the trends shrunk toward the field's (`shrink_to_field`)."""
    return {
        "growth": (ind.growth_shrunk if shrink else ind.growth)[rows],
        "acceleration": (ind.acceleration_shrunk if shrink else ind.acceleration)[rows],
        "novelty": ind.mean_year[rows],
        "burst": ind.burst_weight[rows],
        "citation_growth": ind.citation_growth[rows],
        "impact": ind.impact[rows],
        "size": np.log(np.maximum(ind.size[rows], 1.0)),
        "coherence": ind.coherence[rows],
    }


def composite(
    ind: Indicators,
    rows: np.ndarray,
    weights: ScoreWeights,
    reference: np.ndarray | None = None,
    shrink: bool = False,
) -> tuple[np.ndarray, np.ndarray]:
    """(emergence, score) of the given topic rows: weighted means of the indicators' z-scores,
    standardised over the `reference` rows (a mask aligned with `rows`; default all)."""
    columns = indicator_columns(ind, rows, shrink)
    z = {name: zscore(values, reference) for name, values in columns.items()}

    def weighted(parts: tuple[str, ...]) -> np.ndarray:
        total = sum(getattr(weights, p) for p in parts)
        if total <= 0:
            return np.zeros(rows.size)
        return sum(getattr(weights, p) * z[p] for p in parts) / total

    return weighted(EMERGENCE_PARTS), weighted(SCORE_PARTS)


def rank_of(
    score: np.ndarray, topic_ids: np.ndarray, demoted: np.ndarray | None = None
) -> np.ndarray:
    """1 = highest score; equal scores are ordered by topic_id. `demoted` topics (off-topic
    fronts) come after all the others, in score order among themselves."""
    last = np.zeros(score.size, dtype=bool) if demoted is None else np.asarray(demoted, bool)
    order = np.lexsort((topic_ids, -score, last))
    rank = np.empty(score.size, dtype=np.int64)
    rank[order] = np.arange(1, score.size + 1)
    return rank


def rankable_rows(table: WorkTable, ind: Indicators, min_size: int) -> np.ndarray:
    """Topics that are ranked: real topics (id >= 0) with at least `min_size` works."""
    return np.flatnonzero((table.topic_ids >= 0) & (ind.size >= min_size))


def rank_topics(
    table: WorkTable,
    point: Indicators,
    config: ScoreConfig,
    seed: int,
    off_topic: np.ndarray | None = None,
) -> Ranking:
    """Point ranks of the rankable topics, with bootstrap intervals and P(rank <= n_fronts).

    rank_low / rank_high are the 5th / 95th percentiles of the bootstrap ranks, taken with
    `np.percentile(method="lower")` / `method="higher"` so they are ranks that occurred. The
    interval is then widened, if needed, to contain the point rank. With `bootstrap = 0` the
    interval is the point rank and p_top_n is NaN (not estimated).

    `off_topic` (K,), aligned with table.topic_ids, marks fronts ranked after every on-topic
    front (ranks continue) and left out of the z-score reference; so they never take a top-N
    place from an on-topic front, and P(top-N) is a competition among on-topic fronts (an
    off-topic front's P(top-N) is 0).
    """
    rows = rankable_rows(table, point, config.min_topic_size)
    ids = table.topic_ids[rows]
    demoted = np.zeros(rows.size, dtype=bool) if off_topic is None else off_topic[rows]
    reference = ~demoted if (~demoted).any() else None
    emergence, score = composite(point, rows, config.weights, reference, config.shrink_trends)
    rank = rank_of(score, ids, demoted)
    if config.bootstrap == 0 or rows.size == 0:
        return Ranking(
            rows, emergence, score, rank, rank.copy(), rank.copy(), np.full(rows.size, np.nan)
        )
    draws = bootstrap_ranks(table, rows, config, seed, demoted)
    low = np.percentile(draws, INTERVAL[0], axis=0, method="lower").astype(np.int64)
    high = np.percentile(draws, INTERVAL[1], axis=0, method="higher").astype(np.int64)
    # An off-topic front is never a candidate for the top N, even when fewer than N fronts are
    # on-topic and its continued rank is <= N.
    p_top = np.where(demoted, 0.0, (draws <= config.n_fronts).mean(axis=0))
    if (~demoted).sum() <= config.n_fronts:
        # Every on-topic front is in the top N in every resample: a certainty by construction,
        # not evidence, so it is not reported (null, shown as a dash).
        p_top = np.where(demoted, 0.0, np.nan)
    return Ranking(
        rows, emergence, score, rank, np.minimum(low, rank), np.maximum(high, rank), p_top
    )


def bootstrap_ranks(
    table: WorkTable,
    rows: np.ndarray,
    config: ScoreConfig,
    seed: int,
    demoted: np.ndarray | None = None,
) -> np.ndarray:
    """(B, R) ranks of the rankable topics in B resamples of the works (B = config.bootstrap).

    The set of ranked topics, and which of them are demoted (off-topic), is fixed by the point
    estimate, so a rank always means a place among the same R topics.
    """
    reference = None if demoted is None or not (~demoted).any() else ~demoted
    rng = np.random.default_rng(seed)
    n = table.topic_idx.size
    ids = table.topic_ids[rows]
    draws = np.empty((config.bootstrap, rows.size), dtype=np.int64)
    for b in range(config.bootstrap):
        weights = np.bincount(rng.integers(0, n, size=n), minlength=n).astype(np.float64)
        ind = indicators(table, weights, recent_years=config.recent_years)
        _, score = composite(ind, rows, config.weights, reference, config.shrink_trends)
        draws[b] = rank_of(score, ids, demoted)
    return draws


def classify(
    point: Indicators,
    rows: np.ndarray,
    supported: np.ndarray | None = None,
    reference: np.ndarray | None = None,
    growing: np.ndarray | None = None,
) -> np.ndarray:
    """'hot', 'emerging' or 'established' for each rankable topic.

    Adapted from the CAS / Clarivate Research Fronts selection (large fronts re-ranked by the
    mean year of their core papers; emerging fronts with a very recent core) to one corpus, and
    made to agree with the front's own trend, so that no front is called hot or emerging while
    its share of the field falls:

    * hot = size in the top quartile of the ranked topics, mean_year at or above their median,
      and a rising share (growth > 0);
    * emerging = not hot; share_recent or mean_year in the top quartile; a significant rise of
      the share (`growing`, aligned with `rows`: the trend test's q at or below the run's FDR;
      None = growth > 0 stands in for it); citation growth not negative where the corpus has
      citation data (NaN = unknown, no objection); and supported (`supported`, aligned with
      `rows`: enough works, years, venues and author groups, `fronts.scoring.support`; None =
      all supported);
    * everything else is established.

    Quantiles use numpy's default (linear) interpolation over the `reference` rows (a mask
    aligned with `rows`, the on-topic fronts; default all).
    """
    if rows.size == 0:
        return np.array([], dtype=object)
    ref = np.ones(rows.size, dtype=bool) if reference is None else np.asarray(reference, bool)
    if not ref.any():
        ref = np.ones(rows.size, dtype=bool)
    size = point.size[rows]
    mean_year = point.mean_year[rows]
    recent = point.share_recent[rows]
    rising = np.nan_to_num(point.growth[rows], nan=0.0) > 0
    significant = rising if growing is None else rising & np.asarray(growing, bool)
    hot = (
        (size >= np.nanquantile(size[ref], 0.75))
        & (mean_year >= np.nanmedian(mean_year[ref]))
        & rising
    )
    very_recent = (recent >= np.nanquantile(recent[ref], 0.75)) | (
        mean_year >= np.nanquantile(mean_year[ref], 0.75)
    )
    ok = np.ones(rows.size, dtype=bool) if supported is None else np.asarray(supported, bool)
    citations_ok = ~(point.citation_growth[rows] <= 0)  # NaN (no citation data) passes
    emerging = ~hot & very_recent & significant & citations_ok & ok
    return np.where(hot, "hot", np.where(emerging, "emerging", "established")).astype(object)
