"""Property-based tests of every reader (hypothesis): random bytes, truncation anywhere, and
mutated real records never raise anything but a one-line `FrontsError`, and every record a
reader finds is either accepted or quarantined, numbered 1..n without a gap.

The examples are derandomised (the same on every machine and run); `max_examples` per property
is in `EXAMPLES`. Run with `--hypothesis-show-statistics` to see what each property tried.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fronts.config import IngestConfig
from fronts.errors import FrontsError
from fronts.ingest.common import ReadResult
from fronts.ingest.detect import FORMATS, read_file

CONFIG = IngestConfig()
EXAMPLES = 150
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# One real-shaped file per reader (the format it must be read as).
SAMPLES = {
    "wos": "wos/valid.txt",
    "wos_tab": "wos/tab_failures.txt",
    "ris": "ris/scopus.ris",
    "pubmed": "pubmed/pubmed-sample.nbib",
    "pubmed_xml": "pubmed/pubmed-sample.xml",
    "endnote": "chinese/cnki-endnote.txt",
    "noteexpress": "chinese/wanfang-noteexpress.txt",
    "cnki": "chinese/cnki-estudy.txt",
    "cochrane": "cochrane-central.txt",
    "bibtex": "bibtex/wos.bib",
    "crossref": "crossref/works-page.json",
    "openalex": "openalex/works.jsonl",
    "dimensions": "dimensions/dimensions-export.csv",
    "lens": "lens/lens-export.csv",
    "scopus": "scopus/export_2019.csv",
    "tabular": "tabular/ieee_export.csv",
}
SETTINGS = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


def test_every_reader_has_a_sample():
    assert set(SAMPLES) == set(FORMATS)


def read_or_refuse(path: Path, fmt: str | None = None) -> ReadResult | None:
    """The read, checked: nothing lost; or the refusal, checked: one line naming the file."""
    try:
        result = read_file(path, CONFIG, fmt=fmt)
    except FrontsError as exc:
        message = str(exc)
        assert "\n" not in message.strip(), message
        assert str(path) in message or path.name in message, message
        return None
    numbers = sorted(
        result.records["record_no"].to_list() + result.quarantine["record_no"].to_list()
    )
    assert numbers == list(range(1, result.n_read + 1))
    assert all(r and "\n" not in r for r in result.quarantine["reason"].to_list())
    assert result.records["title"].null_count() == 0
    return result


def _write(tmp_path: Path, data: bytes, name: str = "input") -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@SETTINGS
@given(data=st.binary(max_size=4096))
def test_random_bytes_are_read_or_refused_in_one_line(tmp_path, data):
    read_or_refuse(_write(tmp_path, data))


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@SETTINGS
@given(cut=st.floats(min_value=0.0, max_value=1.0))
def test_a_file_cut_anywhere_loses_nothing(tmp_path, fmt, cut):
    data = (FIXTURES / SAMPLES[fmt]).read_bytes()
    path = _write(tmp_path, data[: int(len(data) * cut)], Path(SAMPLES[fmt]).name)
    read_or_refuse(path)
    read_or_refuse(path, fmt)


def _mutate(lines: list[str], op: str, i: int, j: int, blob: str) -> list[str]:
    if not lines:
        return lines
    i, j = i % len(lines), j % len(lines)
    out = list(lines)
    if op == "delete":
        del out[i]
    elif op == "duplicate":
        out.insert(i, out[i])
    elif op == "swap":
        out[i], out[j] = out[j], out[i]
    elif op == "long":
        out[i] = out[i] + "x" * 200_000
    elif op == "insert":
        out.insert(i, blob)
    elif op == "truncate_line":
        out[i] = out[i][: len(out[i]) // 2]
    return out


@pytest.mark.parametrize("fmt", sorted(SAMPLES))
@SETTINGS
@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["delete", "duplicate", "swap", "long", "insert", "truncate_line"]),
            st.integers(0, 10_000),
            st.integers(0, 10_000),
            st.text(max_size=80),
        ),
        min_size=1,
        max_size=4,
    ),
    encoding=st.sampled_from(["utf-8", "latin-1", "utf-16"]),
)
def test_mutated_real_records_lose_nothing(tmp_path, fmt, ops, encoding):
    text = (FIXTURES / SAMPLES[fmt]).read_text(encoding="utf-8-sig", errors="replace")
    lines = text.split("\n")
    for op, i, j, blob in ops:
        lines = _mutate(lines, op, i, j, blob)
    data = "\n".join(lines).encode(encoding, errors="replace")
    path = _write(tmp_path, data, Path(SAMPLES[fmt]).name)
    read_or_refuse(path)
    read_or_refuse(path, fmt)


@settings(SETTINGS, max_examples=30)
@given(
    fmt=st.sampled_from(sorted(SAMPLES)),
    cut=st.floats(min_value=0.0, max_value=1.0),
    noise=st.binary(max_size=64),
)
def test_the_cli_fails_only_with_one_line(tmp_path_factory, capsys, fmt, cut, noise):
    from fronts.cli import main

    folder = tmp_path_factory.mktemp("cli")
    data = (FIXTURES / SAMPLES[fmt]).read_bytes()
    k = int(len(data) * cut)
    path = _write(folder, data[:k] + noise + data[k:], Path(SAMPLES[fmt]).name)
    code = main(["ingest", str(path), "--db", str(folder / "w.duckdb")])
    err = capsys.readouterr().err
    assert "Traceback" not in err and "unexpected error" not in err, err
    errors = [line for line in err.splitlines() if ": warning: " not in line]
    assert (code == 0 and not errors) or (code in (1, 2) and len(errors) == 1), (code, err)
