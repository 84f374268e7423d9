"""The report's contents as plain dicts: what each page shows, computed from `ReportData`.

Templates only lay these out. Numbers are formatted here (with `glossary.fmt`) so that the
HTML, the PDF and the snapshot test all see the same strings; untrusted text stays raw here and
is escaped by the templates' autoescaping.
"""

from __future__ import annotations

from typing import Any

import polars as pl

from fronts.config import ScoreConfig
from fronts.report import charts, dossier
from fronts.report.data import ReportData
from fronts.report.glossary import (
    CITATION_BASES,
    CLASSES,
    INDICATORS,
    OFF_TOPIC,
    OUTLIER_MEMBERS,
    UNSUPPORTED,
    Indicator,
    basis_label,
    fmt,
)


def front_path(rank: int, n_fronts: int) -> str:
    """Relative path of a front's dossier, e.g. 'fronts/front-03.html'."""
    return f"fronts/front-{rank:0{max(2, len(str(n_fronts)))}d}.html"


def _interval(row: dict[str, Any]) -> str:
    low, high = row.get("rank_low"), row.get("rank_high")
    if low is None or high is None:
        return "–"
    return str(low) if low == high else f"{low}–{high}"


def _share(part: int, whole: int) -> str:
    return fmt(part / whole, "pct") if whole else "–"


def _figure(fig_id: str, spec: dict[str, Any], caption: str, csv: str) -> dict[str, Any]:
    return {
        "id": fig_id,
        "spec": {k: v for k, v in spec.items() if k in ("data", "layout", "config")},
        "height": spec["layout"].get("height", 400),
        "caption": caption,
        "csv": csv,
    }


def score_config(data: ReportData) -> ScoreConfig:
    """The run's score configuration, as recorded with the run."""
    return ScoreConfig.model_validate(data.config.get("score") or {})


CITATION_KEYS = frozenset({"citation_growth", "impact", "share_top10", "citations", "per_paper"})
NO_CITATION_DATA = "no citation data"


def cited(row: dict[str, Any], key: str, value: Any, kind: str) -> str:
    """A citation-based value as printed; "no citation data" where the corpus has none."""
    if key in CITATION_KEYS and row.get("citation_basis") == "none":
        return NO_CITATION_DATA
    return fmt(value, kind)


def _indicator_value(ind: Indicator, values: dict[str, Any]) -> str:
    """The value as printed, followed by its robust z-score when the indicator has one."""
    text = cited(values, ind.key, values.get(ind.key), ind.fmt)
    z = values.get(ind.z_key) if ind.z_key else None
    return text if z is None or fmt(z, "signed") == "–" else f"{text} (z {fmt(z, 'signed')})"


def _growth_test(row: dict[str, Any]) -> str:
    """'significant rise (q = ...)' or 'not significant (q = ...)'; empty when not tested."""
    q = row.get("growth_q")
    if row.get("growing") is None or fmt(q, "q") == "–":
        return ""
    verdict = "significant rise" if row["growing"] else "not significant"
    return f"{verdict} (q {'' if fmt(q, 'q').startswith('<') else '= '}{fmt(q, 'q')})"


def _assignment_shares(works: pl.DataFrame) -> dict[str, str] | None:
    """Shares of the works the clustering put in a front (core), the outlier policy assigned
    to their nearest front, and left in no front; None when the run recorded no assignment."""
    if "assignment" not in works.columns or works.height == 0:
        return None
    counts = dict(works.group_by("assignment").len().iter_rows())
    total = works.height
    return {
        "core": fmt(counts.get("cluster", 0) / total, "pct"),
        "assigned": fmt(counts.get("reassigned", 0) / total, "pct"),
        "outliers": fmt(counts.get("outlier", 0) / total, "pct"),
        "unassigned_by_clustering": fmt(1 - counts.get("cluster", 0) / total, "pct"),
    }


