"""The `fronts` command line. `main(argv)` is a plain function so tests can call it in-process.

Every foreseeable failure is one line on stderr, `fronts <command>: error: ...`, with exit code
2 for a usage error (bad option, missing file, bad configuration) and 1 otherwise. Inputs,
configuration and the warehouse lock are checked before any Prefect server starts. An
unexpected exception prints one line and the path of a log file holding its traceback
(`--debug` prints the traceback). Prefect's own log lines show only with `--verbose`.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import shlex
import shutil
import signal
import sys
import traceback
import warnings
from pathlib import Path
from typing import NoReturn

from fronts.errors import ConfigError, FrontsError, UsageError


class _Parser(argparse.ArgumentParser):
    """argparse, with its errors as one line (the usage stays in --help)."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        raise SystemExit(2)


def _add_progress(parser: argparse.ArgumentParser) -> None:
    group = parser.add_mutually_exclusive_group()
    group.add_argument(
        "--progress",
        dest="progress",
        action="store_true",
        default=None,
        help="progress bars on stderr even when it is not a terminal (default: on a terminal)",
    )
    group.add_argument("--no-progress", dest="progress", action="store_false", help="no bars")


def _show_progress(args: argparse.Namespace) -> bool:
    """Progress bars: as asked, else only when stderr is a terminal (not in logs and pipes)."""
    return sys.stderr.isatty() if args.progress is None else args.progress


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="DuckDB warehouse (default: data/fronts.duckdb)")
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    parser.add_argument("--verbose", action="store_true", help="show Prefect's and libraries' logs")
    parser.add_argument("--debug", action="store_true", help="print tracebacks of errors")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="fronts", description="Ranked, explained research fronts from publication exports."
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    ingest = sub.add_parser(
        "ingest",
        help="read exports (WoS, Scopus, OpenAlex, BibTeX, RIS, CSV/Parquet) into the warehouse",
    )
    ingest.add_argument(
        "paths", nargs="*", help="export files, folders or glob patterns (default: config paths)"
    )
    ingest.add_argument(
        "--replace", action="store_true", help="make these files the whole corpus (drop others)"
    )
    ingest.add_argument("--sample", action="store_true", help="ingest the embedded sample corpus")
    _add_progress(ingest)
    _add_common(ingest)

    run = sub.add_parser("run", help="the whole analysis: ingest, embed, topics, score, rank")
    run.add_argument("paths", nargs="*", help="export files, folders or glob patterns (any format)")
    run.add_argument("--sample", action="store_true", help="use the embedded sample corpus")
    run.add_argument(
        "--keep",
        action="store_true",
        help="add PATHs to the warehouse's corpus instead of making them the whole corpus",
    )
    run.add_argument("--window", type=_window, help="analysis window, e.g. 2019-2024")
    run.add_argument("--seed", type=int, help="seed of every random step")
    run.add_argument(
        "--previous",
        metavar="RUN_ID",
        help="the completed run whose fronts this run continues (default: the latest completed)",
    )
    _add_progress(run)
    run.add_argument("--no-report", action="store_true", help="skip the HTML/PDF report")
    run.add_argument("--no-pdf", action="store_true", help="HTML report only (no Chromium)")
    run.add_argument(
        "--no-prefect",
        action="store_true",
        help="run the stages in this process without a Prefect flow run (no server start)",
    )
    _add_common(run)

    report = sub.add_parser("report", help="render a run as HTML pages, a PDF and the data")
    report.add_argument("--run", default="latest", help="run id (default: the latest completed)")
    report.add_argument("--out", type=Path, help="reports folder (default: reports/)")
    report.add_argument("--no-pdf", action="store_true", help="HTML only (no Chromium needed)")
    _add_common(report)

    show = sub.add_parser("show", help="print the ranked fronts of a run")
    show.add_argument("--run", default="latest", help="run id (default: the latest completed)")
    show.add_argument("--json", action="store_true", help="a JSON list of the fronts")
    _add_common(show)

    _add_curate(sub)

    deploy = sub.add_parser(
        "deploy",
        help="schedule the annual run on a Prefect server and serve it (runs until stopped)",
    )
    deploy.add_argument("paths", nargs="*", help="export files, folders or patterns")
    deploy.add_argument("--cron", required=True, help="schedule, e.g. '0 6 1 3 *' (6:00, 1 March)")
    deploy.add_argument("--name", default="annual", help="deployment name (default: annual)")
    deploy.add_argument("--no-pdf", action="store_true", help="HTML reports only")
    _add_common(deploy)

    runs = sub.add_parser("runs", help="list the runs of the warehouse, newest first")
    runs.add_argument("--json", action="store_true", help="a JSON list of the runs")
    _add_common(runs)

    backtest = sub.add_parser(
        "backtest", help="rank fronts at past cutoffs and score them on the growth that followed"
    )
    backtest.add_argument(
        "paths", nargs="*", help="export files, folders or patterns (default: the warehouse)"
    )
    backtest.add_argument(
        "--prereg", type=Path, help="frozen protocol (default: bench/preregistration-v3.toml)"
    )
    backtest.add_argument("--cutoffs", type=_years, help="override: cutoff years, e.g. 2019,2020")
    backtest.add_argument("--horizon", type=int, help="override: years of realised growth")
    backtest.add_argument("--k", type=int, help="override: k of precision@k")
    backtest.add_argument("--out", type=Path, default=Path("backtest.json"), help="results JSON")
    _add_progress(backtest)
    _add_common(backtest)

    fetch = sub.add_parser("fetch", help="build a corpus from a bibliographic API")
    fetch_sources = fetch.add_subparsers(dest="source", required=True, parser_class=_Parser)
    openalex = fetch_sources.add_parser(
        "openalex", help="every OpenAlex work a search or filter finds, as JSON Lines (.jsonl.gz)"
    )
    openalex.add_argument("--search", help="full-text search, e.g. 'digital education'")
    openalex.add_argument("--filter", help="an OpenAlex filter, e.g. 'concepts.id:C145420912'")
    openalex.add_argument("--from", dest="year_from", type=int, metavar="YEAR", help="first year")
    openalex.add_argument("--to", dest="year_to", type=int, metavar="YEAR", help="last year")
    openalex.add_argument("--out", type=Path, required=True, help="output FILE.jsonl.gz")
    openalex.add_argument("--email", help="your e-mail, for OpenAlex's polite pool")
    openalex.add_argument("--max", dest="max_works", type=int, metavar="N", help="at most N works")
    openalex.add_argument("--api-url", default="https://api.openalex.org", help="API address")
    openalex.add_argument("--retries", type=int, default=6, help="tries after the first per page")
    _add_progress(openalex)
    openalex.add_argument("--verbose", action="store_true", help="show libraries' logs")
    openalex.add_argument("--debug", action="store_true", help="print tracebacks of errors")

    bench = sub.add_parser("bench", help="benchmarks of the pipeline itself")
    benches = bench.add_subparsers(dest="bench", required=True, parser_class=_Parser)
    planted = benches.add_parser(
        "planted", help="plant known fronts in real abstracts, run, and score the recovery"
    )
    planted.add_argument("--sizes", type=_years, default=[1000, 5000], help="e.g. 1000,5000")
    planted.add_argument("--sources", nargs="+", type=Path, help="export files or folders")
    planted.add_argument("--seeds", type=int, default=5, help="topic fits with other seeds")
    planted.add_argument("--subsamples", type=int, default=5, help="fits on 80%% subsamples")
    planted.add_argument("--out", type=Path, default=Path("bench/out/planted"), help="folder")
    planted.add_argument("--json", type=Path, help="also write the results JSON here")
    planted.add_argument(
        "--reference-signal",
        type=float,
        metavar="SHARE",
        help="plant references too: this share of each work's from its front's own pool",
    )
    _add_common(planted)
    lineage = benches.add_parser(
        "lineage", help="plant front events between two yearly snapshots and score the lineage"
    )
    lineage.add_argument("--sources", nargs="+", type=Path, help="export files or folders")
    lineage.add_argument("--scenarios", type=int, default=20, help="seeded scenarios per noise")
    lineage.add_argument("--out", type=Path, default=Path("bench/out/lineage"), help="folder")
    lineage.add_argument("--json", type=Path, help="also write the results JSON here")
    _add_common(lineage)
    return parser


