"""Off-topic fronts: topics far from the corpus's core and foreign to its vocabulary.

A corpus built from a full-text search catches clusters that share a search word with the
subject but not the subject itself (medical imaging or network security papers in an education
corpus). Such a cluster can be large, young and growing, and would crowd the top of the ranking.
Two independent signs mark it, and a topic is flagged only when both are extreme:

* **core similarity**: cosine similarity of the topic's centroid (mean unit embedding of its
  works) to the corpus centroid (mean unit embedding of every work of the window, outliers
  included). The topic itself stays in the corpus centroid: leaving it out would make a topic
  that *is* most of the corpus look far from the rest (measured: the main topic of a 400-work
  education corpus with 120 injected quantum abstracts scored -0.04 that way, below the quantum
  clusters). A minority cluster pulls the centroid towards itself only by its share.
* **term relevance**: mean, over the topic's c-TF-IDF top terms (`topics.top_terms`), of the
  share of the works *outside* the topic whose title or abstract contains the term. An on-topic
  niche still speaks the corpus's language ("students", "curriculum"); an off-topic cluster's
  best terms ("qubit", "entanglement") hardly occur outside it.

Both are standardised across the ranked topics with a robust z-score (median and MAD, the
median absolute deviation scaled by 1.4826 to estimate a normal standard deviation; Rousseeuw &
Croux 1993, JASA 88(424):1273-1283, doi:10.1080/01621459.1993.10476408; Iglewicz & Hoaglin
1993, *How to Detect and Handle Outliers*), so that a minority of far-away clusters cannot hide
by inflating the spread. Term relevance is standardised on its logarithm, since it is a share
whose on-topic values span an order of magnitude. The method is documented in
docs/methodology.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
import scipy.sparse as sp

from fronts.vectors import unit_rows

MAD_SCALE = 1.4826  # MAD * 1.4826 estimates the standard deviation of a normal sample
MIN_REFERENCE = 5  # fewer reference topics than this give no meaningful median / MAD
_LOG_FLOOR = 1e-4  # floor of term relevance before the logarithm (a term seen nowhere else)


@dataclass(frozen=True)
class Relevance:
    """Per-topic off-topic evidence, aligned with the work table's topic_ids (K,)."""

    core_similarity: np.ndarray  # cosine of the topic centroid to the corpus centroid
    core_similarity_z: np.ndarray  # robust z across the reference topics
    term_relevance: np.ndarray  # mean share of outside works containing each top term
    term_relevance_z: np.ndarray  # robust z of log(term_relevance)
    off_topic: np.ndarray  # bool


