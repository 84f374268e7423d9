import datetime
import gzip
from pathlib import Path

import polars as pl
import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import wos
from fronts.ingest.common import read_head

CONFIG = IngestConfig()
MAX_YEAR = datetime.date.today().year + CONFIG.max_year_ahead


def _read(path: Path):
    return wos.read(path, CONFIG)


def _reasons(result) -> dict[int, str]:
    q = result.quarantine
    return dict(zip(q["record_no"], q["reason"], strict=True))


# --------------------------------------------------------------------------- fixtures


def test_valid_export_with_bom_and_crlf(fixtures_dir):
    result = _read(fixtures_dir / "wos" / "valid.txt")
    assert (result.n_read, result.records.height, result.quarantine.height) == (5, 5, 0)
    rec = result.records.row(0, named=True)
    assert rec["source"] == "wos" and rec["record_no"] == 1
    assert rec["source_id"] == "WOS:000612345600004"
    assert rec["doi"] == "10.1016/j.compedu.2020.104089"
    # Continuation lines are joined with spaces.
    assert rec["title"] == (
        "Learning analytics dashboards in undergraduate statistics courses: "
        "a mixed-methods evaluation"
    )
    assert rec["abstract"].startswith("Dashboards that visualise students' activity are")
    assert rec["abstract"].endswith("modest effects on self-regulation.")
    assert rec["year"] == 2021
    assert (rec["venue"], rec["volume"], rec["first_page"]) == (
        "COMPUTERS & EDUCATION",
        "162",
        "104089",
    )
    assert (rec["doc_type"], rec["language"]) == ("Article", "English")
    assert rec["authors"] == ["Okafor, CN", "Lindqvist, E", "Zhang, WJ"]
    assert rec["affiliations"] == [
        "Stanford Univ, Grad Sch Educ, Stanford, CA 94305 USA",
        "Uppsala Univ, Dept Educ, S-75105 Uppsala, Sweden",
        "Zhejiang Univ, Coll Educ, Hangzhou 310058, Peoples R China",
    ]
    assert rec["countries"] == ["United States", "Sweden", "China"]
    assert rec["author_keywords"] == [
        "Learning analytics",
        "Dashboards",
        "Statistics education",
        "Self-regulated learning",
    ]
    assert len(rec["cited_refs"]) == 3
    assert rec["cited_refs"][0].startswith("Bodily R, 2018, IEEE T LEARN TECHNOL")
    assert rec["cited_dois"][1] == "10.1145/3170358.3170421"
    assert rec["times_cited"] == 17


def test_fallbacks_early_access_year_and_article_number(fixtures_dir):
    records = _read(fixtures_dir / "wos" / "valid.txt").records
    by_id = {r["source_id"]: r for r in records.iter_rows(named=True)}
    early = by_id["WOS:001345678900001"]  # no PY, EA "NOV 2024"
    assert early["year"] == 2024 and early["first_page"] is None
    proceedings = by_id["WOS:000490123400020"]  # C1 without [author] groups
    assert proceedings["first_page"] == "112"
    assert proceedings["countries"] == ["France", "Germany"]
    assert (
        proceedings["affiliations"][0] == "Univ Lyon 1, Dept Informat, F-69622 Villeurbanne, France"
    )
    assert by_id["WOS:000745678900003"]["first_page"] == "103581"  # AR, no BP
    assert by_id["WOS:000523456700012"]["abstract"] is None


def test_concatenated_exports_read_as_one(fixtures_dir):
    single = _read(fixtures_dir / "wos" / "valid.txt").records
    joined = _read(fixtures_dir / "wos" / "concatenated.txt")
    assert (joined.n_read, joined.quarantine.height) == (5, 0)
    assert joined.records["record_no"].to_list() == [1, 2, 3, 4, 5]
    cols = [c for c in single.columns if c not in ("source_file",)]
    assert joined.records.select(cols).equals(single.select(cols))


