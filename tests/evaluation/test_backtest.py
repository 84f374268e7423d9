"""The backtest on small synthetic corpora whose future is known."""

from __future__ import annotations

import dataclasses
import hashlib
import math
from pathlib import Path

import numpy as np
import polars as pl
import pytest
from scipy.stats import spearmanr

import fronts.scoring
import fronts.topics
from fronts.config import RunConfig
from fronts.errors import ConfigError
from fronts.evaluation import backtest as bt
from fronts.evaluation import ranking_metrics as rk
from fronts.schemas import CITATIONS_BY_YEAR
from fronts.topics import TopicResult

PREREG = Path(__file__).resolve().parents[2] / "bench" / "preregistration.toml"
CUTOFF = 2019
DIM = 12
# Works per year 2014..2022 of each topic. Topic 0 accelerates before the cutoff and keeps
# growing after it; topic 1 jumps in the cutoff year (momentum's favourite) then falls back.
COUNTS = {
    0: [4, 5, 7, 10, 15, 22, 32, 45, 60],
    1: [20, 20, 20, 19, 12, 26, 18, 16, 15],
    2: [20, 21, 20, 20, 21, 20, 20, 21, 20],
    3: [18, 19, 18, 19, 18, 19, 18, 18, 19],
    4: [16, 16, 17, 16, 16, 17, 16, 16, 17],
    5: [22, 22, 21, 22, 21, 21, 21, 22, 21],
}
FIRST_YEAR = 2014


def _reg(**changes) -> bt.Preregistration:
    reg = bt.load_preregistration(PREREG)
    return dataclasses.replace(reg, resamples=200, chance_draws=200, **changes)


def _corpus(seed: int = 0):
    """works (all years), citations, ids and vectors: topic t's works lie near axis t."""
    rng = np.random.default_rng(seed)
    rows, vecs = [], []
    for topic, per_year in COUNTS.items():
        for offset, n in enumerate(per_year):
            for i in range(n):
                year = FIRST_YEAR + offset
                by_year = [{"year": y, "count": 1} for y in (year, year + 2, 2024)]
                rows.append(
                    {
                        "work_id": f"W{topic}{year}{i:03d}",
                        "year": year,
                        "times_cited": 999,  # counted at export: holds the future
                        "citations_by_year": by_year if topic == 2 else [],
                        "title": f"topic {topic} work {i}",
                        "abstract": None,
                    }
                )
                v = np.zeros(DIM)
                v[topic] = 1.0
                vecs.append(v + rng.normal(0, 0.05, DIM))
    works = pl.DataFrame(
        rows,
        schema={
            "work_id": pl.String,
            "year": pl.Int32,
            "times_cited": pl.Int64,
            "citations_by_year": CITATIONS_BY_YEAR,
            "title": pl.String,
            "abstract": pl.String,
        },
    ).sort("work_id")
    ids = [r["work_id"] for r in rows]
    order = np.argsort(ids)
    # Every work of topic 3 cites the first work of topic 4 (one link per citing work).
    target = "W42014000"
    citing = works.filter(pl.col("work_id").str.starts_with("W3"))
    citations = pl.DataFrame(
        {
            "citing_work_id": citing["work_id"],
            "citing_year": citing["year"],
            "cited_key": [target] * citing.height,
            "cited_work_id": [target] * citing.height,
        }
    )
    return works, citations, [ids[i] for i in order], np.array(vecs)[order]


def _fit_by_axis(
    work_ids, texts, embeddings, config, seed, embedding_model, coupling=None
) -> TopicResult:
    """A stand-in for BERTopic: the topic of a synthetic work is its strongest axis."""
    labels = np.argmax(np.asarray(embeddings), axis=1)
    doc_topics = pl.DataFrame(
        {
            "work_id": work_ids,
            "topic_id": labels.astype(np.int64),
            "assignment": ["cluster"] * len(work_ids),
            "similarity": np.full(len(work_ids), 0.9),
        }
    ).sort("work_id")
    topics = pl.DataFrame(
        {
            "topic_id": list(COUNTS),
            "label": [f"t{t}" for t in COUNTS],
            "top_terms": [[f"t{t}"] for t in COUNTS],
        }
    )
    return TopicResult(doc_topics, topics, 0.0, 0.0, len(COUNTS))


def test_preregistration_loads_and_fingerprints_the_file():
    reg = bt.load_preregistration(PREREG)
    assert reg.cutoffs == (2019, 2020, 2021)
    assert (reg.horizon, reg.window_years, reg.k) == (3, 6, 10)
    assert reg.sha256 == hashlib.sha256(PREREG.read_bytes()).hexdigest()
    assert reg.resamples >= 1000
    assert bt.backtest_config(RunConfig(), reg).seed == reg.config["seed"]


