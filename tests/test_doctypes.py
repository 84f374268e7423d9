"""Editorials, errata, indexes and front matter are told from research papers."""

from __future__ import annotations

import polars as pl
import pytest

from fronts.doctypes import excluded_works, non_research_reason


@pytest.mark.parametrize(
    ("doc_type", "title"),
    [
        ("Editorial Material", "Why learning analytics matters"),  # WoS
        ("Erratum", "Deep learning for X"),  # Scopus
        ("paratext", "Cover"),  # OpenAlex
        ("Correction", "Correction"),
        ("Editorial Material; Early Access", "A view"),
        ("Article", "Editorial"),  # a generic type: the title decides
        ("JOUR", "Correction to: Deep learning in chest X-ray"),
        (None, "Table of Contents"),
        (None, "Issue Information"),
        (None, "Guest Editorial: AI in schools"),
        ("article", "Reviewers 2023"),
        ("Article; Early Access", "Erratum"),
        (None, "Author index"),
    ],
)
def test_not_research(doc_type, title):
    assert non_research_reason(doc_type, title) is not None


@pytest.mark.parametrize(
    ("doc_type", "title"),
    [
        ("Article", "Deep learning for chest X-ray screening"),
        ("Review", "Editorial"),  # a typed review is research whatever its title
        ("Letter", "Reply to comments on teacher education"),  # letters stay in
        (None, "Correction of myopia in school children"),
        (None, "Indexing methods for large graphs"),
        (None, "Editorials in newspapers: a content analysis of AI coverage"),
        ("Editorial Material; Book Chapter", "Design of learning spaces"),  # mixed: kept
        (None, None),
    ],
)
def test_research(doc_type, title):
    assert non_research_reason(doc_type, title) is None


def test_reasons_name_the_evidence():
    works = pl.DataFrame(
        {
            "work_id": ["F3", "F1", "F2"],
            "doc_type": ["Article", "Editorial Material", None],
            "title": ["Learning at scale", "Editor's note", "Front matter"],
        }
    )
    out = excluded_works(works)
    assert out.rows() == [
        ("F1", "document type: Editorial Material"),
        ("F2", "title: front matter or notice"),
    ]
