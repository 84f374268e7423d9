"""The editors' report: each run rendered as HTML pages, a PDF and the figures' data.

`build_report(con, run_id, out_root)` does it all; the steps are separate so that each can be
tested alone: `load_report_data` (the only DuckDB reader), `render_report` (pure: data in,
{path: text} out), `write_report`, and `print_pdf` (headless Chromium). The names are loaded on
first use, so that `from fronts.report import find_browser` stays quick.
"""

from __future__ import annotations

import importlib
from typing import Any

_EXPORTS = {
    "ReportData": "fronts.report.data",
    "build_report": "fronts.report.build",
    "find_browser": "fronts.report.pdf",
    "load_report_data": "fronts.report.data",
    "print_pdf": "fronts.report.pdf",
    "render_report": "fronts.report.render",
    "require_browser": "fronts.report.pdf",
    "write_report": "fronts.report.render",
}
__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    if name not in _EXPORTS:
        raise AttributeError(f"module 'fronts.report' has no attribute {name!r}")
    return getattr(importlib.import_module(_EXPORTS[name]), name)
