"""The grain of the fronts on a small real corpus: data-science-education (about 270 research
works in 2019-2024) must give an editor several fronts, none of them the field itself."""

from __future__ import annotations

import numpy as np
import pytest

from fronts.config import TopicsConfig
from fronts.evaluation.grain import research_works_embedded
from fronts.topics import fit_topics

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus(shared_corpora):
    return research_works_embedded(shared_corpora / "data-science-education", (2019, 2024))


@pytest.mark.parametrize(
    ("seed", "perturbation"),
    [(42, None), (7, None), (11, None), (7, 1), (11, 2)],
    ids=["42", "7", "11", "7-perturbed", "11-perturbed"],
)
def test_several_fronts_and_none_is_the_field(corpus, seed, perturbation):
    """Also on vectors moved by 2e-7 (another backend's or machine's last bits): the grain must
    not hang on them."""
    ids, docs, vectors, model = corpus
    if perturbation is not None:
        noise = np.random.default_rng(perturbation).standard_normal(vectors.shape)
        vectors = vectors + (2e-7 * noise).astype(vectors.dtype)
    result = fit_topics(ids, docs, vectors, TopicsConfig(), seed, model)
    shares = result.topics["size"] / len(ids)
    assert result.n_topics >= 5, result.topics.select("size", "label")
    assert shares.max() <= 0.25, result.topics.select("size", "label")
    # every front has a readable title, and no two fronts share one
    titles = result.topics["title"].to_list()
    assert all(titles) and len(set(titles)) == len(titles), titles
