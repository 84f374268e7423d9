"""Evaluation metrics on hand-made cases whose answers are known."""

from __future__ import annotations

import math

import polars as pl
import pytest

from fronts.evaluation.metrics import (
    ami_ari,
    evaluate_planted,
    false_discovery_rate,
    flagged_fdr,
    interval_coverage,
    kendall_tau_top_k,
    majority_units,
    match_topics,
    matched_units,
    outlier_share,
    partition_stability,
    recall_at_k,
    spearman,
    true_ranks,
)


def _doc_topics(assignment: dict[int, list[str]]) -> pl.DataFrame:
    rows = [(w, t) for t, works in assignment.items() for w in works]
    return pl.DataFrame(rows, schema={"work_id": pl.String, "topic_id": pl.Int64}, orient="row")


# Ten works of unit A, ten of B, five of C.
TRUTH = pl.DataFrame(
    {
        "work_id": [f"a{i}" for i in range(10)]
        + [f"b{i}" for i in range(10)]
        + [f"c{i}" for i in range(5)],
        "unit": ["A"] * 10 + ["B"] * 10 + ["C"] * 5,
        "kind": ["emerging"] * 10 + ["steady"] * 10 + ["background"] * 5,
    }
)


def test_match_needs_a_majority_and_enough_coverage():
    doc_topics = _doc_topics(
        {
            0: [f"a{i}" for i in range(6)] + ["b0"],  # 6/7 A, covers 60 % of A: match
            1: ["a6", "a7", "b1", "b2"],  # half A, half B: no majority
            2: [f"b{i}" for i in range(3, 5)],  # all B but 20 % of B: too small
            3: [f"b{i}" for i in range(5, 10)] + ["a8"],  # 5/6 B, 50 % of B: match
            -1: ["a9", "c0", "c1", "c2", "c3", "c4"],
        }
    )
    matches = match_topics(doc_topics, TRUTH)
    assert matches["topic_id"].to_list() == [0, 1, 2, 3]
    assert matches["matched"].to_list() == [True, False, False, True]
    row = matches.row(0, named=True)
    assert row["purity"] == pytest.approx(6 / 7) and row["coverage"] == pytest.approx(0.6)
    assert matched_units(matches) == {0: "A", 3: "B"}


def test_perfect_ranking_has_recall_one_and_no_false_discovery():
    topic_unit = {5: "A", 7: "B", 9: "C"}
    assert recall_at_k([5, 7, 9], topic_unit, {"A", "B"}, k=2) == 1.0
    assert false_discovery_rate([5, 7, 9], topic_unit, {"A", "B"}, k=2) == 0.0


def test_recall_and_fdr_of_a_mixed_ranking():
    topic_unit = {1: "A", 2: "N", 4: "A"}  # topic 3 matches nothing, topic 4 is A's second half
    ranked = [2, 3, 4, 1]
    assert recall_at_k(ranked, topic_unit, {"A", "B"}, k=3) == 0.5  # A found, B never
    assert false_discovery_rate(ranked, topic_unit, {"A", "B"}, k=3) == pytest.approx(2 / 3)
    assert math.isnan(recall_at_k(ranked, topic_unit, set(), k=3))
    assert math.isnan(false_discovery_rate([], topic_unit, {"A"}, k=3))


def test_spearman_over_common_keys():
    assert spearman({1: 0.1, 2: 0.5, 3: 0.9, 4: 5}, {1: 1, 2: 2, 3: 3}) == pytest.approx(1.0)
    assert spearman({1: 3, 2: 2, 3: 1}, {1: 1, 2: 2, 3: 3}) == pytest.approx(-1.0)
    assert math.isnan(spearman({1: 1, 2: 2}, {1: 1, 2: 2}))


def test_ami_ari_of_identical_relabelled_and_independent_partitions():
    assert ami_ari([0, 0, 1, 1, 2, 2], ["x", "x", "y", "y", "z", "z"]) == pytest.approx((1, 1))
    ami, ari = ami_ari([0, 0, 0, 1, 1, 1], [0, 1, 0, 1, 0, 1])
    assert ami <= 0.05 and ari <= 0.05
    with pytest.raises(ValueError, match="3 true labels but 2"):
        ami_ari([0, 1, 1], [0, 1])


def test_partition_stability_compares_common_works_only():
    a = {"w1": 0, "w2": 0, "w3": 1, "w4": 1}
    b = {"w1": 5, "w2": 5, "w3": 6, "w4": 6, "w9": 6}  # same partition, renamed, one extra work
    c = {"w1": 0, "w2": 1, "w3": 0, "w4": 1}
    assert partition_stability([a, b]) == 1.0
    assert partition_stability([a, b, c]) == pytest.approx((1 + 2 * -0.5) / 3)
    with pytest.raises(ValueError, match="at least two"):
        partition_stability([a])


