"""Small synthetic corpora with known shapes, built as the four frames `score_topics` reads."""

from __future__ import annotations

from collections.abc import Callable

import polars as pl
import pytest

from fronts.schemas import CITATIONS_BY_YEAR

WINDOW = (2019, 2024)


def build_corpus(
    counts: dict[int, list[int]],
    window: tuple[int, int] = WINDOW,
    times_cited: Callable[[int, int, int], int] = lambda topic, year, i: 1,
    by_year_topics: frozenset[int] = frozenset(),
    similarity: Callable[[int, int], float] = lambda topic, i: 0.5,
    local_links: dict[int, int] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """works, doc_topics, topics, citations for `counts[topic] = works per window year`.

    Topic -1 holds outliers. Works of `by_year_topics` carry per-year citation counts (their
    times_cited received in the window's last year). `local_links[topic] = m` adds m citations,
    dated the last window year, from outlier works to the topic's first works.
    """
    works, docs = [], []
    for topic, per_year in sorted(counts.items()):
        for offset, n in enumerate(per_year):
            year = window[0] + offset
            for i in range(n):
                work_id = f"W{topic + 1:03d}{year}{i:05d}"
                cited = times_cited(topic, year, i)
                by_year = (
                    [{"year": window[1], "count": cited}]
                    if topic in by_year_topics and cited > 0
                    else []
                )
                works.append(
                    {
                        "work_id": work_id,
                        "year": year,
                        "times_cited": cited,
                        "citations_by_year": by_year,
                    }
                )
                docs.append(
                    {
                        "work_id": work_id,
                        "topic_id": topic,
                        "assignment": "outlier" if topic < 0 else "cluster",
                        "similarity": similarity(topic, i) if topic >= 0 else None,
                    }
                )
    works_df = pl.DataFrame(
        works,
        schema={
            "work_id": pl.String,
            "year": pl.Int32,
            "times_cited": pl.Int64,
            "citations_by_year": CITATIONS_BY_YEAR,
        },
    )
    docs_df = pl.DataFrame(
        docs,
        schema={
            "work_id": pl.String,
            "topic_id": pl.Int64,
            "assignment": pl.String,
            "similarity": pl.Float64,
        },
    )
    topics_df = pl.DataFrame(
        [
            {
                "topic_id": t,
                "label": f"topic {t}",
                "top_terms": [f"term{t}a", f"term{t}b"],
                "size": sum(c),
            }
            for t, c in sorted(counts.items())
            if t >= 0
        ],
        schema={
            "topic_id": pl.Int64,
            "label": pl.String,
            "top_terms": pl.List(pl.String),
            "size": pl.Int64,
        },
    )
    citing = docs_df.filter(pl.col("topic_id") < 0)["work_id"].to_list()
    links = []
    for topic, m in sorted((local_links or {}).items()):
        cited_ids = docs_df.filter(pl.col("topic_id") == topic)["work_id"].to_list()
        for j in range(m):
            links.append(
                {
                    "citing_work_id": citing[j % len(citing)],
                    "citing_year": window[1],
                    "cited_work_id": cited_ids[j // len(citing) % len(cited_ids)],
                }
            )
    citations_df = pl.DataFrame(
        links,
        schema={"citing_work_id": pl.String, "citing_year": pl.Int32, "cited_work_id": pl.String},
    )
    return works_df, docs_df, topics_df, citations_df


@pytest.fixture
def make_corpus() -> Callable[..., tuple[pl.DataFrame, ...]]:
    return build_corpus
