"""Bibliographic coupling as vectors, and the hybrid text + coupling vectors the clustering uses.

Two works are bibliographically coupled when they cite the same references (Kessler 1963); the
strength used here is the cosine of their reference vectors, each shared reference weighted by
its inverse document frequency so that a handbook everyone cites couples less than a
specialised paper (Salton's cosine of coupling, as in Boyack & Klavans 2010). References that
only one work of the corpus cites couple nothing and are left out. The sparse vectors are
reduced to `dims` dimensions by a seeded truncated SVD (latent semantic analysis of the
references) so that they can sit beside the text vectors.

The hybrid vector of a work is [sqrt(1 - w) * text, sqrt(w) * coupling] with both parts of unit
length, so the dot product of two hybrid vectors is exactly (1 - w) * text cosine + w *
coupling cosine: the linear combination of the two similarities of Glänzel & Thijs (2011) and
Boyack & Klavans (2010). A work without a shared reference keeps its text part only (its
coupling part is zero), so it is placed by its text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp

from fronts.config import CouplingConfig
from fronts.vectors import unit_rows


@dataclass(frozen=True)
class Coupling:
    """Reduced coupling vectors (unit rows, zero for a work without a shared reference),
    aligned with the work ids they were made for, and how many works share a reference."""

    vectors: np.ndarray
    n_coupled: int

    @property
    def coverage(self) -> float:
        """Share of the works that share at least one reference with another work."""
        return self.n_coupled / max(self.vectors.shape[0], 1)


def reference_matrix(
    work_ids: Sequence[str], citing: Sequence[str], cited: Sequence[str]
) -> sp.csr_matrix:
    """Works x shared references, tf-idf weighted, rows of unit length (zero rows stay zero).

    (`citing[i]`, `cited[i]`) are citation pairs; pairs whose citing work is not in
    `work_ids` are ignored, and a reference counts once per work however often it is listed.
    """
    index = {w: i for i, w in enumerate(work_ids)}
    pairs = sorted({(index[a], b) for a, b in zip(citing, cited, strict=True) if a in index})
    keys: dict[str, int] = {}
    rows, cols = [], []
    for row, key in pairs:
        rows.append(row)
        cols.append(keys.setdefault(key, len(keys)))
    n = len(work_ids)
    binary = sp.csr_matrix(
        (np.ones(len(rows)), (np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64))),
        shape=(n, len(keys)),
    )
    df = np.asarray(binary.sum(axis=0)).ravel()
    shared = np.flatnonzero(df >= 2)
    weighted = binary[:, shared] @ sp.diags(np.log(n / df[shared]))
    norms = np.sqrt(np.asarray(weighted.multiply(weighted).sum(axis=1)).ravel())
    inverse = np.divide(1.0, norms, out=np.zeros(n), where=norms > 0)
    return sp.csr_matrix(sp.diags(inverse) @ weighted)


def coupling_vectors(
    work_ids: Sequence[str],
    citing: Sequence[str],
    cited: Sequence[str],
    dims: int,
    seed: int,
) -> Coupling:
    """Coupling vectors of `work_ids` reduced to at most `dims` dimensions (see the module)."""
    from sklearn.decomposition import TruncatedSVD

    matrix = reference_matrix(work_ids, citing, cited)
    n_coupled = int((matrix.getnnz(axis=1) > 0).sum())
    k = min(dims, matrix.shape[1] - 1, matrix.shape[0] - 1)
    if n_coupled < 2 or k < 1:
        return Coupling(np.zeros((len(work_ids), 1), dtype=np.float32), n_coupled)
    reduced = TruncatedSVD(n_components=k, algorithm="randomized", random_state=seed)
    vectors = reduced.fit_transform(matrix)
    return Coupling(unit_rows(vectors).astype(np.float32), n_coupled)


def hybrid_vectors(text: np.ndarray, coupling: np.ndarray, weight: float) -> np.ndarray:
    """[sqrt(1 - w) * text, sqrt(w) * coupling], rows of `text` made unit first; their dot
    products are (1 - w) * text cosine + w * coupling cosine."""
    text_part = np.sqrt(1.0 - weight) * unit_rows(np.asarray(text, dtype=np.float64))
    coupling_part = np.sqrt(weight) * np.asarray(coupling, dtype=np.float64)
    return np.hstack([text_part, coupling_part]).astype(np.float32)


@dataclass(frozen=True)
class ClusteringSpace:
    """What the clustering runs on: `coupling` vectors to combine with the text (None: the text
    alone), `kind` 'text' or 'hybrid', and `note`, the choice in words for the CLI and report."""

    coupling: np.ndarray | None
    kind: str
    note: str


def choose_space(
    work_ids: Sequence[str],
    citing: Sequence[str],
    cited: Sequence[str],
    settings: CouplingConfig,
    seed: int,
) -> ClusteringSpace:
    """Hybrid when `settings.weight` > 0 and at least `settings.min_coverage` of the works share
    a reference with another; else the text alone, saying why."""
    if settings.weight <= 0:
        return ClusteringSpace(None, "text", "text similarity alone (topics.coupling.weight = 0)")
    coupling = coupling_vectors(work_ids, citing, cited, settings.dims, seed)
    shared = (
        f"{coupling.n_coupled:,} of {len(work_ids):,} works ({coupling.coverage:.0%}) share a "
        "cited reference with another work"
    )
    if coupling.coverage < settings.min_coverage:
        return ClusteringSpace(
            None,
            "text",
            f"text similarity alone: only {shared}, below topics.coupling.min_coverage "
            f"({settings.min_coverage:.0%}), so the references were not used",
        )
    return ClusteringSpace(
        coupling.vectors,
        "hybrid",
        f"text similarity ({1 - settings.weight:.0%}) combined with bibliographic coupling "
        f"({settings.weight:.0%}); {shared}",
    )
