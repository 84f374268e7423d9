"""End to end: the Prefect flow on a real mixed WoS + Scopus corpus, twice with the same seed."""

from __future__ import annotations

import math

import polars as pl
import pytest

from fronts.config import load_config
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


def test_flow_runs_end_to_end_and_is_deterministic(tmp_path, shared_corpora, prefect_harness):
    from flows.research_fronts import research_fronts

    folder = shared_corpora / "data-science-education"
    files = sorted(folder.glob("*.csv")) + sorted(folder.glob("*.txt"))
    config = load_config(None, db=tmp_path / "w.duckdb", window=[2019, 2024], seed=11)

    first = research_fronts(config, paths=files, replace=True)
    con = connect(config.db)
    counts = read_table(con, "stage_counts", where="source_file = '*'").row(0, named=True)
    assert counts["n_read"] == 318 + 146
    assert counts["n_read"] == counts["n_accepted"] + counts["n_merged"] + counts["n_quarantined"]
    assert counts["n_merged"] > 50  # WoS and Scopus overlap
    assert scalar(con, "SELECT status FROM runs WHERE run_id = ?", [first.run_id]) == "completed"
    n_topics = first.stages["topics"]["n_topics"]
    assert n_topics >= 3
    assert first.stages["topics"]["outlier_share"] <= 0.15
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
    assert second.stages["embed"]["n_embedded"] == 0  # every vector came from the cache
    assert second.stages["topics"]["reused_from"] is None
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
    assert third.stages["topics"]["reused_from"] == first.run_id
    assert third.stages["topics"]["n_topics"] == n_topics

    # A plain rerun of the first configuration reuses its own topic fit and ranks identically.
    fourth = research_fronts(config, report=False)
    assert fourth.run_id == first.run_id
    assert fourth.stages["topics"]["reused_from"] == first.run_id
    assert _ranking(config.db).filter(pl.col("run_id") == first.run_id).equals(before)
