"""Dimensions publication exports (CSV), as the web app's "Export results" writes them.

The file starts with one line "About the data: Exported on ... Criteria: ..." before the header
row; it is recognised and skipped (its text goes into the file's notes). Columns used: the
publication id (source_id ``dimensions:pub.…``), DOI, Title, Abstract, PubYear (else the year in
"Publication date"), Source title, Volume, Pagination (first page), Document Type (else
Publication Type), Authors ("Last, First; ..."), "Authors Affiliations" or "Authors (Raw
Affiliation)" as affiliations, "Country of Research organization" as countries, "Times cited",
and "Cited references" where the bibliometric-mapping export has it (one reference per ";"
item; their DOIs are recognised at acceptance). Dimensions' own metrics (RCR, FCR, Altmetric),
funders, fields of research and MeSH terms are dropped.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, clean_text, finalise, read_text
from fronts.ingest.countries import countries_of_addresses, normalise_country
from fronts.ingest.tabular import csv_header, csv_rows, table_rows

NAME = "dimensions"

_PREAMBLE_RE = re.compile(r'^\ufeff?"?About the data', re.IGNORECASE)
_SIGNATURE = frozenset({"Publication ID", "Title", "Dimensions URL"})
_CITED_SPLIT_RE = re.compile(r";(?=\s*\[)")  # references are "[Authors]|title|...;[...]|..."


def _header_and_body(text: str) -> tuple[str | None, str]:
    """(the "About the data" line, or None; the CSV text from the header on)."""
    text = text.lstrip("\ufeff")
    first, _, rest = text.partition("\n")
    if _PREAMBLE_RE.match(first):
        cells = csv_header(first)  # one quoted cell, its quotes doubled inside
        return (cells[0] if cells else first.strip()), rest
    return None, text


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """The "About the data" line, or a header with Dimensions' publication id and URL."""
    _, body = _header_and_body(head)
    return set(csv_header(body)) >= _SIGNATURE


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read a Dimensions CSV export; a malformed row is quarantined with its reason."""
    path = Path(path)
    preamble, body = _header_and_body(read_text(path))
    rows = csv_rows(body)
    first = next(rows, None)
    if first is None or first[0] is None:
        raise InputFormatError(path, "no CSV header row after the 'About the data' line")
    header = [c.strip() for c in first[0]]
    if "Title" not in header:
        raise InputFormatError(path, "not a Dimensions export: no 'Title' column")
    parsed = (
        ParsedRecord(fields(row), raw) if row is not None else ParsedRecord(None, raw, problem)
        for row, raw, problem in table_rows(rows, header)
    )
    result = finalise(parsed, path=path, source=NAME, config=config)
    if preamble:
        result.notes.append(f"export note: {preamble[:200]}")
    return result


def _items(value: Any, separator: str = ";") -> list[str]:
    return [part.strip() for part in str(value or "").split(separator) if clean_text(part)]


def fields(row: dict[str, Any]) -> dict[str, Any]:
    """The record fields of one Dimensions row."""
    pub_id = clean_text(row.get("Publication ID"))
    pages = clean_text(row.get("Pagination"))
    affiliations = _items(row.get("Authors Affiliations") or row.get("Authors (Raw Affiliation)"))
    countries = [
        c for c in map(normalise_country, _items(row.get("Country of Research organization"))) if c
    ]
    cited = clean_text(row.get("Cited references"))
    return {
        "source_id": f"dimensions:{pub_id}" if pub_id else None,
        "doi": row.get("DOI"),
        "title": row.get("Title"),
        "abstract": row.get("Abstract"),
        "year": clean_text(row.get("PubYear")) or row.get("Publication date"),
        "venue": row.get("Source title") or row.get("Anthology title"),
        "volume": row.get("Volume"),
        "first_page": pages.split("-")[0].strip() if pages else None,
        "doc_type": clean_text(row.get("Document Type")) or row.get("Publication Type"),
        "authors": _items(row.get("Authors")),
        "affiliations": affiliations,
        "countries": list(dict.fromkeys(countries)) or countries_of_addresses(affiliations),
        "cited_refs": [c.strip() for c in _CITED_SPLIT_RE.split(cited)] if cited else [],
        "times_cited": row.get("Times cited"),
    }
