"""Is a front's share of the corpus really growing? A trend test with false-discovery control.

The growth indicator says how fast a front's share rises; this module says whether the rise is
more than year-to-year noise. For each front, the works it holds each year out of the corpus's
works that year are tested for a trend in proportion:

* the Cochran-Armitage statistic (Cochran 1954, Biometrics 10(4):417-451; Armitage 1955,
  Biometrics 11(3):375-386), the score test of a logistic trend in the share, computed under
  "no trend" so it needs no model fit and stays finite for a front with works in one year only;
* corrected for overdispersion: real shares wander more from year to year than binomial
  sampling allows, so z is divided by the square root of the dispersion phi, the Pearson
  chi-square of a logistic-trend fit over its T - 2 degrees of freedom, floored at 1
  (quasi-likelihood; Wedderburn 1974, Biometrika 61(3):439-447; McCullagh & Nelder 1989,
  *Generalized Linear Models*, 2nd ed., sec. 4.5);
* one-sided p-values, adjusted across the fronts of a run by the Benjamini-Hochberg step-up
  procedure (Benjamini & Hochberg 1995, JRSS B 57(1):289-300): flagging the fronts with
  q <= alpha keeps the expected share of false "growing" flags at or below alpha.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

NEWTON_STEPS = 30


@dataclass(frozen=True)
class TrendTest:
    """Per front (K,): the dispersion-corrected trend z, its one-sided p-value and dispersion."""

    z: np.ndarray
    p: np.ndarray
    dispersion: np.ndarray


def _logistic_fit(n: np.ndarray, total: np.ndarray, t: np.ndarray) -> np.ndarray:
    """Fitted shares (K, T) of a logistic trend logit(p) = a + b t, by Newton steps per row.

    Rows whose estimate runs off (a front in one year only: the maximum is at infinity) stop
    where the steps leave them, which is close enough for a dispersion estimate.
    """
    k = n.shape[0]
    share = n.sum(axis=1) / total.sum()
    a = np.log(np.clip(share, 1e-12, None) / np.clip(1 - share, 1e-12, None))
    b = np.zeros(k)
    for _ in range(NEWTON_STEPS):
        p = 1.0 / (1.0 + np.exp(-(a[:, None] + b[:, None] * t)))
        w = total * p * (1 - p)
        r = n - total * p
        g0, g1 = r.sum(axis=1), (r * t).sum(axis=1)
        h00, h01, h11 = w.sum(axis=1), (w * t).sum(axis=1), (w * t * t).sum(axis=1)
        det = h00 * h11 - h01 * h01
        ok = det > 1e-12
        step_a = np.divide(h11 * g0 - h01 * g1, det, out=np.zeros(k), where=ok)
        step_b = np.divide(h00 * g1 - h01 * g0, det, out=np.zeros(k), where=ok)
        a, b = a + np.clip(step_a, -5, 5), b + np.clip(step_b, -5, 5)
    return 1.0 / (1.0 + np.exp(-(a[:, None] + b[:, None] * t)))


def share_trend(n_works: np.ndarray, corpus: np.ndarray, years: np.ndarray) -> TrendTest:
    """Test each row of `n_works` (K, T) for a rising share of `corpus` (T,) over `years`.

    Years without works in the corpus are left out. With fewer than three such years, or a
    front with no works, the test is undefined (z and p NaN).
    """
    keep = np.asarray(corpus) > 0
    n = np.asarray(n_works, dtype=np.float64)[:, keep]
    total = np.asarray(corpus, dtype=np.float64)[keep]
    k, t_len = n.shape
    nan = np.full(k, np.nan)
    if t_len < 3:
        return TrendTest(nan, nan.copy(), nan.copy())
    t = np.asarray(years, dtype=np.float64)[keep]
    t = t - (total * t).sum() / total.sum()  # centred on the corpus's mean year
    share = n.sum(axis=1) / total.sum()
    score = (n * t).sum(axis=1)  # sum of (n_t - N_t share) t, as t is centred
    variance = share * (1 - share) * (total * t * t).sum()
    defined = variance > 0
    z = np.divide(score, np.sqrt(variance), out=np.full(k, np.nan), where=defined)
    fitted = _logistic_fit(n, total, t)
    expected = total * fitted
    pearson = ((n - expected) ** 2 / np.maximum(expected * (1 - fitted), 1e-12)).sum(axis=1)
    dispersion = np.maximum(pearson / (t_len - 2), 1.0)
    z = z / np.sqrt(dispersion)
    p = np.where(defined, norm.sf(z), np.nan)
    return TrendTest(z, p, np.where(defined, dispersion, np.nan))


def benjamini_hochberg(p: np.ndarray) -> np.ndarray:
    """Benjamini-Hochberg adjusted p-values (q-values) of the defined entries; NaN stays NaN.

    q_(i) = min over j >= i of p_(j) m / j, with the p-values sorted ascending and m the number
    of defined p-values; a front is a discovery at false-discovery rate alpha when q <= alpha.
    """
    p = np.asarray(p, dtype=np.float64)
    q = np.full(p.shape, np.nan)
    known = np.flatnonzero(np.isfinite(p))
    if known.size == 0:
        return q
    order = known[np.argsort(p[known], kind="stable")]
    m = known.size
    scaled = p[order] * m / np.arange(1, m + 1)
    q[order] = np.minimum(np.minimum.accumulate(scaled[::-1])[::-1], 1.0)
    return q
