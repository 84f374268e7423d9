"""Planted-fronts corpora: exact ground truth, determinism, clear errors, recovery end to end."""

from __future__ import annotations

import json

import numpy as np
import polars as pl
import pytest

from fronts.config import IngestConfig, load_config
from fronts.evaluation.metrics import evaluate_planted, majority_units, match_topics
from fronts.evaluation.planted import (
    PRE_ONSET,
    PlantedCorpusError,
    PlantedTopic,
    emerging_units,
    fit_plan,
    largest_remainder,
    load_truth,
    make_planted_corpus,
    plan_counts,
    planted_growth,
    profile,
    read_source_works,
    subtopic_pools,
)
from fronts.ingest.detect import read_file
from fronts.normalise import normalise_records

YEARS = np.arange(2016, 2025)
SMALL = (
    PlantedTopic("quantum_key_distribution", "emerging", 0.5, onset=2019, growth=0.8),
    PlantedTopic("motor_imagery", "steady", 0.3),
    PlantedTopic("p300", "burst", 0.2, event_year=2020, burst_factor=3.0),
)
# The end-to-end corpus: one strongly emerging front among four others.
E2E = (
    PlantedTopic("quantum_key_distribution", "emerging", 0.25, onset=2019, growth=0.8),
    PlantedTopic("superconducting_qubits", "steady", 0.2),
    PlantedTopic("motor_imagery", "steady", 0.2),
    PlantedTopic("ssvep", "declining", 0.2, growth=0.15),
    PlantedTopic("p300", "burst", 0.15, event_year=2020),
)


def _hand_works(n_per_topic: int = 30) -> pl.DataFrame:
    """Real-shaped works: titles and abstracts naming each subtopic, distinct titles."""
    rows = []
    phrases = {
        "qkd": "a quantum key distribution protocol over fibre",
        "mi": "motor imagery decoding for a brain-computer interface",
        "p3": "a P300 speller with an adaptive classifier",
        "both": "motor imagery and P300 hybrid paradigms",
    }
    for tag, phrase in phrases.items():
        for i in range(n_per_topic if tag != "both" else 5):
            title = f"Study {i} of {phrase} ({tag})"
            rows.append(
                {
                    "work_id": f"F{tag}{i:04d}",
                    "title": title,
                    "abstract": f"We report {phrase}.  Results   for case {i} are given.",
                    "venue": f"Journal {i % 4}",
                    "authors": [f"Author{i}, A", f"Other{tag}, B"],
                }
            )
    works = pl.DataFrame(rows)
    return works.with_columns(
        title_key=pl.col("title").str.to_lowercase(),
        text=(pl.col("title") + " " + pl.col("abstract")).str.to_lowercase(),
    )


def _reread(corpus) -> pl.DataFrame:
    result = read_file(corpus, IngestConfig())
    assert result.quarantine.height == 0
    return normalise_records(result.records, result.quarantine).works


# --------------------------------------------------------------------------- trajectories


def test_profiles_follow_their_formulas():
    emerging = profile(PlantedTopic("e", "emerging", 1, onset=2019, growth=0.8), YEARS)
    assert emerging[:3].tolist() == [PRE_ONSET] * 3
    assert emerging[3:] == pytest.approx(1.8 ** np.arange(6))
    declining = profile(PlantedTopic("d", "declining", 1, growth=0.2), YEARS)
    assert declining == pytest.approx(0.8 ** np.arange(9))
    burst = profile(PlantedTopic("b", "burst", 1, event_year=2020, burst_factor=5), YEARS)
    assert burst.tolist() == [1, 1, 1, 1, 5, 1, 1, 1, 1]


def test_largest_remainder_sums_exactly_and_stays_proportional():
    counts = largest_remainder(100, np.array([1.0, 1.0, 1.0]))
    assert counts.tolist() == [34, 33, 33]
    counts = largest_remainder(1000, profile(SMALL[0], YEARS))
    assert counts.sum() == 1000 and np.all(np.diff(counts[3:]) > 0)


def test_plan_splits_a_split_topic_between_its_children_half_and_half():
    split = PlantedTopic("parent", "split", 1.0, event_year=2021, children=("a", "b"))
    plan = plan_counts((split,), 181, YEARS)
    a, b = plan["parent"]["a"], plan["parent"]["b"]
    assert (a + b).sum() == 181 and np.all(a - b >= 0) and np.all(a - b <= 1)


def test_planted_growth_of_a_share_doubling_every_year_is_log_two():
    counts = 1000 * 2.0 ** np.arange(9)
    totals = np.full(9, 1e9)
    assert planted_growth(counts, totals, YEARS) == pytest.approx(np.log(2), abs=1e-3)


# --------------------------------------------------------------------------- generator


def test_overlapping_works_are_dropped_from_both_subtopics():
    pools = subtopic_pools(_hand_works(), SMALL)
    assert len(pools["motor_imagery"]) == 30 and len(pools["p300"]) == 30
    assert len(pools["quantum_key_distribution"]) == 30


