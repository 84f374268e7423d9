"""How close the fronts are to each other: cosine similarity of their centroids.

A front's centroid is the normalised mean of the unit embeddings of its works (every work
assigned to it), and two fronts' similarity the cosine of their centroids. When a run kept no
embeddings, the 2-D map stands in: similarity 1 / (1 + distance of the mean map positions).
The report's "closest fronts" are the most similar ones; analysts get every pair.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from fronts.schemas import FRONT_SIMILARITIES
from fronts.vectors import unit_rows


def front_similarities(
    front_ids: np.ndarray, labels: np.ndarray, points: np.ndarray, basis: str
) -> pl.DataFrame:
    """Every ordered pair of the fronts `front_ids` with the similarity of their centroids.

    `labels` (n,) is each work's topic id (negative: none) and `points` (n, d) its embedding
    (`basis` "embeddings") or map position ("map"). `closeness_rank` orders each front's others
    by similarity, ties by topic id. Rows are those of the `front_similarities` table without
    run_id, sorted by topic_id and closeness_rank.
    """
    ids = np.array(sorted(int(t) for t in front_ids), dtype=np.int64)
    schema = {k: v for k, v in FRONT_SIMILARITIES.schema.items() if k != "run_id"}
    if ids.size < 2:
        return pl.DataFrame(schema=schema)
    embedded = basis == "embeddings"
    values = unit_rows(points) if embedded else np.asarray(points, dtype=np.float64)
    position = {t: i for i, t in enumerate(ids.tolist())}
    rows = np.array([position.get(int(t), -1) for t in labels], dtype=np.int64)
    sums = np.zeros((ids.size, values.shape[1]))
    np.add.at(sums, rows[rows >= 0], values[rows >= 0])
    if embedded:
        centroids = unit_rows(sums)
        sims = centroids @ centroids.T
    else:
        means = sums / np.maximum(np.bincount(rows[rows >= 0], minlength=ids.size), 1)[:, None]
        distance = np.linalg.norm(means[:, None, :] - means[None, :, :], axis=-1)
        sims = 1.0 / (1.0 + distance)
    out: list[dict[str, object]] = []
    for i, topic in enumerate(ids.tolist()):
        others = sorted((j for j in range(ids.size) if j != i), key=lambda j: (-sims[i, j], ids[j]))
        out += [
            {
                "topic_id": topic,
                "other_topic_id": int(ids[j]),
                "similarity": float(sims[i, j]),
                "closeness_rank": rank,
                "basis": basis,
            }
            for rank, j in enumerate(others, start=1)
        ]
    return pl.DataFrame(out, schema=schema)
