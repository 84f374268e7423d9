"""What the ingest stage writes: the export files resolved, checked and read.

Reading and writing are two steps. `read_inputs` resolves the paths (files, folders, glob
patterns), detects each file's format, parses it and checks that the inputs hold at least one
record, touching nothing; the ingest stage (`fronts.stages.ingest`) then writes what was read
in one transaction. A command therefore refuses bad inputs before the warehouse changes, and
the corpus is never replaced by nothing.

A file named on the command line must be an export; a file found by expanding a folder or a
pattern that is not an export (a README, PROVENANCE.md, notes.txt) is skipped with a one-line
warning and counted.
"""

from __future__ import annotations

import glob
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from fronts.config import IngestConfig
from fronts.errors import FrontsError, InputFormatError, UnknownFormatError, UsageError
from fronts.ingest.common import ReadResult
from fronts.ingest.detect import detect_format

_GLOB_CHARS = frozenset("*?[")


@dataclass(frozen=True)
class InputFile:
    """A file to ingest, and the folder or pattern that found it (None: named explicitly)."""

    path: Path
    found_in: str | None = None


@dataclass(frozen=True)
class FileRead:
    """One file read: where it is, its content hash and size, and what its reader made of it."""

    source_file: str
    resolved_path: str
    sha256: str
    size_bytes: int
    result: ReadResult


@dataclass(frozen=True)
class IngestPlan:
    """What `read_inputs` found: files read, files unchanged since their last ingest, and files
    skipped as non-exports ((path, why)). With `replace`, the files read become the corpus."""

    files: tuple[FileRead, ...]
    unchanged: tuple[str, ...]
    skipped: tuple[tuple[str, str], ...]
    replace: bool

    @property
    def n_read(self) -> int:
        return sum(f.result.n_read for f in self.files)

    def years(self) -> pl.Series:
        """Publication years of the accepted records read."""
        frames = [f.result.records.select("year") for f in self.files]
        return pl.concat(frames)["year"] if frames else pl.Series("year", [], dtype=pl.Int32)


def _has_glob(text: str) -> bool:
    return any(char in text for char in _GLOB_CHARS)


def _visible_files(folder: Path) -> list[Path]:
    """Every file under `folder`, sorted, except hidden ones (.DS_Store, .git/...)."""
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(folder).parts)
    )


def resolve_inputs(paths: Sequence[str | Path | InputFile]) -> list[InputFile]:
    """The files the paths stand for: a file itself, a folder every file under it, a glob
    pattern (`exports/*.txt`, `**` for subfolders) every file it matches.

    The same file reached twice is one input; an `InputFile` stands for itself. Raises
    `UsageError` for a path that does not exist and a pattern that matches nothing.
    """
    found: dict[Path, InputFile] = {}
    for given in paths:
        if isinstance(given, InputFile):  # resolved already
            found.setdefault(given.path.resolve(), given)
            continue
        text = str(given)
        path = Path(given)
        if path.is_dir():
            files = [InputFile(p, text) for p in _visible_files(path)]
        elif path.exists():
            files = [InputFile(path)]
        elif _has_glob(text):
            matches = sorted(Path(m) for m in glob.glob(text, recursive=True))
            if not matches:
                raise UsageError(f"{text}: no file matches this pattern")
            files = []
            for match in matches:
                inner = _visible_files(match) if match.is_dir() else [match]
                files += [InputFile(p, text) for p in inner]
        else:
            raise UsageError(f"{text}: no such file or folder")
        for item in files:
            found.setdefault(item.path.resolve(), item)
    return list(found.values())


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _describe(paths: Sequence[str | Path | InputFile]) -> str:
    names = [str(p.found_in or p.path if isinstance(p, InputFile) else p) for p in paths[:3]]
    if not names:
        return "the inputs"
    return ", ".join(names) + (f" and {len(paths) - 3} more" if len(paths) > 3 else "")


def read_inputs(
    con: duckdb.DuckDBPyConnection | None,
    paths: Sequence[str | Path | InputFile],
    config: IngestConfig,
    replace: bool = False,
    warn: Callable[[str], None] | None = None,
    on_file: Callable[[str, int], None] | None = None,
) -> IngestPlan:
    """Read the export files `paths` stand for (`resolve_inputs`); writes nothing.

    Without `replace`, a file the warehouse (`con`) already holds with the same content is not
    read again. A non-export found in a folder or by a pattern is skipped and `warn(line)` is
    called; a non-export named explicitly raises `InputFormatError`. Raises `FrontsError` when
    the inputs hold no export or no record at all. `on_file(path, n_records)` reports progress.
    """
    inputs = resolve_inputs(paths)
    known: dict[str, str] = {}
    if con is not None and not replace:
        rows = con.execute("SELECT resolved_path, sha256 FROM source_files").fetchall()
        known = {path: sha for path, sha in rows}
    read: list[FileRead] = []
    unchanged: list[str] = []
    skipped: list[tuple[str, str]] = []
    for item in inputs:
        path = item.path
        resolved = str(path.resolve())
        sha = _sha256(path)
        if known.get(resolved) == sha:
            unchanged.append(str(path))
            if on_file:
                on_file(str(path), 0)
            continue
        try:
            reader = detect_format(path, config)
        except InputFormatError as exc:
            if item.found_in is None:
                raise
            why = (
                "not a known export format" if isinstance(exc, UnknownFormatError) else exc.problem
            )
            skipped.append((str(path), why))
            if warn:
                warn(f"skipped {path} (found in {item.found_in}): {why}")
            continue
        result = reader.read(path, config)
        read.append(FileRead(str(path), resolved, sha, path.stat().st_size, result))
        if on_file:
            on_file(str(path), result.n_read)
    plan = IngestPlan(tuple(read), tuple(unchanged), tuple(skipped), replace)
    if not read and not unchanged:
        why = f" ({len(skipped)} non-export file(s) skipped)" if skipped else ""
        raise FrontsError(f"no export file in {_describe(paths)}{why}; the warehouse is unchanged")
    if plan.n_read == 0 and not unchanged:
        raise FrontsError(
            f"no record could be read from {_describe(paths)}; the warehouse is unchanged"
        )
    return plan
