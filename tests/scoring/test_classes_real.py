"""Every shared corpus, as an editor would read its fronts: classes agree with the numbers, and a
corpus without citation data shows citation indicators as unknown, never as 0.

Each corpus is read and de-duplicated as `fronts ingest` does; its last six years are analysed
on a deterministic sample of at most 600 works (work ids are hashes, so the first 600 by id
are a random-like sample), with the default topic settings and the real model.
"""

from __future__ import annotations

import polars as pl
import pytest

from fronts.config import EmbedConfig, IngestConfig, ScoreConfig, TopicsConfig
from fronts.embed import build_texts, embed_texts, load_model
from fronts.normalise import normalise_records
from fronts.scoring import score_topics
from fronts.stages.inputs import read_inputs
from fronts.topics import fit_topics

pytestmark = [pytest.mark.shared, pytest.mark.slow]

CORPORA = (
    "bibexpy-genai",
    "biblium-samples",
    "control-ai-medical-diagnosis-wos",
    "control-bci-eeg-wos",
    "control-exascale-ieee",
    "control-quantum-wos-30k",
    "data-science-education",
    "genai-authorship-wos",
    "human-ai-hybrids",
    "science-education-quality",
    "vet-medical-education-tel",
)
SAMPLE = 600
YEARS = 6


@pytest.fixture(scope="module")
def model():
    return load_model(EmbedConfig())


@pytest.fixture(scope="module", params=CORPORA)
def scored(request, shared_corpora, model):
    folder = shared_corpora / request.param
    plan = read_inputs(None, [folder], IngestConfig())
    records = pl.concat([f.result.records for f in plan.files], how="diagonal_relaxed")
    quarantine = pl.concat([f.result.quarantine for f in plan.files], how="diagonal_relaxed")
    norm = normalise_records(records, quarantine)
    last = int(norm.works["year"].max())
    window = (last - YEARS + 1, last)
    works = norm.works.filter(pl.col("year").is_between(*window)).sort("work_id").head(SAMPLE)
    texts = build_texts(works)
    ids, docs = texts["work_id"].to_list(), texts["text"].to_list()
    vectors = embed_texts(model, docs, 32, False)
    topics = fit_topics(ids, docs, vectors, TopicsConfig(), 42, model)
    result = score_topics(
        works,
        topics.doc_topics,
        topics.topics,
        norm.citations,
        window,
        ScoreConfig(bootstrap=20),
        42,
        vectors=(ids, vectors),
    )
    has_citations = bool(
        works["times_cited"].is_not_null().any()
        or (works["citations_by_year"].list.len().fill_null(0) > 0).any()
        or norm.citations["cited_work_id"].is_in(works["work_id"].implode()).any()
    )
    return request.param, result, has_citations


def test_no_hot_or_emerging_front_loses_share(scored):
    name, result, _ = scored
    fronts = result.fronts
    assert fronts.height >= 1, name
    for f in fronts.iter_rows(named=True):
        if f["class"] in ("hot", "emerging"):
            assert f["growth"] > 0, (name, f["label"], f["class"], f["growth"])
        if f["class"] == "emerging":
            assert f["growing"], (name, f["label"])


def test_citation_indicators_are_unknown_only_without_citation_data(scored):
    name, result, has_citations = scored
    scores = result.topic_scores.filter(pl.col("size") > 0)
    if has_citations:
        assert "none" not in set(scores["citation_basis"]), name
        assert scores["citation_growth"].null_count() == 0, name
    else:
        assert set(scores["citation_basis"]) == {"none"}, name
        assert scores["citation_growth"].null_count() == scores.height, name
        assert scores["impact"].null_count() == scores.height, name
