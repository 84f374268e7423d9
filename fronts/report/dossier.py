"""What one front's dossier lists: core papers, leaders, keywords, abstracts, related fronts.

Pure functions over the frames of `ReportData`; they return plain dicts and lists that the
templates show as they are. The contents follow the per-front pages of the CAS/Clarivate
*Research Fronts* reports (2014-) and of CAE's *Engineering Fronts* (engineering.org.cn/en/
article/37126): core papers, countries and institutions with counts and shares, keywords.
Countries, institutions and venues are ranked by the number of the front's works they appear
in (a work counts once per name). `support_summary` explains the support verdict of
`fronts.scoring.support` (after Porter et al. 2019's emergence criteria) in words.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import quote

import polars as pl

from fronts.config import SupportConfig
from fronts.report.glossary import fmt
from fronts.scoring.support import MIN_COVERAGE

N_LEADERS = 10
N_KEYWORDS = 20
N_CORE = 10
N_RELATED = 3
ABSTRACT_CHARS = 1200

# Words that mark the organisation within an address ("Dept Phys, Univ X, City, Country").
_ORG = re.compile(
    r"\b(univ|universi|inst|college|hosp|hospital|academ|acad|cent(er|re)|lab|school|"
    r"polytech|ecole|politecn|hochschule|cnrs|inc|ltd|gmbh|corp|company|co\.|foundation|"
    r"council|ministry|agency|clinic)",
    re.IGNORECASE,
)


def institution_of(affiliation: str) -> str:
    """The organisation named in an address: the first comma-separated part that looks like one.

    Web of Science writes the organisation first ("Harvard Univ, Dept Phys, ..."), Scopus often
    the department first ("Department of X, University of Y, ..."); the first part matching
    university/institute/hospital/... words wins, else the first part.
    """
    parts = [p.strip() for p in affiliation.split(",") if p.strip()]
    if not parts:
        return ""
    for part in parts[:-1] or parts:  # the last part is usually the country
        if _ORG.search(part) and not part.lower().startswith(("dept", "department", "div ")):
            return part
    return parts[0]


def doi_url(doi: str | None) -> str | None:
    """https://doi.org/ link of a DOI, percent-encoded so that no DOI can break out of an href."""
    if not doi:
        return None
    return "https://doi.org/" + quote(doi.strip(), safe="/")


def leaders(
    lists: Iterable[Sequence[str] | None], n_works: int, top: int = N_LEADERS
) -> list[dict[str, object]]:
    """Most frequent names, each counted once per work (case-insensitively), with their share."""
    counts: Counter[str] = Counter()
    display: dict[str, Counter[str]] = {}
    for items in lists:
        seen = set()
        for item in items or []:
            name = " ".join(str(item).split())
            key = name.casefold()
            if not name or key in seen:
                continue
            seen.add(key)
            counts[key] += 1
            display.setdefault(key, Counter())[name] += 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:top]
    return [
        {
            # The most frequent spelling, ties broken alphabetically.
            "name": sorted(display[k].items(), key=lambda kv: (-kv[1], kv[0]))[0][0],
            "works": c,
            "share": c / n_works if n_works else None,
        }
        for k, c in ranked
    ]


def paper(row: dict[str, object], max_authors: int = 3) -> dict[str, object]:
    """A work as the dossier cites it."""
    authors = list(row.get("authors") or [])  # type: ignore[call-overload]
    shown = ", ".join(authors[:max_authors]) + (" et al." if len(authors) > max_authors else "")
    return {
        "work_id": row["work_id"],
        "title": row.get("title") or "(untitled)",
        "authors": shown,
        "year": row.get("year"),
        "venue": row.get("venue"),
        "doi": row.get("doi"),
        "doi_url": doi_url(row.get("doi")),  # type: ignore[arg-type]
        "times_cited": row.get("times_cited"),
        "similarity": row.get("similarity"),
    }


def core_papers(works: pl.DataFrame, top: int = N_CORE) -> dict[str, list[dict[str, object]]]:
    """The front's most cited works and its most central works (closest to the centroid)."""
    cited = works.sort(["times_cited", "year", "work_id"], descending=[True, True, False])
    central = works.sort(["similarity", "work_id"], descending=[True, False], nulls_last=True)
    return {
        "most_cited": [paper(r) for r in cited.head(top).iter_rows(named=True)],
        "most_central": [paper(r) for r in central.head(top).iter_rows(named=True)],
    }


def representative_abstracts(
    works: pl.DataFrame,
    abstracts: pl.DataFrame,
    representative_ids: list[str],
    n: int = 3,
    max_chars: int = ABSTRACT_CHARS,
) -> list[dict[str, object]]:
    """Up to `n` abstracts: the topic model's representatives first, then the most central."""
    text = dict(abstracts.select("work_id", "abstract").iter_rows())
    by_id = {r["work_id"]: r for r in works.iter_rows(named=True)}
    central = works.sort(["similarity", "work_id"], descending=[True, False], nulls_last=True)
    order = [w for w in representative_ids if w in by_id]
    order += [w for w in central["work_id"].to_list() if w not in order]
    out = []
    for work_id in order:
        abstract = " ".join(str(text.get(work_id) or "").split())
        if not abstract:
            continue
        if len(abstract) > max_chars:
            abstract = abstract[:max_chars].rsplit(" ", 1)[0] + " …"
        out.append({**paper(by_id[work_id]), "abstract": abstract})
        if len(out) == n:
            break
    return out


