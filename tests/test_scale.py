"""Shards on a Dask cluster through Prefect's DaskTaskRunner: a 2-worker LocalCluster on loopback
gives the same vectors and layouts as one process."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import fronts.layouts
from fronts.config import EmbedConfig, IngestConfig, ScaleConfig, TopicsConfig, load_config
from fronts.embed import embed_chunks, load_model
from fronts.errors import ConfigError
from fronts.ingest.detect import read_file
from fronts.scale import ClusterError, DaskShards, cluster_shards


@pytest.fixture(scope="module")
def texts(fixtures_dir: Path) -> list[str]:
    records = read_file(fixtures_dir / "scopus" / "export_2024.csv", IngestConfig()).records
    wos = read_file(fixtures_dir / "wos" / "valid.txt", IngestConfig()).records
    return [t for t in [*records["title"], *wos["title"], *records["abstract"]] if t]


def test_no_cluster_unless_configured_and_never_two() -> None:
    with cluster_shards(ScaleConfig()) as shards:
        assert shards is None
    with cluster_shards(ScaleConfig(local_cluster=2)) as shards:
        assert isinstance(shards, DaskShards)  # no cluster started until a shard is sent
    with pytest.raises(ConfigError, match="not both"):
        load_config(None, **{"scale.dask_address": "tcp://x:1", "scale.local_cluster": 2})


def test_an_unreachable_scheduler_is_a_one_line_error() -> None:
    shards = DaskShards(ScaleConfig(dask_address="tcp://127.0.0.1:9"))
    with pytest.raises(ClusterError, match=r"scale\.dask_address .* no Dask scheduler") as err:
        _ = shards.width
    assert "\n" not in str(err.value)


TASKS = [(1, 10), (2, 10), (7, None)]  # two consensus fits and the map


def layout_inputs() -> tuple[np.ndarray, tuple]:
    rng = np.random.default_rng(5)
    centres = rng.normal(size=(3, 16))
    vectors = np.repeat(centres, 40, axis=0) + 0.2 * rng.normal(size=(120, 16))
    vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return vectors, fronts.layouts.exact_knn(vectors, 15, "cosine")


@pytest.mark.slow
def test_a_two_worker_cluster_gives_the_single_process_results(
    texts: list[str], tmp_path: Path
) -> None:
    config = EmbedConfig(commit_every=4, backend="onnx")  # vectors that cannot depend on a batch
    here = list(embed_chunks(lambda: load_model(config), texts, config))
    with cluster_shards(ScaleConfig(local_cluster=2)) as shards:
        there = list(embed_chunks(lambda: load_model(config), texts, config, shards=shards))
        remote = fronts.layouts.run_layouts(*layout_inputs(), TopicsConfig(), TASKS, shards=shards)
    assert [p for p, _ in here] == [p for p, _ in there] and len(here) >= 3
    assert all(np.array_equal(a, b) for (_, a), (_, b) in zip(here, there, strict=True))
    local = fronts.layouts.run_layouts(*layout_inputs(), TopicsConfig(jobs=1), TASKS)
    assert all(np.array_equal(a, b) for a, b in zip(local, remote, strict=True))
