"""Shards of a stage's work on a Dask cluster, through Prefect's DaskTaskRunner (prefect-dask).

With `[scale] dask_address` (or `local_cluster`) set, the embedding stage sends its chunks of
texts and the topics stage its consensus fits and map layout to the cluster, each shard a
Prefect task of a nested flow ("fronts-shards") whose task runner is prefect-dask's
`DaskTaskRunner`, so the shards appear in the Prefect UI beside the stages. Results come back in
the order of the shards. They are the same as in one process: the ONNX backends embed each text
alone (its vector does not depend on which worker or batch embeds it), and each fit is seeded
and single-threaded. The warehouse stays with the flow: workers get inputs and return arrays.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from typing import Any

from fronts.config import ScaleConfig
from fronts.errors import FrontsError


class ClusterError(FrontsError, ConnectionError):
    """The Dask cluster named in the configuration cannot be reached."""


class DaskShards:
    """Runs shards as Prefect tasks on a Dask cluster: an existing one, or a LocalCluster it
    starts on first use and stops on `close` (so the workers, and the model each loads, live
    through all the rounds of a stage)."""

    def __init__(self, scale: ScaleConfig) -> None:
        self.scale = scale
        self._width: int | None = None
        self._cluster: Any = None

    @property
    def width(self) -> int:
        """Worker threads of the cluster: how many shards run at once."""
        if self._width is None:
            self._width = self.scale.local_cluster or self._remote_threads()
        return self._width

    def _remote_threads(self) -> int:
        from distributed import Client

        try:
            with Client(self.scale.dask_address, timeout="10s", set_as_default=False) as client:
                return max(1, sum(client.nthreads().values()))
        except (OSError, TimeoutError) as exc:
            raise ClusterError(
                f"scale.dask_address {self.scale.dask_address!r}: no Dask scheduler answers "
                f"({exc}); start one (`dask scheduler`) or remove the setting"
            ) from None

    def _address(self) -> str:
        if self.scale.dask_address:
            return self.scale.dask_address
        if self._cluster is None:
            from distributed import LocalCluster

            self._cluster = LocalCluster(
                n_workers=self.scale.local_cluster,
                threads_per_worker=1,
                processes=True,
                host="127.0.0.1",  # loopback only
                dashboard_address=None,
                silence_logs=logging.ERROR,
            )
        return self._cluster.scheduler_address

    def map(self, fn: Callable[..., Any], shards: Sequence[tuple], name: str) -> list[Any]:
        """`fn(*shard)` for every shard, on the cluster; results in the order of `shards`."""
        from prefect import flow, task
        from prefect.cache_policies import NO_CACHE
        from prefect_dask import DaskTaskRunner

        work = task(fn, name=name, cache_policy=NO_CACHE, persist_result=False)

        def run_shards() -> list[Any]:
            futures = [work.submit(*shard) for shard in shards]
            return [future.result() for future in futures]

        nested = flow(
            run_shards,
            name="fronts-shards",
            task_runner=DaskTaskRunner(address=self._address()),
            log_prints=False,
            persist_result=False,
        )
        # In a thread of its own the flow starts with no Prefect context: called from a stage's
        # task, it would otherwise ship that task (which holds the warehouse) to the workers.
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(nested).result()

    def close(self) -> None:
        """Stop the LocalCluster, if one was started."""
        if self._cluster is not None:
            self._cluster.close()
            self._cluster = None


@contextmanager
def cluster_shards(scale: ScaleConfig) -> Iterator[DaskShards | None]:
    """A `DaskShards` while the block runs when the configuration names a cluster, else None
    (the stage runs in-process); a LocalCluster it started is stopped at the end."""
    if not (scale.dask_address or scale.local_cluster):
        yield None
        return
    shards = DaskShards(scale)
    try:
        yield shards
    finally:
        shards.close()
