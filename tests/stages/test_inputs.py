"""Reading the inputs before anything is written: folders, patterns, non-exports, no records.

Every refusal leaves the warehouse exactly as it was (its counts are compared before/after).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import FrontsError, InputFormatError, UsageError
from fronts.stages.inputs import InputFile, read_inputs, resolve_inputs
from fronts.store import connect


@pytest.fixture
def exports(tmp_path, fixtures_dir) -> Path:
    """A folder as a task force keeps it: two exports, their notes, and hidden clutter."""
    folder = tmp_path / "exports"
    (folder / "2024").mkdir(parents=True)
    (folder / ".cache").mkdir()
    shutil.copy(fixtures_dir / "wos" / "valid.txt", folder / "savedrecs.txt")
    shutil.copy(fixtures_dir / "scopus" / "export_2024.csv", folder / "2024" / "scopus.csv")
    (folder / "PROVENANCE.md").write_text("# Where these came from\n\nA query.\n")
    (folder / "notes.txt").write_text("remember to re-export in January\n")
    (folder / "empty.ris").write_text("")
    (folder / ".cache" / "x.txt").write_text("x")
    (folder / ".DS_Store").write_bytes(b"\x00\x01")
    return folder


@pytest.fixture
def warehouse(tmp_path, fixtures_dir, ingest, counts) -> Path:
    """A warehouse holding a corpus already (the one a mistaken command must not lose)."""
    db = tmp_path / "w.duckdb"
    ingest(db, [fixtures_dir / "bibtex" / "wos.bib", fixtures_dir / "ris" / "scopus.ris"])
    assert counts(db)["works"] > 0
    return db


def test_folders_and_patterns_stand_for_their_visible_files(exports):
    got = resolve_inputs([exports, exports / "savedrecs.txt"])
    assert [f.path.relative_to(exports).as_posix() for f in got] == [
        "2024/scopus.csv",
        "PROVENANCE.md",
        "empty.ris",
        "notes.txt",
        "savedrecs.txt",
    ]
    assert {f.found_in for f in got} == {str(exports)}  # found first through the folder
    pattern = resolve_inputs([str(exports / "**" / "*.csv")])
    assert [f.path.name for f in pattern] == ["scopus.csv"] and pattern[0].found_in is not None
    assert resolve_inputs([exports / "notes.txt"]) == [InputFile(exports / "notes.txt")]


@pytest.mark.parametrize("path", ["missing.txt", "nothing/*.ris"])
def test_a_missing_path_or_a_pattern_matching_nothing_is_a_usage_error(tmp_path, path):
    with pytest.raises(UsageError, match=r"no such file|matches"):
        resolve_inputs([str(tmp_path / path)])


def test_non_exports_found_in_a_folder_are_skipped_with_a_warning_each(exports):
    warnings: list[str] = []
    plan = read_inputs(None, [exports], IngestConfig(), warn=warnings.append)
    assert sorted(Path(f.source_file).name for f in plan.files) == ["savedrecs.txt", "scopus.csv"]
    assert sorted(Path(p).name for p, _ in plan.skipped) == [
        "PROVENANCE.md",
        "empty.ris",
        "notes.txt",
    ]
    assert len(warnings) == 3 and all(line.count("\n") == 0 for line in warnings)
    assert any("notes.txt" in line and "not a known export format" in line for line in warnings)
    assert any("empty.ris" in line and "empty" in line for line in warnings)
    assert plan.n_read > 0


def test_a_non_export_named_explicitly_is_an_error(exports):
    with pytest.raises(InputFormatError, match=r"notes\.txt.*unrecognised"):
        read_inputs(None, [exports / "savedrecs.txt", exports / "notes.txt"], IngestConfig())


@pytest.mark.parametrize("kind", ["empty", "notes only"])
def test_inputs_holding_no_export_are_refused_and_the_corpus_is_kept(
    tmp_path, warehouse, kind, counts
):
    folder = tmp_path / "new"
    folder.mkdir()
    if kind == "notes only":
        (folder / "README.md").write_text("exports go here\n")
    before = counts(warehouse)
    con = connect(warehouse)
    try:
        with pytest.raises(FrontsError, match="no export file"):
            read_inputs(con, [folder], IngestConfig(), replace=True)
    finally:
        con.close()
    assert counts(warehouse) == before


def test_an_export_without_any_record_never_replaces_the_corpus(tmp_path, warehouse, counts):
    header_only = tmp_path / "scopus.csv"
    header_only.write_text('"Authors","Title","Year","Source title","DOI","Abstract","EID"\n')
    before = counts(warehouse)
    con = connect(warehouse)
    try:
        with pytest.raises(FrontsError, match="no record could be read"):
            read_inputs(con, [header_only], IngestConfig(), replace=True)
    finally:
        con.close()
    assert counts(warehouse) == before


def test_unchanged_files_are_not_read_again(warehouse, fixtures_dir):
    con = connect(warehouse)
    try:
        files = [fixtures_dir / "bibtex" / "wos.bib", fixtures_dir / "ris" / "scopus.ris"]
        plan = read_inputs(con, files, IngestConfig())
    finally:
        con.close()
    assert plan.files == () and len(plan.unchanged) == 2