def test_v2_sets_k_to_the_top_quartile_of_the_fronts():
    reg = bt.load_preregistration(PREREG.parent / "preregistration-v2.toml")
    assert (reg.k_share, reg.k_min, reg.k) == (0.25, 3, 10)
    # 5 fronts: a quarter rounds to 1, raised to the minimum 3; 22 -> 6; 60 -> the maximum 10
    assert [reg.k_for(n) for n in (2, 5, 22, 60)] == [2, 3, 6, 10]
    v1 = bt.load_preregistration(PREREG)
    assert [v1.k_for(n) for n in (5, 22)] == [5, 10]
    assert bt.DEFAULT_PREREGISTRATION == "bench/preregistration-v3.toml"


def test_v3_names_four_baselines_two_corpora_and_the_harder_rule():
    reg = bt.load_preregistration(PREREG.parent / "preregistration-v3.toml")
    assert reg.baselines == bt.BASELINES and reg.rule == "beat_chance_and_best_baseline"
    assert len(reg.corpora) >= 2 and reg.min_corpora == 2
    assert reg.corpora["control-bci-eeg-wos"] == (2019, 2020, 2021)
    v2 = bt.load_preregistration(PREREG.parent / "preregistration-v2.toml")
    assert (v2.rule, v2.baselines, v2.min_corpora) == ("beat_momentum", ("momentum",), 1)


def test_an_unknown_baseline_or_rule_is_refused(tmp_path):
    text = (PREREG.parent / "preregistration-v3.toml").read_text()
    path = tmp_path / "p.toml"
    path.write_text(text.replace('"size", ', '"sizes", '))
    with pytest.raises(ConfigError, match=r"baselines\.simple"):
        bt.load_preregistration(path)
    path.write_text(text.replace('rule = "beat_chance', 'rule = "beat_most'))
    with pytest.raises(ConfigError, match=r"target\.rule"):
        bt.load_preregistration(path)


def test_v3_target_needs_chance_and_the_best_baseline_beaten_on_both_metrics():
    real = np.linspace(-1, 1, 20)
    ids = np.arange(20)
    reg = dataclasses.replace(
        _reg(k=5), baselines=bt.BASELINES, rule="beat_chance_and_best_baseline", min_cutoffs=1
    )
    rng = np.random.default_rng(0)
    noisy = real + rng.normal(0, 0.3, 20)
    preds = {
        "fronts": noisy,
        "score": noisy,
        "emergence": noisy,
        "momentum": -real,
        "reversed_momentum": real,  # a baseline that is perfect
        "size": rng.normal(size=20),
        "recent_share": rng.normal(size=20),
    }
    metrics = rk.compare_rankings(preds, real, ids, reg).with_columns(cutoff=pl.lit(2020))
    row = metrics.filter((pl.col("predictor") == "fronts") & (pl.col("metric") == "spearman"))
    assert row["best_baseline"].item() == "reversed_momentum"
    assert row["diff_vs_best"].item() < 0 < row["diff_vs_momentum"].item()
    assert bt.target_met(metrics, reg)["met"] is False
    # without the perfect baseline the noisy ranking wins against the others and chance
    preds["reversed_momentum"] = rng.normal(size=20)
    metrics = rk.compare_rankings(preds, real, ids, reg).with_columns(cutoff=pl.lit(2020))
    assert bt.target_met(metrics, reg)["met"] is True
    v2 = dataclasses.replace(reg, rule="beat_momentum")
    assert bt.target_met(metrics, v2)["met"] is True


def test_recent_share_is_the_log_smoothed_share_of_the_last_two_years():
    works = pl.DataFrame({"work_id": list("abcdef"), "year": [2018, 2019, 2020, 2020, 2020, 2020]})
    doc_topics = pl.DataFrame({"work_id": list("abcdef"), "topic_id": [0, 0, 0, 1, 1, -1]})
    got = bt.recent_share(doc_topics, works, np.array([0, 1]), 2020)
    # 2019-2020 hold 5 works: topic 0 has 2, topic 1 has 2 (smoothed by half a work)
    expected = np.log((np.array([2, 2]) + 0.5) / (5 + 1.0))
    np.testing.assert_allclose(got, expected)


def test_a_bad_k_rule_is_refused(tmp_path):
    text = (PREREG.parent / "preregistration-v2.toml").read_text()
    path = tmp_path / "p.toml"
    path.write_text(text.replace("min = 3", "min = 30"))
    with pytest.raises(ConfigError, match="'k'"):
        bt.load_preregistration(path)


def test_preregistration_missing_key_names_it(tmp_path):
    text = PREREG.read_text().replace("horizon = 3\n", "")
    path = tmp_path / "p.toml"
    path.write_text(text)
    with pytest.raises(ConfigError, match="horizon"):
        bt.load_preregistration(path)


