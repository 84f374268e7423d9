"""PubMed XML exports: the same works as the MEDLINE file, and broken articles quarantined."""

from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import pubmed, pubmed_xml
from fronts.ingest.common import read_head
from fronts.ingest.detect import detect_format

CONFIG = IngestConfig()
SAME = [
    "source_id",
    "doi",
    "title",
    "abstract",
    "year",
    "venue",
    "volume",
    "first_page",
    "doc_type",
    "language",
    "authors",
    "affiliations",
    "countries",
    "author_keywords",
]


@pytest.fixture
def xml(fixtures_dir) -> Path:
    return fixtures_dir / "pubmed" / "pubmed-sample.xml"


def test_sniff_and_detect(xml):
    assert pubmed_xml.sniff(xml, read_head(xml), CONFIG)
    assert detect_format(xml, CONFIG) is pubmed_xml
    assert not pubmed_xml.sniff(Path("x.xml"), "<?xml version='1.0'?><records/>", CONFIG)


def test_the_xml_and_medline_exports_of_the_same_works_read_the_same(xml, fixtures_dir):
    from_xml = pubmed_xml.read(xml, CONFIG).records.select(SAME)
    from_nbib = pubmed.read(fixtures_dir / "pubmed" / "pubmed-sample.nbib", CONFIG).records
    assert from_xml.height == 3
    assert from_xml.to_dicts() == from_nbib.select(SAME).to_dicts()


def test_references_are_kept_by_doi_else_by_citation(xml):
    refs = pubmed_xml.read(xml, CONFIG).records["cited_refs"].to_list()
    assert refs[0] == [
        "DOI 10.1016/j.compedu.2012.04.016",
        "Redecker C. European framework for the digital competence of educators. 2017.",
    ]
    assert refs[1] == [] and refs[2] == []


def test_truncated_and_broken_articles_are_quarantined(tmp_path, xml):
    text = xml.read_text(encoding="utf-8")
    broken = text.replace("<Volume>45</Volume>", "<Volume>45</Vol>", 1)
    cut = broken[: broken.rindex("<ArticleTitle>Simulation")]
    path = tmp_path / "broken.xml"
    path.write_text(cut, encoding="utf-8")
    result = pubmed_xml.read(path, CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 1, 2)
    reasons = result.quarantine["reason"].to_list()
    assert any("unparseable PubMed XML article: mismatched tag" in r for r in reasons)
    assert any("truncated article" in r for r in reasons)
    assert result.records["source_id"].to_list() == ["PMID:38012345"]


def test_no_article_is_a_clear_error(tmp_path):
    path = tmp_path / "empty.xml"
    path.write_text("<?xml version='1.0'?>\n<PubmedArticleSet></PubmedArticleSet>\n")
    with pytest.raises(InputFormatError, match="no PubMed articles"):
        pubmed_xml.read(path, CONFIG)
