"""One writer per warehouse, for a whole command; readers told it is busy; dead holders replaced.

The holder is a real second process (the `hold` helper below), so the locks are the real
flock and DuckDB file locks.
"""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from fronts.cli import main
from fronts.errors import WarehouseBusyError
from fronts.schemas import RUNS
from fronts.store import connect, read_table, write_tables
from fronts.warehouse import open_warehouse, read_holder, warehouse_holder

HOLD = textwrap.dedent(
    """
    import sys, time
    from fronts.warehouse import open_warehouse
    with open_warehouse(sys.argv[1], command="fronts run exports/ --window 2019-2024"):
        print("held", flush=True)
        time.sleep(120)
    """
)


@pytest.fixture
def holder(tmp_path):
    """A second process holding the warehouse's write lock (killed with SIGKILL at the end)."""
    db = tmp_path / "w.duckdb"
    proc = subprocess.Popen(
        [sys.executable, "-c", HOLD, str(db)], stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout.readline().strip() == "held"
    yield db, proc
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def test_a_second_writer_is_refused_at_once_naming_the_holder(holder, fronts_cli):
    db, proc = holder
    assert warehouse_holder(db).pid == proc.pid
    busy = pytest.raises(WarehouseBusyError, match=rf"`fronts run exports/.*` \(pid {proc.pid} ")
    with busy, open_warehouse(db, command="fronts ingest x"):
        pass
    for args in (["run"], ["ingest", "somewhere"], ["report", "--no-pdf"]):
        done = fronts_cli(*args, "--db", str(db))
        assert done.returncode == 1, done.stderr
        lines = done.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr
        assert f"is busy: `fronts run exports/ --window 2019-2024` (pid {proc.pid}" in lines[0]


def test_a_reader_is_told_the_warehouse_is_busy_in_one_line(holder, fronts_cli):
    db, proc = holder
    done = fronts_cli("show", "--db", str(db))
    assert done.returncode == 1
    assert done.stderr.count("\n") == 1 and "Traceback" not in done.stderr
    assert "busy" in done.stderr and f"pid {proc.pid}" in done.stderr
    assert "try again when it has finished" in done.stderr


def _running_run(db: Path) -> None:
    now = dt.datetime.now(dt.UTC)
    row = {c: None for c in RUNS.schema} | {
        "run_id": "r000000000001",
        "status": "running",
        "started_at": now,
        "attempts": 1,
    }
    con = connect(db)
    write_tables(con, {"runs": pl.DataFrame([row], schema=RUNS.schema)})
    con.close()


def test_a_lock_left_by_a_killed_process_is_taken_over_and_its_run_marked_interrupted(holder):
    db, proc = holder
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert read_holder(db).pid == proc.pid  # the dead holder's note is still there...
    assert warehouse_holder(db) is None  # ... but the kernel released its lock
    _running_run(db)
    with open_warehouse(db, command="fronts run again") as warehouse:
        assert read_holder(db).pid == os.getpid()
        runs = read_table(warehouse.con, "runs")
    assert runs["status"].to_list() == ["interrupted"]
    assert runs["finished_at"][0] is not None
    assert warehouse_holder(db) is None and read_holder(db) is None  # released, note cleared


def test_readers_never_write_and_see_a_warehouse_that_is_free(tmp_path, capsys):
    db = tmp_path / "w.duckdb"
    with open_warehouse(db):
        pass
    _running_run(db)
    with open_warehouse(db, read_only=True) as warehouse:
        assert read_table(warehouse.con, "runs")["status"].to_list() == ["running"]
    assert main(["show", "--db", str(db)]) == 1
    assert "no completed run" in capsys.readouterr().err
