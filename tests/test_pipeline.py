"""The pipeline declared once, and a run that survives `kill -9`.

The resume test kills a real `fronts run` (and its temporary Prefect server: the whole process
group) with SIGKILL while it embeds, after some chunks of vectors were committed. Rerunning the
same command must embed only what is missing and end with tables identical to those of an
uninterrupted run of the same command in another warehouse, under the same run id.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import polars as pl
import pytest

from fronts.pipeline import STAGES
from fronts.schemas import TABLES
from fronts.store import connect, read_table

# Each table of a run, and the columns that order its rows.
RUN_TABLES = {
    "work_texts": "work_id",
    "doc_topics": "work_id",
    "topics": "topic_id",
    "topic_year_counts": "topic_id, year",
    "topic_scores": "topic_id",
    "fronts": "rank",
    "front_forecasts": "topic_id, year",
    "front_similarities": "topic_id, closeness_rank",
    "front_lineage": "topic_id, lineage_id",
}


def test_every_stage_is_named_as_the_schemas_name_their_writers():
    names = [stage.name for stage in STAGES]
    assert names == ["ingest", "normalise", "embed", "topics", "score", "lineage", "report"]
    writers = {table.written_by for table in TABLES.values()}
    not_stages = {
        "the pipeline (fronts.runs), around the stages",
        "the pipeline (fronts.runs), when the run starts",
        "fronts curate",
    }
    assert writers - not_stages == set(names) - {"report"}  # the report writes files only
    for stage in STAGES:
        assert stage.run.__module__ == f"fronts.stages.{stage.name}"


def _command(db: Path, config: Path, corpus: Path) -> list[str]:
    script = str(Path(sys.executable).with_name("fronts"))
    return [script, "run", str(corpus), "--db", str(db), "--config", str(config)]


def _kill_while_embedding(command: list[str], after: int) -> int:
    """Start `command`, SIGKILL its process group once `after` texts are embedded; how many."""
    proc = subprocess.Popen(
        [*command, "--no-report", "--progress"],
        stderr=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        start_new_session=True,
    )
    seen, done = b"", 0
    deadline = time.monotonic() + 600
    try:
        while time.monotonic() < deadline:
            chunk = proc.stderr.read1(4096)
            if not chunk:
                break
            seen = (seen + chunk)[-4096:]
            progress = re.findall(rb"embed:\s+\d+%\|[^|]*\| (\d+)/(\d+)", seen)
            if progress and int(progress[-1][0]) >= after:
                done = int(progress[-1][0])
                os.killpg(proc.pid, signal.SIGKILL)
                break
    finally:
        proc.wait(timeout=60)
    assert proc.returncode == -signal.SIGKILL, f"not killed while embedding: {seen[-800:]!r}"
    return done


def _tables(db: Path) -> dict[str, pl.DataFrame]:
    con = connect(db, read_only=True)
    try:
        out = {name: read_table(con, name, order_by=key) for name, key in RUN_TABLES.items()}
        out["embeddings"] = read_table(con, "embeddings", order_by="model, text_sha256")
        out["runs"] = read_table(con, "runs", columns=["run_id", "status", "attempts", "error"])
        return out
    finally:
        con.close()


@pytest.mark.shared
@pytest.mark.slow
def test_a_run_killed_while_embedding_resumes_and_ends_as_if_never_killed(tmp_path, shared_corpora):
    corpus = shared_corpora / "data-science-education"
    config = tmp_path / "fronts.toml"
    config.write_text("window = [2019, 2024]\nseed = 7\n\n[embed]\ncommit_every = 64\n")
    killed_db, fresh_db = tmp_path / "killed" / "w.duckdb", tmp_path / "fresh" / "w.duckdb"
    command = _command(killed_db, config, corpus)

    embedded = _kill_while_embedding(command, after=128)
    assert embedded >= 128
    left = _tables(killed_db)
    assert left["runs"]["status"].to_list() == ["running"]  # the process could not say more
    n_kept = left["embeddings"].height
    assert n_kept >= 128 and n_kept % 64 == 0  # whole chunks, each committed on its own

    resumed = subprocess.run([*command, "--no-report"], capture_output=True, text=True, check=False)
    assert resumed.returncode == 0, resumed.stderr
    # No Prefect log line nor library warning (quiet unless --verbose): only the note skipped.
    assert resumed.stderr.splitlines() == [
        f"fronts run: warning: skipped {corpus / 'PROVENANCE.md'} (found in {corpus}): "
        "not a known export format"
    ]
    new = int(re.search(r"embedded (\d+) new text\(s\) of (\d+)", resumed.stdout).group(1))
    total = int(re.search(r"embedded \d+ new text\(s\) of (\d+)", resumed.stdout).group(1))
    assert new == total - n_kept  # only what the killed attempt had not committed
    assert f"{n_kept} of them by an earlier attempt of this run" in resumed.stdout

    # The same command on a fresh warehouse, uninterrupted (and without Prefect, which must
    # not change a result).
    fresh = subprocess.run(
        [*_command(fresh_db, config, corpus), "--no-report", "--no-prefect"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert fresh.returncode == 0, fresh.stderr
    after, reference = _tables(killed_db), _tables(fresh_db)
    assert after["runs"]["status"].to_list() == ["completed"]
    assert after["runs"]["attempts"].to_list() == [2]
    # The run id hashes the corpus and the settings, not where the warehouse lives.
    assert after["runs"]["run_id"].equals(reference["runs"]["run_id"])
    for name in (*RUN_TABLES, "embeddings"):
        assert after[name].equals(reference[name]), name
