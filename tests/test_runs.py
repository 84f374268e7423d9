"""The run registry: run ids, the window rule, and frozen runs that read the same after later
ingests."""

from __future__ import annotations

import pytest

from fronts.config import RunConfig, load_config
from fronts.errors import FrontsError
from fronts.runs import choose_window, incomplete_last_year, result_settings, run_id_for


def test_the_run_id_ignores_where_things_live_and_how_the_work_is_scheduled(tmp_path):
    base = RunConfig()
    moved = load_config(
        None,
        db=tmp_path / "elsewhere.duckdb",
        reports=tmp_path / "r",
        **{"embed.threads": 1, "embed.batch_size": 8, "embed.commit_every": 10},
        **{"ingest.paths": [tmp_path / "x.txt"]},
    )
    assert run_id_for("c" * 64, moved) == run_id_for("c" * 64, base)
    assert run_id_for("c" * 64, load_config(None, seed=1)) != run_id_for("c" * 64, base)
    assert run_id_for("d" * 64, base) != run_id_for("c" * 64, base)
    assert "db" not in result_settings(base) and "ingest" not in result_settings(base)


def test_the_window_ends_at_the_last_complete_year():
    counts = {2019: 100, 2020: 110, 2021: 120, 2022: 130, 2023: 140, 2024: 30}
    assert choose_window(counts, None) == (2018, 2023)  # 2024 is far below its trend
    assert choose_window({**counts, 2024: 125}, None) == (2019, 2024)  # a dip, not a gap
    assert choose_window(counts, (2000, 2001)) == (2000, 2001)
    with pytest.raises(FrontsError, match="no works"):
        choose_window({}, None)


@pytest.mark.parametrize(
    ("counts", "incomplete"),
    [
        # an export made mid-2026: half of 2025, though above half the median of 2023-2025
        ({2021: 213, 2022: 341, 2023: 450, 2024: 543, 2025: 700, 2026: 332}, True),
        # a field taking off: the last year far above the years before is complete
        ({2021: 8, 2022: 8, 2023: 559, 2024: 3044}, False),
        # a declining field keeps declining, a complete year
        ({2019: 80, 2020: 70, 2021: 62, 2022: 56, 2023: 50}, False),
        # a fall after steady growth: an export of the autumn
        ({2019: 36, 2020: 51, 2021: 74, 2022: 108, 2023: 80}, True),
        # too little history to say
        ({2023: 5, 2024: 1}, False),
    ],
)
def test_an_incomplete_last_year_is_found_against_the_trend(counts, incomplete):
    found = incomplete_last_year(counts)
    assert (found is not None) == incomplete
    if found is not None:
        assert found.year == max(counts) and found.observed == counts[max(counts)]
        assert str(found.year) in found.note() and "--window" in found.note()
    # a small change of any count does not flip the verdict
    nudged = {y: n + (1 if y % 2 else 0) for y, n in counts.items()}
    assert (incomplete_last_year(nudged) is not None) == incomplete


@pytest.mark.shared
@pytest.mark.slow
def test_an_old_run_renders_the_same_after_later_ingests(tmp_path, shared_corpora):
    from fronts.pipeline import run_pipeline
    from fronts.report import build_report
    from fronts.stages.base import RunOptions
    from fronts.stages.inputs import read_inputs
    from fronts.store import scalar
    from fronts.warehouse import open_warehouse

    folder = shared_corpora / "data-science-education"
    config = load_config(None, db=tmp_path / "w.duckdb", window=[2019, 2024], seed=7)
    options = RunOptions(report=False)

    def run(files, replace):
        with open_warehouse(config.db) as warehouse:
            inputs = read_inputs(warehouse.con, files, config.ingest, replace)
            return run_pipeline(warehouse, config, inputs, options).run_id

    def render(run_id, out):
        with open_warehouse(config.db) as warehouse:
            report = build_report(warehouse.con, run_id, out, pdf=False)
        files = sorted(p for p in (report / "data").rglob("*") if p.is_file())
        return {p.relative_to(report): p.read_bytes() for p in files}

    run_a = run([folder / "scopus_dse_318.csv"], replace=True)
    first = render(run_a, tmp_path / "first")
    # The WoS export overlaps the Scopus one: merging it changes works run A analysed (their
    # sources, citation counts, fields), adds works, and makes a new run.
    run_b = run([folder / "wos_dse_146.txt"], replace=False)
    assert run_b != run_a
    with open_warehouse(config.db) as warehouse:
        changed = scalar(
            warehouse.con,
            "SELECT count(*) FROM run_works r JOIN works w USING (work_id) "
            "WHERE r.run_id = ? AND list_contains(w.sources, 'wos')",
            [run_a],
        )
    assert changed > 20  # run A's works now read differently in `works`
    again = render(run_a, tmp_path / "again")
    assert sorted(again) == sorted(first) and len(first) >= 6
    for path, content in first.items():
        assert again[path] == content, path
