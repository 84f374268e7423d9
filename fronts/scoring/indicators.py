"""Topic indicators as weighted sums over the work table.

`indicators(table, weights)` is the one place where indicators are computed: with weights=None
it gives the point estimates, and with the multiplicities of a bootstrap resample it gives that
resample's values. Every sum is an `np.bincount`, so one call costs a few milliseconds at 30k
works. The formulas, parameters and sources are in docs/methodology.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from fronts.scoring.bursts import BURST_GAMMA, BURST_S, kleinberg_bursts
from fronts.scoring.worktable import WorkTable

PSEUDO_COUNT = 0.5  # add-half (Haldane-Anscombe) smoothing of shares: (n + 0.5) / (N + 1)


@dataclass(frozen=True)
class Indicators:
    """Per-topic indicators (K,) and per-topic-year series (K, T), in table.topic_ids order."""

    n_works: np.ndarray  # (K, T) works of the topic published each year
    corpus: np.ndarray  # (T,) works of the whole window each year (every topic and outliers)
    share: np.ndarray  # (K, T) n_works / corpus (NaN in a year without works)
    citations: np.ndarray  # (K, T) citation series on the topic's basis (NaN where undefined)
    size: np.ndarray
    growth: np.ndarray
    cagr_share: np.ndarray
    acceleration: np.ndarray
    growth_shrunk: np.ndarray  # growth shrunk toward the field's by its noise (shrink_to_field)
    acceleration_shrunk: np.ndarray
    mean_year: np.ndarray
    share_recent: np.ndarray
    burst_weight: np.ndarray
    burst_start: np.ndarray  # index into the window years; -1 when there is no burst
    burst_end: np.ndarray
    citation_growth: np.ndarray
    impact: np.ndarray
    share_top10: np.ndarray
    coherence: np.ndarray


def masked_slope(x: np.ndarray, y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Least-squares slope of each row of `y` on `x`, over the points where `mask` is True.

    Rows with fewer than two usable points (or no spread in x) get slope 0: no evidence of a
    trend is read as no trend, which is what a ranking needs.
    """
    m = np.broadcast_to(mask, y.shape).astype(np.float64)
    yv = np.where(m > 0, y, 0.0)
    count = m.sum(axis=-1)
    safe = np.maximum(count, 1.0)
    x_bar = (m * x).sum(axis=-1) / safe
    y_bar = (m * yv).sum(axis=-1) / safe
    dx = x - x_bar[..., None]
    sxx = (m * dx * dx).sum(axis=-1)
    sxy = (m * dx * (yv - y_bar[..., None])).sum(axis=-1)
    ok = (count >= 2) & (sxx > 0)
    return np.divide(sxy, sxx, out=np.zeros_like(sxy), where=ok)


