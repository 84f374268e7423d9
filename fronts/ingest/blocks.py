"""What the tagged-text readers share (Cochrane, EndNote, NoteExpress, CNKI E-Study): records as
blocks of lines that start with a known line, tag lines parsed into (tag, values), and the
Chinese platforms' legacy encoding.

Each reader gives its own start pattern and tag pattern; a line that matches no tag continues
the previous tag's value (wrapped abstracts). A record's problems (no tag at all) are reported
per record so that it can be quarantined alone.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, decode, finalise, read_bytes

_LINE_END_RE = re.compile(r"\r\n|\r|\n")
# Lists inside one value: CNKI and Wanfang separate authors and keywords with ";" (or the
# full-width "；"), sometimes "," in English records.
LIST_SEPARATOR_RE = re.compile(r"\s*[;；]\s*")


def read_text_cjk(path: Path) -> tuple[str, str | None]:
    """The file's text and, when it was not UTF-8, a note naming the encoding used.

    CNKI, Wanfang and older EndNote exports on Chinese systems are often GB18030 (a superset
    of GBK and GB2312). Bytes that are valid UTF-8 are read as UTF-8; otherwise, if they decode
    as GB18030 without error, that is used; else UTF-8 with undecodable bytes kept (their
    records are quarantined at acceptance, as for every reader)."""
    data = read_bytes(path)
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            return data.decode("gb18030"), "read as GB18030 (the file is not UTF-8)"
        except UnicodeDecodeError:
            pass
    return decode(data), None


def lines_of(text: str) -> list[str]:
    return _LINE_END_RE.split(text.lstrip("\ufeff"))


def split_blocks(lines: Iterable[str], start: re.Pattern[str]) -> tuple[list[list[str]], int]:
    """Records as line lists, each from a line matching `start` to the line before the next
    start; blank lines inside a record are dropped. Also the count of non-blank lines before
    the first record."""
    blocks: list[list[str]] = []
    current: list[str] | None = None
    stray = 0
    for line in lines:
        if start.match(line):
            if current is not None:
                blocks.append(current)
            current = [line]
        elif current is not None:
            if line.strip():
                current.append(line)
        elif line.strip():
            stray += 1
    if current is not None:
        blocks.append(current)
    return blocks, stray


def parse_tags(lines: list[str], tag: re.Pattern[str]) -> dict[str, list[str]]:
    """{tag: [value, ...]} from lines matching `tag` (groups: tag, value); other lines continue
    the previous value. Raises ValueError when a record has no tag line at all."""
    out: dict[str, list[str]] = {}
    last: str | None = None
    for line in lines:
        match = tag.match(line)
        if match:
            last = match.group(1).strip()
            out.setdefault(last, []).append(match.group(2).strip())
        elif last is not None and line.strip():
            out[last][-1] = join_wrapped(out[last][-1], line.strip())
    if not out:
        raise ValueError("no tagged line in the record")
    return out


_CJK_EDGE_RE = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")


def join_wrapped(before: str, after: str) -> str:
    """A value wrapped over two lines, joined: with a space, except between Chinese characters
    or punctuation (Chinese is written without spaces)."""
    if not before or not after:
        return before or after
    if _CJK_EDGE_RE.match(before[-1]) or _CJK_EDGE_RE.match(after[0]):
        return before + after
    return f"{before} {after}"


def first(tags: dict[str, list[str]], *names: str) -> str | None:
    """The first non-empty value of the first of `names` that has one."""
    for name in names:
        for value in tags.get(name, []):
            if value.strip():
                return value.strip()
    return None


def items(tags: dict[str, list[str]], *names: str) -> list[str]:
    """Every value of `names`, each split on ";" / "；", empty parts dropped."""
    out: list[str] = []
    for name in names:
        for value in tags.get(name, []):
            out += [p.strip() for p in LIST_SEPARATOR_RE.split(value) if p.strip()]
    return out


def starts_with(head: str, start: re.Pattern[str]) -> bool:
    """Whether the first non-empty line of `head` is a record start."""
    for line in lines_of(head):
        if line.strip():
            return bool(start.match(line.strip()))
    return False


def read_tagged(
    path: Path,
    config: IngestConfig,
    *,
    source: str,
    label: str,
    marker: str,
    start: re.Pattern[str],
    tag: re.Pattern[str],
    fields: Callable[[dict[str, list[str]]], dict[str, Any]],
) -> ReadResult:
    """Read a tagged-text export whose records each begin with a `start` line.

    Each block's tags (`tag`) become fields through `fields`; a block `fields` cannot read is
    quarantined with the reason. `label` names the format in messages ("EndNote") and
    `marker` the start line users look for ("%0 "). Lines before the first record are counted
    in a note, as is a GB18030 decoding.
    """
    path = Path(path)
    text, encoding_note = read_text_cjk(path)
    blocks, stray = split_blocks(lines_of(text), start)
    if not blocks:
        raise InputFormatError(path, f"no {label} records (no {marker!r} line) found")

    def parse(lines: list[str]) -> ParsedRecord:
        raw = "\n".join(lines)
        try:
            return ParsedRecord(fields(parse_tags(lines, tag)), raw)
        except ValueError as exc:
            return ParsedRecord(None, raw, f"unparseable {label} record: {exc}")

    result = finalise([parse(b) for b in blocks], path=path, source=source, config=config)
    result.notes += [n for n in (encoding_note,) if n]
    if stray:
        result.notes.append(f"{stray} non-empty line(s) before the first record were ignored")
    return result
