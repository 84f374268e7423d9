"""Stage `normalise`: all records into `works`, `duplicate_links`, `citations`, `stage_counts`."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from fronts.normalise import normalise_records
from fronts.stages.base import StageContext, StageResult
from fronts.store import read_table, write_tables


@dataclass(frozen=True)
class NormaliseResult(StageResult):
    records_read: int
    works: int
    merged: int
    quarantined: int


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> NormaliseResult:
    """Rebuild the works from every record of the warehouse (de-duplicated), in one transaction."""
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
    total = result.stage_counts.filter(result.stage_counts["source_file"] == "*").row(0, named=True)
    return NormaliseResult(
        total["n_read"], result.works.height, total["n_merged"], total["n_quarantined"]
    )
