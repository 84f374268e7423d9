"""`score_topics`: from works, topics and citations to the three score tables of a run."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from fronts.config import ScoreConfig
from fronts.schemas import FRONTS, TOPIC_SCORES, TOPIC_YEAR_COUNTS, Table
from fronts.scoring.indicators import Indicators, indicators
from fronts.scoring.rank import Ranking, classify, rank_topics
from fronts.scoring.worktable import WorkTable, build_worktable


@dataclass(frozen=True)
class ScoreResult:
    """The frames of the `topic_year_counts`, `topic_scores` and `fronts` tables, without run_id."""

    topic_year_counts: pl.DataFrame
    topic_scores: pl.DataFrame
    fronts: pl.DataFrame


def _schema_without_run_id(table: Table) -> pl.Schema:
    return pl.Schema({k: v for k, v in table.schema.items() if k != "run_id"})


def _frame(columns: dict[str, object], table: Table) -> pl.DataFrame:
    """A frame with the table's columns (minus run_id), in order; NaN becomes null."""
    schema = _schema_without_run_id(table)
    df = pl.DataFrame({name: columns[name] for name in schema}, schema_overrides=dict(schema))
    floats = [n for n, t in schema.items() if t == pl.Float64]
    return df.with_columns(pl.col(floats).fill_nan(None)).cast(dict(schema))


def score_topics(
    works: pl.DataFrame,
    doc_topics: pl.DataFrame,
    topics: pl.DataFrame,
    citations: pl.DataFrame,
    window: tuple[int, int],
    config: ScoreConfig,
    seed: int,
) -> ScoreResult:
    """Score every topic of a run and rank the fronts, with bootstrap rank intervals.

    `works` holds the works of the window (others are ignored); `doc_topics` their topics
    (-1 = outlier; works missing from it count as outliers); `topics` the topic labels and terms;
    `citations` the citation links (only those pointing at a work of the window are used). The
    same inputs and seed give identical frames. Indicators and their sources are described in
    docs/_methodology/scoring.md.
    """
    known_topics = topics["topic_id"].to_numpy().astype(np.int64)
    table = build_worktable(
        works, doc_topics, citations, window, extra_topic_ids=known_topics[known_topics >= 0]
    )
    point = indicators(table, recent_years=config.recent_years)
    ranking = rank_topics(table, point, config, seed)
    return ScoreResult(
        topic_year_counts=_year_counts(table, point),
        topic_scores=_topic_scores(table, point, ranking),
        fronts=_fronts(table, point, ranking, topics),
    )


def _year_counts(table: WorkTable, ind: Indicators) -> pl.DataFrame:
    k, t_len = ind.n_works.shape
    return _frame(
        {
            "topic_id": np.repeat(table.topic_ids, t_len),
            "year": np.tile(table.years, k).astype(np.int32),
            "n_works": np.rint(ind.n_works).astype(np.int64).ravel(),
            "share": ind.share.ravel(),
            "citations": ind.citations.ravel(),
        },
        TOPIC_YEAR_COUNTS,
    )


def _burst_year(table: WorkTable, index: np.ndarray) -> list[int | None]:
    return [int(table.window[0] + i) if i >= 0 else None for i in index]


def _topic_scores(table: WorkTable, ind: Indicators, ranking: Ranking) -> pl.DataFrame:
    rows = np.flatnonzero(table.topic_ids >= 0)
    emergence = np.full(table.topic_ids.size, np.nan)
    score = np.full(table.topic_ids.size, np.nan)
    emergence[ranking.rankable] = ranking.emergence
    score[ranking.rankable] = ranking.score
    basis = np.array(table.basis_names, dtype=object)
    return _frame(
        {
            "topic_id": table.topic_ids[rows],
            "size": np.rint(ind.size[rows]).astype(np.int64),
            "growth": ind.growth[rows],
            "cagr_share": ind.cagr_share[rows],
            "acceleration": ind.acceleration[rows],
            "mean_year": ind.mean_year[rows],
            "share_recent": ind.share_recent[rows],
            "burst_weight": ind.burst_weight[rows],
            "burst_start": _burst_year(table, ind.burst_start[rows]),
            "burst_end": _burst_year(table, ind.burst_end[rows]),
            "citation_growth": ind.citation_growth[rows],
            "citation_basis": basis[rows].tolist(),
            "impact": ind.impact[rows],
            "share_top10": ind.share_top10[rows],
            "coherence": ind.coherence[rows],
            "emergence": emergence[rows],
            "score": score[rows],
        },
        TOPIC_SCORES,
    )


def _fronts(
    table: WorkTable, ind: Indicators, ranking: Ranking, topics: pl.DataFrame
) -> pl.DataFrame:
    rows = ranking.rankable
    ids = table.topic_ids[rows]
    meta = topics.select("topic_id", "label", "top_terms").unique("topic_id", keep="first")
    by_id = {r["topic_id"]: r for r in meta.iter_rows(named=True)}
    frame = _frame(
        {
            "rank": ranking.rank,
            "rank_low": ranking.rank_low,
            "rank_high": ranking.rank_high,
            "p_top_n": ranking.p_top_n,
            "score": ranking.score,
            "emergence": ranking.emergence,
            "citation_growth": ind.citation_growth[rows],
            "class": classify(ind, rows).tolist(),
            "label": [by_id.get(int(t), {}).get("label") for t in ids],
            "top_terms": [by_id.get(int(t), {}).get("top_terms") for t in ids],
            "size": np.rint(ind.size[rows]).astype(np.int64),
            "topic_id": ids,
            "growth": ind.growth[rows],
            "mean_year": ind.mean_year[rows],
        },
        FRONTS,
    )
    return frame.sort("rank")
