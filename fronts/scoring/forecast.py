"""Two-year forecast of each front's share of the corpus, with a prediction interval.

The share is a proportion, so it is modelled on a bounded scale: a binomial generalised linear
model with a logit link, logit(p_t) = a + b·t, for the front's works n_t out of the corpus's
works N_t in each window year (each with half a work added to the front and to the rest, the
smoothing of the growth indicator, so that a front absent from a year keeps a finite fit;
McCullagh & Nelder 1989, *Generalized Linear Models*, 2nd ed., ch. 4), fitted by statsmodels.
Real shares wander more from year to year than binomial sampling allows, so the variance is
scaled by the Pearson dispersion phi = X² / (m - 2), floored at 1
(quasi-binomial; Wedderburn 1974), as the trend test does (`fronts.scoring.trend`).

The prediction interval of a future year's share combines the uncertainty of the fitted line
(the linear predictor's variance, x' Cov x, with Cov scaled by phi) and the year's own
variation around it (phi / (N p (1 - p)) on the logit scale, with N the last window year's
corpus), with a t quantile on m - 2 degrees of freedom; it is mapped back through the logistic
function, so it always lies between 0 and 1. It says "if the trend of the window went on"; it
is not a causal model. Its coverage is checked by holding out the last window year
(`holdout_coverage`; docs/benchmarks.md).

An interval that spans more than a factor of UNINFORMATIVE_RATIO between its bounds says
little about where the share is going: such a forecast is marked `informative = false`, and the
report says so instead of drawing the band.
"""

from __future__ import annotations

import warnings

import numpy as np
import polars as pl

from fronts.schemas import FRONT_FORECASTS
from fronts.scoring.indicators import PSEUDO_COUNT

HORIZON = 2
LEVEL = 0.90
UNINFORMATIVE_RATIO = 4.0  # upper / lower bound of the interval


def _fit(x: np.ndarray, n: np.ndarray, total: np.ndarray):
    """(params, covariance scaled by the dispersion, dispersion) of the logit trend, or None
    when the fit fails (a front with works in one year only has its maximum at infinity)."""
    import statsmodels.api as sm  # statsmodels takes a second to import

    design = sm.add_constant(x, has_constant="add")
    endog = np.column_stack([n, total - n])
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # perfect separation and overflow: caught below
            result = sm.GLM(endog, design, family=sm.families.Binomial()).fit()
    except (ValueError, np.linalg.LinAlgError):
        return None
    params = np.asarray(result.params, dtype=np.float64)
    if not np.all(np.isfinite(params)) or abs(params[1]) > 5:
        return None
    fitted = result.fittedvalues if hasattr(result, "fittedvalues") else result.mu
    p = np.clip(np.asarray(fitted, dtype=np.float64), 1e-12, 1 - 1e-12)
    pearson = float((((n - total * p) ** 2) / (total * p * (1 - p))).sum())
    dof = max(len(x) - 2, 1)
    phi = max(1.0, pearson / dof)
    cov = np.asarray(result.cov_params(), dtype=np.float64) * phi
    return params, cov, phi


def trend_forecast(
    years: np.ndarray,
    n_topic: np.ndarray,
    n_corpus: np.ndarray,
    horizon: int = HORIZON,
    level: float = LEVEL,
) -> dict[str, np.ndarray]:
    """Fitted and forecast share of one topic, with a `level` prediction interval.

    Returns arrays over the window years and `horizon` years beyond: year, trend (the fitted
    share), and lower / upper bounds at the forecast years. Years are centred on the window's
    mean year for the fit. The trend needs two years with works in the corpus and a finite
    fit; the interval three. Otherwise the values are NaN.
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
    if m < 2 or n_topic[known].sum() <= 0:
        return out
    centre = years[known].mean()
    # Half a work added to the front and to the rest each year (the add-half smoothing of the
    # growth indicator) keeps the fit finite for a front absent from some years.
    smoothed_n = n_topic[known] + PSEUDO_COUNT
    smoothed_total = n_corpus[known] + 2 * PSEUDO_COUNT
    fit = _fit(years[known] - centre, smoothed_n, smoothed_total)
    if fit is None:
        return out
    params, cov, phi = fit
    x = all_years - centre
    eta = params[0] + params[1] * x
    out["trend"] = 1.0 / (1.0 + np.exp(-eta))
    if m >= 3:
        from scipy import stats  # scipy.stats takes a second to import

        k = years.size
        p = out["trend"][k:]
        base = smoothed_total[-1]
        line_var = cov[0, 0] + 2 * x[k:] * cov[0, 1] + x[k:] ** 2 * cov[1, 1]
        year_var = phi / (base * p * (1 - p))
        half = float(stats.t.ppf(0.5 + level / 2, m - 2)) * np.sqrt(line_var + year_var)
        out["lower"][k:] = 1.0 / (1.0 + np.exp(-(eta[k:] - half)))
        out["upper"][k:] = 1.0 / (1.0 + np.exp(-(eta[k:] + half)))
    return out


def informative(lower: float | None, upper: float | None) -> bool | None:
    """Whether an interval narrows the share down: its bounds within UNINFORMATIVE_RATIO of
    each other; None for a year without an interval."""
    if lower is None or upper is None:
        return None
    return bool(lower > 0 and upper / lower <= UNINFORMATIVE_RATIO)


def holdout_coverage(
    years: np.ndarray, n_works: np.ndarray, corpus: np.ndarray, level: float = LEVEL
) -> dict[str, float | int | None]:
    """Hold out the last window year, forecast it from the others for every front, and count
    how often the interval holds the share observed: {n, covered, coverage, informative}
    (informative: the share of intervals narrow enough to be drawn)."""
    n = covered = narrow = 0
    for counts in n_works:
        fc = trend_forecast(years[:-1], counts[:-1], corpus[:-1], horizon=1, level=level)
        low, high = fc["lower"][-1], fc["upper"][-1]
        if not (np.isfinite(low) and np.isfinite(high)) or corpus[-1] <= 0:
            continue
        share = counts[-1] / corpus[-1]
        n += 1
        covered += int(low <= share <= high)
        narrow += int(bool(informative(float(low), float(high))))
    return {
        "n": n,
        "covered": covered,
        "coverage": covered / n if n else None,
        "informative": narrow / n if n else None,
    }


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
                    "informative": informative(_finite(fc["lower"][i]), _finite(fc["upper"][i])),
                }
            )
    schema = {k: v for k, v in FRONT_FORECASTS.schema.items() if k != "run_id"}
    return pl.DataFrame(rows, schema=schema).sort("topic_id", "year")


def _finite(value: float) -> float | None:
    return float(value) if np.isfinite(value) else None
