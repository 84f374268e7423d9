"""Out-of-time backtest: do the fronts ranked at a cutoff year grow most in the years after it?

For each pre-registered cutoff T the pipeline is re-run on what was known at T: topics are fitted
on the works of the window ending at T, and scored with citations made up to T and citation
counts cut at T. The works of T..T+h then join the cutoff's topics by nearest centroid, and each
front's realised growth is the slope of its log share over those years. Three rankings of the
same fronts are compared with the realised growth: the tool's ranking, momentum (last-period
share growth) and chance, by Spearman's rho and precision@k of "exceptional growth", with
paired bootstrap CIs over the fronts. The protocol follows Klavans, Boyack & Murdick 2020 (PLoS
ONE 15(9):e0239177: forecast which clusters grow exceptionally over 3 years, scored against
base rates) and brontide's pre-registered cutoff harness against a momentum baseline (PyPI
brontide 0.1.1); everything is frozen in a pre-registration file whose sha256 goes with every
result. Method and caveats: docs/benchmarks.md.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import polars as pl

from fronts.config import RunConfig, apply_overrides, config_from_dict
from fronts.errors import ConfigError, FrontsError
from fronts.evaluation.ranking_metrics import compare_rankings, exceptional
from fronts.scoring.indicators import PSEUDO_COUNT, masked_slope
from fronts.vectors import centroids_of, unit_rows

# The tool's rankings, then the simple baselines a forecaster could use without it.
PREDICTORS = (
    "fronts",
    "score",
    "emergence",
    "momentum",
    "reversed_momentum",
    "size",
    "recent_share",
)
BASELINES = ("momentum", "reversed_momentum", "size", "recent_share")
# The protocol in force; v1 and v2 (bench/preregistration*.toml) stay as the record of their runs.
DEFAULT_PREREGISTRATION = "bench/preregistration-v3.toml"
RULES = ("beat_momentum", "beat_chance_and_best_baseline")


@dataclass(frozen=True)
class Preregistration:
    """The frozen protocol (bench/preregistration.toml); `sha256` is of the file's bytes."""

    cutoffs: tuple[int, ...]
    window_years: int
    horizon: int
    k: int  # fixed k (v1); with k_share set, the maximum of the k rule
    floor_quantile: float
    exceptional_quantile: float
    chance_draws: int
    resamples: int
    level: float
    seed: int
    target_predictor: str
    min_cutoffs: int
    config: dict[str, Any] = field(default_factory=dict)
    sha256: str = ""
    path: str = ""
    k_share: float | None = None  # k = round(k_share * n fronts), clamped to [k_min, k]
    k_min: int = 1
    # v3: the baselines to beat, the rule, and the corpora the verdict is judged on (name of
    # the corpus folder -> its cutoffs), with how many must meet the target.
    baselines: tuple[str, ...] = ("momentum",)
    rule: str = "beat_momentum"
    corpora: dict[str, tuple[int, ...]] = field(default_factory=dict)
    min_corpora: int = 1

    def k_for(self, n_fronts: int) -> int:
        """precision@k's k for a cutoff with `n_fronts` fronts (never more than there are)."""
        k = self.k if self.k_share is None else round(self.k_share * n_fronts)
        return max(1, min(max(k, self.k_min), self.k, n_fronts))


