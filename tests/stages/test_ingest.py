"""The corpus stages on real exports: exact, reconciled counts and merges across formats."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from fronts.store import connect, read_table, scalar

pytestmark = pytest.mark.shared


@pytest.fixture
def ingest_con(ingest):
    def run(tmp_path: Path, files: list[Path], **kw) -> object:
        ingest(tmp_path / "w.duckdb", files, **kw)
        return connect(tmp_path / "w.duckdb")

    return run


def _total(con) -> dict:
    return read_table(con, "stage_counts", where="source_file = '*'").row(0, named=True)


def _reconciles(con) -> None:
    counts = read_table(con, "stage_counts")
    assert (
        counts["n_read"] == counts["n_accepted"] + counts["n_merged"] + counts["n_quarantined"]
    ).all()
    total = _total(con)
    n_records = scalar(con, "SELECT count(*) FROM records")
    n_quarantined = scalar(con, "SELECT count(*) FROM quarantine")
    n_works = scalar(con, "SELECT count(*) FROM works")
    n_links = scalar(con, "SELECT count(*) FROM duplicate_links")
    assert total["n_read"] == n_records + n_quarantined
    assert total["n_accepted"] == n_works
    assert total["n_merged"] == n_links


CORPORA = {
    # corpus folder: records read across all its files (from each PROVENANCE.md)
    "biblium-samples": 500 + 200 + 613,
    "bibexpy-genai": 3658 + 500,
    "genai-authorship-wos": 469 * 3,
    "data-science-education": 318 + 146,
    "science-education-quality": 152 + 232,
    "vet-medical-education-tel": 242,
    "human-ai-hybrids": 471,
    "control-ai-medical-diagnosis-wos": 2771,
    "control-exascale-ieee": 441 + 1000,
}


@pytest.mark.parametrize("name", sorted(CORPORA))
def test_every_corpus_ingests_with_reconciled_counts(tmp_path, shared_corpora, name, ingest_con):
    files = sorted(
        p for p in (shared_corpora / name).rglob("*") if p.suffix != ".md" and p.is_file()
    )
    con = ingest_con(tmp_path, files)
    _reconciles(con)
    assert _total(con)["n_read"] == CORPORA[name]


def test_same_records_in_three_formats_give_469_works(tmp_path, shared_corpora, ingest_con):
    folder = shared_corpora / "genai-authorship-wos"
    con = ingest_con(
        tmp_path, [folder / "savedrecs.txt", folder / "savedrecs.bib", folder / "savedrecs.ris"]
    )
    total = _total(con)
    assert total["n_read"] == 3 * 469
    assert scalar(con, "SELECT count(*) FROM works") == 469
    assert total["n_merged"] == 2 * 469 - total["n_quarantined"]
    # the union of references survives the merge
    n_refs = scalar(con, "SELECT count(*) FROM works WHERE len(cited_refs) > 0")
    assert n_refs >= 430


def test_duplicated_export_file_merges_away(tmp_path, shared_corpora, ingest_con):
    files = sorted((shared_corpora / "control-bci-eeg-wos" / "raw").glob("*.txt.gz"))
    con = ingest_con(tmp_path, files)
    _reconciles(con)
    total = _total(con)
    assert total["n_read"] == 10_000 and total["n_quarantined"] == 0
    dup = read_table(con, "stage_counts").filter(
        pl.col("source_file").str.contains("savedrecs1[34]")
    )
    # one of the two identical files merges away whole (its twin may lose a cross-UT duplicate)
    assert max(dup["n_merged"].to_list()) == 500
    by_rule = dict(
        con.execute("SELECT rule, count(*) FROM duplicate_links GROUP BY rule").fetchall()
    )
    # 9,500 distinct UTs; WoS also indexes a few papers twice under two UTs (same DOI, or the
    # same title, first author and year): those merge too, and nothing else does.
    n_cross_ut = scalar(
        con,
        """
        WITH uts AS (
            SELECT work_id, merged_source_id AS ut FROM duplicate_links
            UNION
            SELECT l.work_id, r.source_id FROM duplicate_links l JOIN records r
              ON r.source_file = l.kept_source_file AND r.record_no = l.kept_record_no
        )
        SELECT coalesce(sum(n - 1), 0) FROM (
            SELECT work_id, count(DISTINCT ut) AS n FROM uts GROUP BY work_id
        )
        """,
    )
    assert scalar(con, "SELECT count(DISTINCT source_id) FROM records") == 9_500
    assert 0 < n_cross_ut < 0.01 * 9_500
    assert scalar(con, "SELECT count(*) FROM works") == 9_500 - n_cross_ut
    assert set(by_rule) <= {"source_id", "doi", "title_year_author"}
    # local citations resolve inside a 9.5k-work field corpus
    assert scalar(con, "SELECT count(cited_work_id) FROM citations") > 1000


def test_wos_and_scopus_overlap_merges_across_sources(tmp_path, shared_corpora, ingest_con):
    folder = shared_corpora / "data-science-education"
    con = ingest_con(tmp_path, sorted(folder.glob("*.csv")) + sorted(folder.glob("*.txt")))
    _reconciles(con)
    both = scalar(
        con,
        "SELECT count(*) FROM works WHERE list_contains(sources, 'wos') "
        "AND list_contains(sources, 'scopus')",
    )
    assert both >= 50
    rules = dict(con.execute("SELECT rule, count(*) FROM duplicate_links GROUP BY rule").fetchall())
    assert rules.get("doi", 0) > 0


def test_ingesting_the_same_files_twice_changes_nothing(tmp_path, shared_corpora, ingest):
    folder = shared_corpora / "biblium-samples"
    files = sorted(p for p in folder.iterdir() if p.suffix != ".md")
    db = tmp_path / "w.duckdb"
    ingest(db, files)
    con = connect(db)
    before = {t: read_table(con, t) for t in ("records", "works", "citations", "stage_counts")}
    con.close()
    inputs = ingest(db, files)
    assert inputs.files == () and len(inputs.unchanged) == 3
    con = connect(db)
    for table, frame in before.items():
        assert read_table(con, table).equals(frame), table
    con.close()
    # and re-reading everything (replace) gives identical tables too
    ingest(db, files, replace=True)
    con = connect(db)
    for table, frame in before.items():
        assert read_table(con, table).equals(frame), table
