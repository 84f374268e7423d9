"""RIS exports (``TY  - ...`` to ``ER  -``) from Web of Science, Scopus, EndNote, Zotero, ...

rispy parses each record; this module finds the record boundaries first (so that one broken
or truncated record is quarantined instead of silently merged into its neighbour or dropped)
and maps rispy's field names onto the record schema.

What the Web of Science RIS export holds, compared with its txt export of the same records:
the UT is in ``AN`` (so source_id is the same ``WOS:...``), times cited only inside the ``N1``
note ("Times Cited in Web of Science Core Collection: 4"), authors only in the short form
(``AU  - Smith, J``), ``AD`` addresses without author names, and ``KW`` holding the author
keywords *followed by* the Keywords Plus (the two cannot be told apart). It has no cited
references and no document type (``TY  - JOUR`` for articles, editorials and reviews alike).
It also separates repeated tags (``WE``, ``AD``, ``C3``) with a bare carriage return, which is
why lines are split on any line ending.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import rispy

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.countries import countries_of_addresses

NAME = "ris"

_FIRST_LINE_RE = re.compile(r"^TY  - ?")
_LINE_END_RE = re.compile(r"\r\n|\r|\n")
# Repeated tags that rispy would otherwise keep only once, and non-standard tags worth keeping.
_LIST_TAGS = [*rispy.LIST_TYPE_TAGS, "AD", "CR"]
_MAPPING = {**rispy.TAG_KEY_MAPPING, "CR": "cited_references", "UT": "ut", "TC": "times_cited"}
_WOS_ID_RE = re.compile(r"\b(?:WOS|ISI):[0-9A-Z]+\b", re.IGNORECASE)
_EID_RE = re.compile(r"\b2-s2\.0-\d+\b")
# WoS: "Times Cited in Web of Science Core Collection:  4"; Scopus: "Cited By :12".
_TIMES_CITED_RE = re.compile(
    r"Times Cited in Web of Science Core Collection:\s*(\d+)|Cited By\s*:?\s*(\d+)",
    re.IGNORECASE,
)
# rispy keeps no state between records, so one parser serves every record.
_PARSER = rispy.RisParser(mapping=_MAPPING, list_tags=_LIST_TAGS)


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the first non-empty line is a ``TY  - `` record start."""
    for line in _LINE_END_RE.split(head):
        if line.strip():
            return bool(_FIRST_LINE_RE.match(line))
    return False


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a RIS file; every TY..ER record (complete or not) becomes one record."""
    path = Path(path)
    chunks, stray = _split_records(_LINE_END_RE.split(read_text(path)))
    if not chunks:
        raise InputFormatError(path, "no RIS records (no 'TY  - ' line) found")
    parsed = [_parse_chunk(lines, problem) for lines, problem in chunks]
    result = finalise(parsed, path=path, source=NAME, config=config)
    if stray:
        result.notes.append(f"{stray} non-empty line(s) outside any TY..ER record were ignored")
    return result


def _split_records(lines: list[str]) -> tuple[list[tuple[list[str], str | None]], int]:
    """Group lines into records (lines, structural problem or None) and count ignored lines."""
    chunks: list[tuple[list[str], str | None]] = []
    current: list[str] | None = None
    stray: list[str] = []  # non-empty lines seen outside a record since the last one
    ignored = 0
    for line in lines:
        tag, _ = _PARSER.parse_line(line)  # rispy's own rule for what a tag line is
        if tag == "TY":
            if current is not None:
                chunks.append((current, "truncated record: no ER line before the next TY"))
            current = [line]
            ignored += len(stray)
            stray = []
        elif current is not None:
            current.append(line)
            if tag == "ER":
                chunks.append((current, None))
                current = None
        elif tag == "ER" and stray:
            # Lines ended by ER but never started by TY: a record whose start was lost.
            chunks.append(([*stray, line], "record without a TY start line"))
            stray = []
        elif line.strip():
            stray.append(line)
    if current is not None:
        chunks.append((current, "truncated record: no ER line before the end of the file"))
    return chunks, ignored + len(stray)


def _parse_chunk(lines: list[str], problem: str | None) -> ParsedRecord:
    raw = "\n".join(lines)
    if problem is not None:
        return ParsedRecord(None, raw, problem)
    try:
        entries = _PARSER.parse_lines(iter(lines))
        if len(entries) != 1:
            raise ValueError(f"{len(entries)} records found where one was expected")
        return ParsedRecord(_fields(entries[0]), raw)
    except Exception as exc:  # one odd record must not abort the file
        return ParsedRecord(None, raw, f"unparseable RIS record: {type(exc).__name__}: {exc}")


def _first(entry: dict[str, Any], *names: str) -> str | None:
    for name in names:
        value = entry.get(name)
        if isinstance(value, list):
            value = next((v for v in value if v and v.strip()), None)
        if value and value.strip():
            return value.strip()
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    return [v for v in (value if isinstance(value, list) else [value]) if v]


def _fields(entry: dict[str, Any]) -> dict[str, Any]:
    """Map one rispy entry onto the record fields."""
    notes = " ".join(_as_list(entry.get("notes")))
    addresses = [a.strip().rstrip(".") for a in _as_list(entry.get("author_address"))]
    tc = _first(entry, "times_cited")
    if tc is None and (match := _TIMES_CITED_RE.search(notes)):
        tc = match.group(1) or match.group(2)
    return {
        "source_id": _source_id(entry),
        "doi": _first(entry, "doi") or _doi_url(entry),
        "title": _first(entry, "title", "primary_title"),
        "abstract": _first(entry, "abstract", "notes_abstract"),
        "year": _first(entry, "year", "publication_year", "date"),
        "venue": _first(
            entry,
            "secondary_title",
            "journal_name",
            "alternate_title3",
            "alternate_title2",
            "alternate_title1",
        ),
        "volume": _first(entry, "volume"),
        "first_page": _first(entry, "start_page", "custom7"),
        "doc_type": _first(entry, "type_of_work", "type_of_reference"),
        "language": _first(entry, "language"),
        "authors": _as_list(entry.get("authors")) or _as_list(entry.get("first_authors")),
        "affiliations": addresses,
        "countries": countries_of_addresses(addresses),
        "author_keywords": _as_list(entry.get("keywords")),
        "cited_refs": _as_list(entry.get("cited_references")),
        "times_cited": tc,
    }


def _source_id(entry: dict[str, Any]) -> str | None:
    """WoS UT ("WOS:..."), else Scopus EID, else the record's own accession number or id."""
    candidates = [_first(entry, "accession_number"), _first(entry, "ut")]
    for value in candidates:
        if value and (match := _WOS_ID_RE.search(value)):
            return match.group(0).upper()
    for value in [*candidates, *_as_list(entry.get("urls"))]:
        if value and (match := _EID_RE.search(value)):
            return match.group(0)
    own = _first(entry, "accession_number", "id")
    return f"ris:{own}" if own else None


def _doi_url(entry: dict[str, Any]) -> str | None:
    return next((u for u in _as_list(entry.get("urls")) if "doi.org/10." in u), None)
