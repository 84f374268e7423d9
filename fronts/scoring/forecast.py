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

from fronts.schemas import FRONT_FORECASTS
from fronts.scoring.indicators import PSEUDO_COUNT

HORIZON = 2
LEVEL = 0.90


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
        from scipy import stats  # scipy.stats takes a second to import

        q = float(stats.t.ppf(0.5 + level / 2, m - 2))
        half = q * s * np.sqrt(1.0 + 1.0 / m + (future - x_mean) ** 2 / sxx)
        k = years.size
        out["lower"][k:] = np.exp(fitted_log[k:] - half)
        out["upper"][k:] = np.minimum(np.exp(fitted_log[k:] + half), 1.0)
    return out


def front_forecasts(
    years: np.ndarray,
    n_works: np.ndarray,
    corpus: np.ndarray,
    topic_ids: np.ndarray,
    horizon: int = HORIZON,
    level: float = LEVEL,
) -> pl.DataFrame:
    """Observed share, trend and forecast of each topic, one row per topic and year, sorted.

    `n_works` (K, T) holds each topic's works per window year `years` (T,), `corpus` (T,) the
    works of the whole window per year (outliers included), `topic_ids` (K,) the topics. The
    rows are those of the `front_forecasts` table (without run_id).
    """
    rows: list[dict[str, object]] = []
    for topic_id, counts in sorted(zip(topic_ids.tolist(), n_works, strict=True)):
        fc = trend_forecast(years, counts, corpus, horizon, level)
        for i, year in enumerate(fc["year"]):
            inside = i < years.size
            total = int(corpus[i]) if inside else None
            n = round(float(counts[i])) if inside else None
            rows.append(
                {
                    "topic_id": int(topic_id),
                    "year": int(year),
                    "n_works": n,
                    "corpus": total,
                    "observed": (n / total) if inside and total else None,
                    "trend": _finite(fc["trend"][i]),
                    "lower": _finite(fc["lower"][i]),
                    "upper": _finite(fc["upper"][i]),
                    "is_forecast": not inside,
                    "level": level,
                }
            )
    schema = {k: v for k, v in FRONT_FORECASTS.schema.items() if k != "run_id"}
    return pl.DataFrame(rows, schema=schema).sort("topic_id", "year")


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
