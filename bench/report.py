"""Render docs/benchmarks.md from the measured results in bench/results/*.json.

    .venv/bin/python bench/report.py > docs/benchmarks.md

`make benchmarks` measures everything anew and calls this; `make benchmarks-doc` only renders.
The page's numbers all come from the JSON files (written by bench/ingest.py, bench/run.py,
bench/errors.py, `fronts bench planted --json` and `fronts backtest --out`); the prose around
them is bench/benchmarks.md.jinja2. A test renders the page and compares it with the committed
one, so the page cannot drift from its results.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import jinja2

HERE = Path(__file__).resolve().parent
RESULTS = HERE / "results"
FILES = {
    "ingest": "ingest.json",
    "run": "run.json",
    "planted": "planted.json",
    "planted_large": "planted-large.json",
    "backtest": "backtest-bci.json",
    "errors": "errors.json",
    "lineage": "lineage.json",
    "incremental": "incremental.json",
    "planted_grain": "planted-grain.json",
    "grain": "grain.json",
    "forecast": "forecast.json",
    "planted_refs_text": "planted-refs-text.json",
    "planted_refs_hybrid": "planted-refs-hybrid.json",
    "v3_bci_text": "backtest-v3-bci-text.json",
    "v3_bci_hybrid": "backtest-v3-bci-hybrid.json",
    "v3_aimed_text": "backtest-v3-aimed-text.json",
    "v3_aimed_hybrid": "backtest-v3-aimed-hybrid.json",
    "backends": "backends.json",
    "gate_torch": "backends-planted-torch.json",
    "gate_onnx": "backends-planted-onnx.json",
    "gate_int8": "backends-planted-onnx-int8.json",
    "int8_selective": "int8-selective.json",
    "topics_stage": "topics-stage.json",
    "scale": "scale-60k.json",
    "scale_default": "scale-60k-default.json",
    "scale_baseline": "scale-baseline-60k.json",
    "run13": "run-issue13.json",
    "run13_default": "run-issue13-default.json",
}


def num(value: Any, digits: int = 2, signed: bool = False) -> str:
    """A number for a table: fixed digits, thousands separators, '–' for missing or NaN."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:+,}" if signed else f"{value:,}"
    return f"{value:+,.{digits}f}" if signed else f"{value:,.{digits}f}"


def pct(value: Any, digits: int = 0) -> str:
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return f"{100 * value:.{digits}f} %"


def interval(value: Any, low: Any, high: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    return f"{num(value, digits, True)} [{num(low, digits, True)}, {num(high, digits, True)}]"


# The corpus of each v3 backtest results file (its file name says it; the JSON does not).
V3_CORPORA = {"bci": "control-bci-eeg-wos", "aimed": "control-ai-medical-diagnosis-wos"}


def load(results: Path = RESULTS) -> dict[str, Any]:
    """Every results file that exists, by name (a missing one renders as 'not measured')."""
    out: dict[str, Any] = {}
    for key, name in FILES.items():
        path = results / name
        out[key] = json.loads(path.read_text(encoding="utf-8")) if path.exists() else None
        if out[key] is not None and key.startswith("v3_"):
            out[key]["corpus_name"] = V3_CORPORA[key.split("_")[1]]
    return out


def render(results: Path = RESULTS) -> str:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(HERE),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,  # Markdown, from our own numbers
    )
    env.filters.update(num=num, pct=pct)
    env.globals.update(interval=interval, max=max, min=min, sum=sum, len=len, sorted=sorted)
    return env.get_template("benchmarks.md.jinja2").render(**load(results))


if __name__ == "__main__":
    sys.stdout.write(render())
