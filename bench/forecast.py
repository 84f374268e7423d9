"""Benchmark the two-year outlook: does its 90 % interval hold next year's share?

    .venv/bin/python bench/forecast.py [--json OUT.json] [--max-works N] [CORPUS ...]

Each shared corpus (default: every folder of ../shared/corpora with at most --max-works works,
20,000 by default) is analysed by `run_pipeline` with its default window, in one warehouse
whose embedding cache serves them all. For every front, the last window year is held out: the
share model is fitted on the years before it and its one-year 90 % interval is compared with
the share observed (`fronts.scoring.forecast.holdout_coverage`). The topics themselves were
found on the whole window, so this checks the share model, not the clustering. Prints one line
per corpus and the pooled coverage; asserts nothing.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora


def _coverage(con, run_id: str) -> dict:
    from fronts.scoring.forecast import holdout_coverage

    counts = con.sql(
        "SELECT c.topic_id, c.year, c.n_works FROM topic_year_counts c JOIN fronts f "
        "ON f.run_id = c.run_id AND f.topic_id = c.topic_id WHERE c.run_id = ? "
        "ORDER BY c.topic_id, c.year",
        params=[run_id],
    ).pl()
    corpus = con.sql(
        "SELECT year, sum(n_works) AS n FROM topic_year_counts WHERE run_id = ? "
        "GROUP BY year ORDER BY year",
        params=[run_id],
    ).pl()
    years = corpus["year"].to_numpy()
    table = counts.pivot(on="year", index="topic_id", values="n_works").sort("topic_id")
    n_works = table.select([str(y) for y in years]).to_numpy().astype(np.float64)
    return holdout_coverage(years, n_works, corpus["n"].to_numpy().astype(np.float64))


def _one(db: Path, folder: Path) -> dict:
    from fronts.config import load_config
    from fronts.pipeline import run_pipeline
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.warehouse import open_warehouse

    config = load_config(None, db=db)
    t0 = time.perf_counter()
    with open_warehouse(db, command="bench/forecast.py") as warehouse:
        inputs = read_inputs(warehouse.con, [folder], config.ingest, replace=True)
        outcome = run_pipeline(warehouse, config, inputs, RunOptions(report=False))
        result = _coverage(warehouse.con, outcome.run_id)
    return {
        "corpus": folder.name,
        "window": list(outcome.window),
        "seconds": round(time.perf_counter() - t0, 1),
        **result,
    }


def main(argv: list[str]) -> None:
    import argparse

    from fronts.evaluation.harness import machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("corpora", nargs="*", type=Path, help="corpus folders")
    parser.add_argument("--json", type=Path, help="write the results JSON here")
    parser.add_argument("--max-works", type=int, default=20_000, help="skip larger corpora")
    args = parser.parse_args(argv)
    out, limit = args.json, args.max_works
    folders = args.corpora or sorted(p for p in SHARED.iterdir() if p.is_dir())
    rows, skipped = [], []
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "w.duckdb"
        for folder in folders:
            n = _size(folder)
            if n > limit:
                skipped.append({"corpus": folder.name, "works": n})
                continue
            row = _one(db, folder)
            rows.append(row)
            print(
                f"{row['corpus']}: window {row['window']}, {row['n']} fronts, coverage "
                f"{row['coverage']}, informative {row['informative']} ({row['seconds']} s)",
                flush=True,
            )
    n = sum(r["n"] for r in rows)
    pooled = {
        "n": n,
        "coverage": sum(r["covered"] for r in rows) / n if n else None,
        "informative": sum(r["informative"] * r["n"] for r in rows if r["n"]) / n if n else None,
    }
    print(f"pooled: {pooled}; skipped (over {limit:,} works): {skipped}")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "benchmark": "forecast",
            "machine": machine(),
            "level": 0.9,
            "max_works": limit,
            "corpora": rows,
            "skipped": skipped,
            "pooled": pooled,
        }
        out.write_text(json.dumps(result, indent=1), encoding="utf-8")


def _size(folder: Path) -> int:
    from fronts.config import IngestConfig
    from fronts.stages.inputs import read_inputs

    return read_inputs(None, [folder], IngestConfig()).n_read


if __name__ == "__main__":
    main(sys.argv[1:])
