"""The `fronts` command line. `main(argv)` is a plain function so tests can call it in-process."""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

from fronts.errors import FrontsError


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="DuckDB warehouse (default: data/fronts.duckdb)")
    parser.add_argument("--config", type=Path, help="TOML configuration file")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="fronts", description="Ranked, explained research fronts from publication exports."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ingest = sub.add_parser(
        "ingest",
        help="read exports (WoS, Scopus, OpenAlex, BibTeX, RIS, CSV/Parquet) into the warehouse",
    )
    ingest.add_argument(
        "paths", nargs="*", type=Path, help="export files or folders (default: config paths)"
    )
    ingest.add_argument(
        "--replace", action="store_true", help="make these files the whole corpus (drop others)"
    )
    ingest.add_argument("--sample", action="store_true", help="ingest the embedded sample corpus")
    ingest.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_common(ingest)

    run = sub.add_parser("run", help="the whole analysis: ingest, embed, topics, score, rank")
    run.add_argument("paths", nargs="*", type=Path, help="export files or folders (any format)")
    run.add_argument("--sample", action="store_true", help="use the embedded sample corpus")
    run.add_argument(
        "--keep",
        action="store_true",
        help="add PATHs to the warehouse's corpus instead of making them the whole corpus",
    )
    run.add_argument("--window", type=_window, help="analysis window, e.g. 2019-2024")
    run.add_argument("--seed", type=int, help="seed of every random step")
    run.add_argument("--no-progress", action="store_true", help="no progress bars")
    run.add_argument("--no-report", action="store_true", help="skip the HTML/PDF report")
    run.add_argument("--no-pdf", action="store_true", help="HTML report only (no Chromium)")
    _add_common(run)

    report = sub.add_parser("report", help="render a run as HTML pages, a PDF and the data")
    report.add_argument("--run", default="latest", help="run id (default: the latest completed)")
    report.add_argument("--out", type=Path, help="reports folder (default: reports/)")
    report.add_argument("--no-pdf", action="store_true", help="HTML only (no Chromium needed)")
    _add_common(report)

    show = sub.add_parser("show", help="print the ranked fronts of a run")
    show.add_argument("--run", default="latest", help="run id (default: the latest completed)")
    _add_common(show)

    backtest = sub.add_parser(
        "backtest", help="rank fronts at past cutoffs and score them on the growth that followed"
    )
    backtest.add_argument(
        "paths", nargs="*", type=Path, help="export files or folders (default: the warehouse)"
    )
    backtest.add_argument(
        "--prereg", type=Path, help="frozen protocol (default: bench/preregistration-v2.toml)"
    )
    backtest.add_argument("--cutoffs", type=_years, help="override: cutoff years, e.g. 2019,2020")
    backtest.add_argument("--horizon", type=int, help="override: years of realised growth")
    backtest.add_argument("--k", type=int, help="override: k of precision@k")
    backtest.add_argument("--out", type=Path, default=Path("backtest.json"), help="results JSON")
    backtest.add_argument("--no-progress", action="store_true", help="no progress bar")
    _add_common(backtest)

    bench = sub.add_parser("bench", help="benchmarks of the pipeline itself")
    planted = bench.add_subparsers(dest="bench", required=True).add_parser(
        "planted", help="plant known fronts in real abstracts, run, and score the recovery"
    )
    planted.add_argument("--sizes", type=_years, default=[1000, 5000], help="e.g. 1000,5000")
    planted.add_argument("--sources", nargs="+", type=Path, help="export files or folders")
    planted.add_argument("--seeds", type=int, default=5, help="topic fits with other seeds")
    planted.add_argument("--subsamples", type=int, default=5, help="fits on 80%% subsamples")
    planted.add_argument("--out", type=Path, default=Path("bench/out/planted"), help="folder")
    planted.add_argument("--json", type=Path, help="also write the results JSON here")
    _add_common(planted)
    return parser


