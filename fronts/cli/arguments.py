"""The `fronts` command line's options: one argparse parser with a sub-command each."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import NoReturn


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


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--db", type=Path, help="DuckDB warehouse (default: data/fronts.duckdb)")
    parser.add_argument("--config", type=Path, help="TOML configuration file")
    parser.add_argument("--verbose", action="store_true", help="show Prefect's and libraries' logs")
    parser.add_argument("--debug", action="store_true", help="print tracebacks of errors")


def build_parser() -> argparse.ArgumentParser:
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
