"""A real mixed corpus: data-science-education with 40 quantum-physics abstracts injected.

The quantum works form their own cluster; it must be flagged off-topic and ranked last, and no
education topic may be flagged.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from fronts.config import EmbedConfig, IngestConfig, ScoreConfig, TopicsConfig
from fronts.embed import build_texts, embed_texts, load_model
from fronts.ingest.detect import read_file
from fronts.normalise import normalise_records
from fronts.scoring import score_topics
from fronts.topics import fit_topics

pytestmark = [pytest.mark.shared, pytest.mark.slow]

WINDOW = (2019, 2024)
N_QUANTUM = 40


@pytest.fixture(scope="module", params=[None, 1], ids=["as-embedded", "vectors-moved-1e-6"])
def mixed_run(shared_corpora, request):
    """The mixed corpus, run as embedded and with its vectors moved by 1e-6 (relative): what
    the tests assert must not hang on the last bits of the embeddings."""
    folder = shared_corpora / "data-science-education"
    files = sorted(folder.glob("*.csv")) + sorted(folder.glob("*.txt"))
    quantum_file = shared_corpora / "control-quantum-wos-30k" / "raw" / "savedrecs-10.txt.gz"
    config = IngestConfig()
    parts = [read_file(f, config) for f in [*files, quantum_file]]
    quantum = (
        parts[-1]
        .records.filter(pl.col("year").is_between(*WINDOW))
        .sort("source_id")
        .head(N_QUANTUM)
    )
    records = pl.concat([*(p.records for p in parts[:-1]), quantum], how="diagonal_relaxed")
    quarantine = pl.concat([p.quarantine for p in parts], how="diagonal_relaxed")
    norm = normalise_records(records, quarantine)
    works = norm.works.filter(pl.col("year").is_between(*WINDOW)).sort("work_id")
    is_quantum = works["title"].is_in(quantum["title"].implode())
    texts = build_texts(works)
    model = load_model(EmbedConfig())
    vectors = embed_texts(model, texts["text"].to_list(), 32, False)
    if request.param is not None:
        noise = np.random.default_rng(request.param).standard_normal(vectors.shape)
        vectors = (vectors * (1.0 + 1e-6 * noise)).astype(np.float32)
    ids = texts["work_id"].to_list()
    topics_config = TopicsConfig(
        hdbscan={"min_cluster_size": 8, "cluster_selection_method": "leaf"}
    )
    topics = fit_topics(ids, texts["text"].to_list(), vectors, topics_config, 42, model)
    result = score_topics(
        works,
        topics.doc_topics,
        topics.topics,
        norm.citations,
        WINDOW,
        ScoreConfig(bootstrap=20),
        42,
        vectors=(ids, vectors),
    )
    quantum_share = (
        topics.doc_topics.join(
            pl.DataFrame({"work_id": works["work_id"], "quantum": is_quantum}), on="work_id"
        )
        .group_by("topic_id")
        .agg(pl.col("quantum").mean().alias("quantum_share"))
    )
    return int(is_quantum.sum()), result, quantum_share


def test_the_injected_quantum_cluster_is_flagged_and_education_topics_are_not(mixed_run):
    n_quantum, result, quantum_share = mixed_run
    assert n_quantum == N_QUANTUM
    scores = result.topic_scores.join(quantum_share, on="topic_id")
    quantum_topics = scores.filter(pl.col("quantum_share") >= 0.8)
    education_topics = scores.filter(pl.col("quantum_share") == 0.0)
    assert quantum_topics.height >= 1 and education_topics.height >= 5
    assert quantum_topics["off_topic"].all()
    assert not education_topics["off_topic"].any()
    assert (quantum_topics["core_similarity_z"] < -5).all()


def test_off_topic_fronts_rank_after_every_on_topic_front(mixed_run):
    _, result, _ = mixed_run
    fronts = result.fronts
    assert fronts["off_topic"].any()
    last_on = fronts.filter(~pl.col("off_topic"))["rank"].max()
    first_off = fronts.filter(pl.col("off_topic"))["rank"].min()
    assert first_off == last_on + 1
    assert (fronts.filter(pl.col("off_topic"))["p_top_n"] == 0.0).all()
