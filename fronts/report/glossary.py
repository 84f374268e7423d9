"""The words of the report: what each indicator means, how it was computed, how it is shown.

One place for these texts, so that the overview's column notes, every dossier's indicator table
and the method appendix say the same thing. The formulas are those of `fronts.scoring`; see
docs/methodology.md for the literature behind each.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Indicator:
    key: str
    name: str
    meaning: str
    how: str
    fmt: str  # a key of FORMATS
    z_key: str | None = None  # a robust z-score shown after the value, when there is one


INDICATORS: tuple[Indicator, ...] = (
    Indicator(
        "size",
        "Works",
        "How large the front is.",
        "Works of the analysis window assigned to the front, after outliers were moved to their "
        "nearest topic.",
        "int",
    ),
    Indicator(
        "growth",
        "Share growth",
        "How fast the front's share of all publications rises (or falls) each year.",
        "Least-squares slope of log((n + ½) / (N + 1)) on the year, n = the front's works and "
        "N = all works that year; shown as exp(slope) − 1 per year.",
        "rate",
    ),
    Indicator(
        "growth_z",
        "Share trend z",
        "How clearly the share rises beyond year-to-year noise; 'significant' when a rise this "
        "clear would be a false alarm for at most 10 % of the fronts so marked.",
        "Cochran-Armitage trend test of the front's works out of all works per year, divided "
        "by the square root of the overdispersion of a logistic-trend fit; one-sided p-values "
        "adjusted over all fronts by Benjamini-Hochberg (q).",
        "signed",
    ),
    Indicator(
        "cagr_share",
        "Share CAGR",
        "Average yearly growth of the share between the window's first and last year.",
        "((share in the last year) / (share in the first year))^(1 / years) − 1, "
        "on the smoothed shares.",
        "pct_signed",
    ),
    Indicator(
        "acceleration",
        "Acceleration",
        "Whether growth is speeding up (positive) or slowing down (negative).",
        "Slope of the log share over the recent half of the window minus the slope over the "
        "earlier half.",
        "signed",
    ),
    Indicator(
        "mean_year",
        "Mean year",
        "How recent the front's foundation is (ESI's 'mean year of core papers').",
        "Mean publication year of the works the clustering itself put in the front.",
        "year",
    ),
    Indicator(
        "share_recent",
        "Recent share",
        "How much of the front was published in the last years of the window.",
        "Share of the front's works published in the last `score.recent_years` years.",
        "pct",
    ),
    Indicator(
        "burst_weight",
        "Burst",
        "Whether the front's output jumped abruptly above its usual rate.",
        "Weight of the strongest Kleinberg (2003) two-state burst in the yearly counts, "
        "relative to the corpus; 0 = no burst.",
        "burst",
    ),
    Indicator(
        "citation_growth",
        "Citation growth",
        "How fast the citations the front receives rise each year.",
        "Least-squares slope of log(1 + citations received per year) on the year; shown as "
        "exp(slope) − 1 per year. The basis of the count is given below the table.",
        "rate",
    ),
    Indicator(
        "impact",
        "Impact",
        "How much the front's works are cited, fair to young papers.",
        "Mean over its works of times cited / (years since publication + 1).",
        "float",
    ),
    Indicator(
        "share_top10",
        "Top-10 % share",
        "How many of its works are among the corpus's most cited.",
        "Share of its works in the top 10 % of the corpus by age-normalised citations.",
        "pct",
    ),
    Indicator(
        "coherence",
        "Coherence",
        "How tightly the front's works hang together in meaning.",
        "Mean cosine similarity of its works' embeddings to the front's centroid.",
        "float",
    ),
    Indicator(
        "core_similarity",
        "Core similarity",
        "How close the front is in meaning to the corpus as a whole; far below the other "
        "fronts (together with a low term relevance) marks it off-topic.",
        "Cosine of the front's centroid to the centroid of every work of the window; in "
        "brackets its robust z-score across fronts (median and MAD).",
        "float",
        "core_similarity_z",
    ),
    Indicator(
        "term_relevance",
        "Term relevance",
        "Whether the rest of the corpus uses the front's vocabulary: an on-topic niche still "
        "speaks the corpus's language.",
        "Mean over the front's top terms of the share of the works outside it whose title or "
        "abstract contains the term; in brackets the robust z-score of its logarithm.",
        "pct_fine",
        "term_relevance_z",
    ),
    Indicator(
        "emergence",
        "Emergence",
        "The emergence composite alone: growth, acceleration, novelty, bursts.",
        "Weighted sum of the z-scores (across fronts) of growth, acceleration, mean year and "
        "burst weight.",
        "signed",
    ),
    Indicator(
        "score",
        "Score",
        "The ranking composite: fronts are ranked by it.",
        "Weighted sum of the z-scores of every indicator; the weights are in the method "
        "appendix. 0 = an average front.",
        "signed",
    ),
    Indicator(
        "rank_interval",
        "Rank interval",
        "How sure the rank is: the range the rank stays in when the corpus is resampled.",
        "5th to 95th percentile of the rank over bootstrap resamples of the works, topics "
        "held fixed.",
        "text",
    ),
    Indicator(
        "p_top_n",
        "P(top N)",
        "The chance the front would still be in the top N with a different sample of papers.",
        "Share of bootstrap resamples in which the front ranks in the top N.",
        "pct",
    ),
)

CITATION_BASES = {
    "per_year_counts": (
        "dated citation counts",
        "citations received in each year, as the source counted them (OpenAlex counts_by_year)",
    ),
    "local_citations": (
        "citations within the corpus",
        "citations from works of this corpus, dated by the citing work's year; citations from "
        "outside the corpus are not seen",
    ),
    "times_cited_by_age": (
        "times-cited proxy",
        "no dated citations were available: each year's value is the mean times cited per year "
        "of age of the works published that year, a proxy that favours no cohort",
    ),
    "none": (
        "no citation data",
        "the corpus's exports carry no citation counts and no references that resolve to its "
        "works: citation indicators are unknown, shown as no citation data, never as 0",
    ),
}

CLASSES = {
    "hot": "large, recent and rising: among the largest quarter of fronts, with a mean year at "
    "or above the median and a share of the corpus that grows",
    "emerging": "very recent and rising: not hot, in the most recent quarter of fronts by mean "
    "year or by recent share, with a share that grows significantly (the trend test), citations "
    "not falling where the corpus has them, and supported by several years, venues and author "
    "groups",
    "established": "neither hot nor emerging",
}


OFF_TOPIC = (
    "far from the corpus's core both in meaning (core similarity) and in vocabulary (term "
    "relevance), as clusters caught by a search word rather than the subject are; it is ranked "
    "after every on-topic front, its P(top {n}) is 0 and it never counts in the top {n}: "
    "editors may leave it out"
)  # .format(n=the report's N)
UNSUPPORTED = (
    "thin support: too few works, years, venues or author groups, or too many works in one "
    "venue-year (one special issue, one book, one lab); possibly an event rather than a "
    "movement, and never classed emerging"
)
OUTLIER_MEMBERS = (
    "Works the clustering left outside the front's core (reassigned or unassigned) that lie as "
    "close to its centre as its typical core work; the share is of the core plus these works"
)


def basis_label(basis: str | None) -> str:
    return CITATION_BASES.get(basis or "", (basis or "unknown", ""))[0]


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def fmt(value: Any, kind: str) -> str:
    """A value as the report prints it; missing or undefined values print as an en dash."""
    if kind == "text":
        return "–" if value in (None, "") else str(value)
    if not _finite(value):
        return "–"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "rate":  # a slope of a logarithm, per year
        return f"{math.expm1(value) * 100:+.0f} %/yr"
    if kind == "pct":
        return f"{value * 100:.0f} %"
    if kind == "pct_fine":  # small shares of the corpus
        return f"{value * 100:.2f} %"
    if kind == "pct_signed":
        return f"{value * 100:+.0f} %"
    if kind == "year":
        return f"{value:.1f}"
    if kind == "signed":
        return f"{value:+.2f}"
    if kind == "burst":
        return "none" if value == 0 else f"{value:.2f}"
    if kind == "q":  # a false-discovery-adjusted p-value
        return "< 0.001" if value < 0.001 else f"{value:.3f}"
    return f"{value:.2f}"
