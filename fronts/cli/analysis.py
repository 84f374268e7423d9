"""The analysis commands: `fronts ingest`, `run`, `show`, `runs` and `report`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from fronts.cli.common import (
    command_line,
    input_paths,
    print_json,
    read_inputs_shown,
    show_progress,
)
from fronts.errors import UsageError


def cmd_ingest(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.pipeline import run_pipeline
    from fronts.summary import format_ingest_summary
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    paths = input_paths(args, config.ingest.paths)
    if not paths:
        raise UsageError("no files given (pass paths, --sample, or ingest.paths in --config)")
    with open_warehouse(config.db, command=command_line(args)) as warehouse:
        inputs = read_inputs_shown(args, warehouse.con, paths, config, args.replace)
        run_pipeline(warehouse, config, inputs, analyse=False)
        print(format_ingest_summary(warehouse.con, inputs))
    print(f"warehouse: {config.db}")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.report import find_browser
    from fronts.runs import check_corpus
    from fronts.stages.base import RunOptions
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db, window=args.window, seed=args.seed)
    paths = input_paths(args, config.ingest.paths)
    pdf = not args.no_pdf and not args.no_report and find_browser() is not None
    if not args.no_report and not args.no_pdf and not pdf:
        print(
            "fronts run: note: no Chromium found, so the report is HTML only "
            "(apt-get install chromium for the PDF)",
            file=sys.stderr,
        )
    options = RunOptions(
        progress=show_progress(args), report=not args.no_report, pdf=pdf, previous=args.previous
    )
    with open_warehouse(config.db, command=command_line(args)) as warehouse:
        inputs = (
            read_inputs_shown(args, warehouse.con, paths, config, not args.keep) if paths else None
        )
        # Refuse a corpus with no work in the window before anything is written.
        new_years = inputs.years().to_list() if inputs is not None else None
        check_corpus(warehouse.con, new_years, inputs is not None and inputs.replace, config.window)
        outcome = _run_pipeline(args, warehouse, config, inputs, options)
        _print_run(warehouse, config, outcome)
    return 0


def _run_pipeline(args, warehouse, config, inputs, options):
    from fronts.pipeline import run_pipeline

    if args.no_prefect:
        return run_pipeline(warehouse, config, inputs, options)
    from fronts.orchestration import prefect_environment

    prefect_environment(verbose=args.verbose)
    from fronts.orchestration import prefect_task, run_as_flow

    return run_as_flow(
        lambda: run_pipeline(warehouse, config, inputs, options, executor=prefect_task)
    )


def _print_run(warehouse, config, outcome) -> None:
    from fronts.store import fetch_one
    from fronts.summary import format_fronts

    print(format_fronts(warehouse.con, outcome.run_id))
    topics = outcome.stages["topics"]
    embed = outcome.stages["embed"]
    earlier = (
        f", {embed.n_earlier_attempt} of them by an earlier attempt of this run"
        if embed.n_earlier_attempt
        else ""
    )
    print(
        f"\nembedded {embed.n_embedded} new text(s) of {embed.n_texts} with "
        f"{config.embed.backend} ({embed.n_texts - embed.n_embedded} from the cache{earlier}; "
        f"{embed.n_title_only} on the title only); {topics.n_topics} topics; "
        f"unassigned works {topics.outlier_share_clustered:.0%} after clustering, "
        f"{topics.outlier_share:.0%} after the outlier policy"
    )
    if topics.clustering_note:
        print(f"clustered on {topics.clustering_note}")
    lineage = outcome.stages["lineage"]
    if lineage.previous_run_id:
        print(
            f"since run {lineage.previous_run_id}: {lineage.continued} continued, "
            f"{lineage.born} born, {lineage.split} from splits, {lineage.merged} from merges, "
            f"{lineage.faded} faded"
        )
    if "report" in outcome.stages:
        folder = Path(outcome.stages["report"].folder)
        pdf_note = f" and {folder / 'report.pdf'}" if outcome.stages["report"].pdf else ""
        print(f"\nreport: {folder / 'index.html'}{pdf_note}")
    note, n_excluded = fetch_one(
        warehouse.con,
        "SELECT incomplete_note, n_excluded FROM runs WHERE run_id = ?",
        [outcome.run_id],
    ) or (None, None)
    if n_excluded:
        print(
            f"\nset aside as not research (editorials, errata, indexes, front matter): "
            f"{n_excluded} work(s), listed in the table run_excluded"
        )
    if note:
        print(f"\nwindow: {note}")
    print(
        f"\nrun {outcome.run_id} ({outcome.window[0]}-{outcome.window[1]}); results in "
        f"{config.db} (tables fronts, topic_scores, topics, doc_topics); "
        f"`fronts show --db {config.db}` prints this ranking again"
    )


def cmd_show(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.published import published_fronts
    from fronts.store import resolve_run
    from fronts.summary import format_fronts
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    with open_warehouse(config.db, read_only=True) as warehouse:
        run_id = resolve_run(warehouse.con, args.run)
        if args.json:
            print_json(published_fronts(warehouse.con, run_id).to_dicts())
        else:
            print(format_fronts(warehouse.con, run_id))
    return 0


def cmd_runs(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.published import run_registry
    from fronts.summary import format_runs
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    with open_warehouse(config.db, read_only=True) as warehouse:
        runs = run_registry(warehouse.con)
    if args.json:
        print_json(
            [
                {
                    "run_id": r["run_id"],
                    "created": r["created"].isoformat() if r["created"] else None,
                    "finished": r["finished"].isoformat() if r["finished"] else None,
                    "window": [r["window_start"], r["window_end"]],
                    "works": r["works"],
                    "fronts": r["fronts"],
                    "status": r["status"],
                    "previous_run_id": r["previous_run_id"],
                    "attempts": r["attempts"],
                    "error": r["error"],
                }
                for r in runs.iter_rows(named=True)
            ]
        )
    else:
        print(format_runs(runs))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.report import build_report, require_browser
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db, reports=args.out)
    if not args.no_pdf:
        require_browser()
    with open_warehouse(config.db, command=command_line(args)) as warehouse:
        folder = build_report(warehouse.con, args.run, config.reports, pdf=not args.no_pdf)
    print(f"report: {folder / 'index.html'}")
    if not args.no_pdf:
        print(f"pdf:    {folder / 'report.pdf'}")
    return 0
