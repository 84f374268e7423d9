"""Shared fixtures: the real corpora beside the project, and quiet offline settings."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from fronts.evaluation.harness import shared_corpora as shared_corpora_folder

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")

FIXTURES = Path(__file__).parent / "fixtures"
SHARED_CORPORA = shared_corpora_folder()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def shared_corpora() -> Path:
    """Path of ../shared/corpora; tests using it skip (with the reason) on a bare clone.

    CI sets FRONTS_REQUIRE_SHARED=1 so that a missing folder fails instead of skipping.
    """
    if not SHARED_CORPORA.is_dir():
        reason = f"real corpora not found at {SHARED_CORPORA} (set FRONTS_SHARED_CORPORA)"
        if os.environ.get("FRONTS_REQUIRE_SHARED") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return SHARED_CORPORA


def ingest_paths(db, paths, config=None, replace: bool = False):
    """Ingest and normalise `paths` into the warehouse `db`, as `fronts ingest` does; returns
    the inputs read (an `IngestPlan`)."""
    from fronts.config import RunConfig
    from fronts.pipeline import run_pipeline
    from fronts.stages.inputs import read_inputs
    from fronts.warehouse import open_warehouse

    config = config or RunConfig(db=db)
    with open_warehouse(db) as warehouse:
        inputs = read_inputs(warehouse.con, paths, config.ingest, replace)
        run_pipeline(warehouse, config, inputs, analyse=False)
    return inputs


@pytest.fixture(scope="session")
def ingest():
    """`ingest(db, paths, config=None, replace=False)`: the corpus stages into a warehouse."""
    return ingest_paths


def run_fronts(*args: str, cwd=None):
    """The installed `fronts` script run as a user runs it: a process of its own."""
    import subprocess
    import sys

    return subprocess.run(
        [str(Path(sys.executable).with_name("fronts")), *args],
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        cwd=cwd,
    )


def table_counts(db, tables=("records", "works", "source_files", "quarantine", "runs")):
    """Rows per table of the warehouse `db`: compared before and after a refused command."""
    from fronts.store import connect, scalar

    con = connect(db, read_only=True)
    try:
        return {t: scalar(con, f"SELECT count(*) FROM {t}") for t in tables}
    finally:
        con.close()


@pytest.fixture(scope="session")
def fronts_cli():
    """`fronts_cli(*args)`: run the installed `fronts` script (see `run_fronts`)."""
    return run_fronts


@pytest.fixture(scope="session")
def counts():
    """`counts(db)`: rows per corpus table of a warehouse (see `table_counts`)."""
    return table_counts
