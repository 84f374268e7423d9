"""Render a run into the files of its report: HTML pages, assets and the figures' data.

`render_report` returns {relative path: content} and writes nothing; `write_report` writes
them. Templates autoescape everything, and figure data travels as JSON inside
`<script type="application/json">` with `<`, `>` and `&` escaped, so no title, abstract or
name from the corpus can close the script or open a tag.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import jinja2
import polars as pl
from markupsafe import Markup

from fronts.errors import FrontsError
from fronts.jsonsafe import json_safe
from fronts.report import view
from fronts.report.appendix import appendix as method_appendix
from fronts.report.data import ReportData
from fronts.report.glossary import fmt
from fronts.scoring.forecast import HORIZON, LEVEL, PSEUDO_COUNT, UNINFORMATIVE_RATIO

TEMPLATES = Path(__file__).parent / "templates"
STATIC_ASSETS = ("report.css", "report.js")
MARKER = ".fronts-report"


def to_json(value: Any) -> str:
    """Deterministic compact JSON of `value` (keys in insertion order, NaN as null)."""
    return json.dumps(json_safe(value), ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def json_script(value: Any) -> Markup:
    """JSON to place inside <script type="application/json">: `</script>` cannot occur in it.

    The characters <, > and & are written as \\u escapes (still valid JSON, decoded by
    JSON.parse), and so are the line separators U+2028/U+2029.
    """
    text = to_json(value)
    for char, escaped in (
        ("<", "\\u003c"),
        (">", "\\u003e"),
        ("&", "\\u0026"),
        ("\u2028", "\\u2028"),
        ("\u2029", "\\u2029"),
    ):
        text = text.replace(char, escaped)
    return Markup(text)


def environment() -> jinja2.Environment:
    """The templates of `fronts/report/templates`, always autoescaped, strict about names."""
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("fronts.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fmt"] = fmt
    env.filters["json_script"] = json_script
    return env


def plotly_js() -> str:
    """The plotly.js bundle that ships inside the plotly wheel (no network, no CDN)."""
    from plotly.offline import get_plotlyjs

    return get_plotlyjs()


def _data_files(data: ReportData, forecast: pl.DataFrame, figures: list[dict]) -> dict[str, str]:
    ranks = data.fronts.select("topic_id", "rank", "label")
    fronts_csv = data.fronts.with_columns(
        pl.col("top_terms").list.join("; "),
    )
    works = data.works.join(ranks.select("topic_id", "rank"), on="topic_id", how="left")
    files = {
        "data/fronts.csv": fronts_csv.write_csv(),
        "data/map.csv": works.select(
            "work_id", "topic_id", "rank", "assignment", "x", "y", "year", "doi", "title"
        ).write_csv(),
        "data/share_forecast.csv": forecast.join(ranks, on="topic_id", how="left")
        .select("rank", "topic_id", "label", *[c for c in forecast.columns if c != "topic_id"])
        .sort("rank", "year")
        .write_csv(),
        "data/front_years.csv": data.topic_year_counts.join(ranks, on="topic_id", how="inner")
        .select("rank", "topic_id", "label", "year", "n_works", "share", "citations")
        .sort("rank", "year")
        .write_csv(),
    }
    for fig in figures:
        files[f"data/figures/{fig['id']}.json"] = to_json(fig["spec"]) + "\n"
    files["data/README.txt"] = _DATA_README
    files[MARKER] = "This folder is a fronts report; `fronts report` replaces it whole.\n"
    return files


_DATA_README = """\
The data behind the report's figures and tables (CSV, UTF-8, comma-separated).

fronts.csv          the ranked fronts with every indicator (one row per front)
map.csv             every work of the run with its topic, front rank and map position
share_forecast.csv  each front's share of the corpus by year, its trend, and the two-year
                    forecast with its 90 % prediction interval (is_forecast = true)
front_years.csv     works published, share and citations received per front and year
figures/*.json      the plotly figures exactly as drawn (data, layout, config)
"""


def render_report(data: ReportData, with_pdf: bool = True) -> dict[str, str]:
    """Every file of the report as {relative path: text}; pure, deterministic.

    `with_pdf` only decides whether the pages link to a `report.pdf`, which `print_pdf` makes.
    """
    forecast = data.forecasts.drop("level")
    env = environment()
    overview = view.overview(data, forecast)
    dossiers = view.dossiers(data, forecast)
    appendix = method_appendix(data)
    common = {
        "run": data.run,
        "n_top": data.n_top,
        "fronts_nav": [
            {"rank": d["rank"], "label": d["label"], "href": d["href"]} for d in dossiers
        ],
        "forecast_method": {
            "horizon": HORIZON,
            "level": LEVEL,
            "pseudo": PSEUDO_COUNT,
            "uninformative": UNINFORMATIVE_RATIO,
        },
        "config": data.config,
        "with_pdf": with_pdf,
        "pub": view.publication(data),
        "changes": view.changes(data),
    }
    files: dict[str, str] = {}
    files["index.html"] = env.get_template("index.html.jinja2").render(
        **common, root="", page="overview", ov=overview
    )
    files["method.html"] = env.get_template("method.html.jinja2").render(
        **common, root="", page="method", ap=appendix
    )
    for d in dossiers:
        files[d["href"]] = env.get_template("front.html.jinja2").render(
            **common, root="../", page="front", d=d
        )
    files["print.html"] = env.get_template("print.html.jinja2").render(
        **common,
        root="",
        page="print",
        ov=overview,
        dossiers=dossiers[: data.n_top],
        n_more=max(0, len(dossiers) - data.n_top),
        ap=appendix,
    )
    for name in STATIC_ASSETS:
        files[f"assets/{name}"] = (TEMPLATES / name).read_text(encoding="utf-8")
    files["assets/plotly.min.js"] = plotly_js()
    figures = [overview["map"], overview["growth"]]
    figures += [d[k] for d in dossiers for k in ("fig_years", "fig_share")]
    files.update(_data_files(data, forecast, figures))
    return dict(sorted(files.items()))


def write_report(files: dict[str, str], out_dir: str | Path) -> Path:
    """Write `files` under `out_dir` (replacing an earlier report there); returns `out_dir`.

    The folder is written beside its final place and swapped in only when complete, so a crash
    while writing leaves the earlier report whole, and no page of an earlier render (say, a
    front that no longer exists) survives. Only an empty folder or an earlier report (it holds
    the `.fronts-report` marker) is replaced; anything else raises `FrontsError`.
    """
    out = Path(out_dir)
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / MARKER).is_file())):
        raise FrontsError(f"{out} exists and is not a fronts report; choose another --out")
    fresh = out.with_name(f".{out.name}.new-{os.getpid()}")
    stale = out.with_name(f".{out.name}.old-{os.getpid()}")
    for leftover in (fresh, stale):
        shutil.rmtree(leftover, ignore_errors=True)
    for rel, text in files.items():
        path = fresh / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    if out.exists():
        out.rename(stale)
    fresh.rename(out)
    shutil.rmtree(stale, ignore_errors=True)
    return out