def load_preregistration(path: str | Path) -> Preregistration:
    """Read a pre-registration TOML file; `ConfigError` names a missing or bad key."""
    path = Path(path)
    try:
        raw = path.read_bytes()
        data = tomllib.loads(raw.decode("utf-8"))
        rule = data["k"] if isinstance(data["k"], dict) else None
        reg = Preregistration(
            cutoffs=tuple(int(c) for c in data["cutoffs"]),
            window_years=int(data["window_years"]),
            horizon=int(data["horizon"]),
            k=int(rule["max"] if rule else data["k"]),
            k_share=float(rule["share"]) if rule else None,
            k_min=int(rule["min"]) if rule else 1,
            floor_quantile=float(data["realised"]["floor_quantile"]),
            exceptional_quantile=float(data["exceptional"]["quantile"]),
            chance_draws=int(data["baselines"]["chance_draws"]),
            resamples=int(data["bootstrap"]["resamples"]),
            level=float(data["bootstrap"]["level"]),
            seed=int(data["bootstrap"]["seed"]),
            target_predictor=str(data["target"]["predictor"]),
            min_cutoffs=int(data["target"]["min_cutoffs"]),
            config=dict(data.get("config", {})),
            sha256=hashlib.sha256(raw).hexdigest(),
            path=str(path),
            baselines=tuple(data["baselines"].get("simple", ["momentum"])),
            rule=str(data["target"].get("rule", "beat_momentum")),
            corpora={
                str(name): tuple(int(c) for c in spec["cutoffs"])
                for name, spec in data.get("corpora", {}).items()
            },
            min_corpora=int(data["target"].get("min_corpora", 1)),
        )
    except FileNotFoundError:
        raise ConfigError(f"{path}: pre-registration file not found") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: not valid TOML: {exc}") from None
    except KeyError as exc:
        raise ConfigError(f"{path}: missing key {exc}") from None
    if data.get("realised", {}).get("measure") != "log_share_slope":
        raise ConfigError(f"{path}: key 'realised.measure': only 'log_share_slope' is supported")
    if reg.horizon < 1 or reg.window_years < 3 or reg.k < 1 or not reg.cutoffs:
        raise ConfigError(f"{path}: need cutoffs, horizon >= 1, window_years >= 3 and k >= 1")
    if reg.k_share is not None and not (0 < reg.k_share <= 1 and 1 <= reg.k_min <= reg.k):
        raise ConfigError(f"{path}: key 'k': need 0 < share <= 1 and 1 <= min <= max")
    unknown = [b for b in reg.baselines if b not in BASELINES]
    if unknown or not reg.baselines:
        raise ConfigError(
            f"{path}: key 'baselines.simple': {unknown or 'empty'}; choose from {list(BASELINES)}"
        )
    if reg.rule not in RULES:
        raise ConfigError(f"{path}: key 'target.rule': {reg.rule!r}; choose from {list(RULES)}")
    return reg


def backtest_config(base: RunConfig, reg: Preregistration) -> RunConfig:
    """The run configuration of the backtest: `base` with the pre-registered overrides."""
    data = apply_overrides(base.model_dump(mode="json"), dict(reg.config))
    return config_from_dict(data, f"{reg.path} [config]")


# --- what was known at the cutoff -------------------------------------------------------------


def cutoff_inputs(
    works: pl.DataFrame, citations: pl.DataFrame, cutoff: int, window_years: int
) -> tuple[pl.DataFrame, pl.DataFrame, tuple[int, int]]:
    """The works of the window ending at `cutoff` and the citations made up to it.

    Nothing dated after the cutoff survives: works are those published in the window; citation
    links are those whose citing work appeared by the cutoff; `citations_by_year` keeps the
    years up to the cutoff; and `times_cited` (counted at export time, so it holds the future)
    becomes the count at the cutoff: the per-year counts up to it where the source has them,
    else the citations from corpus works published by then (a lower bound, the only dated count
    a WoS or Scopus export allows).
    """
    window = (cutoff - window_years + 1, cutoff)
    links = citations.filter(pl.col("citing_year") <= cutoff)
    local = (
        links.drop_nulls("cited_work_id")
        .unique(["citing_work_id", "cited_work_id"])
        .group_by("cited_work_id")
        .len("local")
        .rename({"cited_work_id": "work_id"})
    )
    by_year = pl.col("citations_by_year").list.eval(
        pl.element().filter(pl.element().struct.field("year") <= cutoff)
    )
    masked = (
        works.filter(pl.col("year").is_between(*window))
        .with_columns(by_year.alias("citations_by_year"))
        .join(local, on="work_id", how="left")
        .with_columns(
            pl.when(pl.col("citations_by_year").list.len().fill_null(0) > 0)
            .then(
                pl.col("citations_by_year").list.eval(pl.element().struct.field("count")).list.sum()
            )
            .otherwise(pl.col("local").fill_null(0))
            .cast(works.schema["times_cited"])
            .alias("times_cited")
        )
        .drop("local")
        .sort("work_id")
    )
    return masked, links.sort("citing_work_id", "cited_key"), window


