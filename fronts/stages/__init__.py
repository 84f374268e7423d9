"""The stages of a run, one module each, all with one signature: `run(con, ctx) -> Result`.

Each reads named warehouse tables, calls the library (`fronts.ingest`, `fronts.normalise`,
`fronts.embed`, `fronts.topics`, `fronts.scoring`, `fronts.report`) and writes named tables,
one transaction per write, and returns a small typed result. Their order is declared once, in
`fronts.pipeline`; the table schemas live in `fronts.schemas`, whose `written_by` names these
stages.
"""
