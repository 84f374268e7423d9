"""The warehouse as one command holds it: one DuckDB connection under one exclusive lock.

A command that writes (run, ingest, report, backtest, bench) opens the warehouse with
`open_warehouse(db, command)`. That takes an exclusive lock on `<db>.lock` for the whole
command (flock, through the filelock library: the kernel releases it when the process ends,
however it ends, so a lock left by a killed process is simply taken over), writes who holds it
(pid, command, since when) into that file, and keeps one DuckDB connection until the command
ends, so no other process can write between two stages of a run. A second writer is refused at
once with `WarehouseBusyError`, whose message names the holder.

Readers (`fronts show`) open it with `read_only=True`: no lock is taken, but a warehouse that a
writer holds is reported busy in one line instead of DuckDB's own lock error.

Whoever holds the lock is the only process that can be running a stage, so a run still marked
'running' when a writer opens the warehouse was left by a process that died: it is marked
'interrupted' (rerunning the same command resumes it, see `fronts.pipeline`).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb

from fronts.errors import FrontsError, WarehouseBusyError
from fronts.store import connect, is_current

# A reader (fronts show) holds DuckDB's own file lock for a moment; a writer waits this long.
READER_WAIT_S = 10.0
_DUCKDB_PID = re.compile(r"PID (\d+)")


@dataclass(frozen=True)
class Holder:
    """Who holds a warehouse: process id, the command it runs, when it took the lock (UTC)."""

    pid: int
    command: str
    since: str
    host: str

    def describe(self) -> str:
        return f"`{self.command}` (pid {self.pid} on {self.host}) since {self.since}"


@dataclass
class Warehouse:
    """An open warehouse: its path and the one connection the command uses."""

    path: Path
    con: duckdb.DuckDBPyConnection
    read_only: bool = False

    def cursor(self) -> duckdb.DuckDBPyConnection:
        """A connection of its own to the same database, for a stage that may run on another
        thread (a DuckDB connection must not be shared between threads)."""
        return self.con.cursor()


def lock_path(db: str | Path) -> Path:
    return Path(f"{db}.lock")


def read_holder(db: str | Path) -> Holder | None:
    """The holder recorded in the lock file, or None (no file, or not written yet)."""
    try:
        data = json.loads(lock_path(db).read_text(encoding="utf-8"))
        return Holder(int(data["pid"]), str(data["command"]), str(data["since"]), data["host"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _busy(db: Path, holder: Holder | None, reading: bool) -> WarehouseBusyError:
    who = holder.describe() if holder else "another process"
    then = "try again when it has finished" if reading else "wait for it to finish"
    return WarehouseBusyError(f"the warehouse {db} is busy: {who} is writing to it; {then}")


def _duckdb_lock_error(exc: BaseException) -> bool:
    return isinstance(exc, duckdb.IOException) and "lock" in str(exc).lower()


def _reader_busy(db: Path, exc: BaseException) -> WarehouseBusyError:
    match = _DUCKDB_PID.search(str(exc))
    who = f"process {match.group(1)}" if match else "another process"
    return WarehouseBusyError(
        f"the warehouse {db} is busy: {who} has it open; wait for it to finish"
    )


def _lock(db: Path):
    from filelock import FileLock

    return FileLock(str(lock_path(db)), timeout=0)


def warehouse_holder(db: str | Path) -> Holder | None:
    """The process holding the warehouse's write lock now, or None when it is free."""
    from filelock import Timeout

    db = Path(db)
    if not lock_path(db).exists():
        return None
    lock = _lock(db)
    try:
        lock.acquire()
    except Timeout:
        return read_holder(db) or Holder(0, "unknown", "unknown", "unknown")
    lock.release()
    return None


def _connect_writer(db: Path) -> duckdb.DuckDBPyConnection:
    """Connect read-write, waiting a little for a reader that has DuckDB's file lock."""
    deadline = time.monotonic() + READER_WAIT_S
    while True:
        try:
            return connect(db)
        except duckdb.IOException as exc:
            if not _duckdb_lock_error(exc):
                raise FrontsError(f"{db}: cannot open the warehouse: {exc}") from None
            if time.monotonic() > deadline:
                raise _reader_busy(db, exc) from None
            time.sleep(0.2)


def _mark_interrupted(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(
        "UPDATE runs SET status = 'interrupted', finished_at = coalesce(finished_at, ?) "
        "WHERE status = 'running'",
        [dt.datetime.now(dt.UTC)],
    )


@contextmanager
def open_warehouse(
    db: str | Path, command: str = "fronts", read_only: bool = False
) -> Iterator[Warehouse]:
    """Hold the warehouse `db` for the duration of the block (see the module docstring).

    Raises `WarehouseBusyError` (another writer holds it) or `FrontsError` (no warehouse to
    read, or a file DuckDB cannot open). `command` is what the lock file says is running.
    """
    db = Path(db)
    if read_only:
        reader = _open_reader(db)
        try:
            yield reader
        finally:
            reader.con.close()
        return
    from filelock import Timeout

    db.parent.mkdir(parents=True, exist_ok=True)
    lock = _lock(db)
    try:
        lock.acquire()
    except Timeout:
        raise _busy(db, read_holder(db), reading=False) from None
    try:
        _write_holder(db, command)
        con = _connect_writer(db)
        try:
            _mark_interrupted(con)
            yield Warehouse(db, con)
        finally:
            con.close()
    finally:
        _clear_holder(db)
        lock.release()


def _open_reader(db: Path) -> Warehouse:
    if not db.exists():
        raise FrontsError(f"{db}: no warehouse here yet (run `fronts ingest` or `fronts run`)")
    holder = warehouse_holder(db)
    if holder is not None:
        raise _busy(db, holder, reading=True)
    con = _connect_reader(db)
    if not is_current(con):
        # Made by an earlier version: take the write lock once to add the new tables and
        # columns (an additive migration, `fronts.store.connect`), then read.
        con.close()
        with open_warehouse(db, command="fronts (upgrading the warehouse)"):
            pass
        con = _connect_reader(db)
    return Warehouse(db, con, read_only=True)


def _connect_reader(db: Path) -> duckdb.DuckDBPyConnection:
    try:
        return connect(db, read_only=True)
    except duckdb.IOException as exc:
        if _duckdb_lock_error(exc):
            raise _busy(db, read_holder(db), reading=True) from None
        raise FrontsError(f"{db}: cannot open the warehouse: {exc}") from None


def _write_holder(db: Path, command: str) -> None:
    since = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    record = {"pid": os.getpid(), "command": command, "since": since, "host": socket.gethostname()}
    # The lock file is opened without truncation by filelock, so its content is ours to write.
    with open(lock_path(db), "r+", encoding="utf-8") as fh:
        fh.truncate(0)
        fh.write(json.dumps(record))


def _clear_holder(db: Path) -> None:
    try:
        with open(lock_path(db), "r+", encoding="utf-8") as fh:
            fh.truncate(0)
    except OSError:
        pass