def _add_curate(sub) -> None:
    curate = sub.add_parser(
        "curate", help="the experts' decisions: rename, exclude, merge, annotate, publish"
    )
    verbs = curate.add_subparsers(dest="verb", required=True, parser_class=_Parser)

    def verb(name: str, help_text: str, decision: bool = True) -> argparse.ArgumentParser:
        parser = verbs.add_parser(name, help=help_text)
        if decision:
            parser.add_argument("--by", required=True, metavar="NAME", help="who decides")
            parser.add_argument("--why", required=True, metavar="TEXT", help="why")
        _add_common(parser)
        return parser

    rename = verb("rename", "give a front its English (and Chinese) title")
    rename.add_argument("lineage_id")
    rename.add_argument("--title", required=True, help="English title")
    rename.add_argument("--title-zh", help="Chinese title")
    exclude = verb("exclude", "take a front out of the ranking")
    exclude.add_argument("lineage_id")
    merge = verb("merge", "make several fronts one (the first is kept)")
    merge.add_argument("lineage_ids", nargs="+", metavar="LINEAGE_ID")
    merge.add_argument("--title", help="English title of the merged front")
    merge.add_argument("--title-zh", help="Chinese title of the merged front")
    annotate = verb("annotate", "add commentary and case-study papers to a front")
    annotate.add_argument("lineage_id")
    annotate.add_argument("--note", help="commentary (Markdown is shown as text)")
    annotate.add_argument("--case", nargs="+", default=[], metavar="WORK_ID", help="case studies")
    publish = verb("publish", "choose the published list, in order (default: top N)")
    publish.add_argument("lineage_ids", nargs="+", metavar="LINEAGE_ID")
    undo = verb("undo", "cancel an earlier decision (a new row: nothing is deleted)")
    undo.add_argument("action_id", type=int)
    log = verb("log", "list every decision, oldest first", decision=False)
    log.add_argument("--json", action="store_true", help="a JSON list")
    export = verb("export", "write the curation as a TOML file to review", decision=False)
    export.add_argument("--out", type=Path, help="file to write (default: print it)")
    imported = verb("import", "record the decisions a reviewed TOML file asks for")
    imported.add_argument("file", type=Path)


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