def front_rows(data: ReportData) -> list[dict[str, Any]]:
    """One row per ranked front with the overview table's values, formatted."""
    n = data.fronts.height
    rows = []
    for row in data.fronts.iter_rows(named=True):
        rows.append(
            {
                "rank": row["rank"],
                "topic_id": row["topic_id"],
                "href": front_path(row["rank"], n),
                "label": row.get("title") or row["label"] or f"topic {row['topic_id']}",
                "class": row["class"] or "established",
                "terms": ", ".join((row["top_terms"] or [])[:6]),
                "size": fmt(row["size"], "int"),
                "core": fmt(row.get("n_core"), "int"),
                "growth": fmt(row["growth"], "rate"),
                "growing": row.get("growing") is True,
                "citation_growth": cited(row, "citation_growth", row["citation_growth"], "rate"),
                "basis": basis_label(row.get("citation_basis")),
                "mean_year": fmt(row["mean_year"], "year"),
                "score": fmt(row["score"], "signed"),
                "interval": _interval(row),
                "p_top_n": fmt(row["p_top_n"], "pct"),
                # None (not assessed) shows neither flag.
                "off_topic": row.get("off_topic") is True,
                "broad": row.get("broad"),
                "unsupported": row.get("supported") is False,
            }
        )
    return rows


def overview(data: ReportData, forecast: pl.DataFrame) -> dict[str, Any]:
    """The overview page: corpus, ranked table, map and growth curves."""
    rows = front_rows(data)
    cov = data.coverage
    totals = data.stage_counts.filter(pl.col("source_file") == "*")
    ingest = totals.filter(pl.col("stage") == "ingest")
    accounting = ingest.row(0, named=True) if ingest.height else None
    map_spec = charts.map_figure(data.works, data.fronts, data.n_top)
    n_placed = data.works.filter(pl.col("x").is_not_null()).height
    map_caption = (
        "Each dot is a work, placed by the similarity of its text (UMAP of the embeddings); "
        "colours are the top fronts, numbers their ranks. Hover a dot for its title."
    )
    if map_spec["n_shown"] < n_placed:
        map_caption += (
            f" For legibility {map_spec['n_shown']:,} of {n_placed:,} works are drawn, the same "
            "fraction of every topic; the CSV holds them all."
        )
    n_outliers = data.works.filter(pl.col("topic_id") < 0).height
    return {
        "rows_top": rows[: data.n_top],
        "rows_rest": rows[data.n_top :],
        "n_fronts": len(rows),
        "n_topics": data.topics.height,
        "n_hot": sum(r["class"] == "hot" for r in rows),
        "n_emerging": sum(r["class"] == "emerging" for r in rows),
        "n_off_topic": sum(r["off_topic"] for r in rows),
        "n_unsupported": sum(r["unsupported"] for r in rows),
        "off_topic_text": OFF_TOPIC.format(n=data.n_top),
        "excluded": list(data.excluded.iter_rows(named=True)) if data.excluded is not None else [],
        "assignment": _assignment_shares(data.works),
        "n_excluded": int(data.excluded["n"].sum()) if data.excluded is not None else 0,
        "unsupported_text": UNSUPPORTED,
        "sources": [
            {
                **r,
                "years": f"{r['year_min']}–{r['year_max']}" if r["year_min"] is not None else "–",
                "share_abstract": fmt(r["share_abstract"], "pct"),
                "share_references": fmt(r["share_references"], "pct"),
            }
            for r in data.sources.iter_rows(named=True)
        ],
        "n_files": data.source_files.height,
        "accounting": accounting,
        "reconciles": accounting is None
        or accounting["n_read"]
        == accounting["n_accepted"] + accounting["n_merged"] + accounting["n_quarantined"],
        "coverage": {
            **cov,
            "abstract_pct": _share(cov["with_abstract"], cov["works"]),
            "references_pct": _share(cov["with_references"], cov["works"]),
            "by_year_pct": _share(cov["with_citations_by_year"], cov["works"]),
            "cited_pct": _share(cov["cited"], cov["works"]),
            "resolved_pct": _share(cov["references_resolved"], cov["references"]),
            "title_only_pct": _share(cov["title_only"], cov["works"]),
        },
        "n_outliers": n_outliers,
        "outlier_pct": _share(n_outliers, data.works.height),
        "map": _figure("fig-map", map_spec, map_caption, "map.csv"),
        "growth": _figure(
            "fig-growth",
            charts.growth_figure(forecast, data.fronts, data.n_top),
            "Share of the corpus's works by year for each top front (solid), its logit trend "
            "(dotted) and the two-year forecast with its 90 % prediction interval (band; not "
            "drawn where it is too wide to say anything). "
            "Click a legend entry to hide or show a front; double-click it to show it alone.",
            "share_forecast.csv",
        ),
    }


