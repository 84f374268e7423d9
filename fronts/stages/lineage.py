"""Stage `lineage`: link the run's fronts to those of the previous run; writes `front_lineage`.

The previous run is the one `runs.previous_run_id` names (the latest completed run when this
one first started, unless chosen). Its fronts keep the ids its own lineage gave them; a run made
before lineage existed gets the ids its fronts would have been born with.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from fronts.config import RunConfig
from fronts.embed import model_key
from fronts.embedding_cache import run_vectors
from fronts.errors import FrontsError
from fronts.lineage import RunFronts, centroids, link_runs, new_lineage_id
from fronts.stages.base import StageContext, StageResult
from fronts.store import fetch_one, read_table, write_tables


@dataclass(frozen=True)
class LineageResult(StageResult):
    previous_run_id: str | None
    born: int
    continued: int
    split: int
    merged: int
    faded: int


def _config_of(con: duckdb.DuckDBPyConnection, run_id: str) -> RunConfig:
    row = fetch_one(con, "SELECT config_json FROM runs WHERE run_id = ?", [run_id])
    return RunConfig.model_validate_json(row[0]) if row and row[0] else RunConfig()


def run_fronts(
    con: duckdb.DuckDBPyConnection, run_id: str, config: RunConfig, with_ids: bool
) -> tuple[RunFronts, str | None]:
    """A run's fronts, their members and centroids (and, `with_ids`, their lineage ids); with
    the model key its vectors were made with (None when it has none)."""
    fronts = read_table(con, "fronts", columns=["topic_id"], where="run_id = ?", params=[run_id])
    ids = fronts["topic_id"].to_list()
    members = read_table(
        con, "doc_topics", columns=["work_id", "topic_id"], where="run_id = ?", params=[run_id]
    ).filter(pl.col("topic_id").is_in(ids))
    if with_ids:
        known = read_table(
            con,
            "front_lineage",
            columns=["topic_id", "lineage_id"],
            where="run_id = ? AND topic_id IS NOT NULL",
            params=[run_id],
        )
        given = dict(known.rows())
        fronts = fronts.with_columns(
            lineage_id=pl.Series(
                [given.get(t) or new_lineage_id(run_id, t) for t in ids], dtype=pl.String
            )
        )
    else:
        fronts = fronts.with_columns(lineage_id=pl.lit(None, dtype=pl.String))
    try:
        key = model_key(config.embed)
        work_ids, vectors = run_vectors(con, key, run_id)
        found = centroids(members, work_ids, vectors)
    except FrontsError:  # no vectors (or its model is gone): members alone decide
        key, found = None, {}
    return RunFronts(run_id, fronts, members, found), key


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> LineageResult:
    """Link this run's fronts to the previous run's and record one row per front."""
    run_info = ctx.require_run()
    row = fetch_one(con, "SELECT previous_run_id FROM runs WHERE run_id = ?", [run_info.run_id])
    previous_id = row[0] if row else None
    current, key = run_fronts(con, run_info.run_id, ctx.config, with_ids=False)
    previous = None
    if previous_id is not None:
        previous, previous_key = run_fronts(
            con, previous_id, _config_of(con, previous_id), with_ids=True
        )
        if previous_key != key:  # vectors of two models: their centroids do not compare
            previous = RunFronts(previous.run_id, previous.fronts, previous.members, {})
    rows = link_runs(previous, current, ctx.config.lineage)
    own = ("run_id = ?", [run_info.run_id])
    write_tables(con, {"front_lineage": rows}, where={"front_lineage": own})
    counts = dict(rows.group_by("event").len().rows())
    return LineageResult(
        previous_id,
        *(int(counts.get(e, 0)) for e in ("born", "continued", "split", "merged", "faded")),
    )
