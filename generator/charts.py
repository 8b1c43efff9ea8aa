"""Plotly figure specs as plain dicts (no plotly.graph_objects: building
figures through it costs milliseconds per chart and we draw thousands).

Every chart carries a one-sentence summary and its data as a table, so no
number is only in a picture. Colours are the Okabe–Ito palette, readable by
colour-blind readers. Values are sent as floats for drawing only; the hover
text and the data table show the exact published figures.
"""
from __future__ import annotations

from decimal import Decimal

from .amounts import fmt_amount

PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000"]
FONT = "Noto Sans CJK SC, Source Han Sans SC, Microsoft YaHei, PingFang SC, sans-serif"


def _layout(title: str, unit: str, horizontal: bool = False, height: int = 360, **extra) -> dict:
    axis = {"title": {"text": unit}, "separatethousands": True, "tickformat": ",~r", "automargin": True,
            "rangemode": "tozero"}
    cat = {"automargin": True, "type": "category"}
    layout = {
        "title": {"text": title, "font": {"size": 16}},
        "font": {"family": FONT, "size": 13},
        "separators": ".,",
        "margin": {"l": 10, "r": 10, "t": 48, "b": 10},
        "height": height,
        "legend": {"orientation": "h", "y": -0.18},
        "barmode": "group",
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "xaxis": axis if horizontal else cat,
        "yaxis": cat if horizontal else axis,
    }
    if horizontal:
        cat["autorange"] = "reversed"   # the y axis: first category on top
    layout.update(extra)
    return layout


def _bar(name: str, labels: list[str], values: list[Decimal | None], shown: list[str], color: str, unit: str,
         horizontal: bool = False, labelled: bool = True, stacked: bool = False) -> dict:
    """One series as bars; ``shown`` holds its values formatted ("" where there is no value)."""
    nums = [float(v) if v is not None else None for v in values]
    trace: dict[str, object] = {
        "type": "bar", "name": name, "marker": {"color": color},
        "customdata": [s or "未列示" for s in shown],
        "hovertemplate": f"%{{{'y' if horizontal else 'x'}}}<br>{name}：%{{customdata}} {unit}<extra></extra>"}
    if labelled:   # the value written on its bar: no guessing from the axis
        trace.update(text=shown, texttemplate="%{text}",
                     textposition="inside" if stacked else "auto",
                     insidetextanchor="middle", textfont={"size": 12})
    if horizontal:
        trace.update(orientation="h", y=labels, x=nums)
    else:
        trace.update(x=labels, y=nums)
    return trace


def chart(chart_id: str, title: str, summary: str, traces: list[dict], layout: dict,
          columns: list[str], rows: list[list[str]]) -> dict:
    return {"id": chart_id, "title": title, "summary": summary,
            "figure": {"data": traces, "layout": layout},
            "table": {"columns": columns, "rows": rows}}


def grouped(chart_id: str, title: str, summary: str, labels: list[str], series: list[tuple[str, list]],
            unit: str = "万元", horizontal: bool = False, stacked: bool = False, first_column: str = "项目",
            labelled: bool = True) -> dict:
    labels = unique_labels(labels)
    shown = [[fmt_amount(v) if v is not None else "" for v in values] for _, values in series]   # formatted once
    traces = [_bar(name, labels, values, shown[i], PALETTE[i % len(PALETTE)], unit, horizontal, labelled, stacked)
              for i, (name, values) in enumerate(series)]
    height = max(320, 60 + 34 * len(labels) * (1 if stacked else max(1, len(series)))) if horizontal else 380
    layout = _layout(title, unit, horizontal, height=min(height, 1400), barmode="stack" if stacked else "group")
    rows = [[label] + [texts[i] or "—" for texts in shown] for i, label in enumerate(labels)]
    return chart(chart_id, title, summary, traces, layout, [first_column] + [f"{n}（{unit}）" for n, _ in series], rows)


def largest(labels: list[str], values: list[Decimal | None]) -> tuple[str, Decimal] | None:
    pairs = [(label, v) for label, v in zip(labels, values) if v is not None]
    if not pairs:
        return None
    return max(pairs, key=lambda p: p[1])


def share(part: Decimal, whole: Decimal) -> str:
    if not whole:
        return "—"
    return f"{(part / whole * 100).quantize(Decimal('0.1'))}%"


def unique_labels(labels: list[str]) -> list[str]:
    """Plotly merges bars with equal category labels: number repeats （2）, （3）…"""
    seen: dict[str, int] = {}
    out = []
    for label in labels:
        seen[label] = seen.get(label, 0) + 1
        out.append(label if seen[label] == 1 else f"{label}（{seen[label]}）")
    return out


def scatter(chart_id: str, title: str, summary: str, points: list[tuple[str, Decimal, Decimal]],
            x_title: str, y_title: str, x_fmt, y_fmt, first_column: str = "评价") -> dict:
    """One point per item (e.g. 执行率 against 总分): where 35 near-equal bars say
    nothing, the outliers stand apart. The data table lists every point."""
    trace = {"type": "scatter", "mode": "markers", "name": "",
             "x": [float(x) for _, x, _ in points], "y": [float(y) for _, _, y in points],
             "customdata": [[label, x_fmt(x), y_fmt(y)] for label, x, y in points],
             "marker": {"color": PALETTE[0], "size": 10, "opacity": .75, "line": {"color": "#ffffff", "width": 1}},
             "hovertemplate": "%{customdata[0]}<br>" + x_title + "：%{customdata[1]}<br>" + y_title + "：%{customdata[2]}<extra></extra>"}
    layout = _layout(title, y_title, height=400, showlegend=False)
    layout["xaxis"] = {"title": {"text": x_title}, "automargin": True, "ticksuffix": "%", "zeroline": False}
    layout["yaxis"] = {"title": {"text": y_title}, "automargin": True, "zeroline": False}
    rows = [[label, x_fmt(x), y_fmt(y)] for label, x, y in points]
    return chart(chart_id, title, summary, [trace], layout, [first_column, x_title, y_title], rows)
