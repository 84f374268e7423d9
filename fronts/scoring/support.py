"""Support of a front: is it carried by several years, venues and research groups?

A front can look emerging because of one event rather than a movement: eleven chapters of one
edited book in one year, one special issue, one lab's output. Porter, Garner, Carley & Newman
(2019, Technological Forecasting and Social Change 146:628-643,
doi:10.1016/j.techfore.2018.04.016) and Carley, Newman, Porter & Garner (2018, Scientometrics
115(1):35-49, doi:10.1007/s11192-018-2654-5) require of an emergent *term* that it occurs in a
minimum number of records, in a minimum number of years, and is used by more than one author or
organisation (their VantagePoint script exposes these as "term must have at least total records
/ years with at least 1 record" and per-organisation / per-person criteria). Adapted to fronts,
a front is **supported** when its works in the window

* number at least `min_works` (Porter et al.'s records criterion, 7 by default);
* span at least `min_years` distinct publication years;
* appear in at least `min_venues` distinct venues, and no single venue-year holds more than
  `max_venue_year_share` of them (the one-book, one-special-issue case);
* come from at least `min_author_groups` author groups: connected components of the topic's
  works linked by a shared author (surname + first initial), so that one lab publishing many
  papers, with changing co-authors, counts once.

Venue and author criteria are checked only when at least half of the topic's works carry the
field: a corpus exported without venues or authors cannot be held to them (the counts are still
reported). Only a supported front may be classed 'emerging'; support does not change scores or
ranks. Details in docs/methodology.md.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from fronts.config import SupportConfig

MIN_COVERAGE = 0.5  # share of a topic's works that must carry a field before it is checked
_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")


@dataclass(frozen=True)
class Support:
    """Per-topic support counts and verdict (K,), aligned with the work table's topic_ids."""

    n_years: np.ndarray
    n_venues: np.ndarray
    n_author_groups: np.ndarray
    max_venue_year_share: np.ndarray  # NaN when no work of the topic has a venue
    supported: np.ndarray  # bool


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def author_key(author: str | None) -> str:
    """'surname|initial': 'Smith, John', 'Smith, J.' and 'Smith J.' agree; '' when empty."""
    if not author or not author.strip():
        return ""
    if "," in author:
        surname, given = author.split(",", 1)
    else:
        tokens = author.split()
        initials = []
        while len(tokens) > 1 and _INITIALS.match(tokens[-1]):
            initials.insert(0, tokens.pop())
        if initials:  # "Smith J." (older Scopus)
            surname, given = " ".join(tokens), initials[0]
        elif len(tokens) > 1:  # "John Smith"
            surname, given = tokens[-1], tokens[0]
        else:
            surname, given = tokens[0], ""
    return f"{_plain(surname).replace(' ', '')}|{_plain(given)[:1]}"


def venue_key(venue: str | None) -> str:
    """Lower-cased venue without accents and punctuation; '' when empty."""
    return _plain(venue) if venue else ""


def _codes(values: list[str]) -> np.ndarray:
    """Integer code per value, -1 for ''; codes follow sorted order (deterministic)."""
    uniq = sorted({v for v in values if v})
    index = {v: i for i, v in enumerate(uniq)}
    return np.array([index.get(v, -1) for v in values], dtype=np.int64)


def author_groups(topic_idx: np.ndarray, authors: list[list[str]], n_topics: int) -> np.ndarray:
    """Per topic, the connected components of its works linked by a shared author key.

    Works without a usable author are left out (they are neither a group nor a link).
    """
    pairs = sorted(
        {(int(t), key) for t, names in zip(topic_idx, authors, strict=True) for key in names}
    )
    if not pairs:
        return np.zeros(n_topics, dtype=np.int64)
    node = {p: i for i, p in enumerate(pairs)}
    n = topic_idx.size
    rows, cols = [], []
    for w, (t, names) in enumerate(zip(topic_idx, authors, strict=True)):
        for key in names:
            rows.append(w)
            cols.append(n + node[(int(t), key)])
    size = n + len(pairs)
    graph = sp.coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(size, size))
    _, label = connected_components(graph, directed=False)
    has_author = np.array([bool(names) for names in authors])
    groups = {(int(t), int(label[w])) for w, t in enumerate(topic_idx) if has_author[w]}
    return np.bincount(np.array([t for t, _ in groups], dtype=np.int64), minlength=n_topics).astype(
        np.int64
    )


