"""Front similarities: cosine of the centroids of the fronts' works, closest first."""

from __future__ import annotations

import numpy as np
import pytest

from fronts.scoring.similarity import front_similarities


def test_every_ordered_pair_of_fronts_with_the_cosine_of_their_centroids():
    labels = np.array([0, 0, 1, 2, 3, -1])
    points = np.array([[1, 0], [2, 0], [0, 1], [1, 0.2], [-1, 0], [5, 5]], dtype=float)
    got = front_similarities(np.array([2, 0, 1]), labels, points, "embeddings")
    assert got.height == 6  # topic 3 is not a front, the outlier counts for none
    closest = got.filter(got["topic_id"] == 0)
    assert closest["other_topic_id"].to_list() == [2, 1]
    assert closest["closeness_rank"].to_list() == [1, 2]
    assert closest["similarity"][0] == pytest.approx(1 / (1.04**0.5))
    assert closest["similarity"][1] == pytest.approx(0.0, abs=1e-12)
    assert set(got["basis"]) == {"embeddings"}


def test_the_map_stands_in_without_embeddings_by_distance():
    labels = np.array([0, 1, 2])
    points = np.array([[0.0, 0.0], [3.0, 4.0], [1.0, 0.0]])
    got = front_similarities(np.array([0, 1, 2]), labels, points, "map")
    row = got.filter((got["topic_id"] == 0) & (got["closeness_rank"] == 1)).row(0, named=True)
    assert row["other_topic_id"] == 2 and row["similarity"] == pytest.approx(0.5)
    assert got.filter(got["other_topic_id"] == 1)["similarity"].min() == pytest.approx(1 / 6)


def test_fewer_than_two_fronts_have_no_pairs():
    assert front_similarities(np.array([0]), np.array([0]), np.ones((1, 2)), "map").height == 0
