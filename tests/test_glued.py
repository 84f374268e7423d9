"""Words glued by an export that lost its spaces are split before terms are counted."""

from __future__ import annotations

import pytest

from fronts.glued import repair_glued, split_glued
from fronts.labels import count_terms


@pytest.mark.parametrize(
    ("word", "split"),
    [
        ("ofcomputationalthinking", "of computational thinking"),
        ("ofcomputationalthinkingin", "of computational thinking in"),
        ("computationalthinking", "computational thinking"),
        # known words and technical words the dictionary lacks stay whole
        ("interdisciplinary", "interdisciplinary"),
        ("electroencephalography", "electroencephalography"),
        ("nanoparticles", "nanoparticles"),
        ("bibliometric", "bibliometric"),
        # unknown, very long and no convincing split: not a term
        ("xqzvbnmwlkjhgfdsaqwertyuiop", ""),
    ],
)
def test_split_glued(word, split):
    assert split_glued(word) == split


def test_short_words_are_never_touched():
    text = "blockchain metaverse chatgpt onboarding"
    assert repair_glued(text) == text


def test_glued_words_never_become_terms():
    damaged = "theeffectofcomputationalthinkingin primary schools"
    texts = [damaged, damaged, "computational thinking in primary schools", "robots in schools"]
    _, terms = count_terms(texts, ngram_max=1, min_df=2)
    assert "computational" in terms and "thinking" in terms
    assert not any(len(t) > 20 for t in terms), terms
