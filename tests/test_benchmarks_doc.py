"""docs/benchmarks.md is the rendering of bench/results/*.json, and the renderer's formats."""

from __future__ import annotations

import importlib.util
import json
import math
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _report_module():
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_docs_benchmarks_md_is_rendered_from_the_stored_results():
    report = _report_module()
    rendered = report.render()
    committed = (ROOT / "docs" / "benchmarks.md").read_text(encoding="utf-8")
    assert rendered == committed, "run `make benchmarks-doc` after changing bench/results"


def test_every_results_file_is_strict_json():
    for path in sorted((ROOT / "bench" / "results").glob("*.json")):
        json.loads(path.read_text(encoding="utf-8"), parse_constant=lambda c: 1 / 0)


def test_number_formats():
    report = _report_module()
    assert report.num(1234) == "1,234" and report.num(0.5) == "0.50"
    assert report.num(-0.126, 2, signed=True) == "-0.13" and report.num(3, signed=True) == "+3"
    assert report.num(None) == "–" and report.num(math.nan) == "–" and report.num(True) == "yes"
    assert report.pct(0.0833, 1) == "8.3 %" and report.pct(None) == "–"
    assert report.interval(0.2, -0.1, 0.5) == "+0.20 [-0.10, +0.50]"
    assert report.interval(None, 0, 1) == "–"


def test_missing_results_render_as_not_measured(tmp_path):
    page = _report_module().render(tmp_path)
    assert page.startswith("# Benchmarks") and "## Planted-fronts benchmark" in page
    assert "### Results: control-bci-eeg-wos" not in page
