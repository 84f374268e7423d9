import re
from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import bibtex
from fronts.ingest.common import read_head

CONFIG = IngestConfig()


def _read(path: Path):
    return bibtex.read(path, CONFIG)


def _first(path: Path) -> dict:
    return _read(path).records.row(0, named=True)


def _wos_uts(txt: Path) -> set[str]:
    """UT values of a WoS plain-text export, by a plain line scan."""
    text = txt.read_text(encoding="utf-8-sig")
    return set(re.findall(r"^UT (\S+)", text, flags=re.MULTILINE))


# --------------------------------------------------------------------------- sniffing


def test_sniff_accepts_every_flavour(fixtures_dir):
    for path in sorted((fixtures_dir / "bibtex").glob("*.bib")):
        assert bibtex.sniff(path, read_head(path), CONFIG), path.name


def test_sniff_refuses_other_formats_and_comment_only_files():
    path = Path("x.bib")
    assert not bibtex.sniff(path, "TY  - JOUR\nTI  - A title\nER  - \n", CONFIG)
    assert not bibtex.sniff(path, "FN Clarivate Analytics Web of Science\nVR 1.0\n", CONFIG)
    assert not bibtex.sniff(path, "Title,Year\nmail me @home{x},2020\n", CONFIG)
    assert not bibtex.sniff(path, '@comment{nothing}\n@string{j = "J"}\n', CONFIG)


# --------------------------------------------------------------------------- flavours


def test_wos_flavour(fixtures_dir):
    result = _read(fixtures_dir / "bibtex" / "wos.bib")
    assert (result.n_read, result.records.height) == (3, 3)
    first, early, proc = result.records.iter_rows(named=True)
    assert first["source_id"] == "WOS:001234567800001"
    assert first["title"] == (
        'Generative AI tutors and student self-regulation: evidence from a "field" experiment'
        " in [higher] education"
    )
    assert first["abstract"].endswith(
        "rose by 12% in the treatment group; tutors using 'scaffolded' prompts helped most."
    )
    assert first["venue"] == "COMPUTERS & EDUCATION"
    assert first["authors"] == ["Lindqvist, Anna K.", "Okafor, Chidi", "Zhang, Wei"]
    # Author names are stripped from addresses, reprint lines dropped, as in the txt C1.
    assert first["affiliations"] == [
        "Uppsala Univ, Dept Educ, S-75105 Uppsala, Sweden",
        "Univ Lagos, Fac Educ, Lagos, Nigeria",
        "Peking Univ, Grad Sch Educ, Beijing 100871, Peoples R China",
    ]
    assert first["countries"] == ["Sweden", "Nigeria", "China"]
    assert first["author_keywords"] == [
        "Generative AI",
        "Intelligent tutoring systems",
        "Self-regulated learning",
    ]
    assert first["cited_refs"][2] == "Zimmerman B. J., 2002, THEOR PRACT, V41, P64"
    assert first["cited_dois"] == ["10.1080/00461520.2018.1555020", "10.1016/j.lindif.2023.102274"]
    assert (first["times_cited"], first["first_page"], first["doc_type"]) == (
        17,
        "104951",
        "Article",
    )
    # No Year: the early-access year is used.
    assert early["year"] == 2024 and early["doc_type"] == "Editorial Material; Early Access"
    assert early["affiliations"] == ["Sorbonne Univ, Paris, France"]
    assert proc["venue"] == "ARTIFICIAL INTELLIGENCE IN EDUCATION (AIED 2023)"
    assert proc["first_page"] == "29"  # "29+"
    assert proc["countries"] == ["Spain", "United States"]
    assert proc["cited_dois"] == ["10.1145/3545945.3569759"]


