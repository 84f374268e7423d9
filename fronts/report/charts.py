"""Plotly figures of the report as plain dicts (data, layout, config), built from frames.

The browser draws them with the plotly.js bundled in the report folder, so they render offline.
Plotly reads a small set of HTML tags and entities in its text, so every untrusted string that
goes into a figure (titles, labels) passes through `plotly_text`, which escapes it: the chart then
shows `<script>` as text and never creates an element from it.
"""

from __future__ import annotations

import html
import math
from typing import Any

import polars as pl

PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#17becf",
    "#8c564b",
    "#bcbd22",
)
OTHER = "#b8b8b8"
UNASSIGNED = "#e2e2e2"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"
MAX_MAP_POINTS = 4000
CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["lasso2d"]}


def colour(index: int) -> str:
    """Colour of the front at 0-based rank position `index` (cycles after the palette)."""
    return PALETTE[index % len(PALETTE)]


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def plotly_text(value: object, limit: int = 140) -> str:
    """Untrusted text for a plotly label or hover: collapsed, shortened, then HTML-escaped."""
    text = " ".join(str(value if value is not None else "").split())
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return html.escape(text, quote=False)


def _layout(**extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "font": {"family": FONT, "size": 12, "color": "#222"},
        "margin": {"l": 56, "r": 16, "t": 16, "b": 44},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "hoverlabel": {"align": "left"},
        "legend": {"font": {"size": 11}},
    }
    base.update(extra)
    return base


def _axis(title: str, **extra: Any) -> dict[str, Any]:
    return {
        "title": {"text": title},
        "gridcolor": "#e6e6e6",
        "zeroline": False,
        "linecolor": "#999",
        **extra,
    }


def _round(values: list[float | None], digits: int) -> list[float | None]:
    return [None if v is None or not math.isfinite(v) else round(v, digits) for v in values]


def map_sample(works: pl.DataFrame, max_points: int = MAX_MAP_POINTS) -> pl.DataFrame:
    """At most `max_points` placed works, the same fraction of every topic, chosen by work id.

    Work ids are hashes, so taking the smallest ones is a deterministic, unbiased sample.
    """
    placed = works.filter(pl.col("x").is_not_null() & pl.col("y").is_not_null())
    if placed.height <= max_points:
        return placed.sort("work_id")
    fraction = max_points / placed.height
    return (
        placed.sort("work_id")
        .with_columns(_i=pl.int_range(pl.len()).over("topic_id"), _n=pl.len().over("topic_id"))
        .filter(pl.col("_i") < (pl.col("_n") * fraction).ceil())
        .drop("_i", "_n")
    )


def map_figure(works: pl.DataFrame, fronts: pl.DataFrame, n_top: int) -> dict[str, Any]:
    """The works on the 2-D map, coloured by front (top N), other topics grey, outliers light."""
    sample = map_sample(works)
    top = fronts.head(n_top)
    traces: list[dict[str, Any]] = []

    def scatter(part: pl.DataFrame, name: str, col: str, size: float, rank: int) -> dict:
        hover = [
            f"{plotly_text(t)}<br>{y if y is not None else ''}"
            for t, y in part.select("title", "year").iter_rows()
        ]
        return {
            "type": "scatter",
            "mode": "markers",
            "name": name,
            "x": _round(part["x"].to_list(), 4),
            "y": _round(part["y"].to_list(), 4),
            "hovertext": hover,
            "hoverinfo": "text+name",
            "marker": {"color": col, "size": size, "opacity": 0.85, "line": {"width": 0}},
            "legendrank": rank,
        }

    top_ids = top["topic_id"].to_list()
    unassigned = sample.filter(pl.col("topic_id") < 0)
    others = sample.filter((pl.col("topic_id") >= 0) & ~pl.col("topic_id").is_in(top_ids))
    if unassigned.height:
        traces.append(scatter(unassigned, "not in any topic", UNASSIGNED, 3.5, 2000))
    if others.height:
        traces.append(scatter(others, "other topics", OTHER, 4, 1999))
    labels_x, labels_y, labels = [], [], []
    for i, (rank, topic_id, label) in enumerate(
        top.select("rank", "topic_id", "label").iter_rows()
    ):
        part = sample.filter(pl.col("topic_id") == topic_id)
        if part.height == 0:
            continue
        traces.append(scatter(part, f"#{rank} {plotly_text(label, 48)}", colour(i), 5.5, rank))
        labels_x.append(round(float(part["x"].median()), 4))  # type: ignore[arg-type]
        labels_y.append(round(float(part["y"].median()), 4))  # type: ignore[arg-type]
        labels.append(f"<b>{rank}</b>")
    traces.append(
        {
            "type": "scatter",
            "mode": "text",
            "x": labels_x,
            "y": labels_y,
            "text": labels,
            "textfont": {"size": 14, "color": "#111"},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    )
    hidden = {"visible": False, "showgrid": False, "zeroline": False}
    layout = _layout(
        height=560,
        xaxis=hidden,
        yaxis=hidden,
        margin={"l": 8, "r": 8, "t": 28, "b": 8},
        legend={"font": {"size": 11}, "itemsizing": "constant", "orientation": "h", "y": -0.02},
        hovermode="closest",
    )
    return {"data": traces, "layout": layout, "config": CONFIG, "n_shown": sample.height}


def _share_traces(
    fc: pl.DataFrame, name: str, col: str, group: str, show_band_legend: bool
) -> list[dict[str, Any]]:
    """Observed share, dotted trend and shaded forecast interval of one front, in percent."""
    observed = fc.filter(~pl.col("is_forecast"))
    # An interval too wide to say where the share goes is not drawn, nor is its forecast line
    # (a run made before forecasts were judged has no `informative` column: drawn as before).
    drawable = (
        pl.col("informative").fill_null(True) if "informative" in fc.columns else pl.lit(True)
    )
    future = fc.filter(pl.col("is_forecast") & pl.col("lower").is_not_null() & drawable)
    if future.height == 0:
        fc = observed
    pct = [None if v is None else 100 * v for v in observed["observed"].to_list()]
    traces: list[dict[str, Any]] = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": name,
            "legendgroup": group,
            "x": observed["year"].to_list(),
            "y": _round(pct, 4),
            "line": {"color": col, "width": 2},
            "marker": {"size": 6},
            "hovertemplate": "%{x}: %{y:.2f} % of the corpus<extra>%{fullData.name}</extra>",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "trend and forecast",
            "legendgroup": group,
            "showlegend": False,
            "x": fc["year"].to_list(),
            "y": _round([None if v is None else 100 * v for v in fc["trend"].to_list()], 4),
            "line": {"color": col, "width": 1.5, "dash": "dot"},
            "hovertemplate": "%{x} trend: %{y:.2f} %<extra></extra>",
        },
    ]
    if future.height:
        # The band starts at the last observed year's trend so that it joins the line.
        last = fc.filter(~pl.col("is_forecast")).tail(1)
        xs = last["year"].to_list() + future["year"].to_list()
        lo = last["trend"].to_list() + future["lower"].to_list()
        hi = last["trend"].to_list() + future["upper"].to_list()
        traces.append(
            {
                "type": "scatter",
                "mode": "lines",
                "name": "90 % prediction interval",
                "legendgroup": group,
                "showlegend": show_band_legend,
                "x": xs + xs[::-1],
                "y": _round([100 * v for v in hi + lo[::-1]], 4),
                "fill": "toself",
                "fillcolor": _rgba(col, 0.16),
                "line": {"width": 0, "color": _rgba(col, 0.16)},
                "hoverinfo": "skip",
            }
        )
    return traces


