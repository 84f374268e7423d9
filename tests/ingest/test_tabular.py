from pathlib import Path

import polars as pl
import pytest

from fronts.config import IngestConfig, TabularConfig
from fronts.errors import InputFormatError
from fronts.ingest import tabular
from fronts.ingest.common import read_head

DEFAULT = IngestConfig()
MAPPING = {
    "source_id": "Paper ID",
    "title": "Paper Title",
    "year": "Pub Year",
    "venue": "Journal",
    "authors": "Writers",
    "author_keywords": "Keywords",
    "abstract": "Summary",
    "times_cited": "Cites",
    "affiliations": "Addresses",
}
MAPPED = IngestConfig(tabular=TabularConfig(columns=MAPPING, delimiter=";", list_separator="|"))


def _reasons(result) -> dict[int, str]:
    q = result.quarantine
    return dict(zip(q["record_no"], q["reason"], strict=True))


def _sniff(path: Path, config: IngestConfig = DEFAULT) -> bool:
    return tabular.sniff(path, read_head(path), config)


# --------------------------------------------------------------------------- presets


def test_ieee_preset(fixtures_dir):
    path = fixtures_dir / "tabular" / "ieee_export.csv"
    assert _sniff(path)
    result = tabular.read(path, DEFAULT)
    assert (result.n_read, result.records.height) == (6, 3)
    reasons = _reasons(result)
    assert reasons == {
        3: "missing title",
        4: "missing publication year",
        6: "malformed CSV row: 3 cells where the header has 30",
    }
    first, second, fifth = result.records.to_dicts()
    assert first["source"] == "tabular"
    assert first["source_id"] == "IEEE:9150401"
    assert first["authors"] == ["Hayashi, A", "Paul, S. Raj", "Chapman, BM"]
    assert first["affiliations"] == [
        "Georgia Institute of Technology Atlanta,Georgia,USA",
        "Dept. of Comput. Sci., Univ. of Houston, Houston, TX, USA",
    ]
    assert first["countries"] == ["United States"]
    assert first["author_keywords"] == ["Exascale", "Scheduling", "GPU"]
    assert (first["year"], first["first_page"], first["times_cited"]) == (2020, "675", 7)
    assert first["doc_type"] == "IEEE Conferences"
    assert second["affiliations"] == [] and second["times_cited"] == 0
    # Unescaped quotes inside a quoted cell (as IEEE writes them) are read exactly.
    assert fifth["venue"] == 'EUROCON 2007 - The International Conference on "Computer as a Tool"'


def test_springer_preset_splits_run_together_authors(fixtures_dir):
    path = fixtures_dir / "tabular" / "springer_export.csv"
    assert _sniff(path)
    result = tabular.read(path, DEFAULT)
    assert (result.n_read, result.records.height) == (5, 3)
    assert _reasons(result) == {4: "missing title", 5: "missing publication year"}
    rows = result.records.to_dicts()
    assert rows[0]["authors"] == ["Pallipuram, Vivek K.", "Bhuiyan, Mohammad", "Smith, Melissa C."]
    assert rows[1]["authors"] == ["Du, ZhiHui", "Du, Yun-Fei", "Chen, Juan", "McCabe, Margaret A."]
    assert rows[0]["doi"] == "10.1007/s11227-011-0631-3"
    assert (rows[0]["venue"], rows[0]["volume"], rows[0]["year"]) == (
        "The Journal of Supercomputing",
        "61",
        2012,
    )
    assert rows[2]["venue"] == "Lecture Notes in Computer Science"  # book series fallback
    assert rows[2]["authors"] == []


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("Ren LiHaibo HuHeng Li", ["Ren Li", "Haibo Hu", "Heng Li"]),
        ("Adrián CastellóAntonio J. Peña", ["Adrián Castelló", "Antonio J. Peña"]),
        ("Ang GaoYanSu HuDeJun Mu", ["Ang Gao", "YanSu Hu", "DeJun Mu"]),
        ("JinSoo ParkDuHyun Hwang", ["JinSoo Park", "DuHyun Hwang"]),
        ("Simon McIntosh-SmithJane DeFrancisco", ["Simon McIntosh-Smith", "Jane DeFrancisco"]),
        ("Yunfei DuKe Zuo", ["Yunfei Du", "Ke Zuo"]),
        ("", []),
    ],
)
def test_split_run_together_names(text, names):
    assert tabular.split_run_together_names(text) == names


