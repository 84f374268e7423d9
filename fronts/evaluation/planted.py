"""Planted-fronts corpora: real abstracts, re-dated so that known topics follow known trajectories.

Real works are read with the project's own readers and de-duplicated by `normalise_records`.
Subtopics are keyword-defined subsets (a regular expression over the lower-cased title and
abstract: `SUBTOPICS` in `fronts.evaluation.subtopics`); a work that matches two subtopics of the
plan is dropped from both, so the planted topics are disjoint. Each planted topic gets a yearly
count profile over the window (`profile`): emerging, declining, steady, a one-year burst, or a late
split. Works are sampled without replacement, given the years of that profile exactly
(largest-remainder rounding), and a Poisson citation timeline whose rate follows the topic's
profile. The corpus is written as OpenAlex-shaped JSON Lines, so the ordinary OpenAlex reader
ingests it, with the ground truth beside it. The design follows planted-partition benchmarks for
community detection (Lancichinetti, Fortunato & Radicchi 2008, Phys. Rev. E 78:046110: known
groups, then score the recovery) applied to time: the protocol of docs/benchmarks.md (issue 5,
metric M1 of the methods notes).
"""

from __future__ import annotations

import gzip
import io
import json
import re
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

import numpy as np
import polars as pl

from fronts.config import IngestConfig
from fronts.errors import FrontsError
from fronts.evaluation.planted_references import planted_references
from fronts.evaluation.subtopics import FENCES, SUBTOPICS
from fronts.normalise import _work_id, normalise_records, normalise_title
from fronts.scoring.indicators import PSEUDO_COUNT

WINDOW = (2016, 2024)
PRE_ONSET = 0.05  # an emerging topic's yearly level before its onset, relative to the onset year
CITATION_RATE = 1.5  # expected citations per work per year at the age-profile's peak
POOL_HEADROOM = 0.95  # fit_plan: a topic takes at most this share of its subset's works
_ID_BASE = 9_000_000_000  # planted OpenAlex ids are W9000000001..; real ids are far smaller
# truth.parquet: one row per planted work
TRUTH_COLUMNS = ("openalex_id", "work_id", "topic", "unit", "kind", "year", "times_cited")
TRUTH_COLUMNS += ("source_work_id",)
KINDS = ("emerging", "declining", "steady", "burst", "split", "background")


class PlantedCorpusError(FrontsError, ValueError):
    """The sources cannot supply the planted corpus asked for; the message says what is short."""


@dataclass(frozen=True)
class PlantedTopic:
    """One planted topic: its works' subset, its trajectory and its weight in the corpus.

    `pattern` names a `SUBTOPICS` key or is a regex; None (kind "background") takes the works
    that match no pattern of the plan. `growth` is g of an emerging topic (counts grow as
    (1 + g)^(t - onset)) or the yearly decline d of a declining one ((1 - d)^(t - start)).
    `event_year` is the burst year or the split year; a split topic's works come from the two
    `children` subtopics, half each, and carry the parent's name before the split year.
    """

    name: str
    kind: str
    weight: float
    pattern: str | None = None
    onset: int | None = None
    growth: float = 0.0
    event_year: int | None = None
    burst_factor: float = 5.0
    children: tuple[str, str] | None = None

    def units(self) -> tuple[str, ...]:
        """The content units (subtopics) whose texts this topic's works come from."""
        return self.children if self.children else (self.name,)


DEFAULT_TOPICS: tuple[PlantedTopic, ...] = (
    PlantedTopic("quantum_key_distribution", "emerging", 0.03, onset=2019, growth=0.8),
    PlantedTopic("superconducting_qubits", "emerging", 0.03, onset=2018, growth=0.5),
    PlantedTopic("quantum_dots", "emerging", 0.03, onset=2017, growth=0.3),
    PlantedTopic("motor_imagery", "steady", 0.03),
    PlantedTopic("ssvep", "declining", 0.03, growth=0.2),
    PlantedTopic("p300", "burst", 0.025, event_year=2020),
    PlantedTopic(
        "quantum_algorithms",
        "split",
        0.05,
        event_year=2021,
        children=("variational_quantum_algorithms", "quantum_machine_learning"),
    ),
    PlantedTopic("trapped_ions", "steady", 0.02),
    PlantedTopic("nv_centres", "steady", 0.02),
    PlantedTopic("chatgpt_education", "steady", 0.03),
    PlantedTopic("breast_cancer", "steady", 0.01),
    PlantedTopic("topological_insulators", "steady", 0.008),
    PlantedTopic("background", "background", 0.687),
)


