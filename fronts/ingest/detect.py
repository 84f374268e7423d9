"""Format detection and the reader registry: which reader reads a file, decided by content."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

from fronts.config import IngestConfig
from fronts.errors import InputFormatError, UnknownFormatError
from fronts.ingest import (
    bibtex,
    cnki,
    cochrane,
    crossref,
    dimensions,
    endnote,
    lens,
    noteexpress,
    openalex,
    pubmed,
    pubmed_xml,
    ris,
    scopus,
    tabular,
    wos,
    wos_tab,
)
from fronts.ingest.common import ReadResult, read_head

# Order matters: specific signatures first, the generic tabular reader last.
READERS: tuple[ModuleType, ...] = (
    wos,
    wos_tab,
    ris,
    pubmed,
    pubmed_xml,
    endnote,
    noteexpress,
    cnki,
    cochrane,
    bibtex,
    crossref,
    openalex,
    dimensions,
    lens,
    scopus,
    tabular,
)
FORMATS: tuple[str, ...] = tuple(r.NAME for r in READERS)


def detect_format(path: Path, config: IngestConfig) -> ModuleType:
    """The reader whose signature matches the file's content; raises `UnknownFormatError`."""
    path = Path(path)
    if not path.is_file():
        raise InputFormatError(path, "no such file")
    head = read_head(path)
    if not head.strip():
        raise InputFormatError(path, "file is empty")
    for reader in READERS:
        if reader.sniff(path, head, config):
            return reader
    hint = (
        "For a plain CSV/Parquet file, map its columns in the configuration "
        "([ingest.tabular] columns = {title = '...', ...})."
    )
    raise UnknownFormatError(path, list(FORMATS), hint)


def read_file(path: Path, config: IngestConfig, fmt: str | None = None) -> ReadResult:
    """Read one export file of any supported format (detected from content unless `fmt`)."""
    path = Path(path)
    if fmt is None:
        reader = detect_format(path, config)
    else:
        by_name = {r.NAME: r for r in READERS}
        if fmt not in by_name:
            raise InputFormatError(path, f"unknown format {fmt!r}; expected one of {FORMATS}")
        reader = by_name[fmt]
    return reader.read(path, config)
