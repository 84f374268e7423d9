"""PubMed XML exports (``<PubmedArticleSet>``, as PubMed's "Save as XML" and E-utilities efetch
write them).

The file is cut at each ``<PubmedArticle>`` (or ``<PubmedBookArticle>``) start tag and each
piece is parsed on its own with the standard library's ElementTree, so a truncated or broken
article is quarantined with its reason instead of losing the file. The DOCTYPE is never parsed
(it sits before the first article), so no external DTD or entity is ever fetched.

Kept: PMID (source_id ``PMID:<n>``), DOI, title, abstract (labelled sections joined as
"LABEL: text", as MEDLINE writes them, so the same work reads the same from both PubMed
formats), year (``PubDate/Year``, else the year in ``MedlineDate``), journal, volume, first
page, the first publication type as document type, the first language, authors ("Last, Fore"),
affiliations and their countries, keywords, and the reference list where PubMed has one (each
reference's DOI when it has one, else its citation text). Dropped: MeSH headings, chemicals,
grants, history dates. No citation counts exist in PubMed exports.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest.common import ParsedRecord, ReadResult, finalise, read_text
from fronts.ingest.countries import countries_of_addresses

NAME = "pubmed_xml"

_SIGNATURE_RE = re.compile(r"<(?:!DOCTYPE\s+)?PubmedArticleSet\b")
_START_RE = re.compile(r"<Pubmed(?:Book)?Article[\s>]")
_END_RE = re.compile(r"</Pubmed(?:Book)?Article\s*>")
_UNDECODABLE_RE = re.compile(r"[\udc80-\udcff]")
_CLOSING_RE = re.compile(r"^\s*(?:</PubmedArticleSet\s*>)?\s*$")


def sniff(path: Path, head: str, config: IngestConfig) -> bool:
    """True when the head declares or opens a ``PubmedArticleSet``."""
    return bool(_SIGNATURE_RE.search(head))


def read(path: Path, config: IngestConfig) -> ReadResult:
    """Parse a PubMed XML file; every article (complete or not) becomes one record."""
    path = Path(path)
    chunks, stray = split_articles(read_text(path))
    if not chunks:
        raise InputFormatError(path, "no PubMed articles (no '<PubmedArticle>') found")
    result = finalise([_parse(c, p) for c, p in chunks], path=path, source=NAME, config=config)
    if stray:
        result.notes.append(f"{stray} character(s) of text outside any article were ignored")
    return result


def split_articles(text: str) -> tuple[list[tuple[str, str | None]], int]:
    """(article text, structural problem or None) per article start tag, and how many
    non-blank characters lay between articles."""
    starts = [m.start() for m in _START_RE.finditer(text)]
    chunks: list[tuple[str, str | None]] = []
    stray = 0
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else len(text)
        piece = text[start:stop]
        end = _END_RE.search(piece)
        if end is None:
            chunks.append((piece.strip(), "truncated article: no closing </PubmedArticle> tag"))
            continue
        chunks.append((piece[: end.end()], None))
        rest = piece[end.end() :]
        if not _CLOSING_RE.match(rest):
            stray += len(rest.replace("</PubmedArticleSet>", "").strip())
    return chunks, stray


def _parse(chunk: str, problem: str | None) -> ParsedRecord:
    if problem is not None:
        return ParsedRecord(None, chunk, problem)
    if _UNDECODABLE_RE.search(chunk):
        return ParsedRecord(None, chunk, "undecodable text (bytes that are not valid UTF-8)")
    try:
        return ParsedRecord(_fields(ET.fromstring(chunk)), chunk)
    except ET.ParseError as exc:
        return ParsedRecord(None, chunk, f"unparseable PubMed XML article: {exc}")


def _text(node: ET.Element | None) -> str | None:
    """All the text inside `node` (inline markup such as <i> included), spaces collapsed."""
    if node is None:
        return None
    return " ".join("".join(node.itertext()).split()) or None


def _abstract(article: ET.Element | None) -> str | None:
    if article is None:
        return None
    parts = []
    for section in article.findall("Abstract/AbstractText"):
        body = _text(section)
        if body:
            label = section.get("Label")
            parts.append(f"{label}: {body}" if label else body)
    return " ".join(parts) or None


def _year(issue: ET.Element | None) -> str | None:
    if issue is None:
        return None
    return _text(issue.find("PubDate/Year")) or _text(issue.find("PubDate/MedlineDate"))


def _authors(article: ET.Element | None) -> tuple[list[str], list[str]]:
    names: list[str] = []
    addresses: list[str] = []
    if article is None:
        return names, addresses
    for author in article.findall("AuthorList/Author"):
        last, fore = _text(author.find("LastName")), _text(author.find("ForeName"))
        name = ", ".join(p for p in (last, fore) if p) or _text(author.find("CollectiveName"))
        if name:
            names.append(name)
        for aff in author.findall("AffiliationInfo/Affiliation"):
            if value := _text(aff):
                addresses.append(value.rstrip("."))
    return names, list(dict.fromkeys(addresses))


def _doi(root: ET.Element, article: ET.Element | None) -> str | None:
    for node in root.findall("PubmedData/ArticleIdList/ArticleId"):
        if node.get("IdType") == "doi" and _text(node):
            return _text(node)
    if article is not None:
        for node in article.findall("ELocationID"):
            if node.get("EIdType") == "doi" and _text(node):
                return _text(node)
    return None


def _references(root: ET.Element) -> list[str]:
    refs = []
    for ref in root.findall("PubmedData/ReferenceList/Reference"):
        doi = next(
            (_text(i) for i in ref.findall("ArticleIdList/ArticleId") if i.get("IdType") == "doi"),
            None,
        )
        value = f"DOI {doi}" if doi else _text(ref.find("Citation"))
        if value:
            refs.append(value)
    return refs


def _fields(root: ET.Element) -> dict[str, Any]:
    """Map one <PubmedArticle> (or <PubmedBookArticle>) onto the record fields."""
    citation = root.find("MedlineCitation")
    base = citation if citation is not None else root.find("BookDocument")
    article = base.find("Article") if base is not None else None
    if article is None and base is not None and base.tag == "BookDocument":
        article = base
    pmid = _text(base.find("PMID")) if base is not None else None
    journal = article.find("Journal") if article is not None else None
    issue = journal.find("JournalIssue") if journal is not None else None
    names, addresses = _authors(article)
    pages = _text(article.find("Pagination/StartPage")) if article is not None else None
    if pages is None and article is not None:
        pgn = _text(article.find("Pagination/MedlinePgn"))
        pages = pgn.split("-")[0].strip() or None if pgn else None
    types = [] if article is None else article.findall("PublicationTypeList/PublicationType")
    keywords = [] if base is None else [_text(k) for k in base.findall("KeywordList/Keyword")]
    return {
        "source_id": f"PMID:{pmid}" if pmid else None,
        "doi": _doi(root, article),
        "title": _text(article.find("ArticleTitle")) if article is not None else None,
        "abstract": _abstract(article),
        "year": _year(issue),
        "venue": _text(journal.find("Title")) if journal is not None else None,
        "volume": _text(issue.find("Volume")) if issue is not None else None,
        "first_page": pages,
        "doc_type": _text(types[0]) if types else None,
        "language": _text(article.find("Language")) if article is not None else None,
        "authors": names,
        "affiliations": addresses,
        "countries": countries_of_addresses(addresses),
        "author_keywords": [k for k in keywords if k],
        "cited_refs": _references(root),
        "times_cited": None,
    }
