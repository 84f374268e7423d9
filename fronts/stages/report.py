"""Stage `report`: render the run as `reports/<run_id>/` (HTML, the figures' data, the PDF).

Reads tables only (the score stage computed everything it shows) and writes files, no tables.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from fronts.stages.base import StageContext, StageResult


@dataclass(frozen=True)
class ReportResult(StageResult):
    folder: str
    pdf: bool


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> ReportResult:
    """Render the run's report; the PDF only with the `pdf` option (it needs Chromium)."""
    from fronts.report import build_report

    run_info = ctx.require_run()
    folder = build_report(con, run_info.run_id, ctx.config.reports, pdf=ctx.options.pdf)
    return ReportResult(str(folder), ctx.options.pdf)
