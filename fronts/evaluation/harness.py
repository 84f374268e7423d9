"""`fronts bench planted`: run the pipeline on planted corpora and score what it recovers.

For each corpus size the driver writes a planted corpus (`fronts.evaluation.planted`), ingests it
into a warehouse with the planted window, runs the analysis stages once and scores the run
against the truth (`fronts.evaluation.metrics.evaluate_planted`). Stability is then measured by
refitting the topics on the cached embeddings: with other seeds (all works) and on random 80 %
subsamples of the works (the run's seed), each refit scored like a run and the refits compared
(`fronts.evaluation.stability`), fronts named by the planted unit they match, since topic ids
differ between fits. Subsampling to judge cluster stability follows
Lange, Roth, Braun & Buhmann 2004 (Neural Computation 16(6):1299-1323) and Hennig 2007
(Computational Statistics & Data Analysis 52(1):258-271). Protocol: docs/benchmarks.md.
"""

from __future__ import annotations

import json
import math
import os
import platform
import resource
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import polars as pl

from fronts.config import RunConfig, load_config
from fronts.evaluation.metrics import (
    evaluate_planted,
    match_topics,
    matched_units,
    partition_stability,
)
from fronts.evaluation.planted import (
    DEFAULT_TOPICS,
    PlantedTopic,
    fit_plan,
    make_planted_corpus,
    subtopic_pools,
)
from fronts.evaluation.stability import K, kmeans_partition, stability
from fronts.jsonsafe import json_safe

# The four corpora of ../shared/corpora that hold every subtopic of DEFAULT_TOPICS.
DEFAULT_SOURCE_FOLDERS = (
    "control-quantum-wos-30k",
    "control-bci-eeg-wos",
    "control-ai-medical-diagnosis-wos",
    "bibexpy-genai",
)
# --------------------------------------------------------------------------- pure parts


def subsample_ids(work_ids: Sequence[str], fraction: float, seed: int) -> list[str]:
    """A random `fraction` of the ids (rounded, at least 2), drawn without replacement, sorted."""
    if not 0 < fraction <= 1:
        raise ValueError(f"subsample fraction must be in (0, 1], got {fraction}")
    ids = sorted(work_ids)
    size = max(2, round(fraction * len(ids)))
    pick = np.random.default_rng(seed).choice(len(ids), size=min(size, len(ids)), replace=False)
    return [ids[i] for i in sorted(pick.tolist())]


def unit_ranking(fronts: pl.DataFrame, topic_unit: Mapping[int, str], by: str = "rank") -> list:
    """Planted units in the order of their best front; fronts matching no unit are left out.

    `by` is "rank" (the ranking the user sees, best first) or "emergence" (highest first).
    """
    descending = by == "emergence"
    ordered = fronts.sort([by, "topic_id"], descending=[descending, False], nulls_last=True)
    units = (topic_unit.get(int(t)) for t in ordered["topic_id"])
    return list(dict.fromkeys(u for u in units if u is not None))


