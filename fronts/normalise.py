"""Merge records into works and resolve cited references into citations.

Two records are the same work when they share a DOI, the same source id (the same Web of
Science UT in a txt, BibTeX and RIS export, or a file exported twice), or the same normalised
title and first-author surname with publication years at most one apart (Web of Science and
Scopus often differ by a year for early-access papers). A title match is refused when both
records carry different DOIs: that is a conference and a journal version, not a duplicate.

A merged work keeps the richest record's fields (abstract, references, identifiers), fills
gaps from the others, keeps the union of cited references and DOIs, and the highest
times-cited count. Every merged record is a row of `duplicate_links`.

The de-duplication logic follows common practice in bibliometric tools (bibliometrix's
`duplicatedMatching`/`mergeDbSources` merge by DOI and by title), extended so that merging keeps
cited references, a known weakness of merged WoS+Scopus data (bibliometrix issue #639).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

import polars as pl

from fronts.schemas import CITATIONS, DUPLICATE_LINKS, STAGE_COUNTS, WORKS, check_frame

_NON_WORD = re.compile(r"[\W_]+", re.UNICODE)
_SOURCE_RANK = {"wos": 0, "scopus": 1, "openalex": 2, "wos_tab": 3, "bibtex": 4, "ris": 5}
_INITIALS = re.compile(r"^(?:[A-Z]\.?-?){1,4}$")
_MIN_TITLE_KEY = 8  # shorter normalised titles ("Editorial") never match on title alone

_SCALAR_FIELDS = (
    "doi",
    "title",
    "abstract",
    "year",
    "venue",
    "volume",
    "first_page",
    "doc_type",
    "language",
)
_LIST_FIELDS = ("authors", "affiliations", "countries", "author_keywords")


@dataclass(frozen=True)
class NormaliseResult:
    works: pl.DataFrame
    duplicate_links: pl.DataFrame
    citations: pl.DataFrame
    stage_counts: pl.DataFrame


def normalise_title(title: str | None) -> str:
    """Lower-case, accents and punctuation removed, single spaces: the title's match key."""
    if not title:
        return ""
    decomposed = unicodedata.normalize("NFKD", title)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return _NON_WORD.sub(" ", stripped.lower()).strip()


def surname_key(author: str | None) -> str:
    """Letters of the first author's surname: 'van der Berg, J' and 'Van Der Berg J.' agree."""
    if not author:
        return ""
    if "," in author:
        surname = author.split(",", 1)[0]
    else:  # "Surname I.J." (older Scopus): drop the trailing initials
        tokens = author.split()
        while len(tokens) > 1 and _INITIALS.match(tokens[-1]):
            tokens.pop()
        surname = " ".join(tokens)
    return normalise_title(surname).replace(" ", "")


class _UnionFind:
    def __init__(self, n: int) -> None:
        self.parent = list(range(n))

    def find(self, i: int) -> int:
        root = i
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[i] != root:
            self.parent[i], i = root, self.parent[i]
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[max(ra, rb)] = min(ra, rb)


def _link(records: pl.DataFrame) -> _UnionFind:
    n = records.height
    uf = _UnionFind(n)
    dois = records["doi"].to_list()
    for column in ("doi", "source_id"):
        groups = (
            records.with_row_index("rid")
            .filter(pl.col(column).is_not_null())
            .group_by(column)
            .agg(pl.col("rid"))
            .filter(pl.col("rid").list.len() > 1)
        )
        for rids in groups["rid"].to_list():
            for other in rids[1:]:
                uf.union(rids[0], other)

    title_keys = [normalise_title(t) for t in records["title"].to_list()]
    surnames = [surname_key(a[0] if a else None) for a in records["authors"].to_list()]
    years = records["year"].to_list()
    buckets: dict[tuple[str, str], list[int]] = {}
    for i, (tk, sk) in enumerate(zip(title_keys, surnames, strict=True)):
        if len(tk) >= _MIN_TITLE_KEY:
            buckets.setdefault((tk, sk), []).append(i)
    for rids in buckets.values():
        if len(rids) < 2:
            continue
        for pos, a in enumerate(rids):
            for b in rids[pos + 1 :]:
                if abs(years[a] - years[b]) > 1:
                    continue
                if dois[a] and dois[b] and dois[a] != dois[b]:
                    continue
                uf.union(a, b)
    return uf


def _richness(records: pl.DataFrame) -> pl.Expr:
    """Sort key: the record with the most to offer represents the work."""
    return pl.struct(
        has_abstract=pl.col("abstract").is_not_null(),
        n_refs=pl.col("cited_refs").list.len(),
        has_doi=pl.col("doi").is_not_null(),
        has_by_year=pl.col("citations_by_year").list.len() > 0,
        abstract_len=pl.col("abstract").str.len_chars().fill_null(0),
    )


