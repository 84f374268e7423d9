"""BERTopic imported without the optional integrations that load torch and transformers."""

from __future__ import annotations

import subprocess
import sys

LEAN = """
import sys
from fronts.bertopic_import import import_bertopic
bertopic = import_bertopic()
assert bertopic.BERTopic.__name__ == "BERTopic"
assert bertopic.vectorizers.ClassTfidfTransformer and bertopic.dimensionality
print(sorted(m for m in ("torch", "transformers", "sentence_transformers") if m in sys.modules))
import scipy.stats, torch  # nothing stays hidden: both import afterwards
print(scipy.stats.norm.cdf(0.0), torch.tensor([1.0]).sum().item())
"""

AFTER_TORCH = """
import torch
from fronts.bertopic_import import import_bertopic
import_bertopic()
import bertopic._save_utils
print(bertopic._save_utils._has_torch)
"""


def _run(code: str) -> list[str]:
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    return run.stdout.split("\n")


def test_bertopic_imports_without_torch_and_hides_nothing_afterwards():
    lines = _run(LEAN)
    assert lines[0] == "[]"
    assert lines[1] == "0.5 1.0"


def test_a_process_that_has_torch_keeps_it_for_bertopic():
    # the torch embedding backend imports torch first: bertopic then sees it as installed
    assert _run(AFTER_TORCH)[0] == "True"
