"""The values of OpenAlex works, shared by the JSON and CSV readers: ids, abstracts, names.

`short_id` shortens ``https://openalex.org/W123`` to ``W123``; `invert_abstract` rebuilds an
abstract from its inverted index; `display_name_to_author` writes "Anthony F. J. van Raan" as
"van Raan, Anthony F. J."; `country_names` maps ISO codes through `normalise_country`.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable
from typing import Any

from fronts.ingest.common import clean_list, clean_text, parse_int
from fronts.ingest.countries import normalise_country
from fronts.ingest.tabular import author_name, split_suffix

_WORK_ID_RE = re.compile(r"^(?:https?://(?:api\.)?openalex\.org/(?:works/)?)?(W\d+)$", re.I)
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
_MAX_NOTED = 5


# --------------------------------------------------------------------------- values


def short_id(value: Any) -> str | None:
    """``https://openalex.org/W123`` (or ``W123``) as ``W123``; other values cleaned as they are."""
    text = clean_text(value)
    if text is None:
        return None
    match = _WORK_ID_RE.match(text)
    return match.group(1).upper() if match else text


def is_work_id(value: Any) -> bool:
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


def is_openalex_header(header: Iterable[str]) -> bool:
    """Whether CSV columns are OpenAlex's: publication_year, an id and dotted nested columns."""
    columns = set(header)
    return (
        "publication_year" in columns
        and bool(columns & {"id", "ids.openalex"})
        and any(c.startswith(_CSV_PREFIXES) for c in columns)
    )