def growth_figure(forecast: pl.DataFrame, fronts: pl.DataFrame, n_top: int) -> dict[str, Any]:
    """Share of the corpus by year for each top-N front, with its trend and 2-year forecast."""
    traces: list[dict[str, Any]] = []
    for i, (rank, topic_id, label) in enumerate(
        fronts.head(n_top).select("rank", "topic_id", "label").iter_rows()
    ):
        fc = forecast.filter(pl.col("topic_id") == topic_id)
        name = f"#{rank} {plotly_text(label, 48)}"
        traces += _share_traces(fc, name, colour(i), f"front{rank}", show_band_legend=False)
    layout = _layout(
        height=460,
        xaxis=_axis("year", dtick=1),
        yaxis=_axis("share of the corpus's works (%)", rangemode="tozero"),
        hovermode="closest",
        margin={"l": 56, "r": 16, "t": 28, "b": 44},
        legend={"orientation": "h", "y": -0.16, "font": {"size": 11}},
    )
    return {"data": traces, "layout": layout, "config": CONFIG}


def front_share_figure(forecast: pl.DataFrame, index: int, rank: int) -> dict[str, Any]:
    """One front's share by year, trend and 2-year forecast with its prediction interval."""
    traces = _share_traces(forecast, "share", colour(index), f"front{rank}", True)
    traces[1]["showlegend"] = True
    layout = _layout(
        height=300,
        xaxis=_axis("year", dtick=1),
        yaxis=_axis("share of the corpus (%)", rangemode="tozero"),
        legend={"orientation": "h", "y": -0.25, "font": {"size": 11}},
        margin={"l": 56, "r": 16, "t": 28, "b": 40},
    )
    return {"data": traces, "layout": layout, "config": CONFIG}


def front_years_figure(counts: pl.DataFrame, index: int, basis_label: str) -> dict[str, Any]:
    """Works published (bars) and citations received (line, right axis) per year."""
    citations = [None if v is None else round(v, 2) for v in counts["citations"].to_list()]
    traces = [
        {
            "type": "bar",
            "name": "works published",
            "x": counts["year"].to_list(),
            "y": counts["n_works"].to_list(),
            "marker": {"color": _rgba(colour(index), 0.75)},
            "hovertemplate": "%{x}: %{y} works<extra></extra>",
        },
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": f"citations received ({basis_label})",
            "x": counts["year"].to_list(),
            "y": citations,
            "yaxis": "y2",
            "line": {"color": "#333", "width": 2},
            "hovertemplate": "%{x}: %{y} citations<extra></extra>",
        },
    ]
    layout = _layout(
        height=300,
        xaxis=_axis("year", dtick=1),
        yaxis=_axis("works", rangemode="tozero"),
        yaxis2=_axis(
            "citations",
            overlaying="y",
            side="right",
            rangemode="tozero",
            showgrid=False,
            tickmode="auto",
        ),
        legend={"orientation": "h", "y": -0.25, "font": {"size": 11}},
        margin={"l": 56, "r": 56, "t": 28, "b": 40},
        bargap=0.25,
    )
    return {"data": traces, "layout": layout, "config": CONFIG}
