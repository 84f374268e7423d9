"""Corpus stages: ingest exports into `records`; normalise them into `works` and `citations`."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import polars as pl

from fronts.config import RunConfig
from fronts.ingest.detect import expand_paths, read_file
from fronts.normalise import normalise_records
from fronts.schemas import QUARANTINE, RECORDS, SOURCE_FILES, check_frame
from fronts.store import read_table, write_tables


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass
class IngestOutcome:
    """What an ingest call did to the warehouse."""

    read_files: list[str] = field(default_factory=list)
    unchanged_files: list[str] = field(default_factory=list)
    n_read: int = 0


def ingest_files(
    con: duckdb.DuckDBPyConnection,
    paths: Sequence[str | Path],
    config: RunConfig,
    replace: bool = False,
    on_file: Callable[[str, int], None] | None = None,
) -> IngestOutcome:
    """Read export files into `records`, `quarantine` and `source_files` (one transaction).

    A file already in the warehouse with the same content is skipped; a changed file replaces
    its earlier records. With `replace`, the warehouse's corpus becomes exactly `paths`.
    `on_file(path, n_records)` is called after each file (progress reporting). A folder stands
    for every export file under it (`expand_paths`).
    """
    paths = expand_paths(paths)
    outcome = IngestOutcome()
    known = {
        row[0]: row[1]
        for row in con.execute("SELECT resolved_path, sha256 FROM source_files").fetchall()
    }
    seen: set[str] = set()
    new_records, new_quarantine, new_files = [], [], []
    for given in paths:
        path = Path(given)
        resolved = str(path.resolve())
        if resolved in seen:  # the same path twice on one command line is one file
            continue
        seen.add(resolved)
        sha = _sha256(path) if path.is_file() else ""
        if not replace and known.get(resolved) == sha:
            outcome.unchanged_files.append(str(path))
            if on_file:
                on_file(str(path), 0)
            continue
        result = read_file(path, config.ingest)
        new_records.append(result.records)
        new_quarantine.append(result.quarantine)
        new_files.append(
            {
                "source_file": str(path),
                "resolved_path": resolved,
                "source": result.source,
                "sha256": sha,
                "size_bytes": path.stat().st_size,
                "n_records": result.n_read,
            }
        )
        outcome.read_files.append(str(path))
        outcome.n_read += result.n_read
        if on_file:
            on_file(str(path), result.n_read)
    if not new_files and not replace:
        return outcome
    records = pl.concat(new_records) if new_records else RECORDS.empty()
    quarantine = pl.concat(new_quarantine) if new_quarantine else QUARANTINE.empty()
    files = check_frame(pl.DataFrame(new_files, schema=SOURCE_FILES.schema), SOURCE_FILES)
    if replace:
        write_tables(con, {"records": records, "quarantine": quarantine, "source_files": files})
        return outcome
    resolved_paths = files["resolved_path"].to_list()
    marks = ", ".join("?" for _ in resolved_paths)
    old_files = (
        f"source_file IN (SELECT source_file FROM source_files WHERE resolved_path IN ({marks}))"
    )
    # Dict order matters: records and quarantine find their old rows through source_files,
    # so source_files is replaced last within the transaction.
    write_tables(
        con,
        {"records": records, "quarantine": quarantine, "source_files": files},
        where={
            "records": (old_files, resolved_paths),
            "quarantine": (f"stage = 'ingest' AND {old_files}", resolved_paths),
            "source_files": (f"resolved_path IN ({marks})", resolved_paths),
        },
    )
    return outcome


def normalise_stage(con: duckdb.DuckDBPyConnection) -> None:
    """Rebuild `works`, `duplicate_links`, `citations` and `stage_counts` from all records."""
    records = read_table(con, "records")
    quarantine = read_table(con, "quarantine", where="stage = 'ingest'")
    result = normalise_records(records, quarantine)
    write_tables(
        con,
        {
            "works": result.works,
            "duplicate_links": result.duplicate_links,
            "citations": result.citations,
            "stage_counts": result.stage_counts,
        },
        where={"stage_counts": ("stage = ?", ["ingest"])},
    )


def corpus_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Per source format and in total: the accounting plus coverage of the accepted records."""
    return con.sql(
        """
        WITH counts AS (
            SELECT source, count(*) AS files, sum(n_read) AS n_read,
                   sum(n_accepted) AS accepted, sum(n_merged) AS merged,
                   sum(n_quarantined) AS quarantined
            FROM stage_counts WHERE stage = 'ingest' AND source_file <> '*' GROUP BY source
        ), coverage AS (
            SELECT source, min(year) AS year_min, max(year) AS year_max,
                   avg((abstract IS NOT NULL)::INT) AS share_abstract,
                   avg((len(cited_refs) > 0)::INT) AS share_references,
                   sum(times_cited) AS times_cited
            FROM records GROUP BY source
        )
        SELECT c.source, c.files, c.n_read, c.accepted, c.merged, c.quarantined,
               v.year_min, v.year_max, v.share_abstract, v.share_references, v.times_cited
        FROM counts c LEFT JOIN coverage v USING (source)
        ORDER BY c.source
        """
    ).pl()