def test_each_failure_is_quarantined_with_its_reason(fixtures_dir):
    result = _read(fixtures_dir / "wos" / "failures.txt")
    assert (result.n_read, result.records.height, result.quarantine.height) == (8, 2, 6)
    assert result.records["record_no"].to_list() == [1, 7]
    assert _reasons(result) == {
        2: "truncated record: a new record (PT) starts before ER",
        3: "missing title",
        4: f"impossible year 2091 (accepted: 1800-{MAX_YEAR})",
        5: f"impossible year 201 (accepted: 1800-{MAX_YEAR})",  # PY 0201
        6: "undecodable text in field 'abstract' (bytes that are not valid UTF-8)",
        8: "truncated record: the file ends before ER",
    }
    raw = dict(zip(result.quarantine["record_no"], result.quarantine["raw"], strict=True))
    assert raw[2].startswith("PT J\nAU Haddad, R") and "ER" not in raw[2].split("\n")
    assert "(caf\ufffd culture)" in raw[6]
    assert raw[8].startswith("PT J\nAU Silva, AP") and "C1" not in raw[8]


def test_header_inside_a_record_truncates_it(tmp_path):
    text = (
        "FN Clarivate Analytics Web of Science\nVR 1.0\n"
        "PT J\nAU Roe, A\nTI Cut off by a second export\nPY 2020\n"
        "EF\n"
        "FN Clarivate Analytics Web of Science\nVR 1.0\n"
        "PT J\nAU Poe, B\nTI Complete\nPY 2021\nUT WOS:000000000000002\nER\n\nEF\n"
    )
    path = tmp_path / "joined.txt"
    path.write_text(text, encoding="utf-8")
    result = _read(path)
    assert (result.n_read, result.records.height) == (2, 1)
    assert _reasons(result) == {1: "truncated record: EF line before ER"}
    assert result.records["title"].to_list() == ["Complete"]


def test_gzipped_file_is_read_transparently(fixtures_dir, tmp_path):
    path = tmp_path / "export.txt.gz"
    path.write_bytes(gzip.compress((fixtures_dir / "wos" / "valid.txt").read_bytes()))
    assert wos.sniff(path, read_head(path), CONFIG)
    assert _read(path).records.height == 5


def test_normalise_ut():
    assert wos.normalise_ut("WOS:000612345600004") == "WOS:000612345600004"
    assert wos.normalise_ut("ISI:000612345600004") == "WOS:000612345600004"
    assert wos.normalise_ut("wos:000612345600004") == "WOS:000612345600004"
    assert wos.normalise_ut("000612345600004") == "WOS:000612345600004"
    assert wos.normalise_ut("MEDLINE:31234567") == "MEDLINE:31234567"
    assert wos.normalise_ut(" ") is None


def test_sniff_accepts_tagged_text_only(fixtures_dir, tmp_path):
    assert wos.sniff(Path("x"), "\ufeffFN Clarivate Analytics Web of Science\nVR 1.0\n", CONFIG)
    assert wos.sniff(Path("x"), "\n\nPT J\nAU Smith, J\nTI A title\n", CONFIG)
    assert wos.sniff(Path("x"), "VR 1.0\nPT J\n", CONFIG)
    assert not wos.sniff(Path("x"), "PT\tAU\tBA\tBE\tTI\n", CONFIG)
    assert not wos.sniff(Path("x"), "TY  - JOUR\nAU  - Smith, J\n", CONFIG)
    assert not wos.sniff(Path("x"), "@article{key,\n title = {T}}\n", CONFIG)
    assert not wos.sniff(Path("x"), '"Authors","Title","Year"\n', CONFIG)
    tab = fixtures_dir / "wos" / "quoted_utf8.txt"
    assert not wos.sniff(tab, read_head(tab), CONFIG)


