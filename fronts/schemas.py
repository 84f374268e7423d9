"""The warehouse contract: every table, its columns, types and one-line meanings, in one place.

`docs/warehouse.md` is rendered from this module (`python -m fronts.schemas > docs/warehouse.md`,
checked by a test), and every frame is checked against it before it is written to DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from fronts.errors import SchemaMismatchError

# The topic of a work that belongs to no topic (doc_topics.topic_id), in every module.
OUTLIER = -1

CITATIONS_BY_YEAR = pl.List(pl.Struct({"year": pl.Int32, "count": pl.Int64}))


@dataclass(frozen=True)
class Column:
    name: str
    dtype: pl.DataType
    doc: str


@dataclass(frozen=True)
class Table:
    name: str
    doc: str
    columns: tuple[Column, ...]
    written_by: str

    @property
    def schema(self) -> pl.Schema:
        return pl.Schema({c.name: c.dtype for c in self.columns})

    def empty(self) -> pl.DataFrame:
        return pl.DataFrame(schema=self.schema)

    def columns_spec(self) -> tuple[tuple[str, pl.DataType, str], ...]:
        """The columns as (name, dtype, doc) triples, to repeat them in another table."""
        return tuple((c.name, c.dtype, c.doc) for c in self.columns)


def _t(name: str, doc: str, written_by: str, *cols: tuple[str, pl.DataType, str]) -> Table:
    return Table(name, doc, tuple(Column(*c) for c in cols), written_by)


_STR = pl.String()
_INT = pl.Int64()
_YEAR = pl.Int32()
_FLOAT = pl.Float64()
_BOOL = pl.Boolean()
_STRS = pl.List(pl.String())

_RECORD_FIELDS: tuple[tuple[str, pl.DataType, str], ...] = (
    ("doi", _STR, "DOI, lower-cased, without resolver prefix"),
    ("title", _STR, "title, whitespace collapsed"),
    ("abstract", _STR, "abstract (OpenAlex: rebuilt from the inverted index); null if absent"),
    ("year", _YEAR, "publication year"),
    ("venue", _STR, "journal, proceedings or book title"),
    ("volume", _STR, "volume, as exported"),
    ("first_page", _STR, "first page or article number, as exported"),
    ("doc_type", _STR, "document type as the source names it (Article, Review, ...)"),
    ("language", _STR, "language of the document as the source names it"),
    ("authors", _STRS, "authors in order, 'Surname, Initials' or as exported"),
    ("affiliations", _STRS, "affiliation strings (institutions), deduplicated, in order"),
    ("countries", _STRS, "countries of the affiliations, deduplicated, in order"),
    ("author_keywords", _STRS, "author keywords"),
    ("cited_refs", _STRS, "cited references, raw strings as exported (OpenAlex: work ids)"),
    ("cited_dois", _STRS, "DOIs found in the cited references, normalised"),
    ("times_cited", _INT, "citations received as counted by the source at export time"),
    (
        "citations_by_year",
        CITATIONS_BY_YEAR,
        "citations received per year (OpenAlex counts_by_year)",
    ),
)

# Every field a reader can fill, in schema order (the `records` columns but the provenance ones).
RECORD_FIELDS: tuple[str, ...] = ("source_id", *(name for name, _, _ in _RECORD_FIELDS))

RECORDS = _t(
    "records",
    "Every record read from every source file, as parsed, before de-duplication.",
    "ingest",
    ("source", _STR, "format of the file: wos, wos_tab, scopus, openalex, bibtex, ris, tabular"),
    ("source_file", _STR, "path of the file the record was read from"),
    ("record_no", _INT, "1-based position of the record in its file"),
    ("source_id", _STR, "identifier in the source (WOS:UT, Scopus EID, OpenAlex W-id, ...)"),
    *_RECORD_FIELDS,
    ("title_raw", _STR, "the title as exported where markup (HTML, JATS, LaTeX) was removed"),
    ("abstract_raw", _STR, "the abstract as exported where markup was removed; else null"),
)

QUARANTINE = _t(
    "quarantine",
    "Records that could not be accepted, with the reason and the raw text; never silently dropped.",
    "ingest",
    ("stage", _STR, "stage that quarantined the record (ingest, ...)"),
    ("source", _STR, "format of the file, when it was recognised"),
    ("source_file", _STR, "path of the file"),
    ("record_no", _INT, "1-based position of the record in its file"),
    ("reason", _STR, "why the record was refused, in words"),
    ("raw", _STR, "the record's raw text (truncated to 20,000 characters)"),
)

SOURCE_FILES = _t(
    "source_files",
    "Files ingested into the warehouse; a file is identified by its resolved path.",
    "ingest",
    ("source_file", _STR, "path of the file as given"),
    ("resolved_path", _STR, "absolute path; the identity of the file in the warehouse"),
    ("source", _STR, "detected format"),
    ("sha256", _STR, "content hash of the file's bytes"),
    ("size_bytes", _INT, "file size in bytes"),
    ("n_records", _INT, "records read from the file (accepted or quarantined)"),
)

WORKS = _t(
    "works",
    "One row per distinct work after merging duplicates within and across sources.",
    "normalise",
    (
        "work_id",
        _STR,
        "stable id: 'F' + 15 hex of sha1 of its identity (DOI, else source id, else title)",
    ),
    *_RECORD_FIELDS,
    ("sources", _STRS, "formats the work was found in"),
    ("n_records", _INT, "records merged into this work (1 = no duplicate)"),
    ("has_abstract", _BOOL, "abstract present and non-empty"),
)

DUPLICATE_LINKS = _t(
    "duplicate_links",
    "One row per record merged into a work kept from another record (the merge audit trail).",
    "normalise",
    ("work_id", _STR, "the work the record was merged into"),
    ("kept_source_file", _STR, "file of the record kept as the work's representative"),
    ("kept_record_no", _INT, "record number of the kept record"),
    ("merged_source", _STR, "format of the merged record"),
    ("merged_source_file", _STR, "file of the merged record"),
    ("merged_record_no", _INT, "record number of the merged record"),
    ("merged_source_id", _STR, "source id of the merged record"),
    ("rule", _STR, "why they are one work: doi, source_id, or title_year_author"),
)

CITATIONS = _t(
    "citations",
    "One row per (citing work, cited reference); cited_work_id is set when the reference resolves "
    "to a work of the corpus.",
    "normalise",
    ("citing_work_id", _STR, "the citing work"),
    ("citing_year", _YEAR, "publication year of the citing work"),
    (
        "cited_key",
        _STR,
        "normalised key of the reference: 'doi:<doi>' or 'ref:<author|year|vol|page>'",
    ),
    ("cited_doi", _STR, "DOI of the cited reference, when known"),
    ("cited_work_id", _STR, "the cited work, when the reference resolves into the corpus"),
    ("resolved_by", _STR, "doi, wos_cr (author+year+volume+page), openalex_id, or null"),
)

STAGE_COUNTS = _t(
    "stage_counts",
    "Record accounting per stage and file, plus one total row per stage (source_file = '*'). "
    "Invariant: n_read = n_accepted + n_merged + n_quarantined.",
    "normalise",
    ("stage", _STR, "stage name"),
    ("source", _STR, "format of the file ('*' on the total row)"),
    ("source_file", _STR, "path of the file, or '*' for the total"),
    ("n_read", _INT, "records read"),
    ("n_accepted", _INT, "records that became a work of their own"),
    ("n_merged", _INT, "records merged into a work kept from another record"),
    ("n_quarantined", _INT, "records refused, see quarantine"),
)

_FLOATS = pl.List(pl.Float32())

RUNS = _t(
    "runs",
    "One row per analysis run. run_id is a hash of the corpus and of the settings that change "
    "results, so the same inputs give the same run_id in any warehouse and re-running replaces "
    "that run's rows.",
    "the pipeline (fronts.runs), around the stages",
    (
        "run_id",
        _STR,
        "'r' + 12 hex of sha256(corpus fingerprint, result settings: the configuration without "
        "paths, threads, batch size and caching)",
    ),
    ("corpus_sha256", _STR, "fingerprint of the works analysed (ids and texts)"),
    ("config_json", _STR, "the validated configuration, as JSON"),
    ("config_sha256", _STR, "hash of config_json"),
    ("seed", _INT, "seed of every random step"),
    ("window_start", _YEAR, "first year of the analysis window"),
    ("window_end", _YEAR, "last year of the analysis window"),
    ("n_works", _INT, "works in the warehouse"),
    ("n_in_window", _INT, "works published in the window and analysed (research works)"),
    ("fronts_version", _STR, "version of fronts that made the run"),
    ("versions_json", _STR, "versions of the libraries and the model, as JSON"),
    (
        "status",
        _STR,
        "running, completed, failed, or interrupted (its process died; the same command "
        "resumes it)",
    ),
    ("started_at", pl.Datetime("us", "UTC"), "when the run (its latest attempt) started (UTC)"),
    ("finished_at", pl.Datetime("us", "UTC"), "when the run finished or stopped (UTC)"),
    ("attempts", _INT, "times the run was started; more than 1 after a rerun or a resume"),
    ("error", _STR, "one-line reason of a failed run"),
    ("previous_run_id", _STR, "the completed run its fronts' lineage links to (null: none)"),
    ("n_references", _INT, "cited references of the works analysed, when the run started"),
    (
        "n_references_resolved",
        _INT,
        "of those, references resolved to a work of the corpus, when the run started",
    ),
    (
        "incomplete_year",
        _YEAR,
        "the corpus's last year when it looked incomplete against the trend of the years "
        "before it (a partial export); left out of a default window (null: none)",
    ),
    ("incomplete_note", _STR, "that finding in words, as the CLI and the report say it"),
    ("n_excluded", _INT, "works of the window set aside as not research (run_excluded)"),
    (
        "clustering",
        _STR,
        "what the topics were clustered on: 'text', or 'hybrid' (text and bibliographic "
        "coupling); null until the topics stage ran",
    ),
    ("clustering_note", _STR, "that choice in words, with the share of works sharing a reference"),
)

_RUN_SNAPSHOT = "the pipeline (fronts.runs), when the run starts"

WORK_VERSIONS = _t(
    "work_versions",
    "Every version of a work that a run analysed, keyed by a hash of its content: what a run read "
    "stays readable after later ingests change or drop the work.",
    _RUN_SNAPSHOT,
    ("content_sha256", _STR, "sha256 of the version's columns (its identity)"),
    *WORKS.columns_spec(),
)

RUN_WORKS = _t(
    "run_works",
    "Per run, exactly the works it analysed (those of its window) and the version of each it read; "
    "everything about a run reads its works through this table.",
    _RUN_SNAPSHOT,
    ("run_id", _STR, "run"),
    ("work_id", _STR, "work"),
    ("content_sha256", _STR, "the version read (work_versions)"),
)

RUN_EXCLUDED = _t(
    "run_excluded",
    "Per run, the works of its window set aside as not research (editorials, errata, indexes, "
    "front matter), with the reason; they are in no front and no indicator (`research_only`).",
    _RUN_SNAPSHOT,
    ("run_id", _STR, "run"),
    ("work_id", _STR, "work"),
    ("content_sha256", _STR, "the version read (work_versions)"),
    ("reason", _STR, "'document type: <type as exported>' or 'title: front matter or notice'"),
)

RUN_FILES = _t(
    "run_files",
    "Per run, the source files of the warehouse's corpus when the run started, with their record "
    "accounting and the coverage of their accepted records.",
    _RUN_SNAPSHOT,
    ("run_id", _STR, "run"),
    ("source_file", _STR, "path of the file as given"),
    ("resolved_path", _STR, "absolute path"),
    ("source", _STR, "detected format"),
    ("sha256", _STR, "content hash of the file's bytes"),
    ("size_bytes", _INT, "file size in bytes"),
    ("n_read", _INT, "records read"),
    ("n_accepted", _INT, "records that became a work of their own"),
    ("n_merged", _INT, "records merged into a work kept from another record"),
    ("n_quarantined", _INT, "records refused"),
    ("year_min", _YEAR, "earliest publication year of the accepted records"),
    ("year_max", _YEAR, "latest publication year of the accepted records"),
    ("n_with_abstract", _INT, "accepted records with an abstract"),
    ("n_with_references", _INT, "accepted records with cited references"),
    ("times_cited", _INT, "sum of the accepted records' times cited"),
)

RUN_QUARANTINE = _t(
    "run_quarantine",
    "Per run, the quarantined records of its corpus when it started (the raw text stays in "
    "quarantine).",
    _RUN_SNAPSHOT,
    ("run_id", _STR, "run"),
    ("stage", _STR, "stage that quarantined the record"),
    ("source", _STR, "format of the file"),
    ("source_file", _STR, "path of the file"),
    ("record_no", _INT, "1-based position of the record in its file"),
    ("reason", _STR, "why the record was refused"),
)

EMBEDDINGS = _t(
    "embeddings",
    "Cache of text embeddings keyed by (model, sha256 of the text): a rerun, or next year's run, "
    "embeds only new or changed texts. Not tied to a run.",
    "embed",
    ("model", _STR, "model identifier (package name or directory) and max sequence length"),
    ("text_sha256", _STR, "sha256 of the exact text embedded"),
    ("vector", _FLOATS, "embedding (L2-normalised when the model normalises)"),
    ("embedded_by", _STR, "run that embedded the text (null: before runs were recorded)"),
)

WORK_TEXTS = _t(
    "work_texts",
    "Per run, the text embedded for each work in the window and how it was built.",
    "embed",
    ("run_id", _STR, "run"),
    ("work_id", _STR, "work"),
    ("text_sha256", _STR, "key into the embeddings cache"),
    ("title_only", _BOOL, "true when the work has no abstract and was embedded on its title"),
    ("from_cache", _BOOL, "true when the vector came from the cache"),
)

DOC_TOPICS = _t(
    "doc_topics",
    "Per run, each work in the window with its topic (-1 = unassigned outlier).",
    "topics",
    ("run_id", _STR, "run"),
    ("work_id", _STR, "work"),
    ("topic_id", _INT, "topic; -1 when the work stays an outlier"),
    (
        "assignment",
        _STR,
        "cluster (HDBSCAN core member), reassigned (outlier moved to its nearest "
        "topic by embedding similarity), or outlier",
    ),
    ("similarity", _FLOAT, "cosine similarity of the work to its topic's centroid"),
    ("x", _FLOAT, "2-D map coordinate (UMAP of the embeddings)"),
    ("y", _FLOAT, "2-D map coordinate"),
)

TOPICS = _t(
    "topics",
    "Per run, the topics found by BERTopic, with readable labels.",
    "topics",
    ("run_id", _STR, "run"),
    ("topic_id", _INT, "topic number (0 = largest)"),
    ("label", _STR, "readable label: the top representation terms"),
    ("top_terms", _STRS, "c-TF-IDF terms (1-2-grams, no stop words), best first"),
    ("representation", _STRS, "terms re-ranked by the representation model (KeyBERT-inspired)"),
    ("size", _INT, "works in the topic after the outlier policy"),
    ("n_core", _INT, "works assigned by the clustering itself (before outlier reassignment)"),
    ("representative_work_ids", _STRS, "works closest to the topic centroid, best first"),
    (
        "title",
        _STR,
        "a short readable title: its two leading key phrases as its works write them",
    ),
    (
        "broad",
        _STR,
        "why the topic is broad (above topics.hdbscan.max_cluster_share with no structure to "
        "split it), or null",
    ),
)

TOPIC_YEAR_COUNTS = _t(
    "topic_year_counts",
    "Per run, topic and year of the window: publications, share of the corpus, citations.",
    "score",
    ("run_id", _STR, "run"),
    ("topic_id", _INT, "topic"),
    ("year", _YEAR, "year"),
    ("n_works", _INT, "works of the topic published that year"),
    ("share", _FLOAT, "n_works / works of the whole corpus (all topics and outliers) that year"),
    (
        "citations",
        _FLOAT,
        "citations received that year by the topic's works (basis: see "
        "topic_scores.citation_basis)",
    ),
)

TOPIC_SCORES = _t(
    "topic_scores",
    "Per run and topic: every indicator, documented in docs/methodology.md.",
    "score",
    ("run_id", _STR, "run"),
    ("topic_id", _INT, "topic"),
    ("size", _INT, "works in the topic within the window"),
    ("growth", _FLOAT, "slope of log share per year (least squares), relative to the corpus"),
    ("cagr_share", _FLOAT, "compound annual growth rate of the topic's share over the window"),
    ("acceleration", _FLOAT, "recent-half minus earlier-half slope of the share (per year^2)"),
    ("mean_year", _FLOAT, "mean publication year of the topic's core works (ESI currency)"),
    ("share_recent", _FLOAT, "share of the topic's works published in the last two years"),
    ("burst_weight", _FLOAT, "Kleinberg burst weight of the topic's yearly counts (0 = none)"),
    ("burst_start", _YEAR, "first year of the strongest burst, if any"),
    ("burst_end", _YEAR, "last year of the strongest burst, if any"),
    ("citation_growth", _FLOAT, "slope of log citations received per year over the window"),
    ("citation_basis", _STR, "per_year_counts, local_citations or times_cited_by_age"),
    (
        "impact",
        _FLOAT,
        "mean age-normalised citations per paper (times cited / years since publication + 1)",
    ),
    (
        "share_top10",
        _FLOAT,
        "share of the topic's works among the corpus's top-10 % cited (age-normalised)",
    ),
    ("coherence", _FLOAT, "mean cosine similarity of the topic's works to its centroid"),
    (
        "emergence",
        _FLOAT,
        "emergence composite: weighted z-scores of growth, acceleration, novelty and bursts",
    ),
    ("score", _FLOAT, "ranking composite: weighted z-scores of all indicators"),
    (
        "core_similarity",
        _FLOAT,
        "cosine of the topic's centroid to the centroid of all works of the window",
    ),
    ("core_similarity_z", _FLOAT, "robust z-score (median / MAD) of core_similarity"),
    (
        "term_relevance",
        _FLOAT,
        "mean share of the works outside the topic that contain each of its top terms",
    ),
    ("term_relevance_z", _FLOAT, "robust z-score (median / MAD) of log term_relevance"),
    ("off_topic", _BOOL, "both z-scores below their thresholds: far from the corpus's subject"),
    ("n_years", _INT, "distinct publication years among the topic's works"),
    ("n_venues", _INT, "distinct venues among the topic's works"),
    ("n_author_groups", _INT, "groups of the topic's works linked by a shared author"),
    ("max_venue_year_share", _FLOAT, "largest share of the topic's works in one venue and year"),
    ("supported", _BOOL, "enough works, years, venues and author groups to be called emerging"),
    (
        "n_outlier_members",
        _INT,
        "outside-core works (reassigned or outlier) as close to the topic as its median core work",
    ),
    (
        "outlier_membership",
        _FLOAT,
        "n_outlier_members / (core works + n_outlier_members): likely membership among outliers",
    ),
)

FRONTS = _t(
    "fronts",
    "Per run, the ranked research fronts: the analysts' public contract.",
    "score",
    ("run_id", _STR, "run"),
    ("rank", _INT, "rank by score (1 = first)"),
    ("rank_low", _INT, "5th percentile of the rank over bootstrap resamples of the works"),
    ("rank_high", _INT, "95th percentile of the rank over bootstrap resamples"),
    ("p_top_n", _FLOAT, "share of bootstrap resamples in which the front ranks in the top N"),
    ("score", _FLOAT, "ranking composite (see topic_scores.score)"),
    ("emergence", _FLOAT, "emergence composite alone"),
    ("citation_growth", _FLOAT, "slope of log citations received per year"),
    (
        "class",
        _STR,
        "hot (large and recent core) or emerging (very recent core, rising "
        "citations, supported), else established",
    ),
    ("label", _STR, "readable label"),
    ("top_terms", _STRS, "c-TF-IDF terms, best first"),
    ("size", _INT, "works in the front"),
    ("topic_id", _INT, "topic behind the front"),
    ("growth", _FLOAT, "slope of log share per year"),
    (
        "growth_z",
        _FLOAT,
        "trend test of the share (Cochran-Armitage z over the square root of the dispersion)",
    ),
    ("growth_q", _FLOAT, "one-sided p-value of growth_z, Benjamini-Hochberg adjusted over fronts"),
    ("growing", _BOOL, "share growth significant: growth_q <= score.growth_fdr"),
    ("mean_year", _FLOAT, "mean publication year of core works"),
    ("off_topic", _BOOL, "far from the corpus's subject; ranked after every on-topic front"),
    ("supported", _BOOL, "enough works, years, venues and author groups to be called emerging"),
    ("outlier_membership", _FLOAT, "share of the front's likely members left outside its core"),
    ("n_core", _INT, "works the clustering itself put in the front (its core)"),
    (
        "n_assigned",
        _INT,
        "works the outlier policy assigned to it as their nearest front (size = n_core + "
        "n_assigned; the indicators count both, mean_year the core only)",
    ),
)

FRONT_FORECASTS = _t(
    "front_forecasts",
    "Per run, front and year: the front's share of the corpus, its log-linear trend, and the "
    "trend's forecast for the years after the window with a prediction interval.",
    "score",
    ("run_id", _STR, "run"),
    ("topic_id", _INT, "topic behind the front"),
    ("year", _YEAR, "year (window years, then the forecast years)"),
    ("n_works", _INT, "works of the front that year (null for forecast years)"),
    ("corpus", _INT, "works of the whole window that year (null for forecast years)"),
    ("observed", _FLOAT, "n_works / corpus (null for forecast years)"),
    ("trend", _FLOAT, "share fitted by the quasi-binomial logit trend (window and forecast years)"),
    ("lower", _FLOAT, "lower bound of the prediction interval (forecast years only)"),
    ("upper", _FLOAT, "upper bound of the prediction interval (forecast years only)"),
    ("is_forecast", _BOOL, "true for the years after the window"),
    ("level", _FLOAT, "coverage of the prediction interval (e.g. 0.9)"),
    (
        "informative",
        _BOOL,
        "false when the interval's bounds are more than 4 times apart: too wide to say where the "
        "share goes, and not drawn (null outside the forecast years)",
    ),
)

FRONT_SIMILARITIES = _t(
    "front_similarities",
    "Per run, every ordered pair of fronts with the cosine similarity of their centroids "
    "(the 'closest fronts' of the report).",
    "score",
    ("run_id", _STR, "run"),
    ("topic_id", _INT, "a front's topic"),
    ("other_topic_id", _INT, "another front's topic"),
    ("similarity", _FLOAT, "cosine of the two centroids"),
    ("closeness_rank", _INT, "1 = the front most similar to topic_id, then 2, ..."),
    (
        "basis",
        _STR,
        "embeddings (mean embedding of the cluster members) or map (mean map position, when the "
        "run has no embeddings)",
    ),
)

FRONT_LINEAGE = _t(
    "front_lineage",
    "Per run, each front's lineage: the id it keeps while it continues from run to run, and how "
    "it came from the fronts of the previous run (docs/methodology.md, lineage); plus a row for "
    "each front of the previous run that no front continues (event 'faded', topic_id null).",
    "lineage",
    ("run_id", _STR, "run"),
    ("topic_id", _INT, "the front's topic in this run; null for a faded front of the previous run"),
    ("lineage_id", _STR, "the front's lasting id ('L' + 10 hex): inherited when it continues"),
    ("event", _STR, "born, continued, split, merged, or faded"),
    ("previous_run_id", _STR, "the run it was linked to (null: no earlier run)"),
    ("predecessor_lineage_ids", _STRS, "lineage ids of the previous run's fronts it came from"),
    ("predecessor_topic_ids", pl.List(_INT), "their topic ids in the previous run"),
    ("shared_works", _INT, "works it shares with its predecessors (both runs analysed them)"),
    (
        "overlap",
        _FLOAT,
        "share of the main predecessor's shared works that it holds (null: linked by content)",
    ),
    ("similarity", _FLOAT, "cosine of its centroid to the main predecessor's"),
    ("evidence", _STR, "what decided the link: works (shared members) or centroid"),
)

CURATION = _t(
    "curation",
    "The experts' decisions about fronts, append-only: a decision is never edited or deleted, an "
    "undo is a decision of its own. Keyed by lineage id, so decisions follow a front from run "
    "to run (docs/methodology.md, curation).",
    "fronts curate",
    ("action_id", _INT, "1, 2, ... in the order decisions were made"),
    ("action", _STR, "rename, exclude, merge, annotate, publish, or undo"),
    (
        "lineage_ids",
        _STRS,
        "the fronts concerned (merge: the front kept first, then those merged into it; "
        "publish: the published list in order)",
    ),
    (
        "values_json",
        _STR,
        "the decision's values as JSON: title, title_zh (rename, merge), note and cases "
        "(annotate: commentary and case-study work ids)",
    ),
    ("by", _STR, "who decided"),
    ("at", pl.Datetime("us", "UTC"), "when (UTC)"),
    ("why", _STR, "why, in the decider's words"),
    ("undoes", _INT, "the action an undo cancels"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (
        SOURCE_FILES,
        RECORDS,
        QUARANTINE,
        WORKS,
        DUPLICATE_LINKS,
        CITATIONS,
        STAGE_COUNTS,
        RUNS,
        WORK_VERSIONS,
        RUN_WORKS,
        RUN_EXCLUDED,
        RUN_FILES,
        RUN_QUARANTINE,
        EMBEDDINGS,
        WORK_TEXTS,
        DOC_TOPICS,
        TOPICS,
        TOPIC_YEAR_COUNTS,
        TOPIC_SCORES,
        FRONTS,
        FRONT_FORECASTS,
        FRONT_SIMILARITIES,
        FRONT_LINEAGE,
        CURATION,
    )
}


def check_frame(df: pl.DataFrame, table: Table | str) -> pl.DataFrame:
    """Return `df` with exactly the table's columns, in order, with the documented types.

    Missing or extra columns raise `SchemaMismatchError`; numeric widening and null-typed
    columns are cast, other type differences raise.
    """
    t = TABLES[table] if isinstance(table, str) else table
    expected = t.schema
    missing = [c for c in expected if c not in df.columns]
    extra = [c for c in df.columns if c not in expected]
    if missing or extra:
        raise SchemaMismatchError(
            f"table {t.name!r}: missing columns {missing}, unexpected columns {extra}"
        )
    out = []
    for name, dtype in expected.items():
        col = df.get_column(name)
        if col.dtype != dtype:
            try:
                col = col.cast(dtype, strict=True)
            except Exception as exc:  # polars raises several exception types here
                raise SchemaMismatchError(
                    f"table {t.name!r}, column {name!r}: expected {dtype}, got {col.dtype}"
                ) from exc
        out.append(col)
    return pl.DataFrame(out)


def duck_type(dtype: pl.DataType) -> str:
    if isinstance(dtype, pl.List):
        return duck_type(dtype.inner) + "[]"
    if isinstance(dtype, pl.Array):
        return f"{duck_type(dtype.inner)}[{dtype.size}]"
    if isinstance(dtype, pl.Struct):
        return "STRUCT(" + ", ".join(f"{f.name} {duck_type(f.dtype)}" for f in dtype.fields) + ")"
    if isinstance(dtype, pl.Datetime) and dtype.time_zone:
        return "TIMESTAMPTZ"
    return {
        pl.String: "VARCHAR",
        pl.Int64: "BIGINT",
        pl.Int32: "INTEGER",
        pl.Float64: "DOUBLE",
        pl.Float32: "FLOAT",
        pl.Boolean: "BOOLEAN",
        pl.Datetime: "TIMESTAMP",
    }[dtype.base_type()]


def duckdb_ddl(table: Table) -> str:
    cols = ",\n  ".join(f'"{c.name}" {duck_type(c.dtype)}' for c in table.columns)
    return f'CREATE TABLE IF NOT EXISTS "{table.name}" (\n  {cols}\n)'


def render_markdown() -> str:
    """Render the whole contract as Markdown (the body of docs/warehouse.md)."""
    lines = [
        "# Warehouse tables",
        "",
        "Generated from `fronts/schemas.py` by `python -m fronts.schemas > docs/warehouse.md`;",
        "do not edit by hand. A test fails when this file and the code disagree.",
        "",
    ]
    for t in TABLES.values():
        lines += [f"## `{t.name}`", "", t.doc, "", f"Written by: {t.written_by}.", ""]
        lines += ["| column | type | meaning |", "|---|---|---|"]
        lines += [f"| `{c.name}` | `{duck_type(c.dtype)}` | {c.doc} |" for c in t.columns]
        lines.append("")
    return "\n".join(lines)


if __name__ == "__main__":
    print(render_markdown(), end="")
