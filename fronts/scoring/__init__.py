"""Scoring: topic indicators (growth, novelty, bursts, citations, impact, coherence), composite
scores, and ranked research fronts with bootstrap rank intervals; plus the robustness measures
of real exports: off-topic fronts (`relevance`), support across years, venues and author groups
(`support`) and likely membership among outliers (`membership`).

Only `score_topics` and its result type are the stage's API; the submodules are public for
tests, notebooks and the methodology (docs/methodology.md).
"""

from fronts.scoring.score import ScoreResult, score_topics

__all__ = ["ScoreResult", "score_topics"]
