"""Web of Science tab-delimited exports ("Tab-delimited file", Win/Mac, UTF-8 or UTF-16).

The first row names the columns with the same two-letter tags as the plain-text export
(``PT AU BA BE GP AF ... UT PM OA HC HP DA``); every other row is one record. List cells
(authors, addresses, references) are separated by ``;``. WoS itself does not quote cells and
often ends every row with an extra tab. Files that went through R, pandas or a spreadsheet are
usually re-written with CSV quoting (cells with commas or quotes wrapped in ``"..."``, inner
quotes doubled); that variant is recognised and unquoted, see `_uses_quoting`.

Fields are mapped exactly as in the plain-text reader (`fronts.ingest.wos.fields_from_tags`).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.wos import fields_from_tags

NAME = "wos_tab"

_LIST_TAGS = frozenset({"AU", "AF", "CR"})
# A ';' that is not inside a "[Author; Author]" group of a C1 cell.
_ADDRESS_SEP_RE = re.compile(r";(?![^\[]*\])")
csv.field_size_limit(1 << 30)  # cited-reference cells of review articles exceed the 128 KB default


def _header(line: str) -> list[str]:
    """Column tags of the header line, without the empty name a trailing tab leaves."""
    names = [name.strip().lstrip("\ufeff") for name in line.rstrip("\r\n").split("\t")]
    while names and not names[-1]:
        names.pop()
    return names


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """The first line is a tab-separated header starting with PT and naming AU and TI."""
    names = _header(head.lstrip("\ufeff").split("\n", 1)[0])
    return bool(names) and names[0] == "PT" and "AU" in names and "TI" in names


def _uses_quoting(lines: list[str], au_index: int) -> bool:
    """Whether the file was re-written with CSV quoting rather than exported by WoS as is.

    An author cell always contains commas ("Smith, JA; Jones, B"), so a quoting writer quotes
    every one of them, whereas WoS never does. Deciding from the AU column keeps native files
    whose titles merely start with a quotation mark from being mis-read as quoted.
    """
    quoted = plain = 0
    for line in lines[1:200]:
        cells = line.split("\t")
        if len(cells) > au_index and cells[au_index]:
            if cells[au_index].startswith('"'):
                quoted += 1
            else:
                plain += 1
    return quoted > plain


def split_addresses(cell: str) -> list[str]:
    """The addresses of a C1 cell: ``[A; B] Addr 1; [C] Addr 2`` -> one string per address."""
    return [part.strip() for part in _ADDRESS_SEP_RE.split(cell) if part.strip()]


def _tags_of(names: list[str], cells: list[str]) -> dict[str, list[str]]:
    tags: dict[str, list[str]] = {}
    for name, cell in zip(names, cells, strict=True):
        if not cell:
            continue
        if name in _LIST_TAGS:
            tags[name] = cell.split(";")
        elif name == "C1":
            tags[name] = split_addresses(cell)
        else:
            tags[name] = [cell]
    return tags


def _parse(text: str, names: list[str]) -> Iterator[ParsedRecord]:
    if _uses_quoting(text.split("\n", 200), names.index("AU")):
        rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quotechar='"')
    else:
        rows = csv.reader(io.StringIO(text, newline=""), delimiter="\t", quoting=csv.QUOTE_NONE)
    next(rows)  # the header, already read
    expected = len(names)
    for cells in rows:
        raw = "\t".join(cells)
        if not raw.strip():
            continue  # blank line (e.g. at the end): no record
        # WoS ends rows with a tab: drop empty cells beyond the named columns.
        while len(cells) > expected and not cells[-1]:
            cells.pop()
        if len(cells) != expected:
            problem = f"malformed row: {len(cells)} cells, expected {expected}"
            yield ParsedRecord(None, raw, problem)
            continue
        yield ParsedRecord(fields_from_tags(_tags_of(names, cells)), raw)


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read every row of a WoS tab-delimited export; rows with the wrong cell count are
    quarantined ("malformed row")."""
    path = Path(path)
    text = read_text(path)
    names = _header(text.split("\n", 1)[0])
    if not names or names[0] != "PT" or "TI" not in names or "AU" not in names:
        raise InputFormatError(
            path, "not a Web of Science tab-delimited export (no PT/AU/TI header)"
        )
    return finalise(_parse(text, names), path=path, source=NAME, config=config)
