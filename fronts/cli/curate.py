"""`fronts curate`: record, undo, list and export the experts' decisions."""

from __future__ import annotations

import argparse
import json

from fronts.cli.common import command_line, print_json, read_text
from fronts.errors import UsageError


def cmd_curate(args: argparse.Namespace) -> int:
    from fronts import curation
    from fronts.config import load_config
    from fronts.warehouse import open_warehouse

    config = load_config(args.config, db=args.db)
    if args.verb in ("log", "export"):
        with open_warehouse(config.db, read_only=True) as warehouse:
            log = curation.read_log(warehouse.con)
        return _show_curation(args, log)
    with open_warehouse(config.db, command=command_line(args)) as warehouse:
        con = warehouse.con
        for action, ids, values, undoes in _decisions(args, con):
            action_id = curation.record(con, action, ids, values, args.by, args.why, undoes)
            print(f"action {action_id}: {action} {' '.join(ids) or undoes}")
    return 0


def _decisions(args: argparse.Namespace, con) -> list[tuple[str, list[str], dict, int | None]]:
    """The rows a `fronts curate` command records: (action, lineage ids, values, undoes)."""
    from fronts import curation
    from fronts.store import fetch_one

    def titles() -> dict:
        return {k: v for k, v in (("title", args.title), ("title_zh", args.title_zh)) if v}

    if args.verb == "rename":
        return [("rename", [args.lineage_id], titles(), None)]
    if args.verb == "exclude":
        return [("exclude", [args.lineage_id], {}, None)]
    if args.verb == "merge":
        return [("merge", list(args.lineage_ids), titles(), None)]
    if args.verb == "annotate":
        if not args.note and not args.case:
            raise UsageError("annotate needs --note TEXT or --case WORK_ID")
        for work_id in args.case:
            if fetch_one(con, "SELECT 1 FROM works WHERE work_id = ?", [work_id]) is None:
                raise UsageError(
                    f"unknown work id {work_id!r} (`data/map.csv` of a report lists them)"
                )
        values = {"note": args.note} if args.note else {}
        return [("annotate", [args.lineage_id], {**values, "cases": list(args.case)}, None)]
    if args.verb == "publish":
        return [("publish", list(args.lineage_ids), {}, None)]
    if args.verb == "undo":
        return [("undo", [], {}, args.action_id)]
    text = read_text(args.file)
    data = curation.parse_toml(text, str(args.file))
    plan = curation.import_plan(data, curation.read_log(con))
    if not plan:
        print(f"{args.file}: nothing new to record")
    return [(action, ids, values, None) for action, ids, values in plan]


def _show_curation(args: argparse.Namespace, log) -> int:
    from fronts import curation

    if args.verb == "export":
        text = curation.export_toml(log)
        if args.out:
            args.out.write_text(text, encoding="utf-8")
            print(f"curation: {args.out}")
        else:
            print(text, end="")
        return 0
    if args.json:
        rows = []
        for r in log.to_dicts():
            values = json.loads(r.pop("values_json") or "{}")
            rows.append({**r, "at": r["at"].isoformat(), "values": values})
        print_json(rows)
        return 0
    for r in log.iter_rows(named=True):
        target = " ".join(r["lineage_ids"] or []) or f"action {r['undoes']}"
        print(
            f"{r['action_id']:>4}  {r['at']:%Y-%m-%d %H:%M}  {r['by']:<16} {r['action']:<9} "
            f"{target}  {r['values_json']}  ({r['why']})"
        )
    return 0
