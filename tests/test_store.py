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