def robust_z(values: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """(x - median) / (1.4826 * MAD), median and MAD taken over the `reference` entries.

    NaN stays NaN. With fewer than MIN_REFERENCE finite reference values, or no spread (MAD and
    mean absolute deviation both 0), every z is 0: no evidence of an outlier. When the MAD alone
    is 0 (more than half the values tied) the mean absolute deviation times sqrt(pi/2), the
    normal-consistent scale of that statistic, stands in for it.
    """
    x = np.asarray(values, dtype=np.float64)
    ref = np.ones(x.size, dtype=bool) if reference is None else np.asarray(reference, dtype=bool)
    known = x[ref & np.isfinite(x)]
    out = np.where(np.isfinite(x), 0.0, np.nan)
    if known.size < MIN_REFERENCE:
        return out
    median = float(np.median(known))
    scale = MAD_SCALE * float(np.median(np.abs(known - median)))
    if scale <= 1e-12:
        scale = np.sqrt(np.pi / 2) * float(np.mean(np.abs(known - median)))
    if scale <= 1e-12:
        return out
    return (x - median) / scale


def core_similarity(topic_idx: np.ndarray, n_topics: int, vectors: np.ndarray | None) -> np.ndarray:
    """Cosine of each topic's mean unit vector to the mean unit vector of all works.

    `vectors` (n, d) are the embeddings of the work table's rows (normalised here); None gives
    NaN everywhere. A topic without works has no value (NaN).
    """
    if vectors is None:
        return np.full(n_topics, np.nan)
    unit = unit_rows(vectors)
    sums = np.zeros((n_topics, unit.shape[1]))
    np.add.at(sums, topic_idx, unit)
    counts = np.bincount(topic_idx, minlength=n_topics)
    corpus = unit.sum(axis=0)
    num = sums @ corpus
    den = np.linalg.norm(sums, axis=1) * np.linalg.norm(corpus)
    ok = (counts > 0) & (den > 0)
    return np.divide(num, den, out=np.full(n_topics, np.nan), where=ok)


def term_incidence(texts: Sequence[str], terms: Sequence[str]) -> sp.csr_matrix:
    """(n, V) 0/1 matrix: does text i contain term j, tokenised as the topics stage does.

    Uses the topics stage's own vectoriser (`fronts.labels.make_vectorizer`): stop words are
    removed before n-grams are formed, so "quality of education" contains "quality education",
    exactly as when the terms were chosen.
    """
    from fronts.labels import make_vectorizer  # imports BERTopic (seconds): only when needed

    vocabulary = sorted(set(terms))
    if not vocabulary or len(texts) == 0:
        return sp.csr_matrix((len(texts), len(vocabulary)))
    ngram_max = max(len(t.split()) for t in vocabulary)
    vectorizer = make_vectorizer(ngram_max, 1, vocabulary=vocabulary)
    counts = vectorizer.transform(list(texts))
    return sp.csr_matrix((counts > 0).astype(np.float64))


def term_relevance(
    topic_idx: np.ndarray,
    n_topics: int,
    texts: Sequence[str] | None,
    top_terms: Sequence[Sequence[str] | None],
) -> np.ndarray:
    """Per topic, the mean over its top terms of the share of *other* works that contain it.

    `top_terms[k]` lists topic k's terms (None or empty: NaN). `texts` are the work table's rows
    (title and abstract); None gives NaN everywhere. A work of the topic never counts for it.
    """
    out = np.full(n_topics, np.nan)
    if texts is None:
        return out
    vocabulary = sorted({t for terms in top_terms if terms for t in terms})
    if not vocabulary:
        return out
    column = {t: j for j, t in enumerate(vocabulary)}
    incidence = term_incidence(texts, vocabulary)
    n = incidence.shape[0]
    member = sp.csr_matrix((np.ones(n), (topic_idx, np.arange(n))), shape=(n_topics, n))
    inside = np.asarray((member @ incidence).todense())  # (K, V) works of topic k with term j
    total = np.asarray(incidence.sum(axis=0)).ravel()  # (V,)
    size = np.bincount(topic_idx, minlength=n_topics)
    for k, terms in enumerate(top_terms):
        others = n - size[k]
        if not terms or others <= 0:
            continue
        cols = np.array([column[t] for t in terms])
        out[k] = float(np.mean((total[cols] - inside[k, cols]) / others))
    return out


def flag_off_topic(
    similarity: np.ndarray,
    relevance: np.ndarray,
    reference: np.ndarray,
    similarity_z: float,
    relevance_z: float,
) -> Relevance:
    """Standardise both signs over the `reference` topics and flag those extreme on both.

    off_topic = core_similarity_z < similarity_z and term_relevance_z < relevance_z; a topic
    with either value undefined is never flagged.
    """
    sim_z = robust_z(similarity, reference)
    rel_z = robust_z(np.log(np.maximum(relevance, _LOG_FLOOR)), reference)
    with np.errstate(invalid="ignore"):
        flag = (sim_z < similarity_z) & (rel_z < relevance_z)
    return Relevance(
        core_similarity=similarity,
        core_similarity_z=sim_z,
        term_relevance=relevance,
        term_relevance_z=rel_z,
        off_topic=np.nan_to_num(flag, nan=0.0).astype(bool),
    )


def topic_relevance(
    topic_idx: np.ndarray,
    topic_ids: np.ndarray,
    reference: np.ndarray,
    topics: pl.DataFrame,
    texts: Sequence[str] | None,
    vectors: np.ndarray | None,
    similarity_z: float,
    relevance_z: float,
) -> Relevance:
    """Core similarity, term relevance and the off-topic flag of every topic of the table.

    `topic_idx` maps the n works to `topic_ids` (which may include -1, outliers; they are a
    topic of their own here, and never flagged); `reference` (K,) marks the topics whose spread
    defines "extreme" (the ranked ones).
    """
    k = topic_ids.size
    terms_by_id = {
        int(r["topic_id"]): r["top_terms"]
        for r in topics.select("topic_id", "top_terms").iter_rows(named=True)
    }
    top_terms = [terms_by_id.get(int(t)) if t >= 0 else None for t in topic_ids]
    similarity = core_similarity(topic_idx, k, vectors)
    relevance = term_relevance(topic_idx, k, texts, top_terms)
    similarity[topic_ids < 0] = np.nan
    relevance[topic_ids < 0] = np.nan
    return flag_off_topic(similarity, relevance, reference, similarity_z, relevance_z)
