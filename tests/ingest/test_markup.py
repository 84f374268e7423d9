"""Markup is removed from titles and abstracts at ingest, and the exported text kept."""

from __future__ import annotations

import json

import pytest

from fronts.config import IngestConfig
from fronts.ingest import openalex
from fronts.ingest.markup import strip_markup


@pytest.mark.parametrize(
    ("exported", "text"),
    [
        (
            "<jats:title>Abstract</jats:title><jats:p>We test H<jats:sub>2</jats:sub>O in "
            "<jats:italic>in vivo</jats:italic> models.</jats:p><jats:p>Then mice.</jats:p>",
            "We test H2O in in vivo models. Then mice.",
        ),
        ("<p>First.</p><p>Second &amp; third.</p>", "First. Second & third."),
        ("Effects of <i>Drosophila</i> genes<br/>in flies", "Effects of Drosophila genes in flies"),
        ("The $\\alpha$-helix of \\textit{E. coli}", "The α-helix of E. coli"),
        (
            "<mml:math><mml:mi>x</mml:mi><mml:mo>+</mml:mo><mml:mn>1</mml:mn></mml:math> rule",
            "x+1 rule",
        ),
        # not markup: comparisons, ampersands, hyphenated terms, a lone backslash
        ("p<0.05 when x<y and y>z", "p<0.05 when x<y and y>z"),
        ("R&D in K-12 and COVID-19 chest X-ray", "R&D in K-12 and COVID-19 chest X-ray"),
        ("a\\b path", "a\\b path"),
    ],
)
def test_markup_becomes_the_text_a_reader_sees(exported, text):
    assert strip_markup(exported, heading=True) == text


def test_a_title_is_not_cut_at_a_leading_word_abstract():
    assert strip_markup("Abstract art in schools") == "Abstract art in schools"
    assert strip_markup("Abstract: We ask", heading=True) == "We ask"


def test_an_openalex_abstract_with_jats_is_clean_and_the_export_kept(tmp_path):
    exported = "<jats:p>Deep <jats:italic>learning</jats:italic> for chest X-ray.</jats:p>"
    words = exported.split()
    work = {
        "id": "https://openalex.org/W1",
        "title": "<i>Deep</i> learning &amp; radiology",
        "publication_year": 2022,
        "abstract_inverted_index": {w: [i] for i, w in enumerate(words)},
    }
    path = tmp_path / "works.jsonl"
    path.write_text(json.dumps(work) + "\n", encoding="utf-8")
    rec = openalex.read(path, IngestConfig()).records.row(0, named=True)
    assert rec["title"] == "Deep learning & radiology"
    assert rec["title_raw"] == "<i>Deep</i> learning &amp; radiology"
    assert rec["abstract"] == "Deep learning for chest X-ray."
    assert rec["abstract_raw"] == exported