def test_cutoff_inputs_drop_everything_after_the_cutoff():
    works, citations, _, _ = _corpus()
    known, links, window = bt.cutoff_inputs(works, citations, CUTOFF, 6)
    assert window == (2014, 2019)
    assert known["year"].max() == CUTOFF and known["year"].min() == 2014
    assert links["citing_year"].max() <= CUTOFF
    years = known["citations_by_year"].list.eval(pl.element().struct.field("year")).explode()
    assert years.max() <= CUTOFF
    # Topic 2 keeps its per-year counts up to 2019; a 2016 work had counts in 2016, 2018, 2024.
    assert known.filter(pl.col("work_id") == "W22016000")["times_cited"].item() == 2
    assert known.filter(pl.col("work_id") == "W22018000")["times_cited"].item() == 1
    # Without per-year counts: citations from corpus works published by the cutoff (topic 3
    # works of 2014..2019 cite W42014000), never the export's 999.
    n_citing = sum(COUNTS[3][: CUTOFF - FIRST_YEAR + 1])
    assert known.filter(pl.col("work_id") == "W42014000")["times_cited"].item() == n_citing
    assert known.filter(pl.col("work_id") == "W52014000")["times_cited"].item() == 0


def test_momentum_is_last_period_log_share_growth():
    works = pl.DataFrame(
        {"work_id": ["a", "b", "c", "d", "e"], "year": [2018, 2019, 2019, 2019, 2018]}
    )
    doc_topics = pl.DataFrame({"work_id": ["a", "b", "c", "d", "e"], "topic_id": [0, 0, 0, 1, -1]})
    got = bt.momentum(doc_topics, works, np.array([0, 1]), 2019)
    # 2019: topic 0 has 2 of 3 works, topic 1 1 of 3; 2018: topic 0 1 of 2, topic 1 0 of 2.
    expect0 = math.log((2.5 / 4) / (1.5 / 3))
    expect1 = math.log((1.5 / 4) / (0.5 / 3))
    assert got == pytest.approx([expect0, expect1])


def test_realised_growth_is_the_slope_of_log_smoothed_share():
    years = np.array([2019] * 4 + [2020] * 4 + [2021] * 4)
    labels = np.array([0, 1, 1, -1, 0, 0, 1, -1, 0, 0, 0, 1])
    got = bt.realised_growth(labels, years, np.array([0, 1]), 2019, 2021)
    logs = np.log((np.array([[1, 2, 3], [2, 1, 1]]) + 0.5) / 5.0)
    expect = [np.polyfit([2019, 2020, 2021], row, 1)[0] for row in logs]
    assert got == pytest.approx(expect)


def test_assign_nearest_leaves_dissimilar_works_unassigned():
    centroids = np.eye(3)
    vectors = np.array([[2.0, 0.1, 0], [0, 0, 1.0], [1.0, 1.0, 1.0]])
    assert bt.assign_nearest(vectors, centroids, floor=0.6).tolist() == [0, 2, -1]
    assert bt.assign_nearest(vectors, centroids, floor=0.5).tolist() == [0, 2, 0]


def test_rank_metrics_match_scipy_and_count_hits():
    rng = np.random.default_rng(3)
    x, y = rng.normal(size=30), rng.normal(size=30)
    x[:5] = x[0]  # ties
    assert rk.spearman_rows(x, y)[0] == pytest.approx(spearmanr(x, y).statistic)
    pred = np.array([5.0, 4.0, 3.0, 3.0, np.nan])
    hit = np.array([1.0, 0.0, 0.0, 1.0, 1.0])
    tie = np.array([0, 1, 3, 2, 4])  # the tie at 3.0 goes to the smaller id (index 3)
    assert rk.precision_rows(pred, hit, tie, 3)[0] == pytest.approx(2 / 3)
    assert rk.precision_rows(pred, hit, tie, 9)[0] == pytest.approx(3 / 5)  # NaN ranks last


def test_compare_rankings_is_deterministic_and_scores_a_perfect_predictor():
    real = np.linspace(-1, 1, 20)
    ids = np.arange(20)
    reg = _reg(k=5)
    preds = {"fronts": real.copy(), "momentum": -real, "score": real, "emergence": real}
    a = rk.compare_rankings(preds, real, ids, reg)
    assert a.equals(rk.compare_rankings(preds, real, ids, reg))
    row = a.filter((pl.col("predictor") == "fronts") & (pl.col("metric") == "spearman")).row(
        0, named=True
    )
    assert row["value"] == pytest.approx(1.0) and row["diff_vs_momentum"] == pytest.approx(2.0)
    prec = a.filter((pl.col("predictor") == "fronts") & (pl.col("metric") == "precision_at_k"))
    assert prec["value"].item() == pytest.approx(1.0)  # top 5 = the 5 exceptional fronts
    chance = a.filter((pl.col("predictor") == "chance") & (pl.col("metric") == "precision_at_k"))
    assert chance["value"].item() == pytest.approx(5 / 20)
    assert chance["ci_low"].item() <= 0.25 <= chance["ci_high"].item()
    other = rk.compare_rankings(preds, real, ids, dataclasses.replace(reg, seed=reg.seed + 7))
    assert not a.equals(other)  # the seed drives the resamples


