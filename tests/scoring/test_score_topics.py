import numpy as np
import polars as pl
import pytest

from fronts.config import ScoreConfig
from fronts.schemas import FRONTS, TOPIC_SCORES, TOPIC_YEAR_COUNTS, check_frame
from fronts.scoring import score_topics
from fronts.scoring.indicators import indicators
from fronts.scoring.rank import bootstrap_ranks, classify, rankable_rows, zscore
from fronts.scoring.worktable import build_worktable

WINDOW = (2019, 2024)
DOUBLING = [2, 4, 8, 16, 32, 64]
FLAT = [30] * 6
COUNTS = {
    -1: [150 - n for n in DOUBLING],
    0: [40, 36, 32, 28, 24, 20],
    1: FLAT,
    2: FLAT,
    3: DOUBLING,
    4: [1, 1, 1, 0, 0, 0],  # too small to rank
}


def cited(topic: int, year: int, i: int) -> int:
    return (i * 7 + topic) % 5  # varied, the same pattern in every topic


@pytest.fixture
def corpus(make_corpus):
    return make_corpus(COUNTS, times_cited=cited)


def run(corpus, seed=7, **config):
    return score_topics(*corpus, WINDOW, ScoreConfig(**config), seed)


def test_frames_match_the_warehouse_tables(corpus):
    result = run(corpus, bootstrap=20)
    for df, table in (
        (result.topic_year_counts, TOPIC_YEAR_COUNTS),
        (result.topic_scores, TOPIC_SCORES),
        (result.fronts, FRONTS),
    ):
        expected = {k: v for k, v in table.schema.items() if k != "run_id"}
        assert dict(df.schema) == expected
        check_frame(df.with_columns(run_id=pl.lit("")), table)


def test_doubling_topic_ranks_first_and_outliers_and_small_topics_are_not_ranked(corpus):
    result = run(corpus, bootstrap=50)
    scores = result.topic_scores
    assert scores["topic_id"].to_list() == [0, 1, 2, 3, 4]
    assert scores.sort("growth", descending=True)["topic_id"][0] == 3
    fronts = result.fronts
    assert fronts["rank"].to_list() == [1, 2, 3, 4]
    assert fronts["topic_id"][0] == 3
    assert set(fronts["topic_id"]) == {0, 1, 2, 3}
    small = scores.filter(pl.col("topic_id") == 4)
    assert small["score"][0] is None and small["emergence"][0] is None
    # Outliers are counted (shares sum to 1) but never scored.
    counts = result.topic_year_counts
    assert -1 in counts["topic_id"].to_list()
    assert counts.group_by("year").agg(pl.col("share").sum())["share"].to_list() == pytest.approx(
        [1.0] * 6
    )


def test_equal_topics_tie_by_topic_id(corpus):
    fronts = run(corpus, bootstrap=0).fronts
    flat = fronts.filter(pl.col("topic_id").is_in([1, 2]))
    assert flat["score"][0] == flat["score"][1]
    assert flat.sort("rank")["topic_id"].to_list() == [1, 2]


def test_intervals_contain_the_rank_and_probabilities_are_shares(corpus):
    fronts = run(corpus, bootstrap=60, n_fronts=2).fronts
    assert (fronts["rank_low"] <= fronts["rank"]).all()
    assert (fronts["rank"] <= fronts["rank_high"]).all()
    assert fronts["p_top_n"].is_between(0.0, 1.0).all()
    # The dominant front is first in every resample.
    top = fronts.row(0, named=True)
    assert (top["rank_low"], top["rank_high"], top["p_top_n"]) == (1, 1, 1.0)
    # Topics 1 and 2 are identical in expectation: their ranks must move between resamples.
    tied = fronts.filter(pl.col("topic_id").is_in([1, 2]))
    assert (tied["rank_high"] - tied["rank_low"]).min() >= 1


