"""The method appendix of the report: the run's identity, configuration, versions, inputs,
accounting and robustness, as plain dicts for the template (as `fronts.report.view`)."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from fronts.report.data import ReportData
from fronts.report.glossary import CITATION_BASES, CLASSES, INDICATORS, basis_label
from fronts.report.view import score_config


def _flatten(prefix: str, value: Any) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        out: list[tuple[str, str]] = []
        for key in sorted(value):
            out += _flatten(f"{prefix}.{key}" if prefix else key, value[key])
        return out
    if isinstance(value, float) and math.isfinite(value) and value == int(value):
        return [(prefix, str(value))]
    return [(prefix, "default" if value is None else str(value))]


def appendix(data: ReportData) -> dict[str, Any]:
    """The method appendix: identity of the run, configuration, versions, accounting."""
    score = score_config(data)
    flags = data.fronts.select(
        off_topic=pl.col("off_topic").fill_null(False),
        unsupported=pl.col("supported").not_().fill_null(False),
        assessed=pl.col("supported").is_not_null(),
    )
    return {
        "config": _flatten("", data.config),
        "versions": sorted(data.versions.items()),
        "source_files": list(data.source_files.iter_rows(named=True)),
        "stage_counts": list(data.stage_counts.iter_rows(named=True)),
        "quarantine": list(data.quarantine.iter_rows(named=True)),
        "quarantine_examples": list(data.quarantine_examples.iter_rows(named=True)),
        "n_quarantined": int(data.quarantine["n"].sum()) if data.quarantine.height else 0,
        "bases": [
            {
                "rank": r["rank"],
                "label": r["label"],
                "basis": basis_label(r.get("citation_basis")),
                "text": CITATION_BASES.get(r.get("citation_basis") or "", ("", "unknown"))[1],
            }
            for r in data.fronts.iter_rows(named=True)
        ],
        "basis_counts": sorted(
            data.fronts.group_by("citation_basis").len().iter_rows(), key=lambda kv: str(kv[0])
        ),
        "centroid_basis": (
            data.similarities["basis"][0] if data.similarities.height else "embeddings"
        ),
        "indicators": INDICATORS,
        "classes": CLASSES,
        "weights": sorted(((data.config.get("score") or {}).get("weights") or {}).items()),
        "robustness": {
            "n_fronts": data.fronts.height,
            "n_off_topic": int(flags["off_topic"].sum()),
            "off_topic_ranks": [
                r for r, f in zip(data.fronts["rank"], flags["off_topic"], strict=True) if f
            ],
            "n_unsupported": int(flags["unsupported"].sum()),
            "assessed": bool(flags["assessed"].any()),
            "off_topic": score.off_topic,
            "support": score.support,
            "n_outlier_members": int(data.fronts["n_outlier_members"].fill_null(0).sum()),
        },
    }
