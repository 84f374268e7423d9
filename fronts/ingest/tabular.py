"""Plain CSV or Parquet tables: a configured column mapping, or a known export's preset.

With ``[ingest.tabular] columns = {title = "...", ...}`` any CSV (delimiter
``tabular.delimiter``) or Parquet file is read by mapping record fields onto its columns; list
fields are split on ``tabular.list_separator`` (Parquet list columns are taken as they are).
Files that lack a mapped column but are one of two exports recognised from their header (and
any such file when no mapping is configured) are read with built-in presets:

- IEEE Xplore CSV ("Document Title", "Publication Title", "PDF Link", ...): authors
  "A. Hayashi; S. Raj Paul" become "Hayashi, A" and "Paul, S. Raj"; the source id is the
  article number from the PDF link ("IEEE:9150427"); an empty "Article Citation Count" is 0
  (IEEE leaves uncited articles empty; the export never writes "0").
- SpringerLink CSV ("Item Title", "Item DOI", "Content Type", ...): its "Authors" cell runs the
  names together without separators ("Vivek K. PallipuramMohammad Bhuiyan"); they are split
  where a lower-case letter meets an upper-case one (see `split_run_together_names`), which is
  a heuristic: camel-case given names such as "ZhiHui" are kept whole, but a particle followed
  by another camel-case run (e.g. "ZhiHui DuZhangXi Lin") can still be split wrongly.

The CSV helpers (`csv_header`, `csv_rows`) and the name helpers are shared with the Scopus reader.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import polars as pl

from fronts.config import IngestConfig, TabularConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, clean_text, finalise, read_text
from fronts.ingest.countries import countries_of_addresses, normalise_country

NAME = "tabular"
PARQUET_MAGIC = b"PAR1"

# Scopus "References" cells of long reviews exceed the csv module's default 128 KiB field limit;
# the limit is process-wide, so it is only ever raised.
csv.field_size_limit(max(csv.field_size_limit(), 2**31 - 1))

Row = dict[str, Any]
CsvRow = tuple[list[str] | None, str, str | None]

# --------------------------------------------------------------------------- CSV rows


def csv_header(head: str, delimiter: str = ",") -> list[str]:
    """The stripped column names of the first row of `head` (empty if it cannot be parsed)."""
    try:
        row = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter, strict=True))
    except (csv.Error, StopIteration):
        return []
    return [name.strip() for name in row]


def csv_rows(text: str, delimiter: str = ",") -> Iterator[CsvRow]:
    """Every row of a CSV text as ``(cells, raw_text, None)``, or ``(None, raw, problem)``.

    Quoted cells may span lines. Parsing is strict, so an unbalanced or stray quote is reported
    instead of silently swallowing the following rows: the physical line where the broken row
    starts is returned with the problem (unless `_all_quoted_cells` can still read it) and
    parsing resumes on the next line. Blank lines are skipped (they are not records).
    """
    lines = io.StringIO(text, newline="").readlines()
    pos = 0

    def feed() -> Iterator[str]:
        nonlocal pos
        while pos < len(lines):
            pos += 1
            yield lines[pos - 1]

    start = 0
    while pos < len(lines):
        reader = csv.reader(feed(), delimiter=delimiter, strict=True)
        try:
            for cells in reader:
                raw = "".join(lines[start:pos])
                start = pos
                if cells and any(cell.strip() for cell in cells):
                    yield cells, raw, None
        except csv.Error as exc:
            line = lines[start]
            cells = _all_quoted_cells(line, delimiter)
            yield cells, line, None if cells is not None else f"malformed CSV row ({exc})"
            pos = start = start + 1


def _all_quoted_cells(line: str, delimiter: str) -> list[str] | None:
    """Cells of a one-line row whose every cell is quoted, read without quote escaping.

    Some exporters (IEEE Xplore) write quotes inside quoted cells without doubling them:
    ``"Conference on "Computer as a Tool""``. When every cell of the line is quoted, the
    cell boundaries are unambiguous (``","``), so such a row is still read exactly.
    """
    body = line.rstrip("\r\n")
    if len(body) < 2 or not (body.startswith('"') and body.endswith('"')):
        return None
    return body[1:-1].split(f'"{delimiter}"')


def table_rows(
    rows: Iterator[CsvRow], header: list[str]
) -> Iterator[tuple[Row | None, str, str | None]]:
    """Pair each CSV row with the header; a row with the wrong number of cells is a problem."""
    for cells, raw, problem in rows:
        if cells is not None and len(cells) != len(header):
            problem = f"malformed CSV row: {len(cells)} cells where the header has {len(header)}"
            cells = None
        yield (dict(zip(header, cells, strict=True)) if cells is not None else None), raw, problem


# --------------------------------------------------------------------------- names and places

_SUFFIX_RE = re.compile(r",?\s+(Jr\.?|Sr\.?|II|III|IV)$")
_PARTICLES = frozenset({"Mc", "Mac", "De", "Di", "Da", "Du", "Le", "La", "Van", "Von", "Fitz"})


def is_initials(text: str) -> bool:
    """Whether `text` is only initials: "H.", "J.P.A.", "M.-L.", "É.", "JA"."""
    letters = [c for c in text if c.isalpha()]
    if not letters or any(not c.isupper() for c in letters):
        return False
    if any(not (c.isalpha() or c in ".- ") for c in text):
        return False
    return "." in text or len(letters) <= 3


def author_name(surname: str, given: str, suffix: str = "") -> str:
    """WoS-style "Surname, Initials": initials lose their dots, hyphens and spaces ("H.-J." ->
    "HJ", as WoS writes them); a given name that is not only initials is kept as it is."""
    given = given.strip()
    if is_initials(given):
        given = "".join(c for c in given if c.isalpha())
    name = f"{surname.strip()}, {given}" if given else surname.strip()
    return f"{name} {suffix}" if suffix else name


def split_suffix(name: str) -> tuple[str, str]:
    """Split a generational suffix ("Jr.", "III") off a name."""
    match = _SUFFIX_RE.search(name)
    if not match:
        return name.strip(), ""
    return name[: match.start()].strip(), match.group(1)


def given_first_name(name: str) -> str:
    """ "A. Hayashi" -> "Hayashi, A"; the last word is taken as the surname."""
    name, suffix = split_suffix(" ".join(name.split()))
    given, _, surname = name.rpartition(" ")
    if not given:
        return f"{name} {suffix}" if suffix else name
    return author_name(surname, given, suffix)


def split_run_together_names(text: str) -> list[str]:
    """Split names written without separators ("Ren LiHaibo HuHeng Li") into names.

    Cuts where a lower-case letter is followed by an upper-case one, then rejoins pieces that
    cannot be whole names: a piece without a space (the start of a camel-case given name such
    as "Zhi" of "ZhiHui Du"), and a piece ending in a surname particle followed by another
    run-together word ("Margaret McCabe" cut as "Margaret Mc" + "Cabe").
    """
    pieces, start = [], 0
    for i in range(1, len(text)):
        if text[i - 1].islower() and text[i].isupper():
            pieces.append(text[start:i])
            start = i
    pieces.append(text[start:])
    names, current = [], ""
    for k, piece in enumerate(pieces):
        current += piece
        following = pieces[k + 1] if k + 1 < len(pieces) else None
        if " " not in current.strip():
            continue
        last_word = current.rsplit(" ", 1)[-1]
        if following is not None and last_word in _PARTICLES and " " not in following.strip():
            continue
        names.append(current.strip())
        current = ""
    if current.strip():
        names.append(current.strip())
    return names


def _items(value: Any, separator: str) -> list[str]:
    """A list cell: Parquet lists as they are, text split on the separator."""
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value if v is not None]
    return [part for part in str(value).split(separator) if clean_text(part)]


# --------------------------------------------------------------------------- mappings


def _ieee_fields(row: Row) -> dict[str, Any]:
    affiliations = [a for a in _items(row.get("Author Affiliations"), ";") if a.strip() != "NA"]
    arnumber = re.search(r"arnumber=(\d+)", row.get("PDF Link") or "")
    count = clean_text(row.get("Article Citation Count"))
    return {
        "source_id": f"IEEE:{arnumber.group(1)}" if arnumber else None,
        "doi": row.get("DOI"),
        "title": row.get("Document Title"),
        "abstract": row.get("Abstract"),
        "year": row.get("Publication Year"),
        "venue": row.get("Publication Title"),
        "volume": row.get("Volume"),
        "first_page": row.get("Start Page"),
        "doc_type": row.get("Document Identifier"),
        "authors": [given_first_name(a) for a in _items(row.get("Authors"), ";")],
        "affiliations": affiliations,
        "countries": countries_of_addresses(affiliations),
        "author_keywords": _items(row.get("Author Keywords"), ";"),
        "times_cited": count if count is not None else 0,
    }


def _springer_fields(row: Row) -> dict[str, Any]:
    authors = split_run_together_names(clean_text(row.get("Authors")) or "")
    return {
        "doi": row.get("Item DOI"),
        "title": row.get("Item Title"),
        "year": row.get("Publication Year"),
        "venue": row.get("Publication Title") or row.get("Book Series Title"),
        "volume": row.get("Journal Volume"),
        "doc_type": row.get("Content Type"),
        "authors": [given_first_name(a) for a in authors],
    }


# Columns whose presence identifies the export (all must be in the header).
PRESETS: dict[str, tuple[frozenset[str], Callable[[Row], dict[str, Any]]]] = {
    "ieee": (
        frozenset({"Document Title", "Publication Title", "Publication Year", "PDF Link"}),
        _ieee_fields,
    ),
    "springer": (
        frozenset({"Item Title", "Item DOI", "Publication Year", "Content Type"}),
        _springer_fields,
    ),
}
_LIST_FIELDS = ("authors", "affiliations", "countries", "author_keywords", "cited_refs")


def preset_for(columns: list[str]) -> str | None:
    """The name of the preset whose signature columns are all in `columns`, if any."""
    present = set(columns)
    for name, (signature, _) in PRESETS.items():
        if signature <= present:
            return name
    return None


def _mapped(mapping: dict[str, str], separator: str) -> Callable[[Row], dict[str, Any]]:
    def fields(row: Row) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for field, column in mapping.items():
            value = row.get(column)
            if field in _LIST_FIELDS:
                value = _items(value, separator)
            elif isinstance(value, float) and value.is_integer():
                value = int(value)  # Parquet numbers read as floats ("2021.0") stay clean
            out[field] = value
        if "countries" in out:
            out["countries"] = [c for c in map(normalise_country, out["countries"]) if c]
        elif "affiliations" in out:
            out["countries"] = countries_of_addresses(out["affiliations"])
        return out

    return fields


def _converter(path: Path, columns: list[str], cfg: TabularConfig) -> Callable[[Row], dict]:
    """The mapping when the file has all its columns, else a matching preset, else an error."""
    missing = {f: c for f, c in cfg.columns.items() if c not in columns}
    if cfg.columns and not missing:
        return _mapped(cfg.columns, cfg.list_separator)
    preset = preset_for(columns)
    if preset is not None:
        return PRESETS[preset][1]
    present = "columns present: " + ", ".join(repr(c) for c in columns)
    if cfg.columns:
        what = "; ".join(f"field '{f}' -> column '{c}'" for f, c in missing.items())
        raise InputFormatError(
            path, f"column mapping names columns the file lacks ({what}); {present}"
        )
    raise InputFormatError(
        path,
        "no column mapping configured and the columns match no known export (IEEE Xplore, "
        f"SpringerLink); map them in [ingest.tabular] columns = {{title = '...', ...}}; {present}",
    )


# --------------------------------------------------------------------------- reader


def is_parquet(path: Path) -> bool:
    """Whether the file starts with Parquet's magic bytes (checked on the raw bytes)."""
    with open(path, "rb") as fh:
        return fh.read(4) == PARQUET_MAGIC


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """Parquet by magic bytes; a CSV whose header matches a preset or the configured mapping."""
    if is_parquet(path):
        return True
    if config.tabular.columns:
        header = csv_header(head, config.tabular.delimiter)
        if set(config.tabular.columns.values()) <= set(header):
            return True
    return preset_for(csv_header(head)) is not None


