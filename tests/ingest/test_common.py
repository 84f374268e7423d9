from pathlib import Path

from fronts.config import IngestConfig
from fronts.ingest.common import (
    ParsedRecord,
    decode,
    dois_in,
    finalise,
    normalise_doi,
)


def _finalise(*items: ParsedRecord):
    return finalise(items, path=Path("x.txt"), source="wos", config=IngestConfig())


def test_normalise_doi_strips_resolvers_and_case():
    assert normalise_doi("https://doi.org/10.1000/ABC.12") == "10.1000/abc.12"
    assert normalise_doi("DOI 10.1016/j.joi.2019.01.002.") == "10.1016/j.joi.2019.01.002"
    assert normalise_doi("no doi here") is None


def test_dois_in_references_deduplicates_in_order():
    refs = ["A, 2019, X, DOI 10.1000/A", "B, 2020, DOI 10.1000/b", "C DOI 10.1000/a"]
    assert dois_in(refs) == ["10.1000/a", "10.1000/b"]


def test_acceptance_rules_quarantine_with_reasons():
    good = ParsedRecord({"title": "A  title", "year": "2021", "authors": ["X, Y", "X, Y"]}, "raw1")
    no_title = ParsedRecord({"title": " ", "year": 2021}, "raw2")
    bad_year = ParsedRecord({"title": "T", "year": 3021}, "raw3")
    no_year = ParsedRecord({"title": "T"}, "raw4")
    truncated = ParsedRecord(None, "raw5", problem="truncated record: no ER line")
    undecodable = ParsedRecord({"title": decode(b"caf\xe9 culture"), "year": 2020}, "raw6")
    result = _finalise(good, no_title, bad_year, no_year, truncated, undecodable)
    assert result.n_read == 6
    assert result.records.height == 1
    rec = result.records.row(0, named=True)
    assert rec["title"] == "A title" and rec["year"] == 2021 and rec["authors"] == ["X, Y"]
    reasons = dict(zip(result.quarantine["record_no"], result.quarantine["reason"], strict=True))
    assert reasons[2] == "missing title"
    assert reasons[3].startswith("impossible year 3021")
    assert reasons[4] == "missing publication year"
    assert reasons[5] == "truncated record: no ER line"
    assert reasons[6].startswith("undecodable text in field 'title'")
    assert "\ufffd" not in result.quarantine["raw"][0]


def test_country_spellings_of_all_sources_agree():
    from fronts.ingest.countries import normalise_country

    for spelling in ("USA", "U.S.A.", "United States", "US", "CA 94305 USA"):
        assert normalise_country(spelling) == "United States", spelling
    for spelling in ("England", "Scotland", "UK", "U.K.", "GB"):
        assert normalise_country(spelling) == "United Kingdom", spelling
    assert normalise_country("Peoples R China") == normalise_country("CN") == "China"
    assert normalise_country("The Netherlands") == "Netherlands"
    assert normalise_country("Atlantis") is None
