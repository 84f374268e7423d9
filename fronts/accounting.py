"""The corpus accounting as the CLI and the report show it: per source format, the records
read, accepted, merged and quarantined, with the years and coverage of the accepted ones."""

from __future__ import annotations

import duckdb
import polars as pl


def corpus_summary(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """One row per source format: files, n_read, accepted, merged, quarantined, year_min,
    year_max, share_abstract, share_references and times_cited (of the accepted records)."""
    return con.sql(
        """
        WITH counts AS (
            SELECT source, count(*) AS files, sum(n_read)::BIGINT AS n_read,
                   sum(n_accepted)::BIGINT AS accepted, sum(n_merged)::BIGINT AS merged,
                   sum(n_quarantined)::BIGINT AS quarantined
            FROM stage_counts WHERE stage = 'ingest' AND source_file <> '*' GROUP BY source
        ), coverage AS (
            SELECT source, min(year) AS year_min, max(year) AS year_max,
                   avg((abstract IS NOT NULL)::INT) AS share_abstract,
                   avg((len(cited_refs) > 0)::INT) AS share_references,
                   sum(times_cited)::BIGINT AS times_cited
            FROM records GROUP BY source
        )
        SELECT c.source, c.files, c.n_read, c.accepted, c.merged, c.quarantined,
               v.year_min, v.year_max, v.share_abstract, v.share_references, v.times_cited
        FROM counts c LEFT JOIN coverage v USING (source)
        ORDER BY c.source
        """
    ).pl()
