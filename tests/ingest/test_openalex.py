import gzip
import json
from pathlib import Path

import polars as pl
import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import openalex
from fronts.ingest.common import read_head
from fronts.ingest.detect import detect_format
from fronts.ingest.openalex_csv import csv_records, literal_values
from fronts.ingest.openalex_values import display_name_to_author, invert_abstract, short_id
from fronts.schemas import RECORD_FIELDS

CONFIG = IngestConfig()
FIXTURES = ("api_page.json", "works.jsonl", "works.jsonl.gz", "works.csv")
# Fields that must come out the same whatever shape the work was exported in.
SHARED_FIELDS = tuple(f for f in RECORD_FIELDS if f != "cited_dois")


def _read(path: Path):
    return openalex.read(path, CONFIG)


def _reasons(result) -> dict[int, str]:
    q = result.quarantine
    return dict(zip(q["record_no"], q["reason"], strict=True))


def _row(result, record_no: int) -> dict:
    return result.records.filter(pl.col("record_no") == record_no).row(0, named=True)


def _write(path: Path, value) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


# --------------------------------------------------------------------------- values


def test_invert_abstract_orders_words_by_position():
    index = {"fronts": [1], "Research": [0], "grow.": [2]}
    assert invert_abstract(index) == "Research fronts grow."


def test_invert_abstract_repeats_words_and_skips_gaps():
    index = {"the": [0, 3], "cat": [1], "saw": [2], "dog.": [6]}  # positions 4 and 5 missing
    assert invert_abstract(index) == "the cat saw the dog."
    # Two words claiming one position: the first is kept, nothing is duplicated.
    assert invert_abstract({"a": [0], "b": [0], "c": [1]}) == "a c"


def test_invert_abstract_accepts_stored_strings_and_rejects_non_indexes():
    assert invert_abstract('{"Open": [0], "data": [1]}') == "Open data"
    assert invert_abstract("{'Open': [0], 'data': [1]}") == "Open data"
    assert invert_abstract({"IndexLength": 2, "InvertedIndex": {"b": [1], "a": [0]}}) == "a b"
    assert invert_abstract({"a": ["0"], "b": [1.5], "c": [1]}) == "a c"
    for empty in (None, {}, [], "", "not an index", {"a": []}):
        assert invert_abstract(empty) is None


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Naveen Donthu", "Donthu, Naveen"),
        ("Weng Marc Lim", "Lim, Weng Marc"),
        ("A. Schubert", "Schubert, A"),
        ("A. B. Okafor", "Okafor, AB"),
        ("Anthony F. J. van Raan", "van Raan, Anthony F. J."),
        ("René van der Wal", "van der Wal, René"),
        ("Donald de B. Beaver", "Beaver, Donald de B."),
        ("Henry G. Small Jr.", "Small, Henry G. Jr."),
        ("Waltman, Ludo", "Waltman, Ludo"),
        ("Aristotle", "Aristotle"),
        ("  ", None),
    ],
)
def test_display_names_become_surname_first(name, expected):
    assert display_name_to_author(name) == expected


def test_short_ids():
    assert short_id("https://openalex.org/W3160856016") == "W3160856016"
    assert short_id("https://api.openalex.org/works/w42") == "W42"
    assert short_id("W7") == "W7"
    assert short_id("") is None


def test_literal_values_read_python_reprs_with_quotes():
    cell = (
        "{'id': 'https://openalex.org/I1', 'display_name': \"King's College London\", "
        "'country_code': 'GB'}|{'id': 'https://openalex.org/I2', 'display_name': 'A|B Institute', "
        "'country_code': 'NL'}"
    )
    assert literal_values(cell, "display_name") == ["King's College London", "A|B Institute"]
    assert literal_values(cell, "country_code") == ["GB", "NL"]
    assert literal_values("", "display_name") == []


# --------------------------------------------------------------------------- sniffing


def test_sniff_claims_every_openalex_shape_and_nothing_else(fixtures_dir, tmp_path):
    for name in FIXTURES:
        path = fixtures_dir / "openalex" / name
        assert openalex.sniff(path, read_head(path), CONFIG), name
        assert detect_format(path, CONFIG) is openalex, name
    others = [p for p in fixtures_dir.rglob("*") if p.is_file() and p.parent.name != "openalex"]
    assert others
    for path in others:
        assert not openalex.sniff(path, read_head(path), CONFIG), path
    foo = _write(tmp_path / "foo.json", {"foo": 1})
    assert not openalex.sniff(foo, read_head(foo), CONFIG)


