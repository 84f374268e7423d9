"""Prefect for the pipeline: each stage a Prefect task, the whole run one Prefect flow.

`prefect_task` is a `fronts.pipeline.Executor` that runs a stage as a task named after it; the
deployable flow in `flows/research_fronts.py` and `fronts run` both use it, inside a flow called
"research-fronts", so every run shows up in the Prefect UI stage by stage. Without a Prefect
server configured (PREFECT_API_URL), Prefect starts a temporary local one (about 10 s).

`prefect_environment` must run before Prefect is imported: it keeps Prefect offline and
quiet (its console log shows only with `verbose`; the log still reaches the server, so the UI
keeps it), and gives the temporary server time to create its database on a fresh machine.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import TypeVar

from fronts.pipeline import Stage
from fronts.stages.base import StageResult

T = TypeVar("T")
FLOW_NAME = "research-fronts"

_OFFLINE = {
    "DO_NOT_TRACK": "1",
    "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
    # The first temporary server on a machine creates and migrates its SQLite database, which
    # took longer than Prefect's default 20 s on 2 cores (measured: `make demo` timed out).
    "PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS": "120",
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
}
# Prefect's logging config takes overrides from PREFECT_LOGGING_<PATH>_<KEY> (logging.yml).
_QUIET = {
    "PREFECT_LOGGING_HANDLERS_CONSOLE_LEVEL": "CRITICAL",
    "PREFECT_LOGGING_HANDLERS_DEBUG_LEVEL": "CRITICAL",
}


def prefect_environment(verbose: bool = False) -> None:
    """Offline and (unless `verbose`) quiet Prefect settings; the user's own settings win."""
    for key, value in {**_OFFLINE, **({} if verbose else _QUIET)}.items():
        os.environ.setdefault(key, value)


def prefect_task(stage: Stage, work: Callable[[], StageResult]) -> StageResult:
    """Run one stage as a Prefect task named after it (no caching: stages write tables)."""
    from prefect import task
    from prefect.cache_policies import NO_CACHE

    return task(work, name=stage.name, cache_policy=NO_CACHE, persist_result=False)()


def run_as_flow(body: Callable[[], T], name: str = FLOW_NAME) -> T:
    """Run `body` (which calls `run_pipeline` with `prefect_task`) as one Prefect flow run."""
    from prefect import flow

    return flow(body, name=name, log_prints=False, persist_result=False)()


# The deployable flow, named by its entrypoint as Prefect deployments name flows: the library
# refers to it, it does not import it (flows/ sits above the library).
ENTRYPOINT = "flows.research_fronts:research_fronts"


def check_cron(cron: str) -> str:
    """The cron expression, checked as Prefect's schedule reads it; `UsageError` otherwise."""
    from pydantic import ValidationError

    from fronts.errors import UsageError

    prefect_environment()
    from prefect.client.schemas.schedules import CronSchedule

    try:
        CronSchedule(cron=cron)
    except ValidationError:
        raise UsageError(f"--cron {cron!r}: not a cron expression (e.g. '0 6 1 3 *')") from None
    return cron


def serve_yearly(name: str, cron: str, parameters: dict, verbose: bool = False) -> None:
    """Register the flow as a deployment with `cron` as its schedule and serve it: this process
    runs the scheduled (and hand-triggered) runs until it is stopped. Needs a Prefect server
    (PREFECT_API_URL); the temporary one cannot schedule."""
    prefect_environment(verbose=verbose)
    from prefect.flows import EntrypointType, load_flow_from_entrypoint

    flow = load_flow_from_entrypoint(ENTRYPOINT, use_placeholder_flow=False)
    flow.serve(
        name=name,
        cron=cron,
        parameters=parameters,
        description="The annual research-fronts run (fronts deploy).",
        entrypoint_type=EntrypointType.MODULE_PATH,
        print_starting_message=True,
    )
