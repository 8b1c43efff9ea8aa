"""Plotly figure specs as plain dicts (no plotly.graph_objects: building
figures through it costs milliseconds per chart and we draw thousands).

Every chart carries a one-sentence summary and its data as a table, so no
number is only in a picture. Colours are the Okabe–Ito palette, readable by
colour-blind readers. Values are sent as floats for drawing only; the hover
text and the data table show the exact published figures.
"""
from __future__ import annotations

from decimal import Decimal

from . import facts, registry
from .amounts import Kind, fmt_amount, fmt_rate, fmt_score, reading
from .model import DeptYear, Evaluation

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


# ---------------------------------------------------------------- the portal's charts
# One function per chart, listed in DEPARTMENT_CHARTS / COMPARE_CHARTS in the
# order the page shows them: adding a chart is adding a function. Each returns
# the chart's spec, or None when it would show a single value (or nothing but
# zeros): the tables say that better.

def _nonzero(values) -> int:
    return sum(1 for v in values if v)


def sangong(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> dict | None:
    """三公 预算数 and 决算数 (and 上年决算数) by item."""
    sg = figures.sangong
    # only the 三公 items: 会议费/培训费 are not 三公 and would dwarf the real bars
    items = [i for i in facts.SANGONG_CHART_ITEMS
             if any(sg.get(y, {}).get(i) is not None and sg[y][i].kind in (Kind.AMOUNT, Kind.BLANK) for y in sg)]
    years = [y for y in registry.SANGONG_YEARS if y in sg]
    if not (items and years):
        return None
    series = [(y, [sg[y][i].amount if i in sg[y] and sg[y][i].kind in (Kind.AMOUNT, Kind.BLANK) else None
                   for i in items]) for y in years]
    sg_total = {y: sg[y].get("合计") for y in years}
    parts = []
    for key, label in (("决算数", "“三公”经费决算数合计"), ("预算数", "预算数"), ("上年决算数", "上年决算数")):
        state, text = reading(sg_total.get(key))
        if state == "zero":
            parts.append(f"{label} 0.00 万元（原表空白，按 0 计）")
        elif state == "number":
            parts.append(f"{label} {text} 万元")
    summary = "，".join(parts) + "。" if parts else "“三公”经费各项目的预算数与决算数。"
    if _nonzero(v for _, vs in series for v in vs) < 2:
        return None
    return grouped("c-sangong", "“三公”经费预算数与决算数（万元）", summary, items, series)


def sangong_trend(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> dict | None:
    """三公 决算数合计 over the years the portal has (and the 上年决算数 printed)."""
    if len(trend) < 2:
        return None
    labels = [t[0] for t in trend]
    values = [t[1] for t in trend]
    (l0, v0), (l1, v1) = trend[0], trend[-1]
    diff = v1 - v0
    if diff:
        pct = f"，{share(abs(diff), v0)}" if v0 else ""
        change = f"{'增加' if diff > 0 else '减少'} {fmt_amount(abs(diff))} 万元{pct}"
    else:
        change = "持平"
    summary = (f"“三公”经费决算数合计从{l0}的 {fmt_amount(v0)} 万元到{l1}的 {fmt_amount(v1)} 万元，{change}。"
               + ("各年：" + "、".join(f"{l} {fmt_amount(v)} 万元" for l, v in trend) + "。" if len(trend) > 2 else ""))
    return grouped("c-sangong-trend", "“三公”经费决算数历年变化（万元）", summary, labels,
                   [("决算数合计", values)], first_column="年度")


def structure(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> dict | None:
    """Spending by 功能分类 类, split into 基本支出 and 项目支出 (公开03表)."""
    t03 = dept.table("公开03表")
    if not figures.functional or t03 is None:
        return None
    bi, pi = t03.col("基本支出"), t03.col("项目支出")
    rows = [r for r in t03.rows if r.level == 1]
    labels = [f"{r.cell(1).text}（{r.code}）" for r in rows]
    basic = [facts.in_wan(t03, r.cell(bi).amount) for r in rows]
    project = [facts.in_wan(t03, r.cell(pi).amount) for r in rows]
    h = figures.headline
    summary = ""
    if h["spending"] is not None:
        summary = (f"本年支出合计 {fmt_amount(h['spending'])} 万元，其中基本支出 {fmt_amount(h['basic'] or Decimal(0))} 万元"
                   f"（{share(h['basic'] or Decimal(0), h['spending'])}），项目支出 {fmt_amount(h['project'] or Decimal(0))} 万元"
                   f"（{share(h['project'] or Decimal(0), h['spending'])}）。")
    big = largest(labels, [a + b for a, b in zip(basic, project)])
    if big:
        summary += f"支出最多的功能分类是{big[0]}，{fmt_amount(big[1])} 万元。"
    if _nonzero(basic + project) < 2:
        return None
    return grouped("c-structure", "支出结构：按功能分类和基本/项目支出（万元）", summary, labels,
                   [("基本支出", basic), ("项目支出", project)], horizontal=True, stacked=True, first_column="功能分类")


def subjects(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> dict | None:
    """The hierarchy 类 → 款 → 项 as a sorted bar of 项, each with its 类 (公开03表)."""
    t03 = dept.table("公开03表")
    if not figures.functional or t03 is None:
        return None
    ti = t03.col("本年支出合计")
    leaves, cls_name = [], ""
    for r in t03.rows:
        if r.level == 1:
            cls_name = r.cell(1).text
        if r.level == 3 and r.cell(ti).amount:
            leaves.append((f"{r.cell(1).text}（{cls_name}）", facts.in_wan(t03, r.cell(ti).amount), r.code))
    leaves.sort(key=lambda x: x[1], reverse=True)
    if len(leaves) < 2:
        return None
    total = sum((v for _, v, _ in leaves), Decimal(0))
    top = leaves[0]
    summary = (f"共 {len(leaves)} 个支出功能分类“项”，合计 {fmt_amount(total)} 万元；最多的是{top[0]}，"
               f"{fmt_amount(top[1])} 万元（{share(top[1], total)}）。")
    return grouped("c-xiang", "支出按功能分类“项”从多到少（括号内为所属“类”，万元）", summary,
                   [l for l, _, _ in leaves], [("本年支出合计", [v for _, v, _ in leaves])],
                   horizontal=True, first_column="功能分类项（所属类）")


def economic(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> dict | None:
    """基本支出 by 经济分类 类 (公开06表)."""
    econ = figures.economic
    if len(econ) < 2:
        return None
    labels = [f"{name}（{code}）" for code, name, _ in econ]
    values: list[Decimal | None] = [v for _, _, v in econ]
    big = largest(labels, values)
    summary = f"基本支出中金额最大的经济分类是{big[0]}，{fmt_amount(big[1])} 万元。" if big else ""
    return grouped("c-econ", "基本支出按经济分类（万元）", summary, labels, [("决算数", values)],
                   horizontal=True, first_column="经济分类")


def income(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> dict | None:
    """本年收入 by source (公开02表's 合计 row)."""
    sources = figures.income
    if len(sources) < 2:
        return None
    labels = [l for l, _ in sources]
    values = [v for _, v in sources]
    total = sum(values, Decimal(0))
    summary = "本年收入来源：" + "，".join(f"{l} {fmt_amount(v)} 万元（{share(v, total)}）" for l, v in sources) + "。"
    return grouped("c-income", "收入来源（万元）", summary, labels, [("本年收入", values)], first_column="收入来源")


DEPARTMENT_CHARTS = [sangong, sangong_trend, structure, subjects, economic, income]


def department(dept: DeptYear, figures: facts.Figures, trend: list[tuple[str, Decimal]]) -> list[dict]:
    """The department page's charts (DEPARTMENT_CHARTS), from its derived
    ``figures`` and its 三公 ``trend`` over the years."""
    return [spec for make in DEPARTMENT_CHARTS if (spec := make(dept, figures, trend)) is not None]


def evaluation(ev: Evaluation) -> dict | None:
    """An evaluation page's chart: 分值 and 得分 of each 三级指标."""
    t = ev.indicators
    if t is None or not t.columns:
        return None
    names = [c["name"] for c in t.columns]
    if "三级指标" not in names:
        return None
    ni, mi, si = names.index("三级指标"), names.index("分值"), names.index("得分")
    rows = [r for r in t.rows if r.cell(ni).text and (r.cell(mi).value is not None or r.cell(si).value is not None)]
    if len(rows) < 2:   # a single indicator: the table says it
        return None
    labels = unique_labels([r.cell(ni).text for r in rows])
    maxes = [r.cell(mi).value for r in rows]
    scores = [r.cell(si).value for r in rows]
    lost = [(l, (m or Decimal(0)) - (s or Decimal(0))) for l, m, s in zip(labels, maxes, scores) if m is not None and s is not None and s < m]
    summary = f"共 {len(rows)} 项三级指标；"
    summary += ("未得满分的指标：" + "、".join(f"{l}（扣 {fmt_amount(d, 0)} 分）" for l, d in lost) + "。") if lost else "各项指标均得满分。"
    return grouped("c-scores", "各项绩效指标分值与得分", summary, labels, [("分值", maxes), ("得分", scores)],
                   unit="分", horizontal=True, first_column="三级指标")


# ---- the comparison page: ``rows`` are the department summaries of one year (pages.summarize)

CHART_MAX_BARS = 40   # beyond this a bar chart is unreadable; the tables hold every department


def _top(rows: list[dict], key) -> tuple[list[dict], str]:
    if len(rows) <= CHART_MAX_BARS:
        return rows, ""
    kept = sorted(rows, key=lambda r: key(r) or 0, reverse=True)[:CHART_MAX_BARS]
    return kept, f"（共 {len(rows)} 项，图中显示数额最大的 {CHART_MAX_BARS} 项，全部数字见上方表格。）"


def _left_out(rows: list[dict], kept: list[dict], reason) -> str:
    """“未列入：某部门（原因）”: every department missing from a chart, named."""
    ids = {id(r) for r in kept}
    missing = [f"{r['dept'].name}（{reason(r)}）" for r in rows if id(r) not in ids]
    return ("未列入本图：" + "；".join(missing) + "。") if missing else ""


def _no_tables(r: dict) -> str:
    published = any(str(t[0]).startswith("公开") for t in r["tables"])
    return "决算表中没有此项数字" if published else "未公开决算表，只有绩效评价材料"


def compare_spending(rows: list[dict]) -> dict | None:
    """Each department's 本年支出, split into 基本支出 and 项目支出."""
    with_spending = [r for r in rows if r["h"]["spending"] is not None]
    with_tables, note = _top(with_spending, lambda r: r["h"]["spending"])
    if len(with_tables) < 2:
        return None
    labels = [r["dept"].name for r in with_tables]
    basic = [r["h"]["basic"] for r in with_tables]
    project = [r["h"]["project"] for r in with_tables]
    big = largest(labels, [r["h"]["spending"] for r in with_tables])
    summary = (f"本年支出最多的是{big[0]}，{fmt_amount(big[1])} 万元。" if big else "") + note \
        + _left_out(rows, with_spending, _no_tables)
    return grouped("c-cmp-spending", "各部门本年支出：基本支出与项目支出（万元）", summary, labels,
                   [("基本支出", basic), ("项目支出", project)], horizontal=True, stacked=True, first_column="部门")


def compare_sangong(rows: list[dict]) -> dict | None:
    """Each department's 三公 预算数, 决算数 (and 上年决算数)."""
    with_sg = [r for r in rows if r["h"]["sangong_actual"] is not None or r["h"]["sangong_budget"] is not None]
    sg_rows, note = _top(with_sg, lambda r: r["h"]["sangong_actual"])
    if len(sg_rows) < 2:
        return None
    labels = [r["dept"].name for r in sg_rows]
    series = [("预算数", [r["h"]["sangong_budget"] for r in sg_rows]), ("决算数", [r["h"]["sangong_actual"] for r in sg_rows])]
    if any(r["h"]["sangong_prior"] is not None for r in sg_rows):
        series.append(("上年决算数", [r["h"]["sangong_prior"] for r in sg_rows]))
    big = largest(labels, series[1][1])
    summary = (f"“三公”经费决算数最多的是{big[0]}，{fmt_amount(big[1])} 万元。" if big else "") + note \
        + _left_out(rows, with_sg, lambda r: "未公开“三公”经费数字")
    return grouped("c-cmp-sangong", "各部门“三公”经费（万元）", summary, labels, series, horizontal=True,
                   first_column="部门")


def compare_scores(rows: list[dict]) -> dict | None:
    """Every 绩效自评: 执行率 against 总分, one point each."""
    points, left = [], []
    for r in rows:
        for e in r["evals"]:
            name = f"{r['dept'].name}：{e['ev'].name}"
            if e["score_value"] is None and e["rate_value"] is None:
                left.append(f"{name}（原表未列示执行率和总分）")
            elif e["score_value"] is None:
                left.append(f"{name}（原表未列示总分）")
            elif e["rate_value"] is None:
                left.append(f"{name}（原表未列示执行率）")
            else:
                points.append((name, e["rate_value"], e["score_value"]))
    if len(points) < 2:
        return None
    low = min(points, key=lambda p: p[2])
    slow = min(points, key=lambda p: p[1])
    full = sum(1 for _, x, _ in points if x >= 100)
    summary = (f"共 {len(points)} 项绩效自评：{full} 项执行率达到 100%；总分最低的是{low[0]}（{fmt_score(low[2])} 分，"
               f"执行率 {fmt_rate(low[1])}）；执行率最低的是{slow[0]}（{fmt_rate(slow[1])}，总分 {fmt_score(slow[2])} 分）。"
               + ("未列入本图：" + "；".join(left) + "。" if left else ""))
    return scatter("c-cmp-scores", "绩效自评：执行率与总分（每点一项评价）", summary, points,
                   "执行率", "总分（分）", fmt_rate, fmt_score)


COMPARE_CHARTS = [compare_spending, compare_sangong, compare_scores]


def comparison(rows: list[dict]) -> list[dict]:
    """The comparison page's charts for one year (COMPARE_CHARTS)."""
    return [spec for make in COMPARE_CHARTS if (spec := make(rows)) is not None]
