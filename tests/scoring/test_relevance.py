import numpy as np
import polars as pl
import pytest

from fronts.config import ScoreConfig
from fronts.scoring import score_topics
from fronts.scoring.relevance import (
    core_similarity,
    flag_off_topic,
    robust_z,
    term_relevance,
)

WINDOW = (2019, 2024)


def test_robust_z_uses_median_and_scaled_mad():
    z = robust_z(np.array([1.0, 2.0, 3.0, 4.0, 5.0, 100.0]))
    # median 3.5; absolute deviations .5 .5 1.5 1.5 2.5 96.5 -> MAD 1.5, scale 1.5 * 1.4826
    assert z[0] == pytest.approx(-2.5 / (1.5 * 1.4826))
    assert z[-1] == pytest.approx(96.5 / (1.5 * 1.4826))


def test_robust_z_is_neutral_without_enough_reference_and_keeps_nan():
    assert robust_z(np.array([1.0, 2.0, 50.0, 4.0])).tolist() == [0.0] * 4
    z = robust_z(np.array([1.0, np.nan, 2.0, 3.0, 4.0, 5.0]))
    assert np.isnan(z[1]) and z[2] < 0
    # The reference decides the scale: the far value does not inflate it.
    ref = np.array([True] * 5 + [False])
    z = robust_z(np.array([1.0, 2.0, 3.0, 4.0, 5.0, -40.0]), ref)
    assert z[-1] == pytest.approx(-43.0 / 1.4826)


def test_robust_z_falls_back_to_mean_absolute_deviation_when_mad_is_zero():
    z = robust_z(np.array([1.0, 1.0, 1.0, 1.0, 1.0, 0.0]))
    # MAD 0; mean absolute deviation 1/6, times sqrt(pi/2)
    assert z[-1] == pytest.approx(-1.0 / (np.sqrt(np.pi / 2) / 6))
    assert robust_z(np.full(6, 2.0)).tolist() == [0.0] * 6


def test_core_similarity_is_the_cosine_to_the_corpus_centroid():
    topic_idx = np.array([0, 0, 1, 1, 2, 2])
    vectors = np.array([[1, 0, 0], [2, 0, 0], [0, 1, 0], [0, 3, 0], [0, 0, 1], [0, 0, 1]], float)
    sim = core_similarity(topic_idx, 4, vectors)
    # unit vectors e1 e1 e2 e2 e3 e3: corpus centroid (1, 1, 1) -> cosine 1/sqrt(3) for each
    # topic; topic 3 has no works
    assert sim[:3] == pytest.approx([3**-0.5] * 3)
    assert np.isnan(sim[3])
    assert np.isnan(core_similarity(topic_idx, 3, None)).all()
    near = np.array([[1, 0, 0], [1, 0, 0], [1, 0.1, 0], [1, 0.1, 0], [0, 0, 1], [0, 0, 1]])
    sim = core_similarity(topic_idx, 3, near)
    assert sim[2] < sim[0] and sim[2] < sim[1]


def test_term_relevance_counts_only_works_outside_the_topic():
    texts = ["students learning data"] * 3 + ["students teaching curriculum"] * 3
    texts += ["qubit entanglement photon"] * 2
    topic_idx = np.array([0, 0, 0, 1, 1, 1, 2, 2])
    terms = [["students", "data"], ["curriculum"], ["qubit", "entanglement"]]
    rel = term_relevance(topic_idx, 3, texts, terms)
    # topic 0: 5 other works; "students" in 3, "data" in 0 -> (3/5 + 0) / 2
    assert rel[0] == pytest.approx(0.3)
    assert rel[1] == pytest.approx(0.0)  # "curriculum" is its own
    assert rel[2] == pytest.approx(0.0)
    assert np.isnan(term_relevance(topic_idx, 3, None, terms)).all()


def test_term_relevance_tokenises_like_the_topics_stage():
    # Stop words go before bigrams are formed: "quality of education" holds "quality education".
    texts = ["quality of education matters", "the quality of education", "qubits"]
    rel = term_relevance(np.array([1, 1, 0]), 2, texts, [["quality education"], None])
    assert rel[0] == pytest.approx(1.0)
    assert np.isnan(rel[1])


