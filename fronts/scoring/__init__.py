"""Scoring: topic indicators (growth, novelty, bursts, citations, impact, coherence), composite
scores, and ranked research fronts with bootstrap rank intervals; plus the robustness measures
of real exports: off-topic fronts (`relevance`), support across years, venues and author groups
(`support`) and likely membership among outliers (`membership`); and what the report shows of
each front: its share forecast (`forecast`) and its closest fronts (`similarity`).

Only `score_topics` and its result type are the stage's API; the submodules are public for
tests, notebooks and the methodology (docs/methodology.md). They are loaded on first use.
"""

from __future__ import annotations

from typing import Any

__all__ = ["ScoreResult", "score_topics"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from fronts.scoring import score

        return getattr(score, name)
    raise AttributeError(f"module 'fronts.scoring' has no attribute {name!r}")
