"""The clustering's geometry: the neighbour graph, seeded UMAP layouts, HDBSCAN, their consensus.

One UMAP + HDBSCAN fit moves with its seed; `ConsensusClusterer`, the cluster model that
`fronts.topics` hands to BERTopic, therefore runs several fits with independent seeds from one
shared neighbour graph and keeps the topics most of them agree on (`fronts.consensus`). The
fits and the 2-D map run in worker processes (`run_layouts`), each seeded and single-threaded,
so the result is the same for any number of processes. Every model is built here from the typed
config with the run's seed, so nothing falls back to a library default unnoticed.
"""

from __future__ import annotations

import math
import os
import sys
import warnings
from typing import Any

import numpy as np

from fronts.cluster_selection import select_clusters
from fronts.config import TopicsConfig
from fronts.consensus import consensus_partition
from fronts.errors import FrontsError
from fronts.vectors import unit_rows

# The 2-D map spreads points a little (umap's default min_dist) so that a dense topic reads as
# a cloud rather than a dot; clustering itself uses config.umap.min_dist.
MAP_MIN_DIST = 0.1


UMAP_SMALL_DATA = 4096  # below this many works umap computes exact neighbours itself


def build_umap(config: TopicsConfig, seed: int, n_components: int | None = None, **kw: Any):
    """UMAP from the config; a random_state makes umap single-threaded and deterministic."""
    from umap import UMAP

    u = config.umap
    params: dict[str, Any] = {
        "n_neighbors": u.n_neighbors,
        "n_components": u.n_components if n_components is None else n_components,
        "min_dist": u.min_dist,
        "metric": u.metric,
        "low_memory": u.low_memory,
        "n_epochs": u.n_epochs,
        "random_state": seed,
        "n_jobs": 1,  # what random_state forces anyway; saying so avoids umap's warning
    }
    params.update(kw)
    return UMAP(**params)


