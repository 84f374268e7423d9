"""The embedding stage's library: text construction, offline loading, the cache, real vectors."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import numpy as np
import polars as pl
import pytest

from fronts.config import EmbedConfig
from fronts.embed import (
    EmbeddingDimensionError,
    build_texts,
    embed_texts,
    embed_with_cache,
    load_model,
    model_key,
)
from fronts.errors import ConfigError
from fronts.schemas import EMBEDDINGS

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

CONFIG = EmbedConfig(batch_size=8)

WORKS = pl.DataFrame(
    {
        "work_id": ["F3", "F1", "F2", "F4", "F5"],
        "title": [
            "Deep learning for protein structure prediction",
            "Soil microbial carbon cycling",
            "What drives citation growth?",
            "Soil microbial carbon cycling",
            "Coral reef bleaching under ocean warming",
        ],
        "abstract": [
            "We predict protein folds from sequences with neural networks.",
            None,
            "  We model citation counts over time.  ",
            "",
            "Rising sea temperatures cause mass bleaching of corals.",
        ],
    }
)


def _no_model() -> Any:
    raise AssertionError("the model must not be loaded when every text is cached")


@pytest.fixture(scope="session")
def model() -> Any:
    return load_model(CONFIG)


@pytest.fixture(scope="session")
def texts() -> pl.DataFrame:
    return build_texts(WORKS)


def _cache_of(result_rows: pl.DataFrame) -> pl.DataFrame:
    return result_rows.select("text_sha256", "vector")


def test_build_texts_joins_title_and_abstract_and_flags_title_only(texts: pl.DataFrame) -> None:
    assert texts.columns == ["work_id", "text", "text_sha256", "title_only"]
    assert texts["work_id"].to_list() == ["F3", "F1", "F2", "F4", "F5"]  # input order kept
    assert texts["text"].to_list() == [
        "Deep learning for protein structure prediction. "
        "We predict protein folds from sequences with neural networks.",
        "Soil microbial carbon cycling",
        "What drives citation growth? We model citation counts over time.",
        "Soil microbial carbon cycling",
        "Coral reef bleaching under ocean warming. "
        "Rising sea temperatures cause mass bleaching of corals.",
    ]
    assert texts["title_only"].to_list() == [False, True, False, True, False]


def test_text_hashes_are_sha256_of_utf8_and_stable(texts: pl.DataFrame) -> None:
    expected = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts["text"]]
    assert texts["text_sha256"].to_list() == expected
    assert build_texts(WORKS).equals(texts)
    assert texts["text_sha256"][1] == texts["text_sha256"][3]  # same text, same key
    accented = build_texts(pl.DataFrame({"work_id": ["a"], "title": ["Café"], "abstract": [None]}))
    assert accented["text_sha256"][0] == hashlib.sha256("Café".encode()).hexdigest()


def test_model_key_names_model_and_truncation(tmp_path: Any) -> None:
    assert model_key(EmbedConfig()) == "all-MiniLM-L6-v2@128#onnx"  # the default backend
    assert model_key(EmbedConfig(backend="torch")) == "all-MiniLM-L6-v2@128"
    assert model_key(EmbedConfig(backend="torch", max_seq_length=256)) == "all-MiniLM-L6-v2@256"
    (tmp_path / "modules.json").write_text("[]")
    local = EmbedConfig(model=str(tmp_path), backend="torch")
    assert model_key(local) == f"{tmp_path.resolve()}@128"


@pytest.mark.parametrize("kind", ["missing", "not_a_model", "hub_name"])
def test_bad_model_path_is_a_config_error_naming_the_key(kind: str, tmp_path: Any) -> None:
    model = {
        "missing": str(tmp_path / "nope"),
        "not_a_model": str(tmp_path),
        "hub_name": "sentence-transformers/all-mpnet-base-v2",
    }[kind]
    with pytest.raises(ConfigError, match=r"embed\.model") as err:
        load_model(EmbedConfig(model=model))
    assert "modules.json" in str(err.value)


def test_vectors_are_normalised_float32_of_dimension_384(model: Any, texts: pl.DataFrame) -> None:
    vectors = embed_texts(model, texts["text"].to_list(), batch_size=4, progress=False)
    assert vectors.dtype == np.float32
    assert vectors.shape == (5, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert model.max_seq_length == 128
    assert embed_texts(model, [], batch_size=4, progress=False).shape == (0, 384)


def test_fresh_embedding_dedups_and_gives_identical_vectors_for_identical_texts(
    model: Any, texts: pl.DataFrame
) -> None:
    calls = []

    def get_model() -> Any:
        calls.append(1)
        return model

    result = embed_with_cache(texts, EMBEDDINGS.empty(), get_model, CONFIG)
    assert calls == [1]
    assert result.from_cache == [False] * 5
    assert result.vectors.shape == (5, 384)
    assert np.array_equal(result.vectors[1], result.vectors[3])
    assert not np.array_equal(result.vectors[0], result.vectors[1])
    rows = result.new_rows
    assert rows.schema == EMBEDDINGS.schema
    assert rows.height == 4  # the duplicated title-only text is embedded once
    assert rows["text_sha256"].to_list() == sorted(set(texts["text_sha256"]))
    assert rows["model"].unique().to_list() == [model_key(CONFIG)]
    again = embed_with_cache(texts, EMBEDDINGS.empty(), lambda: model, CONFIG)
    assert np.array_equal(again.vectors, result.vectors)  # deterministic, bit for bit


def test_full_cache_hit_never_loads_the_model(model: Any, texts: pl.DataFrame) -> None:
    first = embed_with_cache(texts, EMBEDDINGS.empty(), lambda: model, CONFIG)
    second = embed_with_cache(texts, first.new_rows, _no_model, CONFIG)
    assert second.from_cache == [True] * 5
    assert second.new_rows.height == 0
    assert second.new_rows.schema == EMBEDDINGS.schema
    assert np.array_equal(second.vectors, first.vectors)


def test_cache_rows_of_another_model_key_are_not_used(model: Any, texts: pl.DataFrame) -> None:
    first = embed_with_cache(texts, EMBEDDINGS.empty(), lambda: model, CONFIG)
    other = first.new_rows.with_columns(pl.lit("all-MiniLM-L6-v2@256").alias("model"))
    result = embed_with_cache(texts, other, lambda: model, CONFIG)
    assert result.from_cache == [False] * 5


def test_partial_cache_embeds_only_missing_texts(model: Any, texts: pl.DataFrame) -> None:
    fresh = embed_with_cache(texts, EMBEDDINGS.empty(), lambda: model, CONFIG)
    keep = [texts["text_sha256"][0], texts["text_sha256"][1]]
    cached = _cache_of(fresh.new_rows.filter(pl.col("text_sha256").is_in(keep)))
    embedded: list[list[str]] = []

    class Spy:
        def __getattr__(self, name: str) -> Any:
            return getattr(model, name)

        def encode(self, sentences: list[str], **kwargs: Any) -> Any:
            embedded.append(list(sentences))
            return model.encode(sentences, **kwargs)

    result = embed_with_cache(texts, cached, Spy, CONFIG)
    assert result.from_cache == [True, True, False, True, False]
    assert sorted(embedded[0]) == sorted([texts["text"][2], texts["text"][4]])
    assert result.new_rows["text_sha256"].to_list() == sorted(
        [texts["text_sha256"][2], texts["text_sha256"][4]]
    )
    assert np.allclose(result.vectors, fresh.vectors, atol=1e-6)


def test_cache_disabled_ignores_cached_vectors(model: Any, texts: pl.DataFrame) -> None:
    fresh = embed_with_cache(texts, EMBEDDINGS.empty(), lambda: model, CONFIG)
    poisoned = fresh.new_rows.with_columns(
        pl.col("vector").list.eval(pl.element() * 0).alias("vector")
    )
    result = embed_with_cache(
        texts, poisoned, lambda: model, EmbedConfig(batch_size=8, cache=False)
    )
    assert result.from_cache == [False] * 5
    assert np.array_equal(result.vectors, fresh.vectors)


def test_cached_vectors_of_another_dimension_are_refused(model: Any, texts: pl.DataFrame) -> None:
    short = pl.DataFrame(
        {"text_sha256": [texts["text_sha256"][0]], "vector": [[0.6, 0.8]]},
        schema={"text_sha256": pl.String, "vector": pl.List(pl.Float32)},
    )
    with pytest.raises(EmbeddingDimensionError, match="384"):
        embed_with_cache(texts, short, lambda: model, CONFIG)


def test_similar_texts_are_closer_than_unrelated_ones(model: Any) -> None:
    vectors = embed_texts(
        model,
        [
            "Soil bacteria and fungi regulate the decomposition of organic carbon.",
            "Microbial communities in soils control carbon mineralisation and storage.",
            "Transformer language models improve machine translation quality.",
        ],
        batch_size=8,
        progress=False,
    )
    similarity = vectors @ vectors.T  # unit rows: dot product is cosine similarity
    assert similarity[0, 1] > similarity[0, 2] + 0.3
    assert similarity[0, 1] > similarity[1, 2] + 0.3


def test_device_is_cpu_by_default_auto_falls_back_and_cuda_is_refused_without_a_gpu() -> None:
    import torch

    from fronts.embed import resolve_device

    assert (
        EmbedConfig(backend="torch").device == "cpu"
        and resolve_device(EmbedConfig(backend="torch")) == "cpu"
    )
    if torch.cuda.is_available():  # a GPU machine: cuda is used and cached apart
        assert resolve_device(EmbedConfig(backend="torch", device="auto")) == "cuda"
        assert model_key(EmbedConfig(backend="torch", device="cuda")).endswith("#cuda")
        return
    assert resolve_device(EmbedConfig(backend="torch", device="auto")) == "cpu"
    assert model_key(EmbedConfig(backend="torch", device="auto")) == model_key(
        EmbedConfig(backend="torch")
    )
    with pytest.raises(ConfigError, match=r"embed\.device = 'cuda' but no CUDA device"):
        resolve_device(EmbedConfig(backend="torch", device="cuda"))
