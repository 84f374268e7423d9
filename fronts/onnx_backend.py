"""Run a sentence-transformers model with onnxruntime: exported once, cached, one text per call.

The model is exported from the installed weights with torch's TorchScript-based ONNX exporter
(no download, no optimum), optionally quantised to int8 with onnxruntime's dynamic
quantisation, and cached in a directory keyed by the weights and the export settings. Each text
is run alone, without padding, on single-threaded sessions in a thread pool: a text's vector
then depends on nothing but the text, so it is bit-identical whether it was embedded alone or
among thousands, on one thread or several (tests/test_onnx_backend.py).

Per-channel weight scales are what make int8 usable: with onnxruntime's default per-tensor
scales the cosine to the fp32 vectors fell to 0.95; per channel it is 0.995
(docs/benchmarks.md, *Embedding backends*). Activations are quantised per tensor at run time,
which is why batching would make int8 vectors depend on their batch-mates.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import os
import warnings
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from fronts.errors import ConfigError

# Bump when the export or quantisation changes the graph: old cached files are then ignored.
EXPORT_VERSION = 1
OPSET = 17
_WEIGHT_FILES = ("model.safetensors", "pytorch_model.bin")
_SUPPORTED_MODULES = {
    "sentence_transformers.models.Transformer": "transformer",
    "sentence_transformers.models.Pooling": "pooling",
    "sentence_transformers.models.Normalize": "normalize",
}


@dataclass(frozen=True)
class ModelLayout:
    """Where a sentence-transformers model keeps its transformer, and how it pools tokens."""

    transformer_dir: Path
    pooling: str  # "mean" or "cls"


def read_layout(model_dir: Path, backend: str) -> ModelLayout:
    """The transformer folder and pooling of `model_dir`; ConfigError for what ONNX cannot run.

    A directory without modules.json is a plain transformer, pooled by mean as
    sentence-transformers does. Dense or other extra modules are refused: only the torch
    backend runs them.
    """
    modules_file = model_dir / "modules.json"
    if not modules_file.is_file():
        return ModelLayout(model_dir, "mean")
    kinds = {}
    for module in json.loads(modules_file.read_text(encoding="utf-8")):
        kind = _SUPPORTED_MODULES.get(module.get("type", ""))
        if kind is None:
            raise ConfigError(
                f"key 'embed.backend': the model in {str(model_dir)!r} has a "
                f"{module.get('type')!r} module, which backend {backend!r} cannot run; "
                "use backend = 'torch'"
            )
        kinds[kind] = model_dir / module.get("path", "")
    pooling = "mean"
    if "pooling" in kinds:
        settings = json.loads((kinds["pooling"] / "config.json").read_text(encoding="utf-8"))
        if settings.get("pooling_mode_cls_token"):
            pooling = "cls"
        elif not settings.get("pooling_mode_mean_tokens"):
            raise ConfigError(
                f"key 'embed.backend': the model in {str(model_dir)!r} pools tokens in a way "
                f"backend {backend!r} does not (only mean or CLS); use backend = 'torch'"
            )
    return ModelLayout(kinds.get("transformer", model_dir), pooling)


def default_cache_dir() -> Path:
    """Where exported models live unless `embed.onnx_cache` says otherwise."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "fronts" / "onnx"


def export_key(layout: ModelLayout, quantize: bool) -> str:
    """A short hash of the weights and every export setting: the cached file's name."""
    import onnxruntime

    digest = hashlib.sha256()
    for name in (*_WEIGHT_FILES, "config.json"):
        path = layout.transformer_dir / name
        if path.is_file():
            digest.update(name.encode())
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
    settings = {
        "export": EXPORT_VERSION,
        "opset": OPSET,
        # the installed version, read without importing torch (200 MB) when the file is cached
        "torch": importlib.metadata.version("torch"),
        "onnxruntime": onnxruntime.__version__,
        "int8": "per-channel QInt8" if quantize else None,
    }
    digest.update(json.dumps(settings, sort_keys=True).encode())
    return digest.hexdigest()[:24]


def exported_model(layout: ModelLayout, quantize: bool, cache_dir: Path) -> Path:
    """The ONNX file for `layout`, exported (and quantised) on first use, then reused.

    A file lock lets concurrent runs share one export; the file appears by an atomic rename,
    so a killed export leaves no half-written model behind.
    """
    from filelock import FileLock

    key = export_key(layout, quantize)
    target = cache_dir / f"{key}.onnx"
    if target.is_file():
        return target
    cache_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(str(cache_dir / f"{key}.lock")):
        if target.is_file():
            return target
        partial = cache_dir / f"{key}.partial.onnx"
        fp32 = cache_dir / f"{key}.fp32.partial.onnx"
        _in_fresh_process(_export, layout.transformer_dir, partial, fp32, quantize)
        os.replace(partial, target)
        (cache_dir / f"{key}.json").write_text(
            json.dumps({"model": str(layout.transformer_dir), "int8": quantize}, indent=1),
            encoding="utf-8",
        )
    return target


