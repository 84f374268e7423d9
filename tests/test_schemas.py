from pathlib import Path

import polars as pl
import pytest

from fronts.errors import SchemaMismatchError
from fronts.schemas import STAGE_COUNTS, TABLES, check_frame, render_markdown

DOCS = Path(__file__).resolve().parents[1] / "docs" / "warehouse.md"


def test_docs_warehouse_md_is_rendered_from_the_schema():
    assert DOCS.read_text(encoding="utf-8") == render_markdown(), (
        "docs/warehouse.md is stale: run `python -m fronts.schemas > docs/warehouse.md`"
    )


def test_every_column_is_documented():
    for table in TABLES.values():
        assert table.doc
        for column in table.columns:
            assert column.doc.strip(), f"{table.name}.{column.name} has no meaning"


def test_check_frame_orders_casts_and_rejects():
    df = pl.DataFrame(
        {
            "n_quarantined": [0],
            "n_merged": [1],
            "n_accepted": [2],
            "n_read": [3],
            "source_file": ["*"],
            "source": ["*"],
            "stage": ["ingest"],
        },
        schema_overrides={"n_read": pl.Int32},
    )
    checked = check_frame(df, STAGE_COUNTS)
    assert checked.columns == STAGE_COUNTS.schema.names()
    assert checked.schema["n_read"] == pl.Int64
    with pytest.raises(SchemaMismatchError, match="unexpected columns \\['extra'\\]"):
        check_frame(df.with_columns(extra=pl.lit(1)), STAGE_COUNTS)
    with pytest.raises(SchemaMismatchError, match="column 'n_read'"):
        check_frame(df.with_columns(n_read=pl.lit("three")), STAGE_COUNTS)
