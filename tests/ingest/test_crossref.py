"""Crossref works JSON: API pages, single works, JSON Lines; bad works quarantined."""

import json
from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import crossref
from fronts.ingest.common import read_head
from fronts.ingest.detect import detect_format

CONFIG = IngestConfig()


@pytest.fixture
def folder(fixtures_dir) -> Path:
    return fixtures_dir / "crossref"


def test_sniff_and_detect(folder):
    for name in ("works-page.json", "single-work.json"):
        path = folder / name
        assert crossref.sniff(path, read_head(path), CONFIG), name
        assert detect_format(path, CONFIG) is crossref
    assert not crossref.sniff(Path("x.json"), '{"id": "https://openalex.org/W1"}', CONFIG)


def test_a_work_list_page(folder):
    result = crossref.read(folder / "works-page.json", CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 2, 1)
    assert result.quarantine["reason"].to_list() == ["missing title"]
    first = result.records.row(0, named=True)
    assert first["doi"] == "10.1186/s12909-023-04890-1"
    assert first["year"] == 2023 and first["venue"] == "BMC Medical Education"
    assert first["abstract"].startswith("Background Teachers of nursing")  # JATS stripped
    assert "<jats" not in first["abstract"]
    assert first["authors"] == ["Hansen, Ingrid M.", "Garcia-Lopez, Pablo", "Wang, Li"]
    assert first["countries"] == ["Norway", "Spain"]
    assert first["cited_refs"] == [
        "DOI 10.1016/j.compedu.2012.04.016",
        "Redecker C. European framework for the digital competence of educators. 2017.",
    ]
    assert first["cited_dois"] == ["10.1016/j.compedu.2012.04.016"]
    assert first["times_cited"] == 4
    editorial = result.records.row(1, named=True)
    assert (editorial["doc_type"], editorial["first_page"]) == ("editorial", "1201")


def test_a_single_work_and_an_organisation_author(folder):
    result = crossref.read(folder / "single-work.json", CONFIG)
    row = result.records.row(0, named=True)
    assert row["year"] == 2024  # published-print when issued is absent
    assert row["authors"] == ["Schmidt, Anna", "Virtual Patient Study Group"]
    assert row["first_page"] == "e45"


def test_json_lines_quarantine_a_broken_line(tmp_path, folder):
    page = json.loads((folder / "works-page.json").read_text(encoding="utf-8"))
    works = page["message"]["items"][:2]
    lines = [json.dumps(works[0]), '{"DOI": "10.1/x", "title": ["cut', json.dumps(works[1])]
    path = tmp_path / "works.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = crossref.read(path, CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 2, 1)
    assert result.quarantine["reason"][0].startswith("invalid JSON")


def test_not_crossref_or_not_json_is_one_clear_error(tmp_path):
    path = tmp_path / "x.json"
    path.write_text('{"message-type": "work-list", "message": {"items": [', encoding="utf-8")
    with pytest.raises(InputFormatError, match="invalid JSON"):
        crossref.read(path, CONFIG)
    path.write_text('{"hello": "world"}', encoding="utf-8")
    with pytest.raises(InputFormatError, match="not Crossref JSON"):
        crossref.read(path, CONFIG)
