import io
import json
import posixpath
import re
from html.parser import HTMLParser

import polars as pl
import pytest
from report_fixture import HOSTILE_TITLE

from fronts.errors import FrontsError
from fronts.report import render_report, write_report
from fronts.report.render import json_script

PAGES = (
    "index.html",
    "method.html",
    "print.html",
    "fronts/front-01.html",
    "fronts/front-02.html",
    "fronts/front-04.html",
)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.json_blocks: list[str] = []
        self._in_json = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_json = tag == "script" and dict(attrs).get("type") == "application/json"

    def handle_endtag(self, tag):
        self._in_json = False

    def handle_data(self, data):
        if self._in_json:
            self.json_blocks.append(data)


def _parse(html: str) -> _Tags:
    parser = _Tags()
    parser.feed(html)
    return parser


def test_every_page_and_the_figures_data_are_rendered(report_data, report_files):
    for page in PAGES:
        assert page in report_files
    assert "fronts/front-03.html" in report_files
    for name in ("fronts", "map", "share_forecast", "front_years"):
        pl.read_csv(io.StringIO(report_files[f"data/{name}.csv"]))
    map_csv = pl.read_csv(io.StringIO(report_files["data/map.csv"]))
    assert (
        map_csv.height == report_data.works.height and HOSTILE_TITLE in map_csv["title"].to_list()
    )
    forecast = pl.read_csv(io.StringIO(report_files["data/share_forecast.csv"]))
    assert forecast.filter(pl.col("is_forecast"))["year"].unique().sort().to_list() == [2025, 2026]
    # plotly.js is written once and referenced, not inlined in every page
    big = [p for p, text in report_files.items() if len(text) > 1_000_000]
    assert big == ["assets/plotly.min.js"]


def test_rendering_is_deterministic(report_data, report_files):
    assert render_report(report_data) == report_files


def test_hostile_text_is_escaped_everywhere(report_files):
    for page in PAGES:
        html = report_files[page]
        assert "<script>window" not in html and "<img" not in html, page
        assert "<b>bold</b>" not in html and "<i>E</i>" not in html, page
        # the only scripts are the two bundled files and inert JSON data blocks
        for tag, attrs in _parse(html).tags:
            if tag == "script":
                assert attrs.get("type") == "application/json" or attrs.get("src", "").endswith(
                    ("assets/plotly.min.js", "assets/report.js")
                ), (page, attrs)
            assert not any(k.startswith("on") for k in attrs), (page, tag, attrs)
    front = report_files["fronts/front-01.html"]
    assert "&lt;script&gt;window.__pwned=1&lt;/script&gt;&#34;&gt;&lt;img src=x onerror=" in front
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;alert(3)&lt;/script&gt;" in front


def test_figure_json_cannot_close_its_script_and_keeps_the_text(report_files):
    blocks = _parse(report_files["index.html"]).json_blocks
    assert len(blocks) == 2
    figures = [json.loads(b) for b in blocks]
    names = [t.get("name", "") for f in figures for t in f["data"]]
    # plotly reads tags in labels: they arrive HTML-escaped, so plotly shows them as text
    assert any("&lt;b&gt;bold&lt;/b&gt; &amp; &lt;script&gt;" in n for n in names)
    hover = [h for t in figures[0]["data"] for h in t.get("hovertext", [])]
    assert any(h.startswith("&lt;script&gt;window.__pwned=1") for h in hover)
    text = json_script({"a": "</script><!-- & \u2028"})
    assert "<" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(str(text)) == {"a": "</script><!-- & \u2028"}


def test_links_stay_inside_the_report_folder(report_files):
    for page in PAGES:
        for tag, attrs in _parse(report_files[page]).tags:
            for key in ("href", "src"):
                url = attrs.get(key)
                if url is None or url.startswith("#"):
                    continue
                if re.match(r"[a-z]+:", url):
                    assert url.startswith("https://doi.org/10."), (page, url)
                    continue
                target = posixpath.normpath(posixpath.join(posixpath.dirname(page), url))
                target = target.split("#")[0]
                assert target in report_files or target == "report.pdf", (page, tag, url)


def test_in_page_anchors_of_the_print_version_exist(report_files):
    html = report_files["print.html"]
    ids = {a.get("id") for _, a in _parse(html).tags}
    anchors = {
        a["href"][1:] for t, a in _parse(html).tags if t == "a" and a.get("href", "")[:1] == "#"
    }
    assert anchors and anchors <= ids
    assert 'id="front-3"' not in html  # below the top N: in the HTML report only
    assert "have dossiers in the HTML report only" in html


def test_without_pdf_no_page_links_to_one(report_data):
    files = render_report(report_data, with_pdf=False)
    assert all("report.pdf" not in files[p] for p in PAGES)


