"""Stage `ingest`: the export files read (`fronts.stages.inputs`) into `records`,
`quarantine` and `source_files`, in one transaction."""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from fronts.errors import FrontsError
from fronts.schemas import QUARANTINE, RECORDS, SOURCE_FILES, check_frame
from fronts.stages.base import StageContext, StageResult
from fronts.store import write_tables


@dataclass(frozen=True)
class IngestResult(StageResult):
    files_read: int
    records_read: int
    files_unchanged: int
    files_skipped: int


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> IngestResult:
    """Write the files read (`ctx.inputs`) into the warehouse, in one transaction.

    A changed file replaces its earlier records and quarantine rows; with `replace` the files
    read become the whole corpus.
    """
    plan = ctx.inputs
    if plan is None:
        raise FrontsError("the ingest stage needs inputs (read_inputs)")
    records = pl.concat([f.result.records for f in plan.files]) if plan.files else RECORDS.empty()
    quarantine = (
        pl.concat([f.result.quarantine for f in plan.files]) if plan.files else QUARANTINE.empty()
    )
    files = check_frame(
        pl.DataFrame(
            [
                {
                    "source_file": f.source_file,
                    "resolved_path": f.resolved_path,
                    "source": f.result.source,
                    "sha256": f.sha256,
                    "size_bytes": f.size_bytes,
                    "n_records": f.result.n_read,
                }
                for f in plan.files
            ],
            schema=SOURCE_FILES.schema,
        ),
        SOURCE_FILES,
    )
    frames = {"records": records, "quarantine": quarantine, "source_files": files}
    if plan.replace:
        write_tables(con, frames)
    elif plan.files:
        write_tables(con, frames, where=_replaced_files(files["resolved_path"].to_list()))
    return IngestResult(len(plan.files), plan.n_read, len(plan.unchanged), len(plan.skipped))


def _replaced_files(resolved_paths: list[str]) -> dict[str, tuple[str, list[object]]]:
    marks = ", ".join("?" for _ in resolved_paths)
    old = f"source_file IN (SELECT source_file FROM source_files WHERE resolved_path IN ({marks}))"
    # Dict order matters: records and quarantine find their old rows through source_files,
    # so source_files is replaced last within the transaction.
    return {
        "records": (old, list(resolved_paths)),
        "quarantine": (f"stage = 'ingest' AND {old}", list(resolved_paths)),
        "source_files": (f"resolved_path IN ({marks})", list(resolved_paths)),
    }