def _dossier_links(data: ReportData) -> dict[int, str]:
    """{topic id: its dossier's path}; dossiers are numbered by the machine's rank."""
    n = data.fronts.height
    return {r["topic_id"]: front_path(r["rank"], n) for r in data.fronts.iter_rows(named=True)}


def publication(data: ReportData) -> dict[str, Any]:
    """The published list (after the experts' curation) and the other candidates."""
    links = _dossier_links(data)
    cases = {r["work_id"]: dossier.paper(r) for r in data.case_works.iter_rows(named=True)}
    titles = {r["lineage_id"]: r["title"] for r in data.published.iter_rows(named=True)}

    def item(r: dict[str, Any]) -> dict[str, Any]:
        return {
            "rank": r["published_rank"] or r["rank"],
            "machine_rank": r["machine_rank"],
            "lineage_id": r["lineage_id"],
            "title": r["title"],
            "title_zh": r["title_zh"],
            "label": r["label"],
            "curated": r["title"] != r["label"] or r["title_zh"] is not None,
            "href": links.get(r["topic_id"], ""),
            "class": r["class"],
            "status": r["status"],
            "merged_into": titles.get(r["merged_into"]) if r["merged_into"] else None,
            "needs_review": bool(r["needs_review"]),
            "notes": list(r["notes"] or []),
            "cases": [cases[c] for c in r["cases"] or [] if c in cases],
            "event": r["event"],
            "size": fmt(r["size"], "int"),
        }

    rows = data.published.to_dicts()
    chosen = sorted((r for r in rows if r["published"]), key=lambda r: r["published_rank"])
    return {
        "year": int(data.run["window_end"]) + 1,
        "items": [item(r) for r in chosen],
        "others": [item(r) for r in rows if not r["published"]],
        "n_decided": sum(bool(r["notes"] or r["cases"]) or r["title"] != r["label"] for r in rows),
    }


def changes(data: ReportData) -> dict[str, Any] | None:
    """What changed since the previous run: fronts born, continued (with their rank change),
    split, merged and faded; None for a run with no previous run."""
    if data.previous is None or data.previous_fronts is None:
        return None
    before = {r["lineage_id"]: r for r in data.previous_fronts.iter_rows(named=True)}
    now = {r["topic_id"]: r for r in data.published.iter_rows(named=True)}
    links = _dossier_links(data)

    def named(lineage_ids: list[str]) -> list[str]:
        return [before[i]["title"] if i in before else i for i in lineage_ids]

    out: dict[str, list[dict[str, Any]]] = {
        e: [] for e in ("born", "continued", "split", "merged", "faded")
    }
    for r in data.lineage.iter_rows(named=True):
        if r["event"] == "faded":
            old = before.get(r["lineage_id"], {})
            out["faded"].append(
                {"title": old.get("title", r["lineage_id"]), "rank_before": old.get("rank")}
            )
            continue
        cur = now.get(r["topic_id"])
        if cur is None:
            continue
        old = before.get(cur["lineage_id"], {}) if r["event"] == "continued" else {}
        rank_before, rank_now = old.get("rank"), cur["rank"]
        move = "–"
        if rank_before is not None and rank_now is not None:
            move = "=" if rank_before == rank_now else f"{rank_before - rank_now:+d}"
        out[r["event"]].append(
            {
                "title": cur["title"],
                "href": links.get(r["topic_id"], ""),
                "rank": rank_now,
                "rank_before": rank_before,
                "move": move,
                "from": named(list(r["predecessor_lineage_ids"] or [])),
                "evidence": r["evidence"],
            }
        )
    prev = data.previous
    return {
        "run_id": prev["run_id"],
        "window": f"{prev['window_start']}–{prev['window_end']}",
        **out,
        "n": {k: len(v) for k, v in out.items()},
    }


