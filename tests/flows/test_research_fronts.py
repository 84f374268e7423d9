"""End to end: the Prefect flow on a real mixed WoS + Scopus corpus, twice with the same seed.

The flow runs every stage of `fronts.pipeline.STAGES` as a Prefect task of its own."""

from __future__ import annotations

import math

import polars as pl
import pytest

from fronts.config import load_config
from fronts.pipeline import STAGES
from fronts.store import connect, read_table, scalar

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def prefect_harness(tmp_path_factory):
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness():
        yield


def _ranking(db) -> pl.DataFrame:
    con = connect(db, read_only=True)
    try:
        return read_table(con, "fronts", order_by="rank")
    finally:
        con.close()


def _task_names(flow_run_id) -> list[str]:
    """The names of the flow run's task runs, in the order they started."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    with get_client(sync_client=True) as client:
        runs = client.read_task_runs(
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
        )
    return [r.name.rsplit("-", 1)[0] for r in sorted(runs, key=lambda r: r.expected_start_time)]


def test_flow_runs_end_to_end_and_is_deterministic(tmp_path, shared_corpora, prefect_harness):
    from flows.research_fronts import research_fronts

    folder = shared_corpora / "data-science-education"
    files = sorted(folder.glob("*.csv")) + sorted(folder.glob("*.txt"))
    config = load_config(None, db=tmp_path / "w.duckdb", window=[2019, 2024], seed=11)

    state = research_fronts(config, paths=files, replace=True, return_state=True)
    first = state.result()
    assert _task_names(state.state_details.flow_run_id) == [s.name for s in STAGES]
    con = connect(config.db)
    counts = read_table(con, "stage_counts", where="source_file = '*'").row(0, named=True)
    assert counts["n_read"] == 318 + 146
    assert counts["n_read"] == counts["n_accepted"] + counts["n_merged"] + counts["n_quarantined"]
    assert counts["n_merged"] > 50  # WoS and Scopus overlap
    assert scalar(con, "SELECT status FROM runs WHERE run_id = ?", [first.run_id]) == "completed"
    n_topics = first.stages["topics"].n_topics
    assert n_topics >= 3
    assert first.stages["topics"].outlier_share <= 0.15
    scores = read_table(con, "topic_scores", where="run_id = ?", params=[first.run_id])
    ranked = scores.filter(pl.col("score").is_not_null())
    for column in ("growth", "mean_year", "coherence", "impact", "emergence", "score"):
        assert all(math.isfinite(v) for v in ranked[column].to_list()), column
    fronts = read_table(con, "fronts", where="run_id = ?", params=[first.run_id], order_by="rank")
    assert fronts["rank"].to_list() == list(range(1, fronts.height + 1))
    assert (fronts["rank_low"] <= fronts["rank"]).all() and (
        fronts["rank"] <= fronts["rank_high"]
    ).all()
    assert set(fronts["class"].to_list()) <= {"hot", "emerging", "established"}
    n_cached = scalar(con, "SELECT count(*) FROM embeddings")
    con.close()
    before = _ranking(config.db)

    # A rerun refits everything but the embeddings (cached), and must give identical tables.
    second = research_fronts(config, paths=files, replace=True, reuse_topics=False)
    assert second.run_id == first.run_id
    assert second.stages["embed"].n_embedded == 0  # every vector came from the cache
    assert second.stages["topics"].reused_from is None
    after = _ranking(config.db)
    assert after.equals(before)
    con = connect(config.db, read_only=True)
    assert scalar(con, "SELECT count(*) FROM embeddings") == n_cached
    con.close()

    # Only the score weights change: a new run that borrows the topic fit instead of refitting.
    reweighted = config.model_copy(
        update={"score": config.score.model_copy(update={"bootstrap": 50})}
    )
    third = research_fronts(reweighted, report=False)
    assert third.run_id != first.run_id
    assert third.stages["topics"].reused_from == first.run_id
    assert third.stages["topics"].n_topics == n_topics

    # A plain rerun of the first configuration reuses its own topic fit and ranks identically.
    fourth = research_fronts(config, report=False)
    assert fourth.run_id == first.run_id
    assert fourth.stages["topics"].reused_from == first.run_id
    assert _ranking(config.db).filter(pl.col("run_id") == first.run_id).equals(before)


def test_the_flow_on_a_two_worker_dask_cluster_ranks_as_in_one_process(
    tmp_path, shared_corpora, prefect_harness
):
    from flows.research_fronts import research_fronts

    folder = shared_corpora / "data-science-education"
    files = sorted(folder.glob("*.csv"))
    # the ONNX backend: a vector cannot depend on which worker, batch or thread count made it
    onnx = {"embed.backend": "onnx"}
    alone = load_config(None, db=tmp_path / "alone.duckdb", window=[2019, 2024], seed=3, **onnx)
    spread = load_config(
        None,
        db=tmp_path / "cluster.duckdb",
        window=[2019, 2024],
        seed=3,
        **onnx,
        **{"scale.local_cluster": 2},
    )
    first = research_fronts(alone, paths=files, replace=True, report=False)
    second = research_fronts(spread, paths=files, replace=True, report=False)
    assert second.run_id == first.run_id  # where work runs is not part of a run's identity
    assert second.stages["embed"].n_embedded == first.stages["embed"].n_embedded > 100
    assert _ranking(spread.db).equals(_ranking(alone.db))
    for table in ("doc_topics", "topics", "embeddings"):
        assert _table(alone.db, table).equals(_table(spread.db, table)), table


def _table(db, name: str) -> pl.DataFrame:
    con = connect(db, read_only=True)
    try:
        frame = read_table(con, name)
        return frame.drop("embedded_by").sort("text_sha256") if name == "embeddings" else frame
    finally:
        con.close()
