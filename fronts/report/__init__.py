"""The editors' report: each run rendered as HTML pages, a PDF and the figures' data.

`build_report(con, run_id, out_root)` does it all; the steps are separate so that each can be
tested alone: `load_report_data` (the only DuckDB reader), `render_report` (pure: data in,
{path: text} out), `write_report`, and `print_pdf` (headless Chromium).
"""

from fronts.report.build import build_report
from fronts.report.data import ReportData, load_report_data
from fronts.report.pdf import find_browser, print_pdf
from fronts.report.render import render_report, write_report
from fronts.store import resolve_run

__all__ = [
    "ReportData",
    "build_report",
    "find_browser",
    "load_report_data",
    "print_pdf",
    "render_report",
    "resolve_run",
    "write_report",
]