def _lineage_block(data: ReportData, topic_id: int) -> dict[str, Any]:
    """A front's lineage for its dossier: its event and its ranks and sizes in earlier runs."""
    row = data.published.filter(pl.col("topic_id") == topic_id).row(0, named=True)
    before = (
        {r["lineage_id"]: r["title"] for r in data.previous_fronts.iter_rows(named=True)}
        if data.previous_fronts is not None
        else {}
    )
    history = data.history.filter(pl.col("lineage_id") == row["lineage_id"])
    return {
        "lineage_id": row["lineage_id"],
        "event": row["event"],
        "from": [before.get(i, i) for i in row["predecessor_lineage_ids"] or []],
        "history": [
            {
                "window": f"{h['window_start']}–{h['window_end']}",
                "run_id": h["run_id"],
                "rank": h["rank"] if h["rank"] is not None else h["status"],
                "size": fmt(h["size"], "int"),
                "title": h["title"],
            }
            for h in history.iter_rows(named=True)
        ],
    }


def _forecast_rows(fc: pl.DataFrame) -> list[dict[str, str]]:
    rows = []
    for r in fc.filter(pl.col("is_forecast")).iter_rows(named=True):
        interval = (
            f"{fmt(r['lower'], 'pct_fine')} – {fmt(r['upper'], 'pct_fine')}"
            if r["lower"] is not None
            else "–"
        )
        if r.get("informative") is False:
            interval = f"too uncertain to forecast ({interval})"
        rows.append(
            {"year": str(r["year"]), "trend": fmt(r["trend"], "pct_fine"), "interval": interval}
        )
    return rows


