"""The annual run as a Prefect flow: one task per stage of `fronts.pipeline.STAGES`.

This is the flow to deploy (schedule, trigger from the Prefect UI): it holds the warehouse for
the whole run, reads the export files, and runs `fronts.pipeline.run_pipeline` with each stage
as a Prefect task. `fronts run` runs the same pipeline inside a flow of the same name. Run it
from Python, or `python -m flows.research_fronts CONFIG.toml`.
"""

# No `from __future__ import annotations` here: Prefect validates the flow's parameters with
# a pydantic model built from the signature, which needs the annotations as objects.
import sys
from pathlib import Path

from fronts.orchestration import FLOW_NAME, prefect_environment, prefect_task

prefect_environment()

from prefect import flow  # noqa: E402 (after the environment Prefect reads at import)

from fronts.config import RunConfig, load_config  # noqa: E402
from fronts.pipeline import RunOutcome, run_pipeline  # noqa: E402
from fronts.stages.base import RunOptions  # noqa: E402
from fronts.stages.inputs import read_inputs  # noqa: E402
from fronts.warehouse import open_warehouse  # noqa: E402


@flow(name=FLOW_NAME, log_prints=False)
def research_fronts(
    config: RunConfig,
    paths: list[Path] | None = None,
    replace: bool = False,
    progress: bool = False,
    report: bool = True,
    pdf: bool = True,
    reuse_topics: bool = True,
) -> RunOutcome:
    """Run the whole analysis on the warehouse `config.db`.

    `paths` (else `config.ingest.paths`) are ingested first; with none, the run analyses what
    the warehouse already holds. `replace` makes the given files the whole corpus. The report
    (`config.reports/<run_id>/`) is rendered last; `pdf` needs Chromium and fails clearly
    without it. With `reuse_topics`, an identical earlier topic fit on the same corpus is
    reused (the fit is deterministic); `False` refits.
    """
    files = list(paths or config.ingest.paths)
    options = RunOptions(progress=progress, reuse_topics=reuse_topics, report=report, pdf=pdf)
    with open_warehouse(config.db, command=f"prefect flow {FLOW_NAME}") as warehouse:
        inputs = read_inputs(warehouse.con, files, config.ingest, replace) if files else None
        return run_pipeline(warehouse, config, inputs, options, executor=prefect_task)


if __name__ == "__main__":
    research_fronts(load_config(sys.argv[1] if len(sys.argv) > 1 else None), replace=True)