def test_write_report_replaces_an_earlier_report_only(tmp_path, report_files):
    out = tmp_path / "reports" / "r1"
    write_report(report_files, out)
    (out / "fronts" / "front-99.html").write_text("stale")
    write_report(report_files, out)
    assert not (out / "fronts" / "front-99.html").exists()
    assert (out / "index.html").read_text(encoding="utf-8") == report_files["index.html"]
    foreign = tmp_path / "home"
    foreign.mkdir()
    (foreign / "thesis.tex").write_text("precious")
    with pytest.raises(FrontsError, match="not a fronts report"):
        write_report(report_files, foreign)
    assert (foreign / "thesis.tex").exists()


class _RankingRows(HTMLParser):
    """Per row of the overview's ranking tables: rank -> (row classes, classes of its spans)."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: dict[int, tuple[set[str], set[str]]] = {}
        self._in_ranking = False
        self._row: tuple[set[str], set[str]] | None = None
        self._cells: list[str] = []

    def handle_starttag(self, tag, attrs):
        classes = set((dict(attrs).get("class") or "").split())
        if tag == "table":
            self._in_ranking = "ranking" in classes
        elif self._in_ranking and tag == "tr":
            self._row, self._cells = (classes, set()), []
        elif self._row is not None and tag == "span":
            self._row[1].update(classes)
        elif self._row is not None and tag == "td":
            self._cells.append("")

    def handle_data(self, data):
        if self._row is not None and self._cells:
            self._cells[-1] += data

    def handle_endtag(self, tag):
        if tag == "tr" and self._row is not None:
            if self._cells:  # not the header row
                self.rows[int(self._cells[0])] = self._row
            self._row = None


def _ranking_rows(html: str) -> dict[int, tuple[set[str], set[str]]]:
    parser = _RankingRows()
    parser.feed(html)
    return parser.rows


def test_overview_flags_the_off_topic_and_the_unsupported_fronts(report_files):
    html = report_files["index.html"]
    rows = _ranking_rows(html)
    assert sorted(rows) == [1, 2, 3, 4]
    off_topic = [r for r, (tr, spans) in rows.items() if "badge-off-topic" in spans]
    assert off_topic == [4] and [r for r, (tr, _) in rows.items() if "off-topic" in tr] == [4]
    assert [r for r, (_, spans) in rows.items() if "marker-unsupported" in spans] == [2, 4]
    # the notes under the top-N table explain both flags, and the lead counts the off-topic one
    assert "1 front lies far from the corpus&#39;s core" in html
    assert "its P(top 2) is 0 and it never counts in the top 2" in html
    assert "2 fronts with thin support: too few works, years, venues or author groups" in html
    assert "1 emerging, 1 flagged off-topic." in html


def test_dossiers_show_support_and_likely_members(report_files):
    top = report_files["fronts/front-01.html"]
    assert "<h2>Support</h2>" in top and "off-topic-note" not in top
    assert '<div class="verdict-yes"><dt>Supported</dt><dd>yes</dd></div>' in top
    assert "Likely members among outliers: <strong>+2 works</strong> (12 %)" in top
    second = report_files["fronts/front-02.html"]
    assert '<div class="verdict-no"><dt>Supported</dt><dd>no</dd></div>' in second
    assert "Not supported: only 2 author groups (needs 3). It may be one event" in second
    assert "marker-unsupported" in second and "badge-off-topic" not in second
    last = report_files["fronts/front-04.html"]
    assert "badge-off-topic" in last and 'class="warning off-topic-note"' in last
    assert "only 2 works (needs 7); only 2 years (needs 3); only 2 author groups" in last
    # the off-topic evidence is in the indicator table, with its robust z-scores
    assert '<th scope="row">Core similarity</th><td class="num">0.21 (z -6.10)</td>' in last
    assert '<th scope="row">Term relevance</th><td class="num">0.20 % (z -3.90)</td>' in last


def test_method_appendix_counts_the_flagged_fronts(report_files):
    html = report_files["method.html"]
    assert (
        "<strong>1 of 4 fronts was flagged off-topic</strong> (rank 4) and "
        "<strong>2 are unsupported</strong>."
    ) in html
    assert "below -3.5 and that of its term relevance below -1.5" in html
    assert "at least 7 works in at least 3 years, at least 2 venues" in html


def test_significant_share_growth_is_marked_and_explained(report_files, report_data):
    fronts = report_data.fronts
    growing = set(fronts.filter(pl.col("growing"))["rank"].to_list())
    assert growing == {1}  # the fixture's steadily rising front, and only it
    rows = _ranking_rows(report_files["index.html"])
    assert {r for r, (_, spans) in rows.items() if "marker-growing" in spans} == growing
    assert "▲ marks a rise larger than year-to-year noise" in report_files["index.html"]
    assert 'small class="test">significant rise (q ' in report_files["fronts/front-01.html"]
    assert 'small class="test">not significant (q = ' in report_files["fronts/front-02.html"]
    assert "Benjamini–Hochberg" in report_files["method.html"]


def test_the_method_says_the_topics_used_the_references(report_files):
    html = report_files["index.html"]
    assert "those vectors together with the references the works share" in html
    assert "combined with bibliographic coupling (30%); 30 of 40 works (75%) share" in html
