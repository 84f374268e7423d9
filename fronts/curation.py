"""Expert curation: decisions about fronts, kept as an append-only log keyed by lineage id.

The panel renames a front (an English and a Chinese title), excludes it, merges several into
one, annotates it (commentary and case-study papers) and chooses the published list. Every
decision is a row of the `curation` table (who, when, why); nothing is ever deleted: `undo`
adds a row that cancels an earlier one. Because decisions are keyed by lineage id, they apply
to every later run in which the front continues; a front that comes from a split or a merge of
curated fronts inherits their decisions (titles, notes, cases; an exclusion only when every
curated front it came from was excluded) and is marked "needs review".

The machine's results (the `fronts` table of a run) never change: the curated view is computed
when it is read (`apply_curation`), so a rerun gives bit-identical fronts and the curation still
applies.
"""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import duckdb
import polars as pl

from fronts.errors import UsageError
from fronts.lineage import new_lineage_id
from fronts.schemas import CURATION, check_frame

ACTIONS = ("rename", "exclude", "merge", "annotate", "publish", "undo")


@dataclass
class Decisions:
    """The effective curation of one lineage id."""

    title: str | None = None
    title_zh: str | None = None
    excluded: bool = False
    merged_into: str | None = None
    notes: list[str] = field(default_factory=list)
    cases: list[str] = field(default_factory=list)
    actions: list[int] = field(default_factory=list)

    def empty(self) -> bool:
        return not (self.title or self.title_zh or self.excluded or self.merged_into) and not (
            self.notes or self.cases
        )


@dataclass(frozen=True)
class Curation:
    """Every lineage id's decisions, and the published list (None: the top N after curation)."""

    by_lineage: dict[str, Decisions]
    published: tuple[str, ...] | None


def known_lineage_ids(con: duckdb.DuckDBPyConnection) -> set[str]:
    """Every lineage id a front of some run carries (runs before lineage: their born ids)."""
    found = {
        row[0]
        for row in con.execute(
            "SELECT DISTINCT lineage_id FROM front_lineage WHERE topic_id IS NOT NULL"
        ).fetchall()
    }
    older = con.execute(
        "SELECT f.run_id, f.topic_id FROM fronts f WHERE NOT EXISTS "
        "(SELECT 1 FROM front_lineage l WHERE l.run_id = f.run_id)"
    ).fetchall()
    return found | {new_lineage_id(run_id, topic_id) for run_id, topic_id in older}


