"""The DuckDB warehouse: the only module that talks to the database.

Stages hand frames to `write_tables`, which replaces the stage's rows in one transaction, so a
stage either lands whole or not at all, and running it twice leaves the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import duckdb
import polars as pl

from fronts.errors import FrontsError
from fronts.schemas import TABLES, check_frame, duck_type, duckdb_ddl


def connect(db: str | Path, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open (creating if needed) the warehouse and make sure every documented table exists."""
    db = Path(db)
    if read_only:
        if not db.exists():
            raise FrontsError(f"{db}: no warehouse here yet (run `fronts ingest` or `fronts run`)")
        return duckdb.connect(str(db), read_only=True)
    db.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(db))
    for table in TABLES.values():
        con.execute(duckdb_ddl(table))
        _check_columns(con, table.name)
    return con


def is_current(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the warehouse has every documented table with exactly its documented columns
    (a warehouse made by an earlier version needs `connect` to add what is new)."""
    rows = con.execute(
        "SELECT table_name, list(column_name ORDER BY ordinal_position) "
        "FROM information_schema.columns WHERE table_schema = 'main' GROUP BY table_name"
    ).fetchall()
    found = dict(rows)
    return all(found.get(t.name) == [c.name for c in t.columns] for t in TABLES.values())


def _check_columns(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Accept the table as documented, add columns a newer version documents, refuse the rest.

    A table made by an earlier version that lacks some documented columns, and has no column
    this version does not know (by name), is rebuilt in the documented column order with the new
    columns null for its old rows (an additive migration), so an upgrade keeps the corpus and
    the embedding cache. Anything else (a removed or renamed column) is refused.
    """
    found = [
        row[0]
        for row in con.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_name = ? ORDER BY ordinal_position",
            [name],
        ).fetchall()
    ]
    expected = [c.name for c in TABLES[name].columns]
    if found == expected:
        return
    if set(found) < set(expected):
        _add_columns(con, name, set(found))
        return
    raise FrontsError(
        f"table {name!r} in this warehouse has columns {found}, but this version of fronts "
        f"expects {expected}; use a new --db file"
    )


def _add_columns(con: duckdb.DuckDBPyConnection, name: str, present: set[str]) -> None:
    table = TABLES[name]
    select = ", ".join(
        f'"{c.name}"' if c.name in present else f'NULL::{duck_type(c.dtype)} AS "{c.name}"'
        for c in table.columns
    )
    con.execute("BEGIN TRANSACTION")
    try:
        con.execute(f'ALTER TABLE "{name}" RENAME TO "_old_{name}"')
        con.execute(duckdb_ddl(table))
        con.execute(f'INSERT INTO "{name}" SELECT {select} FROM "_old_{name}"')
        con.execute(f'DROP TABLE "_old_{name}"')
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def write_tables(
    con: duckdb.DuckDBPyConnection,
    frames: Mapping[str, pl.DataFrame],
    where: Mapping[str, tuple[str, Sequence[object]]] | None = None,
) -> None:
    """Replace tables' rows with `frames`, all in one transaction.

    By default a table is emptied before the insert. `where[name] = (sql_predicate, params)`
    deletes only the matching rows instead (e.g. one run's rows, or one file's records).
    """
    where = where or {}
    checked = {name: check_frame(df, name) for name, df in frames.items()}
    con.execute("BEGIN TRANSACTION")
    try:
        for name, df in checked.items():
            if name in where:
                predicate, params = where[name]
                con.execute(f'DELETE FROM "{name}" WHERE {predicate}', list(params))
            else:
                con.execute(f'DELETE FROM "{name}"')
            if df.height:
                con.register("_incoming", df.to_arrow())
                cols = ", ".join(f'"{c}"' for c in df.columns)
                con.execute(f'INSERT INTO "{name}" ({cols}) SELECT {cols} FROM _incoming')
                con.unregister("_incoming")
        con.execute("COMMIT")
    except BaseException:
        con.execute("ROLLBACK")
        raise


def read_table(
    con: duckdb.DuckDBPyConnection,
    name: str,
    columns: Sequence[str] | None = None,
    where: str | None = None,
    params: Sequence[object] = (),
    order_by: str | None = None,
) -> pl.DataFrame:
    """Read a documented table (or some of its columns) as a polars frame with its schema."""
    table = TABLES[name]
    cols = list(columns) if columns else [c.name for c in table.columns]
    sql = "SELECT " + ", ".join(f'"{c}"' for c in cols) + f' FROM "{name}"'
    if where:
        sql += f" WHERE {where}"
    if order_by:
        sql += f" ORDER BY {order_by}"
    df = con.sql(sql, params=list(params)).pl()
    schema = {c: table.schema[c] for c in cols}
    if df.height == 0:
        return pl.DataFrame(schema=schema)
    return df.cast(schema)  # type: ignore[arg-type]


def fetch_one(
    con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()
) -> tuple | None:
    """The first row of a query, or None.

    DuckDB 2.0 keeps a partly fetched result open and refuses other work on the connection
    until it is exhausted, so this fetches everything rather than calling `fetchone()`.
    """
    rows = con.execute(sql, list(params)).fetchall()
    return rows[0] if rows else None


def scalar(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[object] = ()) -> object:
    """The single value of a one-row, one-column query."""
    row = fetch_one(con, sql, params)
    if row is None:
        raise FrontsError(f"query returned no row: {sql}")
    return row[0]


def resolve_run(con: duckdb.DuckDBPyConnection, run: str = "latest") -> str:
    """The run id `run` if the warehouse has it, or the latest completed run for 'latest'."""
    if run == "latest":
        rows = con.execute(
            "SELECT run_id FROM runs WHERE status = 'completed' "
            "ORDER BY finished_at DESC, run_id LIMIT 1"
        ).fetchall()
        if not rows:
            raise FrontsError("no completed run in this warehouse; `fronts run` makes one")
        return rows[0][0]
    if not con.execute("SELECT 1 FROM runs WHERE run_id = ?", [run]).fetchall():
        raise FrontsError(f"no run {run!r} in this warehouse (`fronts show` lists the latest)")
    return run