# --- realised growth and momentum -------------------------------------------------------------


def _log_share(counts: np.ndarray, corpus: np.ndarray) -> np.ndarray:
    """Log of the add-half smoothed share, as the scoring's growth (fronts.scoring.indicators)."""
    return np.log((counts + PSEUDO_COUNT) / (corpus + 2 * PSEUDO_COUNT))


def topic_centroids(
    ids: list[str], vectors: np.ndarray, doc_topics: pl.DataFrame, floor_quantile: float
) -> tuple[np.ndarray, float]:
    """Centroids of the cutoff's topics (0..K-1) from their cluster members, and the floor.

    A centroid is the normalised mean of the members HDBSCAN itself put in the topic
    (assignment 'cluster'), as in fronts.topics. The floor is the `floor_quantile` quantile of
    those members' cosine to their own centroid: a later work less similar than that to every
    topic is unlike anything the topics held at the cutoff.
    """
    row = {w: i for i, w in enumerate(ids)}
    core = doc_topics.filter(pl.col("assignment") == "cluster")
    pos = np.array([row[w] for w in core["work_id"]], dtype=np.int64)
    labels = core["topic_id"].to_numpy().astype(np.int64)
    unit = unit_rows(vectors[pos])
    centroids = centroids_of(unit, labels, int(doc_topics["topic_id"].max()) + 1)
    own = np.einsum("ij,ij->i", unit, centroids[labels])
    return centroids, float(np.quantile(own, floor_quantile))


def assign_nearest(vectors: np.ndarray, centroids: np.ndarray, floor: float) -> np.ndarray:
    """Topic of each work by nearest centroid (cosine); -1 below the similarity floor."""
    sims = unit_rows(vectors) @ centroids.T
    best = np.argmax(sims, axis=1)
    return np.where(sims[np.arange(len(best)), best] >= floor, best, -1)


def realised_growth(
    labels: np.ndarray, years: np.ndarray, topic_ids: np.ndarray, first: int, last: int
) -> np.ndarray:
    """Slope of each topic's log smoothed share over first..last (one value per topic_ids).

    `labels` and `years` describe every work published in first..last (label -1 = unassigned);
    the share's denominator is all of them, so unassigned works still count in the corpus.
    """
    span = np.arange(first, last + 1)
    counts = np.array([[np.sum((labels == t) & (years == y)) for y in span] for t in topic_ids])
    corpus = np.array([np.sum(years == y) for y in span], dtype=np.float64)
    return masked_slope(span.astype(np.float64), _log_share(counts, corpus), corpus > 0)


def momentum(
    doc_topics: pl.DataFrame, works: pl.DataFrame, topic_ids: np.ndarray, cutoff: int
) -> np.ndarray:
    """Last-period growth log(s_T / s_{T-1}) of each topic's smoothed share at the cutoff.

    Shares come from the cutoff's own assignment (`doc_topics`, outliers included in the
    corpus), i.e. what a forecaster holding the cutoff's topics would extrapolate.
    """
    frame = works.select("work_id", "year").join(
        doc_topics.select("work_id", "topic_id"), on="work_id", how="left"
    )
    years = frame["year"].to_numpy()
    labels = frame["topic_id"].fill_null(-1).to_numpy()
    out = []
    for t in topic_ids:
        now, before = ((labels == t) & (years == y) for y in (cutoff, cutoff - 1))
        out.append((now.sum(), before.sum()))
    counts = np.array(out, dtype=np.float64)
    corpus = np.array([np.sum(years == cutoff), np.sum(years == cutoff - 1)], dtype=np.float64)
    logs = _log_share(counts, corpus)
    return logs[:, 0] - logs[:, 1]