def related_fronts(
    similarities: pl.DataFrame, topic_ids: list[int], k: int = N_RELATED
) -> dict[int, list[tuple[int, float]]]:
    """For each of `topic_ids`, its `k` closest other fronts among them, closest first.

    `similarities` holds the run's `front_similarities` rows (computed by the score stage).
    """
    wanted = set(topic_ids)
    out: dict[int, list[tuple[int, float]]] = {t: [] for t in topic_ids}
    pairs = similarities.filter(
        pl.col("topic_id").is_in(list(wanted)) & pl.col("other_topic_id").is_in(list(wanted))
    ).sort("topic_id", "closeness_rank")
    for topic, other, sim in pairs.select("topic_id", "other_topic_id", "similarity").iter_rows():
        if len(out[topic]) < k:
            out[topic].append((int(other), float(sim)))
    return out


def keyword_list(works: pl.DataFrame, top: int = N_KEYWORDS) -> list[dict[str, object]]:
    """Most frequent author keywords of the front's works (case-insensitive)."""
    return leaders(works["author_keywords"].to_list(), works.height, top)


def institutions(works: pl.DataFrame, top: int = N_LEADERS) -> list[dict[str, object]]:
    """Leading organisations, from the affiliation addresses (see `institution_of`)."""
    orgs = [[institution_of(a) for a in items or []] for items in works["affiliations"].to_list()]
    return leaders(orgs, works.height, top)


def countries(works: pl.DataFrame, top: int = N_LEADERS) -> list[dict[str, object]]:
    """Leading countries of the affiliations."""
    return leaders(works["countries"].to_list(), works.height, top)


def venues(works: pl.DataFrame, top: int = N_LEADERS) -> list[dict[str, object]]:
    """Leading journals, proceedings or books."""
    return leaders([[v] if v else [] for v in works["venue"].to_list()], works.height, top)


def _coverage(works: pl.DataFrame, column: str) -> float:
    """Share of `works` that carry `column` (a non-blank venue, a non-empty author list)."""
    if works.height == 0 or column not in works.columns:
        return 0.0
    col = pl.col(column)
    is_list = isinstance(works.schema[column], pl.List)
    present = col.list.len() > 0 if is_list else col.str.strip_chars() != ""
    return float(works.select(present.fill_null(False).mean()).item())


def support_shortfalls(
    row: dict[str, Any], criteria: SupportConfig, venue_checked: bool, author_checked: bool
) -> list[str]:
    """The support criteria a front misses, in words, checked as `fronts.scoring.support` does.

    Venue and author criteria count only when checked (at least half the works carry the
    field); a missing count is not held against the front.
    """

    def short(value: Any, need: int, what: str) -> str | None:
        if value is None or value >= need:
            return None
        return f"only {value} {what}{'' if value == 1 else 's'} (needs {need})"

    out = [
        short(row.get("size"), criteria.min_works, "work"),
        short(row.get("n_years"), criteria.min_years, "year"),
    ]
    if venue_checked:
        out.append(short(row.get("n_venues"), criteria.min_venues, "venue"))
        top = row.get("max_venue_year_share")
        if top is not None and top == top and top > criteria.max_venue_year_share:
            out.append(
                f"{fmt(top, 'pct')} of its works in one venue and year "
                f"(at most {fmt(criteria.max_venue_year_share, 'pct')})"
            )
    if author_checked:
        out.append(short(row.get("n_author_groups"), criteria.min_author_groups, "author group"))
    return [s for s in out if s]


def support_summary(
    row: dict[str, Any], criteria: SupportConfig, works: pl.DataFrame
) -> dict[str, Any]:
    """What the dossier's Support block shows: the counts, the verdict and why, in one line.

    `row` is the front's row of `ReportData.fronts`; `works` its works (for the coverage of
    venues and authors, which decides whether those criteria apply).
    """
    venue_checked = _coverage(works, "venue") >= MIN_COVERAGE
    author_checked = _coverage(works, "authors") >= MIN_COVERAGE
    supported = row.get("supported")
    if supported is None:
        text = "Support was not assessed for this run."
    elif supported:
        text = (
            "Supported: enough works, years, venues and author groups, and no venue-year "
            "dominates, so it reads as a movement rather than one event."
        )
    else:
        misses = support_shortfalls(row, criteria, venue_checked, author_checked)
        why = "; ".join(misses) if misses else "it misses the support criteria"
        text = f"Not supported: {why}. It may be one event rather than a movement, and so "
        text += "cannot be classed emerging."
    n_members, share = row.get("n_outlier_members"), row.get("outlier_membership")
    return {
        "years": fmt(row.get("n_years"), "int"),
        "venues": fmt(row.get("n_venues"), "int"),
        "venues_checked": venue_checked,
        "author_groups": fmt(row.get("n_author_groups"), "int"),
        "authors_checked": author_checked,
        "venue_year_share": fmt(row.get("max_venue_year_share"), "pct"),
        "verdict": {None: "–", True: "yes", False: "no"}[supported],
        "supported": supported,
        "text": text,
        "outlier_members": None if n_members is None else f"+{int(n_members):,}",
        "outlier_share": fmt(share, "pct"),
    }
