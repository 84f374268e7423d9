"""EndNote tagged exports (``%0 Journal Article`` / ``%A`` / ``%T`` ...), as EndNote writes them
and as CNKI and other Chinese platforms export them for EndNote.

Records start at a ``%0`` line (the reference type) and run to the next one. Kept: title
(``%T``), abstract (``%X``), year (``%D``), journal (``%J``, else ``%B``), volume, first page
(``%P``), the reference type as document type, authors (``%A``, one per line or several
separated by ";" as CNKI writes them), affiliations (``%+``, CNKI's "单位"), keywords (``%K``,
";"-separated), DOI (``%R``), language (``%G``, else "Chinese" when the title is written in
Chinese characters), and the accession number (``%M``) as source id. Chinese text stays as
written (UTF-8 in the warehouse; GB18030 files are read as such, with a note). Dropped: URLs,
ISSN, call numbers, notes.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.ingest.blocks import first, items, read_tagged, starts_with
from fronts.ingest.common import ReadResult
from fronts.ingest.countries import countries_of_addresses

NAME = "endnote"

_START_RE = re.compile(r"^%0\s")
_TAG_RE = re.compile(r"^%(\S)\s?(.*)$")
_CJK_RE = re.compile(r"[\u4e00-\u9fff]")


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the first non-empty line is a ``%0 <type>`` record start."""
    return starts_with(head, _START_RE)


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse an EndNote tagged file; every %0-started block becomes one record."""
    return read_tagged(
        path,
        config,
        source=NAME,
        label="EndNote",
        marker="%0 ",
        start=_START_RE,
        tag=_TAG_RE,
        fields=fields,
    )


def chinese_or(language: str | None, title: str | None) -> str | None:
    """The stated language, else "Chinese" for a title in Chinese characters."""
    if language:
        return language
    return "Chinese" if title and _CJK_RE.search(title) else None


def fields(tags: dict[str, list[str]]) -> dict[str, Any]:
    """The record fields of one EndNote record's tags."""
    title = first(tags, "T")
    pages = first(tags, "P")
    affiliations = items(tags, "+")
    accession = first(tags, "M")
    return {
        "source_id": f"endnote:{accession}" if accession else None,
        "doi": first(tags, "R"),
        "title": title,
        "abstract": first(tags, "X"),
        "year": first(tags, "D"),
        "venue": first(tags, "J", "B"),
        "volume": first(tags, "V"),
        "first_page": pages.split("-")[0].strip() or None if pages else None,
        "doc_type": first(tags, "0"),
        "language": chinese_or(first(tags, "G"), title),
        "authors": items(tags, "A"),
        "affiliations": affiliations,
        "countries": countries_of_addresses(affiliations),
        "author_keywords": items(tags, "K"),
    }
