"""Everything the report shows about one run, read from the warehouse into plain frames.

This is the only module of `fronts.report` that talks to DuckDB: it reads, the other modules
compute and render. Nothing here formats text for people; that is the templates' job. A run's
works, files, accounting and quarantine are read as the run froze them (`fronts.runs`), so an
old run renders the same after later ingests.
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
from fronts.published import published_fronts
from fronts.runs import RunInfo, run_works
from fronts.schemas import STAGE_COUNTS
from fronts.store import read_table, scalar

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
    published: pl.DataFrame
    lineage: pl.DataFrame
    previous: dict[str, Any] | None
    previous_fronts: pl.DataFrame | None
    history: pl.DataFrame
    case_works: pl.DataFrame
    excluded: pl.DataFrame | None = None  # reason, n: works set aside as not research


def _run_row(con: duckdb.DuckDBPyConnection, run_id: str) -> dict[str, Any]:
    runs = read_table(con, "runs", where="run_id = ?", params=[run_id])
    if runs.height == 0:
        raise FrontsError(f"no run {run_id!r} in this warehouse")
    return runs.row(0, named=True)


def _quarantine(
    con: duckdb.DuckDBPyConnection, run_id: str, frozen: bool
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Reasons (numbers masked, so that one reason is one row) and the first records."""
    table, where = ("run_quarantine", "WHERE run_id = ?") if frozen else ("quarantine", "")
    params = [run_id] if frozen else []
    summary = con.sql(
        f"""
        SELECT stage, coalesce(source, '?') AS source,
               regexp_replace(reason, '[0-9]+', 'N', 'g') AS reason, count(*) AS n,
               count(DISTINCT source_file) AS files
        FROM {table} {where} GROUP BY ALL ORDER BY n DESC, stage, source, reason
        """,
        params=params,
    ).pl()
    examples = con.sql(
        f"SELECT stage, source_file, record_no, reason FROM {table} {where} "
        "ORDER BY stage, source_file, record_no LIMIT 20",
        params=params,
    ).pl()
    return summary, examples


@dataclass(frozen=True)
class _Corpus:
    """The corpus of a run as the report shows it: files, per-format and per-file accounting."""

    source_files: pl.DataFrame
    sources: pl.DataFrame
    stage_counts: pl.DataFrame


def _corpus(con: duckdb.DuckDBPyConnection, files: pl.DataFrame) -> _Corpus:
    """From the run's `run_files`; a run made before runs froze their corpus (no rows) shows
    the warehouse's corpus as it is now."""
    if files.height == 0:
        return _Corpus(
            read_table(con, "source_files", order_by="source_file"),
            corpus_summary(con).drop("times_cited"),
            read_table(con, "stage_counts", order_by="stage, source_file"),
        )
    counts = ["n_read", "n_accepted", "n_merged", "n_quarantined"]
    kept = pl.col("n_read") - pl.col("n_quarantined")  # records stored, merged ones included
    sources = (
        files.group_by("source")
        .agg(
            pl.len().cast(pl.Int64).alias("files"),
            pl.col("n_read").sum(),
            pl.col("n_accepted").sum().alias("accepted"),
            pl.col("n_merged").sum().alias("merged"),
            pl.col("n_quarantined").sum().alias("quarantined"),
            pl.col("year_min").min(),
            pl.col("year_max").max(),
            (pl.col("n_with_abstract").sum() / kept.sum()).alias("share_abstract"),
            (pl.col("n_with_references").sum() / kept.sum()).alias("share_references"),
        )
        .sort("source")
    )
    per_file = files.select(pl.lit("ingest").alias("stage"), "source", "source_file", *counts)
    total = per_file.select(
        pl.lit("ingest").alias("stage"),
        pl.lit("*").alias("source"),
        pl.lit("*").alias("source_file"),
        *(pl.col(c).sum() for c in counts),
    )
    stage_counts = pl.concat([per_file, total]).sort("stage", "source_file")
    source_files = files.select(
        "source_file",
        "resolved_path",
        "source",
        "sha256",
        "size_bytes",
        pl.col("n_read").alias("n_records"),
    )
    return _Corpus(source_files, sources, stage_counts.cast(dict(STAGE_COUNTS.schema)))


