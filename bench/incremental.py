"""Benchmark next year's run: a corpus grown from about 30k to 40k works reuses this year's vectors.

    .venv/bin/python bench/incremental.py [--json OUT.json]

Year 1 analyses ../shared/corpora/control-quantum-wos-30k; year 2 adds the
control-bci-eeg-wos exports (about 9,500 works) to the same warehouse and runs again, linked to
year 1. Both windows are 1990-2026 so that every work is analysed. Per run: wall time per stage,
texts embedded, and the lineage events; the point is that year 2 embeds only the works year 1
had not seen. Stages run through `run_pipeline` without Prefect. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora
YEAR_1 = [SHARED / "control-quantum-wos-30k" / "raw"]
YEAR_2 = [SHARED / "control-bci-eeg-wos" / "raw"]
WINDOW = [1990, 2026]


def _run(db: Path, files: list[Path], replace: bool) -> dict:
    from fronts.config import load_config
    from fronts.pipeline import run_pipeline
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.warehouse import open_warehouse

    config = load_config(None, db=db, window=WINDOW)
    seconds: dict[str, float] = {}

    def timed(stage, work):
        t0 = time.perf_counter()
        result = work()
        seconds[stage.name] = round(time.perf_counter() - t0, 1)
        return result

    t0 = time.perf_counter()
    with open_warehouse(db, command="bench/incremental.py") as warehouse:
        inputs = read_inputs(warehouse.con, files, config.ingest, replace)
        seconds["read"] = round(time.perf_counter() - t0, 1)
        outcome = run_pipeline(warehouse, config, inputs, RunOptions(report=False), executor=timed)
    return {
        "run_id": outcome.run_id,
        "total_s": round(time.perf_counter() - t0, 1),
        "stages_s": seconds,
        "embed": outcome.stages["embed"].summary(),
        "topics": outcome.stages["topics"].summary(),
        "lineage": outcome.stages["lineage"].summary(),
    }


def main(argv: list[str]) -> None:
    from fronts.evaluation.harness import machine

    out = Path(argv[argv.index("--json") + 1]) if "--json" in argv else None
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        first = _run(db, YEAR_1, replace=True)
        second = _run(db, YEAR_2, replace=False)
    for name, r in (("year 1", first), ("year 2", second)):
        e = r["embed"]
        print(
            f"{name}: {e['n_texts']:,} works, embedded {e['n_embedded']:,} new texts; "
            f"{r['topics']['n_topics']} topics; {r['total_s']} s (stages {r['stages_s']})"
        )
    print(f"lineage of year 2: {second['lineage']}")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "benchmark": "incremental",
            "machine": machine(),
            "year_1": first,
            "year_2": second,
        }
        out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
