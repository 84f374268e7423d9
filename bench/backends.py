"""Benchmark the embedding backends against torch fp32: speed, cosine, batch independence.

    .venv/bin/python bench/backends.py [--texts 1200] [--json OUT.json]

Real inputs: the first N works with abstracts of ../shared/corpora/control-bci-eeg-wos
("title. abstract", 128 tokens, as a run embeds them). For each backend: the export time (ONNX,
into an empty cache folder), the rate in texts per second, the cosine of each vector to torch's
(mean and minimum), and how many of 200 texts get a bit-identical vector when embedded alone and
among the others. The quality gate's other half, planted recall@10 and AMI within 0.02 of
torch, is `fronts bench planted --config bench/backend-BACKEND.toml` (backends-planted-*.json).
Prints numbers; asserts nothing.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora
BACKENDS = ("torch", "onnx", "onnx-int8")


def measure(backend: str, texts: list[str], cache: Path) -> tuple[dict, np.ndarray]:
    from fronts.config import EmbedConfig
    from fronts.embed import embed_texts, load_model

    config = EmbedConfig(backend=backend, onnx_cache=cache)
    t0 = time.perf_counter()
    model = load_model(config)
    load_s = time.perf_counter() - t0
    embed_texts(model, texts[:32], 32, progress=False)  # warm-up, as a long run is warm
    t0 = time.perf_counter()
    vectors = embed_texts(model, texts, 32, progress=False)
    rate = len(texts) / (time.perf_counter() - t0)
    sample = texts[:200]
    alone = np.stack([embed_texts(model, [t], 32, progress=False)[0] for t in sample])
    identical = int((alone == vectors[:200]).all(axis=1).sum())
    result = {
        "load_s": round(load_s, 1),
        "texts_per_s": round(rate, 1),
        "alone_equals_batched": identical,
        "checked": len(sample),
    }
    return result, vectors


def main(argv: list[str]) -> None:
    from fronts.embed import build_texts
    from fronts.evaluation.harness import machine
    from fronts.evaluation.planted import read_source_works

    n_texts = int(argv[argv.index("--texts") + 1]) if "--texts" in argv else 1200
    out = Path(argv[argv.index("--json") + 1]) if "--json" in argv else None
    works = read_source_works([SHARED / "control-bci-eeg-wos"]).head(n_texts)
    texts = build_texts(works)["text"].to_list()
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        reference = None
        for backend in BACKENDS:
            results[backend], vectors = measure(backend, texts, Path(tmp))
            if reference is None:
                reference = vectors
            cosine = (vectors * reference).sum(axis=1)
            results[backend]["cosine_mean"] = round(float(cosine.mean()), 4)
            results[backend]["cosine_min"] = round(float(cosine.min()), 4)
            print(f"{backend}: {results[backend]}", flush=True)
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {
            "benchmark": "backends",
            "machine": machine(),
            "texts": len(texts),
            "backends": results,
        }
        out.write_text(json.dumps(payload, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