def _command_line(args: argparse.Namespace) -> str:
    """What the lock file says is running: the command as typed, shortened."""
    text = "fronts " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""
    return (text or f"fronts {args.command}")[:200]


def _warn(args: argparse.Namespace):
    def warn(line: str) -> None:
        print(f"fronts {args.command}: warning: {line}", file=sys.stderr)

    return warn


def _input_paths(args: argparse.Namespace, config_paths: list[Path]) -> list[str | Path]:
    paths: list[str | Path] = list(args.paths) or list(config_paths)
    if getattr(args, "sample", False):
        from fronts.sample import sample_paths

        paths += sample_paths()
    return paths


# --------------------------------------------------------------------------- commands


def _cmd_ingest(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.pipeline import run_pipeline
    from fronts.summary import format_ingest_summary
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    paths = _input_paths(args, config.ingest.paths)
    if not paths:
        raise UsageError("no files given (pass paths, --sample, or ingest.paths in --config)")
    with open_warehouse(config.db, command=_command_line(args)) as warehouse:
        inputs = _read_inputs(args, warehouse.con, paths, config, args.replace)
        run_pipeline(warehouse, config, inputs, analyse=False)
        print(format_ingest_summary(warehouse.con, inputs))
    print(f"warehouse: {config.db}")
    return 0


def _read_inputs(args: argparse.Namespace, con, paths, config, replace: bool):
    """The inputs read (`read_inputs`), with a progress bar over the files."""
    from fronts.stages.inputs import read_inputs, resolve_inputs

    if not _show_progress(args):
        return read_inputs(con, paths, config.ingest, replace, _warn(args))
    from tqdm import tqdm

    total = len(resolve_inputs(paths))
    with tqdm(total=total, unit="file", file=sys.stderr, desc="read", leave=False) as bar:

        def on_file(path: str, n_records: int) -> None:
            bar.set_postfix_str(f"{Path(path).name}: {n_records} records", refresh=False)
            bar.update(1)

        return read_inputs(con, paths, config.ingest, replace, _warn(args), on_file)


def _cmd_run(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.report import find_browser
    from fronts.runs import check_corpus
    from fronts.stages.base import RunOptions
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db, window=args.window, seed=args.seed)
    paths = _input_paths(args, config.ingest.paths)
    pdf = not args.no_pdf and not args.no_report and find_browser() is not None
    if not args.no_report and not args.no_pdf and not pdf:
        print(
            "fronts run: note: no Chromium found, so the report is HTML only "
            "(apt-get install chromium for the PDF)",
            file=sys.stderr,
        )
    options = RunOptions(
        progress=_show_progress(args), report=not args.no_report, pdf=pdf, previous=args.previous
    )
    with open_warehouse(config.db, command=_command_line(args)) as warehouse:
        inputs = _read_inputs(args, warehouse.con, paths, config, not args.keep) if paths else None
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


def _cmd_show(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.published import published_fronts
    from fronts.store import resolve_run
    from fronts.summary import format_fronts
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    with open_warehouse(config.db, read_only=True) as warehouse:
        run_id = resolve_run(warehouse.con, args.run)
        if args.json:
            _print_json(published_fronts(warehouse.con, run_id).to_dicts())
        else:
            print(format_fronts(warehouse.con, run_id))
    return 0


def _cmd_runs(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.published import run_registry
    from fronts.summary import format_runs
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    with open_warehouse(config.db, read_only=True) as warehouse:
        runs = run_registry(warehouse.con)
    if args.json:
        _print_json(
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


def _cmd_deploy(args: argparse.Namespace) -> int:
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


def _cmd_curate(args: argparse.Namespace) -> int:
    from fronts import curation
    from fronts.config import load_config
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    if args.verb in ("log", "export"):
        with open_warehouse(config.db, read_only=True) as warehouse:
            log = curation.read_log(warehouse.con)
        return _show_curation(args, log)
    with open_warehouse(config.db, command=_command_line(args)) as warehouse:
        con = warehouse.con
        for action, ids, values, undoes in _decisions(args, con):
            action_id = curation.record(con, action, ids, values, args.by, args.why, undoes)
            print(f"action {action_id}: {action} {' '.join(ids) or undoes}")
    return 0


def _decisions(args: argparse.Namespace, con) -> list[tuple[str, list[str], dict, int | None]]:
    """The rows a `fronts curate` command records: (action, lineage ids, values, undoes)."""
    from fronts import curation
    from fronts.store import fetch_one

    def titles() -> dict:
        return {k: v for k, v in (("title", args.title), ("title_zh", args.title_zh)) if v}

    if args.verb == "rename":
        return [("rename", [args.lineage_id], titles(), None)]
    if args.verb == "exclude":
        return [("exclude", [args.lineage_id], {}, None)]
    if args.verb == "merge":
        return [("merge", list(args.lineage_ids), titles(), None)]
    if args.verb == "annotate":
        if not args.note and not args.case:
            raise UsageError("annotate needs --note TEXT or --case WORK_ID")
        for work_id in args.case:
            if fetch_one(con, "SELECT 1 FROM works WHERE work_id = ?", [work_id]) is None:
                raise UsageError(
                    f"unknown work id {work_id!r} (`data/map.csv` of a report lists them)"
                )
        values = {"note": args.note} if args.note else {}
        return [("annotate", [args.lineage_id], {**values, "cases": list(args.case)}, None)]
    if args.verb == "publish":
        return [("publish", list(args.lineage_ids), {}, None)]
    if args.verb == "undo":
        return [("undo", [], {}, args.action_id)]
    text = _read_text(args.file)
    data = curation.parse_toml(text, str(args.file))
    plan = curation.import_plan(data, curation.read_log(con))
    if not plan:
        print(f"{args.file}: nothing new to record")
    return [(action, ids, values, None) for action, ids, values in plan]


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror}") from None


def _show_curation(args: argparse.Namespace, log) -> int:
    from fronts import curation

    if args.verb == "export":
        text = curation.export_toml(log)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"curation: {args.out}")
        else:
            print(text, end="")
        return 0
    if args.json:
        rows = []
        for r in log.to_dicts():
            values = json.loads(r.pop("values_json") or "{}")
            rows.append({**r, "at": r["at"].isoformat(), "values": values})
        _print_json(rows)
        return 0
    for r in log.iter_rows(named=True):
        target = " ".join(r["lineage_ids"] or []) or f"action {r['undoes']}"
        print(
            f"{r['action_id']:>4}  {r['at']:%Y-%m-%d %H:%M}  {r['by']:<16} {r['action']:<9} "
            f"{target}  {r['values_json']}  ({r['why']})"
        )
    return 0


def _print_json(value) -> None:
    from fronts.jsonsafe import json_safe

    print(json.dumps(json_safe(value), ensure_ascii=False, indent=1, allow_nan=False))


def _cmd_report(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.report import build_report, require_browser
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db, reports=args.out)
    if not args.no_pdf:
        require_browser()
    with open_warehouse(config.db, command=_command_line(args)) as warehouse:
        folder = build_report(warehouse.con, args.run, config.reports, pdf=not args.no_pdf)
    print(f"report: {folder / 'index.html'}")
    if not args.no_pdf:
        print(f"pdf:    {folder / 'report.pdf'}")
    return 0


def _cmd_backtest(args: argparse.Namespace) -> int:
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
    with open_warehouse(config.db, command=_command_line(args)) as warehouse:
        if args.paths:
            inputs = _read_inputs(args, warehouse.con, args.paths, config, True)
            run_pipeline(warehouse, config, inputs, analyse=False)
        result = run_backtest(warehouse.con, config, reg, progress=_show_progress(args))
    print(format_backtest(result))
    payload = {
        **result.to_json(),
        "deviations": {k: list(v) if isinstance(v, tuple) else v for k, v in deviates.items()},
        "machine": machine(),
    }
    args.out.write_text(json.dumps(payload, indent=1, default=str), encoding="utf-8")
    print(f"results: {args.out}")
    return 0


def _cmd_fetch(args: argparse.Namespace) -> int:
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
    bar = tqdm(unit="works", disable=not _show_progress(args), file=sys.stderr)

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


def _cmd_bench(args: argparse.Namespace) -> int:
    from fronts.config import load_config
    from fronts.evaluation.harness import default_sources

    shared = Path(os.environ.get("FRONTS_SHARED_CORPORA", "../shared/corpora"))
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


COMMANDS = {
    "ingest": _cmd_ingest,
    "run": _cmd_run,
    "show": _cmd_show,
    "runs": _cmd_runs,
    "curate": _cmd_curate,
    "deploy": _cmd_deploy,
    "report": _cmd_report,
    "backtest": _cmd_backtest,
    "bench": _cmd_bench,
    "fetch": _cmd_fetch,
}


# --------------------------------------------------------------------------- errors


def _log_dir() -> Path:
    configured = os.environ.get("FRONTS_LOG_DIR")
    if configured:
        return Path(configured)
    state = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local" / "state")
    return Path(state) / "fronts" / "logs"


def _write_log(command: str, exc: BaseException) -> Path | None:
    """Write the traceback to a log file; its path, or None when no log could be written."""
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    for folder in (_log_dir(), Path(os.environ.get("TMPDIR", "/tmp")) / "fronts-logs"):
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / f"{command}-{stamp}-{os.getpid()}.log"
            text = "".join(traceback.format_exception(exc))
            path.write_text(f"fronts {' '.join(sys.argv[1:])}\n\n{text}", encoding="utf-8")
            return path
        except OSError:
            continue
    return None


def _one_line(exc: BaseException) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def _stop_on_sigterm(signum: int, frame: object) -> NoReturn:
    # A terminated run is marked 'interrupted' (fronts.pipeline), like Ctrl-C.
    raise KeyboardInterrupt


def main(argv: list[str] | None = None) -> int:
    """Entry point of the `fronts` console script; returns the process exit code."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, or a usage error already printed on one line
        return int(exc.code or 0)
    if not args.verbose:
        # Library warnings (deprecations, numba, umap) are noise to a user; --verbose shows them.
        warnings.simplefilter("ignore")
    if hasattr(signal, "SIGTERM") and sys.argv and argv is None:
        signal.signal(signal.SIGTERM, _stop_on_sigterm)
    prefix = f"fronts {args.command}"
    try:
        return COMMANDS[args.command](args)
    except (UsageError, ConfigError) as exc:
        _report_error(args, prefix, exc)
        return 2
    except FrontsError as exc:
        _report_error(args, prefix, exc)
        return 1
    except KeyboardInterrupt:
        print(f"{prefix}: interrupted; run the same command again to resume", file=sys.stderr)
        return 130
    except Exception as exc:
        log = _write_log(args.command, exc)
        where = f"; traceback in {log}" if log else ""
        if args.debug:
            traceback.print_exception(exc)
        print(
            f"{prefix}: unexpected error: {type(exc).__name__}: {_one_line(exc)}{where}",
            file=sys.stderr,
        )
        return 1


def _report_error(args: argparse.Namespace, prefix: str, exc: BaseException) -> None:
    if args.debug:
        traceback.print_exception(exc)
    print(f"{prefix}: error: {_one_line(exc)}", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
