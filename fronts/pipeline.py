"""The pipeline of a run, declared once: its stages in order, and `run_pipeline` to run them.

    ingest -> normalise -> [run starts] -> embed -> topics -> score -> lineage -> [run ends]
        -> report

The corpus stages (ingest, normalise) build the warehouse's corpus; the run is then recorded
(`fronts.runs`: its id hashes the corpus and the result settings), the analysis stages compute
its tables, and the report renders it. Everything that runs a pipeline calls `run_pipeline`:
the command line, the Prefect flow (`flows/`, one task per stage through an executor), the
benchmarks and the evaluation harness. Nothing else lists the stages.

A stage that fails marks the run 'failed' (with its one-line error); one that is interrupted
(Ctrl-C, SIGTERM) marks it 'interrupted'; a killed process leaves it 'running' until the next
writer opens the warehouse and marks it 'interrupted' (`fronts.warehouse`). Running the same
command again resumes it: same run id, the vectors the earlier attempt committed are reused,
and a topic fit it completed is reused.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Literal

import duckdb

from fronts.config import RunConfig
from fronts.runs import RunInfo, finish_run, start_run
from fronts.stages import embed, ingest, lineage, normalise, report, score, topics
from fronts.stages.base import RunOptions, StageContext, StageResult
from fronts.stages.inputs import IngestPlan
from fronts.warehouse import Warehouse

Part = Literal["corpus", "analysis", "output"]


@dataclass(frozen=True)
class Stage:
    """One entry of the pipeline: its name (as in `fronts.schemas` written_by), the function
    that runs it, which part of the pipeline it belongs to, and when it is skipped."""

    name: str
    run: Callable[[duckdb.DuckDBPyConnection, StageContext], StageResult]
    part: Part
    skip: Callable[[StageContext], bool] = lambda ctx: False


STAGES: tuple[Stage, ...] = (
    Stage("ingest", ingest.run, "corpus", skip=lambda ctx: ctx.inputs is None),
    Stage("normalise", normalise.run, "corpus"),
    Stage("embed", embed.run, "analysis"),
    Stage("topics", topics.run, "analysis"),
    Stage("score", score.run, "analysis"),
    Stage("lineage", lineage.run, "analysis"),
    Stage("report", report.run, "output", skip=lambda ctx: not ctx.options.report),
)

# How a stage is carried out: called with the stage and a thunk that runs it, returns its
# result. `call_directly` runs it in place; `fronts.orchestration.prefect_task` as a Prefect
# task; benchmarks wrap it to time it.
Executor = Callable[[Stage, Callable[[], StageResult]], StageResult]


def call_directly(stage: Stage, work: Callable[[], StageResult]) -> StageResult:
    return work()


@dataclass
class RunOutcome:
    """What a pipeline did: the run (None when only the corpus stages ran) and each stage's
    result, by stage name, in the order they ran."""

    run: RunInfo | None
    stages: dict[str, StageResult] = field(default_factory=dict)

    @property
    def run_id(self) -> str:
        if self.run is None:
            raise ValueError("no run: only the corpus stages ran")
        return self.run.run_id

    @property
    def window(self) -> tuple[int, int]:
        if self.run is None:
            raise ValueError("no run: only the corpus stages ran")
        return self.run.window


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def run_pipeline(
    warehouse: Warehouse,
    config: RunConfig,
    inputs: IngestPlan | None = None,
    options: RunOptions | None = None,
    executor: Executor = call_directly,
    analyse: bool = True,
) -> RunOutcome:
    """Run the pipeline on an open warehouse (`fronts.warehouse.open_warehouse`).

    `inputs` (from `fronts.stages.ingest.read_inputs`) are ingested first; without them the
    run analyses the corpus the warehouse holds. With `analyse` false only the corpus stages
    run (`fronts ingest`). Each stage gets a connection of its own to the warehouse (it may run
    on another thread) and is run through `executor`.
    """
    ctx = StageContext(config, options or RunOptions(), inputs)
    outcome = RunOutcome(None)

    def do(stage: Stage, ctx: StageContext) -> None:
        if stage.skip(ctx):
            return

        def work() -> StageResult:
            con = warehouse.cursor()
            try:
                return stage.run(con, ctx)
            finally:
                con.close()

        outcome.stages[stage.name] = executor(stage, work)

    for stage in _part("corpus"):
        do(stage, ctx)
    if not analyse:
        return outcome
    outcome.run = start_run(warehouse.con, config, options.previous if options else None)
    ctx = dataclasses.replace(ctx, run=outcome.run)
    try:
        for stage in _part("analysis"):
            do(stage, ctx)
    except BaseException as exc:
        stopped = isinstance(exc, KeyboardInterrupt | SystemExit)
        status = "interrupted" if stopped else "failed"
        finish_run(warehouse.con, outcome.run, status, error=_one_line(exc))
        raise
    finish_run(warehouse.con, outcome.run, "completed")
    for stage in _part("output"):
        do(stage, ctx)
    return outcome


def _part(part: Part) -> list[Stage]:
    return [stage for stage in STAGES if stage.part == part]
