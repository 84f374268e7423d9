"""Stage `topics`: cluster the window's works into topics; writes `doc_topics` and `topics`.

The fit is deterministic, so a fit that exists already is reused instead of repeated: the run's
own (a rerun, or the resume of an interrupted run: topics are written in one transaction, so
a run that holds them holds all of them), else a completed run on the same corpus and window
with the same embedding, topics and seed settings (e.g. when only score weights changed).
With the run option `reuse_topics` off, topics are always fitted again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

import duckdb
import polars as pl

from fronts.config import RunConfig
from fronts.coupling import ClusteringSpace, choose_space
from fronts.embed import build_texts, load_model, model_key
from fronts.embedding_cache import run_vectors
from fronts.runs import NOT_RESULTS, RunInfo, run_works
from fronts.scale import cluster_shards
from fronts.schemas import OUTLIER
from fronts.stages.base import StageContext, StageResult
from fronts.store import read_table, write_tables


@dataclass(frozen=True)
class TopicsResult(StageResult):
    n_topics: int
    outlier_share_clustered: float
    outlier_share: float
    reused_from: str | None
    clustering: str = "text"
    clustering_note: str = ""


def clustering_space(
    con: duckdb.DuckDBPyConnection, work_ids: list[str], config: RunConfig
) -> ClusteringSpace:
    """`choose_space` on the warehouse's `citations` of the run's works."""
    pairs: list = []
    if config.topics.coupling.weight > 0:
        con.register("_run_ids", pl.DataFrame({"work_id": work_ids}).to_arrow())
        try:
            pairs = con.execute(
                "SELECT c.citing_work_id, c.cited_key FROM citations c "
                "JOIN _run_ids r ON r.work_id = c.citing_work_id"
            ).fetchall()
        finally:
            con.unregister("_run_ids")
    citing = [a for a, _ in pairs]
    cited = [b for _, b in pairs]
    return choose_space(work_ids, citing, cited, config.topics.coupling, config.seed)


def topic_inputs_key(config: RunConfig) -> str:
    """What a topic fit depends on besides the corpus: the embedding, topics and seed settings."""
    parts = {
        "embed": config.embed.model_dump(mode="json", exclude=NOT_RESULTS["embed"]),
        "topics": config.topics.model_dump(mode="json", exclude=NOT_RESULTS["topics"]),
        "seed": config.seed,
    }
    return json.dumps(parts, sort_keys=True)


def reusable_fit(con: duckdb.DuckDBPyConnection, run: RunInfo, config: RunConfig) -> str | None:
    """The run whose topic fit this run would reproduce exactly: itself when it holds topics,
    else a completed run on the same corpus, window and topic inputs; None when none exists."""
    if con.execute("SELECT 1 FROM topics WHERE run_id = ? LIMIT 1", [run.run_id]).fetchall():
        return run.run_id
    rows = con.execute(
        "SELECT r.run_id, r.config_json FROM runs r WHERE r.status = 'completed' "
        "AND r.corpus_sha256 = (SELECT corpus_sha256 FROM runs WHERE run_id = ?) "
        "AND r.window_start = ? AND r.window_end = ? "
        "AND EXISTS (SELECT 1 FROM topics t WHERE t.run_id = r.run_id) ORDER BY r.run_id",
        [run.run_id, *run.window],
    ).fetchall()
    wanted = topic_inputs_key(config)
    for run_id, config_json in rows:
        if topic_inputs_key(RunConfig.model_validate_json(config_json)) == wanted:
            return run_id
    return None


def _shares(doc_topics: pl.DataFrame) -> tuple[float, float]:
    n = max(doc_topics.height, 1)
    clustered = (doc_topics["assignment"] != "cluster").sum() / n
    return float(clustered), float((doc_topics["topic_id"] == OUTLIER).sum() / n)


def run(con: duckdb.DuckDBPyConnection, ctx: StageContext) -> TopicsResult:
    """Fit (or reuse) the run's topics and write them under its run id."""
    from fronts.topics import fit_topics  # umap, hdbscan and bertopic take seconds to import

    run_info = ctx.require_run()
    config = ctx.config
    source = reusable_fit(con, run_info, config) if ctx.options.reuse_topics else None
    if source is not None:
        doc_topics = read_table(con, "doc_topics", where="run_id = ?", params=[source])
        topics = read_table(con, "topics", where="run_id = ?", params=[source])
        row = con.execute(
            "SELECT clustering, clustering_note FROM runs WHERE run_id = ?", [source]
        ).fetchone()
        clustering, note = row if row and row[0] else ("text", "")
    else:
        work_ids, vectors = run_vectors(con, model_key(config.embed), run_info.run_id)
        texts = build_texts(run_works(con, run_info))
        by_id = dict(zip(texts["work_id"], texts["text"], strict=True))
        docs = [by_id[w] for w in work_ids]
        del texts, by_id  # the frame holds the texts again: ~100 MB at 70,000 works
        space = clustering_space(con, work_ids, config)
        clustering, note = space.kind, space.note
        with cluster_shards(config.scale) as shards:
            fit = fit_topics(
                work_ids,
                docs,
                vectors,
                config.topics,
                config.seed,
                embedding_model=load_model(config.embed),
                coupling=space.coupling,
                progress=ctx.options.progress,
                shards=shards,
            )
        doc_topics, topics = fit.doc_topics, fit.topics
    own = ("run_id = ?", [run_info.run_id])
    write_tables(
        con,
        {
            "doc_topics": doc_topics.with_columns(run_id=pl.lit(run_info.run_id)),
            "topics": topics.with_columns(run_id=pl.lit(run_info.run_id)),
        },
        where={"doc_topics": own, "topics": own},
    )
    con.execute(
        "UPDATE runs SET clustering = ?, clustering_note = ? WHERE run_id = ?",
        [clustering, note or None, run_info.run_id],
    )
    clustered, unassigned = _shares(doc_topics)
    return TopicsResult(topics.height, clustered, unassigned, source, clustering, note)