def test_scopus_flavour(fixtures_dir):
    result = _read(fixtures_dir / "bibtex" / "scopus.bib")
    assert (result.n_read, result.records.height) == (2, 2)  # the header is not a record
    first, second = result.records.iter_rows(named=True)
    assert first["source_id"] == "2-s2.0-85201234567"
    assert first["times_cited"] == 12
    assert first["abstract"].startswith("Planning time fell by 35% on average, and 62% of")
    assert first["author_keywords"] == ["ChatGPT", "Lesson planning", "Teacher education"]
    assert first["countries"] == ["Egypt", "Portugal"]
    assert first["authors"] == ["Hassan, Nour", "Ribeiro, João Pedro"]
    assert (first["first_page"], first["doc_type"]) == ("101", "Article")
    # Scopus `keywords` are index keywords, not the authors'.
    assert second["author_keywords"] == []
    assert (second["times_cited"], second["first_page"], second["doc_type"]) == (3, None, "Review")


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "ieee.bib",
            {
                "source_id": "bibtex:10123456",
                "title": "Detecting AI-Generated Essays With Stylometric Features",
                "venue": "IEEE Transactions on Learning Technologies",
                "first_page": "712",
                "doc_type": "article",
                "author_keywords": [
                    "Essays",
                    "Feature extraction",
                    "Large language models",
                    "Education",
                ],
            },
        ),
        (
            "acm.bib",
            {
                "source_id": "bibtex:10.1145/3544548.3580919",
                "venue": "Proceedings of the 2023 CHI Conference on Human Factors in Computing "
                "Systems",
                "first_page": "455",  # articleno, no pages
                "doc_type": "inproceedings",
                "authors": ["Kazemitabaar, Majeed", "Chow, Justin", "Ma, Carl Ka To"],
                "author_keywords": [
                    "AI code generators",
                    "introductory programming",
                    "K-12 education",
                ],
            },
        ),
        (
            "sciencedirect.bib",
            {
                "doi": "10.1016/j.caeo.2024.100215",
                "first_page": "100215",
                "authors": ["Silva, Mariana", "Müller, Tobias", "van den Berg, Hendrik"],
                "author_keywords": [
                    "Learning analytics",
                    "Dashboards",
                    "Teachers",
                    "Systematic review",
                ],
            },
        ),
        (
            "sage.bib",
            {
                "source_id": "bibtex:doi:10.1177/07356331231191234",
                "abstract": "Students (N = 412) rated feedback from a generative AI system.",
                "authors": ["Brooks, Amanda J.", "Wen, Li"],
                "first_page": "3",
                "year": 2024,
            },
        ),
        (
            "tandf.bib",
            {
                "doi": "10.1080/09500693.2023.2212345",
                "authors": ["Costa, Rita", "O'Neill, Declan"],
                "venue": "International Journal of Science Education",
                "volume": "45",
                "first_page": "1180",
            },
        ),
    ],
)
def test_publisher_flavours(fixtures_dir, name, expected):
    rec = _first(fixtures_dir / "bibtex" / name)
    assert {key: rec[key] for key in expected} == expected


def test_acm_journal_article_with_en_dash_pages(fixtures_dir):
    rows = list(_read(fixtures_dir / "bibtex" / "acm.bib").records.iter_rows(named=True))
    assert (rows[1]["first_page"], rows[1]["venue"], rows[1]["year"]) == ("56", "Commun. ACM", 2024)


# --------------------------------------------------------------------------- failure modes


def test_failure_modes_each_block_accounted_for(fixtures_dir):
    result = _read(fixtures_dir / "bibtex" / "broken.bib")
    # 9 @-blocks: comment, string and preamble are not records; 6 entries are.
    assert (result.n_read, result.records.height, result.quarantine.height) == (6, 3, 3)
    reasons = dict(zip(result.quarantine["record_no"], result.quarantine["reason"], strict=True))
    assert reasons[2] == (
        "unparseable BibTeX entry (line 13): Expected a `=` after entry key, but found `{`."
    )
    assert reasons[3] == "missing title"
    assert reasons[4].startswith("impossible year 3021")
    raw = result.quarantine["raw"][0]
    assert raw.startswith("@article{broken2020") and "year = {2020}" in raw  # the whole block
    good = list(result.records.iter_rows(named=True))
    assert good[0]["venue"] == "International Journal of Science Education"  # @string resolved
    assert [r["source_id"] for r in good] == [
        "bibtex:good2021",
        "bibtex:good2021",
        "bibtex:wrapped2024",
    ]  # repeated key still read
    # WoS wraps a special character in a LaTeX document; the text keeps the character, and
    # the exported form is kept beside it
    assert good[2]["abstract"] == "GPT - - 3.5 model"
    assert good[2]["abstract_raw"] == r"GPT - \begin{document}$$-$$\end{document} 3.5 model"


