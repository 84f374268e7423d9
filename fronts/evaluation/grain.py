"""The grain check's corpus: a small real corpus's research works of a window, embedded.

Shared by bench/grain.py (which records the grain target of issue 12) and
tests/test_grain_real.py (which asserts it), so that both judge the same works.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import polars as pl


def research_works_embedded(
    folder: Path, window: tuple[int, int]
) -> tuple[list[str], list[str], np.ndarray, Any]:
    """(work ids, texts, vectors, model) of the corpus in `folder`: its works of `window`
    less those that are not research (`fronts.doctypes.excluded_works`), in work_id order,
    embedded by the default model in one pass, without the warehouse or its cache."""
    from fronts.config import EmbedConfig, IngestConfig
    from fronts.doctypes import excluded_works
    from fronts.embed import build_texts, embed_texts, load_model
    from fronts.normalise import normalise_records
    from fronts.stages.inputs import read_inputs

    plan = read_inputs(None, [folder], IngestConfig())
    records = pl.concat([f.result.records for f in plan.files], how="diagonal_relaxed")
    quarantine = pl.concat([f.result.quarantine for f in plan.files], how="diagonal_relaxed")
    works = normalise_records(records, quarantine).works
    works = works.filter(pl.col("year").is_between(*window))
    works = works.filter(~pl.col("work_id").is_in(excluded_works(works)["work_id"].implode()))
    texts = build_texts(works.sort("work_id"))
    model = load_model(EmbedConfig())
    vectors = embed_texts(model, texts["text"].to_list(), 32, False)
    return texts["work_id"].to_list(), texts["text"].to_list(), vectors, model
