"""BibTeX exports (Web of Science, Scopus, IEEE Xplore, ACM, ScienceDirect, SAGE, T&F, ...).

Parsing is bibtexparser's (v2); this module only maps entry fields onto the record schema and
turns LaTeX into plain text with pylatexenc. Flavours differ in a few fields:

- Web of Science: ``Unique-ID = {WOS:...}`` (the UT, so the same record gets the same source_id
  as in the WoS txt export), ``Times-Cited``, newline-separated ``Cited-References``,
  ``Keywords`` (author keywords) beside ``Keywords-Plus``, ``Affiliation`` holding the C1 and
  reprint addresses prefixed with author names;
- Scopus: ``author_keywords`` (``keywords`` are index keywords), ``affiliations`` separated by
  ';', ``note = {Cited by: 12; ...}`` and the EID in ``url`` (``eid=2-s2.0-...``);
- the others: ``keywords`` separated by ';' (IEEE) or ',' (ACM, ScienceDirect), pages with en
  dashes, ``articleno``; their source_id is the citation key (``bibtex:<key>``).

Every @-block that is an entry becomes one record; blocks bibtexparser cannot parse are
quarantined with the parser's reason and the raw text. @comment, @string and @preamble are not
records.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import bibtexparser
from bibtexparser.middlewares.names import (
    parse_single_name_into_parts,
    split_multiple_persons_names,
)
from bibtexparser.model import (
    Block,
    DuplicateBlockKeyBlock,
    DuplicateFieldKeyBlock,
    Entry,
    ImplicitComment,
    ParsingFailedBlock,
)
from pylatexenc.latex2text import LatexNodes2Text

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.countries import countries_of_addresses

NAME = "bibtex"

_ENTRY_START_RE = re.compile(r"^[ \t]*@[ \t]*([A-Za-z]+)[ \t]*[{(]", re.MULTILINE)
_NOT_ENTRIES = {"comment", "string", "preamble"}
# WoS wraps long lines at ~72 characters; when the wrap falls inside an escaped brace (`\}`) the
# backslash ends one line and the brace starts the next, which bibtexparser (rightly treating
# `\}` as escaped) then reads as the end of the field. Re-joining such lines repairs the entry.
_WRAPPED_ESCAPE_RE = re.compile(r"(?<!\\)\\\r?\n[ \t]*(?=[{}])")
# Scopus does not escape '%' ("by 25%"), and LaTeX would read the rest of the line as a comment.
_BARE_PERCENT_RE = re.compile(r"(?<!\\)%")
_LATEX_HINT_RE = re.compile(r"[\\{}~]")
_EID_RE = re.compile(r"[?&]eid=(2-s2\.0-\d+)")
_CITED_BY_RE = re.compile(r"Cited by:?\s*(\d+)", re.IGNORECASE)
_PAGE_SPLIT_RE = re.compile(r"\s*(?:--|-|–|—)\s*")
_REPRINT_RE = re.compile(r"\(Corresponding Author\),\s*", re.IGNORECASE)
_LATEX = LatexNodes2Text(math_mode="verbatim")
_SIMPLE_ESCAPES = {r"\&": "&", r"\%": "%", r"\$": "$", r"\_": "_", r"\#": "#", "{[}": "["}
_SIMPLE_ESCAPE_RE = re.compile("|".join(re.escape(k) for k in _SIMPLE_ESCAPES))


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the content has an ``@type{`` entry start that is not a comment/string."""
    return any(m.group(1).lower() not in _NOT_ENTRIES for m in _ENTRY_START_RE.finditer(head))


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a BibTeX file; each entry or unparseable @-block becomes one record."""
    path = Path(path)
    text = _WRAPPED_ESCAPE_RE.sub(r"\\", read_text(path))
    library = bibtexparser.parse_string(text)
    parsed = list(_records(library.blocks))
    if not parsed:
        raise InputFormatError(path, "no BibTeX entries found (only comments, strings or blank)")
    return finalise(parsed, path=path, source=NAME, config=config)


def _records(blocks: list[Block]) -> list[ParsedRecord]:
    """One ParsedRecord per entry or failed block, in file order."""
    out: list[ParsedRecord] = []
    after_failure = False
    for block in blocks:
        if isinstance(block, Entry):
            out.append(_entry_record(block))
        elif isinstance(block, DuplicateBlockKeyBlock) and isinstance(
            block.ignore_error_block, Entry
        ):
            # A repeated citation key (e.g. two exports concatenated) is still a complete
            # record; de-duplication happens downstream, so it is read like any other entry.
            out.append(_entry_record(block.ignore_error_block))
        elif isinstance(block, ParsingFailedBlock):
            reason = _failure_reason(block)
            where = f" (line {block.start_line + 1})" if block.start_line is not None else ""
            out.append(
                ParsedRecord(None, block.raw or "", f"unparseable BibTeX entry{where}: {reason}")
            )
            after_failure = True
            continue
        elif isinstance(block, ImplicitComment) and after_failure and out:
            # The text the parser skipped after a failed entry is the rest of that entry.
            out[-1].raw += block.raw or ""
        after_failure = False
    return out


def _failure_reason(block: ParsingFailedBlock) -> str:
    if isinstance(block, DuplicateFieldKeyBlock):
        return f"the same field given twice ({', '.join(sorted(block.duplicate_keys))})"
    error = block.error
    reason = getattr(error, "abort_reason", None) or str(error).strip()
    return reason or type(error).__name__


def _entry_record(entry: Entry) -> ParsedRecord:
    raw = entry.raw or ""
    try:
        fields = _entry_fields(entry)
    except Exception as exc:  # one odd entry must not abort the file
        return ParsedRecord(None, raw, f"unreadable BibTeX entry '{entry.key}': {exc}")
    return ParsedRecord(fields, raw)


def _entry_fields(entry: Entry) -> dict[str, Any]:
    """Map one entry's fields (any flavour) onto the record fields."""
    f = {key.lower(): str(field.value) for key, field in entry.fields_dict.items()}
    url = f.get("url", "")
    is_wos = f.get("unique-id", "").strip().upper().startswith(("WOS:", "ISI:"))
    is_scopus = f.get("source", "").strip().lower() == "scopus" or "scopus.com" in url
    eid = _EID_RE.search(url)
    if is_wos:
        source_id = f["unique-id"].strip()
    elif eid:
        source_id = eid.group(1)
    else:
        source_id = f"bibtex:{entry.key.strip()}"
    authors = _authors(f.get("author", ""), keep_form=is_wos)
    return {
        "source_id": source_id,
        "doi": _text(f.get("doi")),
        "title": _text(f.get("title")),
        "abstract": _text(f.get("abstract")),
        "year": f.get("year") or f.get("earlyaccessdate") or f.get("date"),
        "venue": _text(f.get("journal") or f.get("journaltitle") or f.get("booktitle")),
        "volume": _text(f.get("volume")),
        "first_page": _first_page(f),
        "doc_type": _text(f.get("type")) or entry.entry_type,
        "language": _text(f.get("language")),
        "authors": authors,
        **_places(f, authors, is_wos),
        "author_keywords": _keywords(f, is_wos=is_wos, is_scopus=is_scopus),
        "cited_refs": _cited_refs(f),
        "times_cited": _times_cited(f),
    }


