"""Which of the model's matrix products can be int8 without moving the vectors? (issue 13)

    .venv/bin/python bench/int8_selective.py [--texts 600] [--json OUT.json]

onnx-int8 quantises every weight matrix and moved the vectors enough (cosine 0.995 to fp32) to
change fronts (docs/benchmarks.md, *Embedding backends*). This measures the speed and the cosine
to the fp32 ONNX vectors when only some of the six weight products of each of MiniLM's layers
are quantised (per-channel QInt8 weights, onnxruntime's dynamic quantisation, `nodes_to_exclude`
for the rest): all of them; the feed-forward pair only; all but the feed-forward output (whose
input, after GELU, has the widest range); all but the last layer; the feed-forward input only.
Real inputs: the first N works with abstracts of ../shared/corpora/control-bci-eeg-wos
("title. abstract", 128 tokens), each text run alone on single-threaded sessions, one per core,
as the ONNX backends run. Prints numbers; asserts nothing.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora


def weight_products(model_file: Path) -> list[str]:
    """Names of the MatMul nodes that multiply by a weight matrix (not attention's own)."""
    import onnx

    graph = onnx.load(str(model_file)).graph
    names = [node.name for node in graph.node if node.op_type == "MatMul"]
    return [n for n in names if any(part in n for part in ("dense", "query", "key", "value"))]


def variants(products: list[str]) -> dict[str, list[str]]:
    """Each variant's nodes left in fp32."""
    return {
        "all": [],
        "feed-forward only": [n for n in products if "attention" in n],
        "all but the feed-forward output": [
            n for n in products if "/output/dense" in n and "attention" not in n
        ],
        "all but the last layer": [n for n in products if "layer.5/" in n],
        "feed-forward input only": [n for n in products if "intermediate" not in n],
    }


def rate_and_vectors(model_file: Path, layout, texts: list[str]) -> tuple[float, np.ndarray]:
    """Texts per second and the vectors, after a warm-up."""
    from fronts.onnx_backend import OnnxEncoder

    tokenizer = layout.transformer_dir / "tokenizer.json"
    encoder = OnnxEncoder(model_file, tokenizer, layout, 128, len(os.sched_getaffinity(0)))
    encoder.encode(texts[:20])
    start = time.perf_counter()
    vectors = encoder.encode(texts)
    return len(texts) / (time.perf_counter() - start), vectors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--texts", type=int, default=600, help="how many abstracts (600)")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()

    from onnxruntime.quantization import QuantType, quantize_dynamic

    from fronts.config import EmbedConfig
    from fronts.embed import build_texts, resolve_model_dir
    from fronts.evaluation.harness import machine
    from fronts.evaluation.planted import read_source_works
    from fronts.onnx_backend import exported_model, read_layout

    logging.getLogger().setLevel(logging.ERROR)  # the quantiser's advice to pre-process
    works = read_source_works([SHARED / "control-bci-eeg-wos"]).head(args.texts)
    texts = build_texts(works)["text"].to_list()
    layout = read_layout(resolve_model_dir(EmbedConfig()), "onnx")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        fp32 = exported_model(layout, False, Path(folder))
        fp32_rate, reference = rate_and_vectors(fp32, layout, texts)
        rows.append({"variant": "none (fp32)", "texts_per_s": round(fp32_rate, 1)})
        print(f"none (fp32): {fp32_rate:.1f} texts/s", flush=True)
        products = weight_products(fp32)
        for name, kept in variants(products).items():
            out = Path(folder) / "variant.onnx"
            quantize_dynamic(
                str(fp32),
                str(out),
                weight_type=QuantType.QInt8,
                per_channel=True,
                nodes_to_exclude=kept,
            )
            rate, vectors = rate_and_vectors(out, layout, texts)
            cosine = (vectors * reference).sum(axis=1)
            row = {
                "variant": name,
                "int8_products": len(products) - len(kept),
                "texts_per_s": round(rate, 1),
                "cosine_mean": round(float(cosine.mean()), 5),
                "cosine_min": round(float(cosine.min()), 5),
            }
            rows.append(row)
            print(json.dumps(row), flush=True)
    if args.json:
        payload = {
            "benchmark": "int8-selective",
            "machine": machine(),
            "result": {"texts": len(texts), "of_products": len(products), "rows": rows},
        }
        args.json.write_text(json.dumps(payload, indent=1), encoding="utf-8")
        print(f"results: {args.json}")


if __name__ == "__main__":
    main()
