import numpy as np
import pytest
from report_fixture import COUNTS, OUTLIERS, RUN_ID, build_warehouse

from fronts.errors import FrontsError
from fronts.report import load_report_data
from fronts.schemas import FRONTS
from fronts.store import connect, write_tables


def test_reads_the_run_and_its_corpus(report_data):
    d = report_data
    assert d.run["run_id"] == RUN_ID and d.n_top == 2
    assert d.fronts["rank"].to_list() == [1, 2, 3]
    assert d.fronts["citation_basis"].to_list() == [
        "local_citations",
        "times_cited_by_age",
        "per_year_counts",
    ]
    n_works = sum(map(sum, COUNTS.values())) + sum(OUTLIERS)
    assert d.works.height == n_works == d.coverage["works"]
    assert d.corpus_year_counts["n_works"].sum() == n_works
    assert d.works["work_id"].is_sorted()
    assert d.coverage["references_resolved"] == 19 and d.coverage["references"] == 38
    assert d.quarantine["n"].to_list() == [2, 2]  # numbers masked: one row per reason
    assert set(d.quarantine["reason"]) == {"year N out of range", "no title <script>"}
    assert d.sources["n_read"].to_list() == [14, 30]
    # abstracts are read only for the works a dossier may quote
    assert 0 < d.abstracts.height < d.works.height


def test_centroids_come_from_the_embeddings(report_data):
    assert report_data.centroid_basis == "embeddings"
    by_topic = {t: np.asarray(v) for t, v in report_data.centroids.iter_rows()}
    assert sorted(by_topic) == [0, 1, 2, 3]
    np.testing.assert_allclose(by_topic[1], [0.0, 1.0, 0.0, 0.0])


def test_without_embeddings_centroids_fall_back_to_the_map(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb", embeddings=False)
    con = connect(db, read_only=True)
    data = load_report_data(con, RUN_ID)
    con.close()
    assert data.centroid_basis == "map"
    assert len(data.centroids["vector"][0]) == 2


def test_unknown_run_and_run_without_fronts_are_clear_errors(tmp_path):
    db = build_warehouse(tmp_path / "w.duckdb")
    con = connect(db)
    with pytest.raises(FrontsError, match="no run 'rnope'"):
        load_report_data(con, "rnope")
    write_tables(con, {"fronts": FRONTS.empty()})
    with pytest.raises(FrontsError, match="no ranked fronts"):
        load_report_data(con, RUN_ID)
    con.close()
