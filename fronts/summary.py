"""Plain-text summaries printed by the CLI (the editors' report is `fronts.report`)."""

from __future__ import annotations

import duckdb

from fronts.accounting import corpus_summary
from fronts.errors import FrontsError
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


def format_fronts(con: duckdb.DuckDBPyConnection, run_id: str) -> str:
    """The ranked fronts of a run as a terminal table."""
    run = fetch_one(
        con,
        "SELECT window_start, window_end, n_in_window, status FROM runs WHERE run_id = ?",
        [run_id],
    )
    if run is None:
        raise FrontsError(f"no run {run_id!r} in this warehouse")
    rows = con.execute(
        "SELECT rank, rank_low, rank_high, p_top_n, class, size, growth, citation_growth, "
        "mean_year, emergence, score, label FROM fronts WHERE run_id = ? ORDER BY rank",
        [run_id],
    ).fetchall()
    header = (
        f"{'rank':>4} {'interval':>9} {'P(topN)':>7} {'class':<11}{'size':>6}{'growth':>8}"
        f"{'cit.gr':>8}{'year':>8}{'emerg':>7}{'score':>7}  label"
    )
    lines = [
        f"run {run_id}: window {run[0]}-{run[1]}, {run[2]} works, status {run[3]}",
        header,
        "-" * len(header),
    ]
    for rank, low, high, p, cls, size, growth, cg, year, em, score, label in rows:
        lines.append(
            f"{rank:>4} {f'[{low}-{high}]':>9} {p:>7.2f} {cls:<11}{size:>6}{growth:>8.2f}"
            f"{cg:>8.2f}{year:>8.1f}{em:>7.2f}{score:>7.2f}  {label}"
        )
    return "\n".join(lines)
