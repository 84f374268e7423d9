"""The task force's tools: `fronts deploy`, `backtest`, `fetch` and `bench`."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
from pathlib import Path

from fronts.cli.common import command_line, read_inputs_shown, show_progress
from fronts.errors import UsageError


def cmd_deploy(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.orchestration import FLOW_NAME, check_cron, serve_yearly
    from fronts.stages.inputs import resolve_inputs

    config = load_config(args.config, db=args.db)
    check_cron(args.cron)
    if not os.environ.get("PREFECT_API_URL"):
        raise UsageError(
            "a schedule needs a Prefect server: start one (`prefect server start`) and set "
            "PREFECT_API_URL=http://127.0.0.1:4200/api"
        )
    paths = [str(Path(p).resolve()) for p in args.paths]
    resolve_inputs(paths)  # a missing path is refused now, not at the first scheduled run
    # The served process may run elsewhere than here: every path absolute.
    config = config.model_copy(
        update={"db": config.db.resolve(), "reports": config.reports.resolve()}
    )
    parameters = {
        "config": json.loads(config.model_dump_json()),
        "paths": paths or None,
        "replace": bool(paths),
        "pdf": not args.no_pdf,
    }
    print(f"deployment {FLOW_NAME}/{args.name}: schedule {args.cron!r}; serving (Ctrl-C stops)")
    serve_yearly(args.name, args.cron, parameters, verbose=args.verbose)
    return 0


def cmd_backtest(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from fronts.config import load_config
    from fronts.evaluation import backtest as bt
    from fronts.evaluation.backtest_run import format_backtest, run_backtest
    from fronts.evaluation.harness import machine
    from fronts.pipeline import run_pipeline
    from fronts.warehouse import open_warehouse

    prereg = Path(args.prereg or bt.DEFAULT_PREREGISTRATION)
    reg = bt.load_preregistration(prereg)
    corpus = Path(args.paths[0]).name if len(args.paths or []) == 1 else None
    if corpus in reg.corpora:  # the protocol's own cutoffs for this corpus: not a deviation
        reg = dataclasses.replace(reg, cutoffs=reg.corpora[corpus])
        print(f"corpus {corpus}: the protocol's cutoffs {list(reg.cutoffs)}")
    changes = {"cutoffs": args.cutoffs, "horizon": args.horizon, "k": args.k}
    changes = {key: (tuple(v) if key == "cutoffs" else v) for key, v in changes.items() if v}
    deviates = {key: v for key, v in changes.items() if getattr(reg, key) != v}
    if args.k:  # a fixed k replaces the protocol's k rule
        deviates["k"] = args.k
        reg = dataclasses.replace(reg, k_share=None, k_min=1)
    reg = dataclasses.replace(reg, **deviates)
    config = bt.backtest_config(load_config(args.config, db=args.db), reg)
    print(f"pre-registration {reg.path}: sha256 {reg.sha256}")
    if deviates:
        print(f"note: deviates from the pre-registration: {deviates}", file=sys.stderr)
    with open_warehouse(config.db, command=command_line(args)) as warehouse:
        if args.paths:
            inputs = read_inputs_shown(args, warehouse.con, args.paths, config, True)
            run_pipeline(warehouse, config, inputs, analyse=False)
        result = run_backtest(warehouse.con, config, reg, progress=show_progress(args))
    print(format_backtest(result))
    payload = {
        **result.to_json(),
        "deviations": {k: list(v) if isinstance(v, tuple) else v for k, v in deviates.items()},
        "machine": machine(),
    }
    args.out.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    print(f"results: {args.out}")
    return 0


def cmd_fetch(args: argparse.Namespace) -> int:
    import httpx
    from tqdm import tqdm

    from fronts.fetch import FetchQuery, fetch_openalex, state_path

    if not (args.search or args.filter):
        raise UsageError("give --search TEXT or --filter FILTER (or both)")
    if args.max_works is not None and args.max_works < 1:
        raise UsageError("--max must be at least 1")
    query = FetchQuery(
        args.search,
        args.filter,
        args.year_from,
        args.year_to,
        args.email,
        args.max_works,
        args.api_url,
    )
    bar = tqdm(unit="works", disable=not show_progress(args), file=sys.stderr)

    def progress(written: int, total: int | None) -> None:
        bar.total = total
        bar.n = written
        bar.refresh()

    headers = {"User-Agent": f"fronts (mailto:{args.email})" if args.email else "fronts"}
    with httpx.Client(timeout=60.0, headers=headers, follow_redirects=True) as client:
        try:
            result = fetch_openalex(query, args.out, client, args.retries, progress=progress)
        finally:
            bar.close()
    how = "resumed; " if result.resumed else ""
    print(
        f"{how}{result.new:,} new work(s), {result.written:,} in {args.out} "
        f"({result.pages} page(s), {result.retries} retried request(s))"
    )
    if not result.done:
        print(f"stopped at --max; rerun with a larger --max to go on ({state_path(args.out)})")
    return 0


def cmd_bench(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.evaluation.harness import default_sources, shared_corpora

    shared = shared_corpora()
    sources = list(args.sources or default_sources(shared))
    if not sources:
        raise UsageError(f"no --sources given and none found in {shared}")
    # Its own warehouse by default: the benchmark replaces the corpus of the one it uses.
    config = load_config(args.config, db=args.db or args.out / "warehouse.duckdb")
    if args.bench == "lineage":
        from fronts.evaluation.lineage_bench import format_lineage, run_lineage_benchmark

        result = run_lineage_benchmark(sources, args.out, config, args.scenarios)
        print(format_lineage(result))
        name = "lineage.json"
    else:
        from fronts.evaluation.harness import format_table, run_planted_benchmark

        result = run_planted_benchmark(
            args.sizes,
            sources,
            args.out,
            args.seeds,
            0.8,
            args.subsamples,
            config,
            reference_signal=args.reference_signal,
        )
        print(format_table(result))
        name = "planted.json"
    print(f"results: {args.out / name}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.out / name, args.json)
        print(f"copied to {args.json}")
    return 0
