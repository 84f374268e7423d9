"""The warehouse contract: every table, its columns, types and one-line meanings, in one place.

`docs/warehouse.md` is rendered from this module (`python -m fronts.schemas > docs/warehouse.md`,
checked by a test), and every frame is checked against it before it is written to DuckDB.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from fronts.errors import SchemaMismatchError

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

RECORDS = _t(
    "records",
    "Every record read from every source file, as parsed, before de-duplication.",
    "ingest",
    ("source", _STR, "format of the file: wos, wos_tab, scopus, openalex, bibtex, ris, tabular"),
    ("source_file", _STR, "path of the file the record was read from"),
    ("record_no", _INT, "1-based position of the record in its file"),
    ("source_id", _STR, "identifier in the source (WOS:UT, Scopus EID, OpenAlex W-id, ...)"),
    *_RECORD_FIELDS,
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
    "ingest/normalise",
    ("stage", _STR, "stage name"),
    ("source", _STR, "format of the file ('*' on the total row)"),
    ("source_file", _STR, "path of the file, or '*' for the total"),
    ("n_read", _INT, "records read"),
    ("n_accepted", _INT, "records that became a work of their own"),
    ("n_merged", _INT, "records merged into a work kept from another record"),
    ("n_quarantined", _INT, "records refused, see quarantine"),
)

TABLES: dict[str, Table] = {
    t.name: t
    for t in (SOURCE_FILES, RECORDS, QUARANTINE, WORKS, DUPLICATE_LINKS, CITATIONS, STAGE_COUNTS)
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