# --------------------------------------------------------------------------- JSON page


def test_api_page_every_work_accepted_or_quarantined(fixtures_dir):
    result = _read(fixtures_dir / "openalex" / "api_page.json")
    assert result.n_read == 6
    assert result.records["record_no"].to_list() == [1, 2, 5, 6]
    reasons = _reasons(result)
    assert sorted(reasons) == [3, 4]
    assert reasons[3] == "missing title"
    assert reasons[4].startswith("impossible year 3021 (accepted: 1800-")
    assert "W4200000003" in result.quarantine["raw"][0]
    assert result.notes == []


def test_fields_of_a_full_work(fixtures_dir):
    rec = _row(_read(fixtures_dir / "openalex" / "api_page.json"), 1)
    assert rec["source"] == "openalex"
    assert rec["source_id"] == "W4200000001"
    assert rec["doi"] == "10.1162/qss_a_00201"
    assert rec["title"] == "Detecting research fronts in education with citation networks"
    # Rebuilt from the inverted index, which has a gap at position 9 and repeats "fronts".
    assert rec["abstract"] == (
        "Research fronts are groups of papers that cite the same work; fronts grow fast."
    )
    assert rec["year"] == 2022
    assert rec["venue"] == "Quantitative Science Studies"
    assert (rec["volume"], rec["first_page"]) == ("4", "1")
    assert (rec["doc_type"], rec["language"]) == ("article", "en")
    assert rec["authors"] == ["de Rijcke, Sarah", "Okafor, AB", "Sugimoto, Cassidy R."]
    assert rec["affiliations"] == [
        "Leiden University",
        "King's College London",
        "Indiana University Bloomington",
    ]
    assert rec["countries"] == ["Netherlands", "United Kingdom", "United States"]
    assert rec["author_keywords"] == ["Citation analysis", "Research fronts"]
    assert rec["cited_refs"] == ["W2100000010", "W2100000011", "W1990000012"]
    assert rec["cited_dois"] == []
    assert rec["times_cited"] == 41
    assert rec["citations_by_year"] == [
        {"year": 2022, "count": 4},
        {"year": 2023, "count": 20},
        {"year": 2024, "count": 17},
    ]


def test_works_without_abstract_and_older_record_shapes(fixtures_dir):
    result = _read(fixtures_dir / "openalex" / "api_page.json")
    assert _row(result, 2)["abstract"] is None  # abstract_inverted_index is null
    old = _row(result, 5)  # host_venue, no title (display_name), old-style keywords
    assert old["title"] == "Visualizing science by citation mapping"
    assert old["venue"] == "Journal of the American Society for Information Science"
    assert old["authors"] == ["Small, Henry G. Jr."]
    assert old["affiliations"] == ["Institute for Scientific Information, Philadelphia, PA, USA"]
    assert old["author_keywords"] == ["citation mapping"]
    assert (old["citations_by_year"], old["countries"]) == ([], [])
    review = _row(result, 6)  # no institutions: raw affiliation strings instead
    assert review["affiliations"] == ["Yonsei University, Seoul, South Korea"]
    assert review["countries"] == ["South Korea"]
    assert review["doi"] is None


def test_bare_list_and_single_work_documents(fixtures_dir, tmp_path):
    works = json.loads((fixtures_dir / "openalex" / "api_page.json").read_text("utf-8"))["results"]
    bare = _read(_write(tmp_path / "list.json", works))
    assert (bare.n_read, bare.records.height) == (6, 4)
    single = tmp_path / "one.json"
    single.write_text(json.dumps(works[0], indent=2), encoding="utf-8")
    one = _read(single)
    assert one.records["source_id"].to_list() == ["W4200000001"]
    mixed = _read(_write(tmp_path / "mixed.json", [works[1], 42, {"foo": 1}]))
    assert mixed.records.height == 1
    assert _reasons(mixed) == {2: "not an OpenAlex work object", 3: "not an OpenAlex work object"}
    empty_page = _read(_write(tmp_path / "empty.json", {"meta": {"count": 0}, "results": []}))
    assert empty_page.n_read == 0