# --------------------------------------------------------------------------- mapping


def test_configured_mapping_with_failures(fixtures_dir):
    path = fixtures_dir / "tabular" / "mapped.csv"
    assert _sniff(path, MAPPED)
    assert not _sniff(path)  # without the mapping the file is nobody's
    result = tabular.read(path, MAPPED)
    assert (result.n_read, result.records.height) == (7, 3)
    reasons = _reasons(result)
    assert reasons[3] == "missing title"
    assert reasons[4] == "missing publication year"
    assert reasons[5] == "malformed CSV row: 3 cells where the header has 9"
    assert reasons[6].startswith("undecodable text in field 'title'")
    first = result.records.row(0, named=True)
    assert first["source_id"] == "P1"
    assert first["authors"] == ["Ngata, T", "Brown, A"]
    assert first["author_keywords"] == ["inquiry", "chemistry"]
    assert first["countries"] == ["New Zealand", "United Kingdom"]  # from the addresses
    assert first["times_cited"] == 5
    assert result.records["record_no"].to_list() == [1, 2, 7]


def test_mapping_naming_a_missing_column(fixtures_dir):
    path = fixtures_dir / "tabular" / "mapped.csv"
    bad = IngestConfig(
        tabular=TabularConfig(
            columns={**MAPPING, "doi": "DOI", "title": "Name"}, delimiter=";", list_separator="|"
        )
    )
    with pytest.raises(InputFormatError) as err:
        tabular.read(path, bad)
    message = str(err.value)
    assert str(path) in message
    assert "field 'title' -> column 'Name'" in message
    assert "field 'doi' -> column 'DOI'" in message
    assert "'Paper Title'" in message and "'Cites'" in message  # the columns present


def test_unknown_table_without_mapping(tmp_path):
    path = tmp_path / "plain.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8")
    assert not _sniff(path)
    with pytest.raises(InputFormatError, match=r"no column mapping configured.*'a', 'b'"):
        tabular.read(path, DEFAULT)


# --------------------------------------------------------------------------- Parquet


def test_parquet_with_mapping(tmp_path):
    path = tmp_path / "works.data"  # detected by magic bytes, not by the name
    pl.DataFrame(
        {
            "id": ["X1", "X2", "X3"],
            "name": ["Peer tutoring in algebra", None, "Future paper"],
            "published": [2020, 2021, 3000],
            "people": [["Ito, K", "Lee, J"], [], []],
            "cites": [3.0, None, 0.0],
            "doi": ["https://doi.org/10.1000/ABC", None, None],
        }
    ).write_parquet(path)
    config = IngestConfig(
        tabular=TabularConfig(
            columns={
                "source_id": "id",
                "title": "name",
                "year": "published",
                "authors": "people",
                "times_cited": "cites",
                "doi": "doi",
            }
        )
    )
    assert tabular.sniff(path, read_head(path), config)
    result = tabular.read(path, config)
    assert (result.n_read, result.records.height) == (3, 1)
    assert _reasons(result)[2] == "missing title"
    assert _reasons(result)[3].startswith("impossible year 3000")
    rec = result.records.row(0, named=True)
    assert rec["authors"] == ["Ito, K", "Lee, J"]
    assert (rec["year"], rec["times_cited"], rec["doi"]) == (2020, 3, "10.1000/abc")
    assert '"name": null' in result.quarantine["raw"][0]


