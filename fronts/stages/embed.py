"""Stage `embed`: a vector for every work of the window, through the `embeddings` cache.

Writes `embeddings` (new vectors, committed every `embed.commit_every` texts, so a killed run
keeps what it finished and its rerun embeds only the rest) and `work_texts` (the text each work
was embedded on, and whether its vector came from an earlier run).
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from fronts.embed import build_texts, load_model, model_key
from fronts.embedding_cache import cached_texts, store_missing
from fronts.runs import run_works
from fronts.scale import cluster_shards
from fronts.stages.base import StageContext, StageResult
from fronts.store import write_tables


@dataclass(frozen=True)
class EmbedResult(StageResult):
    n_texts: int
    n_embedded: int
    n_earlier_attempt: int
    n_title_only: int


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> EmbedResult:
    """Embed what the cache lacks, then record each work's text and vector origin.

    `n_embedded` counts distinct texts embedded by this call; `n_earlier_attempt` those an
    earlier attempt of the same run (interrupted, or a rerun) had already committed.
    """
    run_info = ctx.require_run()
    cfg = ctx.config.embed
    texts = build_texts(run_works(con, run_info))
    key = model_key(cfg)
    hashes = texts["text_sha256"].to_list()
    before, _ = cached_texts(con, key, hashes)
    with cluster_shards(ctx.config.scale) as shards:
        fill = store_missing(
            con,
            texts,
            cfg,
            lambda: load_model(cfg),
            run_info.run_id,
            progress=ctx.options.progress,
            shards=shards,
        )
    after, _ = cached_texts(con, key, hashes)
    earlier = sum(1 for h in set(hashes) if before.get(h, "") == run_info.run_id)
    # A vector comes "from the cache" when another run embedded it; a run's own vectors, from
    # an interrupted attempt or this one, do not, so a resumed run ends like an uninterrupted one.
    from_cache = [after.get(h) != run_info.run_id for h in hashes]
    work_texts = texts.select("work_id", "text_sha256", "title_only").with_columns(
        from_cache=pl.Series(from_cache, dtype=pl.Boolean), run_id=pl.lit(run_info.run_id)
    )
    write_tables(
        con, {"work_texts": work_texts}, where={"work_texts": ("run_id = ?", [run_info.run_id])}
    )
    return EmbedResult(texts.height, fill.n_embedded, earlier, int(texts["title_only"].sum()))
