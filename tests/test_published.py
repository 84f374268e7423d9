"""`fronts show --json` and `fronts runs --json`: the keys the task force's scripts rely on."""

from __future__ import annotations

import json

import pytest
from report_fixture import RUN_ID, build_warehouse

from fronts.cli import main
from fronts.published import FRONT_KEYS, published_fronts, run_registry
from fronts.store import connect

CONTRACT = ("lineage_id", "rank", "label", "title", "title_zh", "size", "class", "status", "event")


@pytest.fixture
def warehouse(tmp_path):
    return build_warehouse(tmp_path / "w.duckdb")


def test_show_json_lists_every_front_with_the_contract_keys(warehouse, capsys):
    assert main(["show", "--db", str(warehouse), "--json"]) == 0
    fronts = json.loads(capsys.readouterr().out)
    assert [f["rank"] for f in fronts] == [1, 2, 3, 4]
    for front in fronts:
        assert set(CONTRACT) <= set(front) and list(front) == list(FRONT_KEYS)
        assert front["status"] == "ranked" and front["lineage_id"].startswith("L")
        assert front["title"] == front["label"] and front["title_zh"] is None
    # the hostile label travels as data, unchanged (escaping is the report's business)
    assert "<script>" in fronts[1]["label"]


def test_growth_per_year_is_the_rate_of_the_log_slope(warehouse):
    import math

    con = connect(warehouse, read_only=True)
    fronts = published_fronts(con, RUN_ID)
    con.close()
    for growth, rate in fronts.select("growth", "growth_per_year").rows():
        assert rate == pytest.approx(math.exp(growth) - 1)


def test_runs_json_lists_the_registry(warehouse, capsys):
    assert main(["runs", "--db", str(warehouse), "--json"]) == 0
    (run,) = json.loads(capsys.readouterr().out)
    assert run["run_id"] == RUN_ID and run["window"] == [2019, 2024]
    assert run["status"] == "completed" and run["fronts"] == 4 and run["works"] > 0
    assert run["previous_run_id"] is None and run["created"].startswith("2026-11-01")
    assert main(["runs", "--db", str(warehouse)]) == 0
    assert RUN_ID in capsys.readouterr().out


def test_a_run_left_running_by_a_dead_process_reads_as_interrupted(warehouse):
    con = connect(warehouse)
    con.execute("UPDATE runs SET status = 'running'")
    assert run_registry(con)["status"].to_list() == ["interrupted"]
    assert run_registry(con, writer_alive=True)["status"].to_list() == ["running"]
    con.close()


def test_an_unknown_run_is_a_one_line_error(warehouse, capsys):
    assert main(["show", "--db", str(warehouse), "--run", "rnope", "--json"]) == 1
    assert "no run 'rnope'" in capsys.readouterr().err
