"""Benchmark: read + normalise + de-duplicate a corpus, printing records/s and peak memory.

    .venv/bin/python bench/ingest.py [CORPUS_DIR_OR_FILES...] [--json OUT.json]

Default corpus: ../shared/corpora/control-quantum-wos-30k (29,947 WoS records). Target on the
2-core reference machine: under 20 s, peak RSS under 1.5 GB. Not a test: it prints numbers.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from fronts.config import RunConfig
from fronts.evaluation.harness import shared_corpora
from fronts.ingest.detect import read_file
from fronts.normalise import normalise_records
from fronts.pipeline import run_pipeline
from fronts.stages.inputs import read_inputs
from fronts.warehouse import open_warehouse

DEFAULT = shared_corpora() / "control-quantum-wos-30k"


def _files(args: list[str]) -> list[Path]:
    targets = [Path(a) for a in args] or [DEFAULT]
    files: list[Path] = []
    for target in targets:
        files += (
            sorted(p for p in target.rglob("*") if p.is_file() and p.suffix != ".md")
            if target.is_dir()
            else [target]
        )
    return files


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv: list[str]) -> None:
    import json

    import polars as pl

    from fronts.evaluation.harness import machine

    out = None
    if "--json" in argv:
        at = argv.index("--json")
        out, argv = Path(argv[at + 1]), argv[:at] + argv[at + 2 :]
    files = _files(argv)
    config = RunConfig()
    t0 = time.perf_counter()
    results = [read_file(f, config.ingest) for f in files]
    t_read = time.perf_counter() - t0
    records = pl.concat([r.records for r in results])
    quarantine = pl.concat([r.quarantine for r in results])
    n_read = records.height + quarantine.height
    t1 = time.perf_counter()
    result = normalise_records(records, quarantine)
    t_norm = time.perf_counter() - t1
    total = t_read + t_norm
    print(
        f"files: {len(files)}  records read: {n_read}  works: {result.works.height}  "
        f"merged: {result.duplicate_links.height}  quarantined: {quarantine.height}"
    )
    print(f"read      {t_read:7.2f} s  {n_read / t_read:9.0f} records/s")
    print(f"normalise {t_norm:7.2f} s  {n_read / t_norm:9.0f} records/s (dedup + citations)")
    print(f"total     {total:7.2f} s  {n_read / total:9.0f} records/s   (target < 20 s)")
    peak_read = _peak_rss_mb()
    print(f"peak RSS  {peak_read:7.0f} MB (target < 1,500 MB)")
    # The same through the warehouse, as `fronts ingest` does it (DuckDB writes included).
    with tempfile.TemporaryDirectory() as tmp, open_warehouse(Path(tmp) / "b.duckdb") as warehouse:
        t2 = time.perf_counter()
        inputs = read_inputs(warehouse.con, files, config.ingest)
        run_pipeline(warehouse, config, inputs, analyse=False)
        t_wh = time.perf_counter() - t2
    print(f"warehouse {t_wh:7.2f} s  (read + normalise + DuckDB writes, one process)")
    print(f"peak RSS  {_peak_rss_mb():7.0f} MB after the warehouse pass")
    if out:
        summary = {
            "benchmark": "ingest",
            "machine": machine(),
            "files": len(files),
            "corpus": sorted({str(f.parent) for f in files}),
            "records_read": n_read,
            "works": result.works.height,
            "merged": result.duplicate_links.height,
            "quarantined": quarantine.height,
            "read_s": round(t_read, 2),
            "normalise_s": round(t_norm, 2),
            "total_s": round(total, 2),
            "peak_mb": round(peak_read),
            "warehouse_s": round(t_wh, 2),
            "warehouse_peak_mb": round(_peak_rss_mb()),
        }
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(summary, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