def _years(text: str) -> list[int]:
    try:
        return [int(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected years like 2019,2020; got {text!r}") from None


def _window(text: str) -> list[int]:
    try:
        first, last = (int(part) for part in text.split("-"))
    except ValueError:
        message = f"expected FIRST-LAST, e.g. 2019-2024; got {text!r}"
        raise argparse.ArgumentTypeError(message) from None
    return [first, last]


def _cmd_ingest(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from fronts.config import load_config
    from fronts.ingest.detect import expand_paths
    from fronts.sample import sample_paths
    from fronts.stages.corpus import ingest_files, normalise_stage
    from fronts.store import connect
    from fronts.summary import format_ingest_summary

    config = load_config(args.config, db=args.db)
    paths = list(args.paths) or list(config.ingest.paths)
    if args.sample:
        paths += sample_paths()
    if not paths:
        print("fronts ingest: no files given (pass paths, --sample, or ingest.paths in --config)")
        return 2
    con = connect(config.db)
    total = len(expand_paths(paths))
    bar = tqdm(total=total, unit="file", disable=args.no_progress, file=sys.stderr)

    def on_file(path: str, n_records: int) -> None:
        bar.set_postfix_str(f"{Path(path).name}: {n_records} records", refresh=False)
        bar.update(1)

    outcome = ingest_files(con, paths, config, replace=args.replace, on_file=on_file)
    bar.close()
    normalise_stage(con)
    print(format_ingest_summary(con, outcome))
    print(f"warehouse: {config.db}")
    con.close()
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.sample import sample_paths
    from fronts.summary import format_fronts

    config = load_config(args.config, db=args.db, window=args.window, seed=args.seed)
    paths = list(args.paths) or list(config.ingest.paths)
    if args.sample:
        paths += sample_paths()
    from flows.research_fronts import research_fronts
    from fronts.report import find_browser

    pdf = not args.no_pdf and find_browser() is not None
    if not args.no_report and not args.no_pdf and not pdf:
        print(
            "note: no Chromium found, so the report is HTML only "
            "(apt-get install chromium for the PDF)",
            file=sys.stderr,
        )
    outcome = research_fronts(
        config,
        paths=paths,
        replace=bool(paths) and not args.keep,
        progress=not args.no_progress,
        report=not args.no_report,
        pdf=pdf,
    )
    from fronts.store import connect

    con = connect(config.db, read_only=True)
    print(format_fronts(con, outcome.run_id))
    con.close()
    topics = outcome.stages["topics"]
    embed = outcome.stages["embed"]
    print(
        f"\nembedded {embed['n_embedded']} new text(s) of {embed['n_texts']} "
        f"({embed['n_title_only']} on the title only); {topics['n_topics']} topics; "
        f"unassigned works {topics['outlier_share_clustered']:.0%} after clustering, "
        f"{topics['outlier_share']:.0%} after the outlier policy"
    )
    if "report" in outcome.stages:
        folder = Path(outcome.stages["report"]["folder"])
        pdf_note = f" and {folder / 'report.pdf'}" if outcome.stages["report"]["pdf"] else ""
        print(f"\nreport: {folder / 'index.html'}{pdf_note}")
    print(
        f"\nrun {outcome.run_id} ({outcome.window[0]}-{outcome.window[1]}); results in "
        f"{config.db} (tables fronts, topic_scores, topics, doc_topics); "
        f"`fronts show --db {config.db}` prints this ranking again"
    )
    return 0


def _cmd_show(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.store import connect, resolve_run
    from fronts.summary import format_fronts

    config = load_config(args.config, db=args.db)
    con = connect(config.db, read_only=True)
    print(format_fronts(con, resolve_run(con, args.run)))
    con.close()
    return 0


def _cmd_report(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.report import build_report
    from fronts.store import connect

    config = load_config(args.config, db=args.db, reports=args.out)
    con = connect(config.db, read_only=True)
    try:
        folder = build_report(con, args.run, config.reports, pdf=not args.no_pdf)
    finally:
        con.close()
    print(f"report: {folder / 'index.html'}")
    if not args.no_pdf:
        print(f"pdf:    {folder / 'report.pdf'}")
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
    import dataclasses
    import json

    from fronts.config import load_config
    from fronts.evaluation import backtest as bt
    from fronts.evaluation.harness import machine
    from fronts.stages.backtest import format_backtest, run_backtest
    from fronts.stages.corpus import ingest_files, normalise_stage
    from fronts.store import connect

    prereg = Path(args.prereg or bt.DEFAULT_PREREGISTRATION)
    reg = bt.load_preregistration(prereg)
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
    con = connect(config.db)
    try:
        if args.paths:
            ingest_files(con, list(args.paths), config, replace=True)
            normalise_stage(con)
        result = run_backtest(con, config, reg, progress=not args.no_progress)
    finally:
        con.close()
    print(format_backtest(result))
    payload = {
        **result.to_json(),
        "deviations": {k: list(v) if isinstance(v, tuple) else v for k, v in deviates.items()},
        "machine": machine(),
    }
    args.out.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    print(f"results: {args.out}")
    return 0


def _cmd_bench(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.evaluation.harness import default_sources, format_table, run_planted_benchmark

    shared = Path(os.environ.get("FRONTS_SHARED_CORPORA", "../shared/corpora"))
    sources = list(args.sources or default_sources(shared))
    if not sources:
        print(f"fronts bench planted: no --sources given and none found in {shared}")
        return 2
    # Its own warehouse by default: the benchmark replaces the corpus of the one it uses.
    config = load_config(args.config, db=args.db or args.out / "warehouse.duckdb")
    result = run_planted_benchmark(
        args.sizes, sources, args.out, args.seeds, 0.8, args.subsamples, config
    )
    print(format_table(result))
    print(f"results: {args.out / 'planted.json'}")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(args.out / "planted.json", args.json)
        print(f"copied to {args.json}")
    return 0


COMMANDS = {
    "ingest": _cmd_ingest,
    "run": _cmd_run,
    "show": _cmd_show,
    "report": _cmd_report,
    "backtest": _cmd_backtest,
    "bench": _cmd_bench,
}


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `fronts` console script; returns the process exit code."""
    args = _parser().parse_args(argv)
    try:
        return COMMANDS[args.command](args)
    except FrontsError as exc:
        print(f"fronts {args.command}: error: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