def _text(value: str | None) -> str | None:
    """LaTeX to plain text; values without LaTeX markup are returned unchanged."""
    if value is None:
        return None
    # WoS writes the txt export's straight quotes as LaTeX quotes (`x', ''x''); plain ASCII
    # quotes keep titles and abstracts identical across the two exports of the same record.
    value = value.replace("``", '"').replace("''", '"').replace("`", "'")
    if not _LATEX_HINT_RE.search(value):
        return value
    # Most values only hold WoS's few escapes; pylatexenc is slow, so it only sees the rest.
    simple = _SIMPLE_ESCAPE_RE.sub(lambda m: _SIMPLE_ESCAPES[m.group(0)], value)
    if not _LATEX_HINT_RE.search(simple):
        return simple
    return _LATEX.latex_to_text(_BARE_PERCENT_RE.sub(r"\\%", value))


def _authors(value: str, *, keep_form: bool) -> list[str]:
    """BibTeX names ("Surname, Given" or "Given Surname") as "Surname, Given" strings.

    WoS names are already "Surname, Given" (sometimes "Surname, Given, Initial", which BibTeX
    would misread as a Jr part), so with `keep_form` they are only decoded, not re-split.
    """
    names = []
    for person in split_multiple_persons_names(value) if value.strip() else []:
        person = " ".join(person.split())  # names wrap across lines
        if keep_form:
            names.append(_text(person) or "")
            continue
        parts = parse_single_name_into_parts(person, strict=False)
        last = _text(" ".join(parts.von + parts.last + parts.jr)) or ""
        first = _text(" ".join(parts.first)) or ""
        names.append(f"{last}, {first}" if last and first else last or first)
    return names