def test_backtest_cutoff_ranks_the_true_riser_first_and_sees_no_future(monkeypatch):
    works, citations, ids, vectors = _corpus()
    real_score = fronts.scoring.score_topics
    seen = {}

    def spy(works_in, doc_topics, topics, links, window, config, seed, vectors=None):
        seen["max_year"] = works_in["year"].max()
        seen["max_citing"] = links["citing_year"].max()
        seen["max_vector_id"] = max(vectors[0])
        return real_score(works_in, doc_topics, topics, links, window, config, seed, vectors)

    monkeypatch.setattr(fronts.topics, "fit_topics", _fit_by_axis)
    monkeypatch.setattr(fronts.scoring, "score_topics", spy)
    reg = _reg(k=1, horizon=3)
    texts = dict(zip(works["work_id"], works["title"], strict=True))
    table, metrics, stage = bt.backtest_cutoff(
        works, citations, ids, vectors, texts, CUTOFF, RunConfig(), reg, embedding_model=None
    )
    assert seen["max_year"] == CUTOFF and seen["max_citing"] <= CUTOFF
    assert seen["max_vector_id"][2:6] <= str(CUTOFF)
    assert stage["window"] == [2014, 2019]
    by_topic = {r["topic_id"]: r for r in table.iter_rows(named=True)}
    assert by_topic[0]["rank"] == 1  # the scorer sees the pre-cutoff acceleration
    assert by_topic[0]["realised"] == max(table["realised"])
    assert by_topic[0]["exceptional"] and not by_topic[1]["exceptional"]
    assert max(table["momentum"]) == by_topic[1]["momentum"]  # momentum is fooled by the jump
    # Every later work joins its own topic unless it falls under the floor (the 5th percentile
    # of the members' similarity, so about 5 % of works as typical as the members).
    later = [sum(COUNTS[t][5:]) for t in table["topic_id"]]
    assert all(0.85 * n <= got <= n for got, n in zip(table["n_later"], later, strict=True))

    def value(predictor, metric):
        return metrics.filter((pl.col("predictor") == predictor) & (pl.col("metric") == metric))[
            "value"
        ].item()

    assert value("fronts", "precision_at_k") == 1.0
    assert value("momentum", "precision_at_k") == 0.0
    assert value("fronts", "spearman") > value("momentum", "spearman")
    verdict = bt.target_met(metrics, reg)
    assert verdict["wins"] == {CUTOFF: True} and verdict["n_won"] == 1


def test_cli_backtest_reports_a_corpus_too_short_for_the_protocol(tmp_path, capsys):
    from fronts.cli import main

    args = ["backtest", "--db", str(tmp_path / "w.duckdb"), "--prereg", str(PREREG)]
    assert main([*args, "--out", str(tmp_path / "r.json")]) == 1
    err = capsys.readouterr()
    assert "needs works up to 2024" in err.err
    assert hashlib.sha256(PREREG.read_bytes()).hexdigest() in err.out
    assert main([*args[:-1], str(tmp_path / "none.toml")]) == 2  # a usage error
    assert "pre-registration file not found" in capsys.readouterr().err


def test_result_formats_as_a_table_and_json(monkeypatch):
    import json

    from fronts.evaluation.backtest_run import BacktestResult, format_backtest

    works, citations, ids, vectors = _corpus()
    monkeypatch.setattr(fronts.topics, "fit_topics", _fit_by_axis)
    reg = _reg(cutoffs=(CUTOFF,), k=2)
    texts = dict(zip(works["work_id"], works["title"], strict=True))
    table, metrics, stage = bt.backtest_cutoff(
        works, citations, ids, vectors, texts, CUTOFF, RunConfig(), reg, embedding_model=None
    )
    result = BacktestResult(
        table, metrics, bt.target_met(metrics, reg), reg, RunConfig(), {CUTOFF: stage}
    )
    text = format_backtest(result)
    assert reg.sha256 in text and "k = 2," in text
    rows = [line for line in text.splitlines() if line.startswith(f"{CUTOFF:>6}")]
    assert len(rows) == len(bt.PREDICTORS) + 1  # and chance
    payload = json.loads(json.dumps(result.to_json(), default=str))
    assert payload["preregistration"]["sha256"] == reg.sha256
    assert len(payload["fronts"]) == len(COUNTS)
