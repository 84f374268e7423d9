"""Tagged-text exports: Cochrane CENTRAL and the Chinese platforms' formats (CNKI E-Study,
NoteExpress from CNKI and Wanfang, EndNote from CNKI)."""

from pathlib import Path

import polars as pl
import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import cnki, cochrane, endnote, noteexpress
from fronts.ingest.detect import detect_format, read_file
from fronts.normalise import merge_records

CONFIG = IngestConfig()
WORK = "生成式人工智能赋能教师专业发展的路径研究"


@pytest.fixture
def chinese(fixtures_dir) -> Path:
    return fixtures_dir / "chinese"


@pytest.mark.parametrize(
    ("name", "reader"),
    [
        ("cnki-estudy.txt", cnki),
        ("wanfang-noteexpress.txt", noteexpress),
        ("cnki-endnote.txt", endnote),
    ],
)
def test_each_chinese_export_is_detected_and_keeps_the_chinese_text(chinese, name, reader):
    path = chinese / name
    assert detect_format(path, CONFIG) is reader
    first = read_file(path, CONFIG).records.row(0, named=True)
    assert first["title"] == WORK
    assert first["authors"] == ["张伟", "李娜"]
    assert first["affiliations"] == ["北京师范大学教育学部", "华东师范大学开放教育学院"]
    assert first["author_keywords"] == ["生成式人工智能", "教师专业发展", "数字素养"]
    assert (first["year"], first["venue"], first["first_page"]) == (2024, "中国电化教育", "45")
    assert first["language"] == "Chinese"
    # a wrapped Chinese abstract is joined without a space
    assert "需求，提出了" in first["abstract"] and " " not in first["abstract"]


def test_full_width_colons_and_separators(chinese):
    second = cnki.read(chinese / "cnki-estudy.txt", CONFIG).records.row(1, named=True)
    assert second["title"] == "高校教师数字素养测评框架构建"
    assert second["authors"] == ["刘洋", "陈晓明"]
    assert second["author_keywords"] == ["数字素养", "高校教师", "测评框架"]
    assert second["year"] == 2023  # from PubTime


def test_a_gb18030_file_is_read_with_a_note(chinese, tmp_path):
    text = (chinese / "wanfang-noteexpress.txt").read_text(encoding="utf-8")
    path = tmp_path / "gbk.txt"
    path.write_bytes(text.encode("gb18030"))
    result = read_file(path, CONFIG)
    assert result.records.row(0, named=True)["title"] == WORK
    assert "read as GB18030 (the file is not UTF-8)" in result.notes


def test_endnote_english_record_and_a_record_without_title(chinese):
    result = endnote.read(chinese / "cnki-endnote.txt", CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 2, 1)
    english = result.records.row(1, named=True)
    assert english["authors"] == ["Chen, Xiaoming", "Liu, Yang"]
    assert english["language"] == "English" and english["doi"] == "10.1016/j.compedu.2023.104761"


def test_chinese_and_english_records_merge_only_on_a_shared_identifier(chinese):
    zh = noteexpress.read(chinese / "wanfang-noteexpress.txt", CONFIG).records
    # the same article's English record, with its DOI: one work
    en = zh.head(1).with_columns(
        title=pl.lit("Paths of generative AI empowering teachers' professional development"),
        authors=pl.lit(["Zhang, Wei", "Li, Na"]),
        source=pl.lit("wos"),
        source_file=pl.lit("en.txt"),
        record_no=pl.lit(1, dtype=zh.schema["record_no"]),
    )
    works, links, _ = merge_records(pl.concat([zh, en]))
    assert works.height == 2 and links.height == 1 and links["rule"][0] == "doi"
    # without the DOI, a translated title is no evidence: they stay apart
    works, links, _ = merge_records(pl.concat([zh, en.with_columns(doi=pl.lit(None))]))
    assert works.height == 3 and links.height == 0


def test_cochrane_central(fixtures_dir):
    path = fixtures_dir / "cochrane-central.txt"
    assert detect_format(path, CONFIG) is cochrane
    result = cochrane.read(path, CONFIG)
    assert (result.n_read, result.records.height) == (2, 2)
    assert result.notes == ["the export declares 3 records but holds 2: the file looks cut"]
    first = result.records.row(0, named=True)
    assert first["source_id"] == "CN-02412345" and first["doi"] == "10.1097/nne.0000000000001500"
    assert first["doc_type"] == "Journal article"
    assert first["author_keywords"] == [
        "Clinical Reasoning",
        "Education, Nursing",
        "Patient Simulation",
    ]
    assert first["abstract"].endswith("improved more with virtual patients.")


@pytest.mark.parametrize("reader", [cnki, noteexpress, endnote, cochrane])
def test_a_file_without_records_is_one_clear_error(tmp_path, reader):
    path = tmp_path / "x.txt"
    path.write_text("just a line of text\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"no .* records"):
        reader.read(path, CONFIG)


def test_every_new_export_ingests_into_one_warehouse_with_counts_that_reconcile(
    fixtures_dir, tmp_path, ingest
):
    """PubMed (both), Crossref, Dimensions, Lens (both), Cochrane and the Chinese exports
    together: every record read is accepted, merged or quarantined, per file and in total, and
    the same works in several formats become one work each (merged on DOI or id)."""
    from fronts.store import connect

    files = [
        fixtures_dir / "pubmed" / "pubmed-sample.nbib",
        fixtures_dir / "pubmed" / "pubmed-sample.xml",
        fixtures_dir / "crossref" / "works-page.json",
        fixtures_dir / "crossref" / "single-work.json",
        fixtures_dir / "dimensions" / "dimensions-export.csv",
        fixtures_dir / "lens" / "lens-export.csv",
        fixtures_dir / "lens" / "lens-export.jsonl",
        fixtures_dir / "cochrane-central.txt",
        fixtures_dir / "chinese" / "cnki-estudy.txt",
        fixtures_dir / "chinese" / "wanfang-noteexpress.txt",
        fixtures_dir / "chinese" / "cnki-endnote.txt",
    ]
    db = tmp_path / "w.duckdb"
    ingest(db, files)
    con = connect(db, read_only=True)
    try:
        rows = con.execute(
            "SELECT source_file, n_read, n_accepted, n_merged, n_quarantined FROM stage_counts "
            "WHERE stage = 'ingest'"
        ).fetchall()
        n_works = con.execute("SELECT count(*) FROM works").fetchone()[0]
        nursing = con.execute(
            "SELECT count(*) FROM works WHERE doi = '10.1186/s12909-023-04890-1'"
        ).fetchone()[0]
    finally:
        con.close()
    assert rows and all(r == a + m + q for _, r, a, m, q in rows)
    total = next(r for r in rows if r[0] == "*")
    assert total[1] == 27  # records in the eleven files
    assert nursing == 1  # one article in six formats is one work
    # the Chinese work (one DOI in NoteExpress and CNKI, none in EndNote) is not merged with
    # anything English; a work per distinct article
    assert n_works == total[2]