def test_kendall_tau_of_reversed_and_disjoint_top_lists():
    assert kendall_tau_top_k(["a", "b", "c"], ["c", "b", "a"], k=3) == pytest.approx(-1.0)
    assert kendall_tau_top_k(["a", "b", "c", "d"], ["a", "b", "c", "e"], k=3) == 1.0
    # [a, b] against [c, d]: positions (1, 2, 3, 3) and (3, 3, 1, 2): 4 discordant pairs, one tie
    # in each list, so tau-b = -4 / sqrt(5 * 5)
    assert kendall_tau_top_k(["a", "b"], ["c", "d"], k=2) == pytest.approx(-0.8)


def test_outlier_share():
    assert outlier_share([-1, 0, 1, -1]) == 0.5
    assert math.isnan(outlier_share([]))


def test_coverage_on_four_fronts():
    # Observed ranks 1..4; by planted growth the order is 2, 1, 4, 3.
    true = true_ranks({10: 1, 11: 2, 12: 3, 13: 4}, {10: 0.5, 11: 0.9, 12: 0.1, 13: 0.3})
    assert true == {11: 1, 10: 2, 13: 3, 12: 4}
    low, high = [1, 1, 3, 4], [1, 3, 4, 4]  # fronts 10, 11, 12, 13
    truth = [true[t] for t in (10, 11, 12, 13)]  # 2, 1, 4, 3
    assert interval_coverage(low, high, truth) == 0.5  # 11 (1 in [1,3]) and 12 (4 in [3,4])
    with pytest.raises(ValueError, match="same length"):
        interval_coverage([1], [2, 3], [1])


def test_true_ranks_keep_unmatched_fronts_in_their_slots():
    # Front 20 (rank 2) matches nothing: the matched fronts share slots 1 and 3.
    assert true_ranks({10: 1, 20: 2, 30: 3}, {10: 0.1, 30: 0.8}) == {30: 1, 10: 3}


def test_evaluate_planted_on_a_hand_made_run():
    doc_topics = _doc_topics(
        {0: [f"a{i}" for i in range(10)], 1: [f"b{i}" for i in range(10)], 2: ["c0", "c1"]}
        | {-1: ["c2", "c3", "c4"]}
    )
    fronts = pl.DataFrame(
        {
            "topic_id": [0, 1, 2],
            "rank": [1, 2, 3],
            "rank_low": [1, 1, 2],
            "rank_high": [1, 3, 3],
            "emergence": [2.0, -0.5, 0.1],
            "growing": [True, False, True],
        }
    )
    summary = {
        "topics": {
            "A": {"planted_growth": 0.6, "emerging": True},
            "B": {"planted_growth": -0.1, "emerging": False},
            "C": {"planted_growth": 0.0, "emerging": False},
        }
    }
    result = evaluate_planted(doc_topics, fronts, TRUTH, summary, k=2)
    assert result["emergence_rank"] == {"A": 1}
    # by emergence: topics 0 (A), 2 (C: purity 1, covers 2 of 5 = 40 %), 1 (B)
    assert result["recall_at_2"] == 1.0 and result["fdr_at_2"] == 0.5
    assert result["spearman_emergence_growth"] == pytest.approx(1.0)
    assert result["ami"] == pytest.approx(1.0) and result["ari"] == pytest.approx(1.0)
    assert result["outlier_share"] == pytest.approx(3 / 25)
    assert result["interval_coverage"] == 1.0 and result["n_coverage"] == 3
    assert result["n_matched_units"] == 3
    # flagged growing: topic 0 (A, emerging) and topic 2 (C, not): one false discovery of two
    assert result["n_growing"] == 2
    assert result["recall_growing"] == 1.0 and result["fdr_growing"] == 0.5


def test_fdr_of_flagged_fronts():
    units = {1: "A", 2: "B", 3: "A"}
    assert flagged_fdr([1, 3], units, ["A"]) == 0.0
    assert flagged_fdr([1, 2, 4], units, ["A"]) == pytest.approx(2 / 3)  # 4 matches no unit
    assert math.isnan(flagged_fdr([], units, ["A"]))


def test_a_discovery_is_true_when_most_of_its_works_are_planted_emerging():
    # Unit A (10 works) split in two pure fronts of 8 and 2 works: the second covers only
    # 20 % of A, so it does not "match" A (recall), but as a flagged front it is a true find.
    doc_topics = _doc_topics(
        {0: [f"a{i}" for i in range(8)], 1: ["a8", "a9"], 2: [f"b{i}" for i in range(10)]}
    )
    matches = match_topics(doc_topics, TRUTH)
    assert matched_units(matches) == {0: "A", 2: "B"}
    assert majority_units(matches) == {0: "A", 1: "A", 2: "B"}
    assert flagged_fdr([0, 1], majority_units(matches), ["A"]) == 0.0
    assert flagged_fdr([0, 1, 2], majority_units(matches), ["A"]) == pytest.approx(1 / 3)
