import numpy as np
import polars as pl
import pytest

from fronts.scoring.worktable import BASES, build_worktable, top_share_membership

WINDOW = (2019, 2024)


def basis_of(table, topic: int) -> str:
    return BASES[table.basis[np.searchsorted(table.topic_ids, topic)]]


def test_basis_is_chosen_per_topic(make_corpus):
    counts = {-1: [10] * 6, 0: [5] * 6, 1: [5] * 6, 2: [5] * 6, 3: [5] * 6}
    works, docs, _, cites = make_corpus(
        counts, by_year_topics=frozenset({0}), local_links={1: 12, 3: 9}
    )
    table = build_worktable(works, docs, cites, WINDOW)
    assert basis_of(table, 0) == "per_year_counts"
    assert basis_of(table, 1) == "local_citations"  # 12 local citations >= 10
    assert basis_of(table, 2) == "times_cited_by_age"
    assert basis_of(table, 3) == "times_cited_by_age"  # 9 local citations are too few


def test_per_year_counts_need_half_of_the_cited_works(make_corpus):
    counts = {0: [4] * 6}
    works, docs, _, cites = make_corpus(counts, by_year_topics=frozenset({0}))
    # Strip the per-year counts from 13 of the 24 works: fewer than half keep them.
    stripped = works.with_columns(
        pl.when(pl.int_range(pl.len()) < 13)
        .then(pl.lit([], dtype=works.schema["citations_by_year"]))
        .otherwise(pl.col("citations_by_year"))
        .alias("citations_by_year")
    )
    assert basis_of(build_worktable(works, docs, cites, WINDOW), 0) == "per_year_counts"
    assert basis_of(build_worktable(stripped, docs, cites, WINDOW), 0) == "times_cited_by_age"


def test_uncited_works_do_not_block_per_year_counts(make_corpus):
    # OpenAlex gives uncited works an empty counts_by_year; they must not count against it.
    counts = {0: [10] * 6}
    works, docs, _, cites = make_corpus(
        counts, by_year_topics=frozenset({0}), times_cited=lambda t, y, i: int(i < 3)
    )
    assert basis_of(build_worktable(works, docs, cites, WINDOW), 0) == "per_year_counts"


def test_citation_rows_follow_the_basis(make_corpus):
    counts = {-1: [10] * 6, 0: [2] * 6, 1: [2] * 6}
    works, docs, _, cites = make_corpus(
        counts, times_cited=lambda t, y, i: 6, by_year_topics=frozenset({0})
    )
    table = build_worktable(works, docs, cites, WINDOW)
    topic0 = table.topic_idx == np.searchsorted(table.topic_ids, 0)
    # per-year counts: all 6 citations in the last window year
    assert table.cites[topic0].sum(axis=0).tolist() == [0, 0, 0, 0, 0, 72]
    topic1 = table.topic_idx == np.searchsorted(table.topic_ids, 1)
    # proxy: times_cited / age in the work's own publication year (age 6 for 2019 ... 1 for 2024)
    first = np.flatnonzero(topic1 & (table.year_idx == 0))[0]
    assert table.cites[first].tolist() == [1.0, 0, 0, 0, 0, 0]


def test_works_without_topic_are_outliers_and_years_outside_window_are_dropped(make_corpus):
    works, docs, _, cites = make_corpus({0: [3] * 6})
    extra = pl.DataFrame(
        {"work_id": ["X1", "X2"], "year": [2020, 2030], "times_cited": [None, 5]},
        schema={"work_id": pl.String, "year": pl.Int32, "times_cited": pl.Int64},
    ).with_columns(pl.lit([], dtype=works.schema["citations_by_year"]).alias("citations_by_year"))
    table = build_worktable(pl.concat([works, extra]), docs, cites, WINDOW)
    assert table.topic_idx.size == 19
    assert table.topic_ids.tolist() == [-1, 0]
    assert table.age_norm.min() == 0.0  # null times_cited counts as 0


def test_top_share_membership_splits_ties_and_skips_uncited():
    values = np.array([9.0, 5.0, 5.0, 5.0, 1, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    member = top_share_membership(values, 0.10)  # 2 of 20 works: 9.0 and 1 of the three 5.0
    assert member[0] == 1.0
    assert member[1:4] == pytest.approx([1 / 3] * 3)
    assert member.sum() == pytest.approx(2.0)
    mostly_uncited = np.array([3.0] + [0.0] * 19)
    assert top_share_membership(mostly_uncited, 0.10).tolist() == [1.0] + [0.0] * 19


def test_duplicate_work_ids_are_refused(make_corpus):
    works, docs, _, cites = make_corpus({0: [2] * 6})
    with pytest.raises(ValueError, match="doc_topics"):
        build_worktable(works, pl.concat([docs, docs.head(1)]), cites, WINDOW)
