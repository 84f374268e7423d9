"""Benchmark the seed's scale: 60,000 works cold, the warm rerun, and a +10,000 annual increment.

    .venv/bin/python bench/scale.py [--works 60000] [--increment 10000] [--json OUT.json]
                                    [--config CONFIG.toml] [--keep DIR]

../shared holds fewer distinct abstracts than 60,000, so the corpus is assembled: every distinct
work with an abstract of every shared corpus (one corpus = one subject), then, until the size
is reached, works recombined within one subject: the title of one work joined to another's,
and the first half of one abstract's sentences followed by the second half of another's, each
pair drawn once (seeded). Every text is therefore distinct, so no two share an embedding-cache
entry (checked), and a subject's vocabulary stays its own. The increment is built the same way
from pairs not used before. Works are written as OpenAlex JSON Lines; the window covers every
year, so every work is analysed.

Three runs, each in a fresh process as each `fronts run` is, through `run_pipeline` as the
Prefect tasks call it: cold (empty warehouse and cache, no exported model reused: the ONNX export
is timed too), warm (the same corpus again: vectors cached, the topic fit reused), increment (the
10k new works added to the same warehouse: only they are embedded, topics fitted again, lineage
linked). Peak memory is sampled every 100 ms, per stage: the run's process's RSS, its worker
processes' RSS summed, and the whole tree's PSS (shared pages counted once). `--keep DIR` writes
the corpus and the warehouse into DIR and leaves them there (to profile a stage again without
re-embedding). Prints numbers; asserts nothing.
"""

from __future__ import annotations

import contextlib
import gzip
import io
import json
import os
import re
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

from fronts.evaluation.harness import shared_corpora

SHARED = shared_corpora()  # $FRONTS_SHARED_CORPORA, else ../shared/corpora
WINDOW = [1900, 2026]
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


class TreeMemory:
    """Peak memory of this process and its workers, sampled every 100 ms, per stage label.

    Two readings: the main process's RSS, and the whole tree's PSS (proportional set size:
    a page shared by n processes counts 1/n in each), which is what the tree really holds.
    The workers map the main process's vectors and libraries, so summing RSS counts those twice.
    """

    def __init__(self) -> None:
        self.stage = "other"
        self.peaks: dict[str, dict[str, int]] = {}
        self._page = os.sysconf("SC_PAGE_SIZE")
        threading.Thread(target=self._run, daemon=True).start()

    def _rss(self, pid: int) -> int:
        try:
            with open(f"/proc/{pid}/statm") as fh:
                return int(fh.read().split()[1]) * self._page
        except OSError:
            return 0

    @staticmethod
    def _pss(pid: int) -> int:
        try:
            with open(f"/proc/{pid}/smaps_rollup") as fh:
                for line in fh:
                    if line.startswith("Pss:"):
                        return int(line.split()[1]) * 1024
        except OSError:
            pass
        return 0

    def _descendants(self, pid: int) -> list[int]:
        out = []
        try:
            tasks = os.listdir(f"/proc/{pid}/task")
        except OSError:
            return out
        for task in tasks:
            try:
                with open(f"/proc/{pid}/task/{task}/children") as fh:
                    kids = [int(k) for k in fh.read().split()]
            except OSError:
                continue
            for kid in kids:
                out += [kid, *self._descendants(kid)]
        return out

    def _run(self) -> None:
        me = os.getpid()
        while True:
            time.sleep(0.1)
            tree = [me, *self._descendants(me)]
            sample = {
                "main_rss": self._rss(me),
                "workers_rss": sum(self._rss(p) for p in tree[1:]),
                "tree_pss": sum(self._pss(p) for p in tree),
            }
            peak = self.peaks.setdefault(self.stage, dict.fromkeys(sample, 0))
            for key, value in sample.items():
                peak[key] = max(peak[key], value)

    def read(self) -> dict:
        """Peaks over the run, and the stage where the tree's PSS peaked."""
        mb = {
            k: round(max((p[k] for p in self.peaks.values()), default=0) / 2**20)
            for k in ("main_rss", "workers_rss", "tree_pss")
        }
        top = max(self.peaks, key=lambda s: self.peaks[s]["tree_pss"], default=None)
        return {
            "main_mb": mb["main_rss"],
            "workers_mb": mb["workers_rss"],
            "tree_pss_mb": mb["tree_pss"],
            "by_stage_mb": {
                stage: {k: round(v / 2**20) for k, v in peak.items()}
                for stage, peak in self.peaks.items()
            },
            "tree_pss_peak_stage": top,
        }


def subject_works() -> dict[str, list[dict]]:
    """Distinct works with abstracts of each shared corpus: {corpus: [{title, abstract, year}]}."""
    from fronts.evaluation.planted import read_source_works

    seen: set[str] = set()
    out: dict[str, list[dict]] = {}
    for folder in sorted(p for p in SHARED.iterdir() if p.is_dir()):
        works = read_source_works([folder])
        rows = []
        for title, abstract, key in works.select("title", "abstract", "title_key").iter_rows():
            if key in seen or not title or len(_SENTENCE.split(abstract)) < 2:
                continue
            seen.add(key)
            rows.append({"title": title, "abstract": abstract})
        out[folder.name] = rows
    return out


