"""Benchmark the failure paths: how long each error takes to reach the user, and in how many
lines; and what resuming a killed run saves.

    .venv/bin/python bench/errors.py [--resume CORPUS] [--json OUT.json]

Every foreseeable failure of `fronts` (bad path, unknown format, folder without exports, empty
window, no works, bad configuration, bad option, warehouse busy for a writer and for a reader)
is run as a real process of the installed script against a scratch warehouse; the wall time,
the exit code and the stderr lines are printed. Then, unless `--resume none`, a cold `fronts
run` of CORPUS (default: ../shared/corpora/bibexpy-genai) is timed, the same command is killed
with SIGKILL (its whole process group) half way through embedding and run again: the resumed
run's embedding and wall time are compared with the cold run's. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

from fronts.evaluation.harness import shared_corpora

HERE = Path(__file__).resolve().parent
FIXTURES = HERE.parent / "tests" / "fixtures"
SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora
FRONTS = str(Path(sys.executable).with_name("fronts"))
HOLD = textwrap.dedent(
    """
    import sys, time
    from fronts.warehouse import open_warehouse
    with open_warehouse(sys.argv[1], command="fronts run exports/"):
        print("held", flush=True)
        time.sleep(600)
    """
)


def _timed(args: list[str]) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run([FRONTS, *args], capture_output=True, text=True, check=False)
    seconds = time.perf_counter() - t0
    lines = done.stderr.strip().splitlines()
    return {
        "s": round(seconds, 2),
        "exit": done.returncode,
        "stderr_lines": len(lines),
        "traceback": "Traceback" in done.stderr,
        "message": lines[-1] if lines else "",
    }


def error_paths(tmp: Path) -> dict[str, dict]:
    """Each failure path against a scratch warehouse holding a small corpus."""
    db = tmp / "w.duckdb"
    setup = [FRONTS, "ingest", str(FIXTURES / "bibtex" / "wos.bib"), "--db", str(db)]
    subprocess.run([*setup, "--no-progress"], capture_output=True, check=True)
    empty, notes_only = tmp / "empty", tmp / "notes"
    empty.mkdir()
    notes_only.mkdir()
    (notes_only / "README.md").write_text("exports go here\n")
    notes = tmp / "notes.txt"
    notes.write_text("remember the 2025 export\n")
    bad_config = tmp / "bad.toml"
    bad_config.write_text("[topics.hdbscan]\nmin_cluster_sise = 5\n")
    wos = str(FIXTURES / "wos" / "valid.txt")
    cases = {
        "bad path": ["run", str(tmp / "missing.txt"), "--db", str(db)],
        "unknown format": ["run", str(notes), "--db", str(db)],
        "empty folder": ["run", str(empty), "--db", str(db)],
        "folder of notes only": ["run", str(notes_only), "--db", str(db)],
        "empty window": ["run", wos, "--db", str(db), "--window", "1950-1955"],
        "no works": ["run", "--db", str(tmp / "new.duckdb")],
        "bad config": ["run", "--db", str(db), "--config", str(bad_config)],
        "bad option": ["run", "--db", str(db), "--window", "2019"],
    }
    out = {name: _timed(args) for name, args in cases.items()}
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE)
    try:
        holder.stdout.readline()
        out["lock held (run)"] = _timed(["run", wos, "--db", str(db)])
        out["lock held (show)"] = _timed(["show", "--db", str(db)])
    finally:
        holder.kill()
        holder.wait()
    return out


def _embed_progress(buffer: bytes) -> tuple[int, int] | None:
    found = re.findall(rb"embed:\s+\d+%\|[^|]*\| (\d+)/(\d+)", buffer)
    return (int(found[-1][0]), int(found[-1][1])) if found else None


def _kill_half_way(command: list[str]) -> dict:
    proc = subprocess.Popen(
        command, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, start_new_session=True
    )
    t0, seen, progress = time.perf_counter(), b"", None
    while True:
        chunk = proc.stderr.read1(4096)
        if not chunk:
            break
        seen = (seen + chunk)[-4096:]
        progress = _embed_progress(seen) or progress
        if progress and progress[0] >= progress[1] // 2:
            os.killpg(proc.pid, signal.SIGKILL)
            break
    proc.wait()
    return {"s": round(time.perf_counter() - t0, 1), "killed_at": progress, "exit": proc.returncode}


def _run(command: list[str]) -> dict:
    t0 = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    found = re.search(r"embedded (\d+) new text\(s\) of (\d+)", done.stdout)
    return {
        "s": round(time.perf_counter() - t0, 1),
        "exit": done.returncode,
        "embedded": int(found.group(1)) if found else None,
        "texts": int(found.group(2)) if found else None,
    }


def resume(corpus: Path, tmp: Path) -> dict:
    """Cold run, then the same command killed half way through embedding and resumed."""

    def command(db: Path, progress: bool) -> list[str]:
        args = [FRONTS, "run", str(corpus), "--db", str(db), "--no-report"]
        return [*args, "--progress"] if progress else args

    cold = _run(command(tmp / "cold.duckdb", False))
    killed = _kill_half_way(command(tmp / "killed.duckdb", True))
    resumed = _run(command(tmp / "killed.duckdb", False))
    return {"corpus": str(corpus), "cold": cold, "killed": killed, "resumed": resumed}


def main(argv: list[str]) -> None:
    from fronts.evaluation.harness import machine

    out = Path(argv[argv.index("--json") + 1]) if "--json" in argv else None
    corpus = (
        argv[argv.index("--resume") + 1] if "--resume" in argv else str(SHARED / "bibexpy-genai")
    )
    with tempfile.TemporaryDirectory() as name:
        tmp = Path(name)
        paths = error_paths(tmp)
        print(f"{'failure':<22}{'exit':>5}{'s':>7}{'lines':>7}  message")
        for case, r in paths.items():
            print(f"{case:<22}{r['exit']:>5}{r['s']:>7}{r['stderr_lines']:>7}  {r['message'][:90]}")
        result = {"benchmark": "errors", "machine": machine(), "paths": paths}
        if corpus != "none":
            shutil.rmtree(tmp / "reports", ignore_errors=True)
            result["resume"] = resume(Path(corpus), tmp)
            r = result["resume"]
            cold, killed, resumed = r["cold"], r["killed"], r["resumed"]
            print(
                f"\nresume ({corpus}): cold run {cold['s']} s embedding {cold['embedded']} texts; "
                f"killed after {killed['s']} s at {killed['killed_at']}; resumed run "
                f"{resumed['s']} s embedding {resumed['embedded']} texts"
            )
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
