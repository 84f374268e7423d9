import numpy as np
import polars as pl
import pytest

from fronts.config import ScoreConfig
from fronts.scoring import score_topics
from fronts.scoring.membership import outlier_membership

IDS = np.array([-1, 0, 1])  # topic_ids of the work table: index 0 is the outliers' row


def _unit(deg: float) -> list[float]:
    return [np.cos(np.radians(deg)), np.sin(np.radians(deg))]


def test_without_vectors_only_reassigned_works_are_placed():
    # topic 0: core similarities .9 .8 .7 (median .8); reassigned .85 (counts) and .5 (not);
    # an unassigned outlier cannot be placed without embeddings.
    topic_idx = np.array([1, 1, 1, 1, 1, 0, 2, 2])
    core = np.array([True, True, True, False, False, False, True, True])
    sim = np.array([0.9, 0.8, 0.7, 0.85, 0.5, 0.99, 0.6, 0.6])
    m = outlier_membership(topic_idx, IDS, core, sim)
    assert m.median_core_similarity[1] == pytest.approx(0.8)
    assert m.n_core.tolist() == [0, 3, 2]
    assert m.n_outlier_members.tolist() == [0, 1, 0]
    assert m.outlier_membership[1] == pytest.approx(1 / 4)
    assert m.outlier_membership[2] == 0.0 and np.isnan(m.outlier_membership[0])


def test_with_vectors_outliers_go_to_their_nearest_topic():
    # Core of topic 0 at -10, 0, +10 degrees (median similarity cos 10); topic 1 at 80, 90, 100.
    angles = [-10, 0, 10, 80, 90, 100, 5, 30, 85, 45]
    topic_idx = np.array([1, 1, 1, 2, 2, 2, 0, 1, 0, 0])
    core = np.array([True] * 6 + [False] * 4)
    vectors = np.array([_unit(a) for a in angles]) * 3.0  # scale does not matter
    m = outlier_membership(topic_idx, IDS, core, np.full(10, np.nan), vectors)
    assert m.median_core_similarity[1] == pytest.approx(np.cos(np.radians(10)))
    # 5 deg: outlier, nearest topic 0 at cos 5 -> member; 30 deg: reassigned to 0, cos 30 < cos
    # 10 -> not; 85 deg: outlier nearest topic 1 -> member; 45 deg: tie, too far from both.
    assert m.n_outlier_members.tolist() == [0, 1, 1]
    assert m.outlier_membership[1:].tolist() == pytest.approx([0.25, 0.25])


def test_score_topics_reports_outlier_membership(make_corpus):
    counts = {0: [5] * 6, 1: [5] * 6, -1: [2] * 6}
    works, docs, topics, cites = make_corpus(counts)
    # Half of topic 0's works were reassigned, with the similarity of a typical member.
    ids0 = docs.filter(pl.col("topic_id") == 0)["work_id"].to_list()
    docs = docs.with_columns(
        assignment=pl.when(pl.col("work_id").is_in(ids0[::2]))
        .then(pl.lit("reassigned"))
        .otherwise("assignment")
    )
    result = score_topics(works, docs, topics, cites, (2019, 2024), ScoreConfig(bootstrap=0), 1)
    scores = result.topic_scores.sort("topic_id")
    assert scores["n_outlier_members"].to_list() == [15, 0]
    assert scores["outlier_membership"].to_list() == pytest.approx([0.5, 0.0])
    fronts = result.fronts.sort("topic_id")
    assert fronts["outlier_membership"].to_list() == pytest.approx([0.5, 0.0])
