"""Every foreseeable failure of the command line: one line on stderr, the right exit code, no
traceback, and a warehouse left exactly as it was.

The commands run as real processes of the installed `fronts` script, so what is asserted is
what a user sees (bench/errors.py measures how long each takes).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from fronts.cli import main
from fronts.store import connect


def one_line_error(
    done: subprocess.CompletedProcess[str], code: int, *needles: str, warnings: int = 0
) -> str:
    """The error line, after checking it is the only one (but for `warnings` warning lines)."""
    assert done.returncode == code, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 + warnings, done.stderr
    assert all(": warning: " in line for line in lines[:-1]), done.stderr
    lines = lines[-1:]
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


@pytest.fixture(scope="module")
def warehouse(tmp_path_factory, fixtures_dir, ingest) -> Path:
    """A warehouse with a small corpus (2019-2024): what a mistaken command must not lose."""
    db = tmp_path_factory.mktemp("w") / "w.duckdb"
    ingest(db, [fixtures_dir / "bibtex" / "wos.bib", fixtures_dir / "ris" / "scopus.ris"])
    return db


@pytest.fixture
def kept(warehouse, counts):
    """The warehouse, checked unchanged (its rows per table) after the test."""
    before = counts(warehouse)
    yield warehouse
    assert counts(warehouse) == before


def test_a_missing_path_is_a_usage_error(kept, tmp_path, fronts_cli):
    done = fronts_cli("run", str(tmp_path / "nope.txt"), "--db", str(kept))
    one_line_error(done, 2, "fronts run: error:", "nope.txt: no such file or folder")


def test_an_explicit_file_that_is_no_export_is_an_error(kept, tmp_path, fronts_cli):
    notes = tmp_path / "notes.txt"
    notes.write_text("remember to export the 2025 records\n")
    done = fronts_cli("run", str(notes), "--db", str(kept))
    one_line_error(done, 1, "notes.txt: unrecognised bibliographic format")


@pytest.mark.parametrize("content", [None, "README.md"])
def test_a_folder_without_exports_never_replaces_the_corpus(kept, tmp_path, content, fronts_cli):
    folder = tmp_path / "exports"
    folder.mkdir()
    if content:
        (folder / content).write_text("# the exports will go here\n")
    skipped = 1 if content else 0
    done = fronts_cli("run", str(folder), "--db", str(kept))
    line = one_line_error(
        done, 1, f"no export file in {folder}", "the warehouse is unchanged", warnings=skipped
    )
    assert ("1 non-export file(s) skipped" in line) == bool(content)
    done = fronts_cli("ingest", str(folder), "--db", str(kept), "--replace")
    one_line_error(done, 1, "no export file in", warnings=skipped)


def test_non_exports_in_a_folder_are_skipped_with_one_warning_each(
    tmp_path, fixtures_dir, fronts_cli, counts
):
    folder = tmp_path / "exports"
    folder.mkdir()
    shutil.copy(fixtures_dir / "ris" / "scopus.ris", folder / "scopus.ris")
    (folder / "PROVENANCE.md").write_text("# from Scopus, 2024-06-14\n")
    (folder / "notes.txt").write_text("query: data science education\n")
    db = tmp_path / "w.duckdb"
    done = fronts_cli("ingest", str(folder), "--db", str(db))
    assert done.returncode == 0, done.stderr
    warnings = done.stderr.strip().splitlines()
    assert len(warnings) == 2 and all("warning: skipped" in w for w in warnings)
    assert "2 non-export file(s) skipped" in done.stdout
    assert counts(db)["source_files"] == 1


def test_an_empty_window_is_refused_before_anything_is_written(kept, fixtures_dir, fronts_cli):
    export = fixtures_dir / "wos" / "valid.txt"
    done = fronts_cli("run", str(export), "--db", str(kept), "--window", "1950-1955")
    one_line_error(done, 1, "no works published in the window 1950-1955", "unchanged")


def test_a_warehouse_without_works_is_refused(tmp_path, fronts_cli):
    done = fronts_cli("run", "--db", str(tmp_path / "new.duckdb"))
    one_line_error(done, 1, "no works to analyse")


def test_bad_configuration_and_bad_options_are_usage_errors(kept, tmp_path, fronts_cli):
    config = tmp_path / "fronts.toml"
    config.write_text("[topics.hdbscan]\nmin_cluster_sise = 5\n")
    done = fronts_cli("run", "--db", str(kept), "--config", str(config))
    one_line_error(done, 2, "key 'topics.hdbscan.min_cluster_sise'")
    done = fronts_cli("run", "--db", str(kept), "--window", "2019")
    one_line_error(done, 2, "expected FIRST-LAST", "fronts run --help")
    done = fronts_cli("run", "--db", str(kept), "--seed", "many")
    one_line_error(done, 2, "--seed")


def test_an_unexpected_exception_is_one_line_and_a_log(tmp_path, monkeypatch, capsys, warehouse):
    # A fault injected where no foreseeable error is raised: what a bug would look like.
    def broken(*args, **kwargs):
        raise RuntimeError("a bug\nover two lines")

    monkeypatch.setenv("FRONTS_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.setattr("fronts.summary.format_fronts", broken)
    monkeypatch.setattr("fronts.store.resolve_run", lambda con, run: run)
    assert main(["show", "--db", str(warehouse)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    assert "fronts show: unexpected error: RuntimeError: a bug over two lines" in err
    log = Path(err.rsplit("traceback in ", 1)[1].strip())
    assert log.parent == tmp_path / "logs" and "Traceback" in log.read_text()
    assert "in broken" in log.read_text()
    assert main(["show", "--db", str(warehouse), "--debug"]) == 1
    assert "Traceback" in capsys.readouterr().err


@pytest.mark.slow
def test_a_stage_that_fails_inside_the_prefect_flow_is_one_line_and_a_failed_run(
    warehouse, tmp_path, fronts_cli
):
    # The fixture corpus has works in the window but far too few to find topics: the topics
    # stage raises inside its Prefect task, after Prefect's temporary server has started.
    db = tmp_path / "w.duckdb"
    shutil.copy(warehouse, db)
    done = fronts_cli("run", "--db", str(db), "--no-report")
    one_line_error(done, 1, "fronts run: error:", "too few to find topics")
    con = connect(db, read_only=True)
    try:
        status, error = con.execute("SELECT status, error FROM runs").fetchall()[0]
    finally:
        con.close()
    assert status == "failed" and "too few to find topics" in error
