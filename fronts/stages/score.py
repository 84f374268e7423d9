"""Stage `score`: indicators, ranking, forecasts and front similarities of the run's topics.

Writes `topic_year_counts`, `topic_scores`, `fronts`, `front_forecasts` and
`front_similarities` (everything the report shows is computed here, so analysts find it in the
warehouse).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from fronts.embed import model_key
from fronts.embedding_cache import run_vectors
from fronts.errors import FrontsError
from fronts.runs import run_works
from fronts.stages.base import StageContext, StageResult
from fronts.store import read_table, write_tables


@dataclass(frozen=True)
class ScoreResult(StageResult):
    n_fronts: int
    n_off_topic: int
    n_supported: int


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> ScoreResult:
    """Score every topic of the run and rank the fronts; one transaction for all five tables."""
    from fronts.scoring import score_topics  # scipy and scikit-learn take a while to import

    run_info = ctx.require_run()
    config = ctx.config
    own = ("run_id = ?", [run_info.run_id])
    doc_topics = read_table(con, "doc_topics", where=own[0], params=own[1])
    topics = read_table(con, "topics", where=own[0], params=own[1])
    citations = con.sql(
        "SELECT c.* FROM citations c JOIN doc_topics d "
        "ON d.work_id = c.cited_work_id AND d.run_id = ? ORDER BY c.citing_work_id, c.cited_key",
        params=[run_info.run_id],
    ).pl()
    try:
        vectors = run_vectors(con, model_key(config.embed), run_info.run_id)
    except FrontsError:  # a run scored without embeddings: no off-topic flag (see score_topics)
        vectors = None
    result = score_topics(
        run_works(con, run_info),
        doc_topics,
        topics,
        citations,
        run_info.window,
        config.score,
        config.seed,
        vectors=vectors,
    )
    frames = result.frames()
    write_tables(
        con,
        {name: df.with_columns(run_id=pl.lit(run_info.run_id)) for name, df in frames.items()},
        where=dict.fromkeys(frames, own),
    )
    fronts = result.fronts
    return ScoreResult(
        fronts.height, int(fronts["off_topic"].sum()), int(fronts["supported"].sum())
    )
