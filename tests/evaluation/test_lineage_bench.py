"""The lineage benchmark's scenario and scoring, on synthetic subjects with clear centroids."""

from __future__ import annotations

import numpy as np
import pytest

from fronts.config import LineageConfig
from fronts.evaluation.lineage_bench import (
    EVENTS,
    UNITS,
    make_scenario,
    score_scenario,
    summarise,
)


@pytest.fixture(scope="module")
def subjects():
    """80 works per subject, each subject's vectors spread around a direction of its own."""
    rng = np.random.default_rng(1)
    centres = np.eye(len(UNITS), 32)
    pools, ids, rows = {}, [], []
    for i, unit in enumerate(UNITS):
        pools[unit] = [f"W{unit}{k:03d}" for k in range(80)]
        ids += pools[unit]
        rows.append(centres[i] + 0.15 * rng.standard_normal((80, 32)))
    return pools, (ids, np.vstack(rows))


def test_without_noise_every_planted_event_is_found(subjects):
    pools, vectors = subjects
    results = [
        score_scenario(make_scenario(pools, vectors, 0.0, s), LineageConfig()) for s in range(5)
    ]
    summary = summarise(results)
    assert summary["overall"]["f1"] == 1.0 and summary["continuity"] == 1.0
    for event in EVENTS:
        assert summary["events"][event]["f1"] == 1.0, event
    # the truth holds every kind of event, each scenario: 5 continued (1 by content), 2 split
    # fronts, 1 merged, 1 born, 1 faded
    assert sum(r["continued"]["tp"] for r in results) == 5 * 5
    assert sum(r["split"]["tp"] for r in results) == 5 * 2


def test_a_wrong_link_counts_against_both_events(subjects):
    pools, vectors = subjects
    scenario = make_scenario(pools, vectors, 0.0, 0)
    # Thresholds no pair can meet: every front is born, every previous front faded.
    counts = score_scenario(scenario, LineageConfig(min_shared=10_000, min_similarity=1.0))
    assert counts["continued"]["tp"] == 0 and counts["continued"]["fn"] == 5
    assert counts["born"]["fp"] >= 5 and counts["faded"]["fp"] >= 5
    assert summarise([counts])["continuity"] == 0.0
