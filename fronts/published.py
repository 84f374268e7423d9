"""The fronts of a run as they are published: ranked, with their lineage, ids and titles.

`published_fronts` is what `fronts show` prints (and `--json` writes) and what the report's
list shows: one row per front of the run with its lasting `lineage_id`, its lineage `event`, its
title (the machine label unless the experts gave one) and its status. `run_registry` is the
list of runs `fronts runs` prints.
"""

from __future__ import annotations

import duckdb
import polars as pl

from fronts.curation import apply_curation, effective, lineage_parents, read_log
from fronts.errors import FrontsError
from fronts.lineage import new_lineage_id
from fronts.store import fetch_one

# The columns of a published front, in order (the JSON keys of `fronts show --json`).
FRONT_KEYS = (
    "run_id",
    "lineage_id",
    "rank",
    "machine_rank",
    "topic_id",
    "label",
    "machine_title",
    "title",
    "title_zh",
    "size",
    "n_core",
    "n_assigned",
    "class",
    "status",
    "merged_into",
    "published",
    "published_rank",
    "needs_review",
    "event",
    "predecessor_lineage_ids",
    "notes",
    "cases",
    "rank_low",
    "rank_high",
    "p_top_n",
    "score",
    "emergence",
    "growth",
    "growth_per_year",
    "growing",
    "citation_growth",
    "mean_year",
    "off_topic",
    "supported",
    "broad",
)


def published_fronts(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    """The run's fronts in the machine's rank order, with their lineage and the experts'
    curation applied (`fronts.curation.apply_curation`): `rank` counts the fronts still ranked
    (null for excluded and merged ones), `machine_rank` is the run's own rank.

    `growth_per_year` is the share growth as a rate, exp(growth) - 1 (growth is a log slope).
    A run made before lineage was recorded gives its fronts the ids they would have been born
    with and no event.
    """
    if fetch_one(con, "SELECT 1 FROM runs WHERE run_id = ?", [run_id]) is None:
        raise FrontsError(f"no run {run_id!r} in this warehouse (`fronts runs` lists them)")
    frame = con.sql(
        """
        SELECT f.run_id, l.lineage_id, f.rank, f.topic_id, f.label, t.title AS machine_title,
               t.broad,
               f.size, f.n_core, f.n_assigned, f."class",
               l.event, coalesce(l.predecessor_lineage_ids, []) AS predecessor_lineage_ids,
               f.rank_low, f.rank_high, f.p_top_n,
               f.score, f.emergence, f.growth, exp(f.growth) - 1 AS growth_per_year, f.growing,
               f.citation_growth, f.mean_year, f.off_topic, f.supported
        FROM fronts f
        LEFT JOIN front_lineage l ON l.run_id = f.run_id AND l.topic_id = f.topic_id
        LEFT JOIN topics t ON t.run_id = f.run_id AND t.topic_id = f.topic_id
        WHERE f.run_id = ? ORDER BY f.rank
        """,
        params=[run_id],
    ).pl()
    born = [new_lineage_id(run_id, t) for t in frame["topic_id"]]
    frame = frame.with_columns(
        pl.col("lineage_id").fill_null(pl.Series(born, dtype=pl.String)).alias("lineage_id")
    )
    n_top = _n_top(con, run_id)
    curated = apply_curation(frame, effective(read_log(con)), lineage_parents(con), n_top)
    return curated.select(FRONT_KEYS)


def _n_top(con: duckdb.DuckDBPyConnection, run_id: str) -> int:
    from fronts.config import RunConfig

    row = fetch_one(con, "SELECT config_json FROM runs WHERE run_id = ?", [run_id])
    config = RunConfig.model_validate_json(row[0]) if row and row[0] else RunConfig()
    return config.score.n_fronts


def run_registry(con: duckdb.DuckDBPyConnection, writer_alive: bool = False) -> pl.DataFrame:
    """Every run, newest first: id, created, window, works analysed, fronts, status, and the
    run its lineage links to. A run still marked 'running' is 'interrupted' unless a writer
    holds the warehouse (`writer_alive`): only the holder can be running."""
    frame = con.sql(
        """
        SELECT r.run_id, r.started_at AS created, r.finished_at AS finished,
               r.window_start, r.window_end, r.n_in_window AS works,
               (SELECT count(*) FROM fronts f WHERE f.run_id = r.run_id) AS fronts,
               r.status, r.previous_run_id, r.attempts, r.error
        FROM runs r ORDER BY r.started_at DESC NULLS LAST, r.run_id
        """
    ).pl()
    if not writer_alive:
        frame = frame.with_columns(
            pl.col("status").replace("running", "interrupted").alias("status")
        )
    return frame
