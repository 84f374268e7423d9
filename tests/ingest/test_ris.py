import re
from pathlib import Path

import pytest

from fronts.config import IngestConfig
from fronts.errors import InputFormatError
from fronts.ingest import bibtex, ris
from fronts.ingest.common import read_head
from fronts.ingest.markup import strip_markup

CONFIG = IngestConfig()


def _read(path: Path):
    return ris.read(path, CONFIG)


def _wos_txt(txt: Path) -> dict[str, dict[str, list[str]]]:
    """WoS plain-text records by UT, tag -> lines, by a plain line scan."""
    records: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    tag = None
    for line in txt.read_text(encoding="utf-8-sig").splitlines():
        if line.startswith("ER"):
            records[current["UT"][0]] = current
            current = {}
        elif line[:2].strip() and line[2:3] == " ":
            tag = line[:2]
            current.setdefault(tag, []).append(line[3:])
        elif line.startswith("   ") and tag:
            current[tag].append(line[3:])
    return records


# --------------------------------------------------------------------------- sniffing


def test_sniff(fixtures_dir):
    for path in sorted((fixtures_dir / "ris").glob("*.ris")):
        assert ris.sniff(path, read_head(path), CONFIG), path.name
    path = Path("x.ris")
    assert ris.sniff(path, "\n\nTY  - JOUR\r\nTI  - T\r\n", CONFIG)
    assert not ris.sniff(path, "FN Clarivate Analytics Web of Science\nVR 1.0\n", CONFIG)
    assert not ris.sniff(path, "@article{x,\n title={T}}\n", CONFIG)
    assert not ris.sniff(path, "Title,Year\nTY  - JOUR,2020\n", CONFIG)


# --------------------------------------------------------------------------- flavours


def test_wos_ris(fixtures_dir):
    result = _read(fixtures_dir / "ris" / "wos.ris")
    assert (result.n_read, result.records.height) == (2, 2)
    first, second = result.records.iter_rows(named=True)
    assert first["source_id"] == "WOS:001234567800001"
    assert first["times_cited"] == 17  # Core Collection count, as the txt TC
    assert first["authors"] == ["Lindqvist, AK", "Okafor, C", "Zhang, W"]
    # Repeated tags separated by a bare carriage return are separate values.
    assert first["affiliations"] == [
        "Uppsala Univ, Dept Educ, S-75105 Uppsala, Sweden",
        "Univ Lagos, Fac Educ, Lagos, Nigeria",
        "Peking Univ, Grad Sch Educ, Beijing 100871, Peoples R China",
    ]
    assert first["countries"] == ["Sweden", "Nigeria", "China"]
    assert first["author_keywords"] == ["Generative AI", "Self-regulated learning", "FEEDBACK"]
    assert (first["venue"], first["volume"], first["first_page"]) == (
        "COMPUTERS & EDUCATION",
        "210",
        "104951",
    )
    assert (first["doc_type"], first["year"], first["cited_refs"]) == ("JOUR", 2024, [])
    assert (second["source_id"], second["times_cited"]) == ("WOS:001234567800002", 0)


def test_scopus_ris(fixtures_dir):
    result = _read(fixtures_dir / "ris" / "scopus.ris")
    first, second = result.records.iter_rows(named=True)
    assert first["source_id"] == "2-s2.0-85201234567"
    assert (first["times_cited"], first["doc_type"], first["first_page"]) == (12, "Article", "101")
    assert first["venue"] == "Education and Information Technologies"
    assert first["countries"] == ["Egypt", "Portugal"]
    assert first["doi"] == "10.1007/s10639-024-12345-6"
    assert (second["source_id"], second["doc_type"], second["times_cited"]) == (
        "2-s2.0-85170000001",
        "Conference paper",
        3,
    )


def test_endnote_ris(fixtures_dir):
    first, second = _read(fixtures_dir / "ris" / "endnote.ris").records.iter_rows(named=True)
    assert first["title"] == "Learning analytics dashboards for teachers"  # T1
    assert first["authors"] == ["Silva, Mariana", "Müller, Tobias"]  # A1
    assert (first["year"], first["venue"]) == (2019, "Computers & Education")  # Y1, JF
    assert first["abstract"] == "This review synthesises 58 studies of teacher-facing dashboards."
    assert first["doi"] == "10.1016/j.compedu.2019.04.001"  # from the doi.org UR
    assert first["source_id"] == "ris:30551234"
    assert (second["year"], second["doc_type"], second["source_id"]) == (2021, "CHAP", "ris:17")
    assert second["author_keywords"] == ["feedback", "assessment"]