def _cpu_model() -> str | None:
    """The CPU's model name from /proc/cpuinfo (Linux), else None."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as fh:
            for line in fh:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return None


def machine() -> dict:
    """What the numbers were measured on."""
    return {
        "cpu_model": _cpu_model(),
        "cpu_count": os.cpu_count(),
        "platform": platform.platform(),
        "machine": platform.machine(),
        "python": platform.python_version(),
        "processor": platform.processor() or None,
    }


def _fmt(value, digits: int = 2) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def format_table(result: dict, k: int = K) -> str:
    """Plain-text tables: one row of metrics per size, then the stage times and peak memory."""
    head = (
        f"{'works':>6} {'topics':>6} {'rec@' + str(k):>6} {'FDR@' + str(k):>6} {'grow':>4} "
        f"{'FDRg':>5} {'rho':>5} "
        f"{'AMI':>5} {'ARI':>5} {'outl':>5} {'cover':>5} {'ARIsd':>5} {'ARIsub':>6} "
        f"{'core':>5} {'kmeans':>6} {'tau_sd':>6} {'tau_sub':>7}"
    )
    lines = [head]
    for size, entry in result["sizes"].items():
        m, sd, sub = entry["run"], entry["seeds"], entry["subsamples"]
        tau = f"tau_top{k}_rank"
        cells = [
            f"{size:>6}",
            f"{m['n_topics']:>6}",
            f"{_fmt(m[f'recall_at_{k}']):>6}",
            f"{_fmt(m[f'fdr_at_{k}']):>6}",
            f"{m['n_growing']:>4}",
            f"{_fmt(m['fdr_growing']):>5}",
            f"{_fmt(m['spearman_emergence_growth']):>5}",
            f"{_fmt(m['ami']):>5}",
            f"{_fmt(m['ari']):>5}",
            f"{_fmt(m['outlier_share']):>5}",
            f"{_fmt(m['interval_coverage']):>5}",
            f"{_fmt(sd.get('ari_mean_pairwise')):>5}",
            f"{_fmt(sub.get('ari_mean_pairwise')):>6}",
            f"{_fmt(sub.get('ari_core_pairwise')):>5}",
            f"{_fmt(entry.get('subsamples_kmeans_ari')):>6}",
            f"{_fmt(sd.get(tau)):>6}",
            f"{_fmt(sub.get(tau)):>7}",
        ]
        lines.append(" ".join(cells))
    lines += ["", f"{'works':>6} {'stage':<18} {'seconds':>8} {'peak MB':>8}"]
    for size, entry in result["sizes"].items():
        for name, cost in entry["stages"].items():
            lines.append(f"{size:>6} {name:<18} {cost['s']:>8.1f} {cost['peak_mb']:>8.0f}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- measuring


class PeakRSS:
    """Samples this process's resident memory every 50 ms (Linux /proc; else ru_maxrss)."""

    def __init__(self) -> None:
        self._page = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
        self._proc = Path("/proc/self/statm").exists()
        self._peak = self._rss()
        self._stop = threading.Event()
        if self._proc:
            threading.Thread(target=self._run, daemon=True).start()

    def _rss(self) -> int:
        if self._proc:
            with open("/proc/self/statm") as fh:
                return int(fh.read().split()[1]) * self._page
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._peak = max(self._peak, self._rss())

    def reset(self) -> None:
        self._peak = self._rss()

    def stop(self) -> None:
        self._stop.set()

    @property
    def peak_mb(self) -> float:
        return max(self._peak, self._rss()) / 2**20


@contextmanager
def _stage(name: str, table: dict, rss: PeakRSS, add: bool = False) -> Iterator[None]:
    """Time the block into table[name]; with `add`, on top of what is there already."""
    before = table.get(name) if add else None
    if before is None:
        rss.reset()
    t0, c0 = time.perf_counter(), time.process_time()
    yield
    cost = {
        "s": round(time.perf_counter() - t0, 2),
        "cpu_s": round(time.process_time() - c0, 2),
        "peak_mb": round(rss.peak_mb),
    }
    if before is not None:
        cost = {
            "s": round(before["s"] + cost["s"], 2),
            "cpu_s": round(before["cpu_s"] + cost["cpu_s"], 2),
            "peak_mb": max(before["peak_mb"], cost["peak_mb"]),
        }
    table[name] = cost


# --------------------------------------------------------------------------- refits


def _fit(frames: dict, ids: list[str], seed: int, config: RunConfig, truth, summary) -> dict:
    """Fit topics on the works `ids` with `seed`, score them, and name fronts by planted unit."""
    from fronts.coupling import choose_space
    from fronts.scoring import score_topics
    from fronts.topics import fit_topics

    rows = np.array([frames["row_of"][w] for w in ids])
    vectors = frames["vectors"][rows]
    own = frames["citations"].filter(pl.col("citing_work_id").is_in(ids))
    space = choose_space(ids, own["citing_work_id"], own["cited_key"], config.topics.coupling, seed)
    fit = fit_topics(
        ids,
        [frames["texts"][i] for i in rows],
        vectors,
        config.topics,
        seed,
        frames["model"],
        coupling=space.coupling,
    )
    works = frames["works"].filter(pl.col("work_id").is_in(ids))
    citations = frames["citations"].filter(pl.col("cited_work_id").is_in(ids))
    scored = score_topics(
        works,
        fit.doc_topics,
        fit.topics,
        citations,
        frames["window"],
        config.score,
        seed,
        vectors=(ids, vectors),
    )
    return _scored(fit.doc_topics, scored.fronts, truth, summary)


