"""Everything the report shows about one run, read from the warehouse into plain frames.

This is the only module of `fronts.report` that talks to DuckDB: it reads, the other modules
compute and render. Nothing here formats text for people; that is the templates' job.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from fronts.accounting import corpus_summary
from fronts.config import ScoreConfig
from fronts.errors import FrontsError
from fronts.store import read_table

# What the report needs of each work of the run; abstracts are read only for the few it quotes.
_WORK_COLUMNS = (
    "doi",
    "title",
    "year",
    "venue",
    "authors",
    "affiliations",
    "countries",
    "author_keywords",
    "times_cited",
    "has_abstract",
)
# Indicators of topic_scores that the fronts table does not repeat (off_topic, supported and
# outlier_membership are read from the fronts table itself).
_SCORE_COLUMNS = (
    "cagr_share",
    "acceleration",
    "share_recent",
    "burst_weight",
    "burst_start",
    "burst_end",
    "citation_basis",
    "impact",
    "share_top10",
    "coherence",
    "core_similarity",
    "core_similarity_z",
    "term_relevance",
    "term_relevance_z",
    "n_years",
    "n_venues",
    "n_author_groups",
    "max_venue_year_share",
    "n_outlier_members",
)
ABSTRACTS_PER_FRONT = 3
CENTRAL_PER_FRONT = 10


@dataclass(frozen=True)
class ReportData:
    """One run as the report sees it. Frames are sorted, so rendering is deterministic.

    `fronts` is the fronts table joined with the indicators of topic_scores, by rank. `works`
    holds every work of the run's window with its topic and map position. `forecasts` and
    `similarities` are the run's rows of `front_forecasts` and `front_similarities`: the report
    computes no indicator of its own.
    """

    run: dict[str, Any]
    config: dict[str, Any]
    versions: dict[str, str]
    n_top: int
    source_files: pl.DataFrame
    sources: pl.DataFrame
    stage_counts: pl.DataFrame
    quarantine: pl.DataFrame
    quarantine_examples: pl.DataFrame
    coverage: dict[str, int]
    fronts: pl.DataFrame
    topics: pl.DataFrame
    topic_year_counts: pl.DataFrame
    forecasts: pl.DataFrame
    similarities: pl.DataFrame
    works: pl.DataFrame
    abstracts: pl.DataFrame


def _run_row(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    runs = read_table(con, "runs", where="run_id = ?", params=[run_id])
    if runs.height == 0:
        raise FrontsError(f"no run {run_id!r} in this warehouse")
    return runs.row(0, named=True)


def _quarantine(con: duckdb.DuckDBPyConnection) -> tuple[pl.DataFrame, pl.DataFrame]:
    # Numbers (line numbers, years, lengths) are masked so that one reason is one row.
    summary = con.sql(
        """
        SELECT stage, coalesce(source, '?') AS source,
               regexp_replace(reason, '[0-9]+', 'N', 'g') AS reason, count(*) AS n,
               count(DISTINCT source_file) AS files
        FROM quarantine GROUP BY ALL ORDER BY n DESC, stage, source, reason
        """
    ).pl()
    examples = con.sql(
        "SELECT stage, source_file, record_no, reason FROM quarantine "
        "ORDER BY stage, source_file, record_no LIMIT 20"
    ).pl()
    return summary, examples


def _coverage(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, int]:
    row = con.execute(
        """
        SELECT count(*), count_if(w.has_abstract), count_if(len(w.cited_refs) > 0),
               count_if(len(w.citations_by_year) > 0), count_if(w.times_cited > 0),
               coalesce(sum(w.times_cited), 0), count_if(t.title_only)
        FROM doc_topics d JOIN works w USING (work_id)
        LEFT JOIN work_texts t ON t.run_id = d.run_id AND t.work_id = d.work_id
        WHERE d.run_id = ?
        """,
        [run_id],
    ).fetchall()[0]
    refs = con.execute(
        "SELECT count(*), count(c.cited_work_id) FROM citations c "
        "JOIN doc_topics d ON d.work_id = c.citing_work_id AND d.run_id = ?",
        [run_id],
    ).fetchall()[0]
    # DuckDB 2.0: a result must be fetched to the end (fetchall) before the next statement.
    (n_works_total,) = con.execute("SELECT count(*) FROM works").fetchall()[0]
    keys = (
        "works",
        "with_abstract",
        "with_references",
        "with_citations_by_year",
        "cited",
        "times_cited",
        "title_only",
    )
    out = dict(zip(keys, (int(v or 0) for v in row), strict=True))  # type: ignore[arg-type]
    out["references"], out["references_resolved"] = (int(v or 0) for v in refs)  # type: ignore[union-attr]
    out["works_in_warehouse"] = int(n_works_total)
    return out


def _fronts(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    extra = ", ".join(f"s.{c}" for c in _SCORE_COLUMNS)
    frame = con.sql(
        f"SELECT f.rank, f.rank_low, f.rank_high, f.p_top_n, f.score, f.emergence, "
        f'f.citation_growth, f."class", f.label, f.top_terms, f.size, f.topic_id, f.growth, '
        f"f.growth_z, f.growth_q, f.growing, "
        f"f.mean_year, f.off_topic, f.supported, f.outlier_membership, {extra} "
        "FROM fronts f LEFT JOIN topic_scores s ON s.run_id = f.run_id AND s.topic_id = f.topic_id "
        "WHERE f.run_id = ? ORDER BY f.rank",
        params=[run_id],
    ).pl()
    return frame


def _works(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    cols = ", ".join(f"w.{c}" for c in _WORK_COLUMNS)
    return con.sql(
        f"SELECT d.work_id, d.topic_id, d.assignment, d.similarity, d.x, d.y, {cols} "
        "FROM doc_topics d JOIN works w USING (work_id) WHERE d.run_id = ? ORDER BY d.work_id",
        params=[run_id],
    ).pl()


def _abstract_ids(topics: pl.DataFrame, works: pl.DataFrame) -> list[str]:
    """Works whose abstract a dossier may quote: representatives first, then the most central."""
    with_abstract = works.filter(pl.col("has_abstract"))
    wanted: set[str] = set()
    for topic_id, reps in topics.select("topic_id", "representative_work_ids").iter_rows():
        wanted.update(reps or [])
        central = (
            with_abstract.filter(pl.col("topic_id") == topic_id)
            .sort(["similarity", "work_id"], descending=[True, False], nulls_last=True)
            .head(CENTRAL_PER_FRONT)
        )
        wanted.update(central["work_id"].to_list())
    return sorted(wanted)


def load_report_data(con: duckdb.DuckDBPyConnection, run_id: str) -> ReportData:
    """Read one run and the corpus behind it from the warehouse.

    Raises `FrontsError` when the run does not exist or has no ranked fronts yet.
    """
    run = _run_row(con, run_id)
    config = json.loads(run["config_json"] or "{}")
    fronts = _fronts(con, run_id)
    if fronts.height == 0:
        raise FrontsError(
            f"run {run_id} has no ranked fronts (status {run['status']}); "
            "finish the run (`fronts run`) before reporting it"
        )
    score_cfg = ScoreConfig.model_validate(config.get("score", {}))
    topics = read_table(con, "topics", where="run_id = ?", params=[run_id], order_by="topic_id")
    works = _works(con, run_id)
    abstract_ids = _abstract_ids(topics, works)
    abstracts = con.sql(
        "SELECT work_id, abstract FROM works WHERE list_contains(?, work_id) ORDER BY work_id",
        params=[abstract_ids],
    ).pl()
    quarantine, examples = _quarantine(con)

    def of_run(table: str, order_by: str) -> pl.DataFrame:
        return read_table(con, table, where="run_id = ?", params=[run_id], order_by=order_by)

    return ReportData(
        run=run,
        config=config,
        versions=json.loads(run["versions_json"] or "{}"),
        n_top=score_cfg.n_fronts,
        source_files=read_table(con, "source_files", order_by="source_file"),
        sources=corpus_summary(con).drop("times_cited"),
        stage_counts=read_table(con, "stage_counts", order_by="stage, source_file"),
        quarantine=quarantine,
        quarantine_examples=examples,
        coverage=_coverage(con, run_id),
        fronts=fronts,
        topics=topics,
        topic_year_counts=of_run("topic_year_counts", "topic_id, year"),
        forecasts=of_run("front_forecasts", "topic_id, year").drop("run_id"),
        similarities=of_run("front_similarities", "topic_id, closeness_rank").drop("run_id"),
        works=works,
        abstracts=abstracts,
    )