def recent_share(
    doc_topics: pl.DataFrame, works: pl.DataFrame, topic_ids: np.ndarray, cutoff: int
) -> np.ndarray:
    """Each topic's log smoothed share of the works published in cutoff-1..cutoff: how big the
    topic is now, the 'it is already large' baseline."""
    frame = works.filter(pl.col("year").is_between(cutoff - 1, cutoff)).select("work_id")
    frame = frame.join(doc_topics.select("work_id", "topic_id"), on="work_id", how="left")
    labels = frame["topic_id"].fill_null(-1).to_numpy()
    counts = np.array([np.sum(labels == t) for t in topic_ids], dtype=np.float64)
    return _log_share(counts, np.full(counts.shape, float(labels.size)))


def evaluate_cutoff(
    fronts: pl.DataFrame,
    doc_topics: pl.DataFrame,
    works: pl.DataFrame,
    ids: list[str],
    vectors: np.ndarray,
    cutoff: int,
    reg: Preregistration,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Realised growth of the cutoff's fronts and how each ranking predicted it.

    `fronts` and `doc_topics` are the cutoff's (score_topics / fit_topics output); `works`
    holds work_id and year of every work, and `ids`/`vectors` their embeddings (works of
    cutoff-1..cutoff+horizon at least). Returns (one row per front with its predictors,
    realised growth and label; the metrics of `compare_rankings`).
    """
    centroids, floor = topic_centroids(ids, vectors, doc_topics, reg.floor_quantile)
    row = {w: i for i, w in enumerate(ids)}
    later = works.filter(pl.col("year").is_between(cutoff, cutoff + reg.horizon))
    missing = [w for w in later["work_id"] if w not in row]
    if missing:
        raise FrontsError(f"{len(missing)} works of {cutoff}-{cutoff + reg.horizon} lack vectors")
    labels = assign_nearest(vectors[[row[w] for w in later["work_id"]]], centroids, floor)
    topic_ids = fronts["topic_id"].to_numpy().astype(np.int64)
    real = realised_growth(
        labels, later["year"].to_numpy(), topic_ids, cutoff, cutoff + reg.horizon
    )
    cut_works = works.filter(pl.col("year").is_between(cutoff - 1, cutoff))
    grow = momentum(doc_topics, cut_works, topic_ids, cutoff)
    predictors = {
        "fronts": -fronts["rank"].to_numpy().astype(np.float64),
        "score": fronts["score"].fill_null(np.nan).to_numpy().astype(np.float64),
        "emergence": fronts["emergence"].fill_null(np.nan).to_numpy().astype(np.float64),
        "momentum": grow,
        # growth regresses to the mean: last period's losers may be next period's winners
        "reversed_momentum": -grow,
        "size": fronts["size"].to_numpy().astype(np.float64),
        "recent_share": recent_share(doc_topics, cut_works, topic_ids, cutoff),
    }
    table = fronts.select("rank", "topic_id", "label", "size", "score", "emergence").with_columns(
        momentum=predictors["momentum"],
        realised=real,
        exceptional=exceptional(real, reg.exceptional_quantile),
        n_later=np.array([np.sum(labels == t) for t in topic_ids]),
    )
    metrics = compare_rankings(predictors, real, topic_ids, reg).with_columns(
        cutoff=pl.lit(cutoff),
        n_fronts=pl.lit(len(topic_ids)),
        k=pl.lit(reg.k_for(len(topic_ids))),
        n_exceptional=pl.lit(int(table["exceptional"].sum())),
        unassigned_later=pl.lit(float(np.mean(labels < 0))),
        floor=pl.lit(floor),
    )
    return table, metrics


def _beats_chance_and_best(metrics: pl.DataFrame, reg: Preregistration, cutoff: int) -> bool:
    """v3: on both metrics, above chance's expectation and above the best simple baseline
    (point estimates, strictly)."""
    at = metrics.filter(pl.col("cutoff") == cutoff)
    for metric in ("spearman", "precision_at_k"):
        rows = at.filter(pl.col("metric") == metric)
        own = rows.filter(pl.col("predictor") == reg.target_predictor).row(0, named=True)
        chance = rows.filter(pl.col("predictor") == "chance")["value"][0]
        if own["value"] is None or not own["value"] > chance:
            return False
        if own["diff_vs_best"] is None or not own["diff_vs_best"] > 0:
            return False
    return True


def target_met(metrics: pl.DataFrame, reg: Preregistration) -> dict[str, Any]:
    """Whether the pre-registered predictor meets the protocol's rule at enough cutoffs: v2,
    beats momentum on both metrics; v3, beats chance and the best simple baseline on both."""
    rows = metrics.filter(pl.col("predictor") == reg.target_predictor)
    wins = {}
    for cutoff in sorted(rows["cutoff"].unique().to_list()):
        if reg.rule == "beat_chance_and_best_baseline":
            wins[cutoff] = _beats_chance_and_best(metrics, reg, cutoff)
            continue
        diffs = rows.filter(pl.col("cutoff") == cutoff)["diff_vs_momentum"].to_list()
        wins[cutoff] = all(d is not None and d > 0 for d in diffs)
    n_won = sum(wins.values())
    return {
        "wins": wins,
        "n_won": n_won,
        "needed": reg.min_cutoffs,
        "met": n_won >= reg.min_cutoffs,
    }


# --- the runs ---------------------------------------------------------------------------------


def backtest_cutoff(
    works: pl.DataFrame,
    citations: pl.DataFrame,
    ids: list[str],
    vectors: np.ndarray,
    texts: dict[str, str],
    cutoff: int,
    config: RunConfig,
    reg: Preregistration,
    embedding_model: Any,
) -> tuple[pl.DataFrame, pl.DataFrame, dict[str, Any]]:
    """Fit topics and score fronts on what was known at `cutoff`, then evaluate them.

    `works`/`citations` are the whole warehouse: `cutoff_inputs` masks the future before
    anything is fitted. `ids`/`vectors` are embeddings of at least the works of the window and
    of cutoff..cutoff+horizon; `texts` the embedded text of each work (c-TF-IDF labels).
    """
    from fronts.coupling import choose_space
    from fronts.scoring import score_topics
    from fronts.topics import fit_topics

    known, links, window = cutoff_inputs(works, citations, cutoff, reg.window_years)
    row = {w: i for i, w in enumerate(ids)}
    wids = known["work_id"].to_list()
    own = vectors[[row[w] for w in wids]]
    # a work's references are known when it is published: those of the window's works are
    refs = citations.filter(pl.col("citing_work_id").is_in(wids))
    space = choose_space(
        wids, refs["citing_work_id"], refs["cited_key"], config.topics.coupling, config.seed
    )
    topics = fit_topics(
        wids,
        [texts[w] for w in wids],
        own,
        config.topics,
        config.seed,
        embedding_model,
        coupling=space.coupling,
    )
    scored = score_topics(
        known,
        topics.doc_topics,
        topics.topics,
        links,
        window,
        config.score,
        config.seed,
        vectors=(wids, own),
    )
    table, metrics = evaluate_cutoff(
        scored.fronts,
        topics.doc_topics,
        works.select("work_id", "year"),
        ids,
        vectors,
        cutoff,
        reg,
    )
    stage = {
        "window": list(window),
        "n_works": known.height,
        "n_topics": topics.n_topics,
        "clustering": space.note,
    }
    return table.with_columns(cutoff=pl.lit(cutoff)), metrics, stage