# --------------------------------------------------------------------------- failure modes


def test_failure_modes_each_record_accounted_for(fixtures_dir):
    result = _read(fixtures_dir / "ris" / "broken.ris")
    assert (result.n_read, result.records.height, result.quarantine.height) == (8, 1, 7)
    reasons = dict(zip(result.quarantine["record_no"], result.quarantine["reason"], strict=True))
    assert reasons.pop(3).startswith("impossible year 3021 (accepted: 1800-")
    assert reasons == {
        2: "missing title",
        4: "truncated record: no ER line before the next TY",
        5: "missing publication year",
        6: "record without a TY start line",
        7: "undecodable text in field 'title' (bytes that are not valid UTF-8)",
        8: "truncated record: no ER line before the end of the file",
    }
    assert result.records["title"][0] == "A complete record"
    raw = dict(zip(result.quarantine["record_no"], result.quarantine["raw"], strict=True))
    assert raw[8].endswith("AB  - Half an abstr")
    assert raw[6].startswith("stray text that belongs to no record")


def test_stray_lines_after_the_last_record_are_noted(tmp_path):
    path = tmp_path / "x.ris"
    path.write_text("TY  - JOUR\nTI  - T\nPY  - 2020\nER  - \n\nexported by a tool\n")
    result = _read(path)
    assert (result.n_read, result.notes) == (
        1,
        ["1 non-empty line(s) outside any TY..ER record were ignored"],
    )


def test_file_without_records_is_an_input_error(tmp_path):
    path = tmp_path / "x.ris"
    path.write_text("just some text\n", encoding="utf-8")
    with pytest.raises(InputFormatError, match="no RIS records"):
        _read(path)


# --------------------------------------------------------------------------- real corpora


def test_genai_authorship_ris_matches_the_wos_txt(shared_corpora):
    folder = shared_corpora / "genai-authorship-wos"
    txt = _wos_txt(folder / "savedrecs.txt")
    result = _read(folder / "savedrecs.ris")
    recs = result.records
    assert (result.n_read, recs.height, result.quarantine.height) == (469, 469, 0)
    assert set(recs["source_id"]) == set(txt)
    assert recs["abstract"].is_not_null().sum() == 355
    assert recs["times_cited"].sum() == 1404
    assert recs["doi"].is_not_null().sum() == 444
    # What WoS RIS lacks compared with txt: cited references and the document type.
    assert (recs["cited_refs"].list.len() > 0).sum() == 0
    assert set(recs["doc_type"]) == {"JOUR"}
    for row in recs.iter_rows(named=True):
        rec = txt[row["source_id"]]
        assert row["authors"] == list(dict.fromkeys(rec["AU"]))  # short form, like txt AU
        assert row["times_cited"] == int(rec["TC"][0])
        # the same title, its markup (<i>Journal</i>) removed, the exported text kept
        exported = " ".join(rec["TI"])
        assert row["title"] == strip_markup(exported)
        assert row["title_raw"] == (exported if row["title"] != exported else None)
        assert "<i>" not in row["title"] and "&gt;" not in row["title"]
        # KW holds the author keywords followed by the Keywords Plus.
        keywords = [
            k.strip() for tag in ("DE", "ID") for k in " ".join(rec.get(tag, [])).split(";")
        ]
        assert row["author_keywords"] == list(dict.fromkeys(k for k in keywords if k))


def test_same_records_agree_across_bibtex_and_ris(shared_corpora):
    folder = shared_corpora / "genai-authorship-wos"
    cols = ["source_id", "doi", "year", "times_cited", "volume", "abstract"]
    bib = bibtex.read(folder / "savedrecs.bib", CONFIG).records.select(cols).sort("source_id")
    ris_ = _read(folder / "savedrecs.ris").records.select(cols).sort("source_id")
    for col in cols[:-1]:
        assert bib[col].to_list() == ris_[col].to_list(), col
    assert (bib["abstract"].is_null() == ris_["abstract"].is_null()).all()
    assert re.fullmatch(r"WOS:\d{15}", bib["source_id"][0])


def test_stray_lines_between_records_are_counted(tmp_path):
    path = tmp_path / "x.ris"
    path.write_text(
        "TY  - JOUR\nTI  - A\nPY  - 2020\nER  - \nnoise\nTY  - JOUR\nTI  - B\nPY  - 2021\nER  - \n"
    )
    result = _read(path)
    assert (result.n_read, result.records.height) == (2, 2)
    assert result.notes == ["1 non-empty line(s) outside any TY..ER record were ignored"]