def test_works_inside_a_planted_subjects_fence_stay_out_of_the_background():
    extra = pl.DataFrame(
        {
            "work_id": ["Fx1", "Fx2", "Fx3"],
            "title": ["Finite key effects in BB84", "Lattice signatures", "Soil moisture maps"],
            "abstract": ["A prepare-and-measure protocol.", "Post-quantum schemes.", "Rivers."],
            "venue": ["J"] * 3,
            "authors": [["A, B"]] * 3,
        }
    ).with_columns(
        title_key=pl.col("title").str.to_lowercase(),
        text=(pl.col("title") + " " + pl.col("abstract")).str.to_lowercase(),
    )
    works = _hand_works().vstack(extra)
    plan = (*SMALL, PlantedTopic("background", "background", 0.1))
    pools = subtopic_pools(works, plan)
    background = set(works["work_id"].gather(pools["background"]).to_list())
    # BB84 and post-quantum signatures are the QKD unit's subject without its keywords: out.
    assert background == {"Fx3"}
    assert not set(pools["quantum_key_distribution"]) & {works.height - 3, works.height - 2}


def test_ground_truth_is_exact_through_the_openalex_reader(tmp_path):
    planted = make_planted_corpus([], 60, tmp_path, seed=5, topics=SMALL, works=_hand_works())
    truth, summary = load_truth(tmp_path)
    assert truth.equals(planted.truth) and summary == planted.summary
    works = _reread(planted.corpus)
    assert works.height == 60
    joined = works.join(truth, on="work_id", how="inner", suffix="_truth")
    assert joined.height == 60 and (joined["year"] == joined["year_truth"]).all()
    assert (joined["times_cited"] == joined["times_cited_truth"]).all()
    for unit, spec in summary["topics"].items():
        got = joined.filter(pl.col("unit") == unit).group_by("year").len()
        counts = {str(y): 0 for y in spec["counts"]} | {str(y): n for y, n in got.iter_rows()}
        assert counts == {str(y): n for y, n in spec["counts"].items()}, unit
    # 30 works in proportion to 0.05, 0.05, 0.05, 1, 1.8, ..., 1.8^5 (largest remainder)
    qkd = summary["topics"]["quantum_key_distribution"]
    assert list(qkd["counts"].values()) == [0, 0, 0, 1, 1, 2, 4, 8, 14]
    growth = {u: spec["planted_growth"] for u, spec in summary["topics"].items()}
    assert qkd["emerging"] and max(growth, key=growth.get) == "quantum_key_distribution"
    assert emerging_units(summary) == ["quantum_key_distribution"]
    burst = summary["topics"]["p300"]["counts"]
    assert burst["2020"] == max(burst.values()) and sum(burst.values()) == 12


def test_same_seed_same_bytes_other_seed_other_corpus(tmp_path):
    works = _hand_works()
    a = make_planted_corpus([], 60, tmp_path / "a", seed=1, topics=SMALL, works=works)
    b = make_planted_corpus([], 60, tmp_path / "b", seed=1, topics=SMALL, works=works)
    c = make_planted_corpus([], 60, tmp_path / "c", seed=2, topics=SMALL, works=works)
    assert a.corpus.read_bytes() == b.corpus.read_bytes()
    assert a.truth.equals(b.truth)
    assert not a.truth["source_work_id"].equals(c.truth["source_work_id"])


def test_errors_name_the_shortfall(tmp_path):
    works = _hand_works()
    with pytest.raises(PlantedCorpusError, match="hold 95 distinct works"):
        make_planted_corpus([], 500, tmp_path, seed=1, topics=SMALL, works=works)
    with pytest.raises(PlantedCorpusError, match=r"quantum_key_distribution needs 45, has 30"):
        make_planted_corpus([], 90, tmp_path, seed=1, topics=SMALL, works=works)
    with pytest.raises(PlantedCorpusError, match="unknown kind"):
        make_planted_corpus(
            [], 10, tmp_path, seed=1, topics=(PlantedTopic("x", "rising", 1.0),), works=works
        )
    with pytest.raises(PlantedCorpusError, match="no source files"):
        read_source_works([])


