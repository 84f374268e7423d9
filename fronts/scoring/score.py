"""`score_topics`: from works, topics and citations to the three score tables of a run."""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import polars as pl

from fronts.config import ScoreConfig
from fronts.schemas import FRONTS, TOPIC_SCORES, TOPIC_YEAR_COUNTS, Table
from fronts.scoring.forecast import front_forecasts
from fronts.scoring.indicators import Indicators, indicators
from fronts.scoring.membership import Membership, outlier_membership
from fronts.scoring.rank import Ranking, classify, rank_topics, rankable_rows
from fronts.scoring.relevance import Relevance, topic_relevance
from fronts.scoring.similarity import front_similarities
from fronts.scoring.support import Support, frame_fields, topic_support
from fronts.scoring.trend import benjamini_hochberg, share_trend
from fronts.scoring.worktable import WorkTable, build_worktable

Vectors = tuple[list[str], np.ndarray]  # work ids and their embeddings, as load_run_vectors gives


@dataclass(frozen=True)
class Robustness:
    """Off-topic evidence, support and outlier membership of every topic (K,)."""

    relevance: Relevance
    support: Support
    membership: Membership


@dataclass(frozen=True)
class ScoreResult:
    """The frames of the score stage's tables (`topic_year_counts`, `topic_scores`, `fronts`,
    `front_forecasts`, `front_similarities`), without run_id."""

    topic_year_counts: pl.DataFrame
    topic_scores: pl.DataFrame
    fronts: pl.DataFrame
    front_forecasts: pl.DataFrame
    front_similarities: pl.DataFrame

    def frames(self) -> dict[str, pl.DataFrame]:
        """{table name: frame}, in the order the tables are documented."""
        return {
            "topic_year_counts": self.topic_year_counts,
            "topic_scores": self.topic_scores,
            "fronts": self.fronts,
            "front_forecasts": self.front_forecasts,
            "front_similarities": self.front_similarities,
        }


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
    vectors: Vectors | None = None,
) -> ScoreResult:
    """Score every topic of a run and rank the fronts, with bootstrap rank intervals.

    `works` holds the works of the window (others are ignored); `doc_topics` their topics
    (-1 = outlier; works missing from it count as outliers); `topics` the topic labels and terms;
    `citations` the citation links (only those pointing at a work of the window are used);
    `vectors` the works' embeddings (ids, matrix), needed for the off-topic flag and to place
    unassigned outliers (without them no front is flagged off-topic). Venue, authors, title and
    abstract of `works` feed support and term relevance when present. The same inputs and seed
    give identical frames. Indicators and their sources are described in
    docs/methodology.md.
    """
    known_topics = topics["topic_id"].to_numpy().astype(np.int64)
    table = build_worktable(
        works, doc_topics, citations, window, extra_topic_ids=known_topics[known_topics >= 0]
    )
    point = indicators(table, recent_years=config.recent_years)
    robust = robustness(table, point, works, topics, config, vectors)
    ranking = rank_topics(table, point, config, seed, robust.relevance.off_topic)
    fronts = _fronts(table, point, ranking, topics, robust, config.growth_fdr)
    rows = ranking.rankable
    return ScoreResult(
        topic_year_counts=_year_counts(table, point),
        topic_scores=_topic_scores(table, point, ranking, robust),
        fronts=fronts,
        front_forecasts=front_forecasts(
            table.years, point.n_works[rows], point.corpus, table.topic_ids[rows]
        ),
        front_similarities=_similarities(table, doc_topics, vectors, table.topic_ids[rows]),
    )


def _similarities(
    table: WorkTable, doc_topics: pl.DataFrame, vectors: Vectors | None, front_ids: np.ndarray
) -> pl.DataFrame:
    """Centroid similarities of the fronts: from the embeddings, else from the 2-D map."""
    labels = table.topic_ids[table.topic_idx]
    if vectors is not None:
        return front_similarities(front_ids, labels, _aligned_vectors(table, vectors), "embeddings")
    if not {"x", "y"} <= set(doc_topics.columns):  # no map either: no similarities
        return front_similarities(front_ids, labels[:0], np.empty((0, 2)), "map")
    placed = doc_topics.filter(pl.col("x").is_not_null() & (pl.col("topic_id") >= 0))
    return front_similarities(
        front_ids,
        placed["topic_id"].to_numpy(),
        placed.select("x", "y").to_numpy(),
        "map",
    )


def _aligned_vectors(table: WorkTable, vectors: Vectors | None) -> np.ndarray | None:
    """The embeddings in the work table's row order; a work without one gets a zero vector,
    which adds nothing to any centroid and is similar to nothing."""
    if vectors is None:
        return None
    ids, matrix = vectors
    matrix = np.asarray(matrix)
    row = {w: i for i, w in enumerate(ids)}
    out = np.zeros((table.work_ids.size, matrix.shape[1]), dtype=np.float64)
    pos = np.array([row.get(w, -1) for w in table.work_ids], dtype=np.int64)
    out[pos >= 0] = matrix[pos[pos >= 0]]
    return out