def test_read_refuses_other_formats(tmp_path):
    path = tmp_path / "refs.ris"
    path.write_text("TY  - JOUR\nTI  - A title\nER  - \n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="not a Web of Science plain-text export"):
        _read(path)


# --------------------------------------------------------------------------- real corpora


def _read_all(paths: list[Path]) -> tuple[int, int, pl.DataFrame]:
    results = [_read(p) for p in paths]
    frame = pl.concat([r.records for r in results])
    return sum(r.n_read for r in results), sum(r.quarantine.height for r in results), frame


def _coverage(frame: pl.DataFrame) -> dict[str, int]:
    return {
        "AB": frame["abstract"].is_not_null().sum(),
        "CR": (frame["cited_refs"].list.len() > 0).sum(),
        "TC": frame["times_cited"].sum(),
    }


@pytest.mark.shared
@pytest.mark.parametrize(
    ("relative", "n", "coverage", "years"),
    [
        ("biblium-samples/wos_bibliometrics_500.txt", 500, (500, 497, 34_179), (1992, 2025)),
        ("genai-authorship-wos/savedrecs.txt", 469, (355, 430, 1_404), (2020, 2024)),
        ("data-science-education/wos_dse_146.txt", 146, (137, 142, 1_082), (2012, 2024)),
        ("bibexpy-genai/wos_genai_500.txt.gz", 500, (498, 494, 2_668), (2023, 2025)),
    ],
)
def test_real_single_file_corpora(shared_corpora, relative, n, coverage, years):
    result = _read(shared_corpora / relative)
    rec = result.records
    assert (result.n_read, rec.height, result.quarantine.height) == (n, n, 0)
    assert tuple(_coverage(rec).values()) == coverage
    assert (rec["year"].min(), rec["year"].max()) == years
    assert rec["source_id"].str.starts_with("WOS:").all()
    assert rec["source_id"].n_unique() == n
    assert rec["title"].is_not_null().all() and (rec["authors"].list.len() > 0).mean() > 0.99


@pytest.mark.shared
def test_real_biblium_field_detail(shared_corpora):
    rec = _read(shared_corpora / "biblium-samples" / "wos_bibliometrics_500.txt").records
    assert rec["doi"].is_not_null().sum() == 441
    assert (rec["author_keywords"].list.len() > 0).sum() == 438
    assert (rec["affiliations"].list.len() > 0).sum() == 485  # C1 present in 485 records
    assert (rec["countries"].list.len() > 0).sum() == 485
    assert rec.filter(pl.col("year").is_between(2019, 2024)).height == 262
    first = rec.row(0, named=True)
    assert first["countries"] == ["China"]
    assert (
        first["title"] == "Effect of Diabetes on Wound Healing: A Bibliometrics and Visual Analysis"
    )


@pytest.mark.shared
def test_real_bci_eeg_twenty_files_with_a_duplicate(shared_corpora):
    paths = sorted((shared_corpora / "control-bci-eeg-wos" / "raw").glob("*.txt.gz"))
    assert len(paths) == 20
    n_read, n_quarantined, frame = _read_all(paths)
    assert (n_read, n_quarantined, frame.height) == (10_000, 0, 10_000)
    unique = frame.unique("source_id", keep="first", maintain_order=True)
    assert unique.height == 9_500
    assert _coverage(unique) == {"AB": 9_307, "CR": 9_344, "TC": 199_775}
    assert (unique["year"].min(), unique["year"].max()) == (1998, 2026)
    assert unique.filter(pl.col("year").is_between(2019, 2024)).height == 3_313


@pytest.mark.shared
def test_real_ai_medical_diagnosis(shared_corpora):
    paths = sorted((shared_corpora / "control-ai-medical-diagnosis-wos").glob("*.txt.gz"))
    n_read, n_quarantined, frame = _read_all(paths)
    assert (n_read, n_quarantined, frame["source_id"].n_unique()) == (2_771, 0, 2_771)
    assert _coverage(frame) == {"AB": 2_766, "CR": 2_765, "TC": 19_498}
    assert frame.filter(pl.col("year").is_between(2019, 2024)).height == 1_673


@pytest.mark.shared
def test_real_quantum_30k_reduced_fields(shared_corpora):
    paths = sorted((shared_corpora / "control-quantum-wos-30k" / "raw").glob("*.txt.gz"))
    assert len(paths) == 30
    n_read, n_quarantined, frame = _read_all(paths)
    assert (n_read, n_quarantined, frame["source_id"].n_unique()) == (29_947, 0, 29_947)
    assert _coverage(frame) == {"AB": 29_922, "CR": 0, "TC": 0}
    assert frame["times_cited"].is_null().all()
    assert (frame["year"].min(), frame["year"].max()) == (2020, 2026)
    assert frame.filter(pl.col("year").is_between(2019, 2024)).height == 22_366
