"""Import BERTopic without the optional integrations `fronts` never uses.

bertopic imports its optional backends and representations (multimodal embedders, text
generation, zero-shot classification, visual representations, torch for safetensors saving)
each under `try: ... except ModuleNotFoundError`, and marks one "not installed" when its import
fails: that is how a light install of bertopic works. Installed, they pull in torch,
transformers and sentence-transformers: measured here, a fresh process that imports bertopic
takes 5.1 s and holds 620 MB, against 2.2 s and 350 MB without them.
`fronts` hands BERTopic precomputed vectors and its own cluster model and describes the topics
itself, so it needs none of them. They are hidden for the duration of the first import only, and
only when nothing has imported them already (the torch embedding backend has), so no other
import in the process is affected.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType

UNUSED = (
    "bertopic.backend._multimodal",
    "bertopic.representation._textgeneration",
    "bertopic.representation._zeroshot",
    "bertopic.representation._visual",
    "torch",  # bertopic._save_utils: safetensors saving, which fronts never calls
)

PRELOADED = ("scipy.stats", "sklearn", "pandas", "umap", "hdbscan")


def import_bertopic() -> ModuleType:
    """The `bertopic` package, imported on first call without its unused integrations."""
    if "bertopic" in sys.modules:
        return sys.modules["bertopic"]
    # Libraries that look torch up in sys.modules while they import (scipy's array API) are
    # imported first, so that they see the process as it is, not torch hidden.
    for name in PRELOADED:
        importlib.import_module(name)
    hidden = [name for name in UNUSED if name not in sys.modules]
    for name in hidden:
        sys.modules[name] = None  # type: ignore[assignment]  # import raises ModuleNotFoundError
    try:
        module = importlib.import_module("bertopic")  # with .vectorizers and .dimensionality
    finally:
        for name in hidden:
            if sys.modules.get(name, ...) is None:
                del sys.modules[name]
    return module