def topic_support(
    topic_idx: np.ndarray,
    year_idx: np.ndarray,
    n_topics: int,
    venues: list[str | None] | None,
    authors: list[list[str] | None] | None,
    criteria: SupportConfig,
) -> Support:
    """Support counts and verdict of every topic, from its works' years, venues and authors.

    `venues` and `authors` are aligned with the work table's rows; None means the corpus has no
    such field (the criterion is then not checked).
    """
    n = topic_idx.size
    size = np.bincount(topic_idx, minlength=n_topics)
    t_len = int(year_idx.max()) + 1 if n else 1
    topic_year = np.bincount(topic_idx * t_len + year_idx, minlength=n_topics * t_len)
    n_years = (topic_year.reshape(n_topics, t_len) > 0).sum(axis=1)

    venue_code = _codes([venue_key(v) for v in venues]) if venues is not None else np.full(n, -1)
    has_venue = venue_code >= 0
    n_with_venue = np.bincount(topic_idx[has_venue], minlength=n_topics)
    n_venues = np.zeros(n_topics, dtype=np.int64)
    max_share = np.full(n_topics, np.nan)
    if has_venue.any():
        m = int(venue_code.max()) + 1
        t, v, y = topic_idx[has_venue], venue_code[has_venue], year_idx[has_venue]
        per_venue = np.unique(t * m + v)
        n_venues = np.bincount(per_venue // m, minlength=n_topics)
        cell = np.unique(t * (m * t_len) + v * t_len + y, return_counts=True)
        top = np.zeros(n_topics)
        np.maximum.at(top, cell[0] // (m * t_len), cell[1])
        max_share = np.divide(top, n_with_venue, out=max_share, where=n_with_venue > 0)

    keys = [
        sorted({k for k in map(author_key, names or []) if k}) for names in (authors or [[]] * n)
    ]
    n_groups = author_groups(topic_idx, keys, n_topics)
    n_with_authors = np.bincount(
        topic_idx, weights=np.array([bool(k) for k in keys], dtype=float), minlength=n_topics
    )

    safe = np.maximum(size, 1)
    venue_checked = n_with_venue >= MIN_COVERAGE * safe
    author_checked = n_with_authors >= MIN_COVERAGE * safe
    with np.errstate(invalid="ignore"):
        venue_ok = (n_venues >= criteria.min_venues) & (max_share <= criteria.max_venue_year_share)
    supported = (
        (size >= criteria.min_works)
        & (n_years >= criteria.min_years)
        & (~venue_checked | venue_ok)
        & (~author_checked | (n_groups >= criteria.min_author_groups))
    )
    return Support(
        n_years=n_years.astype(np.int64),
        n_venues=n_venues.astype(np.int64),
        n_author_groups=n_groups,
        max_venue_year_share=max_share,
        supported=supported,
    )


def frame_fields(
    works: pl.DataFrame, work_ids: np.ndarray
) -> tuple[list[str | None] | None, list[list[str] | None] | None]:
    """Venues and author lists of `work_ids`, in that order; None for a column works lacks."""
    cols = [c for c in ("venue", "authors") if c in works.columns]
    if not cols:
        return None, None
    order = pl.DataFrame({"work_id": work_ids.tolist()}, schema={"work_id": pl.String})
    rows = order.join(
        works.select("work_id", *cols), on="work_id", how="left", maintain_order="left"
    )
    venues = rows["venue"].to_list() if "venue" in cols else None
    authors = rows["authors"].to_list() if "authors" in cols else None
    return venues, authors
