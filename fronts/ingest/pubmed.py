"""PubMed MEDLINE exports (PubMed's "PubMed format", `.nbib` / `.txt`): ``PMID- `` tagged records.

Each record is a block of ``TAG - value`` lines (tags padded to four characters, continuation
lines indented by six spaces) that starts with ``PMID-`` and ends at a blank line. The maintained
`nbib` package parses a record's tags into named fields; this module finds the record boundaries
first, so that one malformed record is quarantined with its reason instead of failing the file
(nbib raises on the first line it cannot read), and maps nbib's fields onto the record schema.

What a MEDLINE record keeps: PMID (source_id ``PMID:<n>``), DOI (``AID``/``LID ... [doi]``),
title, abstract, publication year (``DP``), journal, volume, first page, publication types
(the first is the document type: "Journal Article", "Editorial", "Review", ...), language,
full author names with their affiliations (and the countries in them), and the author keywords
(``OT``). It drops what the record schema has no place for (MeSH headings, grants, history
dates, chemicals). PubMed exports carry no cited references and no citation counts, so those
stay empty: fronts then says "no citation data" for such a corpus rather than 0.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import nbib

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.countries import countries_of_addresses

NAME = "pubmed"

_START_RE = re.compile(r"^PMID- ?\d")
_LINE_END_RE = re.compile(r"\r\n|\r|\n")
_DOI_ID_RE = re.compile(r"^(?:AID|LID) - (10\.\S+) \[doi\]\s*$", re.MULTILINE)
_LANGUAGE_RE = re.compile(r"^LA  - (\S+)", re.MULTILINE)  # nbib keeps the last; the first leads


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the first non-empty line is a ``PMID- <number>`` record start."""
    for line in _LINE_END_RE.split(head.lstrip("\ufeff")):
        if line.strip():
            return bool(_START_RE.match(line))
    return False


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a MEDLINE file; every PMID-started block becomes one record."""
    path = Path(path)
    chunks, stray = split_records(_LINE_END_RE.split(read_text(path).lstrip("\ufeff")))
    if not chunks:
        raise InputFormatError(path, "no PubMed records (no 'PMID- ' line) found")
    result = finalise([_parse(lines) for lines in chunks], path=path, source=NAME, config=config)
    if stray:
        result.notes.append(f"{stray} non-empty line(s) outside any PMID record were ignored")
    return result


def split_records(lines: list[str]) -> tuple[list[list[str]], int]:
    """Records as lists of lines (from a ``PMID-`` line to the next blank line or record), and
    the number of non-empty lines outside every record."""
    chunks: list[list[str]] = []
    current: list[str] | None = None
    stray = 0
    for line in lines:
        if _START_RE.match(line):
            if current is not None:
                chunks.append(current)
            current = [line]
        elif not line.strip():
            if current is not None:
                chunks.append(current)
            current = None
        elif current is not None:
            current.append(line)
        else:
            stray += 1
    if current is not None:
        chunks.append(current)
    return chunks, stray


def _parse(lines: list[str]) -> ParsedRecord:
    raw = "\n".join(lines)
    try:
        entries = nbib.read(raw + "\n")
        if len(entries) != 1:
            raise ValueError(f"{len(entries)} records found where one was expected")
        return ParsedRecord(_fields(entries[0], raw), raw)
    except Exception as exc:  # one odd record must not abort the file
        detail = str(exc).strip() or type(exc).__name__
        return ParsedRecord(None, raw, f"unparseable PubMed record: {detail[:200]}")


def _text(value: Any) -> str | None:
    return str(value).strip() or None if value is not None else None


def _fields(entry: dict[str, Any], raw: str) -> dict[str, Any]:
    """Map one nbib entry onto the record fields."""
    authors = entry.get("authors") or []
    names = [a.get("author") or a.get("author_abbreviated") for a in authors]
    addresses = [
        a.strip().rstrip(".") for author in authors for a in author.get("affiliations") or []
    ]
    types = entry.get("publication_types") or []
    pages = _text(entry.get("pages"))
    doi = _text(entry.get("doi"))
    if doi is None and (match := _DOI_ID_RE.search(raw)):
        doi = match.group(1)
    pmid = entry.get("pubmed_id")
    return {
        "source_id": f"PMID:{pmid}" if pmid is not None else None,
        "doi": doi,
        "title": _text(entry.get("title")) or _text(entry.get("transliterated_title")),
        "abstract": _text(entry.get("abstract")),
        "year": _text(entry.get("publication_date")),
        "venue": _text(entry.get("journal")) or _text(entry.get("journal_abbreviated")),
        "volume": _text(entry.get("journal_volume")),
        "first_page": pages.split("-")[0].strip() or None if pages else None,
        "doc_type": types[0] if types else None,
        "language": match.group(1) if (match := _LANGUAGE_RE.search(raw)) else None,
        "authors": [n for n in names if n],
        "affiliations": list(dict.fromkeys(addresses)),
        "countries": countries_of_addresses(addresses),
        "author_keywords": list(entry.get("keywords") or []),
        "cited_refs": [],
        "times_cited": None,
    }
