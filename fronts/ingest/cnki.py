"""CNKI E-Study / "自定义" exports (``DataType: 1`` / ``Title-题名: ...``), the bilingual tagged
text that CNKI writes for its own E-Study reader.

Records start at a ``DataType:`` line. Each tag is "English-中文" (``Title-题名``,
``Author-作者``, ``Summary-摘要``); the English part names the field, and the colon may be
ASCII or full width. Kept: title, abstract (``Summary``), year (``Year``, else ``PubTime``),
journal (``Source``), volume, first page (``Page``), the source database (期刊 journal, 硕士 /
博士 thesis, 会议 conference...) as document type, authors and affiliations (``Author``,
``Organ``; ";"-separated), keywords, DOI, language "Chinese" when the title is written in
Chinese characters. Chinese text stays as written; a GB18030 file is read as such, with a note.
Dropped: links, page counts, funds, CLC codes.
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

NAME = "cnki"

_START_RE = re.compile(r"^DataType\s*[:：]")
# "Title-题名: value": the English name, optionally "-" and the Chinese one, then a colon.
_TAG_RE = re.compile(r"^([A-Za-z][A-Za-z ]*?)(?:-[^:：]*)?\s*[:：]\s?(.*)$")


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the first non-empty line is a ``DataType:`` record start."""
    return starts_with(head, _START_RE)


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a CNKI E-Study file; every DataType-started block becomes one record."""
    return read_tagged(
        path,
        config,
        source=NAME,
        label="CNKI",
        marker="DataType:",
        start=_START_RE,
        tag=_TAG_RE,
        fields=fields,
    )


def fields(tags: dict[str, list[str]]) -> dict[str, Any]:
    """The record fields of one CNKI E-Study record's tags."""
    title = first(tags, "Title")
    pages = first(tags, "Page")
    affiliations = items(tags, "Organ")
    return {
        "doi": first(tags, "DOI"),
        "title": title,
        "abstract": first(tags, "Summary", "Abstract"),
        "year": first(tags, "Year", "PubTime"),
        "venue": first(tags, "Source"),
        "volume": first(tags, "Volume"),
        "first_page": pages.split("-")[0].strip() or None if pages else None,
        "doc_type": first(tags, "SrcDatabase"),
        "language": chinese_or(None, title),
        "authors": items(tags, "Author"),
        "affiliations": affiliations,
        "countries": countries_of_addresses(affiliations),
        "author_keywords": items(tags, "Keyword"),
    }
