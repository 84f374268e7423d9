"""Cochrane CENTRAL plain-text exports (``Record #1 of 250`` / ``TI: ...``), as the Cochrane
Library writes trials for reference managers.

Records start at a ``Record #N of M`` line. Kept: the CENTRAL id (``ID: CN-...``, as source
id), title, abstract, year (``YR``), journal (``SO``), volume (``VL``), first page (``PG``),
publication type (``PT``, the first), authors (``AU``, one per line), keywords (``KY``,
";"-separated, which in CENTRAL are mostly MeSH and Embase terms) and DOI. Dropped: the
cross-references to other databases (``XR``), URLs, the Cochrane review group codes (``CC``).
CENTRAL records carry no references, affiliations or citation counts. When the records found
are fewer than the "of M" the export declares, the file's notes say so (a cut file).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.blocks import first, items, lines_of, parse_tags, split_blocks, starts_with
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text

NAME = "cochrane"

_START_RE = re.compile(r"^Record #(\d+) of (\d+)\s*$")
_TAG_RE = re.compile(r"^([A-Z]{2,3}):\s?(.*)$")


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the first non-empty line is a ``Record #N of M`` record start."""
    return starts_with(head, _START_RE)


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a CENTRAL export; every 'Record #'-started block becomes one record."""
    path = Path(path)
    blocks, stray = split_blocks(lines_of(read_text(path)), _START_RE)
    if not blocks:
        raise InputFormatError(path, "no Cochrane records (no 'Record #N of M' line) found")
    result = finalise([_parse(b) for b in blocks], path=path, source=NAME, config=config)
    declared = max(int(_START_RE.match(b[0]).group(2)) for b in blocks)  # type: ignore[union-attr]
    if declared > len(blocks):
        result.notes.append(
            f"the export declares {declared} records but holds {len(blocks)}: the file looks cut"
        )
    if stray:
        result.notes.append(f"{stray} non-empty line(s) before the first record were ignored")
    return result


def _parse(lines: list[str]) -> ParsedRecord:
    raw = "\n".join(lines)
    try:
        return ParsedRecord(fields(parse_tags(lines[1:], _TAG_RE)), raw)
    except ValueError as exc:
        return ParsedRecord(None, raw, f"unparseable Cochrane record: {exc}")


def fields(tags: dict[str, list[str]]) -> dict[str, Any]:
    """The record fields of one CENTRAL record's tags."""
    pages = first(tags, "PG")
    central = first(tags, "ID")
    return {
        "source_id": central,
        "doi": first(tags, "DOI"),
        "title": first(tags, "TI"),
        "abstract": first(tags, "AB"),
        "year": first(tags, "YR"),
        "venue": first(tags, "SO"),
        "volume": first(tags, "VL"),
        "first_page": pages.split("-")[0].strip() or None if pages else None,
        "doc_type": next(iter(items(tags, "PT")), None),
        "authors": [a for a in tags.get("AU", []) if a.strip()],
        "author_keywords": [k.lstrip("*") for k in items(tags, "KY")],  # * marks a major term
    }
