"""OpenAlex works: API result pages, snapshot JSON Lines, and the flattened CSV export.

Three shapes, one mapping onto the record fields:

- JSON: an API page ``{"meta": {...}, "results": [work, ...]}``, a bare list of works, or one
  work (what ``/works/W...`` returns);
- JSON Lines, as in the snapshot (``works/updated_date=.../part_000.gz``): one work (or one API
  page) per line, optionally gzipped. Lines are streamed; a line that is not valid JSON is
  quarantined and the file goes on;
- CSV: works flattened to dotted columns (``authorships.author.display_name``,
  ``biblio.volume``, ...) with list items joined by ``|``, as the OpenAlex web export and tools
  that flatten API results (biblium) write them; read by `fronts.ingest.openalex_csv`.

Beyond copying values, the reader shortens ids to ``W123`` (the work's and its referenced
works', so they compare across shapes), rebuilds the abstract from ``abstract_inverted_index``
(`invert_abstract`), turns display names "Anthony F. J. van Raan" into "van Raan, Anthony F. J."
(`display_name_to_author`), takes the institutions' names as affiliations (an authorship's raw
affiliation strings when it has no institution) and ISO country codes through
`normalise_country`. Per-year citations that cannot be paired are dropped with a note; the
record itself is kept.
"""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import (
    ParsedRecord,
    ReadResult,
    finalise,
    read_head,
    read_text,
)
from fronts.ingest.openalex_csv import csv_records
from fronts.ingest.openalex_values import (
    DroppedCounts,
    country_names,
    display_name_to_author,
    invert_abstract,
    is_openalex_header,
    is_work_id,
    short_id,
    year_counts,
)
from fronts.ingest.tabular import csv_header

NAME = "openalex"

_JSON_SIGNATURE_RE = re.compile(r'"id"\s*:\s*"(?:https?://openalex\.org/)?W\d+"')
_NOT_OPENALEX = (
    "not OpenAlex JSON: expected an API page {'meta': ..., 'results': [...]}, a list of works "
    "or JSON Lines of works (objects with an 'id' like https://openalex.org/W123)"
)

# --------------------------------------------------------------------------- JSON works


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def work_fields(work: dict[str, Any], notes: DroppedCounts | None = None) -> dict[str, Any]:
    """The record fields of one OpenAlex work object (API or snapshot JSON)."""
    source = _dict(_dict(work.get("primary_location")).get("source"))
    venue = source.get("display_name") or _dict(work.get("host_venue")).get("display_name")
    biblio = _dict(work.get("biblio"))
    authors, affiliations, codes = [], [], []
    for authorship in map(_dict, _list(work.get("authorships"))):
        author = _dict(authorship.get("author")).get("display_name")
        authors.append(display_name_to_author(author or authorship.get("raw_author_name")))
        institutions = [_dict(i) for i in _list(authorship.get("institutions"))]
        names = [i.get("display_name") for i in institutions if i.get("display_name")]
        raw = authorship.get("raw_affiliation_strings") or authorship.get("raw_affiliation_string")
        affiliations += names or (raw if isinstance(raw, list) else [raw])
        codes += _list(authorship.get("countries")) or [i.get("country_code") for i in institutions]
    abstract = invert_abstract(work.get("abstract_inverted_index"))
    if abstract is None and isinstance(work.get("abstract"), str):
        abstract = work["abstract"]
    keywords = [
        (k.get("display_name") or k.get("keyword")) if isinstance(k, dict) else k
        for k in _list(work.get("keywords"))
    ]
    entries = [_dict(e) for e in _list(work.get("counts_by_year"))]
    by_year = year_counts(
        (e.get("year") for e in entries), (e.get("cited_by_count") for e in entries)
    )
    work_id = short_id(work.get("id"))
    if by_year is None and notes is not None:
        notes.add(work_id)
    return {
        "source_id": work_id,
        "doi": work.get("doi") or _dict(work.get("ids")).get("doi"),
        "title": work.get("title") or work.get("display_name"),
        "abstract": abstract,
        "year": work.get("publication_year") or work.get("publication_date"),
        "venue": venue,
        "volume": biblio.get("volume"),
        "first_page": biblio.get("first_page"),
        "doc_type": work.get("type"),
        "language": work.get("language"),
        "authors": authors,
        "affiliations": [a for a in affiliations if isinstance(a, str)],
        "countries": country_names(codes),
        "author_keywords": [k for k in keywords if isinstance(k, str)],
        "cited_refs": [short_id(w) for w in _list(work.get("referenced_works"))],
        "times_cited": work.get("cited_by_count"),
        "citations_by_year": by_year or [],
    }


