"""PubMed MEDLINE (.nbib) exports: fields, boundaries, quarantine."""

from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import pubmed
from fronts.ingest.common import read_head
from fronts.ingest.detect import detect_format

CONFIG = IngestConfig()


@pytest.fixture
def sample(fixtures_dir) -> Path:
    return fixtures_dir / "pubmed" / "pubmed-sample.nbib"


def test_sniff_and_detect(sample):
    assert pubmed.sniff(sample, read_head(sample), CONFIG)
    assert detect_format(sample, CONFIG) is pubmed
    path = Path("x.txt")
    assert pubmed.sniff(path, "\ufeff\nPMID- 123\nTI  - T\n", CONFIG)
    assert not pubmed.sniff(path, "TY  - JOUR\nTI  - T\n", CONFIG)
    assert not pubmed.sniff(path, "PMID,Title\n123,T\n", CONFIG)


def test_fields_of_a_full_record(sample):
    result = pubmed.read(sample, CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 3, 0)
    first = result.records.row(0, named=True)
    assert first["source_id"] == "PMID:38012345"
    assert first["doi"] == "10.1186/s12909-023-04890-1"
    # continuation lines are joined into one title
    assert first["title"].startswith("Digital literacy of nursing teachers after the pandemic")
    assert "cross-sectional survey in three countries." in first["title"]
    assert first["abstract"].startswith("BACKGROUND: Teachers of nursing")
    assert (first["year"], first["volume"], first["first_page"]) == (2023, "23", "912")
    assert first["venue"] == "BMC medical education"
    assert first["authors"] == ["Hansen, Ingrid M", "Garcia-Lopez, Pablo", "Wang, Li"]
    assert first["countries"] == ["Norway", "Spain", "China"]
    assert first["author_keywords"] == [
        "Digital literacy",
        "Nursing education",
        "Professional development",
    ]
    assert first["cited_refs"] == [] and first["times_cited"] is None


def test_document_type_pages_and_first_language(sample):
    rows = pubmed.read(sample, CONFIG).records.rows(named=True)
    editorial, trial = rows[1], rows[2]
    assert editorial["doc_type"] == "Editorial" and editorial["first_page"] == "1201"
    assert trial["first_page"] == "e45" and trial["language"] == "eng"
    assert trial["year"] == 2024  # "2024 Jan-Feb"
    assert trial["abstract"].startswith("Virtual patients were compared")


def test_a_malformed_record_is_quarantined_and_the_rest_kept(tmp_path, sample):
    text = sample.read_text(encoding="utf-8")
    broken = text.replace("TI  - Generative AI in the classroom.", "this line has no tag at all")
    path = tmp_path / "broken.nbib"
    path.write_text("stray header line\n\n" + broken, encoding="utf-8")
    result = pubmed.read(path, CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 2, 1)
    reason = result.quarantine["reason"][0]
    assert "unparseable PubMed record" in reason and "no tag" in reason
    assert "PMID- 37990001" in result.quarantine["raw"][0]
    assert result.notes == ["1 non-empty line(s) outside any PMID record were ignored"]


def test_a_record_without_title_is_quarantined(tmp_path):
    path = tmp_path / "notitle.nbib"
    path.write_text("PMID- 1\nDP  - 2020\nAB  - Only an abstract.\n", encoding="utf-8")
    result = pubmed.read(path, CONFIG)
    assert (result.records.height, result.quarantine.height) == (0, 1)
    assert "title" in result.quarantine["reason"][0]


def test_no_record_at_all_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.nbib"
    path.write_text("TI  - a title without a PMID\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="no PubMed records"):
        pubmed.read(path, CONFIG)