def read_log(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The curation log, oldest first."""
    from fronts.store import read_table

    return read_table(con, "curation", order_by="action_id")


def record(
    con: duckdb.DuckDBPyConnection,
    action: str,
    lineage_ids: Sequence[str],
    values: dict[str, Any],
    by: str,
    why: str,
    undoes: int | None = None,
) -> int:
    """Append one decision after checking it; returns its action id.

    Raises `UsageError` (one line) for an unknown action or lineage id, a merge of fewer than
    two fronts, or an undo of an action that does not exist or is undone already.
    """
    if action not in ACTIONS:
        raise UsageError(f"unknown curation action {action!r}; expected one of {ACTIONS}")
    if not by.strip():
        raise UsageError("say who decides (--by NAME)")
    known = known_lineage_ids(con)
    unknown = [lid for lid in lineage_ids if lid not in known]
    if unknown:
        raise UsageError(
            f"unknown lineage id {unknown[0]!r} (`fronts show` lists the fronts' lineage ids)"
        )
    if action == "merge" and len(set(lineage_ids)) < 2:
        raise UsageError("merge needs two or more different lineage ids")
    if action in ("rename", "exclude", "annotate") and len(lineage_ids) != 1:
        raise UsageError(f"{action} takes one lineage id")
    log = read_log(con)
    if action == "undo":
        _check_undo(log, undoes)
    next_id = int(log["action_id"].max() or 0) + 1 if log.height else 1
    row = {
        "action_id": next_id,
        "action": action,
        "lineage_ids": list(lineage_ids),
        "values_json": json.dumps(values, ensure_ascii=False, sort_keys=True),
        "by": by.strip(),
        "at": dt.datetime.now(dt.UTC),
        "why": why,
        "undoes": undoes,
    }
    frame = check_frame(pl.DataFrame([row], schema=CURATION.schema), CURATION)
    con.register("_action", frame.to_arrow())
    try:
        cols = ", ".join(f'"{c}"' for c in frame.columns)
        con.execute(f"INSERT INTO curation ({cols}) SELECT {cols} FROM _action")
    finally:
        con.unregister("_action")
    return next_id


def _check_undo(log: pl.DataFrame, target: int | None) -> None:
    if target is None or target not in set(log["action_id"].to_list()):
        raise UsageError(f"no curation action {target} to undo (`fronts curate log` lists them)")
    kind = log.filter(pl.col("action_id") == target)["action"][0]
    if kind == "undo":
        raise UsageError(f"action {target} is an undo; record the decision again instead")
    if target in set(log["undoes"].drop_nulls().to_list()):
        raise UsageError(f"action {target} is undone already")


def effective(log: pl.DataFrame) -> Curation:
    """Replay the log (oldest first, undone actions skipped) into each lineage's decisions."""
    undone = set(log["undoes"].drop_nulls().to_list())
    by_lineage: dict[str, Decisions] = {}
    published: tuple[str, ...] | None = None
    for row in log.sort("action_id").iter_rows(named=True):
        if row["action"] == "undo" or row["action_id"] in undone:
            continue
        values = json.loads(row["values_json"] or "{}")
        ids = list(row["lineage_ids"] or [])
        if row["action"] == "publish":
            published = tuple(ids)
            continue
        first = by_lineage.setdefault(ids[0], Decisions())
        first.actions.append(row["action_id"])
        if row["action"] == "rename" or (row["action"] == "merge" and values.get("title")):
            first.title = values.get("title") or first.title
            first.title_zh = values.get("title_zh") or first.title_zh
        if row["action"] == "exclude":
            first.excluded = True
        if row["action"] == "annotate":
            if values.get("note"):
                first.notes.append(values["note"])
            first.cases += [c for c in values.get("cases", []) if c not in first.cases]
        if row["action"] == "merge":
            for other in ids[1:]:
                absorbed = by_lineage.setdefault(other, Decisions())
                absorbed.merged_into = ids[0]
                absorbed.actions.append(row["action_id"])
    return Curation(by_lineage, published)


def _inherited(
    lineage_id: str, parents: dict[str, list[str]], curation: Curation, seen: set[str]
) -> list[Decisions]:
    """Decisions of the curated fronts a front came from by splits and merges, nearest first."""
    out = []
    for parent in parents.get(lineage_id, []):
        if parent in seen:
            continue
        seen.add(parent)
        own = curation.by_lineage.get(parent)
        if own is not None and not own.empty():
            out.append(own)
        out += _inherited(parent, parents, curation, seen)
    return out


def _combined(inherited: list[Decisions]) -> Decisions:
    """What a front inherits from the curated fronts it came from (nearest first): the first
    title of each language, every note and case; excluded only when all of them were (a merge
    of an excluded and a kept front is kept, for review); never a merge."""
    if not inherited:
        return Decisions()
    notes = [n for d in inherited for n in d.notes]
    cases = list(dict.fromkeys(c for d in inherited for c in d.cases))
    return Decisions(
        title=next((d.title for d in inherited if d.title), None),
        title_zh=next((d.title_zh for d in inherited if d.title_zh), None),
        excluded=all(d.excluded for d in inherited),
        notes=list(dict.fromkeys(notes)),
        cases=cases,
    )


def lineage_parents(con: duckdb.DuckDBPyConnection) -> dict[str, list[str]]:
    """{lineage id: the lineage ids it came from by a split or a merge}, over every run."""
    rows = con.execute(
        "SELECT lineage_id, predecessor_lineage_ids FROM front_lineage "
        "WHERE event IN ('split', 'merged') AND topic_id IS NOT NULL"
    ).fetchall()
    parents: dict[str, list[str]] = {}
    for lineage_id, preds in rows:
        parents.setdefault(lineage_id, [])
        parents[lineage_id] += [p for p in preds or [] if p not in parents[lineage_id]]
    return parents


# A merged group's survivor counts its members' works.
_COUNTS = ("size", "n_core", "n_assigned")


def apply_curation(
    fronts: pl.DataFrame, curation: Curation, parents: dict[str, list[str]], n_top: int
) -> pl.DataFrame:
    """The curated view of a run's fronts (rows in the machine's rank order).

    Adds machine_rank, status (ranked, excluded, merged), merged_into, needs_review, notes,
    cases, published and published_rank (the place in the published list); fills title and
    title_zh; renumbers `rank` over the ranked fronts (null
    for the others); a merged group's survivor counts its members' works in `size`.
    """
    rows = fronts.sort("rank").to_dicts()
    present = {r["lineage_id"] for r in rows}
    sizes: dict[str, dict[str, int]] = {}
    for r in rows:
        own = curation.by_lineage.get(r["lineage_id"], Decisions())
        inherited = [] if not own.empty() else _inherited(r["lineage_id"], parents, curation, set())
        chosen = own if not own.empty() else _combined(inherited)
        r["needs_review"] = bool(inherited)
        r["machine_rank"] = r["rank"]
        r["title"] = chosen.title or r.get("machine_title") or r["label"]
        r["title_zh"] = chosen.title_zh
        r["notes"] = list(chosen.notes)
        r["cases"] = list(chosen.cases)
        survivor = chosen.merged_into if chosen.merged_into in present else None
        r["merged_into"] = survivor
        r["status"] = "excluded" if chosen.excluded else ("merged" if survivor else "ranked")
        if survivor:
            for key in _COUNTS:
                grown = sizes.setdefault(survivor, {})
                grown[key] = grown.get(key, 0) + int(r.get(key) or 0)
    rank = 0
    for r in rows:
        for key in _COUNTS:
            if key in r:
                value = r[key]
                extra = sizes.get(r["lineage_id"], {}).get(key, 0)
                r[key] = int(value) + extra if value is not None else value
        if r["status"] == "ranked":
            rank += 1
            r["rank"] = rank
        else:
            r["rank"] = None
    chosen_list = curation.published
    order = {lid: i + 1 for i, lid in enumerate(chosen_list or ())}
    for r in rows:
        if chosen_list is None:
            r["published"] = r["status"] == "ranked" and r["rank"] <= n_top
            r["published_rank"] = r["rank"] if r["published"] else None
        else:
            r["published"] = r["lineage_id"] in order and r["status"] == "ranked"
            r["published_rank"] = order[r["lineage_id"]] if r["published"] else None
    added = {
        "rank": pl.Int64,
        "machine_rank": pl.Int64,
        "title": pl.String,
        "title_zh": pl.String,
        "status": pl.String,
        "merged_into": pl.String,
        "published": pl.Boolean,
        "published_rank": pl.Int64,
        "needs_review": pl.Boolean,
        "notes": pl.List(pl.String),
        "cases": pl.List(pl.String),
    }
    schema = {**dict(fronts.schema), **added}
    return pl.DataFrame(rows, schema=schema)


# --------------------------------------------------------------------------- TOML round trip


def export_toml(log: pl.DataFrame) -> str:
    """The effective decisions as a TOML file the panel can review and send back."""
    curation = effective(log)
    lines = [
        "# fronts curation: one [fronts.<lineage id>] table per curated front.",
        "# Edit, then `fronts curate import FILE --by NAME --why TEXT`; each change becomes a",
        "# decision of its own in the log.",
        "",
    ]
    if curation.published is not None:
        lines += [f"published = {json.dumps(list(curation.published), ensure_ascii=False)}", ""]
    for lineage_id in sorted(curation.by_lineage):
        d = curation.by_lineage[lineage_id]
        if d.empty():
            continue
        lines.append(f"[fronts.{lineage_id}]")
        for key in ("title", "title_zh", "merged_into"):
            value = getattr(d, key)
            if value:
                lines.append(f"{key} = {json.dumps(value, ensure_ascii=False)}")
        if d.excluded:
            lines.append("excluded = true")
        if d.notes:
            lines.append(f"notes = {json.dumps(d.notes, ensure_ascii=False)}")
        if d.cases:
            lines.append(f"cases = {json.dumps(d.cases, ensure_ascii=False)}")
        lines.append("")
    return "\n".join(lines)


def parse_toml(text: str, source: str) -> dict[str, Any]:
    """A curation file as a mapping; `UsageError` naming the file and the problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"{source}: not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"published", "fronts"})
    if unknown:
        raise UsageError(f"{source}: unknown key {unknown[0]!r}; expected published, [fronts.*]")
    allowed = {"title", "title_zh", "merged_into", "excluded", "notes", "cases"}
    for lineage_id, entry in (data.get("fronts") or {}).items():
        extra = sorted(set(entry) - allowed)
        if extra:
            raise UsageError(f"{source}: [fronts.{lineage_id}]: unknown key {extra[0]!r}")
    return data


def import_plan(data: dict[str, Any], log: pl.DataFrame) -> list[tuple[str, list[str], dict]]:
    """The decisions that make the log's effective curation equal the file's: (action,
    lineage ids, values), in order. Decisions the file drops are not undone (say so by
    `fronts curate undo`), so an import never loses a decision silently."""
    current = effective(log)
    plan: list[tuple[str, list[str], dict]] = []
    for lineage_id, entry in sorted((data.get("fronts") or {}).items()):
        have = current.by_lineage.get(lineage_id, Decisions())
        title, title_zh = entry.get("title"), entry.get("title_zh")
        if (title and title != have.title) or (title_zh and title_zh != have.title_zh):
            values = {k: v for k, v in (("title", title), ("title_zh", title_zh)) if v}
            plan.append(("rename", [lineage_id], values))
        if entry.get("excluded") and not have.excluded:
            plan.append(("exclude", [lineage_id], {}))
        survivor = entry.get("merged_into")
        if survivor and survivor != have.merged_into:
            plan.append(("merge", [survivor, lineage_id], {}))
        new_notes = [n for n in entry.get("notes", []) if n not in have.notes]
        new_cases = [c for c in entry.get("cases", []) if c not in have.cases]
        for i, note in enumerate(new_notes or ([None] if new_cases else [])):
            values: dict[str, Any] = {"note": note} if note else {}
            if i == 0 and new_cases:
                values["cases"] = new_cases
            plan.append(("annotate", [lineage_id], values))
    published = data.get("published")
    if published is not None and tuple(published) != current.published:
        plan.append(("publish", list(published), {}))
    return plan