def _texts(table: WorkTable, works: pl.DataFrame) -> list[str] | None:
    if "title" not in works.columns or "abstract" not in works.columns:
        return None
    from fronts.embed import build_texts

    order = pl.DataFrame({"work_id": table.work_ids.tolist()}, schema={"work_id": pl.String})
    text = order.join(
        build_texts(works.select("work_id", "title", "abstract")).select("work_id", "text"),
        on="work_id",
        how="left",
        maintain_order="left",
    )
    return text["text"].fill_null("").to_list()


def robustness(
    table: WorkTable,
    point: Indicators,
    works: pl.DataFrame,
    topics: pl.DataFrame,
    config: ScoreConfig,
    vectors: Vectors | None,
) -> Robustness:
    """Off-topic flag, support and outlier membership (docs/methodology.md)."""
    unit = _aligned_vectors(table, vectors)
    k = table.topic_ids.size
    reference = np.zeros(k, dtype=bool)
    reference[rankable_rows(table, point, config.min_topic_size)] = True
    relevance = topic_relevance(
        table.topic_idx,
        table.topic_ids,
        reference,
        topics,
        _texts(table, works),
        unit,
        config.off_topic.similarity_z,
        config.off_topic.relevance_z,
    )
    if not config.off_topic.enabled:
        relevance = replace(relevance, off_topic=np.zeros(k, dtype=bool))
    venues, authors = frame_fields(works, table.work_ids)
    support = topic_support(table.topic_idx, table.year_idx, k, venues, authors, config.support)
    membership = outlier_membership(
        table.topic_idx, table.topic_ids, table.core, table.similarity, unit
    )
    return Robustness(relevance, support, membership)


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


def _topic_scores(
    table: WorkTable, ind: Indicators, ranking: Ranking, robust: Robustness
) -> pl.DataFrame:
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
            **_robust_columns(robust, rows),
        },
        TOPIC_SCORES,
    )


def _robust_columns(robust: Robustness, rows: np.ndarray) -> dict[str, np.ndarray]:
    rel, sup, mem = robust.relevance, robust.support, robust.membership
    return {
        "core_similarity": rel.core_similarity[rows],
        "core_similarity_z": rel.core_similarity_z[rows],
        "term_relevance": rel.term_relevance[rows],
        "term_relevance_z": rel.term_relevance_z[rows],
        "off_topic": rel.off_topic[rows],
        "n_years": sup.n_years[rows],
        "n_venues": sup.n_venues[rows],
        "n_author_groups": sup.n_author_groups[rows],
        "max_venue_year_share": sup.max_venue_year_share[rows],
        "supported": sup.supported[rows],
        "n_outlier_members": mem.n_outlier_members[rows],
        "outlier_membership": mem.outlier_membership[rows],
    }


def _fronts(
    table: WorkTable,
    ind: Indicators,
    ranking: Ranking,
    topics: pl.DataFrame,
    robust: Robustness,
    growth_fdr: float,
) -> pl.DataFrame:
    rows = ranking.rankable
    off_topic = robust.relevance.off_topic[rows]
    ids = table.topic_ids[rows]
    trend = share_trend(ind.n_works[rows], ind.corpus, table.years)
    growth_q = benjamini_hochberg(trend.p)
    growing = np.nan_to_num(growth_q, nan=1.0) <= growth_fdr
    meta = topics.select("topic_id", "label", "top_terms").unique("topic_id", keep="first")
    n_core = np.bincount(
        table.topic_idx, weights=table.core.astype(np.float64), minlength=table.topic_ids.size
    ).astype(np.int64)
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
            "class": classify(
                ind,
                rows,
                robust.support.supported[rows],
                ~off_topic if (~off_topic).any() else None,
                growing,
            ).tolist(),
            "label": [by_id.get(int(t), {}).get("label") for t in ids],
            "top_terms": [by_id.get(int(t), {}).get("top_terms") for t in ids],
            "size": np.rint(ind.size[rows]).astype(np.int64),
            "topic_id": ids,
            "growth": ind.growth[rows],
            "growth_z": trend.z,
            "growth_q": growth_q,
            "growing": growing,
            "mean_year": ind.mean_year[rows],
            "off_topic": off_topic,
            "supported": robust.support.supported[rows],
            "outlier_membership": robust.membership.outlier_membership[rows],
            "n_core": n_core[rows],
            "n_assigned": np.rint(ind.size[rows]).astype(np.int64) - n_core[rows],
        },
        FRONTS,
    )
    return frame.sort("rank")
