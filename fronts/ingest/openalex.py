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

import ast
import gzip
import json
import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import (
    ParsedRecord,
    ReadResult,
    clean_list,
    clean_text,
    finalise,
    parse_int,
    read_head,
    read_text,
)
from fronts.ingest.countries import normalise_country
from fronts.ingest.tabular import author_name, csv_header, split_suffix

NAME = "openalex"

_WORK_ID_RE = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?(W\d+)$", re.I)
_JSON_SIGNATURE_RE = re.compile(r'"id"\s*:\s*"(?:https?://openalex\.org/)?W\d+"')
_CSV_PREFIXES = (
    "authorships.",
    "primary_location.",
    "host_venue.",
    "biblio.",
    "ids.",
    "counts_by_year.",
    "open_access.",
)
# Lower-case particles that belong to the surname when they come right before the last name.
_PARTICLES = frozenset(
    {"van", "von", "der", "den", "de", "del", "della", "di", "da", "das", "dos", "du", "la", "le"}
    | {"ter", "ten", "bin", "al", "el", "y"}
)
_NOT_OPENALEX = (
    "not OpenAlex JSON: expected an API page {'meta': ..., 'results': [...]}, a list of works "
    "or JSON Lines of works (objects with an 'id' like https://openalex.org/W123)"
)
_MAX_NOTED = 5


# --------------------------------------------------------------------------- values


def short_id(value: Any) -> str | None:
    """``https://openalex.org/W123`` (or ``W123``) as ``W123``; other values cleaned as they are."""
    text = clean_text(value)
    if text is None:
        return None
    match = _WORK_ID_RE.match(text)
    return match.group(1).upper() if match else text


def _is_work_id(value: Any) -> bool:
    return isinstance(value, str) and _WORK_ID_RE.match(value.strip()) is not None


def invert_abstract(index: Any) -> str | None:
    """The abstract text of an OpenAlex ``abstract_inverted_index`` (word -> list of positions).

    Words are laid out by position; missing positions (OpenAlex indexes have gaps where it
    dropped tokens) are skipped, and when two words claim one position the first is kept. Also
    accepts the index as a JSON or Python-literal string (as flattened exports store it) and the
    legacy ``{"IndexLength": n, "InvertedIndex": {...}}`` wrapper. None when there is no index.
    """
    if isinstance(index, str):
        text = index.strip()
        try:
            index = json.loads(text)
        except ValueError:
            try:
                index = ast.literal_eval(text)
            except (ValueError, SyntaxError, MemoryError, RecursionError):
                return None
    if isinstance(index, dict) and isinstance(index.get("InvertedIndex"), dict):
        index = index["InvertedIndex"]
    if not isinstance(index, dict):
        return None
    words: dict[int, str] = {}
    for word, positions in index.items():
        for position in positions if isinstance(positions, list) else [positions]:
            if isinstance(position, int) or (isinstance(position, str) and position.isdigit()):
                words.setdefault(int(position), str(word))
    return clean_text(" ".join(words[p] for p in sorted(words)))


def display_name_to_author(name: Any) -> str | None:
    """An OpenAlex display name "Given Middle Surname" as "Surname, Given Middle".

    The last word is the surname, with the lower-case particles right before it ("van Raan",
    "de la Cruz"); initials lose their dots as in WoS ("A. Schubert" -> "Schubert, A"). A name
    that already has a comma is kept as it is.
    """
    text = clean_text(name)
    if text is None:
        return None
    text, suffix = split_suffix(text)
    if "," in text:
        return f"{text} {suffix}" if suffix else text
    words = text.split(" ")
    start = len(words) - 1
    while start > 1 and words[start - 1] in _PARTICLES:
        start -= 1
    if start == 0:
        return f"{text} {suffix}" if suffix else text
    return author_name(" ".join(words[start:]), " ".join(words[:start]), suffix)


def country_names(codes: Iterable[Any]) -> list[str]:
    """Country names of ISO 3166 alpha-2 codes, deduplicated in order; unknown codes dropped."""
    return clean_list(normalise_country(str(c)) for c in codes if c)


def year_counts(years: Iterable[Any], counts: Iterable[Any]) -> list[tuple[int, int]] | None:
    """(year, count) pairs, or None when some value is not an integer."""
    pairs = [(parse_int(y), parse_int(c)) for y, c in zip(years, counts, strict=True)]
    if any(y is None or c is None for y, c in pairs):
        return None
    return sorted(pairs)  # type: ignore[arg-type]


class DroppedCounts:
    """Works whose per-year citations had to be dropped, reported once per file (as a note)."""

    def __init__(self) -> None:
        self.ids: list[str] = []

    def add(self, work_id: str | None) -> None:
        self.ids.append(work_id or "(no id)")

    def lines(self) -> list[str]:
        if not self.ids:
            return []
        shown = ", ".join(self.ids[:_MAX_NOTED]) + (" ..." if len(self.ids) > _MAX_NOTED else "")
        return [
            f"{len(self.ids)} work(s) with counts_by_year that are not (year, count) integers "
            f"or do not align; their per-year citations were dropped: {shown}"
        ]


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
        _is_work_id(obj.get("id")) or "publication_year" in obj or "authorships" in obj
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


def is_openalex_header(header: Iterable[str]) -> bool:
    """Whether CSV columns are OpenAlex's: publication_year, an id and dotted nested columns."""
    columns = set(header)
    return (
        "publication_year" in columns
        and bool(columns & {"id", "ids.openalex"})
        and any(c.startswith(_CSV_PREFIXES) for c in columns)
    )


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
        # Imported here because openalex_csv builds on this module's value helpers.
        from fronts.ingest.openalex_csv import csv_records

        parsed = csv_records(path, notes)
    result = finalise(parsed, path=path, source=NAME, config=config)
    result.notes.extend(notes.lines())
    return result