@dataclass(frozen=True)
class PlantedCorpus:
    """Where a planted corpus was written, and its ground truth (one row per work)."""

    corpus: Path
    truth_parquet: Path
    truth_json: Path
    truth: pl.DataFrame
    summary: dict = field(default_factory=dict)


# --------------------------------------------------------------------------- trajectories


def profile(topic: PlantedTopic, years: np.ndarray) -> np.ndarray:
    """Relative yearly counts f(t) of a planted topic (any positive scale).

    emerging: (1 + g)^(t - onset) from the onset, PRE_ONSET before it; declining:
    (1 - d)^(t - t0) from the window's first year t0; burst: 1, times `burst_factor` in the
    burst year; steady, split (the parent's total) and background: 1.
    """
    t = years.astype(np.float64)
    if topic.kind == "emerging":
        after = (1.0 + topic.growth) ** (t - float(topic.onset))  # type: ignore[arg-type]
        return np.where(t >= topic.onset, after, PRE_ONSET)
    if topic.kind == "declining":
        return (1.0 - topic.growth) ** (t - t[0])
    if topic.kind == "burst":
        return np.where(t == topic.event_year, topic.burst_factor, 1.0)
    return np.ones_like(t)


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Integers proportional to `weights` that sum to `total` (Hamilton's method; ties by order)."""
    quota = total * weights / weights.sum()
    counts = np.floor(quota).astype(np.int64)
    order = np.argsort(-(quota - counts), kind="stable")
    counts[order[: total - int(counts.sum())]] += 1
    return counts


def planted_growth(counts: np.ndarray, totals: np.ndarray, years: np.ndarray) -> float:
    """OLS slope of log share per year, share smoothed as (n + 0.5) / (N + 1) like the scorer."""
    share = (counts + PSEUDO_COUNT) / (totals + 2 * PSEUDO_COUNT)
    return float(np.polyfit(years.astype(np.float64), np.log(share), 1)[0])


def age_profile(age: np.ndarray) -> np.ndarray:
    """Relative citations by age in years: 0.5 in the publication year, 1 at ages 1-2, then x0.85.

    A stylised rise-and-decay curve; only its shape over the window matters here.
    """
    return np.where(age == 0, 0.5, np.where(age <= 2, 1.0, 0.85 ** (age - 2.0)))


# --------------------------------------------------------------------------- sources


def read_source_works(sources: list[Path], config: IngestConfig | None = None) -> pl.DataFrame:
    """Distinct works with an abstract, read and merged as the pipeline does, by work_id.

    Works whose normalised title repeats are dropped but for the first: once re-dated and
    stripped of DOIs, two such works could be merged by the title rule of `normalise_records`,
    and the ground truth would no longer count them right.
    """
    from fronts.stages.inputs import read_inputs

    if not sources:
        raise PlantedCorpusError("no source files given")
    # Notes beside the exports (PROVENANCE.md, README) are skipped as non-exports.
    results = [f.result for f in read_inputs(None, sources, config or IngestConfig()).files]
    records = pl.concat([r.records for r in results], how="vertical_relaxed")
    quarantine = pl.concat([r.quarantine for r in results], how="vertical_relaxed")
    works = normalise_records(records, quarantine).works.filter(pl.col("has_abstract"))
    works = works.select("work_id", "title", "abstract", "venue", "authors").with_columns(
        title_key=pl.col("title").map_elements(normalise_title, return_dtype=pl.String),
        text=pl.concat_str(
            [pl.col("title").fill_null(""), pl.col("abstract")], separator=" "
        ).str.to_lowercase(),
    )
    return works.sort("work_id").unique("title_key", keep="first", maintain_order=True)


def unit_patterns(topics: tuple[PlantedTopic, ...]) -> dict[str, str]:
    """The regex of every content unit of a plan (the background has none); checks the plan."""
    if sum(t.kind == "background" for t in topics) > 1:
        raise PlantedCorpusError("at most one background topic: they would share works")
    patterns: dict[str, str] = {}
    for topic in topics:
        if topic.kind == "background":
            continue
        for unit in topic.units():
            key = topic.pattern if unit == topic.name and topic.pattern else unit
            if unit in patterns:
                raise PlantedCorpusError(f"content unit {unit!r} appears twice in the plan")
            if key == unit and unit not in SUBTOPICS:
                raise PlantedCorpusError(f"topic {unit!r}: no pattern and not a SUBTOPICS name")
            patterns[unit] = SUBTOPICS.get(key, key)
            try:
                re.compile(patterns[unit])
            except re.error as exc:
                raise PlantedCorpusError(f"topic {unit!r}: bad pattern {key!r} ({exc})") from None
    return patterns


def subtopic_pools(works: pl.DataFrame, topics: tuple[PlantedTopic, ...]) -> dict[str, list[int]]:
    """Row indices of `works` per content unit; works matching two units' patterns are dropped.

    The background topic (if any) takes the works that match no pattern of the plan and lie
    inside no unit's subject fence (`FENCES`; a unit given by its own regex has none).
    """
    patterns = unit_patterns(topics)
    hits = works.select(
        [pl.col("text").str.contains(p).alias(u) for u, p in patterns.items()]
    ).to_numpy()
    n_hits = hits.sum(axis=1) if patterns else np.zeros(works.height, dtype=np.int64)
    pools = {u: np.flatnonzero(hits[:, i] & (n_hits == 1)).tolist() for i, u in enumerate(patterns)}
    fences = [FENCES[u] for u in patterns if u in FENCES]
    fenced = (
        works.select(pl.any_horizontal(pl.col("text").str.contains(f) for f in fences))
        .to_series()
        .to_numpy()
        if fences
        else np.zeros(works.height, dtype=bool)
    )
    for topic in topics:
        if topic.kind == "background":
            pools[topic.name] = np.flatnonzero((n_hits == 0) & ~fenced).tolist()
    return pools


# --------------------------------------------------------------------------- plan and sample


def _check_size(works: pl.DataFrame, n_works: int) -> None:
    if n_works > works.height:
        raise PlantedCorpusError(
            f"{n_works} works asked for, but the sources hold {works.height} distinct works with "
            "abstracts; give more sources (e.g. your own exports)"
        )


def fit_plan(
    topics: tuple[PlantedTopic, ...],
    works: pl.DataFrame,
    n_works: int,
    headroom: float = POOL_HEADROOM,
) -> tuple[PlantedTopic, ...]:
    """The plan with each topic's weight lowered, where needed, to what its subset can fill.

    A topic that would need more than `headroom` of its pool at `n_works` gets the weight that
    takes exactly that share (a split topic: of its smaller child's pool, twice); kinds and
    trajectories are unchanged, and the background, if any, takes up the weight given back. The
    default plan fills about 21,000 works as it is (topological insulators are the scarcest);
    this lets the same plan run at the largest size the sources allow. Raises
    `PlantedCorpusError` when even the shrunk plan cannot be filled (the background is short).
    """
    _check_size(works, n_works)
    pools = subtopic_pools(works, topics)
    fitted = []
    for topic in topics:
        if topic.kind == "background":
            fitted.append(topic)
            continue
        per_unit = len(topic.units())
        room = per_unit * min(len(pools[u]) for u in topic.units()) * headroom / n_works
        fitted.append(replace(topic, weight=min(topic.weight, room)))
    background = [i for i, t in enumerate(fitted) if t.kind == "background"]
    if background:
        given_back = sum(t.weight for t in topics) - sum(t.weight for t in fitted)
        i = background[0]
        fitted[i] = replace(fitted[i], weight=fitted[i].weight + given_back)
        need = fitted[i].weight / sum(t.weight for t in fitted) * n_works
        if need > len(pools[fitted[i].name]):
            raise PlantedCorpusError(
                f"the sources cannot fill the plan for {n_works} works even with the rare "
                f"topics shrunk: the background needs {need:.0f} works, has "
                f"{len(pools[fitted[i].name])}; give more sources (e.g. your own exports)"
            )
    return tuple(fitted)


def plan_counts(
    topics: tuple[PlantedTopic, ...], n_works: int, years: np.ndarray
) -> dict[str, dict[str, np.ndarray]]:
    """Exact works per (topic, content unit) and year: {topic: {unit: counts (T,)}}."""
    names = [t.name for t in topics]
    if len(set(names)) != len(names):
        raise PlantedCorpusError(f"topic names repeat: {names}")
    sizes = largest_remainder(n_works, np.array([t.weight for t in topics], dtype=np.float64))
    plan: dict[str, dict[str, np.ndarray]] = {}
    for topic, size in zip(topics, sizes, strict=True):
        if topic.kind not in KINDS:
            raise PlantedCorpusError(f"topic {topic.name!r}: unknown kind {topic.kind!r}")
        counts = largest_remainder(int(size), profile(topic, years))
        if topic.children:
            first = (counts + 1) // 2  # the first child takes the odd work of a year
            plan[topic.name] = dict(zip(topic.children, (first, counts - first), strict=True))
        else:
            plan[topic.name] = {topic.name: counts}
    return plan


def _citations(
    rng: np.random.Generator, pub_years: np.ndarray, multiplier: np.ndarray, years: np.ndarray
) -> np.ndarray:
    """Citations (n, T) received per window year: Poisson(rate x age curve x topic multiplier)."""
    age = years[None, :] - pub_years[:, None]
    rate = CITATION_RATE * age_profile(np.maximum(age, 0)) * multiplier[None, :]
    return rng.poisson(np.where(age >= 0, rate, 0.0))


def _openalex_work(openalex_id: str, row: dict, year: int, cites: dict[int, int]) -> dict:
    index: dict[str, list[int]] = {}
    for position, word in enumerate(row["abstract"].split()):
        index.setdefault(word, []).append(position)
    return {
        "id": f"https://openalex.org/{openalex_id}",
        "doi": None,
        "title": row["title"],
        "display_name": row["title"],
        "publication_year": year,
        "type": "article",
        "abstract_inverted_index": index,
        "cited_by_count": sum(cites.values()),
        # OpenAlex lists the years with citations, latest first.
        "counts_by_year": [
            {"year": y, "cited_by_count": c} for y, c in sorted(cites.items(), reverse=True) if c
        ],
        "authorships": [{"author": {"display_name": a}} for a in row["authors"] or []],
        "primary_location": {"source": {"display_name": row["venue"]} if row["venue"] else None},
    }


def make_planted_corpus(
    sources: list[Path],
    n_works: int,
    out_dir: Path,
    seed: int,
    window: tuple[int, int] = WINDOW,
    topics: tuple[PlantedTopic, ...] = DEFAULT_TOPICS,
    works: pl.DataFrame | None = None,
    reference_signal: float | None = None,
) -> PlantedCorpus:
    """Write `corpus.jsonl.gz`, `truth.parquet` and `truth.json` under `out_dir`; deterministic.

    `works` (from `read_source_works`) skips re-reading the sources. With `reference_signal`
    each work carries planted references (`planted_references`), that share of them from its
    topic's own pool. Raises `PlantedCorpusError`
    when the sources hold fewer distinct works than `n_works`, or when a topic's subset is
    smaller than its planned count (naming the topic and the shortfall).
    """
    years = np.arange(window[0], window[1] + 1)
    works = read_source_works(sources) if works is None else works
    plan = plan_counts(topics, n_works, years)
    _check_size(works, n_works)
    pools = subtopic_pools(works, topics)
    short = [
        f"{unit} needs {int(c.sum())}, has {len(pools[unit])} (short by "
        f"{int(c.sum()) - len(pools[unit])})"
        for units in plan.values()
        for unit, c in units.items()
        if c.sum() > len(pools[unit])
    ]
    if short:
        raise PlantedCorpusError(
            f"the sources cannot fill the plan for {n_works} works: " + "; ".join(short)
        )
    rng = np.random.default_rng(seed)
    parts = []
    for topic in topics:
        total = plan[topic.name]
        f = profile(topic, years)
        multiplier = np.clip(f / f.mean(), 0.25, 4.0)  # citations follow the topic's attention
        for unit, counts in total.items():
            pick = rng.choice(np.asarray(pools[unit]), size=int(counts.sum()), replace=False)
            pub = np.repeat(years, counts)
            if topic.children and topic.event_year is not None:  # the parent's name before
                label = pl.Series(np.where(pub < topic.event_year, topic.name, unit).tolist())
            else:
                label = pl.repeat(unit, len(pub), eager=True)
            cites = _citations(rng, pub, multiplier, years)
            parts.append(
                pl.DataFrame(
                    {
                        "row": pick,
                        "topic": label.cast(pl.String),
                        "unit": unit,
                        "kind": "split" if topic.children else topic.kind,
                        "year": pub,
                        "cites": cites,
                    },
                    schema_overrides={"cites": pl.Array(pl.Int64, len(years))},
                )
            )
    table = pl.concat(parts)
    order = rng.permutation(table.height)  # ids in random order: nothing to read from them
    table = table[order].with_columns(
        openalex_id=pl.format("W{}", pl.int_range(1, table.height + 1) + _ID_BASE)
    )
    if reference_signal is not None:
        refs = planted_references(rng, table["topic"].to_list(), reference_signal)
        table = table.with_columns(referenced_works=pl.Series(refs, dtype=pl.List(pl.String)))
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    rows = works.select("work_id", "title", "abstract", "venue", "authors")
    corpus = write_corpus(out_dir / "corpus.jsonl.gz", table, rows, years)
    truth = (
        table.with_columns(
            work_id=pl.col("openalex_id").map_elements(fronts_work_id, return_dtype=pl.String),
            source_work_id=rows["work_id"].gather(table["row"]),
            times_cited=pl.col("cites").arr.sum(),
        )
        .select(*TRUTH_COLUMNS)
        .sort("openalex_id")
    )
    truth_parquet = out_dir / "truth.parquet"
    truth.write_parquet(truth_parquet)
    summary = truth_summary(truth, topics, seed, window, sources)
    truth_json = out_dir / "truth.json"
    truth_json.write_text(json.dumps(summary, indent=2, sort_keys=False) + "\n", encoding="utf-8")
    return PlantedCorpus(corpus, truth_parquet, truth_json, truth, summary)


def write_corpus(path: Path, table: pl.DataFrame, rows: pl.DataFrame, years: np.ndarray) -> Path:
    """Write the sampled works as OpenAlex JSON Lines, gzipped, in `table` (id) order."""
    # mtime=0: the same seed gives the same bytes (gzip stamps the time otherwise).
    with (
        gzip.GzipFile(path, "wb", compresslevel=6, mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as fh,
    ):
        for rec in table.iter_rows(named=True):
            cites = dict(zip(years.tolist(), rec["cites"], strict=True))
            source = rows.row(rec["row"], named=True)
            work = _openalex_work(rec["openalex_id"], source, rec["year"], cites)
            if rec.get("referenced_works") is not None:
                work["referenced_works"] = rec["referenced_works"]
            fh.write(json.dumps(work, ensure_ascii=False) + "\n")
    return path


def fronts_work_id(openalex_id: str) -> str:
    """The warehouse's work_id of a planted work (no DOI: identity is its OpenAlex source id)."""
    return _work_id(f"sid:{openalex_id}")


def truth_summary(
    truth: pl.DataFrame,
    topics: tuple[PlantedTopic, ...],
    seed: int,
    window: tuple[int, int],
    sources: list[Path],
) -> dict:
    """truth.json: per content unit its kind, parameters, exact yearly counts and planted growth.

    A unit is emerging ground truth when its topic was planted as `emerging`.
    """
    years = np.arange(window[0], window[1] + 1)
    totals = truth.group_by("year").len().sort("year")
    total = np.zeros(len(years))
    total[totals["year"].to_numpy() - window[0]] = totals["len"].to_numpy()
    patterns = unit_patterns(topics)
    units: dict[str, dict] = {}
    for topic in topics:
        params = {k: v for k, v in asdict(topic).items() if v is not None}
        for key, kinds in (("growth", ("emerging", "declining")), ("burst_factor", ("burst",))):
            if topic.kind not in kinds:
                params.pop(key)
        for unit in topic.units():
            rows = truth.filter(pl.col("unit") == unit).group_by("year").len()
            counts = np.zeros(len(years), dtype=np.int64)
            counts[rows["year"].to_numpy() - window[0]] = rows["len"].to_numpy()
            units[unit] = {
                "kind": "split" if topic.children else topic.kind,
                "topic": topic.name,
                "pattern": patterns.get(unit),
                "params": params,
                "counts": {str(y): int(c) for y, c in zip(years, counts, strict=True)},
                "n_works": int(counts.sum()),
                "planted_growth": round(planted_growth(counts, total, years), 6),
                "emerging": topic.kind == "emerging",
            }
    return {
        "generator": "fronts.evaluation.planted",
        "seed": seed,
        "window": list(window),
        "n_works": truth.height,
        "sources": [str(p) for p in sources],
        "pre_onset": PRE_ONSET,
        "citation_rate": CITATION_RATE,
        "topics": units,
    }


def load_truth(out_dir: Path) -> tuple[pl.DataFrame, dict]:
    """The ground truth written beside a planted corpus: (truth.parquet, truth.json)."""
    out_dir = Path(out_dir)
    summary = json.loads((out_dir / "truth.json").read_text(encoding="utf-8"))
    return pl.read_parquet(out_dir / "truth.parquet"), summary


def emerging_units(summary: dict) -> list[str]:
    """Names of the content units planted as emerging, in truth.json order."""
    return [u for u, spec in summary["topics"].items() if spec["emerging"]]
