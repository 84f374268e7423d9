"""The ONNX backends: exported once from the installed model, cached, batch-independent vectors
close to torch's."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fronts.config import EmbedConfig, IngestConfig
from fronts.embed import embed_texts, load_model, model_key, resolve_model_dir
from fronts.errors import ConfigError
from fronts.ingest.detect import read_file
from fronts.onnx_backend import exported_model, read_layout


@pytest.fixture(scope="module")
def texts(fixtures_dir: Path) -> list[str]:
    """Real-shaped titles and abstracts from the WoS and Scopus fixtures."""
    out = []
    for name in ("wos/valid.txt", "scopus/export_2019.csv", "scopus/export_2024.csv"):
        records = read_file(fixtures_dir / name, IngestConfig()).records
        for title, abstract in zip(records["title"], records["abstract"], strict=True):
            out.append(title)
            if abstract:
                out.append(f"{title}. {abstract}")
    return out


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("onnx")


@pytest.fixture(scope="module")
def torch_vectors(texts: list[str]) -> np.ndarray:
    return embed_texts(load_model(EmbedConfig(backend="torch")), texts, 8, progress=False)


@pytest.mark.parametrize(("backend", "floor"), [("onnx", 0.9999), ("onnx-int8", 0.99)])
def test_vectors_close_to_torch(backend, floor, texts, cache, torch_vectors):
    encoder = load_model(EmbedConfig(backend=backend, onnx_cache=cache))
    vectors = embed_texts(encoder, texts, 8, progress=False)
    assert vectors.shape == torch_vectors.shape and vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    cosine = (vectors * torch_vectors).sum(axis=1)
    assert cosine.mean() >= floor
    # an unrelated text stays far: the vectors are not all alike
    assert float(vectors[0] @ vectors[-1]) < 0.9


@pytest.mark.parametrize("backend", ["onnx", "onnx-int8"])
def test_a_vector_does_not_depend_on_its_batch_or_threads(backend, texts, cache):
    many = load_model(EmbedConfig(backend=backend, onnx_cache=cache, threads=2))
    one = load_model(EmbedConfig(backend=backend, onnx_cache=cache, threads=1))
    together = embed_texts(many, texts, 8, progress=False)
    alone = np.stack([embed_texts(one, [t], 8, progress=False)[0] for t in texts])
    shuffled = embed_texts(many, texts[::-1], 3, progress=False)[::-1]
    assert np.array_equal(together, alone)  # bit for bit
    assert np.array_equal(together, shuffled)


def test_export_is_cached_and_keyed_by_settings(cache):
    layout = read_layout(resolve_model_dir(EmbedConfig()), "onnx")
    fp32 = exported_model(layout, False, cache)
    int8 = exported_model(layout, True, cache)
    assert fp32 != int8 and fp32.stat().st_size > 3 * int8.stat().st_size
    stamp = fp32.stat().st_mtime_ns
    assert exported_model(layout, False, cache) == fp32 and fp32.stat().st_mtime_ns == stamp
    assert not list(cache.glob("*partial*"))  # nothing half-written left behind
    assert json.loads(fp32.with_suffix(".json").read_text())["int8"] is False


def test_backend_keys_and_refusals(tmp_path):
    assert model_key(EmbedConfig(backend="onnx")) == "all-MiniLM-L6-v2@128#onnx"
    assert model_key(EmbedConfig(backend="onnx-int8")).endswith("@128#onnx-int8")
    assert model_key(EmbedConfig(backend="onnx", device="auto")).endswith("#onnx")
    with pytest.raises(ConfigError, match="backend 'torch'"):
        load_model(EmbedConfig(backend="onnx", device="cuda"))
    # a model with a Dense head cannot be run by the ONNX backends: a clear refusal
    (tmp_path / "config.json").write_text("{}")
    modules = [
        {"idx": 0, "name": "0", "path": "", "type": "sentence_transformers.models.Transformer"},
        {"idx": 1, "name": "1", "path": "2_Dense", "type": "sentence_transformers.models.Dense"},
    ]
    (tmp_path / "modules.json").write_text(json.dumps(modules))
    with pytest.raises(ConfigError, match="Dense"):
        load_model(EmbedConfig(model=str(tmp_path), backend="onnx-int8"))


FRESH_RUN = """
import sys
from pathlib import Path
from fronts.config import EmbedConfig
from fronts.embed import embed_texts, load_model
encoder = load_model(EmbedConfig(backend="onnx", onnx_cache=Path(sys.argv[1])))
assert embed_texts(encoder, ["a title. an abstract"], 8, progress=False).shape == (1, 384)
print(sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules))
"""


def test_an_onnx_run_never_loads_torch_in_its_own_process(tmp_path):
    # exported in a child process (500 MB of torch and transformers returned when it ends),
    # then, cached, keyed without importing torch
    import subprocess
    import sys

    for _ in ("cold", "cached"):
        run = subprocess.run(
            [sys.executable, "-c", FRESH_RUN, str(tmp_path)], capture_output=True, text=True
        )
        assert run.returncode == 0, run.stderr
        assert run.stdout.strip() == "[]"
    assert len(list(tmp_path.glob("*.onnx"))) == 1
