"""Benchmark the grain on a small real corpus: several fronts, none of them the field.

    .venv/bin/python bench/grain.py [--json OUT.json] [--seeds 42,7,11,13,17]

Issue 12's target: data-science-education (../shared/corpora; its works of 2019-2024 less
the non-research ones, about 270) gives at least 5 fronts, none holding more than 25 % of the
analysed works, over 3 seeds. The topics are fitted with the default configuration
(`fronts.topics.fit_topics`, `TopicsConfig()`) for each seed, on the vectors as embedded and
on the vectors moved by 2e-7 (what another backend or machine changes in their last bits).
Prints one line per fit; asserts nothing (tests/test_grain_real.py asserts the target).
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np

from fronts.evaluation.grain import research_works_embedded
from fronts.evaluation.harness import shared_corpora

CORPUS = "data-science-education"
WINDOW = (2019, 2024)
MIN_FRONTS, MAX_SHARE = 5, 0.25


def _fit(corpus, seed: int, perturbed: bool) -> dict:
    from fronts.config import TopicsConfig
    from fronts.topics import fit_topics

    ids, docs, vectors, model = corpus
    if perturbed:
        noise = np.random.default_rng(seed).standard_normal(vectors.shape)
        vectors = vectors + (2e-7 * noise).astype(vectors.dtype)
    t0 = time.perf_counter()
    result = fit_topics(ids, docs, vectors, TopicsConfig(), seed, model)
    largest = result.topics["size"].max() / len(ids)
    return {
        "seed": seed,
        "perturbed": perturbed,
        "n_fronts": result.n_topics,
        "largest_share": largest,
        "n_broad": int(result.topics["broad"].is_not_null().sum()),
        "outlier_share_clustered": result.outlier_share_clustered,
        "seconds": round(time.perf_counter() - t0, 1),
        "met": result.n_topics >= MIN_FRONTS and largest <= MAX_SHARE,
    }


def main(argv: list[str]) -> None:
    import argparse

    from fronts.evaluation.harness import machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--json", type=Path, help="write the results JSON here")
    parser.add_argument("--seeds", default="42,7,11,13,17", help="comma-separated seeds")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    corpus = research_works_embedded(shared_corpora() / CORPUS, WINDOW)
    fits = []
    for seed in seeds:
        for perturbed in (False, True):
            fit = _fit(corpus, seed, perturbed)
            fits.append(fit)
            print(
                f"seed {seed}{' perturbed' if perturbed else ''}: {fit['n_fronts']} fronts, "
                f"largest {fit['largest_share']:.1%}, {fit['n_broad']} broad "
                f"({fit['seconds']} s)",
                flush=True,
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        result = {
            "benchmark": "grain",
            "machine": machine(),
            "corpus": CORPUS,
            "window": list(WINDOW),
            "n_works": len(corpus[0]),
            "target": {"min_fronts": MIN_FRONTS, "max_share": MAX_SHARE},
            "fits": fits,
            "n_met": sum(f["met"] for f in fits),
        }
        args.json.write_text(json.dumps(result, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
