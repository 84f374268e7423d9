"""The annual cycle on a real corpus: run, curate, run again a later window, read what changed.

data-science-education (WoS + Scopus) is analysed with the window ending two years early
(2017-2022); the panel renames every front with an English and a Chinese title, annotates one
and excludes the two largest; the next run analyses 2019-2024. The fronts that continue keep
their lineage ids, their titles and their exclusion, and the PDF holds the Chinese titles.
"""

from __future__ import annotations

import json
import shutil
import subprocess

import duckdb
import pytest

from fronts.cli import main

pytestmark = [pytest.mark.shared, pytest.mark.slow]

WHO = ["--by", "Panel", "--why", "annual review"]


def _show(db, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["show", "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _pdf_text(pdf) -> str:
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: apt-get install poppler-utils (README, .ci/run)")
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True)
    return done.stdout.decode("utf-8")


def test_curation_follows_the_fronts_into_next_years_run(tmp_path, shared_corpora, capsys):
    db = tmp_path / "w.duckdb"
    reports = tmp_path / "reports"
    corpus = str(shared_corpora / "data-science-education")
    common = ["--db", str(db), "--no-prefect", "--seed", "11"]
    assert main(["run", corpus, "--window", "2017-2022", "--no-report", *common]) == 0
    first = _show(db, capsys)
    assert len(first) >= 3
    # The corpus's editorials and errata are set aside, counted, and in no front.
    con = duckdb.connect(str(db), read_only=True)
    try:
        excluded = con.sql("SELECT work_id, reason FROM run_excluded").pl()
        in_fronts = con.sql(
            "SELECT count(*) FROM doc_topics d JOIN run_excluded x USING (run_id, work_id)"
        ).fetchall()[0][0]
        n_excluded = con.sql("SELECT n_excluded FROM runs").fetchall()[0][0]
    finally:
        con.close()
    assert excluded.height >= 5 and n_excluded == excluded.height and in_fronts == 0
    assert excluded["reason"].str.contains("Editorial").any()
    titles = {}
    for i, front in enumerate(first):
        lid = front["lineage_id"]
        titles[lid] = (f"Front {i} in English", f"前沿 {i} 中文标题")
        cmd = ["curate", "rename", lid, "--title", titles[lid][0], "--title-zh", titles[lid][1]]
        assert main([*cmd, "--db", str(db), *WHO]) == 0
    largest = sorted(first, key=lambda f: -f["size"])[:2]
    excluded = {f["lineage_id"] for f in largest}
    for lid in excluded:
        assert main(["curate", "exclude", lid, "--db", str(db), *WHO]) == 0
    annotated = first[-1]["lineage_id"]
    note = ["curate", "annotate", annotated, "--note", "Why it matters now."]
    assert main([*note, "--db", str(db), *WHO]) == 0

    assert main(["run", "--window", "2019-2024", "--no-report", *common]) == 0
    second = _show(db, capsys)
    continued = [f for f in second if f["event"] == "continued"]
    assert continued, "no front continued from 2017-2022 to 2019-2024"
    for front in continued:
        assert front["lineage_id"] in titles
        assert (front["title"], front["title_zh"]) == titles[front["lineage_id"]]
        if front["lineage_id"] in excluded:
            assert front["status"] == "excluded" and front["rank"] is None
        else:
            assert front["status"] == "ranked" and front["rank"] is not None
    assert any(f["lineage_id"] in excluded for f in continued), "no excluded front continued"
    for front in second:
        if front["event"] in ("split", "merged"):
            assert front["needs_review"] and front["title"] in {t for t, _ in titles.values()}
    ranked = [f["rank"] for f in second if f["status"] == "ranked"]
    assert ranked == list(range(1, len(ranked) + 1))

    # The report of the second run: published list with the Chinese titles, what changed.
    assert main(["report", "--db", str(db), "--out", str(reports)]) == 0
    (folder,) = [p for p in reports.iterdir() if p.is_dir()]
    index = (folder / "index.html").read_text(encoding="utf-8")
    assert "What changed since run" in index
    assert "set aside as not research" in index
    # the published fronts the panel titled in Chinese (new fronts have only the machine title)
    shown = [f for f in second if f["published"] and f["title_zh"]]
    assert shown and all(f["title_zh"] in index for f in shown)
    assert all(f["title"] in index for f in second if f["published"])
    text = _pdf_text(folder / "report.pdf")
    for front in shown:
        assert front["title_zh"] in text, front["title_zh"]
