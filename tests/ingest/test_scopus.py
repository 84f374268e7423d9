from pathlib import Path

import polars as pl
import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import scopus
from fronts.ingest.common import read_head

CONFIG = IngestConfig()


def _read(path: Path):
    return scopus.read(path, CONFIG)


def _reasons(result) -> dict[int, str]:
    q = result.quarantine
    return dict(zip(q["record_no"], q["reason"], strict=True))


def _row(result, record_no: int) -> dict:
    return result.records.filter(pl.col("record_no") == record_no).row(0, named=True)


# --------------------------------------------------------------------------- fixtures


def test_sniff_recognises_both_export_generations(fixtures_dir):
    for name in ("export_2024.csv", "export_2019.csv"):
        path = fixtures_dir / "scopus" / name
        assert scopus.sniff(path, read_head(path), CONFIG)
    ieee = fixtures_dir / "tabular" / "ieee_export.csv"
    assert not scopus.sniff(ieee, read_head(ieee), CONFIG)


def test_every_row_is_accepted_or_quarantined_with_its_reason(fixtures_dir):
    result = _read(fixtures_dir / "scopus" / "export_2024.csv")
    assert result.n_read == 12
    assert result.records["record_no"].to_list() == [1, 2, 3, 4, 7, 11]
    reasons = _reasons(result)
    assert reasons[5] == "missing title"
    assert reasons[6].startswith("impossible year 3021")
    assert reasons[8] == "missing publication year"
    assert reasons[9] == "malformed CSV row: 45 cells where the header has 46"
    assert reasons[10].startswith("malformed CSV row (")
    assert reasons[12].startswith("undecodable text in field 'title'")
    assert "An unclosed" in result.quarantine.filter(pl.col("record_no") == 10)["raw"][0]


def test_fields_of_a_full_record(fixtures_dir):
    rec = _row(_read(fixtures_dir / "scopus" / "export_2024.csv"), 1)
    assert rec["source"] == "scopus"
    assert rec["source_id"] == "2-s2.0-85100000001"
    assert rec["doi"] == "10.1016/j.compedu.2023.104801"
    assert rec["year"] == 2023
    assert rec["venue"] == "Computers and Education"
    assert (rec["volume"], rec["first_page"]) == ("201", "101")
    assert (rec["doc_type"], rec["language"]) == ("Article", "English")
    assert rec["authors"] == ["Okafor, CN", "Lindqvist, ML", "de Souza, R"]
    assert rec["countries"] == ["Nigeria", "Sweden", "Brazil"]
    assert rec["affiliations"][0] == "Department of Education, University of Lagos, Lagos, Nigeria"
    assert rec["author_keywords"] == ["learning analytics", "dashboards", "science education"]
    assert len(rec["cited_refs"]) == 3
    assert rec["cited_refs"][1].startswith("Verbert, K., Duval, E., Klerkx, J., Learning")
    assert rec["times_cited"] == 12
    assert rec["abstract"].endswith("over one school year.")  # copyright notice cut off


def test_multiline_cells_article_numbers_and_empty_counts(fixtures_dir):
    result = _read(fixtures_dir / "scopus" / "export_2024.csv")
    two = _row(result, 2)
    assert two["abstract"].startswith("Teachers were interviewed twice. The second round")
    assert two["abstract"].endswith("more formative feedback.")
    assert two["authors"] == ["Nakamura, K", "Perritt, HH Jr."]
    three = _row(result, 3)
    assert three["abstract"] is None  # "[No abstract available]"
    assert three["first_page"] == "e0291"  # "Art. No." when there is no "Page start"
    assert three["times_cited"] == 0  # empty "Cited by"
    seven = _row(result, 7)
    assert seven["authors"] == seven["affiliations"] == seven["cited_refs"] == []


def test_html_entities_do_not_split_lists(fixtures_dir):
    rec = _row(_read(fixtures_dir / "scopus" / "export_2024.csv"), 4)
    assert rec["affiliations"] == [
        "Merck & Co., Rahway, NJ, United States",
        "UNSW Medicine & Health, Sydney, Australia",
    ]
    assert rec["countries"] == ["United States", "Australia"]
    assert rec["author_keywords"] == ["R&D", "STEM & society"]
    assert rec["authors"] == ["Hwang, S"]


