"""The report in a real headless Chromium, from file:// URLs, as an editor would open it."""

from __future__ import annotations

import io
import re

import pytest
from report_fixture import HOSTILE_LABEL, HOSTILE_TITLE, RUN_ID

from fronts.errors import FrontsError
from fronts.report import build_report, print_pdf, write_report
from fronts.report.pdf import pdf_page_count
from fronts.store import connect

LOCAL = ("file://", "data:", "blob:", "about:")


def _not_blank(png: bytes) -> bool:
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("RGB").resize((160, 112))
    colours = image.getcolors(maxcolors=160 * 112) or []
    inked = sum(n for n, rgb in colours if min(rgb) < 200)
    return len(colours) > 50 and inked > 0.03 * 160 * 112


@pytest.fixture(scope="module")
def folder(tmp_path_factory, report_files):
    return write_report(report_files, tmp_path_factory.mktemp("html") / RUN_ID)


@pytest.mark.parametrize("page", ["index.html", "fronts/front-01.html", "fronts/front-02.html"])
def test_page_opens_offline_with_no_errors_and_draws_its_charts(browser, folder, page):
    got = browser.visit((folder / page).as_uri())
    assert got["errors"] == []
    assert [u for u in got["requests"] if not u.startswith(LOCAL)] == []
    assert any(u.endswith("assets/plotly.min.js") for u in got["requests"])
    assert got["charts_drawn"] == "2"
    assert browser.eval(got["session"], "document.querySelectorAll('.main-svg').length") >= 4
    assert _not_blank(got["png"])
    # hostile text is shown, never run: no injected element, no script effect
    session = got["session"]
    assert browser.eval(session, "typeof window.__pwned") == "undefined"
    assert browser.eval(session, "document.querySelectorAll('img, b, i').length") == 0
    text = browser.eval(session, "document.body.innerText")
    assert HOSTILE_LABEL in text
    if page == "fronts/front-01.html":
        assert HOSTILE_TITLE in text
        assert browser.eval(session, "document.querySelectorAll('main script').length") == 2


def test_chart_labels_show_markup_as_text(browser, folder):
    got = browser.visit((folder / "index.html").as_uri())
    legend = browser.eval(
        got["session"],
        "Array.from(document.querySelectorAll('#fig-map .legendtext')).map(e => e.textContent)",
    )
    assert f"#2 {HOSTILE_LABEL}" in legend
    assert browser.eval(got["session"], "document.querySelectorAll('svg image, svg b').length") == 0


def _outline(pdf: bytes) -> list[tuple[str, int, float]]:
    """(title, page number, y) of every bookmark, read from the uncompressed objects."""
    objs = {int(n): body for n, body in re.findall(rb"(\d+) 0 obj\s*(.*?)endobj", pdf, re.S)}

    def leaves(num: int) -> list[int]:
        body = objs[num]
        if not re.search(rb"/Type\s*/Pages\b", body):
            return [num]
        kids = re.search(rb"/Kids\s*\[(.*?)\]", body, re.S).group(1)  # type: ignore[union-attr]
        return [leaf for k in re.findall(rb"(\d+) 0 R", kids) for leaf in leaves(int(k))]

    root = next(
        n for n, b in objs.items() if re.search(rb"/Type\s*/Pages\b", b) and b"/Parent" not in b
    )
    page_no = {obj: i + 1 for i, obj in enumerate(leaves(root))}
    out = []
    pattern = (
        rb"/Title\s*(<[0-9A-Fa-f]+>|\((?:[^()\\]|\\.)*\))"
        rb"\s*/Dest\s*\[(\d+) 0 R /XYZ [\d.]+ ([\d.]+)"
    )
    for title, page, y in re.findall(pattern, pdf):
        if title.startswith(b"<"):
            text = bytes.fromhex(title[1:-1].decode()).decode("utf-16")
        else:
            text = re.sub(rb"\\(.)", rb"\1", title[1:-1]).decode("latin-1")
        out.append((text, page_no[int(page)], float(y)))
    return sorted(out, key=lambda t: (t[1], -t[2]))


def test_pdf_has_the_overview_each_top_dossier_on_its_own_pages_and_the_appendix(
    chromium, warehouse, tmp_path
):
    con = connect(warehouse, read_only=True)
    folder = build_report(con, "latest", tmp_path / "reports")
    con.close()
    pdf = (folder / "report.pdf").read_bytes()
    assert re.search(rb"/MediaBox\s*\[0 0 59[45](\.\d+)? 84[12](\.\d+)?\]", pdf)  # A4
    n_pages = pdf_page_count(folder / "report.pdf")
    outline = _outline(pdf)
    starts = {t: (p, y) for t, p, y in outline}
    titles = [t for t, _, _ in outline]
    # order: the published list, the ranking, dossier 1, dossier 2 (top N = 2; #3 is HTML
    # only), appendix
    order = [
        "Fronts 2025",
        "The top 2 fronts",
        "large language models / chatgpt",
        HOSTILE_LABEL,
        "Method appendix",
    ]
    assert [t for t in titles if t in order] == order
    assert "virtual reality / immersion" not in titles
    # the report opens with the published list; each dossier and the appendix start at the
    # top of a fresh page
    top_y = max(y for _, _, y in outline)
    pages = [starts[t][0] for t in order]
    assert pages == sorted(pages) and pages[0] == 1 and len(set(pages[1:])) == len(pages) - 1
    for title in order[2:]:
        assert starts[title][1] == pytest.approx(top_y, abs=30), title
    assert 5 <= n_pages <= 30 and max(pages) <= n_pages


def test_print_pdf_says_how_to_get_a_browser(tmp_path, monkeypatch, report_files):
    monkeypatch.setenv("FRONTS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    folder = write_report(report_files, tmp_path / RUN_ID)
    with pytest.raises(FrontsError, match="apt-get install -y chromium"):
        print_pdf(folder / "print.html", folder / "report.pdf")


def test_build_report_without_a_browser_stops_before_writing(tmp_path, monkeypatch, warehouse):
    monkeypatch.setenv("FRONTS_CHROMIUM", str(tmp_path / "no-such-chromium"))
    con = connect(warehouse, read_only=True)
    with pytest.raises(FrontsError, match="--no-pdf"):
        build_report(con, RUN_ID, tmp_path / "reports")
    assert not (tmp_path / "reports").exists()
    folder = build_report(con, RUN_ID, tmp_path / "reports", pdf=False)
    con.close()
    assert (folder / "index.html").is_file() and not (folder / "report.pdf").exists()
