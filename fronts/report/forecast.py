"""Two-year trend forecast of each front's share of the corpus, with a prediction interval.

The model is the one behind the `growth` indicator: a straight line through the logarithm of
the smoothed yearly share, fitted by ordinary least squares. Extending that line by one and two
years and attaching the classical prediction interval of a simple regression (e.g. Montgomery,
Peck & Vining, *Introduction to Linear Regression Analysis*, 6th ed., Wiley 2021, §2.5) gives
the forecast. It says "if the trend of the window went on"; it is not a causal model, and with
six yearly points its interval is wide on purpose.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy import stats

# Add-half (Haldane-Anscombe) smoothing, as in fronts.scoring: empty years keep a finite log.
PSEUDO_COUNT = 0.5
HORIZON = 2
LEVEL = 0.90

FORECAST_SCHEMA = {
    "topic_id": pl.Int64,
    "year": pl.Int32,
    "n_works": pl.Int64,
    "corpus": pl.Int64,
    "observed": pl.Float64,
    "trend": pl.Float64,
    "lower": pl.Float64,
    "upper": pl.Float64,
    "is_forecast": pl.Boolean,
}


def trend_forecast(
    years: np.ndarray,
    n_topic: np.ndarray,
    n_corpus: np.ndarray,
    horizon: int = HORIZON,
    level: float = LEVEL,
) -> dict[str, np.ndarray]:
    """Fitted and forecast share of one topic, with a `level` prediction interval.

    With m window years that have works, fit log((n + 1/2) / (N + 1)) = a + b·year by least
    squares, then for every year t (window and `horizon` years beyond) return
    trend = exp(a + b·t) and, at the forecast years, the interval
    exp(a + b·t ± t_{(1+level)/2, m-2} · s · sqrt(1 + 1/m + (t - mean year)² / Sxx)),
    where s² is the residual variance. The interval needs m >= 3; the trend needs m >= 2;
    otherwise the values are NaN. Upper bounds are capped at a share of 1.
    """
    years = np.asarray(years, dtype=np.float64)
    n_topic = np.asarray(n_topic, dtype=np.float64)
    n_corpus = np.asarray(n_corpus, dtype=np.float64)
    future = years[-1] + np.arange(1, horizon + 1, dtype=np.float64) if years.size else years
    all_years = np.concatenate([years, future])
    nan = np.full(all_years.size, np.nan)
    out = {"year": all_years, "trend": nan.copy(), "lower": nan.copy(), "upper": nan.copy()}
    known = n_corpus > 0
    m = int(known.sum())
    if m < 2:
        return out
    x = years[known]
    y = np.log((n_topic[known] + PSEUDO_COUNT) / (n_corpus[known] + 2 * PSEUDO_COUNT))
    x_mean = x.mean()
    sxx = float(((x - x_mean) ** 2).sum())
    slope = float(((x - x_mean) * (y - y.mean())).sum() / sxx)
    intercept = float(y.mean() - slope * x_mean)
    fitted_log = intercept + slope * all_years
    out["trend"] = np.exp(fitted_log)
    if m >= 3:
        residuals = y - (intercept + slope * x)
        s = float(np.sqrt((residuals**2).sum() / (m - 2)))
        q = float(stats.t.ppf(0.5 + level / 2, m - 2))
        half = q * s * np.sqrt(1.0 + 1.0 / m + (future - x_mean) ** 2 / sxx)
        k = years.size
        out["lower"][k:] = np.exp(fitted_log[k:] - half)
        out["upper"][k:] = np.minimum(np.exp(fitted_log[k:] + half), 1.0)
    return out


def forecast_shares(
    topic_year_counts: pl.DataFrame,
    corpus_year_counts: pl.DataFrame,
    window: tuple[int, int],
    topic_ids: list[int],
    horizon: int = HORIZON,
    level: float = LEVEL,
) -> pl.DataFrame:
    """Observed share, trend and forecast per topic and year; one frame, sorted.

    `topic_year_counts` needs topic_id, year, n_works; `corpus_year_counts` needs year, n_works
    (all works of the window that year, outliers included). Years of the window missing from
    either frame count zero works.
    """
    years = np.arange(window[0], window[1] + 1)
    corpus = dict(corpus_year_counts.select("year", "n_works").iter_rows())
    n_corpus = np.array([corpus.get(int(y), 0) for y in years], dtype=np.int64)
    counts: dict[tuple[int, int], int] = {
        (int(t), int(y)): int(n)
        for t, y, n in topic_year_counts.select("topic_id", "year", "n_works").iter_rows()
    }
    rows: list[dict[str, object]] = []
    for topic_id in sorted(topic_ids):
        n_topic = np.array([counts.get((topic_id, int(y)), 0) for y in years], dtype=np.int64)
        fc = trend_forecast(years, n_topic, n_corpus, horizon, level)
        for i, year in enumerate(fc["year"]):
            inside = i < years.size
            rows.append(
                {
                    "topic_id": topic_id,
                    "year": int(year),
                    "n_works": int(n_topic[i]) if inside else None,
                    "corpus": int(n_corpus[i]) if inside else None,
                    "observed": (n_topic[i] / n_corpus[i]) if inside and n_corpus[i] > 0 else None,
                    "trend": _finite(fc["trend"][i]),
                    "lower": _finite(fc["lower"][i]),
                    "upper": _finite(fc["upper"][i]),
                    "is_forecast": not inside,
                }
            )
    return pl.DataFrame(rows, schema=FORECAST_SCHEMA).sort("topic_id", "year")


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
