"""The annual run as one Prefect flow: ingest -> normalise -> embed -> topics -> score/rank.

Every task is a thin call into `fronts.stages`, which reads and writes named DuckDB tables; the
flow body reads like the table of contents of a run. It runs offline with no Prefect server
configured (Prefect then starts a temporary local one), from Python or via `fronts run`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

# Quiet and offline by default; the user's own settings win.
for _key, _value in {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The first temporary server on a machine creates and migrates its SQLite database, which
    # took longer than Prefect's default 20 s on 2 cores (measured: `make demo` timed out).
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}.items():
    os.environ.setdefault(_key, _value)

import duckdb  # noqa: E402
from prefect import flow, task  # noqa: E402
from prefect.cache_policies import NO_CACHE  # noqa: E402

from fronts.config import RunConfig  # noqa: E402
from fronts.stages import analysis, corpus  # noqa: E402
from fronts.store import connect, scalar  # noqa: E402


@contextmanager
def _warehouse(config: RunConfig) -> Iterator[duckdb.DuckDBPyConnection]:
    # Each task opens its own connection: tasks may run on another thread than the flow.
    con = connect(config.db)
    try:
        yield con
    finally:
        con.close()


@dataclass
class RunOutcome:
    """What the flow returns: the run's id and each stage's figures."""

    run_id: str
    window: tuple[int, int]
    stages: dict[str, dict] = field(default_factory=dict)


@task(name="ingest", cache_policy=NO_CACHE)
def ingest_task(config: RunConfig, paths: list[Path], replace: bool) -> dict:
    with _warehouse(config) as con:
        outcome = corpus.ingest_files(con, paths, config, replace=replace)
    return {"files_read": len(outcome.read_files), "records_read": outcome.n_read}


@task(name="normalise", cache_policy=NO_CACHE)
def normalise_task(config: RunConfig) -> dict:
    with _warehouse(config) as con:
        corpus.normalise_stage(con)
        n_works = scalar(con, "SELECT count(*) FROM works")
    return {"works": n_works}


@task(name="start-run", cache_policy=NO_CACHE)
def start_run_task(config: RunConfig) -> analysis.RunContext:
    with _warehouse(config) as con:
        return analysis.start_run(con, config)


@task(name="embed", cache_policy=NO_CACHE)
def embed_task(ctx: analysis.RunContext, progress: bool) -> dict:
    with _warehouse(ctx.config) as con:
        return analysis.embed_stage(con, ctx, progress=progress)


@task(name="topics", cache_policy=NO_CACHE)
def topics_task(ctx: analysis.RunContext, reuse: bool) -> dict:
    with _warehouse(ctx.config) as con:
        return analysis.topics_stage(con, ctx, reuse=reuse)


@task(name="score-and-rank", cache_policy=NO_CACHE)
def score_task(ctx: analysis.RunContext) -> dict:
    with _warehouse(ctx.config) as con:
        return analysis.score_stage(con, ctx)


@task(name="finish-run", cache_policy=NO_CACHE)
def finish_task(ctx: analysis.RunContext, status: str) -> None:
    with _warehouse(ctx.config) as con:
        analysis.finish_run(con, ctx, status)


@task(name="report", cache_policy=NO_CACHE)
def report_task(ctx: analysis.RunContext, pdf: bool) -> dict:
    from fronts.report import build_report

    with _warehouse(ctx.config) as con:
        folder = build_report(con, ctx.run_id, ctx.config.reports, pdf=pdf)
    return {"folder": str(folder), "pdf": pdf}


@flow(name="research-fronts", log_prints=False)
def research_fronts(
    config: RunConfig,
    paths: list[Path] | None = None,
    replace: bool = False,
    progress: bool = False,
    report: bool = True,
    pdf: bool = True,
    reuse_topics: bool = True,
) -> RunOutcome:
    """Run the whole analysis on the warehouse `config.db`.

    `paths` (else `config.ingest.paths`) are ingested first; with none, the run analyses what
    the warehouse already holds. `replace` makes the given files the whole corpus. The report
    (`config.reports/<run_id>/`) is rendered last; `pdf` needs Chromium and fails clearly
    without it. With `reuse_topics`, an identical earlier topic fit on the same corpus is
    reused (the fit is deterministic); `False` refits.
    """
    stages: dict[str, dict] = {}
    files = list(paths or config.ingest.paths)
    if files:
        stages["ingest"] = ingest_task(config, files, replace)
    stages["normalise"] = normalise_task(config)
    ctx = start_run_task(config)
    try:
        stages["embed"] = embed_task(ctx, progress)
        stages["topics"] = topics_task(ctx, reuse_topics)
        stages["score"] = score_task(ctx)
    except BaseException:
        finish_task(ctx, "failed")
        raise
    finish_task(ctx, "completed")
    if report:
        stages["report"] = report_task(ctx, pdf)
    return RunOutcome(ctx.run_id, ctx.window, stages)