def test_invalid_utf8_bytes_quarantine_only_their_entry(fixtures_dir):
    result = _read(fixtures_dir / "bibtex" / "undecodable.bib")
    assert (result.n_read, result.records.height) == (2, 1)
    assert result.records["title"][0] == "Café culture and learning"
    assert result.quarantine["reason"][0].startswith("undecodable text in field 'title'")


def test_file_without_entries_is_an_input_error(tmp_path):
    path = tmp_path / "empty.bib"
    path.write_text("@comment{only a comment}\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="no BibTeX entries"):
        _read(path)


# --------------------------------------------------------------------------- real corpora


def test_genai_authorship_bib_matches_the_wos_txt(shared_corpora):
    folder = shared_corpora / "genai-authorship-wos"
    result = _read(folder / "savedrecs.bib")
    recs = result.records
    # One entry in this export is only parseable after re-joining a wrapped `\}` escape.
    assert (result.n_read, recs.height, result.quarantine.height) == (469, 469, 0)
    assert set(recs["source_id"]) == _wos_uts(folder / "savedrecs.txt")
    assert recs["abstract"].is_not_null().sum() == 355
    assert recs["times_cited"].sum() == 1404
    assert (recs["cited_refs"].list.len() > 0).sum() == 430
    assert recs["doi"].is_not_null().sum() == 444
    assert recs["year"].min() == 2020 and recs["year"].max() == 2024


@pytest.mark.parametrize(
    ("path", "n", "abstracts", "refs"),
    [
        ("human-ai-hybrids/wos_human_ai_hybrids_471.bib", 471, 467, 462),
        ("science-education-quality/wos_sciedu_152.bib", 152, 152, 152),
    ],
)
def test_wos_bib_corpora(shared_corpora, path, n, abstracts, refs):
    result = _read(shared_corpora / path)
    recs = result.records
    assert (result.n_read, recs.height) == (n, n)
    assert recs["source_id"].str.starts_with("WOS:").all() and recs["source_id"].n_unique() == n
    assert recs["abstract"].is_not_null().sum() == abstracts
    assert (recs["cited_refs"].list.len() > 0).sum() == refs
    assert recs["times_cited"].is_not_null().all()


def test_scopus_bib_every_block_is_a_record(shared_corpora):
    path = shared_corpora / "science-education-quality" / "scopus_sciedu_232.bib"
    n_blocks = len(re.findall(r"^@", path.read_text(encoding="utf-8-sig"), flags=re.MULTILINE))
    result = _read(path)
    recs = result.records
    # All 232 @-blocks are complete entries. PROVENANCE's "226" is the number that have
    # author keywords (6 entries have none); bibliometrix also loads 232 from this file.
    assert (n_blocks, result.n_read, recs.height, result.quarantine.height) == (232, 232, 232, 0)
    assert (recs["author_keywords"].list.len() > 0).sum() == 226
    assert recs["abstract"].is_not_null().sum() == 232
    assert recs["times_cited"].is_not_null().all()
    assert (
        recs["source_id"].str.starts_with("2-s2.0-").all() and recs["source_id"].n_unique() == 232
    )
    # Scopus does not escape '%': abstracts must not be cut at it as a LaTeX comment.
    assert recs["abstract"].str.contains("%").sum() == 18


def test_entry_with_a_repeated_field_is_quarantined(tmp_path):
    path = tmp_path / "x.bib"
    path.write_text("@article{a,\n title = {X},\n title = {Y},\n year = {2020}\n}\n")
    result = _read(path)
    assert (result.n_read, result.records.height) == (1, 0)
    assert result.quarantine["reason"][0] == (
        "unparseable BibTeX entry (line 1): the same field given twice (title)"
    )


def test_gzipped_file_reads_the_same(fixtures_dir, tmp_path):
    import gzip

    source = fixtures_dir / "bibtex" / "wos.bib"
    packed = tmp_path / "wos.bib.gz"
    packed.write_bytes(gzip.compress(source.read_bytes()))
    assert bibtex.sniff(packed, read_head(packed), CONFIG)
    plain, gz = _read(source).records, _read(packed).records
    assert gz.drop("source_file").equals(plain.drop("source_file"))
