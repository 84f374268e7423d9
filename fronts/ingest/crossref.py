"""Crossref works JSON: an API page (``"message-type": "work-list"``), one work (``"work"``), a
list of works, or JSON Lines of either, as the REST API and its snapshots give them.

Kept: DOI, title, abstract (JATS; the markup goes at acceptance, as for every reader), year
(the first of ``issued``, ``published-print``, ``published-online``, ``published``, ``created``),
journal (``container-title``), volume, first page, Crossref's type as document type, language,
authors ("Family, Given", or the organisation's ``name``), affiliations and their countries, the
references (``DOI 10...`` when Crossref matched one, else the unstructured text, else author,
year and journal), and ``is-referenced-by-count`` as times cited (Crossref's own count, lower
than WoS's or Scopus's). Dropped: funders, licences, links, ``subject`` (the journal's subject
areas, not the work's keywords). Crossref has no id of its own besides the DOI.

A file that is not JSON at all, or whose JSON holds no Crossref work, is refused with one line;
a JSON Lines line that is broken, or a work that is malformed, is quarantined.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.countries import countries_of_addresses

NAME = "crossref"

_SIGNATURE_RE = re.compile(r'"message-type"\s*:\s*"work(?:-list)?"')
_WORK_KEYS = ('"DOI"', '"container-title"')
_DATE_KEYS = ("issued", "published-print", "published-online", "published", "created")
_NOT_CROSSREF = (
    "not Crossref JSON: expected an API page {'message-type': 'work-list', 'message': "
    "{'items': [...]}}, one work, a list of works or JSON Lines of them"
)


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """JSON with Crossref's message type, or works with its keys ("DOI", "container-title")."""
    text = head.lstrip()
    if not text.startswith(("{", "[")):
        return False
    return bool(_SIGNATURE_RE.search(text)) or all(key in text for key in _WORK_KEYS)


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read every work of a Crossref JSON document or JSON Lines file."""
    path = Path(path)
    return finalise(list(_records(path)), path=path, source=NAME, config=config)


def _is_work(value: Any) -> bool:
    return isinstance(value, dict) and "DOI" in value and ("title" in value or "type" in value)


def works_of(value: Any) -> list[Any] | None:
    """The works a JSON value holds (page, single work, list), or None when it holds none."""
    if isinstance(value, dict) and isinstance(value.get("message"), dict):
        message = value["message"]
        if isinstance(message.get("items"), list):
            return message["items"]
        return [message]
    if isinstance(value, dict) and isinstance(value.get("items"), list):
        return value["items"]
    if _is_work(value):
        return [value]
    if isinstance(value, list) and (not value or any(map(_is_work, value))):
        return value
    return None


def _records(path: Path) -> Iterator[ParsedRecord]:
    text = read_text(path)
    try:
        document = json.loads(text)
    except ValueError as exc:
        lines = [line for line in text.split("\n") if line.strip()]
        if len(lines) > 1 and lines[0].lstrip().startswith("{"):
            yield from _json_lines(path, lines)
            return
        raise InputFormatError(path, f"invalid JSON ({exc})") from None
    works = works_of(document)
    if works is None:
        raise InputFormatError(path, _NOT_CROSSREF)
    yield from (_parse(work, None) for work in works)


def _json_lines(path: Path, lines: list[str]) -> Iterator[ParsedRecord]:
    seen_work = False
    for line in lines:
        raw = line.rstrip("\r")
        try:
            value = json.loads(raw)
        except ValueError as exc:
            yield ParsedRecord(None, raw, f"invalid JSON: {exc}")
            continue
        works = works_of(value)
        if works is None:
            yield ParsedRecord(None, raw, "not a Crossref work")
            continue
        seen_work = True
        yield from (_parse(work, raw if len(works) == 1 else None) for work in works)
    if not seen_work:
        raise InputFormatError(path, _NOT_CROSSREF)


def _parse(work: Any, raw: str | None) -> ParsedRecord:
    raw = raw if raw is not None else json.dumps(work, ensure_ascii=False)
    if not _is_work(work):
        return ParsedRecord(None, raw, "not a Crossref work (no DOI, title or type)")
    try:
        return ParsedRecord(work_fields(work), raw)
    except (TypeError, ValueError, AttributeError, IndexError) as exc:
        return ParsedRecord(None, raw, f"malformed Crossref work ({type(exc).__name__}: {exc})")


def _first(value: Any) -> Any:
    if isinstance(value, list):
        return next((v for v in value if v), None)
    return value


def _year(work: dict[str, Any]) -> int | None:
    for key in _DATE_KEYS:
        parts = (work.get(key) or {}).get("date-parts") or [[None]]
        if parts and parts[0] and parts[0][0]:
            return int(parts[0][0])
    return None


def _author(person: dict[str, Any]) -> str | None:
    family, given = person.get("family"), person.get("given")
    if family:
        return f"{family}, {given}" if given else str(family)
    return person.get("name")


def _reference(ref: dict[str, Any]) -> str | None:
    if ref.get("DOI"):
        return f"DOI {ref['DOI']}"
    if ref.get("unstructured"):
        return str(ref["unstructured"])
    parts = [
        ref.get("author"),
        ref.get("year"),
        ref.get("journal-title") or ref.get("volume-title"),
    ]
    text = ", ".join(str(p) for p in parts if p)
    return text or None


def work_fields(work: dict[str, Any]) -> dict[str, Any]:
    """The record fields of one Crossref work object."""
    people = [p for p in work.get("author") or [] if isinstance(p, dict)]
    addresses = [
        a["name"]
        for p in people
        for a in p.get("affiliation") or []
        if isinstance(a, dict) and a.get("name")
    ]
    page = _first(work.get("page"))
    refs = [_reference(r) for r in work.get("reference") or [] if isinstance(r, dict)]
    return {
        "source_id": None,
        "doi": work.get("DOI"),
        "title": _first(work.get("title")),
        "abstract": work.get("abstract"),
        "year": _year(work),
        "venue": _first(work.get("container-title")),
        "volume": work.get("volume"),
        "first_page": str(page).split("-")[0] if page else None,
        "doc_type": work.get("type"),
        "language": work.get("language"),
        "authors": [a for a in map(_author, people) if a],
        "affiliations": list(dict.fromkeys(addresses)),
        "countries": countries_of_addresses(addresses),
        "author_keywords": [],
        "cited_refs": [r for r in refs if r],
        "times_cited": work.get("is-referenced-by-count"),
    }