def resolve_min_cluster_size(n_works: int, config: TopicsConfig) -> int:
    """HDBSCAN's min_cluster_size: the configured value, or a third of sqrt(2 n).

    The number of groups in n items grows like sqrt(n / 2) (the rule of thumb in Mardia, Kent &
    Bibby 1979, *Multivariate Analysis*, p. 365), so a typical group holds sqrt(2 n) items; a
    front may be a third of a typical one. That gives 8 works at 280 works, 15 at 1,000, 33 at
    5,000 and 67 at 20,000: fine enough for a small corpus to show several fronts, coarse
    enough for a large one to show fronts rather than clusters of a few papers. The value is
    clamped to [5, 100] and, for tiny corpora, to at most a fifth of the works, never below 2.
    """
    if config.hdbscan.min_cluster_size is not None:
        return config.hdbscan.min_cluster_size
    size = min(max(round(math.sqrt(2 * n_works) / 3), 5), 100)
    return max(2, min(size, n_works // 5))


def resolve_max_cluster_size(n_works: int, min_cluster_size: int, config: TopicsConfig) -> int:
    """HDBSCAN's max_cluster_size: `max_cluster_share` of the works (0 = no cap).

    Never below twice min_cluster_size: a capped cluster must be able to split into two
    clusters that are large enough, or the cap would only turn its works into noise.
    """
    share = config.hdbscan.max_cluster_share
    if share is None:
        return 0
    return max(math.ceil(share * n_works), 2 * min_cluster_size)


def build_hdbscan(config: TopicsConfig, min_cluster_size: int):
    """HDBSCAN from the config; no prediction data (we never predict new works) and one core-
    distance thread so that the result cannot depend on scheduling. The size cap is applied
    afterwards, on its condensed tree (`hdbscan_labels`)."""
    from hdbscan import HDBSCAN

    h = config.hdbscan
    return HDBSCAN(
        min_cluster_size=min_cluster_size,
        min_samples=h.min_samples,
        cluster_selection_method=h.cluster_selection_method,
        metric="euclidean",
        prediction_data=False,
        core_dist_n_jobs=1,
    )


def hdbscan_labels(reduced: np.ndarray, config: TopicsConfig, min_cluster_size: int) -> np.ndarray:
    """HDBSCAN clusters of the reduced vectors, over-size clusters split where they can be.

    With "eom" selection and a `max_cluster_share`, clusters come from the condensed tree by
    `fronts.cluster_selection.select_clusters`, which keeps an over-size cluster that has no
    sub-clusters instead of dropping it into noise as hdbscan's own max_cluster_size does.
    """
    model = build_hdbscan(config, min_cluster_size).fit(reduced)
    cap = resolve_max_cluster_size(reduced.shape[0], min_cluster_size, config)
    if config.hdbscan.cluster_selection_method != "eom" or cap == 0:
        return np.asarray(model.labels_, dtype=np.int64)
    return select_clusters(model.condensed_tree_.to_numpy(), cap)


# Automatic number of consensus fits: FIT_BUDGET / works, within [MIN_FITS, MAX_FITS].
FIT_BUDGET = 10_000
MIN_FITS, MAX_FITS = 5, 25


def resolve_consensus_runs(n_works: int, config: TopicsConfig) -> int:
    """How many seeded fits the consensus combines: the configured number, or by size.

    One UMAP layout is chaotic in its input (a 1e-6 change of the vectors gives another
    layout), so a small corpus's topics hang on few fits: at 280 works, five fits gave 2 to 5
    topics under such noise, 9 or more gave the same 3 every time (docs/methodology.md,
    "Consensus"). A fit costs about linearly in the works, so small corpora get more of them:
    ceil(FIT_BUDGET / works) fits, between MIN_FITS and MAX_FITS.
    """
    if config.consensus.runs is not None:
        return config.consensus.runs
    return min(MAX_FITS, max(MIN_FITS, math.ceil(FIT_BUDGET / max(n_works, 1))))


def fit_seeds(seed: int, runs: int) -> list[int]:
    """Seeds of the consensus fits, derived from the run's seed by numpy's SeedSequence.

    Independent streams: two run seeds share no fit, so comparing runs with different seeds
    measures the stability of the consensus, not the overlap of its inputs.
    """
    return [int(s) for s in np.random.SeedSequence(seed).generate_state(runs)]


def shared_knn(vectors: np.ndarray, config: TopicsConfig, seed: int) -> tuple:
    """The nearest-neighbour graph (indices, distances, index) every UMAP of a run starts from.

    Computed once and lent to each fit and to the map, which then differ only in their layouts.
    From umap's small-data limit (4,096 works) up it is umap's own search (pynndescent, seeded,
    one thread); below it, the exact neighbours umap would compute itself, but with one matrix
    product: umap's exact path calls its distance function once per pair from Python
    (measured: minutes per fit at 4,000 works) and would repeat that in every fit.
    """
    u = config.umap
    if vectors.shape[0] < UMAP_SMALL_DATA:
        return exact_knn(vectors, u.n_neighbors, u.metric)
    from umap.umap_ import nearest_neighbors

    return nearest_neighbors(
        vectors,
        u.n_neighbors,
        u.metric,
        {},
        False,  # angular trees off, as umap's own fit (angular_rp_forest=False)
        np.random.RandomState(seed),
        low_memory=u.low_memory,
        n_jobs=1,
    )


def exact_knn(vectors: np.ndarray, k: int, metric: str) -> tuple:
    """Exact k nearest neighbours by cosine distance, each point its own first neighbour.

    What umap's small-data path computes (a full distance matrix, rows sorted); the search
    index is None because new points are never transformed.
    """
    if metric != "cosine":  # the configuration admits only cosine (UmapConfig.metric)
        raise FrontsError(f"umap.metric {metric!r}: only 'cosine' is supported")
    unit = unit_rows(vectors)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    np.fill_diagonal(distance, 0.0)
    k = min(k, unit.shape[0])
    indices = np.argsort(distance, axis=1, kind="stable")[:, :k]
    dists = np.take_along_axis(distance, indices, axis=1)
    return indices.astype(np.int32), dists.astype(np.float32), None


class ConsensusClusterer:
    """BERTopic's cluster model: R seeded UMAP + HDBSCAN fits and their majority-vote consensus.

    BERTopic hands it the embeddings unchanged (its own reduction step is skipped), and each of
    the fits (`resolve_consensus_runs`) reduces them with UMAP from one shared neighbour graph,
    with its own seed (`fit_seeds`), and clusters the result with HDBSCAN.
    `fronts.consensus.consensus_partition` keeps what most fits agree on; `labels_` is that
    partition (-1 = outlier), `partitions_` the single fits, `knn_` the shared graph. With
    `with_map`, the 2-D map (`map_coordinates`) is laid out alongside the fits, as `map_`.
    The fits run in `topics.jobs` worker processes (`run_layouts`); each is seeded and
    single-threaded, so the partition is the same for any number of processes.
    """

    def __init__(
        self,
        config: TopicsConfig,
        seed: int,
        min_cluster_size: int,
        with_map: bool = False,
        progress: bool = False,
        shards: Any = None,
    ) -> None:
        self.config = config
        self.seed = seed
        self.min_cluster_size = min_cluster_size
        self.with_map = with_map
        self.progress = progress
        self.shards = shards

    def fit(self, X: np.ndarray, y: Any = None) -> ConsensusClusterer:
        from fronts.jit_cache import enable_jit_cache

        enable_jit_cache()  # before the neighbour search compiles pynndescent
        # the layouts never search the graph: its search index (measured: ~45 MB at 30,000
        # works) is not kept through the fits, when the stage's memory peaks
        self.knn_ = (*shared_knn(X, self.config, self.seed)[:2], None)
        self.runs_ = resolve_consensus_runs(X.shape[0], self.config)
        tasks = [(fit_seed, self.min_cluster_size) for fit_seed in fit_seeds(self.seed, self.runs_)]
        if self.with_map:
            tasks.append((self.seed, None))
        results = run_layouts(X, self.knn_, self.config, tasks, self.progress, self.shards)
        self.partitions_ = results[: self.runs_]
        self.map_ = results[self.runs_] if self.with_map else None
        self.labels_ = consensus_partition(
            self.partitions_, self.min_cluster_size, self.config.consensus.min_jaccard
        )
        return self


def resolve_jobs(tasks: int, config: TopicsConfig) -> int:
    """Worker processes for `tasks` layouts: `topics.jobs`, else one per usable CPU core."""
    cores = config.jobs or len(os.sched_getaffinity(0))
    return max(1, min(cores, tasks))


# From this many works on, the layout workers are ended once a corpus's layouts are done
# (`release_workers`): there they hold hundreds of MB through the rest of the run, while
# starting them again costs seconds of a run that takes minutes.
RELEASE_WORKERS_FROM = 20_000


def release_workers() -> None:
    """End the worker processes that joblib keeps alive for reuse after the layouts.

    loky keeps them up to 300 s after their last task, each holding umap, numba's compiled code
    and what its layouts left behind: 576 MB for the two of them at 70,000 works while the
    main process went on to count the terms (docs/benchmarks.md, 60,000 works). A later layout
    starts new ones. Does nothing to a Dask cluster's workers. The workers are the process's,
    not a run's: call it only where no other thread of this process is laying out (the pipeline
    runs one stage at a time).
    """
    from joblib.externals.loky import get_reusable_executor

    # reuse=True hands back the running executor whatever it was made with, not a new one
    get_reusable_executor(reuse=True).shutdown(wait=True)


def _layout_task(
    vectors: np.ndarray, graph: tuple, config: TopicsConfig, seed: int, mcs: int | None
) -> np.ndarray:
    """One consensus fit (HDBSCAN labels of a seeded layout), or the 2-D map when `mcs` is None.

    Runs in a worker process as well as in this one. umap writes into the neighbour arrays it
    is given (it marks disconnected neighbours), and a worker's are read-only memory maps: each
    layout gets its own copy, so every fit starts from the same graph wherever it runs.
    """
    from fronts.jit_cache import enable_jit_cache

    enable_jit_cache()
    graph = (np.array(graph[0]), np.array(graph[1]), None)
    if mcs is None:
        return map_coordinates(vectors, graph, config, seed)
    return hdbscan_labels(layout(vectors, graph, config, seed), config, mcs)


def run_layouts(
    vectors: np.ndarray,
    knn: tuple,
    config: TopicsConfig,
    tasks: list[tuple[int, int | None]],
    progress: bool = False,
    shards: Any = None,
) -> list[np.ndarray]:
    """Results of `_layout_task` for each (seed, min_cluster_size or None) of `tasks`, in order.

    With more than one job they run in joblib's loky worker processes, which get the vectors
    and the neighbour graph memory-mapped; the graph's search index stays here (a layout never
    searches it). `progress` shows a bar on stderr counting finished layouts. With `shards`
    (`fronts.scale.DaskShards`) they run on its Dask cluster instead.
    """
    from joblib import Parallel, delayed

    graph = (knn[0], knn[1], None)
    if shards is not None:
        arguments = [(vectors, graph, config, s, m) for s, m in tasks]
        return shards.map(_layout_task, arguments, "layout")
    jobs = resolve_jobs(len(tasks), config)
    if jobs == 1:
        results = (_layout_task(vectors, graph, config, s, m) for s, m in tasks)
    else:
        run = Parallel(n_jobs=jobs, backend="loky", max_nbytes="1M", return_as="generator")
        results = run(delayed(_layout_task)(vectors, graph, config, s, m) for s, m in tasks)
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=len(tasks), unit="layout", desc=f"topics ({jobs} jobs)", file=sys.stderr)
    out = []
    for result in results:
        out.append(result)
        if bar is not None:
            bar.update(1)
    if bar is not None:
        bar.close()
    return out


def layout(vectors: np.ndarray, knn: tuple, config: TopicsConfig, seed: int, **kw: Any):
    """A seeded UMAP layout of the vectors from the precomputed neighbour graph `knn`."""
    with warnings.catch_warnings():
        # No search index is passed for exact neighbours: umap warns that transform() would be
        # unavailable, which is never called here.
        warnings.filterwarnings("ignore", message=r"precomputed_knn\[2\]", category=UserWarning)
        reducer = build_umap(config, seed, precomputed_knn=knn, **kw)
        return reducer.fit_transform(vectors)


def map_coordinates(embeddings: np.ndarray, knn: tuple, config: TopicsConfig, seed: int):
    """2-D map: a seeded 2-component UMAP of the embeddings, as BERTopic's document maps.

    It reuses the clustering's nearest-neighbour graph `knn` (`shared_knn`). Mapping the
    embeddings with the clustering's metric also reuses its compiled numba code, where mapping
    the reduced vectors would compile the euclidean variants, about 10 s more per process (see
    docs/methodology.md for the timings).
    """
    coords = layout(embeddings, knn, config, seed, n_components=2, min_dist=MAP_MIN_DIST)
    return np.asarray(coords, dtype=np.float64)
