"""`fronts bench lineage`: planted front events between two yearly snapshots, and how well the
lineage stage (`fronts.lineage.link_runs`) recovers them.

Each scenario builds two snapshots of fronts from real abstracts of ../shared/corpora (their real
MiniLM vectors give the centroids), the second a year later: one sixth of the works of the
first snapshot fall out of the moving window, new works of the same subjects arrive, and
planted fronts

* continue (four subjects, with their shared works),
* continue by content alone (trapped ions: every old work falls out of the window),
* split (superconducting qubits + quantum key distribution, one front, become two),
* merge (epilepsy and Alzheimer's, two fronts, become one),
* are born (ChatGPT in education, new works only) and fade (topological insulators).

Clustering noise is planted too: each member of a found front is, with probability `noise`,
moved to another front or left out (an outlier), independently in each snapshot. Scored per
event type: precision, recall and F1 of the (front, event, predecessors) the lineage gives, and
the continuity of unchanged fronts (share of truly continued fronts that keep their id). This
measures the linking method on known partitions; the clustering's own stability is measured by
the planted-fronts benchmark (`fronts bench planted`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from fronts.config import LineageConfig, RunConfig
from fronts.lineage import RunFronts, centroids, link_runs

CONTINUING = ("quantum_dots", "nv_centres", "motor_imagery", "breast_cancer")
BY_CONTENT = "trapped_ions"
SPLIT = ("superconducting_qubits", "quantum_key_distribution")
MERGE = ("epilepsy_seizure", "alzheimer")
BORN = "chatgpt_education"
FADED = "topological_insulators"
UNITS = (*CONTINUING, BY_CONTENT, *SPLIT, *MERGE, BORN, FADED)
EVENTS = ("continued", "split", "merged", "born", "faded")


@dataclass(frozen=True)
class Scenario:
    """Two snapshots and the truth: for each current front, (event, predecessor front ids)."""

    previous: RunFronts
    current: RunFronts
    truth: dict[str, tuple[str, frozenset[str]]]
    faded: frozenset[str]


def _noisy(groups: dict[str, list[str]], noise: float, rng: np.random.Generator) -> pl.DataFrame:
    names = sorted(groups)
    rows = []
    for name in names:
        for work in groups[name]:
            roll = rng.random()
            if roll < noise / 2:
                others = [n for n in names if n != name]
                rows.append((work, others[rng.integers(len(others))]))
            elif roll < noise:
                continue  # an outlier: in no front
            else:
                rows.append((work, name))
    return pl.DataFrame(rows, schema={"work_id": pl.String, "front": pl.String}, orient="row")


def make_scenario(
    pools: dict[str, list[str]],
    vectors: tuple[list[str], np.ndarray],
    noise: float,
    seed: int,
    size: int = 60,
) -> Scenario:
    """One scenario: `size` works per planted front and snapshot, drawn from each subject's
    pool (work ids) with `seed`; `vectors` (ids, matrix) embed every pooled work."""
    rng = np.random.default_rng(seed)
    draw = {u: list(rng.permutation(pools[u])) for u in UNITS}

    def take(unit: str, n: int) -> list[str]:
        out, draw[unit] = draw[unit][:n], draw[unit][n:]
        return out

    old = {u: take(u, size) for u in UNITS if u != BORN}
    new = {u: take(u, size // 6 + 5) for u in UNITS if u != FADED}

    def kept(unit: str) -> list[str]:
        if unit == BY_CONTENT:
            return []  # the window moved past every old work of it
        works = old[unit]
        return [w for w in works if rng.random() >= 1 / 6]

    before = {u: old[u] for u in (*CONTINUING, BY_CONTENT, *MERGE, FADED)}
    before["split"] = old[SPLIT[0]][: size // 2] + old[SPLIT[1]][: size // 2]
    after = {u: kept(u) + new[u] for u in (*CONTINUING, BY_CONTENT)}
    for unit in SPLIT:
        after[unit] = [w for w in kept(unit) if w in set(before["split"])] + new[unit]
    after["merged"] = kept(MERGE[0]) + kept(MERGE[1]) + new[MERGE[0]] + new[MERGE[1]]
    after[BORN] = new[BORN]

    ids, matrix = vectors
    prev_fronts = _fronts("rt0", before, noise, rng, ids, matrix, with_ids=True)
    cur_fronts = _fronts("rt1", after, noise, rng, ids, matrix, with_ids=False)
    truth: dict[str, tuple[str, frozenset[str]]] = {
        **{u: ("continued", frozenset({u})) for u in (*CONTINUING, BY_CONTENT)},
        **{u: ("split", frozenset({"split"})) for u in SPLIT},
        "merged": ("merged", frozenset(MERGE)),
        BORN: ("born", frozenset()),
    }
    return Scenario(prev_fronts, cur_fronts, truth, frozenset({FADED}))


def _fronts(run_id, groups, noise, rng, ids, matrix, with_ids) -> RunFronts:
    names = sorted(groups)
    number = {n: i for i, n in enumerate(names)}
    members = _noisy(groups, noise, rng)
    members = members.with_columns(
        topic_id=pl.col("front").replace_strict(number, return_dtype=pl.Int64)
    )
    fronts = pl.DataFrame(
        {
            "topic_id": list(range(len(names))),
            "lineage_id": [f"L{n}" for n in names] if with_ids else [None] * len(names),
            "front": names,
        },
        schema={"topic_id": pl.Int64, "lineage_id": pl.String, "front": pl.String},
    )
    found = centroids(members.select("work_id", "topic_id"), ids, matrix)
    return RunFronts(run_id, fronts, members.select("work_id", "topic_id"), found)


def score_scenario(scenario: Scenario, config: LineageConfig) -> dict[str, dict[str, int]]:
    """Counts per event of true positives, false positives and false negatives, and the
    continuity counts (continued fronts, those that kept their id)."""
    rows = link_runs(scenario.previous, scenario.current, config)
    prev_name = dict(scenario.previous.fronts.select("topic_id", "front").rows())
    prev_id = dict(scenario.previous.fronts.select("front", "lineage_id").rows())
    cur_name = dict(scenario.current.fronts.select("topic_id", "front").rows())
    counts = {e: {"tp": 0, "fp": 0, "fn": 0} for e in EVENTS}
    continuity = {"continued": 0, "kept_id": 0}
    predicted: dict[str, tuple[str, frozenset[str]]] = {}
    faded: set[str] = set()
    for r in rows.iter_rows(named=True):
        if r["event"] == "faded":
            faded |= {prev_name[t] for t in r["predecessor_topic_ids"]}
            continue
        name = cur_name[r["topic_id"]]
        predicted[name] = (r["event"], frozenset(prev_name[t] for t in r["predecessor_topic_ids"]))
        want = scenario.truth[name]
        if want[0] == "continued":
            continuity["continued"] += 1
            continuity["kept_id"] += r["lineage_id"] == prev_id[next(iter(want[1]))]
    for name, want in scenario.truth.items():
        got = predicted.get(name)
        if got == want:
            counts[want[0]]["tp"] += 1
        else:
            counts[want[0]]["fn"] += 1
            if got is not None:
                counts[got[0]]["fp"] += 1
    for name in scenario.faded | faded:
        if name in scenario.faded and name in faded:
            counts["faded"]["tp"] += 1
        elif name in faded:
            counts["faded"]["fp"] += 1
        else:
            counts["faded"]["fn"] += 1
    return {**counts, "continuity": continuity}


def _rates(tp: int, fp: int, fn: int) -> dict[str, float | None]:
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    f1 = (
        2 * precision * recall / (precision + recall)
        if precision is not None and recall is not None and precision + recall
        else (0.0 if tp + fp + fn else None)
    )
    return {"precision": precision, "recall": recall, "f1": f1, "tp": tp, "fp": fp, "fn": fn}


def summarise(results: list[dict]) -> dict:
    """Precision, recall and F1 per event and over all events (micro), and continuity."""
    total = {e: {k: sum(r[e][k] for r in results) for k in ("tp", "fp", "fn")} for e in EVENTS}
    per_event = {e: _rates(**total[e]) for e in EVENTS}
    overall = _rates(*(sum(total[e][k] for e in EVENTS) for k in ("tp", "fp", "fn")))
    cont = sum(r["continuity"]["continued"] for r in results)
    kept = sum(r["continuity"]["kept_id"] for r in results)
    return {"events": per_event, "overall": overall, "continuity": kept / cont if cont else None}


def embedded_pools(
    sources: list[Path], config: RunConfig, per_unit: int = 80
) -> tuple[dict[str, list[str]], tuple[list[str], np.ndarray]]:
    """Up to `per_unit` works of each subject's pool (the planted generator's patterns), and
    their vectors, embedded through the warehouse's cache (`config.db`)."""
    from fronts.embed import build_texts, load_model, model_key
    from fronts.embedding_cache import store_missing, vectors_of
    from fronts.evaluation.planted import PlantedTopic, read_source_works, subtopic_pools
    from fronts.warehouse import open_warehouse

    works = read_source_works(sources)
    topics = tuple(PlantedTopic(u, "steady", 0.05) for u in UNITS)
    pools = subtopic_pools(works, topics)
    rng = np.random.default_rng(0)
    chosen = {u: sorted(rng.permutation(pools[u])[:per_unit].tolist()) for u in UNITS}
    short = {u: len(rows) for u, rows in chosen.items() if len(rows) < per_unit}
    if short:
        raise ValueError(f"too few works in the sources for {short} (need {per_unit} each)")
    rows = sorted({i for r in chosen.values() for i in r})
    texts = build_texts(works[rows].select("work_id", "title", "abstract"))
    with open_warehouse(config.db, command="fronts bench lineage") as warehouse:
        store_missing(warehouse.con, texts, config.embed, lambda: load_model(config.embed), None)
        found = vectors_of(warehouse.con, model_key(config.embed), texts["text_sha256"].to_list())
    ids = texts["work_id"].to_list()
    matrix = np.stack([found[h] for h in texts["text_sha256"]])
    pools_ids = {u: [works["work_id"][i] for i in r] for u, r in chosen.items()}
    return pools_ids, (ids, matrix)