def _recombined(a: dict, b: dict) -> dict:
    first, second = _SENTENCE.split(a["abstract"]), _SENTENCE.split(b["abstract"])
    abstract = " ".join(first[: (len(first) + 1) // 2] + second[len(second) // 2 :])
    return {"title": f"{a['title']}: {b['title']}", "abstract": abstract}


def assemble(n_works: int, n_increment: int, seed: int = 0) -> tuple[list[dict], list[dict]]:
    """The base corpus (real works first, then recombined ones) and the increment."""
    rng = np.random.default_rng(seed)
    subjects = subject_works()
    real = [w for rows in subjects.values() for w in rows]
    names = sorted(subjects)
    weights = np.array([len(subjects[s]) for s in names], dtype=float)
    used: set[tuple[str, int, int]] = set()

    def synthetic(count: int) -> list[dict]:
        out = []
        while len(out) < count:
            name = names[rng.choice(len(names), p=weights / weights.sum())]
            i, j = rng.choice(len(subjects[name]), size=2, replace=False).tolist()
            if (name, i, j) in used:
                continue
            used.add((name, i, j))
            out.append(_recombined(subjects[name][i], subjects[name][j]))
        return out

    base = real[:n_works] + synthetic(max(0, n_works - len(real)))
    increment = synthetic(n_increment)
    for k, work in enumerate(base + increment):
        work["id"] = f"W{k + 1:08d}"
        work["year"] = 2015 + k % 10
    texts = {f"{w['title']}. {w['abstract']}" for w in base + increment}
    if len(texts) != len(base) + len(increment):
        raise SystemExit("two assembled works share a text: they would share a cache entry")
    return base, increment


def write_openalex(path: Path, works: list[dict]) -> Path:
    with (
        gzip.GzipFile(path, "wb", mtime=0) as raw,
        io.TextIOWrapper(raw, encoding="utf-8") as fh,
    ):
        for w in works:
            index: dict[str, list[int]] = {}
            for position, word in enumerate(w["abstract"].split()):
                index.setdefault(word, []).append(position)
            record = {
                "id": f"https://openalex.org/{w['id']}",
                "title": w["title"],
                "display_name": w["title"],
                "publication_year": w["year"],
                "type": "article",
                "abstract_inverted_index": index,
            }
            fh.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def run_once(
    db: Path, files: list[Path], config_file: Path | None, memory: TreeMemory, **kw
) -> dict:
    """One run through `run_pipeline`, per-stage seconds and peak memory."""
    from fronts.config import load_config
    from fronts.pipeline import run_pipeline
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.warehouse import open_warehouse

    config = load_config(config_file, db=db, window=tuple(WINDOW), **kw)
    seconds: dict[str, float] = {}

    def timed(stage, work):
        memory.stage = stage.name
        t0 = time.perf_counter()
        try:
            result = work()
        finally:
            memory.stage = "other"
        seconds[stage.name] = round(seconds.get(stage.name, 0) + time.perf_counter() - t0, 1)
        return result

    memory.stage = "read"
    t0 = time.perf_counter()
    with open_warehouse(db, command="bench/scale.py") as warehouse:
        inputs = read_inputs(warehouse.con, files, config.ingest, replace=False)
        seconds["read"] = round(time.perf_counter() - t0, 1)
        memory.stage = "other"
        outcome = run_pipeline(warehouse, config, inputs, RunOptions(report=False), executor=timed)
    return {
        "total_s": round(time.perf_counter() - t0, 1),
        "stages_s": seconds,
        "peak": memory.read(),
        "embed": outcome.stages["embed"].summary(),
        "topics": outcome.stages["topics"].summary(),
        "backend": config.embed.backend,
    }


def _sampled_run(db: Path, files: list[Path], config_file: Path | None, kw: dict) -> dict:
    return run_once(db, files, config_file, TreeMemory(), **kw)


def in_fresh_process(db: Path, files: list[Path], config_file: Path | None, kw: dict) -> dict:
    """`run_once` in a new interpreter that samples its own memory and its workers'."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_sampled_run, db, files, config_file, kw).result()


def main(argv: list[str]) -> None:
    import argparse

    from fronts.evaluation.harness import machine

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=60000)
    parser.add_argument("--increment", type=int, default=10000)
    parser.add_argument("--json", dest="out", help="write the results to this JSON file")
    parser.add_argument("--config", type=Path, help="a fronts TOML configuration")
    parser.add_argument("--keep", help="keep the corpus and warehouse in this folder")
    args = parser.parse_args(argv)
    n_works, n_increment, out, config_file, keep = (
        args.works,
        args.increment,
        args.out,
        args.config,
        args.keep,
    )
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() if keep is None else contextlib.nullcontext(keep) as tmp:
        t0 = time.perf_counter()
        base, increment = assemble(n_works, n_increment)
        real = sum(":" not in w["title"] for w in base)  # a rough count, for the record
        files = [write_openalex(Path(tmp) / "base.jsonl.gz", base)]
        extra = [write_openalex(Path(tmp) / "increment.jsonl.gz", increment)]
        took = time.perf_counter() - t0
        print(f"assembled {len(base):,} + {len(increment):,} works in {took:.0f} s")
        db = Path(tmp) / "scale.duckdb"
        onnx_cache = Path(tmp) / "onnx"  # a cold run exports the model too
        kw = {"embed.onnx_cache": str(onnx_cache)}
        result = {"works": len(base), "increment_works": len(increment)}
        for name, run_files in (("cold", files), ("warm", files), ("increment", files + extra)):
            result[name] = in_fresh_process(db, run_files, config_file, kw)
            print(f"{name}: {json.dumps(result[name])}", flush=True)
    result["real_titles_without_colon"] = real
    if out:
        payload = {"benchmark": "scale", "machine": machine(), "result": result}
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(payload, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main(sys.argv[1:])
