"""Front lineage: which front of this run continues which front of the previous run.

A front keeps its `lineage_id` from run to run while it continues, so that next year's ranking,
the experts' curation and the report's "what changed" can speak of the same front. Fronts of
two runs are matched as communities are tracked across snapshots of a network (Palla, Barabási
& Vicsek 2007, Nature 446:664-667; Greene, Doyle & Cunningham 2010, ASONAM): by the members
they share, and, where too few members are shared (an annual corpus grows, and its window
moves), by the similarity of their centroids (the content match bibliometrix's thematic
evolution makes with keywords).

For fronts p (previous run) and c (this run), over the works both runs analysed, let O(p, c) be
the works in both, n_p and n_c the shared works p and c hold. p and c are linked when
O / n_p >= min_overlap (c holds a good part of what p was) and O / n_c >= min_overlap (p was a
good part of what c holds), both counted on at least `min_shared` works. A front with fewer
shared works than that is linked instead to its most similar counterpart when the cosine of
their centroids is at least `min_similarity` (and that counterpart is not linked by its works).
Then, in the words of the events of Palla et al.:

* **continued**: c's only predecessor is p and p's only successor is c; c inherits p's id;
* **split**: p has several successors; each gets a new id that names p as its predecessor;
* **merged**: c has several predecessors; it gets a new id naming them all;
* **born**: c has no predecessor; a new id;
* **faded**: p has no successor (a row of its own, with p's id).

New ids are 'L' + 10 hex of sha256(run id, topic id): deterministic, so a rerun of a run
gives its fronts the same ids.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import polars as pl

from fronts.config import LineageConfig
from fronts.schemas import FRONT_LINEAGE
from fronts.vectors import unit_rows

EVENTS = ("born", "continued", "split", "merged", "faded")


@dataclass(frozen=True)
class RunFronts:
    """The fronts of one run as lineage sees them.

    `fronts`: topic_id and lineage_id (null for this run's, still to be found); `members`:
    work_id and topic_id of every work assigned to a front; `centroids`: {topic_id: unit vector}
    (empty when the run has no vectors, or they are not comparable with the other run's).
    """

    run_id: str
    fronts: pl.DataFrame
    members: pl.DataFrame
    centroids: dict[int, np.ndarray]


def new_lineage_id(run_id: str, topic_id: int) -> str:
    """The id a front gets where its lineage starts: deterministic in its run and topic."""
    return "L" + hashlib.sha256(f"{run_id}:{topic_id}".encode()).hexdigest()[:10]


def centroids(members: pl.DataFrame, ids: list[str], vectors: np.ndarray) -> dict[int, np.ndarray]:
    """{topic_id: normalised mean unit vector of its members} for the works with a vector."""
    row = {w: i for i, w in enumerate(ids)}
    unit = unit_rows(vectors)
    out: dict[int, np.ndarray] = {}
    for topic_id, works in members.group_by("topic_id", maintain_order=True).agg("work_id").rows():
        rows = [row[w] for w in works if w in row]
        if rows:
            out[int(topic_id)] = unit_rows(unit[rows].sum(axis=0, keepdims=True))[0]
    return out


def _overlaps(previous: RunFronts, current: RunFronts) -> pl.DataFrame:
    """Per pair (p, c) sharing works: shared works, and each front's shared works."""
    both = previous.members.join(current.members, on="work_id", suffix="_c", how="inner")
    pairs = both.group_by("topic_id", "topic_id_c").len("shared")
    n_p = both.group_by("topic_id").len("n_p")
    n_c = both.group_by("topic_id_c").len("n_c")
    return (
        pairs.join(n_p, on="topic_id")
        .join(n_c, on="topic_id_c")
        .rename({"topic_id": "p", "topic_id_c": "c"})
        .sort("p", "c")
    )


def _similarity(previous: RunFronts, current: RunFronts, p: int, c: int) -> float | None:
    a, b = previous.centroids.get(p), current.centroids.get(c)
    if a is None or b is None:
        return None
    return float(a @ b)


def _links(previous: RunFronts, current: RunFronts, cfg: LineageConfig) -> dict[tuple, dict]:
    """{(p, c): evidence} for every linked pair (see the module doc)."""
    overlaps = _overlaps(previous, current)
    links: dict[tuple, dict] = {}
    shared_p: dict[int, int] = {}
    shared_c: dict[int, int] = {}
    for p, c, shared, n_p, n_c in overlaps.select("p", "c", "shared", "n_p", "n_c").rows():
        shared_p[p], shared_c[c] = n_p, n_c
        enough = n_p >= cfg.min_shared and n_c >= cfg.min_shared
        if enough and shared / n_p >= cfg.min_overlap and shared / n_c >= cfg.min_overlap:
            links[(p, c)] = {"evidence": "works", "shared": shared, "overlap": shared / n_p}
    prev_ids = previous.fronts["topic_id"].to_list()
    cur_ids = current.fronts["topic_id"].to_list()
    linked_p = {p for p, _ in links}
    linked_c = {c for _, c in links}
    # Fronts the shared works cannot speak for: matched by content, the best counterpart first.
    candidates = []
    for c in cur_ids:
        for p in prev_ids:
            thin = shared_c.get(c, 0) < cfg.min_shared or shared_p.get(p, 0) < cfg.min_shared
            if c in linked_c or p in linked_p or not thin:
                continue
            sim = _similarity(previous, current, p, c)
            if sim is not None and sim >= cfg.min_similarity:
                candidates.append((-sim, p, c))
    for _, p, c in sorted(candidates):
        if p in linked_p or c in linked_c:
            continue
        links[(p, c)] = {"evidence": "centroid", "shared": 0, "overlap": None}
        linked_p.add(p)
        linked_c.add(c)
    for (p, c), link in links.items():
        link["similarity"] = _similarity(previous, current, p, c)
    return links


def link_runs(previous: RunFronts | None, current: RunFronts, cfg: LineageConfig) -> pl.DataFrame:
    """The `front_lineage` rows of the current run.

    One row per front of `current` (its lineage id and event) and one per front of `previous`
    that no front continues (event 'faded', topic_id null).
    """
    schema = dict(FRONT_LINEAGE.schema)
    cur_ids = sorted(current.fronts["topic_id"].to_list())
    if previous is None:
        rows = [_row(current.run_id, c, new_lineage_id(current.run_id, c), "born") for c in cur_ids]
        return pl.DataFrame(rows, schema=schema)
    links = _links(previous, current, cfg)
    lineage_of = dict(previous.fronts.select("topic_id", "lineage_id").rows())
    preds: dict[int, list[int]] = {c: [] for c in cur_ids}
    succs: dict[int, list[int]] = {p: [] for p in lineage_of}
    for p, c in sorted(links):
        preds[c].append(p)
        succs[p].append(c)
    rows = []
    for c in cur_ids:
        ps = preds[c]
        if not ps:
            event, lineage_id = "born", new_lineage_id(current.run_id, c)
        elif len(ps) == 1 and len(succs[ps[0]]) == 1:
            event, lineage_id = "continued", lineage_of[ps[0]]
        elif len(ps) == 1:
            event, lineage_id = "split", new_lineage_id(current.run_id, c)
        else:
            event, lineage_id = "merged", new_lineage_id(current.run_id, c)
        main = max(ps, key=lambda p: (links[(p, c)]["shared"], -p)) if ps else None
        rows.append(
            _row(
                current.run_id,
                c,
                lineage_id,
                event,
                previous.run_id,
                [lineage_of[p] for p in ps],
                ps,
                sum(links[(p, c)]["shared"] for p in ps),
                links[(main, c)]["overlap"] if main is not None else None,
                links[(main, c)]["similarity"] if main is not None else None,
                links[(main, c)]["evidence"] if main is not None else None,
            )
        )
    for p in sorted(lineage_of):
        if not succs[p]:
            rows.append(
                _row(
                    current.run_id,
                    None,
                    lineage_of[p],
                    "faded",
                    previous.run_id,
                    [lineage_of[p]],
                    [p],
                )
            )
    return pl.DataFrame(rows, schema=schema)


def _row(
    run_id: str,
    topic_id: int | None,
    lineage_id: str,
    event: str,
    previous_run_id: str | None = None,
    predecessors: list[str] | None = None,
    predecessor_topics: list[int] | None = None,
    shared_works: int | None = None,
    overlap: float | None = None,
    similarity: float | None = None,
    evidence: str | None = None,
) -> dict[str, object]:
    return {
        "run_id": run_id,
        "topic_id": topic_id,
        "lineage_id": lineage_id,
        "event": event,
        "previous_run_id": previous_run_id,
        "predecessor_lineage_ids": predecessors or [],
        "predecessor_topic_ids": predecessor_topics or [],
        "shared_works": shared_works,
        "overlap": overlap,
        "similarity": similarity,
        "evidence": evidence,
    }
