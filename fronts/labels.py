"""What a topic is called: c-TF-IDF terms, their re-ranking by meaning, and a readable label.

c-TF-IDF is BERTopic's class-based TF-IDF (Grootendorst 2022, arXiv:2203.05794, section 3.3):
all works of a topic form one class, and a term's weight in class c is

    W(t, c) = tf(t, c) / |c| * log(1 + A / f(t))

with tf(t, c) its count in the class, |c| the class's total count (L1 normalisation), f(t) its
count over all classes and A the mean number of term occurrences per class. The weighting itself
is BERTopic's `ClassTfidfTransformer`; the counts are made here from the individual works (see
`count_terms`). The re-ranking follows BERTopic's KeyBERTInspired and MaximalMarginalRelevance
representation models (Carbonell & Goldstein 1998, doi:10.1145/290941.291025), computed against
the topic's centroid. They are re-implemented here, in a few lines, rather than called, because
in BERTopic 0.17.4 (1) KeyBERTInspired given precomputed embeddings averages the vectors of the
corpus's *first* documents instead of each topic's representative ones (it indexes the document
matrix with positions in its flat list of representatives, `repr_doc_indices`), and (2) it embeds
its candidate words in `set` order, which varies with Python's hash seed and so changes the
batches and the last bits of the vectors from one process to the next.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import scipy.sparse as sp
from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS, CountVectorizer

from fronts.errors import FrontsError
from fronts.glued import term_preprocessor
from fronts.vectors import unit_rows

# Candidates a representation model may choose from: BERTopic's own pool (it keeps the 30 best
# c-TF-IDF terms before fine-tuning); a wider pool lets generic words win the semantic re-ranking.
N_CANDIDATES = 30
# BERTopic's MaximalMarginalRelevance default: a little diversity, mostly relevance.
MMR_DIVERSITY = 0.1
LABEL_SEPARATOR = " · "
# A fourth term is added to a label only while the label stays this short.
LABEL_MAX_CHARS = 48
TERM_BATCH_SIZE = 64
# Boilerplate of abstracts and publishers' notices, on top of scikit-learn's English list: they
# say nothing about a topic, and removing them before n-grams are formed turns "gpu based
# computing" into the bigram "gpu computing" rather than "gpu based".
_ABSTRACT_BOILERPLATE = """
    based using use used uses paper papers study studies studied article results result propose
    proposed proposes present presents presented show shows shown showed demonstrate demonstrated
    approach novel new work works furthermore moreover respectively et al copyright rights
    reserved elsevier springer wiley mdpi licensee published publisher ltd author authors
    state-of-the-art so-called well-known