def run_lineage_benchmark(
    sources: list[Path],
    out: Path,
    config: RunConfig,
    scenarios: int = 20,
    noises: tuple[float, ...] = (0.0, 0.1, 0.2, 0.3),
) -> dict:
    """Every noise level over `scenarios` seeded scenarios; writes `out/lineage.json`."""
    from fronts.evaluation.harness import machine
    from fronts.jsonsafe import json_safe

    pools, vectors = embedded_pools(sources, config)
    levels = {}
    for noise in noises:
        results = [
            score_scenario(make_scenario(pools, vectors, noise, seed), config.lineage)
            for seed in range(scenarios)
        ]
        levels[str(noise)] = summarise(results)
    result = json_safe(
        {
            "benchmark": "lineage",
            "machine": machine(),
            "settings": {
                "scenarios": scenarios,
                "noises": list(noises),
                "lineage": config.lineage.model_dump(),
                "sources": [str(s) for s in sources],
                "units": list(UNITS),
            },
            "levels": levels,
        }
    )
    out.mkdir(parents=True, exist_ok=True)
    (out / "lineage.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def format_lineage(result: dict) -> str:
    """One line per noise level: F1 per event, overall precision/recall/F1, continuity."""
    head = f"{'noise':>6} " + " ".join(f"{e:>10}" for e in EVENTS)
    head += f" {'P':>6} {'R':>6} {'F1':>6} {'contin.':>8}"
    lines = [head]
    for noise, level in result["levels"].items():
        f1 = [level["events"][e]["f1"] for e in EVENTS]
        cells = " ".join(f"{v:>10.2f}" if v is not None else f"{'-':>10}" for v in f1)
        o = level["overall"]
        lines.append(
            f"{float(noise):>6.2f} {cells} {o['precision']:>6.2f} {o['recall']:>6.2f} "
            f"{o['f1']:>6.2f} {level['continuity']:>8.2f}"
        )
    return "\n".join(lines)
