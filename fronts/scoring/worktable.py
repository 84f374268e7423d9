"""The work-level table every indicator is summed from: one row per work in the window.

Built once per run. Every topic indicator is then a weighted sum over these rows
(`fronts.scoring.indicators`), so a bootstrap resample only changes the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from fronts.schemas import OUTLIER

TOP_SHARE = 0.10  # the "top 10 %" of PP(top 10 %)
PER_YEAR_COVERAGE = 0.5  # share of a topic's cited works that must carry per-year counts
MIN_LOCAL_CITATIONS = 10  # local citations a topic needs before they are trusted as a series
BASES = ("per_year_counts", "local_citations", "times_cited_by_age", "none")
NO_CITATION_DATA = 3  # index of "none" in BASES


@dataclass(frozen=True)
class WorkTable:
    """Arrays over the n works of the window (sorted by work_id) and the K topics."""

    window: tuple[int, int]
    topic_ids: np.ndarray  # (K,) int64, sorted; includes -1 when some work is an outlier
    topic_idx: np.ndarray  # (n,) index into topic_ids
    year_idx: np.ndarray  # (n,) publication year - window start
    core: np.ndarray  # (n,) bool: assigned by the clustering itself (assignment 'cluster')
    similarity: np.ndarray  # (n,) cosine to the topic centroid; NaN when unknown
    age_norm: np.ndarray  # (n,) times_cited / (window_end - year + 1)
    top10: np.ndarray  # (n,) membership of the corpus top 10 % by age_norm, in [0, 1]
    cites: np.ndarray  # (n, T) citations per window year under the work's topic's basis
    basis: np.ndarray  # (K,) index into BASES
    work_ids: np.ndarray  # (n,) object: the work of each row (sorted)
    has_citations: bool = True  # False: the corpus carries no citation data at all

    @property
    def n_years(self) -> int:
        return self.window[1] - self.window[0] + 1

    @property
    def years(self) -> np.ndarray:
        return np.arange(self.window[0], self.window[1] + 1)

    @property
    def basis_names(self) -> list[str]:
        return [BASES[b] for b in self.basis]


def top_share_membership(values: np.ndarray, share: float = TOP_SHARE) -> np.ndarray:
    """Membership in the top `share` of `values`, with ties at the threshold shared fractionally.

    Works strictly above the threshold value count 1, works tied at it count the fraction that
    makes the memberships sum to exactly share * n (Waltman & Schreiber 2013, JASIST
    64(2):372-379, doi:10.1002/asi.22775). Works with value 0 never count: an uncited work is
    not highly cited, even when more than 90 % of the corpus is uncited.
    """
    n = values.size
    member = np.zeros(n)
    target = share * n
    if n == 0 or target <= 0:
        return member
    ranked = np.sort(values)[::-1]
    threshold = ranked[min(int(np.ceil(target)) - 1, n - 1)]
    if threshold <= 0:
        member[values > 0] = 1.0
        return member
    above = values > threshold
    tied = values == threshold
    member[above] = 1.0
    member[tied] = (target - above.sum()) / tied.sum()
    return member


def _scatter(
    n: int, t_len: int, rows: np.ndarray, cols: np.ndarray, vals: np.ndarray
) -> np.ndarray:
    out = np.zeros(n * t_len)
    np.add.at(out, rows * t_len + cols, vals)
    return out.reshape(n, t_len)


def build_worktable(
    works: pl.DataFrame,
    doc_topics: pl.DataFrame,
    citations: pl.DataFrame,
    window: tuple[int, int],
    extra_topic_ids: np.ndarray | None = None,
) -> WorkTable:
    """One row per work published in `window`, with its topic, flags and citation series.

    Works without a `doc_topics` row count as outliers (topic -1). `extra_topic_ids` adds topics
    that have no work in the window (e.g. every id of the `topics` table) so they get a row too.

    The citation series of each topic uses one basis, chosen on the topic's works:

    * ``per_year_counts`` when at least half of its *cited* works carry per-year counts
      (OpenAlex `counts_by_year`). Uncited works are left out of that share because OpenAlex
      gives them an empty list, like sources that have no per-year counts at all.
    * else ``local_citations`` when its works receive at least 10 citations from works of the
      corpus published in the window (dated by the citing work's year);
    * else ``times_cited_by_age``, a proxy: the row of a work holds times_cited / age in its own
      publication year only, and the topic's series is the mean over each year's cohort.
    """
    start, end = window
    t_len = end - start + 1
    frame = (
        works.select("work_id", "year", "times_cited", "citations_by_year")
        .filter(pl.col("year").is_between(start, end))
        .sort("work_id")
    )
    if frame["work_id"].is_duplicated().any():
        raise ValueError("works: work_id is not unique")
    assign = doc_topics.select("work_id", "topic_id", "assignment", "similarity")
    if assign["work_id"].is_duplicated().any():
        raise ValueError("doc_topics: work_id is not unique")
    # No times-cited value, no dated count and no resolved reference: the export carries no
    # citation data, and citation indicators are unknown (null), not zero.
    reported = (
        frame["times_cited"].is_not_null().any()
        or (frame["citations_by_year"].list.len().fill_null(0) > 0).any()
    )
    frame = frame.join(assign, on="work_id", how="left").with_columns(
        pl.col("topic_id").fill_null(OUTLIER),
        pl.col("times_cited").fill_null(0).clip(lower_bound=0),
        pl.col("citations_by_year").list.len().fill_null(0).alias("_n_by_year"),
    )
    n = frame.height
    year_idx = (frame["year"].to_numpy() - start).astype(np.int64)
    work_topics = frame["topic_id"].to_numpy().astype(np.int64)
    ids = np.unique(work_topics)
    if extra_topic_ids is not None:
        ids = np.unique(np.concatenate([ids, np.asarray(extra_topic_ids, dtype=np.int64)]))
    topic_idx = np.searchsorted(ids, work_topics)
    k = ids.size

    times_cited = frame["times_cited"].to_numpy().astype(np.float64)
    age_norm = times_cited / (end - year_idx - start + 1)
    row_of = {w: i for i, w in enumerate(frame["work_id"].to_list())}

    per_year = _per_year_matrix(frame, row_of, start, t_len)
    local = _local_matrix(citations, row_of, start, end, n, t_len)
    proxy = _scatter(n, t_len, np.arange(n), year_idx, age_norm)

    has_by_year = frame["_n_by_year"].to_numpy() > 0
    cited = has_by_year | (times_cited > 0)
    n_cited = np.bincount(topic_idx, weights=cited, minlength=k)
    n_by_year = np.bincount(topic_idx, weights=has_by_year, minlength=k)
    n_local = np.bincount(topic_idx, weights=local.sum(axis=1), minlength=k)
    basis = np.full(k, 2)
    basis[n_local >= MIN_LOCAL_CITATIONS] = 1
    per_year_ok = (n_cited > 0) & (n_by_year >= PER_YEAR_COVERAGE * n_cited)
    basis[per_year_ok] = 0
    work_basis = basis[topic_idx][:, None]
    cites = np.where(work_basis == 0, per_year, np.where(work_basis == 1, local, proxy))
    has_citations = bool(reported or local.any())
    if not has_citations:
        basis[:] = NO_CITATION_DATA

    similarity = frame["similarity"].cast(pl.Float64).fill_null(np.nan).to_numpy()
    return WorkTable(
        window=window,
        topic_ids=ids,
        topic_idx=topic_idx,
        year_idx=year_idx,
        core=(frame["assignment"] == "cluster").fill_null(False).to_numpy(),
        similarity=similarity,
        age_norm=age_norm,
        top10=top_share_membership(age_norm),
        cites=cites,
        basis=basis,
        work_ids=frame["work_id"].to_numpy().astype(object),
        has_citations=has_citations,
    )


def _per_year_matrix(frame: pl.DataFrame, row_of: dict, start: int, t_len: int) -> np.ndarray:
    exploded = (
        frame.select("work_id", "citations_by_year")
        .explode("citations_by_year")
        .drop_nulls("citations_by_year")
        .unnest("citations_by_year")
        .filter(pl.col("year").is_between(start, start + t_len - 1))
    )
    rows = np.array([row_of[w] for w in exploded["work_id"].to_list()], dtype=np.int64)
    cols = exploded["year"].to_numpy().astype(np.int64) - start
    vals = exploded["count"].fill_null(0).to_numpy().astype(np.float64)
    return _scatter(frame.height, t_len, rows, cols, vals)


def _local_matrix(
    citations: pl.DataFrame, row_of: dict, start: int, end: int, n: int, t_len: int
) -> np.ndarray:
    # A citing work counts once per cited work, even if two of its references resolve to it.
    links = (
        citations.select("citing_work_id", "cited_work_id", "citing_year")
        .drop_nulls()
        .filter(
            pl.col("citing_year").is_between(start, end)
            & pl.col("cited_work_id").is_in(list(row_of))
        )
        .unique(subset=["citing_work_id", "cited_work_id"])
        .group_by("cited_work_id", "citing_year")
        .len()
    )
    rows = np.array([row_of[w] for w in links["cited_work_id"].to_list()], dtype=np.int64)
    cols = links["citing_year"].to_numpy().astype(np.int64) - start
    return _scatter(n, t_len, rows, cols, links["len"].to_numpy().astype(np.float64))
