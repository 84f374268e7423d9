"""The OpenAlex CSV export: works flattened to dotted columns, list items joined with ``|``.

Part of the OpenAlex reader (`fronts.ingest.openalex`, which sniffs and dispatches). The export
flattens each nested list into one cell per leaf, which loses the nesting:

- ``authorships.countries`` concatenates every author's countries (``US|IN|MY|US|IN|AU|MY``
  for five authors), so countries can no longer be assigned to authors;
- ``authorships.institutions`` holds the institutions' Python reprs joined with ``|``
  (``{'id': ..., 'display_name': 'Georgia State University', 'country_code': 'US', ...}``);
- ``counts_by_year.year`` and ``counts_by_year.cited_by_count`` align item by item;
- ``abstract`` is plain text (not an inverted index); an ``abstract_inverted_index`` column or
  an abstract cell holding the index as a dict is inverted too.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, clean_text, read_text
from fronts.ingest.openalex_values import (
    DroppedCounts,
    country_names,
    display_name_to_author,
    invert_abstract,
    is_openalex_header,
    short_id,
    year_counts,
)
from fronts.ingest.tabular import csv_rows, table_rows

# A quoted Python or JSON string literal, as in the dict reprs of the list-of-objects cells.
_LITERAL = r"""('(?:[^'\\]|\\.)*'|"(?:[^"\\]|\\.)*")"""


def _items(row: dict[str, str], column: str) -> list[str]:
    value = row.get(column)
    return [part for part in value.split("|") if clean_text(part)] if value else []


def literal_values(cell: str | None, key: str) -> list[str]:
    """Every string value of ``key`` in a cell of ``|``-joined dict reprs, in order.

    Read with a pattern rather than by splitting on ``|``, which may occur inside a value.
    """
    if not cell:
        return []
    values = []
    for match in re.finditer(rf"""['"]{re.escape(key)}['"]\s*:\s*{_LITERAL}""", cell):
        try:
            values.append(str(ast.literal_eval(match.group(1))))
        except (ValueError, SyntaxError):
            continue
    return values


def csv_fields(row: dict[str, str], notes: DroppedCounts | None = None) -> dict[str, Any]:
    """The record fields of one row of a flattened OpenAlex CSV export."""

    def first(*columns: str) -> str | None:
        return next((v for c in columns if (v := clean_text(row.get(c)))), None)

    institutions = row.get("authorships.institutions")
    affiliations = literal_values(institutions, "display_name") or _items(
        row, "authorships.raw_affiliation_strings"
    )
    codes = _items(row, "authorships.countries") or literal_values(institutions, "country_code")
    abstract = first("abstract")
    if abstract is None or abstract.startswith("{"):
        abstract = invert_abstract(abstract or row.get("abstract_inverted_index")) or abstract
    work_id = short_id(first("id", "ids.openalex"))
    years = _items(row, "counts_by_year.year")
    counts = _items(row, "counts_by_year.cited_by_count")
    by_year = year_counts(years, counts) if len(years) == len(counts) else None
    if by_year is None and notes is not None:
        notes.add(work_id)
    authors = _items(row, "authorships.author.display_name") or _items(
        row, "authorships.raw_author_name"
    )
    return {
        "source_id": work_id,
        "doi": first("doi", "ids.doi"),
        "title": first("title", "display_name"),
        "abstract": abstract,
        "year": first("publication_year", "publication_date"),
        "venue": first("primary_location.source.display_name", "host_venue.display_name"),
        "volume": row.get("biblio.volume"),
        "first_page": row.get("biblio.first_page"),
        "doc_type": row.get("type"),
        "language": row.get("language"),
        "authors": [display_name_to_author(a) for a in authors],
        "affiliations": affiliations,
        "countries": country_names(codes),
        "author_keywords": _items(row, "keywords.display_name"),
        "cited_refs": [short_id(w) for w in _items(row, "referenced_works")],
        "times_cited": row.get("cited_by_count"),
        "citations_by_year": by_year or [],
    }


def csv_records(path: Path, notes: DroppedCounts | None = None) -> Iterator[ParsedRecord]:
    """One `ParsedRecord` per row of an OpenAlex CSV export (before the acceptance rules).

    Raises `InputFormatError` when the header is not OpenAlex's.
    """
    rows = csv_rows(read_text(path))
    header_row = next(rows, None)
    if header_row is None:
        raise InputFormatError(path, "file is empty")
    header = [name.strip() for name in header_row[0] or []]
    if not is_openalex_header(header):
        raise InputFormatError(
            path,
            "not an OpenAlex CSV export: the header lacks 'publication_year', 'id' and dotted "
            "columns such as 'authorships.author.display_name'",
        )
    for row, raw, problem in table_rows(rows, header):
        if row is None:
            yield ParsedRecord(None, raw, problem)
        else:
            yield ParsedRecord(csv_fields(row, notes), raw)
