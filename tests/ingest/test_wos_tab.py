import datetime
from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import wos, wos_tab
from fronts.ingest.common import read_head
from fronts.schemas import RECORD_FIELDS

CONFIG = IngestConfig()
MAX_YEAR = datetime.date.today().year + CONFIG.max_year_ahead
# Fields compared between the tab-delimited and the tagged export of the same records.
_COMPARED = [f for f in RECORD_FIELDS if f != "citations_by_year"]


def _read(path: Path):
    return wos_tab.read(path, CONFIG)


def test_native_utf16_export_with_trailing_tabs(fixtures_dir):
    result = _read(fixtures_dir / "wos" / "native_utf16.txt")
    assert (result.n_read, result.records.height, result.quarantine.height) == (4, 4, 0)
    rec = result.records.row(0, named=True)
    assert rec["source"] == "wos_tab"
    assert rec["source_id"] == "WOS:000612345600004"
    assert rec["authors"] == ["Okafor, CN", "Lindqvist, E", "Zhang, WJ"]
    # ';' inside "[Author; Author]" groups does not split an address.
    assert rec["affiliations"] == [
        "Stanford Univ, Grad Sch Educ, Stanford, CA 94305 USA",
        "Uppsala Univ, Dept Educ, S-75105 Uppsala, Sweden",
        "Zhejiang Univ, Coll Educ, Hangzhou 310058, Peoples R China",
    ]
    assert rec["countries"] == ["United States", "Sweden", "China"]
    assert len(rec["cited_refs"]) == 3
    assert rec["cited_refs"][2] == (
        "Zimmerman BJ, 2002, THEOR PRACT, V41, P64, DOI 10.1207/s15430421tip4102_2"
    )
    assert rec["cited_dois"][0] == "10.1109/tlt.2017.2740172"
    assert rec["times_cited"] == 17 and rec["first_page"] == "104089"
    # A native (unquoted) cell that starts with a quotation mark is kept as it is.
    second = result.records.row(1, named=True)
    assert second["title"].startswith('"Just ask the chatbot": generative AI tutors')
    assert second["year"] == 2024  # EA "NOV 2024", no PY


def test_quoted_rewrite_reads_like_the_native_export(fixtures_dir):
    native = _read(fixtures_dir / "wos" / "native_utf16.txt").records
    quoted = _read(fixtures_dir / "wos" / "quoted_utf8.txt").records
    assert quoted.select(["record_no", *_COMPARED]).equals(native.select(["record_no", *_COMPARED]))
    assert quoted["abstract"][1].endswith('who called it a "shortcut" to feedback.')


def test_tab_and_tagged_exports_give_the_same_fields(fixtures_dir):
    tab = _read(fixtures_dir / "wos" / "native_utf16.txt").records
    tagged = wos.read(fixtures_dir / "wos" / "valid.txt", CONFIG).records
    tagged = tagged.filter(tagged["source_id"] != "WOS:000523456700012")  # not in the tab file
    assert tab.select(_COMPARED).equals(tagged.select(_COMPARED))


def test_each_failure_is_quarantined_with_its_reason(fixtures_dir):
    result = _read(fixtures_dir / "wos" / "tab_failures.txt")
    assert (result.n_read, result.records.height, result.quarantine.height) == (6, 2, 4)
    assert result.records["record_no"].to_list() == [1, 6]
    reasons = dict(zip(result.quarantine["record_no"], result.quarantine["reason"], strict=True))
    assert reasons == {
        2: "malformed row: 21 cells, expected 67",
        3: "missing title",
        4: f"impossible year 2091 (accepted: 1800-{MAX_YEAR})",
        5: "undecodable text in field 'abstract' (bytes that are not valid UTF-8)",
    }
    raw = dict(zip(result.quarantine["record_no"], result.quarantine["raw"], strict=True))
    assert raw[2].startswith("C\tMoreau, J; Fischer, K\t")
    assert "Caf\ufffd culture" in raw[5]


def test_split_addresses():
    cell = "[A, B; C, D] Univ X, Dept Y, Paris, France; [E, F] Univ Z, Oslo, Norway;"
    assert wos_tab.split_addresses(cell) == [
        "[A, B; C, D] Univ X, Dept Y, Paris, France",
        "[E, F] Univ Z, Oslo, Norway",
    ]
    assert wos_tab.split_addresses("Univ X, Paris, France; Univ Z, Oslo, Norway") == [
        "Univ X, Paris, France",
        "Univ Z, Oslo, Norway",
    ]


def test_sniff(fixtures_dir):
    for name in ("native_utf16.txt", "quoted_utf8.txt", "tab_failures.txt"):
        path = fixtures_dir / "wos" / name
        assert wos_tab.sniff(path, read_head(path), CONFIG), name
    tagged = fixtures_dir / "wos" / "valid.txt"
    assert not wos_tab.sniff(tagged, read_head(tagged), CONFIG)
    assert not wos_tab.sniff(Path("x"), "Authors\tTitle\tYear\n", CONFIG)
    assert not wos_tab.sniff(Path("x"), "PT\tAU\tSO\n", CONFIG)  # no TI column


def test_read_refuses_other_formats(fixtures_dir):
    with pytest.raises(InputFormatError, match="not a Web of Science tab-delimited export"):
        _read(fixtures_dir / "wos" / "valid.txt")


@pytest.mark.shared
def test_real_vet_medical_education_export(shared_corpora):
    path = shared_corpora / "vet-medical-education-tel" / "wos_tabdelimited_242.txt"
    assert wos_tab.sniff(path, read_head(path), CONFIG)
    assert not wos.sniff(path, read_head(path), CONFIG)
    result = _read(path)
    rec = result.records
    assert (result.n_read, rec.height, result.quarantine.height) == (242, 242, 0)
    assert rec["abstract"].is_not_null().sum() == 228
    assert rec["times_cited"].sum() == 1_250
    assert (rec["cited_refs"].list.len() > 0).sum() == 0  # exported without references
    assert (rec["year"].min(), rec["year"].max()) == (1999, 2019)
    assert rec["source_id"].n_unique() == 242 and rec["source_id"].str.starts_with("WOS:").all()
    assert rec["doi"].is_not_null().sum() == 117
    # The file was re-written with CSV quoting; quotes must not leak into the values.
    assert not rec["authors"].list.first().str.starts_with('"').any()
    titles = rec["title"].to_list()
    assert (
        'Welcome to the US but "change your name"? Adopting Anglo names and discrimination'
        in titles
    )
    first = rec.row(0, named=True)
    assert first["authors"] == ["Xiu, Y", "Moore, ME", "Thompson, P", "French, DP"]
    assert first["author_keywords"] == [
        "Flipped learning environments",
        "Video",
        "Student perceptions",
    ]
