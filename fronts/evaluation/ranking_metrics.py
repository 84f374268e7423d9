"""Scores of rankings against the growth that followed: Spearman's rho, precision@k of
exceptional growth, and their paired bootstrap intervals against the baselines and chance.

The metrics of the out-of-time backtest (`fronts.evaluation.backtest`), vectorised over rows
so that every bootstrap resample of the fronts is scored at once.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import polars as pl
from scipy.stats import rankdata


def _order_key(values: np.ndarray) -> np.ndarray:
    """Higher is better; NaN ranks last."""
    return np.where(np.isnan(values), -np.inf, values)


def spearman_rows(pred: np.ndarray, real: np.ndarray) -> np.ndarray:
    """Spearman's rho of each row pair (average ranks for ties); NaN where a row is constant."""
    rp = rankdata(_order_key(np.atleast_2d(pred)), axis=1)
    rr = rankdata(np.atleast_2d(real), axis=1)
    rp -= rp.mean(axis=1, keepdims=True)
    rr -= rr.mean(axis=1, keepdims=True)
    den = np.sqrt((rp * rp).sum(axis=1) * (rr * rr).sum(axis=1))
    return np.divide((rp * rr).sum(axis=1), den, out=np.full(len(den), np.nan), where=den > 0)


def precision_rows(pred: np.ndarray, hit: np.ndarray, tie: np.ndarray, k: int) -> np.ndarray:
    """Share of hits among each row's top k by `pred` (ties broken by `tie`, smaller first)."""
    pred, hit, tie = (np.atleast_2d(a) for a in (pred, hit, tie))
    order = np.lexsort((tie, -_order_key(pred)), axis=1)[:, : min(k, pred.shape[1])]
    return np.take_along_axis(hit, order, axis=1).mean(axis=1)


def exceptional(realised: np.ndarray, quantile: float) -> np.ndarray:
    """Pre-registered 'exceptional growth': realised growth at or above its `quantile`."""
    return realised >= np.quantile(realised, quantile)


def compare_rankings(
    predictors: dict[str, np.ndarray],
    realised: np.ndarray,
    topic_ids: np.ndarray,
    reg: Any,
) -> pl.DataFrame:
    """Spearman and precision@k of each predictor and of chance, with paired bootstrap CIs.

    `reg` is the backtest's `Preregistration` (not imported here: it imports these metrics).

    Fronts are resampled with replacement (`reg.resamples` times, seeded); each resample scores
    every predictor on the same fronts, so the difference to momentum has its own percentile CI.
    The 'exceptional' label is fixed on the full set of fronts. Chance's value is its
    expectation (rho 0; precision = share of exceptional fronts); its interval is the central
    `reg.level` range over `reg.chance_draws` uniformly random orders.
    """
    n = realised.size
    k = reg.k_for(n)
    hit = exceptional(realised, reg.exceptional_quantile).astype(np.float64)
    rng = np.random.default_rng(reg.seed)
    idx = np.vstack([np.arange(n), rng.integers(0, n, size=(reg.resamples, n))])
    tail = (1 - reg.level) / 2
    draws: dict[tuple[str, str], np.ndarray] = {}
    for name, pred in predictors.items():
        draws[name, "spearman"] = spearman_rows(pred[idx], realised[idx])
        draws[name, "precision_at_k"] = precision_rows(pred[idx], hit[idx], topic_ids[idx], k)
    # the best simple baseline per metric: the highest point estimate (chosen after seeing
    # them, so beating it is the harder test)
    best = {
        metric: max(
            (b for b in reg.baselines if (b, metric) in draws),
            key=lambda b, m=metric: np.nan_to_num(draws[b, m][0], nan=-np.inf),
        )
        for metric in ("spearman", "precision_at_k")
    }
    rows = []
    for (name, metric), values in draws.items():
        diff = values - draws["momentum", metric]
        diff_best = values - draws[best[metric], metric]
        rows.append(
            {
                "predictor": name,
                "metric": metric,
                "value": values[0],
                "ci_low": np.nanquantile(values[1:], tail),
                "ci_high": np.nanquantile(values[1:], 1 - tail),
                "diff_vs_momentum": diff[0],
                "diff_low": np.nanquantile(diff[1:], tail),
                "diff_high": np.nanquantile(diff[1:], 1 - tail),
                "best_baseline": best[metric],
                "diff_vs_best": diff_best[0],
                "diff_best_low": np.nanquantile(diff_best[1:], tail),
                "diff_best_high": np.nanquantile(diff_best[1:], 1 - tail),
            }
        )
    random = np.random.default_rng(reg.seed + 1).random((reg.chance_draws, n))
    ids = np.broadcast_to(topic_ids, random.shape)
    for metric, expected, values in (
        ("spearman", 0.0, spearman_rows(random, np.broadcast_to(realised, random.shape))),
        (
            "precision_at_k",
            hit.mean(),
            precision_rows(random, np.broadcast_to(hit, random.shape), ids, k),
        ),
    ):
        rows.append(
            {
                "predictor": "chance",
                "metric": metric,
                "value": float(expected),
                "ci_low": np.nanquantile(values, tail),
                "ci_high": np.nanquantile(values, 1 - tail),
            }
        )
    return pl.DataFrame(rows, infer_schema_length=None).with_columns(
        pl.col(pl.Float64).fill_nan(None)
    )
