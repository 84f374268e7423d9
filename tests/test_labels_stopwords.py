"""Labels and top terms never contain an English stop word (scikit-learn's list)."""

import re

import numpy as np
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

from fronts.labels import best_terms, class_tfidf, count_terms, make_label

# Texts where stop words outnumber content words many times over, in two classes.
FILLER = "the of and to in is it that this with for on as was were be by an are at from or which"
TEXTS = [
    f"{FILLER} of the teaching of statistics and of the students in the classroom {FILLER}",
    f"it is the teaching of statistics that the students of data science are with {FILLER}",
    f"and so it was that in the curriculum of the data science students {FILLER} there",
    f"{FILLER} qubit of the entanglement and the photon of the lattice is it",
    f"the entanglement of the qubit is in the photon which was on the lattice {FILLER}",
    f"{FILLER} we are by the qubit and the photon of an entanglement from it",
]


def _words(text: str) -> list[str]:
    return re.findall(r"\w+", text.lower())


def test_top_terms_and_labels_contain_no_stop_word():
    counts, vocabulary = count_terms(TEXTS, ngram_max=2, min_df=1)
    assert not ENGLISH_STOP_WORDS & set(vocabulary)
    scores = class_tfidf(counts, np.array([0, 0, 0, 1, 1, 1]), np.array([0, 1]))
    terms = best_terms(scores, vocabulary, 10)
    assert all(len(t) == 10 for t in terms)
    labels = [make_label(t) for t in terms]
    for term in [*terms[0], *terms[1], *labels]:
        assert not ENGLISH_STOP_WORDS & set(_words(term)), term
    assert "qubit" in labels[1] or "entanglement" in labels[1]


def test_make_label_skips_terms_with_stop_words_given_to_it():
    label = make_label(["the", "of data", "machine learning", "and", "students", "to be", "2024"])
    assert label == "machine learning · students"
    assert not ENGLISH_STOP_WORDS & set(_words(label))
