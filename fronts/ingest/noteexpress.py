"""NoteExpress exports (``{Reference Type}: Journal Article`` / ``{Title}: ...``), the format in
which CNKI and Wanfang export Chinese literature for the NoteExpress reference manager.

Records start at a ``{Reference Type}:`` line. Kept: title (``{Title}``; an English
``{Translated Title}`` is not used as the title, the work stays as it was written), abstract,
year, journal (``{Journal}``, else ``{Secondary Title}``), volume, first page, the reference
type as document type, authors and affiliations (``{Author}``, ``{Author Address}``,
";"-separated as both platforms write them), keywords, DOI, language ("Chinese" when the title
is in Chinese characters and no language is given). Chinese text stays as written; a GB18030
file is read as such, with a note. Dropped: ISSN, URL, notes, the database provider.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.ingest.blocks import first, items, read_tagged, starts_with
from fronts.ingest.common import ReadResult
from fronts.ingest.countries import countries_of_addresses
from fronts.ingest.endnote import chinese_or

NAME = "noteexpress"

_START_RE = re.compile(r"^\{Reference Type\}:")
_TAG_RE = re.compile(r"^\{([^}]+)\}:\s?(.*)$")


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the first non-empty line is a ``{Reference Type}:`` record start."""
    return starts_with(head, _START_RE)


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a NoteExpress file; every {Reference Type}-started block becomes one record."""
    return read_tagged(
        path,
        config,
        source=NAME,
        label="NoteExpress",
        marker="{Reference Type}:",
        start=_START_RE,
        tag=_TAG_RE,
        fields=fields,
    )


def fields(tags: dict[str, list[str]]) -> dict[str, Any]:
    """The record fields of one NoteExpress record's tags."""
    title = first(tags, "Title")
    pages = first(tags, "Pages")
    affiliations = items(tags, "Author Address")
    return {
        "doi": first(tags, "DOI"),
        "title": title,
        "abstract": first(tags, "Abstract"),
        "year": first(tags, "Year", "Date"),
        "venue": first(tags, "Journal", "Secondary Title"),
        "volume": first(tags, "Volume"),
        "first_page": pages.split("-")[0].strip() or None if pages else None,
        "doc_type": first(tags, "Reference Type"),
        "language": chinese_or(first(tags, "Language"), title),
        "authors": items(tags, "Author"),
        "affiliations": affiliations,
        "countries": countries_of_addresses(affiliations),
        "author_keywords": items(tags, "Keywords"),
    }
