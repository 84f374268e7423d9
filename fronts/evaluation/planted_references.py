"""Planted references for the planted corpora: who each planted work cites.

`fronts.evaluation.planted.make_planted_corpus(reference_signal=...)` gives its works cited
references drawn here, so that the hybrid clustering (text + bibliographic coupling) can be
measured on known fronts. The signal is informative by construction: this measures what the
clustering does with a reference signal of that strength, not whether real references carry one.
"""

from __future__ import annotations

import numpy as np

# Planted references (make_planted_corpus(reference_signal=...)): each work cites Poisson(30)
# works, a `reference_signal` share of them from its topic's own pool of 200 and the rest from
# a field-wide pool of 5,000, both drawn with Zipf-like popularity (a few classics, a long tail).
REFERENCES_PER_WORK = 30
TOPIC_POOL = 200
FIELD_POOL = 5000
_REF_BASE = 8_000_000_000  # cited ids W8...; outside the corpus, so they never resolve to it


def _popularity(n: int) -> np.ndarray:
    weights = 1.0 / np.arange(1, n + 1)
    return weights / weights.sum()


def planted_references(
    rng: np.random.Generator, topics: list[str], signal: float
) -> list[list[str]]:
    """Cited OpenAlex ids per work, `signal` of them from the pool of the work's planted topic
    (`topics[i]`: before a split, the parent's) and the rest from the field's pool."""
    names = {t: i for i, t in enumerate(sorted(set(topics)))}
    own_p, field_p = _popularity(TOPIC_POOL), _popularity(FIELD_POOL)
    out = []
    for topic in topics:
        k = max(1, int(rng.poisson(REFERENCES_PER_WORK)))
        own = min(int(rng.binomial(k, signal)), TOPIC_POOL)
        mine = rng.choice(TOPIC_POOL, size=own, replace=False, p=own_p)
        shared = rng.choice(FIELD_POOL, size=k - own, replace=False, p=field_p)
        base = _REF_BASE + (names[topic] + 1) * 100_000
        out.append(
            [f"https://openalex.org/W{base + int(x)}" for x in sorted(mine)]
            + [f"https://openalex.org/W{_REF_BASE + int(x)}" for x in sorted(shared)]
        )
    return out
