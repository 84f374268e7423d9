"""Stages as the warehouse sees them: read named tables, call the library, write named tables.

Each function here is what a Prefect task of `flows/` calls, and what the CLI calls directly.
The computing lives in the library modules they call (`fronts.ingest`, `fronts.normalise`,
`fronts.embed`, `fronts.topics`, `fronts.scoring`); these functions only move frames between
DuckDB and those modules, one transaction per stage.
"""