def slope_variance(x: np.ndarray, variance: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sampling variance of `masked_slope` when each point of a row has its own `variance`:
    sum over the points of ((x - mean x) / Sxx)^2 x variance; infinite without a slope."""
    m = np.broadcast_to(mask, variance.shape).astype(np.float64)
    count = np.maximum(m.sum(axis=-1), 1.0)
    x_bar = (m * x).sum(axis=-1) / count
    dx = x - x_bar[..., None]
    sxx = (m * dx * dx).sum(axis=-1)
    weight = np.divide(dx, sxx[..., None], out=np.zeros_like(dx), where=sxx[..., None] > 0)
    out = (m * weight * weight * variance).sum(axis=-1)
    return np.where(sxx > 0, out, np.inf)


def shrink_to_field(estimate: np.ndarray, variance: np.ndarray) -> np.ndarray:
    """Empirical-Bayes shrinkage of per-front estimates toward the field's (James & Stein 1961;
    Efron & Morris 1975): each moves toward the precision-weighted mean of all fronts by
    variance / (variance + tau^2), where tau^2, the true spread of the fronts beyond their
    noise, is DerSimonian & Laird's (1986) moment estimate. A small front's noisy growth moves
    most: its extreme value is mostly noise, which the next years undo (regression to the
    mean)."""
    ok = np.isfinite(estimate) & np.isfinite(variance) & (variance > 0)
    if ok.sum() < 3:
        return estimate.copy()
    e, w = estimate[ok], 1.0 / variance[ok]
    centre = float(np.sum(w * e) / np.sum(w))
    q = float(np.sum(w * (e - centre) ** 2))
    tau2 = max(0.0, (q - (e.size - 1)) / (np.sum(w) - np.sum(w * w) / np.sum(w)))
    keep = np.divide(tau2, tau2 + variance, out=np.zeros_like(variance), where=ok)
    return np.where(ok, centre + keep * (estimate - centre), estimate)


def _ratio(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    return np.divide(num, den, out=np.full(np.shape(num), np.nan), where=den > 0)


def _halves(t_len: int) -> tuple[slice, slice]:
    """The earlier and the recent half of the window; they share the middle year when T is odd."""
    half = (t_len + 1) // 2
    return slice(0, half), slice(t_len - half, t_len)


def indicators(
    table: WorkTable,
    weights: np.ndarray | None = None,
    recent_years: int = 2,
    burst_s: float = BURST_S,
    burst_gamma: float = BURST_GAMMA,
) -> Indicators:
    """Every topic indicator, from the works weighted by `weights` (None = each work once).

    * growth, cagr_share, acceleration: trend of the topic's smoothed share of the corpus, the
      "relatively fast growth" attribute of emergence (Rotolo, Hicks & Martin 2015, Research
      Policy 44(10):1827-1843, doi:10.1016/j.respol.2015.06.006);
    * mean_year: mean publication year of the core works, the ESI "currency" of a front (Small
      2006, Scientometrics 68(3):595-610, doi:10.1007/s11192-006-0132-y); share_recent;
    * burst_weight / burst_start / burst_end: Kleinberg (2003) bursts of the yearly counts
      against the corpus (`fronts.scoring.bursts`);
    * citation_growth: slope of log(1 + citations per year) on the topic's citation basis;
    * impact: mean age-normalised citations; share_top10: PP(top 10 %) with fractional ties
      (Waltman & Schreiber 2013, doi:10.1002/asi.22775);
    * coherence: mean cosine similarity of the works to their topic centroid.
    """
    n = table.topic_idx.size
    w = np.ones(n) if weights is None else np.asarray(weights, dtype=np.float64)
    k, t_len = table.topic_ids.size, table.n_years
    years = table.years.astype(np.float64)
    topic = table.topic_idx

    def per_topic(values: np.ndarray) -> np.ndarray:
        return np.bincount(topic, weights=w * values, minlength=k)

    n_works = np.bincount(topic * t_len + table.year_idx, weights=w, minlength=k * t_len).reshape(
        k, t_len
    )
    corpus = n_works.sum(axis=0)
    size = n_works.sum(axis=1)
    share = _ratio(n_works, np.broadcast_to(corpus, n_works.shape))

    # Growth of the share, smoothed so that empty years have a finite logarithm.
    has_corpus = corpus > 0
    smooth = (n_works + PSEUDO_COUNT) / (corpus + 2 * PSEUDO_COUNT)
    log_share = np.log(smooth)
    growth = masked_slope(years, log_share, has_corpus)
    early, recent = _halves(t_len)
    acceleration = masked_slope(years[recent], log_share[:, recent], has_corpus[recent])
    acceleration = acceleration - masked_slope(years[early], log_share[:, early], has_corpus[early])
    # The log share's sampling variance in a year is about 1 / (works + 0.5) (delta method for
    # a small binomial share); a front of a few works a year has a very noisy trend.
    noise = np.broadcast_to(1.0 / (n_works + PSEUDO_COUNT), n_works.shape)
    growth_var = slope_variance(years, noise, has_corpus)
    accel_var = slope_variance(years[recent], noise[:, recent], has_corpus[recent])
    accel_var = accel_var + slope_variance(years[early], noise[:, early], has_corpus[early])
    valid_years = np.flatnonzero(has_corpus)
    if valid_years.size >= 2:
        first, last = valid_years[0], valid_years[-1]
        ratio = smooth[:, last] / smooth[:, first]
        cagr_share = ratio ** (1.0 / (years[last] - years[first])) - 1.0
    else:
        cagr_share = np.zeros(k)

    # Currency: mean year of the core works; a topic whose resample lost them falls back to all.
    core = table.core.astype(np.float64)
    year_of = years[table.year_idx]
    mean_year = np.where(
        per_topic(core) > 0,
        _ratio(per_topic(core * year_of), per_topic(core)),
        _ratio(per_topic(year_of), size),
    )
    recent_start = t_len - min(recent_years, t_len)
    share_recent = _ratio(n_works[:, recent_start:].sum(axis=1), size)

    bursts = kleinberg_bursts(
        n_works, np.broadcast_to(corpus, n_works.shape), s=burst_s, gamma=burst_gamma
    )

    citations, cite_mask = _citation_series(table, w, n_works)
    citation_growth = masked_slope(years, np.log1p(np.where(cite_mask, citations, 0.0)), cite_mask)

    sim_known = ~np.isnan(table.similarity)
    coherence = _ratio(
        per_topic(np.where(sim_known, table.similarity, 0.0)), per_topic(sim_known.astype(float))
    )
    impact = _ratio(per_topic(table.age_norm), size)
    share_top10 = _ratio(per_topic(table.top10), size)
    # A topic with no works in the window (or in a resample) has no trend, only absence.
    empty = size == 0
    growth, cagr_share, acceleration, citation_growth = (
        np.where(empty, np.nan, v) for v in (growth, cagr_share, acceleration, citation_growth)
    )
    growth_shrunk = shrink_to_field(growth, growth_var)
    acceleration_shrunk = shrink_to_field(acceleration, accel_var)
    if not table.has_citations:  # unknown, not zero: the corpus carries no citation data
        citation_growth, impact, share_top10 = (np.full(k, np.nan) for _ in range(3))
        cite_mask = np.zeros_like(cite_mask)
    return Indicators(
        n_works=n_works,
        corpus=corpus,
        share=share,
        citations=np.where(cite_mask, citations, np.nan),
        size=size,
        growth=growth,
        cagr_share=cagr_share,
        acceleration=acceleration,
        growth_shrunk=growth_shrunk,
        acceleration_shrunk=acceleration_shrunk,
        mean_year=mean_year,
        share_recent=share_recent,
        burst_weight=bursts.weight,
        burst_start=bursts.start,
        burst_end=bursts.end,
        citation_growth=citation_growth,
        impact=impact,
        share_top10=share_top10,
        coherence=coherence,
    )


def _citation_series(
    table: WorkTable, w: np.ndarray, n_works: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Citations per year per topic, and where that value is defined.

    Counted bases (per-year counts, local citations) sum the citations the topic's works receive
    each year; every window year is defined. The times-cited proxy averages times_cited / age
    over each publication-year cohort; a year with no cohort is undefined.
    """
    k, t_len = n_works.shape
    sums = np.stack(
        [
            np.bincount(table.topic_idx, weights=w * table.cites[:, t], minlength=k)
            for t in range(t_len)
        ],
        axis=1,
    )
    proxy = (table.basis == 2)[:, None]
    series = np.where(proxy, _ratio(sums, n_works), sums)
    mask = np.where(proxy, n_works > 0, True)
    return series, mask
