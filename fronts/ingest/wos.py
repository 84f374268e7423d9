"""Web of Science plain-text ("tagged", "Other file formats > Plain text") exports.

A file looks like::

    FN Clarivate Analytics Web of Science
    VR 1.0
    PT J
    AU Smith, JA
       Jones, B
    TI A title that is long enough to be
       wrapped onto a continuation line
    ...
    UT WOS:000123456700001
    ER

    EF

Each line starts with a two-character tag and a space; continuation lines start with three
spaces and belong to the last tag. Records run from ``PT`` to ``ER``. Files concatenated with
``cat`` repeat the ``FN``/``VR`` header (and sometimes the BOM), which is simply skipped.

The tag-to-field mapping (`fields_from_tags`) is shared with the tab-delimited reader
(`fronts.ingest.wos_tab`), which uses the same tags as column names.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.countries import countries_of_addresses

NAME = "wos"

_HEADER_TAGS = frozenset({"FN", "VR", "EF"})
_SKIPPED_OUTSIDE = _HEADER_TAGS | {"ER"}
_SNIFF_TAG_RE = re.compile(r"^(?:PT [A-Z]|VR \d|FN \S)")


# --------------------------------------------------------------------------- shared mapping


def normalise_ut(value: str | None) -> str | None:
    """A WoS accession number as WoS prints it today: ``WOS:000123456700001``.

    Older exports write ``ISI:000...`` and some tools drop the prefix; both refer to the same
    record as ``WOS:``, so they are mapped onto it. Other databases' prefixes
    (``MEDLINE:``, ``BCI:``, ...) are kept, upper-cased.
    """
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    prefix, sep, number = text.partition(":")
    if not sep:
        return f"WOS:{text}" if text.isdigit() else text
    prefix = prefix.strip().upper()
    if prefix == "ISI":
        prefix = "WOS"
    return f"{prefix}:{number.strip()}"


def address_of(line: str) -> str:
    """A C1 address without its leading ``[Author; Author]`` group and final period."""
    text = line.strip()
    if text.startswith("["):
        end = text.find("]")
        if end != -1:
            text = text[end + 1 :].strip()
    return text.rstrip(".").strip()


def _first(values: Sequence[str] | None) -> str | None:
    """A single-valued tag's text, wrapped lines joined with spaces."""
    if not values:
        return None
    return " ".join(values).strip() or None


def fields_from_tags(tags: Mapping[str, Sequence[str]]) -> dict[str, Any]:
    """Map a record's tags (tag -> its lines) onto the record fields of `fronts.schemas`.

    Single-valued tags (TI, AB, ...) join their lines with spaces; AU, AF, C1 and CR give one
    item per line; DE is joined and split on ';'. Cleaning (whitespace, DOI form, year and
    integer parsing, de-duplication) is left to `fronts.ingest.common.finalise`.
    """
    addresses = [address_of(line) for line in tags.get("C1", ())]
    addresses = [a for a in addresses if a]
    keywords = _first(tags.get("DE"))
    return {
        "source_id": normalise_ut(_first(tags.get("UT"))),
        "doi": _first(tags.get("DI")),
        "title": _first(tags.get("TI")),
        "abstract": _first(tags.get("AB")),
        # Early-access records may have no PY yet; EA ("JAN 2024") then dates them.
        "year": _first(tags.get("PY")) or _first(tags.get("EA")),
        "venue": _first(tags.get("SO")),
        "volume": _first(tags.get("VL")),
        "first_page": _first(tags.get("BP")) or _first(tags.get("AR")),
        "doc_type": _first(tags.get("DT")),
        "language": _first(tags.get("LA")),
        "authors": list(tags.get("AU", ())),
        "affiliations": addresses,
        "countries": countries_of_addresses(addresses),
        "author_keywords": keywords.split(";") if keywords else [],
        "cited_refs": list(tags.get("CR", ())),
        "times_cited": _first(tags.get("TC")),
    }


# --------------------------------------------------------------------------- tagged text


def _tag_of(line: str) -> str | None:
    """The tag of a ``XY value`` (or bare ``ER``) line: two upper-case letters/digits, then a
    space or the end of the line; None for any other line."""
    tag = line[:2]
    if len(tag) == 2 and line[2:3] in (" ", "") and tag.isalnum() and tag.isupper():
        return tag
    return None


def iter_records(text: str) -> Iterator[tuple[list[str], dict[str, list[str]], str | None]]:
    """Split tagged text into records: (raw lines, tag -> values, structural problem or None).

    Lines outside records (FN/VR headers, EF, blank lines) are skipped, so several exports
    concatenated into one file read as one. A record not closed by ER before the next PT, a
    header or the end of the file is yielded with a "truncated record" problem.
    """
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\ufeff" in text:  # concatenated exports repeat the BOM before each FN header
        text = text.replace("\ufeff", "")
    lines: list[str] | None = None
    tags: dict[str, list[str]] = {}
    values: list[str] = []
    for line in text.split("\n"):
        if line.startswith("   "):  # continuation: hot path, checked first
            if lines is not None:
                lines.append(line)
                values.append(line.strip())
                continue
            tag = None
        else:
            tag = _tag_of(line)
        if lines is None:
            if not line.strip() or tag in _SKIPPED_OUTSIDE:
                continue
            # Any other line opens a record, even without PT, so no content is dropped; text
            # before the record's first tag stays in its raw text only.
            lines, tags, values = [], {}, []
        elif tag == "ER":
            yield lines, tags, None
            lines = None
            continue
        elif tag == "PT":
            yield lines, tags, "truncated record: a new record (PT) starts before ER"
            lines, tags = [], {}
        elif tag in _HEADER_TAGS:
            yield lines, tags, f"truncated record: {tag} line before ER"
            lines = None
            continue
        elif tag is None and not line.strip():
            continue
        lines.append(line)
        if tag is None:  # a line that lost its indentation: part of the last tag
            values.append(line.strip())
        else:
            values = tags.setdefault(tag, [])
            values.append(line[3:].strip())
    if lines is not None:
        yield lines, tags, "truncated record: the file ends before ER"


def _parse(text: str) -> Iterator[ParsedRecord]:
    for lines, tags, problem in iter_records(text):
        raw = "\n".join(lines)
        if problem is not None:
            yield ParsedRecord(None, raw, problem)
        else:
            yield ParsedRecord(fields_from_tags(tags), raw)


# --------------------------------------------------------------------------- reader contract


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """Tagged WoS text starts with ``FN ...``, ``VR 1.0`` or a ``PT J`` record line."""
    for line in head.lstrip("\ufeff").splitlines():
        line = line.strip("\ufeff\r")
        if not line.strip():
            continue
        return bool(_SNIFF_TAG_RE.match(line)) and "\t" not in line
    return False


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read every record of a WoS plain-text export (several concatenated exports included)."""
    path = Path(path)
    text = read_text(path)
    if not sniff(path, text[:4096], config):
        raise InputFormatError(path, "not a Web of Science plain-text export (no FN/VR/PT header)")
    return finalise(_parse(text), path=path, source=NAME, config=config)