def _coverage(
    con: duckdb.DuckDBPyConnection, run: dict[str, Any], works: pl.DataFrame
) -> dict[str, int]:
    """What the works analysed carry: abstracts, references, dated citations, and so on."""
    title_only = scalar(
        con,
        "SELECT count_if(title_only) FROM work_texts WHERE run_id = ?",
        [run["run_id"]],
    )
    out = {
        "works": works.height,
        "with_abstract": int(works["has_abstract"].sum()),
        "with_references": int((works["cited_refs"].list.len() > 0).sum()),
        "with_citations_by_year": int((works["citations_by_year"].list.len() > 0).sum()),
        "cited": int((works["times_cited"].fill_null(0) > 0).sum()),
        "times_cited": int(works["times_cited"].fill_null(0).sum()),
        "title_only": int(title_only or 0),
        "references": run["n_references"],
        "references_resolved": run["n_references_resolved"],
        "works_in_warehouse": int(run["n_works"] or 0),
    }
    if out["references"] is None:  # a run made before runs recorded their references
        refs = con.execute(
            "SELECT count(*), count(c.cited_work_id) FROM citations c "
            "JOIN doc_topics d ON d.work_id = c.citing_work_id AND d.run_id = ?",
            [run["run_id"]],
        ).fetchall()[0]
        out["references"], out["references_resolved"] = (int(v or 0) for v in refs)
    return out


def _fronts(con: duckdb.DuckDBPyConnection, run_id: str) -> pl.DataFrame:
    extra = ", ".join(f"s.{c}" for c in _SCORE_COLUMNS)
    frame = con.sql(
        f"SELECT f.rank, f.rank_low, f.rank_high, f.p_top_n, f.score, f.emergence, "
        f'f.citation_growth, f."class", f.label, f.top_terms, f.size, f.topic_id, f.growth, '
        f"f.growth_z, f.growth_q, f.growing, "
        f"f.mean_year, f.off_topic, f.supported, f.outlier_membership, f.n_core, f.n_assigned, "
        f"t.title, t.broad, {extra} "
        "FROM fronts f LEFT JOIN topic_scores s ON s.run_id = f.run_id AND s.topic_id = f.topic_id "
        "LEFT JOIN topics t ON t.run_id = f.run_id AND t.topic_id = f.topic_id "
        "WHERE f.run_id = ? ORDER BY f.rank",
        params=[run_id],
    ).pl()
    return frame


def _works(con: duckdb.DuckDBPyConnection, run_works: pl.DataFrame, run_id: str) -> pl.DataFrame:
    """Every work of the run with its topic, map position and what the report shows of it."""
    docs = read_table(
        con,
        "doc_topics",
        columns=["work_id", "topic_id", "assignment", "similarity", "x", "y"],
        where="run_id = ?",
        params=[run_id],
    )
    return docs.join(run_works.select("work_id", *_WORK_COLUMNS), on="work_id", how="inner").sort(
        "work_id"
    )


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


