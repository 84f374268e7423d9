"""What every stage receives and returns."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from fronts.config import RunConfig
from fronts.errors import FrontsError
from fronts.runs import RunInfo

if TYPE_CHECKING:
    from fronts.stages.inputs import IngestPlan


@dataclass(frozen=True)
class RunOptions:
    """How a run is carried out, as opposed to what it computes (that is `RunConfig`).

    `reuse_topics`: a completed run on the same corpus with the same embedding, topic and seed
    settings lends its (deterministic) topic fit instead of refitting. `report` renders
    `reports/<run_id>/` at the end, `pdf` prints it with Chromium too. `previous` names the
    completed run whose fronts the lineage links to (default: the latest completed run).
    """

    progress: bool = False
    reuse_topics: bool = True
    report: bool = True
    pdf: bool = True
    previous: str | None = None


@dataclass(frozen=True)
class StageContext:
    """The input of every stage: the configuration, the options, and what is known so far.

    `inputs` (the export files read, for the ingest stage) is None when the run analyses what
    the warehouse holds; `run` is set once the corpus is fixed and the run recorded.
    """

    config: RunConfig
    options: RunOptions = RunOptions()
    inputs: IngestPlan | None = None
    run: RunInfo | None = None

    def require_run(self) -> RunInfo:
        if self.run is None:
            raise FrontsError("this stage belongs to a run; start the run first")
        return self.run


@dataclass(frozen=True)
class StageResult:
    """Base of every stage's result: a few named figures, printable and JSON-friendly."""

    def summary(self) -> dict[str, Any]:
        return dataclasses.asdict(self)
