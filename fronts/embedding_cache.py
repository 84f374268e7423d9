"""The `embeddings` table as a cache: look vectors up, add them chunk by chunk, read a run's.

Vectors are keyed by (model key, sha256 of the exact text), so a rerun, a resumed run or next
year's run embeds only texts it has not seen. `store_missing` embeds what is missing and commits
every chunk on its own, so a run killed while embedding keeps what it finished.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import polars as pl

from fronts.config import EmbedConfig
from fronts.embed import cache_rows, check_dimension, embed_chunks, model_key, progress_bar
from fronts.errors import FrontsError
from fronts.store import write_tables


@dataclass(frozen=True)
class CacheFill:
    """What `store_missing` did: texts wanted, already cached, and embedded now."""

    n_texts: int
    n_cached: int
    n_embedded: int


def cached_texts(
    con: duckdb.DuckDBPyConnection, key: str, hashes: list[str]
) -> tuple[dict[str, str | None], int | None]:
    """For the hashes cached under model `key`: {hash: run that embedded it}, and their dimension.

    Raises `FrontsError` when the cached vectors of that model disagree on their dimension.
    """
    con.register("_hashes", pl.DataFrame({"text_sha256": hashes}).to_arrow())
    try:
        rows = con.execute(
            "SELECT text_sha256, any_value(embedded_by), min(len(vector)), max(len(vector)) "
            "FROM embeddings WHERE model = ? AND text_sha256 IN (SELECT text_sha256 FROM _hashes) "
            "GROUP BY text_sha256",
            [key],
        ).fetchall()
    finally:
        con.unregister("_hashes")
    dims = {d for _, _, low, high in rows for d in (low, high)}
    if len(dims) > 1:
        raise FrontsError(
            f"the embeddings cache for model {key!r} mixes vector dimensions {sorted(dims)}; "
            "delete this model's rows from the embeddings table or set embed.cache = false"
        )
    return {h: by for h, by, _, _ in rows}, (dims.pop() if dims else None)


def store_missing(
    con: duckdb.DuckDBPyConnection,
    texts: pl.DataFrame,
    config: EmbedConfig,
    get_model: Callable[[], Any],
    embedded_by: str | None,
    progress: bool = False,
    shards: Any = None,
) -> CacheFill:
    """Embed the texts (from `build_texts`) missing from the cache, committing chunk by chunk.

    A text is missing when the cache has no vector for it under this model key, or, with
    `config.cache` false, when its vector was not embedded by `embedded_by` itself (so a
    resumed run keeps what its interrupted attempt embedded, and recomputes the rest). Missing
    texts are embedded in text_sha256 order in chunks of `config.commit_every`, each chunk
    committed on its own; with `shards` (`fronts.scale.shard_runner`) on a Dask cluster.
    """
    key = model_key(config)
    by_hash = dict(zip(texts["text_sha256"].to_list(), texts["text"].to_list(), strict=False))
    cached, dim = cached_texts(con, key, list(by_hash))
    usable = {h for h, by in cached.items() if config.cache or (embedded_by and by == embedded_by)}
    missing = sorted(h for h in by_hash if h not in usable)
    bar = progress_bar(len(missing), progress)
    try:
        for part, vectors in embed_chunks(
            get_model, [by_hash[h] for h in missing], config, bar.update if bar else None, shards
        ):
            check_dimension(key, dim, vectors.shape[1])
            dim = vectors.shape[1]
            hashes = missing[part]
            rows = cache_rows(key, hashes, vectors, embedded_by)
            write_tables(
                con,
                {"embeddings": rows},
                where={
                    "embeddings": ("model = ? AND list_contains(?, text_sha256)", [key, hashes])
                },
            )
    finally:
        if bar:
            bar.close()
    return CacheFill(len(by_hash), len(by_hash) - len(missing), len(missing))


def run_vectors(
    con: duckdb.DuckDBPyConnection, key: str, run_id: str
) -> tuple[list[str], np.ndarray]:
    """A run's work ids (sorted) and their cached vectors as one float32 matrix."""
    frame = con.sql(
        "SELECT t.work_id, e.vector FROM work_texts t JOIN embeddings e "
        "ON e.text_sha256 = t.text_sha256 AND e.model = ? WHERE t.run_id = ? ORDER BY t.work_id",
        params=[key, run_id],
    ).pl()
    if frame.height == 0:
        raise FrontsError(f"run {run_id}: no embeddings; run the embed stage first")
    return frame["work_id"].to_list(), as_matrix(frame["vector"])


def vectors_of(
    con: duckdb.DuckDBPyConnection, key: str, hashes: list[str]
) -> dict[str, np.ndarray]:
    """The cached vectors of `hashes` under model `key`, {hash: vector}."""
    con.register("_hashes", pl.DataFrame({"text_sha256": hashes}).to_arrow())
    try:
        frame = con.sql(
            "SELECT text_sha256, vector FROM embeddings WHERE model = ? "
            "AND text_sha256 IN (SELECT text_sha256 FROM _hashes) ORDER BY text_sha256",
            params=[key],
        ).pl()
    finally:
        con.unregister("_hashes")
    if frame.height == 0:
        return {}
    return dict(zip(frame["text_sha256"].to_list(), as_matrix(frame["vector"]), strict=True))


def as_matrix(column: pl.Series) -> np.ndarray:
    """A list column of equal-length vectors as a float32 (n, d) matrix."""
    dim = int(column.list.len().max())  # type: ignore[arg-type]
    return column.cast(pl.List(pl.Float32)).list.to_array(dim).to_numpy().astype(np.float32)
