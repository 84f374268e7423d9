import pytest
from report_fixture import COUNTS, OFF_TOPIC, OUTLIERS, RUN_ID, SUPPORTED, build_warehouse

from fronts.errors import FrontsError
from fronts.report import load_report_data
from fronts.schemas import FRONTS
from fronts.store import connect, write_tables


def test_reads_the_run_and_its_corpus(report_data):
    d = report_data
    assert d.run["run_id"] == RUN_ID and d.n_top == 2
    assert d.fronts["rank"].to_list() == [1, 2, 3, 4]
    assert d.fronts["citation_basis"].to_list() == [
        "local_citations",
        "times_cited_by_age",
        "per_year_counts",
        "local_citations",
    ]
    n_works = sum(map(sum, COUNTS.values())) + sum(OUTLIERS)
    assert d.works.height == n_works == d.coverage["works"]
    corpus = d.forecasts.filter(~d.forecasts["is_forecast"] & (d.forecasts["topic_id"] == 0))
    assert corpus["corpus"].sum() == n_works
    assert d.works["work_id"].is_sorted()
    assert d.coverage["references_resolved"] == 19 and d.coverage["references"] == 38
    assert d.quarantine["n"].to_list() == [2, 2]  # numbers masked: one row per reason
    assert set(d.quarantine["reason"]) == {"year N out of range", "no title <script>"}
    assert d.sources["n_read"].to_list() == [14, 30]
    # abstracts are read only for the works a dossier may quote
    assert 0 < d.abstracts.height < d.works.height


def test_reads_the_robustness_columns_of_fronts_and_topic_scores(report_data):
    f = report_data.fronts
    assert f["off_topic"].to_list() == [OFF_TOPIC[t] for t in f["topic_id"]]
    assert f["supported"].to_list() == [SUPPORTED[t] for t in f["topic_id"]]
    assert f["core_similarity_z"].to_list() == [0.9, 0.0, -0.6, -6.1]
    assert f["n_author_groups"].to_list() == [9, 2, 5, 2]
    assert f["n_outlier_members"].to_list() == [2, 0, 1, 0]
    assert f["outlier_membership"][0] == pytest.approx(2 / 17)
    for col in ("term_relevance", "n_years", "n_venues", "max_venue_year_share"):
        assert f[col].null_count() == 0, col


def test_forecasts_and_similarities_are_the_score_stage_tables(report_data):
    assert report_data.forecasts["topic_id"].unique().sort().to_list() == [0, 1, 2, 3]
    assert report_data.forecasts.filter(report_data.forecasts["is_forecast"]).height == 8
    sims = report_data.similarities
    assert set(sims["basis"]) == {"embeddings"}
    closest = sims.filter((sims["topic_id"] == 0) & (sims["closeness_rank"] == 1))
    assert closest["other_topic_id"].to_list() == [2]


def test_without_embeddings_similarities_come_from_the_map(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb", embeddings=False)
    con = connect(db, read_only=True)
    data = load_report_data(con, RUN_ID)
    con.close()
    assert set(data.similarities["basis"]) == {"map"}


def test_unknown_run_and_run_without_fronts_are_clear_errors(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb")
    con = connect(db)
    with pytest.raises(FrontsError, match="no run 'rnope'"):
        load_report_data(con, "rnope")
    write_tables(con, {"fronts": FRONTS.empty()})
    with pytest.raises(FrontsError, match="no ranked fronts"):
        load_report_data(con, RUN_ID)
    con.close()


def test_a_run_made_before_runs_froze_their_corpus_reads_the_warehouse(tmp_path, report_data):
    db = build_warehouse(tmp_path / "w.duckdb", frozen=False)
    con = connect(db, read_only=True)
    data = load_report_data(con, RUN_ID)
    con.close()
    assert data.works.equals(report_data.works)
    assert data.sources["n_read"].to_list() == report_data.sources["n_read"].to_list()
    assert data.coverage == report_data.coverage
