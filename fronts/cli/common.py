"""What the commands of `fronts` share: progress, warnings, inputs, JSON output."""

from __future__ import annotations

import argparse
import json
import shlex
import sys
from pathlib import Path

from fronts.errors import UsageError


def show_progress(args: argparse.Namespace) -> bool:
    """Progress bars: as asked, else only when stderr is a terminal (not in logs and pipes)."""
    return sys.stderr.isatty() if args.progress is None else args.progress


def command_line(args: argparse.Namespace) -> str:
    """What the lock file says is running: the command as typed, shortened."""
    text = "fronts " + " ".join(shlex.quote(a) for a in sys.argv[1:]) if sys.argv[1:] else ""
    return (text or f"fronts {args.command}")[:200]


def warning_printer(args: argparse.Namespace):
    """A function printing one `fronts <command>: warning: ...` line on stderr."""

    def warn(line: str) -> None:
        print(f"fronts {args.command}: warning: {line}", file=sys.stderr)

    return warn


def input_paths(args: argparse.Namespace, config_paths: list[Path]) -> list[str | Path]:
    paths: list[str | Path] = list(args.paths) or list(config_paths)
    if getattr(args, "sample", False):
        from fronts.sample import sample_paths

        paths += sample_paths()
    return paths


def read_inputs_shown(args: argparse.Namespace, con, paths, config, replace: bool):
    """The inputs read (`read_inputs`), with a progress bar over the files."""
    from fronts.stages.inputs import read_inputs, resolve_inputs

    if not show_progress(args):
        return read_inputs(con, paths, config.ingest, replace, warning_printer(args))
    from tqdm import tqdm

    total = len(resolve_inputs(paths))
    with tqdm(total=total, unit="file", file=sys.stderr, desc="read", leave=False) as bar:

        def on_file(path: str, n_records: int) -> None:
            bar.set_postfix_str(f"{Path(path).name}: {n_records} records", refresh=False)
            bar.update(1)

        return read_inputs(con, paths, config.ingest, replace, warning_printer(args), on_file)


def print_json(value) -> None:
    from fronts.jsonsafe import json_safe

    print(json.dumps(json_safe(value), ensure_ascii=False, indent=1, allow_nan=False))


def read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(f"{path}: cannot read it: {exc.strerror}") from None