def _union(column: str) -> pl.Expr:
    """All distinct items of a list column across a group, in first-seen order."""
    items = pl.col(column).list.explode(keep_nulls=False, empty_as_null=False)
    return items.unique(maintain_order=True).drop_nulls()


def _work_id(key: str) -> str:
    return "F" + hashlib.sha1(key.encode("utf-8")).hexdigest()[:15]


def merge_records(records: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """Group duplicate records into works.

    Returns (works, duplicate_links, membership) where membership maps every record
    (source, source_file, record_no) to its work_id and whether it was kept as representative.
    """
    if records.height == 0:
        membership = pl.DataFrame(
            schema={
                "source": pl.String,
                "source_file": pl.String,
                "record_no": pl.Int64,
                "work_id": pl.String,
                "kept": pl.Boolean,
                "source_id": pl.String,
                "doi": pl.String,
            }
        )
        return WORKS.empty(), DUPLICATE_LINKS.empty(), membership
    # A stable order makes the grouping and the chosen representatives deterministic.
    records = records.sort("source_file", "record_no")
    uf = _link(records)
    roots = [uf.find(i) for i in range(records.height)]
    ranked = records.with_columns(
        group=pl.Series(roots, dtype=pl.Int64),
        title_key=pl.Series([normalise_title(t) for t in records["title"].to_list()]),
        source_rank=pl.col("source").replace_strict(_SOURCE_RANK, default=9, return_dtype=pl.Int64),
        rich=_richness(records),
    ).sort(
        ["group", "rich", "source_rank", "source_file", "record_no"],
        descending=[False, True, False, False, False],
    )
    first_non_null = [pl.col(c).drop_nulls().first().alias(c) for c in _SCALAR_FIELDS]
    first_non_empty = [
        pl.col(c).filter(pl.col(c).list.len() > 0).first().alias(c) for c in _LIST_FIELDS
    ]
    works = ranked.group_by("group", maintain_order=True).agg(
        *first_non_null,
        *first_non_empty,
        *(_union(c) for c in ("cited_refs", "cited_dois")),
        pl.col("times_cited").max(),
        pl.col("citations_by_year")
        .sort_by(pl.col("citations_by_year").list.len(), descending=True)
        .first(),
        pl.col("source").unique().sort().alias("sources"),
        pl.len().cast(pl.Int64).alias("n_records"),
        pl.col("doi").drop_nulls().sort().first().alias("_key_doi"),
        pl.col("source_id").drop_nulls().sort().first().alias("_key_sid"),
        pl.col("source_file").first().alias("_kept_file"),
        pl.col("record_no").first().alias("_kept_no"),
        pl.col("doi").first().alias("_kept_doi"),
        pl.col("source_id").first().alias("_kept_sid"),
        pl.col("title_key").first().alias("_kept_title"),
    )
    keys = []
    for doi, sid, title, year, authors in works.select(
        "_key_doi", "_key_sid", "title", "year", "authors"
    ).iter_rows():
        if doi:
            keys.append(f"doi:{doi}")
        elif sid:
            keys.append(f"sid:{sid}")
        else:
            keys.append(
                f"title:{normalise_title(title)}|{year}|{surname_key((authors or [''])[0])}"
            )
    works = works.with_columns(work_id=pl.Series([_work_id(k) for k in keys], dtype=pl.String))
    if works["work_id"].n_unique() != works.height:
        raise AssertionError("work_id collision; identity keys are not unique")
    for c in _LIST_FIELDS:
        works = works.with_columns(pl.col(c).fill_null(pl.lit([], dtype=pl.List(pl.String))))
    works = works.with_columns(
        has_abstract=pl.col("abstract").is_not_null() & (pl.col("abstract").str.len_chars() > 0),
        citations_by_year=pl.col("citations_by_year").fill_null(
            pl.lit([], dtype=WORKS.schema["citations_by_year"])
        ),
    )
    # Why a merged record is the kept record's work: the strongest identity they share.
    membership = (
        ranked.select(
            "group", "source", "source_file", "record_no", "source_id", "doi", "title_key"
        )
        .join(
            works.select("group", "work_id", *(c for c in works.columns if c.startswith("_kept"))),
            on="group",
            how="left",
        )
        .with_columns(
            kept=(pl.col("source_file") == pl.col("_kept_file"))
            & (pl.col("record_no") == pl.col("_kept_no")),
            rule=pl.when(pl.col("doi") == pl.col("_kept_doi"))
            .then(pl.lit("doi"))
            .when(pl.col("source_id") == pl.col("_kept_sid"))
            .then(pl.lit("source_id"))
            .when(pl.col("title_key") == pl.col("_kept_title"))
            .then(pl.lit("title_year_author"))
            .otherwise(pl.lit("transitive")),
        )
    )
    links = (
        membership.filter(~pl.col("kept"))
        .select(
            "work_id",
            pl.col("_kept_file").alias("kept_source_file"),
            pl.col("_kept_no").alias("kept_record_no"),
            pl.col("source").alias("merged_source"),
            pl.col("source_file").alias("merged_source_file"),
            pl.col("record_no").alias("merged_record_no"),
            pl.col("source_id").alias("merged_source_id"),
            "rule",
        )
        .sort("work_id", "merged_source_file", "merged_record_no")
    )
    works = check_frame(works.select(WORKS.schema.names()).sort("work_id"), WORKS)
    return (
        works,
        check_frame(links, DUPLICATE_LINKS),
        membership.select(
            "source", "source_file", "record_no", "work_id", "kept", "source_id", "doi"
        ),
    )


# WoS CR: "Aria M, 2017, J INFORMETR, V11, P959, DOI 10.1016/j.joi.2017.08.007"
_WOS_CR = r"^([^,]+), (\d{4}), [^,]+(?:, V([^,]+))?(?:, P([^,]+))?"
# Scopus: "Aria M., Cuccurullo C., bibliometrix: ..., J. Informetr., 11, 4, pp. 959-975, (2017)"
_SCOPUS_REF_VOL_PAGE = r", (\d+)(?:, \d+)?, pp?\. ?([A-Za-z0-9]+)"
_SCOPUS_REF_YEAR = r"\((\d{4})\)\s*$"


def _ref_key_parts(refs: pl.DataFrame) -> pl.DataFrame:
    """Parse author surname, year, volume and first page out of raw reference strings."""
    wos = refs["ref"].str.extract_groups(_WOS_CR)
    scopus_year = refs["ref"].str.extract(_SCOPUS_REF_YEAR, 1).cast(pl.Int32, strict=False)
    scopus_vp = refs["ref"].str.extract_groups(_SCOPUS_REF_VOL_PAGE)
    author = pl.coalesce(wos.struct.field("1"), refs["ref"].str.extract(r"^([^,]+),", 1))
    return refs.with_columns(
        ref_author=author.map_elements(surname_key, return_dtype=pl.String),
        ref_year=pl.coalesce(wos.struct.field("2").cast(pl.Int32, strict=False), scopus_year),
        ref_volume=pl.coalesce(wos.struct.field("3"), scopus_vp.struct.field("1")),
        ref_page=pl.coalesce(wos.struct.field("4"), scopus_vp.struct.field("2")),
        is_wos=wos.struct.field("2").is_not_null(),
    )


def _norm_token(col: str) -> pl.Expr:
    return pl.col(col).str.to_lowercase().str.replace_all(r"^0+", "").str.strip_chars()


def resolve_citations(works: pl.DataFrame, membership: pl.DataFrame) -> pl.DataFrame:
    """One row per (citing work, cited reference), resolved to corpus works where possible.

    Resolution order: DOI in the reference; OpenAlex work id; author + year + volume + first page
    parsed from a WoS `CR` string or a Scopus reference.
    """
    if works.height == 0:
        return CITATIONS.empty()
    by_doi = (
        membership.filter(pl.col("doi").is_not_null())
        .select(pl.col("doi").alias("cited_doi"), pl.col("work_id").alias("doi_work"))
        .unique("cited_doi", keep="first")
    )
    by_sid = (
        membership.filter(pl.col("source_id").is_not_null())
        .select(pl.col("source_id").alias("ref"), pl.col("work_id").alias("sid_work"))
        .unique("ref", keep="first")
    )
    by_ref = (
        works.filter(pl.col("volume").is_not_null() & pl.col("first_page").is_not_null())
        .select(
            pl.col("authors")
            .list.first()
            .map_elements(surname_key, return_dtype=pl.String)
            .alias("ref_author"),
            pl.col("year").alias("ref_year"),
            _norm_token("volume").alias("ref_volume"),
            _norm_token("first_page").alias("ref_page"),
            pl.col("work_id").alias("key_work"),
        )
        .unique(["ref_author", "ref_year", "ref_volume", "ref_page"], keep="none")
    )
    refs = (
        works.select(
            pl.col("work_id").alias("citing_work_id"),
            pl.col("year").alias("citing_year"),
            pl.col("cited_refs").alias("ref"),
        )
        .explode("ref")
        .drop_nulls("ref")
    )
    refs = _ref_key_parts(refs).with_columns(
        cited_doi=pl.col("ref")
        .str.extract(r"(10\.\d{4,9}/[^\s\",\]]+)", 1)
        .str.to_lowercase()
        .str.strip_chars_end(".,;)]}"),
        ref_volume=_norm_token("ref_volume"),
        ref_page=_norm_token("ref_page"),
    )
    refs = (
        refs.join(by_doi, on="cited_doi", how="left")
        .join(by_sid, on="ref", how="left")
        .join(by_ref, on=["ref_author", "ref_year", "ref_volume", "ref_page"], how="left")
    )
    ref_key = pl.concat_str(
        [
            pl.col("ref_author"),
            pl.col("ref_year").cast(pl.String),
            pl.col("ref_volume"),
            pl.col("ref_page"),
        ],
        separator="|",
    )
    refs = refs.with_columns(
        cited_work_id=pl.coalesce("doi_work", "sid_work", "key_work"),
        resolved_by=pl.when(pl.col("doi_work").is_not_null())
        .then(pl.lit("doi"))
        .when(pl.col("sid_work").is_not_null())
        .then(pl.lit("openalex_id"))
        .when(pl.col("key_work").is_not_null())
        .then(pl.when(pl.col("is_wos")).then(pl.lit("wos_cr")).otherwise(pl.lit("scopus_ref")))
        .otherwise(pl.lit(None, dtype=pl.String)),
        cited_key=pl.when(pl.col("cited_doi").is_not_null())
        .then(pl.lit("doi:") + pl.col("cited_doi"))
        .when(pl.col("sid_work").is_not_null() | pl.col("ref").str.contains(r"^W\d+$"))
        .then(pl.lit("openalex:") + pl.col("ref"))
        .when(ref_key.is_not_null() & (pl.col("ref_author") != ""))
        .then(pl.lit("ref:") + ref_key)
        .otherwise(pl.lit("raw:") + pl.col("ref").str.to_lowercase()),
    )
    out = (
        refs.filter(
            pl.col("cited_work_id").is_null()
            | (pl.col("cited_work_id") != pl.col("citing_work_id"))
        )
        .with_columns(cited_key=pl.coalesce(pl.lit("work:") + pl.col("cited_work_id"), "cited_key"))
        .unique(["citing_work_id", "cited_key"], keep="first", maintain_order=True)
        .select(CITATIONS.schema.names())
        .sort("citing_work_id", "cited_key")
    )
    return check_frame(out, CITATIONS)


def count_records(
    quarantine: pl.DataFrame, membership: pl.DataFrame, stage: str = "ingest"
) -> pl.DataFrame:
    """Per-file and total accounting: read = accepted + merged + quarantined, by construction."""
    per_file_ok = membership.group_by("source", "source_file").agg(
        pl.col("kept").sum().cast(pl.Int64).alias("n_accepted"),
        (~pl.col("kept")).sum().cast(pl.Int64).alias("n_merged"),
    )
    per_file_bad = quarantine.group_by("source", "source_file").agg(
        pl.len().cast(pl.Int64).alias("n_quarantined")
    )
    per_file = (
        per_file_ok.join(per_file_bad, on=["source", "source_file"], how="full", coalesce=True)
        .with_columns(pl.col("n_accepted", "n_merged", "n_quarantined").fill_null(0))
        .with_columns(
            n_read=pl.col("n_accepted") + pl.col("n_merged") + pl.col("n_quarantined"),
            stage=pl.lit(stage),
            source=pl.col("source").fill_null("unknown"),
        )
        .sort("source_file")
    )
    total = per_file.select(
        pl.lit(stage).alias("stage"),
        pl.lit("*").alias("source"),
        pl.lit("*").alias("source_file"),
        pl.col("n_read", "n_accepted", "n_merged", "n_quarantined").sum(),
    )
    cols = STAGE_COUNTS.schema.names()
    return check_frame(pl.concat([per_file.select(cols), total.select(cols)]), STAGE_COUNTS)


def normalise_records(records: pl.DataFrame, quarantine: pl.DataFrame) -> NormaliseResult:
    """The normalise stage: records (+ quarantine, for the accounting) -> works and citations."""
    works, links, membership = merge_records(records)
    citations = resolve_citations(works, membership)
    counts = count_records(quarantine, membership)
    return NormaliseResult(works, links, citations, counts)
