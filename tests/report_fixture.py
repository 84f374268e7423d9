"""A tiny warehouse with one finished run, built by hand from frames that satisfy the schemas.

40 works in 2019-2024, four topics ranked as fronts (the top two shown as the top N), a few
outliers, quarantined records, and hostile text in a title, an author, a venue, an abstract, a
keyword, a DOI and a front label. The robustness flags: front #4 (topic 3) is off-topic and
unsupported, front #2 (topic 1) unsupported (too few author groups), the others supported.
Imported by conftest.py and the tests.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from fronts.config import RunConfig
from fronts.embed import model_key
from fronts.runs import RunInfo, snapshot_run
from fronts.schemas import TABLES
from fronts.scoring.forecast import front_forecasts
from fronts.scoring.similarity import front_similarities
from fronts.scoring.trend import benjamini_hochberg, share_trend
from fronts.store import connect, write_tables

RUN_ID = "r0123456789ab"
WINDOW = (2019, 2024)
HOSTILE_TITLE = '<script>window.__pwned=1</script>"><img src=x onerror="window.__pwned=2">'
HOSTILE_LABEL = "<b>bold</b> & <script>alert(3)</script>"
# Per topic: works per window year. Topic -1 holds the outliers.
COUNTS = {
    0: [1, 1, 2, 3, 4, 5],
    1: [3, 3, 2, 2, 1, 1],
    2: [0, 1, 1, 1, 2, 2],
    3: [1, 0, 0, 1, 0, 0],
}
OUTLIERS = [0, 1, 0, 1, 0, 0]
TERMS = {
    0: ["large language models", "chatgpt", "prompting", "education"],
    1: ["learning analytics", "dashboards", "moocs", "dropout"],
    2: ["virtual reality", "immersion", "simulation", "training"],
    3: ["quantum", "qubits"],
}
OFF_TOPIC = {0: False, 1: False, 2: False, 3: True}
SUPPORTED = {0: True, 1: False, 2: True, 3: False}
COUNTRIES = {0: ["USA", "China"], 1: ["Spain"], 2: ["Germany", "USA"], 3: ["India"], -1: []}


def _frame(table: str, rows: list[dict[str, Any]]) -> pl.DataFrame:
    schema = TABLES[table].schema
    return pl.DataFrame([{c: r.get(c) for c in schema} for r in rows], schema=schema)


def _works() -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    works, docs = [], []
    groups = {**COUNTS, -1: OUTLIERS}
    for topic in sorted(groups):
        for offset, n in enumerate(groups[topic]):
            year = WINDOW[0] + offset
            for i in range(n):
                k = len(works)
                work_id = f"F{k:015x}"
                terms = TERMS.get(topic, ["misc"])
                works.append(
                    {
                        "work_id": work_id,
                        "doi": f"10.1234/t{topic}.{year}.{i}",
                        "title": f"On {terms[i % len(terms)]} in {year} (work {k})",
                        "abstract": f"We study {terms[0]} and {terms[-1]}. " * 3 if k % 4 else None,
                        "year": year,
                        "venue": ["Computers & Education", "J. Learning Analytics"][k % 2],
                        "volume": "1",
                        "first_page": str(k),
                        "doc_type": "Article",
                        "language": "English",
                        "authors": [
                            f"Author{k}, A.",
                            f"Coauthor{k % 3}, B.",
                            "Third, C.",
                            "Four, D.",
                        ][: 1 + k % 4],
                        "affiliations": [
                            f"Univ Example {k % 3}, Dept Educ, City, {c}" for c in COUNTRIES[topic]
                        ],
                        "countries": COUNTRIES[topic],
                        "author_keywords": [terms[0], terms[1 % len(terms)].upper()],
                        "cited_refs": [f"REF {k - 1}"] if k else [],
                        "cited_dois": [],
                        "times_cited": (k * 7) % 23,
                        "citations_by_year": [],
                        "sources": ["wos"],
                        "n_records": 1,
                        "has_abstract": bool(k % 4),
                    }
                )
                docs.append(
                    {
                        "run_id": RUN_ID,
                        "work_id": work_id,
                        "topic_id": topic,
                        "assignment": "outlier"
                        if topic < 0
                        else ("cluster" if i else "reassigned"),
                        "similarity": None
                        if topic < 0
                        else round(0.9 - 0.03 * i - 0.01 * offset, 4),
                        "x": round(3.0 * topic + 0.3 * i, 3) if topic >= 0 else 6.0 + 0.5 * (k % 3),
                        "y": round(1.5 * (topic % 2) + 0.2 * offset, 3),
                    }
                )
    # The hostile work: the most cited of topic 0, with an abstract, so every dossier list shows it.
    hostile = works[sum(OUTLIERS)]
    assert docs[sum(OUTLIERS)]["topic_id"] == 0
    hostile.update(
        title=HOSTILE_TITLE,
        authors=['O"Brien, <i>E</i>.', "Smith, J."],
        venue="</td></tr></table><script>window.__pwned=3</script>",
        abstract="An abstract with </script><script>window.__pwned=4</script> inside & more.",
        has_abstract=True,
        author_keywords=["<img src=x onerror=alert(5)>", "large language models"],
        doi='10.9999/"><script>window.__pwned=5</script>',
        times_cited=500,
    )
    return works, docs


def build_warehouse(db: Path, embeddings: bool = True, frozen: bool = True) -> Path:
    """Write the small warehouse to `db` (a new DuckDB file) and return its path.

    With `frozen`, the run's works, files and quarantine are frozen as a run does when it
    starts; without, the warehouse is one made before runs froze their corpus."""
    works, docs = _works()
    # The works name two venues, so two venues are enough for support here.
    score = {"n_fronts": 2, "bootstrap": 50, "support": {"min_venues": 2}}
    config = RunConfig(score=score).model_dump(mode="json")
    sizes = {t: sum(c) for t, c in COUNTS.items()}
    topics, years, scores = [], [], []
    corpus = [sum(COUNTS[t][i] for t in COUNTS) + OUTLIERS[i] for i in range(6)]
    for t, per_year in COUNTS.items():
        ids = [d["work_id"] for d in docs if d["topic_id"] == t]
        label = HOSTILE_LABEL if t == 1 else " / ".join(TERMS[t][:2])
        topics.append(
            {
                "run_id": RUN_ID,
                "topic_id": t,
                "label": label,
                "top_terms": TERMS[t],
                "representation": TERMS[t][::-1],
                "size": sizes[t],
                "n_core": sizes[t] - 1,
                "representative_work_ids": ids[:2],
            }
        )
        for i, n in enumerate(per_year):
            years.append(
                {
                    "run_id": RUN_ID,
                    "topic_id": t,
                    "year": WINDOW[0] + i,
                    "n_works": n,
                    "share": n / corpus[i],
                    "citations": float(3 * n + i),
                }
            )
        scores.append(
            {
                "run_id": RUN_ID,
                "topic_id": t,
                "size": sizes[t],
                "growth": [0.35, -0.2, 0.18, -0.1][t],
                "cagr_share": [0.4, -0.18, 0.2, -0.1][t],
                "acceleration": [0.05, -0.02, 0.01, 0.0][t],
                "mean_year": [2022.6, 2020.4, 2022.1, 2020.5][t],
                "share_recent": [0.56, 0.17, 0.57, 0.0][t],
                "burst_weight": [1.2, 0.0, 0.0, 0.0][t],
                "burst_start": [2023, None, None, None][t],
                "burst_end": [2024, None, None, None][t],
                "citation_growth": [0.3, 0.05, float("nan"), 0.0][t],
                "citation_basis": ["local_citations", "times_cited_by_age", "per_year_counts"][
                    t % 3
                ],
                "impact": [2.1, 1.3, 0.8, 0.2][t],
                "share_top10": [0.25, 0.1, 0.0, 0.0][t],
                "coherence": [0.62, 0.55, 0.7, 0.4][t],
                "emergence": [1.4, -0.9, 0.6, -0.2][t],
                "score": [1.8, 0.2, -0.4, -1.0][t],
                "core_similarity": [0.82, 0.74, 0.69, 0.21][t],
                "core_similarity_z": [0.9, 0.0, -0.6, -6.1][t],
                "term_relevance": [0.12, 0.08, 0.05, 0.002][t],
                "term_relevance_z": [0.8, 0.2, -0.4, -3.9][t],
                "off_topic": OFF_TOPIC[t],
                "n_years": [6, 6, 5, 2][t],
                "n_venues": [2, 2, 2, 2][t],
                "n_author_groups": [9, 2, 5, 2][t],
                "max_venue_year_share": [0.19, 0.25, 0.29, 0.5][t],
                "supported": SUPPORTED[t],
                "n_outlier_members": [2, 0, 1, 0][t],
                "outlier_membership": [2 / 17, 0.0, 1 / 7, 0.0][t],
            }
        )
    # The trend test as the scorer runs it, on the fixture's own yearly counts.
    trend = share_trend(
        np.array([COUNTS[t] for t in sorted(COUNTS)]), np.array(corpus), np.arange(6) + WINDOW[0]
    )
    growth_q = benjamini_hochberg(trend.p)
    fronts = [
        {
            "run_id": RUN_ID,
            "rank": rank,
            "rank_low": low,
            "rank_high": high,
            "p_top_n": p,
            "score": scores[t]["score"],
            "emergence": scores[t]["emergence"],
            "citation_growth": scores[t]["citation_growth"],
            "class": cls,
            "label": topics[t]["label"],
            "top_terms": TERMS[t],
            "size": sizes[t],
            "topic_id": t,
            "growth": scores[t]["growth"],
            "growth_z": float(trend.z[t]),
            "growth_q": float(growth_q[t]),
            "growing": bool(growth_q[t] <= 0.1),
            "mean_year": scores[t]["mean_year"],
            "off_topic": OFF_TOPIC[t],
            "supported": SUPPORTED[t],
            "outlier_membership": scores[t]["outlier_membership"],
        }
        for rank, t, low, high, p, cls in [
            (1, 0, 1, 1, 0.98, "hot"),
            (2, 1, 2, 3, 0.71, "established"),
            (3, 2, 2, 3, 0.31, "emerging"),
            (4, 3, 4, 4, 0.0, "established"),  # off-topic: ranked last, never in the top N
        ]
    ]
    files = [("exports/wos_2024.txt", "wos", 30), ("exports/openalex.jsonl", "openalex", 14)]
    counts = [
        {
            "stage": "ingest",
            "source": s,
            "source_file": f,
            "n_read": n,
            "n_accepted": n - 2 - k,
            "n_merged": k,
            "n_quarantined": 2,
        }
        for k, (f, s, n) in enumerate(files)
    ]
    counts.append(
        {
            "stage": "ingest",
            "source": "*",
            "source_file": "*",
            "n_read": 44,
            "n_accepted": 39,
            "n_merged": 1,
            "n_quarantined": 4,
        }
    )
    quarantine = [
        {
            "stage": "ingest",
            "source": s,
            "source_file": f,
            "record_no": r,
            "reason": why,
            "raw": "x",
        }
        for f, s, r, why in [
            ("exports/wos_2024.txt", "wos", 3, "year 3021 out of range"),
            ("exports/wos_2024.txt", "wos", 17, "year 3022 out of range"),
            ("exports/openalex.jsonl", "openalex", 5, "no title <script>"),
            ("exports/openalex.jsonl", "openalex", 9, "no title <script>"),
        ]
    ]
    started = dt.datetime(2026, 11, 1, 9, 0, tzinfo=dt.UTC)
    run = {
        "run_id": RUN_ID,
        "corpus_sha256": "c" * 64,
        "config_json": json.dumps(config, sort_keys=True),
        "config_sha256": "d" * 64,
        "seed": 42,
        "window_start": WINDOW[0],
        "window_end": WINDOW[1],
        "n_works": len(works) + 3,
        "n_in_window": len(works),
        "fronts_version": "0.1.0",
        "versions_json": json.dumps({"bertopic": "0.17.4", "fronts": "0.1.0", "polars": "2.1.0"}),
        "status": "completed",
        "started_at": started,
        "finished_at": started + dt.timedelta(minutes=12),
        "attempts": 1,
        "error": None,
    }
    records = [
        {
            **w,
            "source": "wos",
            "source_file": files[0][0],
            "record_no": i + 1,
            "source_id": w["work_id"],
        }
        for i, w in enumerate(works)
    ]
    citations = [
        {
            "citing_work_id": works[k]["work_id"],
            "citing_year": works[k]["year"],
            "cited_key": f"ref:{k}",
            "cited_doi": None,
            "cited_work_id": works[k - 1]["work_id"] if k % 2 else None,
            "resolved_by": None,
        }
        for k in range(1, len(works))
    ]
    run["n_references"] = len(citations)
    run["n_references_resolved"] = sum(c["cited_work_id"] is not None for c in citations)
    run["clustering"] = "hybrid"
    run["clustering_note"] = (
        "text similarity (70%) combined with bibliographic coupling (30%); 30 of 40 works (75%) "
        "share a cited reference with another work"
    )
    frames = {
        "source_files": _frame(
            "source_files",
            [
                {
                    "source_file": f,
                    "resolved_path": f"/data/{f}",
                    "source": s,
                    "sha256": "a" * 64,
                    "size_bytes": 1000 * n,
                    "n_records": n,
                }
                for f, s, n in files
            ],
        ),
        "records": _frame("records", records),
        "quarantine": _frame("quarantine", quarantine),
        "works": _frame("works", works),
        "citations": _frame("citations", citations),
        "stage_counts": _frame("stage_counts", counts),
        "runs": _frame("runs", [run]),
        "doc_topics": _frame("doc_topics", docs),
        "topics": _frame("topics", topics),
        "topic_year_counts": _frame("topic_year_counts", years),
        "topic_scores": _frame("topic_scores", scores),
        "fronts": _frame("fronts", fronts),
    }
    # What the score stage computes from the same numbers: forecasts and front similarities.
    topic_ids = np.array(sorted(COUNTS))
    forecasts = front_forecasts(
        np.arange(WINDOW[0], WINDOW[1] + 1),
        np.array([COUNTS[t] for t in topic_ids], dtype=np.float64),
        np.array(corpus, dtype=np.float64),
        topic_ids,
    )
    frames["front_forecasts"] = forecasts.with_columns(run_id=pl.lit(RUN_ID))
    # Topic t's works point along axis t: topics 0 and 2 share a second axis, so they are
    # each other's closest front.
    axis = {
        0: [1.0, 0.0, 0.5, 0.0],
        1: [0.0, 1.0, 0.0, 0.0],
        2: [0.6, 0.0, 1.0, 0.0],
        3: [0.0, 0.0, 0.0, 1.0],
        -1: [0.3, 0.3, 0.3, 0.3],
    }
    labels = np.array([d["topic_id"] for d in docs])
    if embeddings:
        points, basis = np.array([axis[d["topic_id"]] for d in docs]), "embeddings"
    else:
        points, basis = np.array([[d["x"], d["y"]] for d in docs]), "map"
    similarities = front_similarities(topic_ids, labels, points, basis)
    frames["front_similarities"] = similarities.with_columns(run_id=pl.lit(RUN_ID))
    if embeddings:
        frames["work_texts"] = _frame(
            "work_texts",
            [
                {
                    "run_id": RUN_ID,
                    "work_id": d["work_id"],
                    "text_sha256": f"h{d['work_id']}",
                    "title_only": not w["has_abstract"],
                    "from_cache": False,
                }
                for d, w in zip(docs, works, strict=True)
            ],
        )
        frames["embeddings"] = _frame(
            "embeddings",
            [
                {
                    "model": model_key(RunConfig().embed),
                    "text_sha256": f"h{d['work_id']}",
                    "vector": axis[d["topic_id"]],
                    "embedded_by": RUN_ID,
                }
                for d in docs
            ],
        )
    con = connect(db)
    write_tables(con, frames)
    if frozen:  # what the pipeline freezes when the run starts
        snapshot_run(con, RunInfo(RUN_ID, WINDOW))
    con.close()
    return db
