"""Lens.org scholarly exports: CSV (with a UTF-8 byte-order mark) and JSON Lines.

CSV columns used: "Lens ID" (source_id ``lens:<id>``), DOI, Title, Abstract, "Publication
Year", "Source Title", Volume, "Start Page", "Publication Type", "Author/s" ("Given Family;
...", turned into "Family, Given"),
Keywords ("; "), References (the cited works' Lens IDs, "; "), and "Citing Works Count" as
times cited. JSON Lines (one scholarly record per line, the API's shape): ``lens_id``,
``external_ids`` (DOI), ``title``, ``abstract``, ``year_published``, ``source.title``,
``volume``, ``start_page``, ``publication_type``, ``authors`` with their affiliations,
``keywords``, ``references[].lens_id`` and ``scholarly_citations_count``. Dropped: fields of
study, MeSH, chemicals, funding, patent citations, open-access details. A broken JSON line or
CSV row is quarantined with its reason.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, clean_text, finalise, read_text
from fronts.ingest.countries import countries_of_addresses
from fronts.ingest.tabular import csv_header, csv_rows, given_first_name, table_rows

NAME = "lens"

_CSV_SIGNATURE = frozenset({"Lens ID", "Title", "Publication Year"})
_JSON_SIGNATURE_RE = re.compile(r'"lens_id"\s*:')


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """A CSV whose header has Lens's columns, or JSON Lines of records with a ``lens_id``."""
    text = head.lstrip("\ufeff")
    if text.lstrip().startswith("{"):
        return bool(_JSON_SIGNATURE_RE.search(text))
    return set(csv_header(text)) >= _CSV_SIGNATURE


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read a Lens.org CSV or JSON Lines export."""
    path = Path(path)
    text = read_text(path).lstrip("\ufeff")
    records = _json_lines(path, text) if text.lstrip().startswith("{") else _csv(path, text)
    return finalise(records, path=path, source=NAME, config=config)


def _items(value: Any) -> list[str]:
    return [part.strip() for part in str(value or "").split(";") if clean_text(part)]


def _csv(path: Path, text: str) -> Iterator[ParsedRecord]:
    rows = csv_rows(text)
    first = next(rows, None)
    if first is None or first[0] is None:
        raise InputFormatError(path, "no CSV header row")
    header = [c.strip() for c in first[0]]
    for row, raw, problem in table_rows(rows, header):
        yield (
            ParsedRecord(csv_fields(row), raw)
            if row is not None
            else ParsedRecord(None, raw, problem)
        )


def csv_fields(row: dict[str, Any]) -> dict[str, Any]:
    """The record fields of one Lens CSV row."""
    lens_id = clean_text(row.get("Lens ID"))
    return {
        "source_id": f"lens:{lens_id}" if lens_id else None,
        "doi": row.get("DOI"),
        "title": row.get("Title"),
        "abstract": row.get("Abstract"),
        "year": row.get("Publication Year") or row.get("Date Published"),
        "venue": row.get("Source Title"),
        "volume": row.get("Volume"),
        "first_page": row.get("Start Page"),
        "doc_type": row.get("Publication Type"),
        "authors": [given_first_name(a) for a in _items(row.get("Author/s"))],
        "author_keywords": _items(row.get("Keywords")),
        "cited_refs": [f"lens:{r}" for r in _items(row.get("References"))],
        "times_cited": row.get("Citing Works Count"),
    }


def _json_lines(path: Path, text: str) -> Iterator[ParsedRecord]:
    seen = False
    for line in text.split("\n"):
        raw = line.rstrip("\r")
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError as exc:
            yield ParsedRecord(None, raw, f"invalid JSON: {exc}")
            continue
        if not isinstance(value, dict) or "lens_id" not in value:
            yield ParsedRecord(None, raw, "not a Lens scholarly record (no lens_id)")
            continue
        seen = True
        try:
            yield ParsedRecord(json_fields(value), raw)
        except (TypeError, ValueError, AttributeError) as exc:
            yield ParsedRecord(None, raw, f"malformed Lens record ({type(exc).__name__}: {exc})")
    if not seen:
        raise InputFormatError(path, "no Lens scholarly record (a JSON object with lens_id)")


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def json_fields(record: dict[str, Any]) -> dict[str, Any]:
    """The record fields of one Lens JSON scholarly record."""
    ids = {e.get("type"): e.get("value") for e in _dicts(record.get("external_ids"))}
    authors, addresses = [], []
    for person in _dicts(record.get("authors")):
        last, first = person.get("last_name"), person.get("first_name")
        name = ", ".join(p for p in (last, first) if p) or person.get("collective_name")
        if name:
            authors.append(name)
        addresses += [a["name"] for a in _dicts(person.get("affiliations")) if a.get("name")]
    source = record.get("source") if isinstance(record.get("source"), dict) else {}
    refs = [r.get("lens_id") for r in _dicts(record.get("references")) if r.get("lens_id")]
    return {
        "source_id": f"lens:{record['lens_id']}",
        "doi": ids.get("doi"),
        "title": record.get("title"),
        "abstract": record.get("abstract"),
        "year": record.get("year_published") or record.get("date_published"),
        "venue": source.get("title"),
        "volume": record.get("volume"),
        "first_page": record.get("start_page"),
        "doc_type": record.get("publication_type"),
        "authors": authors,
        "affiliations": list(dict.fromkeys(addresses)),
        "countries": countries_of_addresses(addresses),
        "author_keywords": [k for k in record.get("keywords") or [] if isinstance(k, str)],
        "cited_refs": [f"lens:{r}" for r in refs],
        "times_cited": record.get("scholarly_citations_count"),
    }
