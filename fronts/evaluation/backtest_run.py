"""The backtest on a warehouse: run `fronts.evaluation.backtest` on the warehouse's works.

Reads `works` and `citations`, embeds what the cutoffs need through the `embeddings` cache (the
only table written: backtests leave no run rows), and returns the results as frames.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import numpy as np
import polars as pl

from fronts.config import RunConfig
from fronts.embed import build_texts, load_model, model_key
from fronts.embedding_cache import store_missing, vectors_of
from fronts.errors import FrontsError
from fronts.evaluation.backtest import (
    BASELINES,
    PREDICTORS,
    Preregistration,
    backtest_cutoff,
    target_met,
)
from fronts.store import read_table


@dataclass(frozen=True)
class BacktestResult:
    """Per-front tables (with a cutoff column), the metrics of every cutoff, and the verdict."""

    fronts: pl.DataFrame
    metrics: pl.DataFrame
    target: dict[str, Any]
    prereg: Preregistration
    config: RunConfig
    stages: dict[int, dict[str, Any]]

    def to_json(self) -> dict[str, Any]:
        return {
            "preregistration": {"path": self.prereg.path, "sha256": self.prereg.sha256},
            "protocol": {k: v for k, v in self.prereg.__dict__.items() if k not in ("sha256",)},
            "config_json": self.config.model_dump(mode="json"),
            "target": {**self.target, "wins": {str(k): v for k, v in self.target["wins"].items()}},
            "stages": {str(k): v for k, v in self.stages.items()},
            "metrics": self.metrics.to_dicts(),
            "fronts": self.fronts.to_dicts(),
        }


def run_backtest(
    con: duckdb.DuckDBPyConnection, config: RunConfig, reg: Preregistration, progress: bool = False
) -> BacktestResult:
    """The whole backtest on the warehouse's works; only the `embeddings` cache is written.

    Every work of the earliest window to the last horizon year is embedded once (through the
    (model, text hash) cache, like the embed stage), so the cutoffs share their vectors.
    """
    works = read_table(con, "works", order_by="work_id")
    citations = read_table(con, "citations")
    first = min(reg.cutoffs) - reg.window_years + 1
    needed = works.filter(pl.col("year").is_between(first, max(reg.cutoffs) + reg.horizon))
    last, wanted = works["year"].max(), max(reg.cutoffs) + reg.horizon
    if last is None or last < wanted:
        raise FrontsError(
            f"the warehouse's works end in {last} (none when empty); cutoff {max(reg.cutoffs)} "
            f"with horizon {reg.horizon} needs works up to {wanted} (ingest a corpus first)"
        )
    texts = build_texts(needed)
    if texts.height == 0:
        raise FrontsError(f"the warehouse holds no works published in {first}-{wanted}")
    model: list[Any] = []

    def get_model() -> Any:
        if not model:
            model.append(load_model(config.embed))
        return model[0]

    fill = store_missing(con, texts, config.embed, get_model, "backtest", progress=progress)
    by_hash = vectors_of(con, model_key(config.embed), texts["text_sha256"].unique().to_list())
    vectors = np.stack([by_hash[h] for h in texts["text_sha256"]])
    ids = texts["work_id"].to_list()
    by_id = dict(zip(ids, texts["text"].to_list(), strict=True))
    tables, metrics, stages = [], [], {}
    for cutoff in reg.cutoffs:
        table, metric, stage = backtest_cutoff(
            works, citations, ids, vectors, by_id, cutoff, config, reg, get_model()
        )
        tables.append(table)
        metrics.append(metric)
        stages[cutoff] = {**stage, "n_embedded": fill.n_embedded}
    all_metrics = pl.concat(metrics, how="diagonal_relaxed")
    return BacktestResult(
        pl.concat(tables), all_metrics, target_met(all_metrics, reg), reg, config, stages
    )


def _interval(value: Any, low: Any, high: Any) -> str:
    if value is None:
        return "n/a"
    return f"{value:+.2f} [{low:+.2f}, {high:+.2f}]"


def format_backtest(result: BacktestResult) -> str:
    """A plain-text table: per cutoff and predictor, rho and precision@k with CIs and the
    difference to the protocol's comparison (momentum in v2, the best simple baseline in v3)."""
    v3 = result.prereg.rule == "beat_chance_and_best_baseline"
    versus = "d vs best baseline" if v3 else "d vs momentum"
    keys = (
        ("diff_vs_best", "diff_best_low", "diff_best_high")
        if v3
        else (
            "diff_vs_momentum",
            "diff_low",
            "diff_high",
        )
    )
    head = f"{'cutoff':>6}  {'ranking':<17} {'Spearman rho [95% CI]':<24} {versus:<24} "
    head += f"{'precision@k [95% CI]':<24} {versus:<24}"
    lines = [f"pre-registration {result.prereg.path} sha256 {result.prereg.sha256}", head]
    for cutoff in result.prereg.cutoffs:
        part = result.metrics.filter(pl.col("cutoff") == cutoff)
        first = part.row(0, named=True)
        lines.append(
            f"{cutoff}: {first['n_fronts']} fronts, k = {first['k']}, "
            f"{first['n_exceptional']} exceptional, "
            f"{first['unassigned_later']:.0%} of later works unassigned"
        )
        for name in (*PREDICTORS, "chance"):
            cells = []
            for metric in ("spearman", "precision_at_k"):
                r = part.filter((pl.col("predictor") == name) & (pl.col("metric") == metric))
                r = r.row(0, named=True)
                cells.append(f"{_interval(r['value'], r['ci_low'], r['ci_high']):<24}")
                diff = r.get(keys[0])
                show = diff is not None and name not in (*BASELINES, "chance")
                text = _interval(diff, r[keys[1]], r[keys[2]]) if show else ""
                if show and v3:
                    text += f" ({r['best_baseline']})"
                cells.append(f"{text:<24}")
            lines.append(f"{cutoff:>6}  {name:<17} " + " ".join(cells))
    t = result.target
    rule = "beats chance and the best simple baseline" if v3 else "beats momentum"
    lines.append(
        f"target ({result.prereg.target_predictor} {rule} on rho and precision@k at "
        f">= {t['needed']} cutoffs): {'MET' if t['met'] else 'NOT MET'} ({t['n_won']} of "
        f"{len(t['wins'])})"
    )
    return "\n".join(lines)
