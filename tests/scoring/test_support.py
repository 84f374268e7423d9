import numpy as np
import polars as pl
import pytest

from fronts.config import ScoreConfig, SupportConfig
from fronts.scoring import score_topics
from fronts.scoring.support import author_groups, author_key, topic_support, venue_key

WINDOW = (2019, 2024)


@pytest.mark.parametrize(
    ("name", "key"),
    [
        ("Smith, John", "smith|j"),
        ("Smith, J.", "smith|j"),
        ("Smith J.", "smith|j"),
        ("SMITH, JA", "smith|j"),
        ("van der Berg, J", "vanderberg|j"),
        ("Müller, Anna", "muller|a"),
        ("John Smith", "smith|j"),
        ("Plato", "plato|"),
        ("", ""),
        (None, ""),
    ],
)
def test_author_key(name, key):
    assert author_key(name) == key


def test_venue_key_ignores_case_and_punctuation():
    assert venue_key("Computers & Education") == venue_key("COMPUTERS  EDUCATION.")
    assert venue_key(None) == ""


def test_author_groups_are_connected_components_within_a_topic():
    topic_idx = np.array([0, 0, 0, 0, 1, 1])
    authors = [["a|x", "b|y"], ["b|y", "c|z"], ["d|w"], [], ["a|x"], ["a|x"]]
    # topic 0: works 1-2 share b|y, work 3 alone, work 4 has no author -> 2 groups;
    # topic 1: one group, and a|x in topic 0 does not link across topics
    assert author_groups(topic_idx, authors, 2).tolist() == [2, 1]


def _support(topic_idx, years, venues, authors, **criteria):
    return topic_support(
        np.array(topic_idx), np.array(years) - WINDOW[0], 3, venues, authors,
        SupportConfig(**criteria),
    )  # fmt: skip


def test_eleven_chapters_of_one_book_in_one_year_are_not_supported():
    # topic 0: 11 chapters of one handbook in 2023 plus 2 articles; topic 1: a spread front;
    # topic 2: one lab (every work shares an author) over many venues and years.
    topic, years, venues, authors = [], [], [], []
    for i in range(11):
        topic.append(0), years.append(2023), venues.append("Handbook of Data Teaching")
        authors.append([f"Author{i}, A"])
    for year, venue in ((2022, "J Stat Educ"), (2024, "Comput Educ")):
        topic.append(0), years.append(year), venues.append(venue), authors.append([f"X{year}, B"])
    for i in range(12):
        topic.append(1), years.append(2019 + i % 4), venues.append(f"Journal {i % 6}")
        authors.append([f"Writer{i}, C", f"Writer{i + 1}, C"] if i % 3 == 0 else [f"Solo{i}, D"])
    for i in range(9):
        topic.append(2), years.append(2019 + i % 5), venues.append(f"Venue {i}")
        authors.append(["Smith, J", f"Student{i}, E"])
    s = _support(topic, years, venues, authors)
    assert s.n_years.tolist() == [3, 4, 5]
    assert s.n_venues.tolist() == [3, 6, 9]
    assert s.max_venue_year_share[0] == pytest.approx(11 / 13)
    assert s.n_author_groups.tolist()[2] == 1
    assert s.supported.tolist() == [False, True, False]


def test_thresholds_are_applied_as_configured():
    topic = [0] * 8
    years = [2019, 2020, 2020, 2021, 2021, 2022, 2022, 2023]
    venues = [f"V{i % 4}" for i in range(8)]
    authors = [[f"A{i}, Z"] for i in range(8)]
    assert _support(topic, years, venues, authors).supported[0]
    assert not _support(topic, years, venues, authors, min_works=9).supported[0]
    assert not _support(topic, years, venues, authors, min_years=6).supported[0]
    assert not _support(topic, years, venues, authors, min_venues=5).supported[0]
    assert not _support(topic, years, venues, authors, min_author_groups=9).supported[0]
    assert not _support(topic, years, venues, authors, max_venue_year_share=0.1).supported[0]


def test_fields_a_corpus_lacks_are_not_held_against_a_front():
    topic = [0] * 8
    years = [2019, 2020, 2021] * 2 + [2022, 2023]
    s = _support(topic, years, None, None)
    assert s.supported[0] and s.n_venues[0] == 0 and np.isnan(s.max_venue_year_share[0])
    # A venue on only 3 of 8 works (under half) is not checked either.
    venues = ["Only Venue"] * 3 + [None] * 5
    assert _support(topic, years, venues, None).supported[0]
    venues = ["Only Venue"] * 8
    assert not _support(topic, years, venues, None).supported[0]


def test_an_unsupported_burst_is_never_classed_emerging(make_corpus):
    old = [20, 20, 20, 5, 5, 5]
    counts = {t: old for t in range(4)}
    counts |= {4: [10, 20, 30, 40, 50, 60], 5: [10, 20, 30, 40, 50, 61], 6: [0, 0, 0, 1, 4, 8]}
    counts[7] = [20] * 6

    def cites(topic, year, i):
        return 10 * (year - 2018) if topic == 6 else 1

    works, docs, topics, citations = make_corpus(counts, times_cited=cites)
    topic_of = dict(zip(docs["work_id"], docs["topic_id"], strict=True))
    venue, authors = [], []
    for k, work_id in enumerate(works["work_id"]):
        spread = topic_of[work_id] != 6
        venue.append(f"Journal {k % 7}" if spread else "Proceedings of One Workshop")
        authors.append([f"Author{k}, A"])
    works = works.with_columns(
        venue=pl.Series(venue), authors=pl.Series(authors, dtype=pl.List(pl.String))
    )
    result = score_topics(works, docs, topics, citations, WINDOW, ScoreConfig(bootstrap=0), 1)
    by_topic = {r["topic_id"]: r for r in result.fronts.iter_rows(named=True)}
    assert by_topic[6]["class"] == "established" and not by_topic[6]["supported"]
    scores = result.topic_scores.filter(pl.col("topic_id") == 6).row(0, named=True)
    assert scores["n_venues"] == 1 and scores["max_venue_year_share"] == pytest.approx(8 / 13)
    # The same front spread over venues is emerging (the support rule was the only obstacle).
    spread = works.with_columns(venue=pl.format("Journal {}", pl.int_range(pl.len()) % 7))
    again = score_topics(spread, docs, topics, citations, WINDOW, ScoreConfig(bootstrap=0), 1)
    classes = dict(zip(again.fronts["topic_id"], again.fronts["class"], strict=True))
    assert classes[6] == "emerging"
    assert by_topic[4]["class"] == "hot"  # support never touches hot or the ranks
    assert result.fronts["rank"].to_list() == again.fronts["rank"].to_list()


def test_robustness_settings_are_validated_with_the_key_named():
    from fronts.config import config_from_dict
    from fronts.errors import ConfigError

    config = config_from_dict({"score": {"support": {"min_venues": 2}, "off_topic": {}}})
    assert config.score.support.min_venues == 2 and config.score.off_topic.similarity_z == -3.5
    for bad, key in (
        ({"support": {"max_venue_year_share": 0}}, "score.support.max_venue_year_share"),
        ({"off_topic": {"similarity_z": 1.0}}, "score.off_topic.similarity_z"),
        ({"off_topic": {"relevance": -2}}, "score.off_topic.relevance"),
    ):
        with pytest.raises(ConfigError, match=key):
            config_from_dict({"score": bad})