def _looks_like_work(obj: Any) -> bool:
    return isinstance(obj, dict) and (
        is_work_id(obj.get("id")) or "publication_year" in obj or "authorships" in obj
    )


def _works_of(value: Any) -> list[Any] | None:
    """The works a JSON value holds (page, list or single work), or None if it holds none."""
    if isinstance(value, dict) and isinstance(value.get("results"), list):
        return value["results"]
    if _looks_like_work(value):
        return [value]
    if isinstance(value, list) and (not value or any(map(_looks_like_work, value))):
        return value
    return None


def _parse_work(work: Any, raw: str | None, notes: DroppedCounts) -> ParsedRecord:
    raw = raw if raw is not None else json.dumps(work, ensure_ascii=False)
    if not _looks_like_work(work):
        return ParsedRecord(None, raw, "not an OpenAlex work object")
    try:
        return ParsedRecord(work_fields(work, notes), raw)
    except (TypeError, ValueError, AttributeError) as exc:  # values of unexpected JSON types
        return ParsedRecord(None, raw, f"malformed OpenAlex work ({exc})")


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, streamed (gunzipped when it starts with gzip's magic bytes)."""
    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic in (b"\xff\xfe", b"\xfe\xff"):  # UTF-16 is rare enough to read whole
        yield from read_text(path).split("\n")
        return
    opener = gzip.open if magic == b"\x1f\x8b" else open
    try:
        with opener(path, "rb") as fh:
            for n, line in enumerate(fh):
                text = line.decode("utf-8", errors="surrogateescape")
                yield text.removeprefix("\ufeff") if n == 0 else text
    except (OSError, EOFError) as exc:
        raise InputFormatError(path, f"corrupt or truncated gzip data ({exc})") from None


def _loads(text: str) -> tuple[bool, Any]:
    try:
        return True, json.loads(text)
    except ValueError:
        return False, None


def _json_lines(path: Path, notes: DroppedCounts) -> Iterator[ParsedRecord]:
    checked = False
    for line in _lines(path):
        raw = line.rstrip("\r\n")
        if not raw.strip():
            continue
        try:
            value = json.loads(raw)
        except ValueError as exc:
            yield ParsedRecord(None, raw, f"invalid JSON: {exc}")
            continue
        works = _works_of(value)
        if not checked and works is None:
            raise InputFormatError(path, _NOT_OPENALEX)
        checked = True
        if works is None:
            yield ParsedRecord(None, raw, "not an OpenAlex work object")
        elif len(works) == 1 and works[0] is value:
            yield _parse_work(value, raw, notes)
        else:
            yield from (_parse_work(work, None, notes) for work in works)


def json_records(path: Path, notes: DroppedCounts) -> Iterator[ParsedRecord]:
    """The works of a JSON document, or of JSON Lines (streamed) when each line is a value.

    One `ParsedRecord` per work (before the acceptance rules); raises `InputFormatError` when
    the file is not JSON at all or its first value holds no OpenAlex work.
    """
    first = next((line for line in _lines(path) if line.strip()), None)
    if first is None:
        raise InputFormatError(path, "file is empty")
    if first.lstrip().startswith("{") and _loads(first)[0]:
        return _json_lines(path, notes)
    try:
        document = json.loads(read_text(path))
    except ValueError as exc:
        # JSON Lines whose first line is broken; a broken single document has no valid line.
        if any(isinstance(_loads(line)[1], (dict, list)) for line in _lines(path)):
            return _json_lines(path, notes)
        raise InputFormatError(path, f"invalid JSON ({exc})") from None
    works = _works_of(document)
    if works is None:
        raise InputFormatError(path, _NOT_OPENALEX)
    return (_parse_work(work, None, notes) for work in works)


# --------------------------------------------------------------------------- reader


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """JSON/JSON Lines with OpenAlex work ids or keys, or a CSV with OpenAlex's dotted header."""
    text = head.lstrip()
    if text.startswith(("{", "[")):
        return bool(_JSON_SIGNATURE_RE.search(text)) or (
            '"publication_year"' in text and '"authorships"' in text
        )
    return is_openalex_header(csv_header(head))


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read every work of an OpenAlex JSON page, JSON Lines file (gzipped or not) or CSV export."""
    path = Path(path)
    notes = DroppedCounts()
    if read_head(path, 4_096).lstrip().startswith(("{", "[")):
        parsed = json_records(path, notes)
    else:
        parsed = csv_records(path, notes)
    result = finalise(parsed, path=path, source=NAME, config=config)
    result.notes.extend(notes.lines())
    return result