def _history(con: duckdb.DuckDBPyConnection, run_id: str, lineage_ids: list[str]) -> pl.DataFrame:
    """The earlier completed runs' fronts of these lineages: lineage_id, run_id, window, rank
    (after curation), size, title; oldest run first."""
    rows = con.execute(
        "SELECT DISTINCT l.run_id, r.window_start, r.window_end, r.started_at "
        "FROM front_lineage l JOIN runs r USING (run_id) "
        "WHERE l.run_id <> ? AND r.status = 'completed' AND list_contains(?, l.lineage_id) "
        "AND l.topic_id IS NOT NULL ORDER BY r.started_at, l.run_id",
        [run_id, lineage_ids],
    ).fetchall()
    frames = []
    for other, start, end, _ in rows:
        view = published_fronts(con, other).filter(pl.col("lineage_id").is_in(lineage_ids))
        frames.append(
            view.select(
                "lineage_id", "run_id", "rank", "machine_rank", "size", "title", "status"
            ).with_columns(window_start=pl.lit(start), window_end=pl.lit(end))
        )
    schema = {
        "lineage_id": pl.String,
        "run_id": pl.String,
        "rank": pl.Int64,
        "machine_rank": pl.Int64,
        "size": pl.Int64,
        "title": pl.String,
        "status": pl.String,
        "window_start": pl.Int32,
        "window_end": pl.Int32,
    }
    return pl.concat(frames).cast(schema) if frames else pl.DataFrame(schema=schema)


def _case_works(
    con: duckdb.DuckDBPyConnection, analysed: pl.DataFrame, published: pl.DataFrame
) -> pl.DataFrame:
    """The case-study works the experts named, from the run's works (else the warehouse's)."""
    ids = sorted({c for cases in published["cases"].to_list() for c in cases or []})
    columns = ["work_id", "title", "year", "venue", "authors", "doi"]
    found = analysed.filter(pl.col("work_id").is_in(ids)).select(columns)
    missing = [w for w in ids if w not in set(found["work_id"].to_list())]
    if missing:
        more = read_table(
            con, "works", columns=columns, where="list_contains(?, work_id)", params=[missing]
        )
        found = pl.concat([found, more])
    return found.sort("work_id")


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

    def of_run(table: str, order_by: str) -> pl.DataFrame:
        return read_table(con, table, where="run_id = ?", params=[run_id], order_by=order_by)

    topics = of_run("topics", "topic_id")
    analysed = run_works(con, RunInfo(run_id, (run["window_start"], run["window_end"])))
    works = _works(con, analysed, run_id)
    abstract_ids = _abstract_ids(topics, works)
    abstracts = analysed.filter(pl.col("work_id").is_in(abstract_ids)).select("work_id", "abstract")
    published = published_fronts(con, run_id)
    previous_id = run.get("previous_run_id")
    previous = None
    if previous_id is not None:
        previous = _run_row(con, previous_id)
    files = of_run("run_files", "source_file")
    corpus = _corpus(con, files)
    quarantine, examples = _quarantine(con, run_id, frozen=files.height > 0)

    return ReportData(
        run=run,
        config=config,
        versions=json.loads(run["versions_json"] or "{}"),
        # "the top 10" of 4 fronts would be a false promise: N is at most the fronts there are
        n_top=min(score_cfg.n_fronts, fronts.height),
        source_files=corpus.source_files,
        sources=corpus.sources,
        stage_counts=corpus.stage_counts,
        quarantine=quarantine,
        quarantine_examples=examples,
        coverage=_coverage(con, run, analysed),
        fronts=fronts,
        topics=topics,
        topic_year_counts=of_run("topic_year_counts", "topic_id, year"),
        forecasts=of_run("front_forecasts", "topic_id, year").drop("run_id"),
        similarities=of_run("front_similarities", "topic_id, closeness_rank").drop("run_id"),
        works=works,
        abstracts=abstracts,
        published=published,
        lineage=of_run("front_lineage", "topic_id, lineage_id").drop("run_id"),
        previous=previous,
        previous_fronts=published_fronts(con, previous_id) if previous_id else None,
        history=_history(con, run_id, published["lineage_id"].to_list()),
        case_works=_case_works(con, analysed, published),
        excluded=con.sql(
            "SELECT CASE WHEN starts_with(reason, 'title') THEN reason "
            "ELSE 'document type: ' || lower(substr(reason, 16)) END AS reason, count(*) AS n "
            "FROM run_excluded WHERE run_id = ? GROUP BY 1 ORDER BY n DESC, reason",
            params=[run_id],
        ).pl(),
    )