def test_not_openalex_json_raises_naming_the_file(tmp_path):
    with pytest.raises(InputFormatError, match=r"foo\.json: not OpenAlex JSON"):
        _read(_write(tmp_path / "foo.json", {"foo": 1}))
    with pytest.raises(InputFormatError, match=r"nums\.json: not OpenAlex JSON"):
        _read(_write(tmp_path / "nums.json", [1, 2]))
    broken = tmp_path / "broken.json"
    broken.write_text('{\n  "meta": {},\n  "results": [\n', encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"broken\.json: invalid JSON"):
        _read(broken)
    lines = tmp_path / "other.jsonl"
    lines.write_text('{"foo": 1}\n{"id": "https://openalex.org/W1"}\n', encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"other\.jsonl: not OpenAlex JSON"):
        _read(lines)


# --------------------------------------------------------------------------- JSON Lines


@pytest.mark.parametrize("name", ["works.jsonl", "works.jsonl.gz"])
def test_json_lines_every_line_accepted_or_quarantined(fixtures_dir, name):
    result = _read(fixtures_dir / "openalex" / name)
    assert result.n_read == 10  # 9 non-blank lines, the last one a page of two works
    assert result.records["record_no"].to_list() == [1, 2, 7, 9, 10]
    reasons = _reasons(result)
    assert reasons[3].startswith("invalid JSON: Unterminated string")
    assert reasons[4] == "missing title"
    assert reasons[5].startswith("impossible year 20201 (accepted: 1800-")
    assert reasons[6] == "undecodable text in field 'title' (bytes that are not valid UTF-8)"
    assert reasons[8] == "not an OpenAlex work object"
    assert sorted(reasons) == [3, 4, 5, 6, 8]
    assert result.quarantine.filter(pl.col("record_no") == 3)["raw"][0].endswith("broken download")
    assert result.records["source_id"].to_list() == [
        "W4300000001",
        "W4300000002",
        "W4300000008",
        "W4300000010",
        "W4300000011",
    ]
    first = _row(result, 1)
    assert first["abstract"] == "Topic models find fronts."
    assert (first["authors"], first["countries"]) == (["Wang, Jian"], ["China"])
    assert first["citations_by_year"] == [{"year": 2024, "count": 5}]
    # A counts_by_year entry that is not a (year, count) pair drops the per-year counts only.
    assert _row(result, 7)["citations_by_year"] == []
    assert len(result.notes) == 1 and "W4300000008" in result.notes[0]


def test_gzipped_and_plain_json_lines_agree(fixtures_dir):
    plain = _read(fixtures_dir / "openalex" / "works.jsonl")
    packed = _read(fixtures_dir / "openalex" / "works.jsonl.gz")
    assert plain.records.drop("source_file").equals(packed.records.drop("source_file"))


def test_json_lines_whose_first_line_is_broken(fixtures_dir, tmp_path):
    lines = (fixtures_dir / "openalex" / "works.jsonl").read_bytes().split(b"\n")
    path = tmp_path / "first_broken.jsonl"
    path.write_bytes(b"\n".join([lines[2], lines[0], lines[1]]))
    result = _read(path)
    assert result.n_read == 3
    assert result.records["record_no"].to_list() == [2, 3]
    assert _reasons(result)[1].startswith("invalid JSON")


def test_truncated_gzip_raises(fixtures_dir, tmp_path):
    data = gzip.compress((fixtures_dir / "openalex" / "works.jsonl").read_bytes() * 20)
    path = tmp_path / "cut.jsonl.gz"
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(InputFormatError, match=r"cut\.jsonl\.gz: corrupt or truncated gzip"):
        _read(path)


# --------------------------------------------------------------------------- CSV export


def test_csv_every_row_accepted_or_quarantined(fixtures_dir):
    result = _read(fixtures_dir / "openalex" / "works.csv")
    assert result.n_read == 8
    assert result.records["record_no"].to_list() == [1, 2, 6, 7]
    reasons = _reasons(result)
    assert sorted(reasons) == [3, 4, 5, 8]
    assert reasons[3] == "missing title"
    assert reasons[4].startswith("impossible year 3021 (accepted: 1800-")
    assert reasons[5] == "malformed CSV row: 5 cells where the header has 31"
    assert reasons[8] == "undecodable text in field 'title' (bytes that are not valid UTF-8)"
    assert len(result.notes) == 1 and "W4400000006" in result.notes[0]