def test_parquet_with_ieee_columns_uses_the_preset(tmp_path):
    path = tmp_path / "ieee.parquet"
    pl.DataFrame(
        {
            "Document Title": ["Exascale I/O"],
            "Publication Title": ["SC20"],
            "Publication Year": ["2020"],
            "PDF Link": ["https://ieeexplore.ieee.org/stamp/stamp.jsp?arnumber=1"],
            "Authors": ["J. Doe"],
        }
    ).write_parquet(path)
    rec = tabular.read(path, DEFAULT).records.row(0, named=True)
    assert (rec["source_id"], rec["authors"], rec["year"]) == ("IEEE:1", ["Doe, J"], 2020)


def test_corrupt_parquet_raises(tmp_path):
    path = tmp_path / "broken.parquet"
    path.write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(InputFormatError, match=r"broken\.parquet: unreadable Parquet file"):
        tabular.read(path, DEFAULT)


# --------------------------------------------------------------------------- CSV rows


def test_csv_rows_recover_after_an_unclosed_quote():
    rows = list(tabular.csv_rows('a,b\n1,"x\n2,y\n\n3,z\n'))
    assert rows[0][0] == ["a", "b"]
    assert rows[1][0] is None and "malformed CSV row" in rows[1][2]
    assert rows[1][1] == '1,"x\n'
    assert [r[0] for r in rows[2:]] == [["2", "y"], ["3", "z"]]  # blank line skipped


# --------------------------------------------------------------------------- real corpora


def test_real_ieee_exports(shared_corpora):
    folder = shared_corpora / "control-exascale-ieee"
    results = [tabular.read(folder / f"ieee_{i}.csv", DEFAULT) for i in range(1, 6)]
    assert [r.n_read for r in results] == [100, 100, 100, 100, 41]
    assert all(r.quarantine.height == 0 for r in results)
    df = pl.concat([r.records for r in results])
    assert df.height == 441
    assert df["abstract"].is_not_null().sum() == 441
    assert (df["times_cited"] > 0).sum() == 327
    assert df["times_cited"].sum() == 6176
    assert df["doi"].is_not_null().sum() == 429
    assert df["source_id"].n_unique() == 441
    assert (df["authors"].list.len() > 0).sum() == 439
    assert (df["year"].min(), df["year"].max()) == (2005, 2022)


def test_real_springer_export(shared_corpora):
    result = tabular.read(shared_corpora / "control-exascale-ieee" / "springer.csv", DEFAULT)
    df = result.records
    assert (result.n_read, df.height, result.quarantine.height) == (1000, 1000, 0)
    assert df["doi"].is_not_null().sum() == 1000
    assert df["abstract"].is_null().all()
    assert (df["authors"].list.len() > 0).sum() == 994
    assert df["authors"].to_list()[0] == [
        "Pallipuram, Vivek K.",
        "Bhuiyan, Mohammad",
        "Smith, Melissa C.",
    ]
    assert (df["year"].min(), df["year"].max()) == (1997, 2022)


def test_real_files_of_other_formats_are_not_claimed(shared_corpora):
    for name in (
        "biblium-samples/scopus_reviews_200.csv",
        "biblium-samples/openalex_bibliometrics_613.csv.gz",
        "biblium-samples/wos_bibliometrics_500.txt",
        "vet-medical-education-tel/wos_tabdelimited_242.txt",
        "genai-authorship-wos/savedrecs.ris",
    ):
        assert not _sniff(shared_corpora / name), name


def test_a_mapping_for_other_files_does_not_break_presets(fixtures_dir):
    path = fixtures_dir / "tabular" / "ieee_export.csv"
    assert _sniff(path, MAPPED)
    result = tabular.read(path, MAPPED)  # ';' delimiter and columns of another file
    assert (result.n_read, result.records.height) == (6, 3)
    assert result.records["source_id"][0] == "IEEE:9150401"