def _in_fresh_process(function: Any, *args: Any) -> None:
    """`function(*args)` in a fresh interpreter, its exception re-raised here.

    The export loads torch, transformers and the model (measured: 500 MB resident) that a
    run never needs again; in a process of its own they are returned when it ends.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        pool.submit(function, *args).result()


def _export(transformer_dir: Path, out: Path, fp32: Path, quantize: bool) -> None:
    """Export to `out`, through `fp32` and int8 quantisation when `quantize`."""
    _export_fp32(transformer_dir, fp32 if quantize else out)
    if quantize:
        _quantize(fp32, out)
        fp32.unlink()


def _export_fp32(transformer_dir: Path, out: Path) -> None:
    """Export the transformer to ONNX with dynamic batch and sequence axes."""
    import torch
    import transformers.utils.logging as hf_logging
    from transformers import AutoModel

    # eager attention exports as plain MatMul/Softmax, which onnxruntime runs fastest here;
    # transformers' "Loading weights" bar is noise in a CLI run
    bar_was_on = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        model = AutoModel.from_pretrained(str(transformer_dir), attn_implementation="eager")
    finally:
        if bar_was_on:
            hf_logging.enable_progress_bar()
    model.eval()

    class LastHiddenState(torch.nn.Module):
        """Plain tensor inputs and one output, as the exporter wants them."""

        def __init__(self) -> None:
            super().__init__()
            self.model = model

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.model(
                input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids
            )
            return out.last_hidden_state

    ids = torch.ones((1, 8), dtype=torch.long)
    names = ["input_ids", "attention_mask", "token_type_ids"]
    axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "hidden"]}
    with warnings.catch_warnings(), torch.no_grad():
        warnings.simplefilter("ignore")
        torch.onnx.export(
            LastHiddenState(),
            (ids, torch.ones_like(ids), torch.zeros_like(ids)),
            str(out),
            input_names=names,
            output_names=["hidden"],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )


def _quantize(fp32: Path, out: Path) -> None:
    """Dynamic int8 quantisation with per-channel weight scales."""
    import logging

    from onnxruntime.quantization import QuantType, quantize_dynamic

    # it logs an advice to pre-process the model on the root logger; nothing to act on here
    root = logging.getLogger()
    level = root.level
    root.setLevel(logging.ERROR)
    try:
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8, per_channel=True)
    finally:
        root.setLevel(level)


class OnnxEncoder:
    """Encodes texts with an exported model, one text per session call, in a thread pool.

    `encode` has the subset of SentenceTransformer.encode's signature that `fronts` uses, so
    the encoder can stand where a SentenceTransformer stood; vectors are L2-normalised float32.
    """

    def __init__(
        self,
        model_file: Path,
        tokenizer_file: Path,
        layout: ModelLayout,
        max_seq_length: int,
        threads: int,
    ) -> None:
        import onnxruntime
        from tokenizers import Tokenizer

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1  # parallel across texts, not inside one
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session = onnxruntime.InferenceSession(
            str(model_file), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}
        self._tokenizer = Tokenizer.from_file(str(tokenizer_file))
        self._tokenizer.enable_truncation(max_seq_length)
        self._tokenizer.no_padding()
        self._pooling = layout.pooling
        self._threads = threads
        self.max_seq_length = max_seq_length
        self._dimension = int(self._one(self._tokenizer.encode("").ids).shape[0])

    def get_embedding_dimension(self) -> int:
        """Length of the vectors."""
        return self._dimension

    def _one(self, ids: list[int]) -> np.ndarray:
        tokens = np.asarray([ids], dtype=np.int64)
        feed = {
            "input_ids": tokens,
            "attention_mask": np.ones_like(tokens),
            "token_type_ids": np.zeros_like(tokens),
        }
        hidden = self._session.run(None, {k: v for k, v in feed.items() if k in self._inputs})
        states = hidden[0][0]
        pooled = states[0] if self._pooling == "cls" else states.mean(axis=0)
        return (pooled / max(float(np.linalg.norm(pooled)), 1e-12)).astype(np.float32)

    def encode(self, texts: list[str], **_ignored: Any) -> np.ndarray:
        """(n, d) float32 array of normalised vectors; batch settings are ignored on purpose."""
        if not texts:
            return np.empty((0, self._dimension), dtype=np.float32)
        encodings = self._tokenizer.encode_batch(list(texts))
        with ThreadPoolExecutor(self._threads) as pool:
            rows = list(pool.map(self._one, (e.ids for e in encodings)))
        return np.stack(rows)


def load_onnx_encoder(
    model_dir: Path, backend: str, max_seq_length: int, threads: int | None, cache_dir: Path | None
) -> OnnxEncoder:
    """Export (first time) and load `model_dir` for backend 'onnx' or 'onnx-int8'."""
    layout = read_layout(model_dir, backend)
    tokenizer_file = layout.transformer_dir / "tokenizer.json"
    if not tokenizer_file.is_file():
        raise ConfigError(
            f"key 'embed.backend': {str(layout.transformer_dir)!r} has no tokenizer.json, "
            f"which backend {backend!r} needs; use backend = 'torch'"
        )
    model_file = exported_model(layout, backend == "onnx-int8", cache_dir or default_cache_dir())
    workers = threads or len(os.sched_getaffinity(0))
    return OnnxEncoder(model_file, tokenizer_file, layout, max_seq_length, workers)
