"""Which works are research: editorials, errata, indexes and journal front matter are not.

Research fronts are made of research papers: ESI and the CAS/Clarivate Research Fronts count
articles and reviews only (Clarivate, *Essential Science Indicators* help, "Scope and
coverage"). Exports also hold a journal's editorials, corrections, issue indexes and front
matter; left in, they form fronts of their own ("editorial · journal · issue") or blur real ones.

A work is set aside from a run, with its reason, when

* its document type, as the source names it, is one of NON_RESEARCH_TYPES (WoS "Editorial
  Material", Scopus "Erratum", OpenAlex "paratext", ...); or
* its type says nothing (missing, or a generic "JOUR"/"article" that every record of some
  exports carries) and its title is that of front matter (FRONT_MATTER_TITLE: "Editorial",
  "Table of contents", "Erratum to ...", "Issue information", "Reviewers 2023", ...).

Letters and notes stay in: in medicine and physics they are often research.
"""

from __future__ import annotations

import re

import polars as pl

# Lower-cased document types (WoS DT, Scopus "Document Type", OpenAlex/Crossref type, RIS and
# BibTeX types) that are never research papers.
NON_RESEARCH_TYPES = frozenset(
    {
        "editorial",
        "editorial material",
        "correction",
        "correction, addition",
        "erratum",
        "corrigendum",
        "retraction",
        "retracted publication",
        "retraction notice",
        "expression of concern",
        "index",
        "news item",
        "news",
        "book review",
        "software review",
        "database review",
        "meeting abstract",
        "biographical-item",
        "biographical item",
        "item about an individual",
        "bibliography",
        "reprint",
        "paratext",
        "erratum-notice",
        "peer-review",
        "supplementary-materials",
        "journal-issue",
        "component",
        "front matter",
        "back matter",
        "obituary",
        "announcement",
        "discussion",
    }
)

# Titles of front matter, editorials and notices, matched on the whole (lower-cased) title
# or its start ("erratum to: ...").
FRONT_MATTER_TITLE = re.compile(
    r"^(?:"
    r"editorial(?: board| note| comment| introduction| preface)?s?|guest editorial|"
    r"(?:guest |special issue )?editorial\s*[:\u2013\u2014-].*|"
    r"(?:letter |note |message )?from the (?:editors?|editor-in-chief|guest editors?)|"
    r"editors?'? (?:note|introduction|preface|choice)|"
    r"(?:front|back) matter|front cover|back cover|cover(?: image| picture)?|masthead|"
    r"(?:table of )?contents|issue information|in this issue|this issue|"
    r"(?:author|subject|keyword|cumulative) index(?:es)?|index(?: to volume \d+)?|"
    r"(?:erratum|errata|corrigendum|correction|retraction|notice of retraction|"
    r"expression of concern|withdrawn|addendum)(?:\s+(?:note|notice))?"
    r"(?:\s+(?:to|for|on|regarding)\b.*|\s*:.*)?|"
    r"(?:acknowledg(?:e)?ments? (?:to|of) )?reviewers?(?: (?:list|acknowledg(?:e)?ments?))?"
    r"(?: \d{4})?|thanks to (?:our )?reviewers(?: \d{4})?|"
    r"call for papers|announcements?|forthcoming (?:articles|papers)|"
    r"preface|foreword|prologue|obituary|in memoriam(?:\b.*)?"
    r")[\s.:;!-]*$",
    re.IGNORECASE,
)
# Types too generic to tell anything: the title decides for these.
GENERIC_TYPES = frozenset({"", "jour", "article", "journal article", "journal-article", "art"})


def non_research_reason(doc_type: str | None, title: str | None) -> str | None:
    """Why the work is not research ('document type: Editorial Material', 'title: front
    matter'), or None for a research work (or one nothing marks)."""
    kind = " ".join((doc_type or "").lower().split())
    if kind in NON_RESEARCH_TYPES:
        return f"document type: {doc_type}"
    # WoS joins types ("Article; Early Access", "Editorial Material; Book Chapter")
    parts = [p.strip() for p in re.split(r"[;,]", kind) if p.strip()]
    if parts and all(p in NON_RESEARCH_TYPES or p == "early access" for p in parts):
        return f"document type: {doc_type}"
    generic = all(p in GENERIC_TYPES or p == "early access" for p in parts)
    if generic and title and FRONT_MATTER_TITLE.match(" ".join(title.split())):
        return "title: front matter or notice"
    return None


def excluded_works(works: pl.DataFrame) -> pl.DataFrame:
    """work_id and reason of every work of `works` (with doc_type and title) that is not
    research, in work_id order."""
    rows = [
        (work_id, reason)
        for work_id, doc_type, title in works.select("work_id", "doc_type", "title").iter_rows()
        if (reason := non_research_reason(doc_type, title)) is not None
    ]
    frame = pl.DataFrame(rows, schema={"work_id": pl.String, "reason": pl.String}, orient="row")
    return frame.sort("work_id")
