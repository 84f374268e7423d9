"""Front lineage on hand-made runs: continued, split, merged, born, faded, and by content."""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from fronts.config import LineageConfig
from fronts.lineage import RunFronts, link_runs, new_lineage_id

CFG = LineageConfig()


def _run(run_id: str, groups: dict[int, list[str]], ids=None, centroids=None) -> RunFronts:
    members = pl.DataFrame(
        [(w, t) for t, works in groups.items() for w in works],
        schema={"work_id": pl.String, "topic_id": pl.Int64},
        orient="row",
    )
    topics = sorted(groups)
    fronts = pl.DataFrame(
        {
            "topic_id": topics,
            "lineage_id": [ids[t] for t in topics] if ids else [None] * len(topics),
        },
        schema={"topic_id": pl.Int64, "lineage_id": pl.String},
    )
    return RunFronts(run_id, fronts, members, centroids or {})


def _works(prefix: str, n: int) -> list[str]:
    return [f"{prefix}{i:03d}" for i in range(n)]


def _by_topic(rows: pl.DataFrame) -> dict:
    return {r["topic_id"]: r for r in rows.iter_rows(named=True)}


def test_a_first_run_has_only_born_fronts_with_deterministic_ids():
    rows = link_runs(None, _run("rB", {0: _works("a", 10), 1: _works("b", 10)}), CFG)
    assert rows["event"].to_list() == ["born", "born"]
    assert rows["lineage_id"].to_list() == [new_lineage_id("rB", 0), new_lineage_id("rB", 1)]
    assert new_lineage_id("rB", 0) != new_lineage_id("rC", 0)


def test_continued_split_merged_born_and_faded():
    a, b, c, d, e = (_works(x, 20) for x in "abcde")
    previous = _run(
        "rA",
        {0: a, 1: b, 2: c, 3: d, 4: e},
        ids={0: "LA", 1: "LB", 2: "LC", 3: "LD", 4: "LE"},
    )
    current = _run(
        "rB",
        {
            0: a[:18] + _works("new", 30),  # a continues, grown by new works, two works lost
            1: b[:10],  # b splits in two ...
            2: b[10:],
            3: c + d,  # ... c and d merge
            4: _works("fresh", 15),  # born from new works only
        },  # e has no successor: faded
    )
    rows = link_runs(previous, current, CFG)
    by = _by_topic(rows.filter(pl.col("topic_id").is_not_null()))
    assert by[0]["event"] == "continued" and by[0]["lineage_id"] == "LA"
    assert by[0]["shared_works"] == 18 and by[0]["evidence"] == "works"
    assert by[1]["event"] == by[2]["event"] == "split"
    assert by[1]["predecessor_lineage_ids"] == by[2]["predecessor_lineage_ids"] == ["LB"]
    assert by[1]["lineage_id"] not in ("LB", by[2]["lineage_id"])
    assert by[3]["event"] == "merged" and by[3]["predecessor_lineage_ids"] == ["LC", "LD"]
    assert by[4]["event"] == "born" and by[4]["predecessor_lineage_ids"] == []
    faded = rows.filter(pl.col("topic_id").is_null())
    assert faded["event"].to_list() == ["faded"] and faded["lineage_id"].to_list() == ["LE"]
    assert set(rows["previous_run_id"]) == {"rA"}


def test_a_few_works_leaking_into_another_front_do_not_link_them():
    a, b = _works("a", 40), _works("b", 40)
    previous = _run("rA", {0: a, 1: b}, ids={0: "LA", 1: "LB"})
    # Four of a's works (10 %) end up in b's successor: b continues, a continues, no split.
    current = _run("rB", {0: a[4:], 1: b + a[:4]})
    by = _by_topic(link_runs(previous, current, CFG))
    assert (by[0]["event"], by[0]["lineage_id"]) == ("continued", "LA")
    assert (by[1]["event"], by[1]["lineage_id"]) == ("continued", "LB")


def test_fronts_of_new_works_only_are_linked_by_their_centroids():
    unit = np.eye(3)
    close = np.array([0.95, np.sqrt(1 - 0.95**2), 0.0])
    previous = _run(
        "rA",
        {0: _works("a", 20), 1: _works("b", 20)},
        ids={0: "LA", 1: "LB"},
        centroids={0: unit[0], 1: unit[1]},
    )
    # The window moved: no work is shared. Topic 0 is about a's subject, topic 1 about none.
    current = _run(
        "rB",
        {0: _works("x", 20), 1: _works("y", 20)},
        centroids={0: close, 1: unit[2]},
    )
    rows = link_runs(previous, current, CFG)
    by = _by_topic(rows.filter(pl.col("topic_id").is_not_null()))
    assert (by[0]["event"], by[0]["lineage_id"], by[0]["evidence"]) == (
        "continued",
        "LA",
        "centroid",
    )
    assert by[0]["similarity"] == pytest.approx(0.95)
    assert by[1]["event"] == "born"
    assert rows.filter(pl.col("event") == "faded")["lineage_id"].to_list() == ["LB"]


def test_thresholds_come_from_the_configuration():
    a = _works("a", 20)
    previous = _run("rA", {0: a}, ids={0: "LA"})
    current = _run("rB", {0: a[:5] + _works("n", 20), 1: a[5:]})
    default = _by_topic(link_runs(previous, current, CFG))
    assert default[1]["event"] == "continued"  # 15 of a's 20 shared works
    assert default[0]["event"] == "born"  # 5 of 20 = 25 % < 30 %
    strict = _by_topic(link_runs(previous, current, LineageConfig(min_overlap=0.2)))
    assert strict[0]["event"] == strict[1]["event"] == "split"