def test_fit_plan_shrinks_only_what_its_subset_cannot_fill(tmp_path):
    works = _hand_works()  # 30 works per subtopic, 5 in two subtopics (dropped), no background
    plan = (*SMALL, PlantedTopic("background", "background", 0.0))
    assert fit_plan(plan, works, 40) == plan  # 20, 12 and 8 works fit in pools of 30
    with_background = _hand_works().vstack(
        pl.DataFrame(
            {
                "work_id": [f"Fbg{i:04d}" for i in range(40)],
                "title": [f"Unrelated topic {i}" for i in range(40)],
                "abstract": ["We report nothing related."] * 40,
                "venue": ["Journal 9"] * 40,
                "authors": [["Someone, S"]] * 40,
                "title_key": [f"unrelated topic {i}" for i in range(40)],
                "text": [f"unrelated topic {i} we report nothing related." for i in range(40)],
            }
        )
    )
    fitted = fit_plan(plan, with_background, 90)
    weights = {t.name: t.weight for t in fitted}
    # qkd would need 45 of 30: it takes 95 % of its pool (28.5 works); the background takes up
    # the weight given back; kinds and trajectories are unchanged.
    assert weights["quantum_key_distribution"] == pytest.approx(28.5 / 90)
    assert weights["motor_imagery"] == 0.3 and weights["p300"] == 0.2
    assert weights["background"] == pytest.approx(0.5 - 28.5 / 90)
    assert [t.kind for t in fitted] == [t.kind for t in plan]
    planted = make_planted_corpus([], 90, tmp_path, seed=1, topics=fitted, works=with_background)
    assert planted.truth.height == 90
    with pytest.raises(PlantedCorpusError, match="background needs"):
        fit_plan(plan, works, 90)


# --------------------------------------------------------------------------- real corpora


@pytest.fixture(scope="module")
def real_works(shared_corpora):
    quantum = sorted((shared_corpora / "control-quantum-wos-30k" / "raw").glob("*.gz"))[:6]
    bci = sorted((shared_corpora / "control-bci-eeg-wos" / "raw").glob("*.gz"))[:8]
    return quantum + bci, read_source_works(quantum + bci)


@pytest.mark.shared
def test_real_corpus_truth_is_exact_and_deterministic(real_works, tmp_path):
    sources, works = real_works
    first = make_planted_corpus(sources, 1000, tmp_path / "a", seed=7, topics=E2E, works=works)
    again = make_planted_corpus(sources, 1000, tmp_path / "b", seed=7, topics=E2E, works=works)
    assert first.corpus.read_bytes() == again.corpus.read_bytes()
    reread = _reread(first.corpus)
    assert reread.height == 1000
    joined = reread.join(first.truth, on="work_id", suffix="_truth")
    counts = joined.group_by("unit", "year").len()
    for unit, spec in json.loads(first.truth_json.read_text())["topics"].items():
        got = dict(counts.filter(pl.col("unit") == unit).select("year", "len").iter_rows())
        assert {int(y): n for y, n in spec["counts"].items() if n} == got, unit
    originals = works.join(first.truth, left_on="work_id", right_on="source_work_id")
    texts = dict(zip(originals["work_id_right"], originals["abstract"], strict=True))
    assert all(
        " ".join(texts[w].split()) == a for w, a in reread.select("work_id", "abstract").rows()
    )


@pytest.mark.shared
@pytest.mark.slow
def test_a_1k_planted_corpus_recovers_its_strongly_emerging_front(real_works, tmp_path):
    from fronts.pipeline import run_pipeline
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.store import read_table
    from fronts.warehouse import open_warehouse

    sources, works = real_works
    planted = make_planted_corpus(sources, 1000, tmp_path / "p", seed=11, topics=E2E, works=works)
    config = load_config(None, db=tmp_path / "w.duckdb", window=[2016, 2024], seed=11)
    with open_warehouse(config.db) as warehouse:
        inputs = read_inputs(warehouse.con, [planted.corpus], config.ingest, replace=True)
        outcome = run_pipeline(warehouse, config, inputs, RunOptions(report=False))
        own = {"where": "run_id = ?", "params": [outcome.run_id]}
        doc_topics = read_table(warehouse.con, "doc_topics", **own)
        fronts = read_table(warehouse.con, "fronts", **own)
    result = evaluate_planted(doc_topics, fronts, planted.truth, planted.summary, k=10)
    print(json.dumps(result, indent=1, default=str))  # the numbers of docs/_benchmarks/planted.md
    assert result["n_truth_in_run"] == 1000
    # QKD is a quarter of the works, above the size cap (max_cluster_share = 10 %), so the cap
    # splits it into sub-fronts: judged as its sub-fronts, not as one front that holds 30 % of
    # it, which a 1e-7 change of the vectors decided (an ONNX run split it 70/62/47/40).
    qkd = "quantum_key_distribution"
    sub_fronts = {
        t for t, u in majority_units(match_topics(doc_topics, planted.truth)).items() if u == qkd
    }
    unit = planted.truth.filter(pl.col("unit") == qkd).select("work_id")
    held = doc_topics.join(unit, on="work_id").filter(pl.col("topic_id").is_in(list(sub_fronts)))
    assert held.height >= 0.8 * unit.height  # nearly all of QKD is in fronts of its own
    top3 = fronts.sort(["emergence", "topic_id"], descending=[True, False], nulls_last=True)
    assert sub_fronts & set(top3["topic_id"].head(3).to_list())  # and leads the emergence
