"""Unit rows and centroids: the two vector operations every cosine computation starts from."""

from __future__ import annotations

import numpy as np


def unit_rows(vectors: np.ndarray) -> np.ndarray:
    """The rows scaled to length 1, in float64 (cosine = dot product); zero rows stay zero."""
    v = np.asarray(vectors, dtype=np.float64)
    norms = np.linalg.norm(v, axis=-1, keepdims=True)
    return v / np.where(norms > 0, norms, 1.0)


def centroids_of(unit: np.ndarray, labels: np.ndarray, n_topics: int) -> np.ndarray:
    """Normalised mean vector of each topic 0..n_topics-1 over the rows labelled with it.

    Rows labelled < 0 count for no topic; a topic without rows gets a zero centroid.
    """
    labels = np.asarray(labels)
    sums = np.zeros((n_topics, unit.shape[1]))
    np.add.at(sums, labels[labels >= 0], unit[labels >= 0])
    return unit_rows(sums)