def _scored(doc_topics: pl.DataFrame, fronts: pl.DataFrame, truth, summary) -> dict:
    topic_unit = matched_units(match_topics(doc_topics, truth))
    return {
        "metrics": evaluate_planted(doc_topics, fronts, truth, summary, k=K),
        "partition": dict(doc_topics.select("work_id", "topic_id").iter_rows()),
        "core": set(doc_topics.filter(pl.col("assignment") == "cluster")["work_id"]),
        "rank_units": unit_ranking(fronts, topic_unit, "rank"),
        "emergence_units": unit_ranking(fronts, topic_unit, "emergence"),
    }


# --------------------------------------------------------------------------- driver


def _one_size(
    n_works: int,
    works_source: pl.DataFrame,
    sources: list[Path],
    out_dir: Path,
    config: RunConfig,
    seeds: int,
    subsample_fraction: float,
    n_subsamples: int,
    topics: tuple[PlantedTopic, ...],
    corpus_seed: int,
    rss: PeakRSS,
    reference_signal: float | None = None,
) -> dict:
    from fronts.embed import build_texts, load_model, model_key
    from fronts.embedding_cache import run_vectors
    from fronts.pipeline import run_pipeline
    from fronts.runs import run_works
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.store import read_table
    from fronts.warehouse import open_warehouse

    stages: dict = {}
    folder = out_dir / str(n_works)
    with _stage("generate", stages, rss):
        plan = fit_plan(topics, works_source, n_works)
        planted = make_planted_corpus(
            sources,
            n_works,
            folder,
            seed=corpus_seed,
            topics=plan,
            works=works_source,
            reference_signal=reference_signal,
        )
    window = tuple(planted.summary["window"])
    config = config.model_copy(update={"window": window})
    truth, summary = planted.truth, planted.summary

    def timed(stage, work):
        # ingest and normalise are one line of the table, as in earlier results
        name = "ingest+normalise" if stage.part == "corpus" else stage.name
        with _stage(name, stages, rss, add=True):
            return work()

    with open_warehouse(config.db, command="fronts bench planted") as warehouse:
        con = warehouse.con
        with _stage("ingest+normalise", stages, rss):
            inputs = read_inputs(con, [planted.corpus], config.ingest, replace=True)
        outcome = run_pipeline(
            warehouse,
            config,
            inputs,
            RunOptions(reuse_topics=False, report=False),
            executor=timed,
        )
        run_id = outcome.run_id
        doc_topics = read_table(con, "doc_topics", where="run_id = ?", params=[run_id])
        fronts = read_table(con, "fronts", where="run_id = ?", params=[run_id])
        ids, vectors = run_vectors(con, model_key(config.embed), run_id)
        works = run_works(con, outcome.run)
        citations = con.sql("SELECT * FROM citations ORDER BY citing_work_id, cited_key").pl()
    with _stage("evaluate", stages, rss):
        main = _scored(doc_topics, fronts, truth, summary)
    texts = build_texts(works)
    by_id = dict(zip(texts["work_id"], texts["text"], strict=True))
    frames = {
        "row_of": {w: i for i, w in enumerate(ids)},
        "vectors": vectors,
        "texts": [by_id[w] for w in ids],
        "works": works,
        "citations": citations,
        "window": window,
        "model": load_model(config.embed),
    }
    # Seeds: the run is the first fit; the others change only the seed (UMAP's and the
    # bootstrap's), on the same works and the same cached vectors.
    seed_fits = [main]
    with _stage("seed_refits", stages, rss):
        for i in range(1, seeds):
            seed_fits.append(_fit(frames, ids, config.seed + i, config, truth, summary))
    # Subsamples: the run's seed, a different random `subsample_fraction` of the works each time.
    subsets = [
        subsample_ids(ids, subsample_fraction, seed=config.seed * 1000 + i)
        for i in range(n_subsamples)
    ]
    with _stage("subsample_refits", stages, rss):
        sub_fits = [_fit(frames, s, config.seed, config, truth, summary) for s in subsets]
    with _stage("kmeans_yardstick", stages, rss):
        sub_kmeans = [
            kmeans_partition(
                subset,
                vectors[[frames["row_of"][w] for w in subset]],
                fit["metrics"]["n_topics"],
                config.seed,
            )
            for subset, fit in zip(subsets, sub_fits, strict=True)
        ]
    return {
        "corpus": str(planted.corpus),
        "run_id": run_id,
        "window": list(window),
        "n_works": n_works,
        "plan": {t.name: round(t.weight, 6) for t in plan},
        "embed": outcome.stages["embed"].summary(),
        "topics": outcome.stages["topics"].summary(),
        "run": main["metrics"],
        "seeds": stability(seed_fits) if len(seed_fits) > 1 else {},
        "subsamples": stability(sub_fits) if len(sub_fits) > 1 else {},
        "subsamples_kmeans_ari": (
            partition_stability(sub_kmeans) if len(sub_kmeans) > 1 else math.nan
        ),
        "seed_list": [config.seed + i for i in range(seeds)],
        "stages": stages,
    }