"""
ABSTRACT_STOP_WORDS = frozenset(_ABSTRACT_BOILERPLATE.split())
STOP_WORDS = ENGLISH_STOP_WORDS | ABSTRACT_STOP_WORDS
# Words of two or more characters with at least one letter: "3d" and "covid" count, but years,
# page numbers and the "2024" of a copyright line do not describe a topic. Hyphenated terms stay
# whole ("x-ray", "covid-19", "k-12", "e-learning"): split, "chest x-ray" became "chest ray".
TOKEN_PATTERN = r"(?u)\b(?=[\w-]*[^\W\d_])(?:\w+(?:-\w+)+|\w\w+)\b"

EmbedTerms = Callable[[Sequence[str]], np.ndarray]


def make_vectorizer(ngram_max: int, min_df: int, vocabulary: Any = None) -> CountVectorizer:
    """The one tokeniser of the topics stage: lower-cased words, glued words split or dropped
    (`fronts.glued`), stop words (scikit-learn's English list plus ABSTRACT_STOP_WORDS) removed.

    Stop words are removed before n-grams are formed (scikit-learn's order), so "quality of
    education" yields the bigram "quality education".
    """
    return CountVectorizer(
        ngram_range=(1, ngram_max),
        stop_words=sorted(STOP_WORDS),
        lowercase=True,  # done by term_preprocessor, which replaces scikit-learn's own
        preprocessor=term_preprocessor,
        min_df=min_df,
        token_pattern=TOKEN_PATTERN,
        vocabulary=vocabulary,
    )


def count_terms(
    texts: Sequence[str], ngram_max: int, min_df: int
) -> tuple[sp.csr_matrix, list[str]]:
    """Term counts per work (works x terms) and the vocabulary, sorted.

    Counting per work, rather than on one string per topic as BERTopic does, makes `min_df` mean
    "in at least min_df works" and keeps n-grams from spanning the end of one abstract and the
    start of the next.
    """
    vectorizer = make_vectorizer(ngram_max, min_df)
    try:
        counts = vectorizer.fit_transform(list(texts))
    except ValueError as exc:  # scikit-learn: "empty vocabulary" / "After pruning, no terms remain"
        raise FrontsError(
            f"no term occurs in at least {min_df} works (topics.min_df) once English stop words "
            f"are removed; the texts are too few or too short to describe topics: {exc}"
        ) from None
    return sp.csr_matrix(counts, dtype=np.float64), vectorizer.get_feature_names_out().tolist()


def class_tfidf(counts: sp.csr_matrix, labels: np.ndarray, classes: np.ndarray) -> sp.csr_matrix:
    """c-TF-IDF of each class in `classes` (rows in that order) from per-work term counts."""
    position = {int(c): i for i, c in enumerate(classes)}
    rows = np.array([position[int(lab)] for lab in labels], dtype=np.int64)
    member = sp.csr_matrix(
        (np.ones(len(labels)), (rows, np.arange(len(labels)))), shape=(len(classes), len(labels))
    )
    per_class = sp.csr_matrix(member @ counts)
    from fronts.bertopic_import import import_bertopic  # bertopic takes seconds to import

    ClassTfidfTransformer = import_bertopic().vectorizers.ClassTfidfTransformer

    # np.matrix semantics matter: ClassTfidfTransformer multiplies by its idf with `*`.
    return sp.csr_matrix(ClassTfidfTransformer().fit(per_class).transform(per_class))


def best_terms(scores: sp.csr_matrix, terms: Sequence[str], n: int) -> list[list[str]]:
    """Per row, the `n` terms of highest positive score, best first; ties go to the term first
    in alphabetical order so that the lists do not depend on sparse storage order."""
    scores = sp.csr_matrix(scores)
    out = []
    for i in range(scores.shape[0]):
        start, end = scores.indptr[i], scores.indptr[i + 1]
        idx, val = scores.indices[start:end], scores.data[start:end]
        keep = val > 0
        idx, val = idx[keep], val[keep]
        order = np.lexsort((idx, -val))[:n]  # vocabulary indices are alphabetical
        out.append([terms[j] for j in idx[order]])
    return out


def sentence_term_embedder(model: Any) -> EmbedTerms:
    """Embed terms with a sentence-transformers model, independent of the order asked.

    Terms are embedded once each, in sorted order and fixed batches, so the same set of terms
    gives bit-identical vectors whatever order the caller lists them in (batch composition
    changes padding, which changes the last bits of a transformer's output).
    """

    def embed(terms: Sequence[str]) -> np.ndarray:
        unique = sorted(set(terms))
        if not unique:
            return np.zeros((0, 0))
        vectors = np.asarray(
            model.encode(
                unique,
                batch_size=TERM_BATCH_SIZE,
                convert_to_numpy=True,
                normalize_embeddings=True,
                show_progress_bar=False,
            ),
            dtype=np.float64,
        )
        row = {t: i for i, t in enumerate(unique)}
        return vectors[[row[t] for t in terms]]

    return embed


def rerank_keybert(
    candidates: Sequence[Sequence[str]], centroids: np.ndarray, embed: EmbedTerms, n: int
) -> list[list[str]]:
    """KeyBERT-inspired re-ranking: each topic's candidates by cosine similarity to its centroid.

    As BERTopic's KeyBERTInspired, terms are embedded with the document model and compared with
    a topic vector; here the topic vector is the normalised mean of the topic's core works
    rather than of five sampled documents. Ties keep the c-TF-IDF order.
    """
    vectors = _term_vectors(candidates, embed)
    out = []
    for terms, centroid in zip(candidates, unit_rows(centroids), strict=True):
        if not terms:
            out.append([])
            continue
        sims = np.array([vectors[t] @ centroid for t in terms])
        order = np.lexsort((np.arange(len(terms)), -sims))[:n]
        out.append([terms[i] for i in order])
    return out


def rerank_mmr(
    candidates: Sequence[Sequence[str]],
    centroids: np.ndarray,
    embed: EmbedTerms,
    n: int,
    diversity: float = MMR_DIVERSITY,
) -> list[list[str]]:
    """Maximal marginal relevance (Carbonell & Goldstein 1998): pick terms one by one, each
    maximising (1 - diversity) * sim(term, centroid) - diversity * max sim(term, picked)."""
    vectors = _term_vectors(candidates, embed)
    out = []
    for terms, centroid in zip(candidates, unit_rows(centroids), strict=True):
        if not terms:
            out.append([])
            continue
        m = np.stack([vectors[t] for t in terms])
        relevance = m @ centroid
        pairwise = m @ m.T
        picked = [int(np.argmax(relevance))]  # argmax: first index on ties = c-TF-IDF order
        while len(picked) < min(n, len(terms)):
            redundancy = pairwise[:, picked].max(axis=1)
            score = (1 - diversity) * relevance - diversity * redundancy
            score[picked] = -np.inf
            picked.append(int(np.argmax(score)))
        out.append([terms[i] for i in picked])
    return out


def _term_vectors(candidates: Sequence[Sequence[str]], embed: EmbedTerms) -> dict[str, np.ndarray]:
    unique = sorted({t for terms in candidates for t in terms})
    if not unique:
        return {}
    return dict(zip(unique, unit_rows(embed(unique)), strict=True))


_WORD = re.compile(r"\w+")


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _stem_words(term: str) -> frozenset[str]:
    # A crude plural fold, enough for "model(s)" and "technology/technologies" to count as the
    # same word in a label; "analysis", "class" and "corpus" keep their final s.
    return frozenset(_singular(w) for w in _WORD.findall(term.lower()))


def _describes(term: str) -> bool:
    """A term can name a topic: it has a word, and no word of it is a bare number or a stop
    word ("covid-19" and "k-12" can; "2019" and "of the" cannot)."""
    words = term.lower().split()
    return bool(words) and not any(w.isdigit() or w in STOP_WORDS for w in words)


def generic_terms(representations: Sequence[Sequence[str]]) -> frozenset[str]:
    """Single words found in the representation of more than half of the topics (with at least
    four topics): "quantum" in a quantum-physics corpus. They describe the corpus, not a topic."""
    if len(representations) < 4:
        return frozenset()
    seen: dict[str, int] = {}
    for terms in representations:
        for t in set(terms):
            if " " not in t:
                seen[t] = seen.get(t, 0) + 1
    return frozenset(t for t, k in seen.items() if k > len(representations) / 2)


def make_label(
    terms: Sequence[str],
    max_terms: int = 4,
    min_terms: int = 3,
    generic: frozenset[str] = frozenset(),
) -> str:
    """A readable label: the first 3-4 distinct terms joined by " · ".

    Terms in `generic` (see `generic_terms`) are only used after all the others.

    A term whose words are all among the words already taken is skipped ("learning" after
    "machine learning"); a term taken earlier is dropped once the others cover its words
    ("learning" once "machine learning" arrives, "generative artificial" once "generative ai"
    and "artificial intelligence" are both there). Plurals count as their singular. Stop words
    and bare numbers never appear. A fourth term is added only while the label stays within
    LABEL_MAX_CHARS characters.
    """
    chosen: list[str] = []
    ordered = [t for t in terms if t not in generic] + [t for t in terms if t in generic]
    for term in ordered:
        if not _describes(term):
            continue
        if chosen and _stem_words(term) <= frozenset().union(*map(_stem_words, chosen)):
            continue
        if len(chosen) >= min_terms:
            longer = LABEL_SEPARATOR.join([*chosen, term])
            if len(chosen) >= max_terms or len(longer) > LABEL_MAX_CHARS:
                break
        chosen.append(term)
        i = 0
        while i < len(chosen) - 1:
            others = frozenset().union(*(_stem_words(c) for j, c in enumerate(chosen) if j != i))
            if _stem_words(chosen[i]) <= others:
                del chosen[i]
            else:
                i += 1
    return LABEL_SEPARATOR.join(chosen)


# Words a key phrase may skip between its terms as the texts write it: the bigram "quality
# education" is "quality of education" in the abstracts.
_CONNECTORS = r"(?:[\s-]+(?:of|in|for|and|the|to|on|with|a|an|by|from))*[\s-]+"
TITLE_TEXTS = 400  # texts of a topic searched for a phrase's written form
N_TITLE_CANDIDATES = 8  # leading terms of the representation a title may use


def _written_form(term: str, texts: Sequence[str]) -> str:
    """How the texts write `term`: the connectors they put between its words ("quality of
    education") and each word's usual case over the texts ("AI", "COVID-19", "ChatGPT";
    "learning" stays lower case even where titles capitalise it). The term itself when no text
    has it."""
    words = term.split()
    pattern = re.compile(
        r"\b" + _CONNECTORS.join(re.escape(w) for w in words) + r"\b", re.IGNORECASE
    )
    shapes: dict[str, int] = {}
    for text in texts[:TITLE_TEXTS]:
        for match in pattern.finditer(text):
            shape = " ".join(match.group(0).lower().split())
            shapes[shape] = shapes.get(shape, 0) + 1
    shape = max(sorted(shapes), key=shapes.__getitem__) if shapes else term
    return " ".join(_usual_case(word, texts) for word in shape.split())


def _usual_case(word: str, texts: Sequence[str]) -> str:
    """`word` as the texts usually write it anywhere: lower case unless fewer than 30 % of its
    occurrences are lower case (an acronym or a name); else its most frequent written form."""
    pattern = re.compile(r"(?<![\w-])" + re.escape(word) + r"(?![\w-])", re.IGNORECASE)
    cases: dict[str, int] = {}
    for text in texts[:TITLE_TEXTS]:
        for match in pattern.finditer(text):
            cases[match.group(0)] = cases.get(match.group(0), 0) + 1
    if not cases or cases.get(word, 0) >= 0.3 * sum(cases.values()):
        return word
    return max(sorted(cases), key=cases.__getitem__)


def generic_phrases(representations: Sequence[Sequence[str]]) -> frozenset[str]:
    """Terms of any length in the representation of more than half of the topics (with at
    least four): "data science" in a data-science corpus names the field, not a front."""
    if len(representations) < 4:
        return frozenset()
    seen: dict[str, int] = {}
    for terms in representations:
        for t in set(terms):
            seen[t] = seen.get(t, 0) + 1
    return frozenset(t for t, k in seen.items() if k > len(representations) / 2)


def make_title(
    terms: Sequence[str],
    texts: Sequence[str],
    generic: frozenset[str] = frozenset(),
    taken: frozenset[str] = frozenset(),
) -> tuple[str, str | None]:
    """A short title an editor could keep: the front's two leading key phrases as its texts
    write them, joined by "and" ("Data literacy and data visualization"); multi-word phrases
    are preferred, and the second must add a word the first lacks. Terms in `generic` (the
    field's own words) come last; a phrase in `taken` (that leads an earlier front's title)
    does not lead this one where another can. Returns (title, the term leading it); ("", None)
    when there is no term."""
    described = [t for t in terms if _describes(t)]
    usable = [t for t in described if t not in generic] + [t for t in described if t in generic]
    if not usable:
        return "", None
    forms = {t: _written_form(t, texts) for t in usable[:N_TITLE_CANDIDATES]}
    # a phrase the texts write around "and" is two things, not a phrase ("statistics and data")
    usable = [t for t in forms if " and " not in forms[t].lower()] or list(forms)
    phrases = [t for t in usable if " " in t] or usable
    first = next((t for t in phrases if t not in taken), phrases[0])
    second = next(
        (
            t
            # a phrase is paired with a phrase: "Data literacy and educational" reads badly
            for t in (phrases if " " in first else usable)
            if t != first
            and not _stem_words(t) <= _stem_words(first)
            and not _stem_words(first) <= _stem_words(t)
        ),
        None,
    )
    parts = [forms[first]]
    if second is not None:
        parts.append(forms[second])
    title = " and ".join(parts)
    return title[0].upper() + title[1:], first


def distinguish_title(
    title: str, terms: Sequence[str], texts: Sequence[str], used: set[str]
) -> str:
    """`title` made unlike every title in `used` (lower case): qualified by the front's first
    term that adds a word ("Data science: curriculum"), else numbered ("Data science (2)").
    Two fronts of one field can share their leading phrases; the reader must still tell them
    apart."""
    if title.lower() not in used:
        return title
    words = _stem_words(title.lower())
    for term in terms:
        if _describes(term) and not _stem_words(term) <= words:
            candidate = f"{title}: {_written_form(term, texts)}"
            if candidate.lower() not in used:
                return candidate
    k = 2
    while f"{title} ({k})".lower() in used:
        k += 1
    return f"{title} ({k})"
