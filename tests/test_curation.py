"""Expert curation through the command line, on a warehouse with one finished run.

Decisions are appended, never edited; `undo` adds a row; an unknown lineage id is a one-line
usage error; the curated view (`fronts show --json`) follows the log; export/import round-trips.
"""

from __future__ import annotations

import json
import shutil

import polars as pl
import pytest
from report_fixture import RUN_ID, build_warehouse

from fronts.cli import main
from fronts.curation import Curation, Decisions, apply_curation, effective, read_log
from fronts.lineage import new_lineage_id
from fronts.store import connect

WHO = ["--by", "Ana Li", "--why", "panel meeting 2026-03-02"]


@pytest.fixture
def db(tmp_path):
    return build_warehouse(tmp_path / "w.duckdb")


def show(db, capsys) -> list[dict]:
    capsys.readouterr()
    assert main(["show", "--db", str(db), "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def curate(db, *args: str) -> int:
    return main(["curate", *args, "--db", str(db)])


def test_rename_exclude_merge_annotate_and_publish(db, capsys):
    fronts = show(db, capsys)
    ids = [f["lineage_id"] for f in fronts]
    a_work = "F000000000000005"  # a work of the fixture's corpus
    assert (
        curate(db, "rename", ids[0], "--title", "Generative AI", "--title-zh", "生成式 AI", *WHO)
        == 0
    )
    assert curate(db, "exclude", ids[3], *WHO) == 0
    assert curate(db, "merge", ids[1], ids[2], "--title", "Learning analytics", *WHO) == 0
    assert curate(db, "annotate", ids[0], "--note", "Why now.", "--case", a_work, *WHO) == 0
    fronts = show(db, capsys)
    by = {f["lineage_id"]: f for f in fronts}
    assert (by[ids[0]]["title"], by[ids[0]]["title_zh"]) == ("Generative AI", "生成式 AI")
    assert by[ids[0]]["notes"] == ["Why now."] and by[ids[0]]["cases"] == [a_work]
    assert by[ids[3]]["status"] == "excluded" and by[ids[3]]["rank"] is None
    assert by[ids[2]]["status"] == "merged" and by[ids[2]]["merged_into"] == ids[1]
    assert by[ids[1]]["title"] == "Learning analytics"
    machine = machine_sizes(db)  # the survivor counts both fronts' works
    assert by[ids[1]]["size"] == machine[ids[1]] + machine[ids[2]]
    assert [f["rank"] for f in fronts if f["status"] == "ranked"] == [1, 2]
    assert [f["published"] for f in fronts] == [True, True, False, False]  # top N = 2
    assert curate(db, "publish", ids[1], *WHO) == 0
    assert [f["published"] for f in show(db, capsys)] == [False, True, False, False]


def machine_sizes(db) -> dict[str, int]:
    """{lineage id: size} of the run's fronts as the machine ranked them."""
    con = connect(db, read_only=True)
    try:
        rows = con.execute("SELECT topic_id, size FROM fronts ORDER BY rank").fetchall()
    finally:
        con.close()
    return {new_lineage_id(RUN_ID, t): n for t, n in rows}


def test_the_log_is_append_only_and_undo_is_a_row_of_its_own(db, capsys):
    lineage = show(db, capsys)[3]["lineage_id"]
    assert curate(db, "exclude", lineage, *WHO) == 0
    assert curate(db, "undo", "1", *WHO) == 0
    assert show(db, capsys)[3]["status"] == "ranked"
    capsys.readouterr()
    assert curate(db, "undo", "1", *WHO) == 2
    assert "undone already" in capsys.readouterr().err
    assert curate(db, "undo", "2", *WHO) == 2  # an undo is not undone: decide again
    assert main(["curate", "log", "--db", str(db), "--json"]) == 0
    log = json.loads(capsys.readouterr().out)
    assert [(r["action_id"], r["action"], r["undoes"]) for r in log] == [
        (1, "exclude", None),
        (2, "undo", 1),
    ]
    assert all(r["by"] == "Ana Li" and r["why"] == "panel meeting 2026-03-02" for r in log)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["rename", "Lnope000000", "--title", "X"], "unknown lineage id 'Lnope000000'"),
        (["annotate", "{first}", "--case", "Fnope"], "unknown work id 'Fnope'"),
        (["merge", "{first}"], "two or more"),
        (["rename", "{first}", "--title", "X", "--by", "x"], "--why"),
    ],
)
def test_bad_decisions_are_one_line_usage_errors(db, capsys, args, message):
    first = show(db, capsys)[0]["lineage_id"]
    args = [a.replace("{first}", first) for a in args]
    extra = [] if "--by" in args else WHO
    assert main(["curate", *args, *extra, "--db", str(db)]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    con = connect(db, read_only=True)
    assert read_log(con).height == 0
    con.close()


def test_export_and_import_round_trip_through_a_toml_file(db, tmp_path, capsys):
    ids = [f["lineage_id"] for f in show(db, capsys)]
    curate(db, "rename", ids[0], "--title", "Generative AI", "--title-zh", "生成式 AI", *WHO)
    curate(db, "annotate", ids[0], "--note", "Commentary", *WHO)
    curate(db, "exclude", ids[3], *WHO)
    out = tmp_path / "curation.toml"
    assert main(["curate", "export", "--db", str(db), "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert "生成式 AI" in text and "excluded = true" in text
    other = tmp_path / "other.duckdb"
    build_warehouse(other)
    assert main(["curate", "import", str(out), "--db", str(other), *WHO]) == 0
    assert main(["curate", "import", str(out), "--db", str(other), *WHO]) == 0  # idempotent
    assert "nothing new" in capsys.readouterr().out
    mine, theirs = show(db, capsys), show(other, capsys)
    keys = ("lineage_id", "title", "title_zh", "status", "notes")
    assert [{k: f[k] for k in keys} for f in mine] == [{k: f[k] for k in keys} for f in theirs]
    out.write_text("[fronts.Lx]\ncolour = 'red'\n", encoding="utf-8")
    assert main(["curate", "import", str(out), "--db", str(other), *WHO]) == 2
    assert "unknown key 'colour'" in capsys.readouterr().err


def test_decisions_carry_to_the_fronts_a_curated_front_split_or_merged_into():
    fronts = pl.DataFrame(
        {
            "lineage_id": ["Lnew1", "Lnew2", "Lkept"],
            "rank": [1, 2, 3],
            "label": ["a", "b", "c"],
            "size": [10, 8, 6],
        }
    )
    curation = Curation({"Lold": Decisions(title="Old title", title_zh="旧")}, None)
    parents = {"Lnew1": ["Lold"], "Lnew2": ["Lold"]}  # Lold split into Lnew1 and Lnew2
    view = apply_curation(fronts, curation, parents, n_top=10)
    assert view["title"].to_list() == ["Old title", "Old title", "c"]
    assert view["needs_review"].to_list() == [True, True, False]
    assert view["title_zh"].to_list() == ["旧", "旧", None]


def test_curation_survives_a_copy_of_the_warehouse_and_replays_in_order(db, tmp_path, capsys):
    ids = [f["lineage_id"] for f in show(db, capsys)]
    curate(db, "rename", ids[0], "--title", "First", *WHO)
    curate(db, "rename", ids[0], "--title", "Second", *WHO)
    copy = tmp_path / "copy.duckdb"
    shutil.copy(db, copy)
    con = connect(copy, read_only=True)
    assert effective(read_log(con)).by_lineage[ids[0]].title == "Second"
    con.close()
