"""Plain-text summaries printed by the CLI (the editors' report is `fronts.report`)."""

from __future__ import annotations

import math

import duckdb
import polars as pl

from fronts.accounting import corpus_summary
from fronts.errors import FrontsError
from fronts.published import published_fronts
from fronts.stages.inputs import IngestPlan
from fronts.store import fetch_one


def _pct(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.0f}%"


def format_ingest_summary(con: duckdb.DuckDBPyConnection, inputs: IngestPlan) -> str:
    """A per-source table (read / accepted / merged / quarantined, years, coverage) and totals."""
    summary = corpus_summary(con)
    header = (
        f"{'source':<10}{'files':>6}{'read':>9}{'accepted':>10}{'merged':>8}{'quarant.':>9}"
        f"{'years':>12}{'abstract':>10}{'refs':>7}{'cited':>10}"
    )
    lines = [
        f"read {len(inputs.files)} file(s), {inputs.n_read} records; "
        f"{len(inputs.unchanged)} file(s) unchanged since the last ingest; "
        f"{len(inputs.skipped)} non-export file(s) skipped",
        "",
        header,
        "-" * len(header),
    ]
    for row in summary.iter_rows(named=True):
        years = f"{row['year_min']}-{row['year_max']}" if row["year_min"] is not None else "-"
        lines.append(
            f"{row['source']:<10}{row['files']:>6}{row['n_read']:>9}{row['accepted']:>10}"
            f"{row['merged']:>8}{row['quarantined']:>9}{years:>12}"
            f"{_pct(row['share_abstract']):>10}{_pct(row['share_references']):>7}"
            f"{(row['times_cited'] or 0):>10}"
        )
    n_read, n_acc, n_mer, n_q = fetch_one(
        con,
        "SELECT n_read, n_accepted, n_merged, n_quarantined FROM stage_counts "
        "WHERE stage = 'ingest' AND source_file = '*'",
    ) or (0, 0, 0, 0)
    n_works, n_abs = fetch_one(con, "SELECT count(*), count(abstract) FROM works") or (0, 0)
    n_links, n_local = fetch_one(con, "SELECT count(*), count(cited_work_id) FROM citations") or (
        0,
        0,
    )
    lines += [
        "-" * len(header),
        f"{'total':<10}{'':>6}{n_read:>9}{n_acc:>10}{n_mer:>8}{n_q:>9}",
        "",
        f"works: {n_works} ({n_abs} with abstract); read {n_read} = accepted {n_acc} "
        f"+ merged {n_mer} + quarantined {n_q}"
        + ("" if n_read == n_acc + n_mer + n_q else "  <-- DOES NOT RECONCILE"),
        f"citations: {n_links} cited references, {n_local} resolved to works of the corpus",
    ]
    if n_q:
        reasons = con.execute(
            "SELECT regexp_replace(reason, '[0-9]{3,}', 'N') AS r, count(*) FROM quarantine "
            "GROUP BY r ORDER BY count(*) DESC LIMIT 5"
        ).fetchall()
        lines.append("quarantined: " + "; ".join(f"{r} ({n})" for r, n in reasons))
    return "\n".join(lines)


def _rate(value: float | None) -> str:
    """A log slope per year as a percentage change per year, as the report shows it."""
    if value is None or not math.isfinite(value):
        return "-"
    return f"{100 * (math.exp(value) - 1):+.0f}%"


def _p(value: float | None) -> str:
    return "-" if value is None or not math.isfinite(value) else f"{value:.2f}"


def _count(value: int | None) -> str:
    return "-" if value is None else str(value)


def format_fronts(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The ranked fronts of a run as a terminal table, with their lineage."""
    run = fetch_one(
        con,
        "SELECT window_start, window_end, n_in_window, status, previous_run_id FROM runs "
        "WHERE run_id = ?",
        [run_id],
    )
    if run is None:
        raise FrontsError(f"no run {run_id!r} in this warehouse")
    fronts = published_fronts(con, run_id)
    header = (
        f"{'rank':>4} {'interval':>9} {'P(topN)':>7} {'class':<11}{'size':>6}{'core':>6}"
        f"{'growth':>8}"
        f"{'cit.gr':>8}{'year':>8}  {'lineage':<12}{'event':<10} title"
    )
    since = f", linked to run {run[4]}" if run[4] else ""
    lines = [
        f"run {run_id}: window {run[0]}-{run[1]}, {run[2]} works, status {run[3]}{since}",
        header,
        "-" * len(header),
    ]
    for f in fronts.iter_rows(named=True):
        interval = f"[{f['rank_low']}-{f['rank_high']}]"
        rank = str(f["rank"]) if f["rank"] is not None else "-"
        status = (
            ""
            if f["status"] == "ranked"
            else f"  ({f['status']}, machine rank {f['machine_rank']})"
        )
        lines.append(
            f"{rank:>4} {interval:>9} {_p(f['p_top_n']):>7} {f['class']:<11}{f['size']:>6}"
            f"{_count(f['n_core']):>6}"
            f"{_rate(f['growth']):>8}{_rate(f['citation_growth']):>8}{f['mean_year']:>8.1f}  "
            f"{f['lineage_id']:<12}{f['event'] or '-':<10} {f['title']}{status}"
        )
    lines.append(
        "size: works in the front, core: of them placed by the clustering itself (the rest "
        "assigned as nearest front); growth: change per year of the front's share of the "
        "corpus; cit.gr: of the citations it receives (- = no citation data); year: mean "
        "publication year of the core; interval: 90 % bootstrap rank interval; P(topN): - when "
        "every front is in the top N"
    )
    return "\n".join(lines)


def format_runs(runs: pl.DataFrame) -> str:
    """The run registry as a terminal table, newest first."""
    header = (
        f"{'run':<14}{'created (UTC)':<18}{'window':<11}{'works':>7}{'fronts':>7}  "
        f"{'status':<12}previous"
    )
    lines = [header, "-" * len(header)]
    for r in runs.iter_rows(named=True):
        created = r["created"].strftime("%Y-%m-%d %H:%M") if r["created"] else "-"
        window = f"{r['window_start']}-{r['window_end']}"
        lines.append(
            f"{r['run_id']:<14}{created:<18}{window:<11}{r['works'] or 0:>7}{r['fronts']:>7}  "
            f"{r['status']:<12}{r['previous_run_id'] or '-'}"
        )
    return "\n".join(lines)
