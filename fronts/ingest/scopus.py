"""Scopus CSV exports (comma-delimited, quoted, usually UTF-8 with a BOM).

The columns vary between exports (46 with "References" in a full export, 34 without in a
shorter one), so cells are looked up by header name, case-insensitively. What the reader does
beyond copying cells:

- Authors come in three shapes: "Wu, H.; Cui, H." (exports since 2023), "Parise O.; de
  Asmundis C." and, in old exports, "Wu H., Cui H."; all become WoS-style "Wu, H" /
  "de Asmundis, C" so that the same person reads the same in every source.
- Countries are the last comma-separated part of each ';'-separated affiliation.
- "References" is split on "; " (as bibliometrix does; single references contain commas and
  occasionally semicolons without a following space).
- An empty "Cited by" is 0: Scopus leaves the cell empty for uncited documents in older exports.
- The publisher's copyright notice that Scopus appends to almost every abstract ("© 2023
  Elsevier B.V., All rights reserved.") is cut off, so that abstracts compare with other
  sources' and do not feed boilerplate into the topic model; see `strip_copyright`.
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import (
    ParsedRecord,
    ReadResult,
    clean_text,
    finalise,
    parse_int,
    read_text,
    split_list,
)
from fronts.ingest.countries import countries_of_addresses
from fronts.ingest.tabular import (
    author_name,
    csv_header,
    csv_rows,
    is_initials,
    split_suffix,
    table_rows,
)

NAME = "scopus"
_SIGNATURES = (
    frozenset({"eid", "source title"}),
    frozenset({"authors", "title", "year", "source title"}),
)
_SUFFIXES = frozenset({"Jr.", "Jr", "Sr.", "Sr", "II", "III", "IV"})
# A notice starts at "©" (optionally "Copyright ©"); only one in the abstract's tail is cut, and
# never the whole abstract: a "©" in the middle of the text is left alone.
_COPYRIGHT_RE = re.compile(r"\s*(?:Copyright\s*)?©")
# Notices whose "©" got lost on the way: "... Copyright:", "... results. IEEE", and ASIS&T's.
_BARE_NOTICE_RE = re.compile(
    r"(?:\s+Copyright:?|(?<=[.!?])\s+IEEE|\s+Author\(s\) retain copyright, but [^.]*\.?)\s*$"
)
_NOTICE_MAX = 600
_MIN_KEPT = 50
# Scopus leaves some HTML entities escaped, even as "Merck & amp; Co."; their ';' would split
# affiliation and keyword lists.
_ENTITY_RE = re.compile(r"& ?(?:amp|lt|gt|quot|apos);|&#\d+;|&#x[0-9a-fA-F]+;")


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """A CSV whose header has Scopus's "EID" and "Source title" (or its bibliographic core)."""
    header = {name.lower() for name in csv_header(head)}
    return any(signature <= header for signature in _SIGNATURES)


def strip_copyright(abstract: str | None) -> str | None:
    """The abstract without the copyright/licence notice Scopus appends to it.

    The notice is cut at the first "©" that lies within the last 600 characters (long
    open-access licence statements included) when at least 50 characters of text remain before
    it; a "©" earlier in the text is left alone. Notices that lost their "©" in the export (a
    trailing "Copyright:" or ". IEEE", ASIS&T's "Author(s) retain copyright, ...") go too.
    """
    if not abstract:
        return abstract
    for match in _COPYRIGHT_RE.finditer(abstract):
        if len(abstract) - match.start() <= _NOTICE_MAX and match.start() >= _MIN_KEPT:
            abstract = abstract[: match.start()].rstrip()
            break
    match = _BARE_NOTICE_RE.search(abstract)
    if match and match.start() >= _MIN_KEPT:
        abstract = abstract[: match.start()].rstrip()
    return abstract


def _unescape(value: str) -> str:
    if "&" not in value:
        return value
    return _ENTITY_RE.sub(lambda m: html.unescape(m.group(0).replace(" ", "")), value)


def _old_style(name: str) -> bool:
    """ "Wu H." or "de Asmundis C.": surname(s), then initials with a dot."""
    surname, _, initials = name.strip().rpartition(" ")
    return bool(surname) and "." in initials and is_initials(initials)


def scopus_author(name: str) -> str:
    """One Scopus author ("Wu, H." or "Wu H.") as "Wu, H"; other shapes are kept as they are."""
    name, suffix = split_suffix(name)
    if "," in name:
        surname, given = name.split(",", 1)
        return author_name(surname, given, suffix)
    if _old_style(name):
        surname, _, initials = name.rpartition(" ")
        return author_name(surname, initials, suffix)
    return f"{name} {suffix}" if suffix else name  # a mononym ("Irawan") or a full name


def scopus_authors(value: Any) -> list[str]:
    """The "Authors" cell as a list of "Surname, Initials".

    Exports before 2020 separate authors with ", " ("Wu H., Cui H."); that is told apart from a
    single "Wu, H." by every part ending in dotted initials.
    """
    text = clean_text(value)
    if not text or text.startswith("[No author"):
        return []
    if ";" in text:
        names = text.split(";")
    else:
        names = []
        for part in text.split(", "):
            if part in _SUFFIXES and names:
                names[-1] += f", {part}"
            else:
                names.append(part)
        if len(names) < 2 or not all(_old_style(split_suffix(n)[0]) for n in names):
            names = [text]
    return [scopus_author(n) for n in names if n.strip()]


def _fields(row: dict[str, str]) -> dict[str, Any]:
    cell = {name: _unescape(value) for name, value in row.items()}
    affiliations = split_list(cell.get("affiliations"), ";")
    cited_by = cell.get("cited by")
    if cited_by is not None and clean_text(cited_by) is None:
        cited_by = "0"
    references = clean_text(cell.get("references"))
    return {
        "source_id": cell.get("eid"),
        "doi": cell.get("doi"),
        "title": cell.get("title"),
        "abstract": strip_copyright(clean_text(cell.get("abstract"))),
        "year": cell.get("year"),
        "venue": cell.get("source title"),
        "volume": cell.get("volume"),
        "first_page": clean_text(cell.get("page start")) or cell.get("art. no."),
        "doc_type": cell.get("document type"),
        "language": cell.get("language of original document"),
        "authors": scopus_authors(cell.get("authors")),
        "affiliations": affiliations,
        "countries": countries_of_addresses(affiliations),
        "author_keywords": split_list(cell.get("author keywords"), ";"),
        "cited_refs": references.split("; ") if references else [],
        "times_cited": parse_int(cited_by),
    }


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read every row of a Scopus CSV export; malformed rows are quarantined with the reason."""
    path = Path(path)
    rows = csv_rows(read_text(path))
    first = next(rows, None)
    if first is None:
        raise InputFormatError(path, "file is empty")
    header = [name.strip().lower() for name in first[0] or []]
    missing = [c for c in ("title", "year") if c not in header]
    if not any(signature <= set(header) for signature in _SIGNATURES) or missing:
        raise InputFormatError(
            path,
            "not a Scopus CSV export: the header lacks 'EID'/'Source title', 'Title' or 'Year'",
        )
    parsed = (
        ParsedRecord(_fields(row), raw) if row is not None else ParsedRecord(None, raw, problem)
        for row, raw, problem in table_rows(rows, header)
    )
    return finalise(parsed, path=path, source=NAME, config=config)