def dossiers(data: ReportData, forecast: pl.DataFrame) -> list[dict[str, Any]]:
    """One dossier per ranked front, in rank order."""
    n = data.fronts.height
    topics = {r["topic_id"]: r for r in data.topics.iter_rows(named=True)}
    by_topic = {
        r["topic_id"]: r
        for r in data.fronts.select("topic_id", "rank", "label").iter_rows(named=True)
    }
    related = dossier.related_fronts(data.similarities, list(by_topic))
    criteria = score_config(data).support
    curated = {r["topic_id"]: r for r in data.published.iter_rows(named=True)}
    out = []
    for i, row in enumerate(data.fronts.iter_rows(named=True)):
        topic_id, rank = row["topic_id"], row["rank"]
        works = data.works.filter(pl.col("topic_id") == topic_id)
        topic = topics.get(topic_id, {})
        counts = data.topic_year_counts.filter(pl.col("topic_id") == topic_id).sort("year")
        fc = forecast.filter(pl.col("topic_id") == topic_id)
        basis = row.get("citation_basis")
        total_cited = int(works["times_cited"].fill_null(0).sum())
        values = {**row, "rank_interval": _interval(row)}
        pub = curated.get(topic_id, {})
        out.append(
            {
                "rank": rank,
                "topic_id": topic_id,
                "index": i,
                "href": front_path(rank, n),
                "label": row["label"] or f"topic {topic_id}",
                "title": pub.get("title") or row["label"] or f"topic {topic_id}",
                "title_zh": pub.get("title_zh"),
                "status": pub.get("status", "ranked"),
                "curated_rank": pub.get("rank"),
                "needs_review": bool(pub.get("needs_review")),
                "notes": list(pub.get("notes") or []),
                "lineage": _lineage_block(data, topic_id),
                "class": row["class"] or "established",
                "class_text": CLASSES.get(row["class"] or "", ""),
                "off_topic": row.get("off_topic") is True,
                "off_topic_text": OFF_TOPIC.format(n=data.n_top),
                "broad": row.get("broad"),
                "support": dossier.support_summary(row, criteria, works),
                "outlier_members_text": OUTLIER_MEMBERS,
                "top_terms": list(row["top_terms"] or []),
                "representation": list(topic.get("representation") or []),
                "key": {
                    "size": fmt(row["size"], "int"),
                    "n_core": fmt(row.get("n_core", topic.get("n_core")), "int"),
                    "n_assigned": fmt(row.get("n_assigned"), "int"),
                    "citations": cited(row, "citations", total_cited, "int"),
                    "per_paper": cited(
                        row,
                        "per_paper",
                        total_cited / works.height if works.height else None,
                        "float",
                    ),
                    "growth": fmt(row["growth"], "rate"),
                    "growth_test": _growth_test(row),
                    "citation_growth": cited(
                        row, "citation_growth", row["citation_growth"], "rate"
                    ),
                    "mean_year": fmt(row["mean_year"], "year"),
                    "score": fmt(row["score"], "signed"),
                    "interval": _interval(row),
                    "p_top_n": fmt(row["p_top_n"], "pct"),
                },
                "indicators": [
                    {
                        "name": ind.name,
                        "value": _indicator_value(ind, values),
                        "meaning": ind.meaning,
                        "how": ind.how,
                    }
                    for ind in INDICATORS
                ],
                "burst_years": _burst_years(row),
                "basis": basis_label(basis),
                "basis_text": CITATION_BASES.get(basis or "", ("", "unknown"))[1],
                "core": dossier.core_papers(works),
                "countries": dossier.countries(works),
                "institutions": dossier.institutions(works),
                "venues": dossier.venues(works),
                "keywords": dossier.keyword_list(works),
                "abstracts": dossier.representative_abstracts(
                    works, data.abstracts, list(topic.get("representative_work_ids") or [])
                ),
                "related": [
                    {
                        "rank": by_topic[t]["rank"],
                        "label": by_topic[t]["label"] or f"topic {t}",
                        "href": front_path(by_topic[t]["rank"], n),
                        "similarity": f"{sim:.2f}",
                    }
                    for t, sim in related.get(topic_id, [])
                ],
                "forecast": _forecast_rows(fc),
                "fig_years": _figure(
                    f"fig-years-{rank}",
                    charts.front_years_figure(counts, i, basis_label(basis)),
                    "Works published each year (bars) and citations received each year "
                    f"(line; basis: {basis_label(basis)}).",
                    "front_years.csv",
                ),
                "fig_share": _figure(
                    f"fig-share-{rank}",
                    charts.front_share_figure(fc, i, rank),
                    "Share of the corpus's works by year, the logit trend (dotted) and the "
                    "two-year forecast with its 90 % prediction interval (band; not drawn where "
                    "it is too wide to say anything).",
                    "share_forecast.csv",
                ),
            }
        )
    for i, d in enumerate(out):
        d["prev"] = out[i - 1] if i > 0 else None
        d["next"] = out[i + 1] if i + 1 < len(out) else None
    return out


def _burst_years(row: dict[str, Any]) -> str:
    start, end = row.get("burst_start"), row.get("burst_end")
    if start is None or not row.get("burst_weight"):
        return ""
    return str(start) if start == end else f"{start}–{end}"