def test_same_seed_same_frames_other_seed_other_draws(corpus):
    first, again = run(corpus, seed=3, bootstrap=40), run(corpus, seed=3, bootstrap=40)
    for name in ("topic_year_counts", "topic_scores", "fronts"):
        assert getattr(first, name).equals(getattr(again, name))
    works, docs, _, cites = corpus
    table = build_worktable(works, docs, cites, WINDOW)
    rows = rankable_rows(table, indicators(table), 5)
    config = ScoreConfig(bootstrap=40)
    same = bootstrap_ranks(table, rows, config, 3)
    assert np.array_equal(same, bootstrap_ranks(table, rows, config, 3))
    assert not np.array_equal(same, bootstrap_ranks(table, rows, config, 4))


def test_input_row_order_does_not_matter(corpus):
    works, docs, topics, cites = corpus
    shuffled = (works.reverse(), docs.reverse(), topics.reverse(), cites)
    a, b = run(corpus, bootstrap=20), run(shuffled, bootstrap=20)
    assert a.fronts.equals(b.fronts) and a.topic_scores.equals(b.topic_scores)


def test_constant_indicators_do_not_make_nan(make_corpus):
    # Every topic has the same coherence, impact (all uncited) and no bursts.
    counts = {0: FLAT, 1: FLAT, 2: [20] * 6}
    corpus = make_corpus(counts, times_cited=lambda t, y, i: 0)
    result = run(corpus, bootstrap=10, n_fronts=2)
    assert result.topic_scores["score"].null_count() == 0
    assert not result.topic_scores["score"].is_nan().any()
    assert result.fronts["p_top_n"].null_count() == 0
    assert zscore(np.array([2.0, 2.0, 2.0])).tolist() == [0.0, 0.0, 0.0]
    assert zscore(np.array([1.0, np.nan, 3.0])).tolist() == [-1.0, 0.0, 1.0]


def test_without_bootstrap_the_interval_is_the_rank(corpus):
    fronts = run(corpus, bootstrap=0).fronts
    assert fronts["rank_low"].to_list() == fronts["rank"].to_list()
    assert fronts["rank_high"].to_list() == fronts["rank"].to_list()
    assert fronts["p_top_n"].null_count() == fronts.height


def test_classes(make_corpus):
    # 8 topics: 3 large recent ones (top-quartile size, recent mean year), 1 small very recent
    # topic with rising citations (over three years: the support rule), the rest old.
    old = [20, 20, 20, 5, 5, 5]
    counts = {t: old for t in range(4)}
    counts |= {4: [10, 20, 30, 40, 50, 60], 5: [10, 20, 30, 40, 50, 61], 6: [0, 0, 0, 1, 4, 8]}
    counts[7] = [20, 20, 20, 20, 20, 20]

    def cites(topic, year, i):
        return 10 * (year - 2018) if topic == 6 else 1

    corpus = make_corpus(counts, times_cited=cites)
    result = run(corpus, bootstrap=0)
    by_topic = dict(zip(result.fronts["topic_id"], result.fronts["class"], strict=True))
    assert by_topic[4] == "hot" and by_topic[5] == "hot"
    assert by_topic[6] == "emerging"
    assert {by_topic[t] for t in (0, 1, 2, 3)} == {"established"}


def test_classify_needs_rising_citations_for_emerging(corpus):
    works, docs, _, cites = corpus
    table = build_worktable(works, docs, cites, WINDOW)
    ind = indicators(table)
    rows = rankable_rows(table, ind, 5)
    falling = ind.__class__(**{**ind.__dict__, "citation_growth": np.full_like(ind.growth, -1.0)})
    assert "emerging" not in classify(falling, rows).tolist()


def test_nothing_to_rank_gives_empty_fronts(make_corpus):
    works, docs, topics, cites = make_corpus({-1: [5] * 6, 0: [1, 0, 0, 0, 0, 1]})
    absent = pl.DataFrame(
        {"topic_id": [7], "label": ["gone"], "top_terms": [["x"]], "size": [0]},
        schema=topics.schema,
    )
    result = score_topics(
        works, docs, pl.concat([topics, absent]), cites, WINDOW, ScoreConfig(bootstrap=5), 1
    )
    assert result.fronts.height == 0
    assert dict(result.fronts.schema) == {k: v for k, v in FRONTS.schema.items() if k != "run_id"}
    gone = result.topic_scores.filter(pl.col("topic_id") == 7).row(0, named=True)
    assert gone["size"] == 0 and gone["growth"] is None and gone["score"] is None


