"""Benchmark the topics stage's three savings: numba's disk cache, parallel fits, no discarded work.

    .venv/bin/python bench/topics_stage.py [--works 6000] [--json OUT.json]

Real inputs: the first N works with abstracts of ../shared/corpora/control-bci-eeg-wos, embedded
(onnx-int8) once, untimed. Each measurement is `fronts.topics._cluster` (the consensus fits, the
map, BERTopic's bookkeeping) in a fresh process, so one-off costs count as a user pays them:

- jit cold / jit warm: numba's cache folder empty, then filled by the cold run (one job);
- jobs 1 / jobs 2: the fits and the map in one process, or in two worker processes;
- full BERTopic: the same with BERTopic's own topic terms, topic vectors and representative
  documents computed (and discarded), as before this change (two jobs, warm cache).

Prints seconds; asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora


def prepare(n_works: int, out: Path) -> None:
    """Texts and vectors of the first `n_works` works with abstracts, saved to `out` (.npz)."""
    import numpy as np

    from fronts.config import EmbedConfig
    from fronts.embed import build_texts, embed_texts, load_model
    from fronts.evaluation.planted import read_source_works

    works = read_source_works([SHARED / "control-bci-eeg-wos"]).head(n_works)
    texts = build_texts(works)["text"].to_list()
    vectors = embed_texts(load_model(EmbedConfig()), texts, 32, progress=False)
    np.savez(out, vectors=vectors, texts=np.array(texts, dtype=object))


def child(data: Path, jobs: int, full_bertopic: bool) -> None:
    import numpy as np

    import fronts.topics as topics
    from fronts.config import TopicsConfig

    loaded = np.load(data, allow_pickle=True)
    vectors, texts = loaded["vectors"], loaded["texts"].tolist()
    if full_bertopic:
        from bertopic import BERTopic

        topics._labels_only_bertopic = lambda: BERTopic
    config = TopicsConfig(jobs=jobs)
    mcs = topics.resolve_min_cluster_size(len(texts), config)
    import bertopic  # noqa: F401  (imported before timing, as in a run: not what is measured)

    t0 = time.perf_counter()
    labels, _ = topics._cluster(texts, vectors, config, 42, mcs)
    seconds = time.perf_counter() - t0
    print("RESULT " + json.dumps({"s": round(seconds, 1), "topics": int(labels.max()) + 1}))


def measure(data: Path, jobs: int, full: bool, numba_dir: Path) -> dict:
    env = {**os.environ, "NUMBA_CACHE_DIR": str(numba_dir)}
    args = [sys.executable, __file__, "--child", str(data), str(jobs), str(int(full))]
    proc = subprocess.run(args, capture_output=True, text=True, env=env, check=True)
    line = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")][-1]
    return json.loads(line[len("RESULT ") :])


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        child(Path(argv[1]), int(argv[2]), argv[3] == "1")
        return
    from fronts.evaluation.harness import machine

    n_works = int(argv[argv.index("--works") + 1]) if "--works" in argv else 6000
    out = Path(argv[argv.index("--json") + 1]) if "--json" in argv else None
    with tempfile.TemporaryDirectory() as tmp:
        data = Path(tmp) / "data.npz"
        prepare(n_works, data)
        numba_dir = Path(tmp) / "numba"
        result = {"works": n_works}
        result["jit_cold_jobs1"] = measure(data, 1, False, numba_dir)
        result["jit_warm_jobs1"] = measure(data, 1, False, numba_dir)
        result["jit_warm_jobs2"] = measure(data, 2, False, numba_dir)
        result["full_bertopic_jobs2"] = measure(data, 2, True, numba_dir)
        for key, value in result.items():
            print(f"{key}: {value}")
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"benchmark": "topics-stage", "machine": machine(), "result": result}
        out.write_text(json.dumps(payload, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
