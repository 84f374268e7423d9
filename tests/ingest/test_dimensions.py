"""Dimensions CSV exports: the "About the data" line, fields, quarantine."""

from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import dimensions
from fronts.ingest.common import read_head
from fronts.ingest.detect import detect_format

CONFIG = IngestConfig()


@pytest.fixture
def export(fixtures_dir) -> Path:
    return fixtures_dir / "dimensions" / "dimensions-export.csv"


def test_sniffed_past_the_about_the_data_line(export, tmp_path):
    assert dimensions.sniff(export, read_head(export), CONFIG)
    assert detect_format(export, CONFIG) is dimensions
    # the header alone (the line removed by hand) is still a Dimensions export
    bare = tmp_path / "bare.csv"
    bare.write_text(export.read_text(encoding="utf-8").split("\n", 1)[1], encoding="utf-8")
    assert detect_format(bare, CONFIG) is dimensions


def test_fields_references_and_the_export_note(export):
    result = dimensions.read(export, CONFIG)
    assert (result.n_read, result.records.height, result.quarantine.height) == (3, 2, 1)
    assert result.quarantine["reason"].to_list() == ["missing title"]
    assert result.notes[0].startswith("export note: About the data: Exported on Nov 20, 2026.")
    assert '"digital literacy"' in result.notes[0]  # CSV quoting undone
    first = result.records.row(0, named=True)
    assert first["source_id"] == "dimensions:pub.1167012345"
    assert (first["year"], first["first_page"], first["doc_type"]) == (
        2023,
        "912",
        "Research Article",
    )
    assert first["authors"] == ["Hansen, Ingrid M.", "Garcia-Lopez, Pablo", "Wang, Li"]
    assert first["countries"] == ["Norway", "Spain", "China"]
    assert len(first["cited_refs"]) == 2
    assert first["cited_dois"] == ["10.1016/j.compedu.2012.04.016"]
    assert first["times_cited"] == 4
    second = result.records.row(1, named=True)
    assert (second["doc_type"], second["first_page"], second["cited_refs"]) == (
        "Editorial",
        "1201",
        [],
    )


def test_a_row_with_missing_cells_is_quarantined(export, tmp_path):
    lines = export.read_text(encoding="utf-8").splitlines()
    lines[3] = ",".join(lines[3].split(",")[:5])
    path = tmp_path / "cut.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = dimensions.read(path, CONFIG)
    assert result.n_read == 3 and result.records.height == 1
    assert any("cells where the header has" in r for r in result.quarantine["reason"])


def test_an_export_without_a_header_is_a_clear_error(tmp_path):
    path = tmp_path / "x.csv"
    path.write_text('"About the data: Exported on Nov 20, 2026."\n', encoding="utf-8")
    with pytest.raises(InputFormatError, match="no CSV header row"):
        dimensions.read(path, CONFIG)
