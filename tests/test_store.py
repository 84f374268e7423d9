import polars as pl
import pytest

from fronts.errors import FrontsError, SchemaMismatchError
from fronts.schemas import STAGE_COUNTS
from fronts.store import connect, read_table, write_tables


def _counts(stage: str, n: int) -> pl.DataFrame:
    return pl.DataFrame(
        [
            {
                "stage": stage,
                "source": "wos",
                "source_file": "a.txt",
                "n_read": n,
                "n_accepted": n,
                "n_merged": 0,
                "n_quarantined": 0,
            }
        ],
        schema=STAGE_COUNTS.schema,
    )


def test_write_replaces_rows_and_is_idempotent(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    for _ in range(2):
        write_tables(con, {"stage_counts": _counts("ingest", 3)})
    write_tables(
        con, {"stage_counts": _counts("other", 1)}, where={"stage_counts": ("stage = ?", ["other"])}
    )
    got = read_table(con, "stage_counts", order_by="stage")
    assert got["stage"].to_list() == ["ingest", "other"]
    assert got.schema == STAGE_COUNTS.schema


def test_a_failing_stage_leaves_the_tables_untouched(tmp_path):
    con = connect(tmp_path / "w.duckdb")
    write_tables(con, {"stage_counts": _counts("ingest", 3)})
    bad = _counts("ingest", 4).with_columns(n_read=pl.lit("x"))
    with pytest.raises(SchemaMismatchError):
        write_tables(con, {"stage_counts": bad})
    # a failure inside the transaction (unknown column in the predicate) rolls back the delete
    with pytest.raises(Exception, match="no_such_column"):
        write_tables(
            con,
            {"stage_counts": _counts("ingest", 5)},
            where={"stage_counts": ("no_such_column = 1", [])},
        )
    assert read_table(con, "stage_counts")["n_read"].to_list() == [3]


def test_read_only_connect_needs_an_existing_warehouse(tmp_path):
    with pytest.raises(FrontsError, match="no warehouse"):
        connect(tmp_path / "missing.duckdb", read_only=True)


def test_a_warehouse_of_an_earlier_version_gains_new_columns_and_keeps_its_rows(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    write_tables(con, {"stage_counts": _counts("ingest", 3)})
    # What an earlier version made: stage_counts without its last column.
    con.execute("ALTER TABLE stage_counts DROP COLUMN n_quarantined")
    con.close()
    con = connect(db)
    got = read_table(con, "stage_counts")
    assert got.columns == list(STAGE_COUNTS.schema)
    assert got["n_read"].to_list() == [3] and got["n_quarantined"].to_list() == [None]
    con.close()


def test_a_removed_or_renamed_column_is_refused(tmp_path):
    db = tmp_path / "w.duckdb"
    con = connect(db)
    con.execute("ALTER TABLE stage_counts RENAME COLUMN n_read TO n_seen")
    con.close()
    with pytest.raises(FrontsError, match="use a new --db file"):
        connect(db)
