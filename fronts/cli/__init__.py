"""The `fronts` command line. `main(argv)` is a plain function so tests can call it in-process.

Every foreseeable failure is one line on stderr, `fronts <command>: error: ...`, with exit code
2 for a usage error (bad option, missing file, bad configuration) and 1 otherwise. Inputs,
configuration and the warehouse lock are checked before any Prefect server starts. An
unexpected exception prints one line and the path of a log file holding its traceback
(`--debug` prints the traceback). Prefect's own log lines show only with `--verbose`.

The options are declared in `fronts.cli.arguments`; the commands live in `analysis` (ingest, run,
show, runs, report), `curate` and `tools` (deploy, backtest, fetch, bench), and what they share
in `common`. This module maps each command to its function and turns errors into those lines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import signal
import sys
import traceback
import warnings
from pathlib import Path
from typing import NoReturn

from fronts.cli import analysis, curate, tools
from fronts.cli.arguments import build_parser
from fronts.errors import ConfigError, FrontsError, UsageError

__all__ = ["build_parser", "main"]

COMMANDS = {
    "ingest": analysis.cmd_ingest,
    "run": analysis.cmd_run,
    "show": analysis.cmd_show,
    "runs": analysis.cmd_runs,
    "report": analysis.cmd_report,
    "curate": curate.cmd_curate,
    "deploy": tools.cmd_deploy,
    "backtest": tools.cmd_backtest,
    "bench": tools.cmd_bench,
    "fetch": tools.cmd_fetch,
}


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
    parser = build_parser()
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
