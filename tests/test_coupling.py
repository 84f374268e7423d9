"""Bibliographic coupling vectors and the hybrid space the clustering runs on."""

import numpy as np
import pytest

from fronts.config import CouplingConfig
from fronts.coupling import choose_space, coupling_vectors, hybrid_vectors, reference_matrix


def _two_schools(n_per: int = 20, seed: int = 0):
    """Works a* cite pool A, works b* cite pool B; both cite a classic; w-none cites nothing."""
    rng = np.random.default_rng(seed)
    ids, citing, cited = [], [], []
    for school in "ab":
        for i in range(n_per):
            w = f"{school}{i:02d}"
            ids.append(w)
            for r in rng.choice(30, size=8, replace=False):
                citing.append(w)
                cited.append(f"{school}-ref{r}")
            citing.append(w)
            cited.append("classic")
    ids.append("w-none")
    return ids, citing, cited


def test_reference_matrix_weights_rare_shared_references_and_drops_singletons():
    ids = ["w1", "w2", "w3"]
    citing = ["w1", "w1", "w1", "w2", "w2", "w3", "w1"]
    cited = ["classic", "rare", "only-w1", "classic", "rare", "classic", "rare"]
    m = reference_matrix(ids, citing, cited).toarray()
    # columns: classic (df 3, idf 0), rare (df 2), only-w1 dropped (df 1)
    assert m.shape == (3, 2)
    np.testing.assert_allclose(np.linalg.norm(m[:2], axis=1), 1.0)
    assert not m[2].any()  # w3 cites only what everyone cites: it couples with nobody
    assert m[0] @ m[1] == pytest.approx(1.0)


def test_coupling_vectors_separate_schools_and_leave_uncited_works_at_zero():
    ids, citing, cited = _two_schools()
    coupling = coupling_vectors(ids, citing, cited, dims=10, seed=1)
    v = coupling.vectors
    assert coupling.n_coupled == 40 and coupling.coverage == pytest.approx(40 / 41)
    assert not v[-1].any()
    within = np.mean([v[i] @ v[j] for i in range(20) for j in range(20) if i != j])
    across = np.mean([v[i] @ v[j] for i in range(20) for j in range(20, 40)])
    assert within > 0.3 and across < 0.1, (within, across)
    again = coupling_vectors(ids, citing, cited, dims=10, seed=1).vectors
    assert np.array_equal(v, again)


def test_hybrid_dot_products_are_the_weighted_sum_of_the_two_cosines():
    rng = np.random.default_rng(3)
    text = rng.normal(size=(6, 8)) * 5
    coupling = rng.normal(size=(6, 4))
    coupling /= np.linalg.norm(coupling, axis=1, keepdims=True)
    h = hybrid_vectors(text, coupling, 0.3).astype(np.float64)
    unit = text / np.linalg.norm(text, axis=1, keepdims=True)
    expected = 0.7 * unit @ unit.T + 0.3 * coupling @ coupling.T
    np.testing.assert_allclose(h @ h.T, expected, atol=1e-6)


def test_the_space_is_text_alone_when_the_weight_is_zero_or_references_are_scarce():
    ids, citing, cited = _two_schools()
    off = choose_space(ids, citing, cited, CouplingConfig(weight=0.0), 0)
    assert off.kind == "text" and off.coupling is None and "weight = 0" in off.note
    on = choose_space(ids, citing, cited, CouplingConfig(weight=0.3), 0)
    assert on.kind == "hybrid" and on.coupling.shape[0] == len(ids)
    assert "40 of 41 works (98%)" in on.note
    few = choose_space(
        ids + [f"x{i}" for i in range(60)], citing, cited, CouplingConfig(weight=0.3), 0
    )
    assert few.kind == "text" and few.coupling is None and "min_coverage" in few.note
