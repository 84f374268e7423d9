import polars as pl
import pytest

from fronts.config import SupportConfig
from fronts.report import dossier


@pytest.mark.parametrize(
    ("address", "expected"),
    [
        ("Harvard Univ, Dept Phys, Cambridge, MA 02138 USA", "Harvard Univ"),
        ("Department of Education, University of Oslo, Oslo, Norway", "University of Oslo"),
        ("Dept Comp Sci, Stanford Univ, Stanford, CA, USA", "Stanford Univ"),
        ("Google Inc, Mountain View, USA", "Google Inc"),
        ("Some Place, Somewhere, Chile", "Some Place"),
        ("", ""),
    ],
)
def test_institution_is_the_part_that_names_an_organisation(address, expected):
    assert dossier.institution_of(address) == expected


def test_leaders_count_each_name_once_per_work_case_insensitively():
    lists = [["USA", "China", "usa"], ["China"], None, ["USA"], []]
    got = dossier.leaders(lists, n_works=5)
    assert [(r["name"], r["works"]) for r in got] == [("China", 2), ("USA", 2)]
    assert got[0]["share"] == pytest.approx(0.4)
    assert dossier.leaders([["b"], ["a"]], 2, top=1)[0]["name"] == "a"  # ties: alphabetical


def test_doi_links_cannot_leave_the_doi_resolver():
    assert dossier.doi_url("10.1000/abc(1)") == "https://doi.org/10.1000/abc%281%29"
    url = dossier.doi_url('10.1/"><script>x</script>')
    assert url.startswith("https://doi.org/10.1/") and '"' not in url and "<" not in url
    assert dossier.doi_url(None) is None and dossier.doi_url("") is None


def _works():
    return pl.DataFrame(
        {
            "work_id": ["a", "b", "c", "d"],
            "title": ["A", "B", "C", "D"],
            "year": [2020, 2021, 2022, 2023],
            "venue": ["V", None, "V", "W"],
            "doi": [None, "10.1/b", None, None],
            "authors": [["X, A.", "Y, B.", "Z, C.", "W, D."], [], ["Q, R."], None],
            "times_cited": [5, 9, 9, 0],
            "similarity": [0.5, 0.9, None, 0.7],
        }
    )


def test_core_papers_by_citations_and_by_centrality():
    core = dossier.core_papers(_works(), top=3)
    # equal citations: the more recent first
    assert [p["work_id"] for p in core["most_cited"]] == ["c", "b", "a"]
    assert [p["work_id"] for p in core["most_central"]] == ["b", "d", "a"]
    assert core["most_cited"][2]["authors"] == "X, A., Y, B., Z, C. et al."
    assert core["most_cited"][1]["doi_url"] == "https://doi.org/10.1/b"


def test_representative_abstracts_follow_the_topic_model_then_centrality():
    abstracts = pl.DataFrame({"work_id": ["a", "b", "d"], "abstract": ["x " * 800, "  ", "dd"]})
    got = dossier.representative_abstracts(_works(), abstracts, ["a", "zz"], n=3, max_chars=100)
    assert [a["work_id"] for a in got] == ["a", "d"]  # b's abstract is blank
    assert got[0]["abstract"].endswith(" …") and len(got[0]["abstract"]) <= 102


def test_related_fronts_are_the_closest_others_among_the_listed_fronts():
    import numpy as np

    from fronts.scoring.similarity import front_similarities

    points = np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.2], [-1.0, 0.0]])
    table = front_similarities(np.arange(4), np.arange(4), points, "embeddings")
    got = dossier.related_fronts(table, [0, 1, 2], k=2)
    assert [t for t, _ in got[0]] == [2, 1]  # topic 3 is not listed
    assert got[0][0][1] == pytest.approx(1 / (1.04**0.5))
    assert dossier.related_fronts(table, [0])[0] == []


def test_venues_and_keywords():
    works = _works().with_columns(author_keywords=pl.Series([["AI", "ai"], ["LLM"], None, ["Ai"]]))
    assert dossier.venues(works)[0] == {"name": "V", "works": 2, "share": 0.5}
    kw = dossier.keyword_list(works)
    assert kw[0]["works"] == 2 and kw[0]["name"] in {"AI", "ai", "Ai"}


def test_support_shortfalls_name_the_missed_criteria_in_words():
    criteria = SupportConfig()  # 7 works, 3 years, 3 venues, 3 author groups, 50 %
    row = {"size": 12, "n_years": 2, "n_venues": 1, "n_author_groups": 1}
    row["max_venue_year_share"] = 0.75
    got = dossier.support_shortfalls(row, criteria, venue_checked=True, author_checked=True)
    assert got == [
        "only 2 years (needs 3)",
        "only 1 venue (needs 3)",
        "75 % of its works in one venue and year (at most 50 %)",
        "only 1 author group (needs 3)",
    ]
    # a field fewer than half the works carry is not held against the front
    assert dossier.support_shortfalls(row, criteria, False, False) == ["only 2 years (needs 3)"]
    ok = {"size": 7, "n_years": 3, "n_venues": 3, "n_author_groups": 3}
    assert dossier.support_shortfalls({**ok, "max_venue_year_share": 0.5}, criteria, 1, 1) == []


def test_support_summary_checks_venues_and_authors_only_where_recorded():
    works = _works()  # venues on 3 of 4 works, authors on 2 of 4
    row = {
        "size": 4,
        "n_years": 4,
        "n_venues": 2,
        "n_author_groups": 1,
        "max_venue_year_share": 0.25,
        "supported": False,
        "n_outlier_members": 3,
        "outlier_membership": 3 / 7,
    }
    got = dossier.support_summary(row, SupportConfig(min_works=3), works)
    assert got["venues_checked"] and got["authors_checked"]
    assert got["verdict"] == "no" and got["text"].startswith(
        "Not supported: only 2 venues (needs 3); only 1 author group (needs 3). It may"
    )
    assert (got["outlier_members"], got["outlier_share"]) == ("+3", "43 %")
    sparse = works.with_columns(authors=pl.Series([[], None, ["Q, R."], []]))
    assert not dossier.support_summary(row, SupportConfig(), sparse)["authors_checked"]
    assert (
        dossier.support_summary({**row, "supported": None}, SupportConfig(), works)["verdict"]
        == "–"
    )