def test_flag_needs_both_signs_extreme():
    sim = np.array([0.80, 0.82, 0.79, 0.81, 0.83, 0.80, 0.20, 0.21])
    rel = np.array([0.30, 0.25, 0.35, 0.28, 0.32, 0.30, 0.001, 0.30])
    out = flag_off_topic(sim, rel, np.ones(8, bool), -2.5, -1.5)
    # topic 6 is far and foreign; topic 7 is far but speaks the corpus's language
    assert out.off_topic.tolist() == [False] * 6 + [True, False]
    assert out.core_similarity_z[6] < -2.5 and out.core_similarity_z[7] < -2.5
    assert out.term_relevance_z[7] > -1.5


def _with_text_and_vectors(corpus, far_topic: int, dim: int = 12):
    works, docs, topics, cites = corpus
    topic_of = dict(zip(docs["work_id"], docs["topic_id"], strict=True))
    rng = np.random.default_rng(3)
    texts, vectors = [], []
    for work_id in works["work_id"]:
        t = topic_of[work_id]
        v = np.zeros(dim)
        if t == far_topic:
            v[dim - 1] = 1.0
            texts.append("qubit entanglement photon lattice")
        else:
            v[0] = 1.0
            v[1 + (t % (dim - 2))] = 0.3 + 0.05 * (t % 4)
            texts.append(f"students learning curriculum word{t}")
        vectors.append(v + 0.02 * rng.standard_normal(dim))
    works = works.with_columns(
        title=pl.Series(texts), abstract=pl.lit("teachers and classroom practice")
    )
    terms = {t: ["students", f"word{t}"] for t in topics["topic_id"]}
    terms[far_topic] = ["qubit", "entanglement"]
    topics = topics.with_columns(
        top_terms=pl.Series([terms[t] for t in topics["topic_id"]], dtype=pl.List(pl.String))
    )
    return (works, docs, topics, cites), (works["work_id"].to_list(), np.array(vectors))


def test_a_far_away_growing_topic_is_flagged_and_ranked_after_all_on_topic_fronts(make_corpus):
    flat = [20] * 6
    counts = {t: flat for t in range(7)}
    counts[7] = [2, 4, 8, 16, 32, 64]  # the fastest-growing topic, and off-topic
    counts[-1] = [10] * 6
    corpus, vectors = _with_text_and_vectors(make_corpus(counts), far_topic=7)
    config = ScoreConfig(bootstrap=30, n_fronts=3)

    plain = score_topics(*corpus, WINDOW, config, seed=1)
    assert plain.fronts["topic_id"][0] == 7  # without embeddings nothing is flagged
    assert not plain.fronts["off_topic"].any()

    result = score_topics(*corpus, WINDOW, config, seed=1, vectors=vectors)
    scores = result.topic_scores.sort("topic_id")
    assert scores["off_topic"].to_list() == [False] * 7 + [True]
    assert scores["core_similarity_z"][7] < -2.5 and scores["term_relevance_z"][7] < -1.5
    fronts = result.fronts
    assert fronts["rank"].to_list() == list(range(1, 9))
    last = fronts.row(7, named=True)
    assert last["topic_id"] == 7 and last["off_topic"] and last["rank_low"] == 8
    assert last["p_top_n"] == 0.0
    on_topic = fronts.filter(~pl.col("off_topic"))
    assert on_topic["p_top_n"].sum() == pytest.approx(3.0)  # the top-3 places go to on-topic

    # With more top-N places than on-topic fronts the off-topic front's rank is <= N, but it is
    # still never a top-N candidate.
    wide = score_topics(*corpus, WINDOW, ScoreConfig(bootstrap=10, n_fronts=10), 1, vectors)
    assert wide.fronts.filter(pl.col("off_topic"))["p_top_n"].to_list() == [0.0]
    # Every on-topic front is in the top 10 by construction: no probability is reported.
    assert wide.fronts.filter(~pl.col("off_topic"))["p_top_n"].to_list() == [None] * 7

    disabled = ScoreConfig(bootstrap=0, off_topic={"enabled": False})
    off = score_topics(*corpus, WINDOW, disabled, seed=1, vectors=vectors)
    assert not off.topic_scores["off_topic"].any()
    assert off.fronts["topic_id"][0] == 7