def run_planted_benchmark(
    sizes: Sequence[int],
    sources: Sequence[Path],
    out_dir: Path,
    seeds: int = 5,
    subsample_fraction: float = 0.8,
    n_subsamples: int = 5,
    config: RunConfig | None = None,
    topics: tuple[PlantedTopic, ...] = DEFAULT_TOPICS,
    corpus_seed: int = 0,
    reference_signal: float | None = None,
) -> dict:
    """Planted-fronts benchmark at each size; writes `out_dir/planted.json` and returns it.

    With `reference_signal` the works carry planted references (`planted_references`), for
    hybrid clustering (`topics.coupling`).
    One warehouse (`config.db`, default `out_dir/warehouse.duckdb`) serves every size, so texts
    embedded at one size are cached for the next (`embed.n_embedded` says how many were new).
    Its corpus is replaced at each size: never point it at a warehouse you want to keep.
    """
    from fronts.evaluation.planted import read_source_works

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if config is None:
        config = load_config(None, db=out_dir / "warehouse.duckdb")
    rss = PeakRSS()
    started = time.perf_counter()
    global_stages: dict = {}
    try:
        with _stage("read_sources", global_stages, rss):
            works_source = read_source_works(list(sources))
        per_size = {}
        for n in sizes:
            per_size[str(n)] = _one_size(
                n,
                works_source,
                list(sources),
                out_dir,
                config,
                seeds,
                subsample_fraction,
                n_subsamples,
                topics,
                corpus_seed,
                rss,
                reference_signal,
            )
    finally:
        rss.stop()
    result = {
        "benchmark": "planted",
        "machine": machine(),
        "settings": {
            "sizes": list(sizes),
            "sources": [str(p) for p in sources],
            "n_source_works": works_source.height,
            "pools": {u: len(p) for u, p in subtopic_pools(works_source, topics).items()},
            "seeds": seeds,
            "n_subsamples": n_subsamples,
            "subsample_fraction": subsample_fraction,
            "corpus_seed": corpus_seed,
            "reference_signal": reference_signal,
            "k": K,
            "topics": [t.name for t in topics],
            "config": json.loads(config.model_dump_json()),
        },
        "read_sources": global_stages["read_sources"],
        "sizes": per_size,
        "total_s": round(time.perf_counter() - started, 1),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    }
    result = json_safe(result)
    (out_dir / "planted.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


def shared_corpora() -> Path:
    """The folder of the shared real corpora: $FRONTS_SHARED_CORPORA, else ../shared/corpora
    beside the project (where a checkout sits next to them), else that path from the working
    directory. The tests, `fronts bench` and the bench/ scripts all read it from here."""
    if "FRONTS_SHARED_CORPORA" in os.environ:
        return Path(os.environ["FRONTS_SHARED_CORPORA"])
    beside = Path(__file__).resolve().parents[3] / "shared" / "corpora"
    return beside if beside.is_dir() else Path("../shared/corpora")


def default_sources(root: Path) -> list[Path]:
    """The folders of `root` (../shared/corpora) that DEFAULT_TOPICS draws on, those present."""
    return [root / name for name in DEFAULT_SOURCE_FOLDERS if (root / name).is_dir()]
