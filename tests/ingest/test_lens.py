"""Lens.org exports: CSV with a byte-order mark and JSON Lines read the same works alike."""

from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import lens
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
    "authors",
    "author_keywords",
    "cited_refs",
    "times_cited",
]


@pytest.fixture
def folder(fixtures_dir) -> Path:
    return fixtures_dir / "lens"


def test_both_shapes_are_detected(folder):
    assert (folder / "lens-export.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    assert detect_format(folder / "lens-export.csv", CONFIG) is lens
    assert detect_format(folder / "lens-export.jsonl", CONFIG) is lens


def test_csv_and_json_lines_of_the_same_works_read_the_same(folder):
    from_csv = lens.read(folder / "lens-export.csv", CONFIG)
    from_json = lens.read(folder / "lens-export.jsonl", CONFIG)
    assert (from_csv.n_read, from_csv.records.height) == (2, 2)
    assert from_csv.records.select(SAME).to_dicts() == from_json.records.select(SAME).to_dicts()
    first = from_csv.records.row(0, named=True)
    assert first["source_id"] == "lens:012-345-678-901-234"
    assert first["authors"] == ["Hansen, Ingrid M.", "Garcia-Lopez, Pablo", "Wang, Li"]
    assert first["cited_refs"] == ["lens:111-222-333-444-555", "lens:666-777-888-999-000"]
    assert first["times_cited"] == 4
    # only the JSON carries affiliations
    assert from_json.records.row(0, named=True)["countries"] == ["Norway", "Spain"]


def test_a_cut_json_line_is_quarantined(folder):
    result = lens.read(folder / "lens-export.jsonl", CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 2, 1)
    assert result.quarantine["reason"][0].startswith("invalid JSON")


def test_json_without_lens_records_is_a_clear_error(tmp_path):
    path = tmp_path / "x.jsonl"
    path.write_text('{"id": 1}\n', encoding="utf-8")
    with pytest.raises(InputFormatError, match="no Lens scholarly record"):
        lens.read(path, CONFIG)
