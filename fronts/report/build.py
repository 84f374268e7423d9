"""One call from a warehouse connection to a report folder: read, render, write, print."""

from __future__ import annotations

from pathlib import Path

import duckdb

from fronts.errors import FrontsError
from fronts.report.data import load_report_data
from fronts.report.pdf import print_pdf, require_browser
from fronts.report.render import render_report, write_report
from fronts.store import resolve_run


def build_report(
    con: duckdb.DuckDBPyConnection, run_id: str, out_root: str | Path, pdf: bool = True
) -> Path:
    """Write the report of `run_id` ('latest' allowed) to `out_root/<run_id>/`; return that folder.

    With `pdf`, the browser is looked for first, so that a missing Chromium stops the command
    before any work, with the install hint; then `report.pdf` is printed from `print.html`.
    """
    run_id = resolve_run(con, run_id)
    if pdf:
        require_browser()
    data = load_report_data(con, run_id)
    folder = write_report(render_report(data, with_pdf=pdf), Path(out_root) / run_id)
    if pdf:
        try:
            print_pdf(folder / "print.html", folder / "report.pdf")
        except FrontsError as exc:
            raise FrontsError(f"the HTML report is in {folder}, but no PDF: {exc}") from exc
    return folder
