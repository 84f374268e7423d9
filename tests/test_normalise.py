import polars as pl

from fronts.normalise import normalise_records, normalise_title, surname_key
from fronts.schemas import QUARANTINE, RECORDS, check_frame


def records(*rows: dict) -> pl.DataFrame:
    base = {
        "source": "wos",
        "source_file": "a.txt",
        "source_id": None,
        "doi": None,
        "abstract": None,
        "venue": None,
        "volume": None,
        "first_page": None,
        "doc_type": None,
        "language": None,
        "authors": [],
        "affiliations": [],
        "countries": [],
        "author_keywords": [],
        "cited_refs": [],
        "cited_dois": [],
        "times_cited": None,
        "citations_by_year": [],
    }
    full = [{**base, "record_no": i + 1, **row} for i, row in enumerate(rows)]
    return check_frame(pl.DataFrame(full, schema=RECORDS.schema), RECORDS)


def test_title_and_surname_keys_ignore_case_accents_and_punctuation():
    assert normalise_title("Café: the  Bibliometric—Analysis!") == "cafe the bibliometric analysis"
    assert surname_key("van der Berg, J") == surname_key("Van Der Berg J.") == "vanderberg"


def test_merges_by_doi_source_id_and_title_keeping_union_of_references():
    recs = records(
        {
            "title": "Deep learning for EEG",
            "year": 2020,
            "doi": "10.1000/x1",
            "authors": ["Smith, J"],
            "cited_refs": ["Ref A"],
            "times_cited": 3,
        },
        {
            "source": "scopus",
            "source_file": "b.csv",
            "title": "Deep Learning for EEG.",
            "year": 2020,
            "doi": "10.1000/x1",
            "abstract": "Long abstract",
            "authors": ["Smith J."],
            "cited_refs": ["Ref B"],
            "times_cited": 5,
        },
        # same WoS record exported twice (a duplicated export file)
        {
            "source_file": "c.txt",
            "record_no": 1,
            "title": "Another work",
            "year": 2019,
            "source_id": "WOS:1",
            "authors": ["Lee, K"],
        },
        {
            "source_file": "d.txt",
            "record_no": 1,
            "title": "Another work",
            "year": 2019,
            "source_id": "WOS:1",
            "authors": ["Lee, K"],
        },
        # no DOI in one, a year apart (early access): same title + first author
        {
            "title": "Metaverse classrooms and smart learning",
            "year": 2022,
            "authors": ["Kim, A"],
            "doi": "10.1000/m",
        },
        {
            "source": "scopus",
            "source_file": "b.csv",
            "title": "Metaverse classrooms and smart learning",
            "year": 2023,
            "authors": ["Kim A."],
        },
        # same title, different DOIs: distinct works (conference vs journal version)
        {
            "title": "Generative AI in education",
            "year": 2023,
            "doi": "10.1000/c",
            "authors": ["Wu, H"],
        },
        {
            "title": "Generative AI in education",
            "year": 2023,
            "doi": "10.1000/j",
            "authors": ["Wu, H"],
        },
    )
    result = normalise_records(recs, QUARANTINE.empty())
    works = result.works
    assert works.height == 5
    eeg = works.filter(pl.col("doi") == "10.1000/x1").row(0, named=True)
    assert eeg["abstract"] == "Long abstract"
    assert sorted(eeg["cited_refs"]) == ["Ref A", "Ref B"]
    assert eeg["times_cited"] == 5 and eeg["n_records"] == 2
    assert eeg["sources"] == ["scopus", "wos"]
    rules = sorted(result.duplicate_links["rule"].to_list())
    assert rules == ["doi", "source_id", "title_year_author"]
    total = result.stage_counts.filter(pl.col("source_file") == "*").row(0, named=True)
    assert (total["n_read"], total["n_accepted"], total["n_merged"]) == (8, 5, 3)


def test_work_ids_are_stable_across_input_order():
    rows = [
        {"title": "Alpha study of things", "year": 2020, "doi": "10.1000/a"},
        {"title": "Beta study of things", "year": 2021, "source_id": "WOS:2"},
        {"title": "Gamma study of things", "year": 2021, "authors": ["Doe, J"]},
    ]
    a = normalise_records(records(*rows), QUARANTINE.empty()).works
    b = normalise_records(records(*reversed(rows)), QUARANTINE.empty()).works
    assert a.sort("title")["work_id"].to_list() == b.sort("title")["work_id"].to_list()
    assert a.equals(a.sort("work_id"))


def test_citations_resolve_by_doi_wos_cr_and_openalex_id():
    recs = records(
        {
            "title": "Cited by DOI",
            "year": 2017,
            "doi": "10.1016/j.joi.2017.08.007",
            "authors": ["Aria, M"],
            "volume": "11",
            "first_page": "959",
        },
        {
            "title": "Cited by CR key",
            "year": 2015,
            "authors": ["Zupic, I"],
            "volume": "18",
            "first_page": "429",
        },
        {
            "source": "openalex",
            "source_file": "o.csv",
            "title": "OpenAlex work",
            "year": 2010,
            "source_id": "W123",
        },
        {
            "title": "The citing paper",
            "year": 2021,
            "authors": ["New, A"],
            "cited_refs": [
                "Aria M, 2017, J INFORMETR, V11, P959, DOI 10.1016/j.joi.2017.08.007",
                "Zupic I, 2015, ORGAN RES METHODS, V18, P429",
                "Unknown X, 1999, SOME J, V1, P1",
                "W123",
            ],
        },
    )
    result = normalise_records(recs, QUARANTINE.empty())
    cit = result.citations
    assert cit.height == 4
    assert cit["citing_year"].unique().to_list() == [2021]
    by = dict(zip(cit["resolved_by"].fill_null("none"), cit["cited_work_id"], strict=True))
    works = result.works.select("title", "work_id").rows_by_key("title", unique=True)
    assert by["doi"] == works["Cited by DOI"][0]
    assert by["wos_cr"] == works["Cited by CR key"][0]
    assert by["openalex_id"] == works["OpenAlex work"][0]
    assert by["none"] is None
    assert "ref:unknown|1999|1|1" in cit["cited_key"].to_list()