def test_older_shorter_export(fixtures_dir):
    result = _read(fixtures_dir / "scopus" / "export_2019.csv")
    assert (result.n_read, result.records.height) == (3, 3)
    rows = result.records.to_dicts()
    assert rows[0]["authors"] == ["Wu, H", "Cui, H", "Van der Berg, JP"]
    assert rows[0]["first_page"] == "010125"
    assert rows[0]["cited_refs"] == []  # no "References" column in this export
    assert rows[1]["authors"] == ["Gleich, DF"]
    assert rows[1]["times_cited"] == 0
    assert rows[2]["authors"] == ["Fister, I Jr.", "Kolar, M"]
    assert rows[2]["abstract"].endswith("gamified with badges.")


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("Wu, H.; Cui, H.", ["Wu, H", "Cui, H"]),
        ("Parise O.; de Asmundis C.", ["Parise, O", "de Asmundis, C"]),
        ("Wu H., Cui H.", ["Wu, H", "Cui, H"]),
        ("Gleich, D.F.", ["Gleich, DF"]),
        ("Kleinberg, Jon M.", ["Kleinberg, Jon M."]),
        ("Perritt H.H., Jr.", ["Perritt, HH Jr."]),
        ("Irawan", ["Irawan"]),
        ("Bruno É.; Çınar Yağcı Ş.", ["Bruno, É", "Çınar Yağcı, Ş"]),
        ("[No author name available]", []),
        ("", []),
    ],
)
def test_author_shapes(cell, expected):
    assert scopus.scopus_authors(cell) == expected


def test_strip_copyright_keeps_text_and_mid_abstract_signs():
    assert scopus.strip_copyright("A" * 60 + ". © 2023 Elsevier B.V., All rights reserved.") == (
        "A" * 60 + "."
    )
    assert scopus.strip_copyright("B" * 60 + ". Copyright © 2024 ACM.") == "B" * 60 + "."
    assert scopus.strip_copyright("C" * 60 + ". IEEE") == "C" * 60 + "."
    early = "The © sign " + "x" * 700
    assert scopus.strip_copyright(early) == early
    assert scopus.strip_copyright("© 2020 short") == "© 2020 short"


def test_not_scopus_raises_naming_the_file(tmp_path):
    path = tmp_path / "other.csv"
    path.write_text("name,value\na,1\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match=r"other\.csv: not a Scopus CSV export"):
        _read(path)
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(InputFormatError, match="empty"):
        _read(empty)


# --------------------------------------------------------------------------- real corpora


@pytest.mark.parametrize(
    ("name", "n", "abstracts", "refs", "dois", "cited_sum", "in_2019_2024", "years"),
    [
        ("biblium-samples/scopus_reviews_200.csv", 200, 182, 191, 194, 144_180, 44, (1976, 2024)),
        (
            "bibexpy-genai/scopus_genai_3658.csv.gz",
            3658,
            3546,
            0,
            3562,
            25_922,
            3543,
            (1985, 2025),
        ),
        ("data-science-education/scopus_dse_318.csv", 318, 306, 303, 288, 2_329, 274, (2012, 2025)),
    ],
)
def test_real_exports(
    shared_corpora, name, n, abstracts, refs, dois, cited_sum, in_2019_2024, years
):
    result = _read(shared_corpora / name)
    df = result.records
    assert (result.n_read, df.height, result.quarantine.height) == (n, n, 0)
    # PROVENANCE counts "[No abstract available]" cells as abstracts; they are not.
    assert df["abstract"].is_not_null().sum() == abstracts
    assert (df["cited_refs"].list.len() > 0).sum() == refs
    assert df["doi"].is_not_null().sum() == dois
    assert df["times_cited"].sum() == cited_sum
    assert df["year"].is_between(2019, 2024).sum() == in_2019_2024
    assert (df["year"].min(), df["year"].max()) == years
    assert df["source_id"].str.starts_with("2-s2.0-").all()
    assert df["source_id"].n_unique() == n
    # Countries come from nearly every record with affiliations.
    with_affiliations = (df["affiliations"].list.len() > 0).sum()
    assert (df["countries"].list.len() > 0).sum() >= 0.97 * with_affiliations
    # Notices are cut; two in bibexpy lost their "©" in the export and stay ("Thieme. All ...").
    assert df["abstract"].str.contains("All rights reserved").sum() == (2 if n == 3658 else 0)


def test_real_author_styles_are_unified(shared_corpora):
    new = _read(shared_corpora / "biblium-samples/scopus_reviews_200.csv").records
    old = _read(shared_corpora / "data-science-education/scopus_dse_318.csv").records
    assert new["authors"].to_list()[0][:2] == ["Wu, H", "Cui, H"]  # from "Wu, H.; Cui, H."
    # from "Flood E.L.; Schweig L."
    assert old["authors"].to_list()[0][:2] == ["Flood, EL", "Schweig, L"]
