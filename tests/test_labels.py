"""Titles: short, written as the texts write them, and never two alike."""

from fronts.labels import distinguish_title, generic_phrases, make_title

TEXTS = [
    "We study data literacy and Data Visualization in K-12 classrooms.",
    "Data literacy programmes teach data visualization to teachers.",
    "A course on data literacy for AI in schools.",
]


def test_title_joins_the_two_leading_phrases_as_the_texts_write_them():
    title, lead = make_title(["data literacy", "data visualization", "teachers"], TEXTS)
    assert title == "Data literacy and data visualization"
    assert lead == "data literacy"


def test_a_taken_phrase_does_not_lead_where_another_can():
    title, lead = make_title(
        ["data literacy", "data visualization"], TEXTS, taken=frozenset({"data literacy"})
    )
    assert lead == "data visualization" and title.startswith("Data visualization")


def test_field_phrases_come_last():
    reps = [["data science", f"topic{i} words"] for i in range(4)]
    field = generic_phrases(reps)
    assert field == frozenset({"data science"})
    title, lead = make_title(["data science", "data literacy"], TEXTS, generic=field)
    assert lead == "data literacy" and title.endswith("data science")


def test_no_terms_no_title():
    assert make_title([], TEXTS) == ("", None)


def test_a_title_already_given_is_qualified_by_a_term_that_adds_a_word():
    used = {"data science"}
    title = distinguish_title("Data science", ["data science", "data", "curriculum"], [], used)
    assert title == "Data science: curriculum"


def test_a_title_without_distinguishing_terms_is_numbered():
    used = {"data science", "data science (2)"}
    assert distinguish_title("Data science", ["data science"], [], used) == "Data science (3)"
    assert distinguish_title("Data literacy", ["data science"], [], used) == "Data literacy"