def _first_page(f: dict[str, str]) -> str | None:
    pages = (f.get("pages") or "").strip()
    if pages:
        # "29+" is WoS for "29 and following pages".
        return _PAGE_SPLIT_RE.split(pages, maxsplit=1)[0].rstrip("+") or None
    return f.get("article-number") or f.get("articleno") or f.get("eid")


def _places(f: dict[str, str], authors: list[str], is_wos: bool) -> dict[str, list[str]]:
    """Affiliation addresses and the countries they end with."""
    if is_wos and f.get("affiliation"):
        addresses = _wos_addresses(f["affiliation"], authors)
    else:
        value = f.get("affiliations") or f.get("affiliation") or ""
        addresses = [_text(a) or "" for a in re.split(r";|\n", value)]
    addresses = [a.strip().rstrip(".").strip() for a in addresses if a and a.strip()]
    return {"affiliations": addresses, "countries": countries_of_addresses(addresses)}


def _wos_addresses(value: str, authors: list[str]) -> list[str]:
    """WoS ``Affiliation`` lines without the leading author name, like the txt export's C1.

    Reprint-address lines ("Name (Corresponding Author), address") repeat C1 lines and are
    only used when the record has no other address.
    """
    lines = [_text(line.strip()) or "" for line in value.splitlines() if line.strip()]
    reprint = [line for line in lines if _REPRINT_RE.search(line)]
    plain = [line for line in lines if not _REPRINT_RE.search(line)]
    if not plain:
        return [_REPRINT_RE.split(line, maxsplit=1)[1] for line in reprint]
    if not authors:
        return plain
    # The txt export's "[A; B] address" is written "A; B, address" here.
    name = "|".join(re.escape(a) for a in sorted(set(authors), key=len, reverse=True))
    prefix = re.compile(rf"^(?:{name})(?:; (?:{name}))*, ")
    return [prefix.sub("", line, count=1) for line in plain]


def _keywords(f: dict[str, str], *, is_wos: bool, is_scopus: bool) -> list[str]:
    value = f.get("author_keywords") or f.get("author-keywords")
    if value is None and not is_scopus:  # Scopus `keywords` are index keywords
        value = f.get("keywords")
    if not value:
        return []
    separator = ";" if is_wos or ";" in value else ","
    return [_text(k) or "" for k in value.split(separator)]


def _cited_refs(f: dict[str, str]) -> list[str]:
    if f.get("cited-references"):
        # WoS ends each reference with a period that its txt export does not have.
        refs = f["cited-references"].splitlines()
        return [_text(ref.strip().removesuffix(".")) or "" for ref in refs]
    if f.get("references"):  # Scopus BibTeX, when exported with references
        return [_text(ref) or "" for ref in f["references"].split("; ")]
    return []


def _times_cited(f: dict[str, str]) -> str | None:
    if f.get("times-cited"):
        return f["times-cited"]
    match = _CITED_BY_RE.search(f.get("note", "")) if "note" in f else None
    return match.group(1) if match else None