def test_a_large_recent_front_whose_share_falls_is_not_hot(make_corpus):
    # Topics 4 and 5 are the largest and the most recent by mean year, but 5's share falls
    # from year to year while the corpus grows around it.
    old = [20, 20, 20, 5, 5, 5]
    counts = {t: old for t in range(4)}
    counts |= {4: [10, 20, 30, 40, 50, 60], 5: [80, 60, 60, 60, 60, 60], 7: [20] * 6}
    counts[-1] = [10, 40, 80, 120, 160, 200]
    result = run(make_corpus(counts), bootstrap=0)
    fronts = result.fronts
    by_topic = dict(zip(fronts["topic_id"], fronts["class"], strict=True))
    growth = dict(zip(fronts["topic_id"], fronts["growth"], strict=True))
    assert growth[5] < 0 and by_topic[5] != "hot"
    assert growth[4] > 0 and by_topic[4] == "hot"


def test_classes_never_contradict_the_share_trend(make_corpus):
    # Whatever the corpus, a hot front has a rising share and an emerging one a significant
    # rise: random corpora, each class checked against the front's own numbers.
    rng = np.random.default_rng(5)
    for _ in range(20):
        counts = {t: rng.integers(0, 40, size=6).tolist() for t in range(8)}
        counts[-1] = rng.integers(20, 80, size=6).tolist()
        fronts = run(make_corpus(counts, times_cited=cited), bootstrap=0).fronts
        for f in fronts.iter_rows(named=True):
            if f["class"] == "hot":
                assert f["growth"] > 0, f
            if f["class"] == "emerging":
                assert f["growing"] and f["growth"] > 0, f


def test_emerging_needs_a_significant_rise(corpus):
    works, docs, _, cites = corpus
    table = build_worktable(works, docs, cites, WINDOW)
    ind = indicators(table)
    rows = rankable_rows(table, ind, 5)
    rising = ind.__class__(**{**ind.__dict__, "citation_growth": np.full_like(ind.growth, 1.0)})
    never = np.zeros(rows.size, dtype=bool)
    assert "emerging" not in classify(rising, rows, growing=never).tolist()


def test_a_corpus_without_citation_data_has_unknown_citation_indicators(make_corpus):
    counts = {0: FLAT, 1: DOUBLING, 2: [20] * 6, -1: [10] * 6}
    result = run(make_corpus(counts, times_cited=lambda t, y, i: None), bootstrap=10)
    scores = result.topic_scores
    for column in ("citation_growth", "impact", "share_top10"):
        assert scores[column].null_count() == scores.height, column
    assert set(scores["citation_basis"]) == {"none"}
    assert result.fronts["citation_growth"].null_count() == result.fronts.height
    # Zero citations are data: the same corpus with every work uncited has zero growth.
    uncited = run(make_corpus(counts, times_cited=lambda t, y, i: 0), bootstrap=10)
    assert uncited.topic_scores["citation_growth"].null_count() == 0
    assert "none" not in set(uncited.topic_scores["citation_basis"])


def test_core_and_assigned_works_are_counted_apart(corpus):
    works, docs, topics, cites = corpus
    # every third work of topic 3 was placed by the outlier policy, not by the clustering
    third = pl.int_range(pl.len()).over("topic_id") % 3 == 0
    docs = docs.with_columns(
        assignment=pl.when((pl.col("topic_id") == 3) & third)
        .then(pl.lit("reassigned"))
        .otherwise(pl.col("assignment"))
    )
    fronts = score_topics(works, docs, topics, cites, WINDOW, ScoreConfig(bootstrap=0), 1).fronts
    assert (fronts["n_core"] + fronts["n_assigned"] == fronts["size"]).all()
    row = fronts.filter(pl.col("topic_id") == 3).row(0, named=True)
    expected = docs.filter((pl.col("topic_id") == 3) & (pl.col("assignment") == "reassigned"))
    assert row["n_assigned"] == expected.height > 0
    assert fronts.filter(pl.col("topic_id") != 3)["n_assigned"].to_list() == [0, 0, 0]
