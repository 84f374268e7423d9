"""Format detection reads content, not extensions; unknown files fail naming what was tried."""

from __future__ import annotations

import gzip
import shutil

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError, UnknownFormatError
from fronts.ingest.detect import FORMATS, detect_format, read_file

CASES = {
    "wos/valid.txt": "wos",
    "wos/native_utf16.txt": "wos_tab",
    "scopus/export_2024.csv": "scopus",
    "openalex/api_page.json": "openalex",
    "openalex/works.jsonl.gz": "openalex",
    "openalex/works.csv": "openalex",
    "bibtex/wos.bib": "bibtex",
    "ris/wos.ris": "ris",
    "tabular/ieee_export.csv": "tabular",
}


@pytest.mark.parametrize(("fixture", "fmt"), sorted(CASES.items()))
def test_each_fixture_is_detected_as_its_format(fixtures_dir, fixture, fmt):
    assert fmt == detect_format(fixtures_dir / fixture, IngestConfig()).NAME


@pytest.mark.parametrize("fixture", ["wos/valid.txt", "bibtex/wos.bib", "scopus/export_2024.csv"])
def test_detection_ignores_misleading_extensions_and_gzip(tmp_path, fixtures_dir, fixture):
    source = fixtures_dir / fixture
    renamed = tmp_path / "export.dat"
    shutil.copy(source, renamed)
    zipped = tmp_path / "export.csv.gz"
    zipped.write_bytes(gzip.compress(source.read_bytes()))
    expected = CASES[fixture]
    assert expected == detect_format(renamed, IngestConfig()).NAME
    assert read_file(zipped, IngestConfig()).source == expected


def test_unknown_format_names_the_file_and_every_format_tried(tmp_path):
    odd = tmp_path / "notes.txt"
    odd.write_text("Dear editor,\nplease find attached our list of papers.\n")
    with pytest.raises(UnknownFormatError) as info:
        read_file(odd, IngestConfig())
    message = str(info.value)
    assert str(odd) in message
    for name in FORMATS:
        assert name in message


def test_empty_and_missing_files_are_clear_errors(tmp_path):
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputFormatError, match=r"empty\.txt: file is empty"):
        read_file(empty, IngestConfig())
    with pytest.raises(InputFormatError, match="no such file"):
        read_file(tmp_path / "missing.txt", IngestConfig())


def test_forced_format_that_does_not_exist(fixtures_dir):
    with pytest.raises(InputFormatError, match="unknown format 'refworks'"):
        read_file(fixtures_dir / "wos/valid.txt", IngestConfig(), fmt="refworks")