def _delimiter(head: str, cfg: TabularConfig) -> str:
    """The configured delimiter, unless only a (comma-separated) preset matches the header."""
    if cfg.columns and set(cfg.columns.values()) <= set(csv_header(head, cfg.delimiter)):
        return cfg.delimiter
    return "," if preset_for(csv_header(head)) else cfg.delimiter


def _parquet_rows(path: Path) -> tuple[list[str], Iterator[tuple[Row | None, str, str | None]]]:
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # polars raises several error types for corrupt files
        raise InputFormatError(path, f"unreadable Parquet file ({exc})") from None

    def rows() -> Iterator[tuple[Row | None, str, str | None]]:
        for row in frame.iter_rows(named=True):
            yield row, json.dumps(row, ensure_ascii=False, default=str), None

    return frame.columns, rows()


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Read a CSV or Parquet table through the configured mapping or a detected preset."""
    path = Path(path)
    cfg = config.tabular
    if is_parquet(path):
        columns, rows = _parquet_rows(path)
    else:
        text = read_text(path)
        lines = csv_rows(text, _delimiter(text[:65_536], cfg))
        first = next(lines, None)
        if first is None or first[0] is None:
            raise InputFormatError(path, "no CSV header row" if first else "file is empty")
        columns = [c.strip() for c in first[0]]
        rows = table_rows(lines, columns)
    to_fields = _converter(path, columns, cfg)
    parsed = (
        ParsedRecord(to_fields(row), raw) if row is not None else ParsedRecord(None, raw, problem)
        for row, raw, problem in rows
    )
    return finalise(parsed, path=path, source=NAME, config=config)