def test_csv_fields_of_flattened_rows(fixtures_dir):
    result = _read(fixtures_dir / "openalex" / "works.csv")
    two = _row(result, 2)  # no institutions, an author without country ("ES||ES")
    assert two["abstract"] is None
    assert two["authors"] == [
        "Fernández, María Teresa",
        "Contributor, Anonymous",
        "Costas, Rodrigo",
    ]
    assert two["affiliations"] == ["CSIC, Madrid, Spain", "Universidad de Granada, Granada, Spain"]
    assert two["countries"] == ["Spain"]
    assert two["citations_by_year"] == [{"year": 2023, "count": 4}, {"year": 2024, "count": 3}]
    assert _row(result, 6)["citations_by_year"] == []  # three years, two counts
    assert _row(result, 6)["times_cited"] == 20
    assert _row(result, 7)["abstract"] == "Open citations make better citations"


def test_the_same_work_reads_the_same_from_json_and_csv(fixtures_dir):
    from_json = _row(_read(fixtures_dir / "openalex" / "api_page.json"), 1)
    from_csv = _row(_read(fixtures_dir / "openalex" / "works.csv"), 1)
    for name in SHARED_FIELDS:
        assert from_json[name] == from_csv[name], name


def test_not_openalex_csv_raises_naming_the_file(tmp_path, fixtures_dir):
    path = tmp_path / "other.csv"
    path.write_text("id,title,year\n1,A,2020\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"other\.csv: not an OpenAlex CSV export"):
        _read(path)
    with pytest.raises(InputFormatError, match="not an OpenAlex CSV export"):
        _read(fixtures_dir / "scopus" / "export_2024.csv")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputFormatError, match="empty"):
        _read(empty)


# --------------------------------------------------------------------------- real corpus


def test_real_csv_export(shared_corpora):
    path = shared_corpora / "biblium-samples" / "openalex_bibliometrics_613.csv.gz"
    assert openalex.sniff(path, read_head(path), CONFIG)
    # Every row as parsed, before the acceptance rules: the counts of PROVENANCE.md.
    rows = [r.fields for r in csv_records(path)]
    assert len(rows) == 613 and all(rows)
    assert sum(bool(r["citations_by_year"]) for r in rows) == 613
    assert sum(int(r["times_cited"]) for r in rows) == 307_370
    assert sum(bool(r["cited_refs"]) for r in rows) == 573
    assert sum(len(r["cited_refs"]) for r in rows) == 24_970  # = sum of referenced_works_count
    assert sum(bool(r["abstract"]) for r in rows) == 187

    result = _read(path)
    df = result.records
    assert (result.n_read, df.height, result.quarantine.height) == (613, 601, 12)
    # OpenAlex has no title for 12 Springer (10.1023/a:...) articles of 1998-2003.
    assert set(result.quarantine["reason"]) == {"missing title"}
    assert result.quarantine["raw"].str.contains("doi.org/10.1023/a:").all()
    assert result.notes == []
    assert df["abstract"].is_not_null().sum() == 187
    assert (df["cited_refs"].list.len() > 0).sum() == 561
    assert (df["citations_by_year"].list.len() > 0).all()
    assert df["times_cited"].sum() == 302_798
    assert df["doi"].is_not_null().sum() == 582
    assert (df["year"].min(), df["year"].max()) == (1926, 2024)
    assert df["year"].is_between(2019, 2024).sum() == 40
    assert df["source_id"].str.contains(r"^W\d+$").all() and df["source_id"].n_unique() == 601
    assert df["cited_refs"].explode().drop_nulls().str.contains(r"^W\d+$").all()
    assert (df["authors"].list.len() > 0).sum() == 599
    assert (df["countries"].list.len() > 0).sum() == 535
    assert (df["affiliations"].list.len() > 0).sum() == 542
    assert (df["author_keywords"].list.len() > 0).sum() == 467
    assert df["venue"].is_not_null().sum() == 589
    first = df.row(0, named=True)
    assert first["source_id"] == "W3160856016"
    assert first["authors"][:2] == ["Donthu, Naveen", "Kumar, Satish"]
    assert first["countries"] == ["United States", "India", "Malaysia", "Australia"]
    assert first["citations_by_year"][-1] == {"year": 2025, "count": 2042}
