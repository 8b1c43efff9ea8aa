"""Model + findings -> page contexts: one :class:`Page` per output HTML file,
holding everything its template needs, already formatted. Templates stay
dumb; numbers are formatted here, once."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal

from . import charts, facts, registry
from .amounts import BLANK, Cell, fmt_amount
from .audit import row_dom_id
from .markup import render_markdown
from .model import DeptYear, Evaluation, Finding, Site, Table

TABLE_FILES = registry.TABLE_FILES   # table id -> file name (from the form sets); pages use table_file()


def table_file(table: Table) -> str:
    """A standard table's download name (``data/<file>.csv``), from its form set's ``文件``."""
    return table.spec["file"]


@dataclass
class Page:
    path: str                 # relative to the site root
    template: str
    context: dict
    dept: str = ""            # DeptYear.key, "" for portal-wide pages
    charts: bool = False
    title: str = ""
    description: str = ""
    column: str = ""          # 栏目 (ColumnName meta tag)
    column_type: str = ""     # 栏目类型 (ColumnType)
    pub_date: str = ""        # 发布日期 of the source document (PubDate)
    source: str = ""          # 信息来源 (ContentSource)


def root_of(path: str) -> str:
    return "../" * path.count("/")


def dept_dir(dept: DeptYear) -> str:
    return f"{dept.slug}/{dept.year}"


def dept_url(dept: DeptYear) -> str:
    return f"{dept_dir(dept)}/index.html"


def eval_url(dept: DeptYear, ev: Evaluation) -> str:
    return f"{dept_dir(dept)}/{ev.slug}.html"


def original_url(dept: DeptYear) -> str:
    """The original document, published beside the department-year's pages."""
    return f"{dept_dir(dept)}/{ORIGINALS}/{dept.original.name}"


def year_url(year: int) -> str:
    return f"year-{year}.html"


ORIGINALS = "yuanwen"
_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}


def pub_date(text: str) -> str:
    """发布日期 as printed (“2024年10月17日”, “二〇二四年十月”) -> “2024-10-17”
    / “2024-10” for the PubDate tag; "" when the text gives no date."""
    import re
    t = re.sub(r"(?<![一二三])十([一二三四五六七八九])?", lambda m: "1" + (m.group(1) or "〇"), text.strip())
    t = re.sub(r"([一二三])十([一二三四五六七八九])?", lambda m: m.group(1) + (m.group(2) or "〇"), t)
    t = "".join(_CN_DIGITS.get(c, c) for c in t)
    m = re.match(r"^(\d{4})\s*[年./-]\s*(\d{1,2})(?:\s*[月./-]\s*(\d{1,2}))?", t)
    if not m or not 1 <= int(m.group(2)) <= 12:
        return ""
    day = f"-{int(m.group(3)):02d}" if m.group(3) and 1 <= int(m.group(3)) <= 31 else ""
    return f"{m.group(1)}-{int(m.group(2)):02d}{day}"


# ---------------------------------------------------------------- table views

def display(cell: Cell) -> str:
    if cell.kind == "amount":
        return fmt_amount(cell.value)
    return cell.text


def header_rows(columns: list[dict]) -> list[list[dict]]:
    if not any(c.get("group") for c in columns):
        return [[dict(label=c.get("label", c["name"]), colspan=1, rowspan=1) for c in columns]]
    top, bottom = [], []
    i = 0
    while i < len(columns):
        group = columns[i].get("group")
        if not group:
            top.append(dict(label=columns[i].get("label", columns[i]["name"]), colspan=1, rowspan=2))
            i += 1
            continue
        j = i
        while j < len(columns) and columns[j].get("group") == group:
            bottom.append(dict(label=columns[j].get("label", columns[j]["name"]), colspan=1, rowspan=1))
            j += 1
        top.append(dict(label=group, colspan=j - i, rowspan=1))
        i = j
    return [top, bottom]


def _header_column(table: Table) -> int | None:
    """Which column labels the row (rendered as <th scope=row>)."""
    if table.shape in ("subject", "econ"):
        return 1
    if table.columns and table.columns[0]["kind"] in ("text", "auto"):
        return 0
    return None


def merged_spans(table: Table, merge_is: list[int]) -> dict[tuple[int, int], int]:
    """Rowspans for merged cells (一级/二级指标): a cell continues the one above
    while its text repeats and every merged column to its left continues too.
    Returns {(row, col): span}; a span of 0 means the cell is covered."""
    spans: dict[tuple[int, int], int] = {}
    owner: dict[int, int] = {}
    for r, row in enumerate(table.rows):
        continuing = True
        for i in merge_is:
            text = row.cell(i).text
            above = table.rows[r - 1].cell(i).text if r else None
            if continuing and r and text and text == above:
                spans[(r, i)] = 0
                spans[(owner[i], i)] += 1
            else:
                continuing = False
                spans[(r, i)] = 1
                owner[i] = r
    return spans


def table_view(table: Table, findings: dict[str, list[Finding]], anchor: str, merge: tuple[str, ...] = ()) -> dict:
    head_i = _header_column(table)
    merge_is = [i for i, c in enumerate(table.columns) if c["name"] in merge]
    spans = merged_spans(table, merge_is) if merge_is else {}
    body = []
    numeric_columns = [c["kind"] in ("amount", "rate", "score") for c in table.columns]
    ncols = len(table.columns)
    for r, row in enumerate(table.rows):
        dom = row_dom_id(anchor, row)
        cells = []
        row_cells = row.cells if len(row.cells) >= ncols else row.cells + [BLANK] * (ncols - len(row.cells))
        for i in range(ncols):
            span = spans.get((r, i), 1) if spans else 1
            if span == 0:
                continue
            cell = row_cells[i]
            kind = cell.kind
            if kind == "dash":
                cls = "num dash" if numeric_columns[i] else "dash"
            elif numeric_columns[i] or (cell.value is not None and kind != "text"):
                cls = "num"
            else:
                cls = ""
            cells.append(dict(text=display(cell), th=(i == head_i), cls=cls, rowspan=span))
        if row.level and head_i is not None:
            cells[head_i]["cls"] = f"lvl{row.level}"
        classes = [f"lvl{row.level}" if row.level else ("total" if row.code else "")]
        hits = findings.get(dom, [])
        if hits:
            classes.append("has-finding")
        body.append(dict(id=dom, cls=" ".join(c for c in classes if c), cells=cells, findings=hits))
    return dict(id=anchor, title=table.title, table_id=table.id, unit=table.unit, note=table.note,
                remark=table.remark, memo=table.memo, head=header_rows(table.columns), body=body,
                empty=not table.rows or table.empty, ncols=len(table.columns))


# ---------------------------------------------------------------- department charts

def dept_charts(dept: DeptYear, trend: list[tuple[str, Decimal]]) -> list[dict]:
    out = []
    sg = facts.sangong(dept)
    items = [i for i in facts.SANGONG_SHOWN[1:]
             if any(sg.get(y, {}).get(i) is not None and sg[y][i].kind in ("amount", "blank") for y in sg)]
    years = [y for y in registry.SANGONG_YEARS if y in sg]
    if items and years:
        series = [(y, [sg[y][i].amount if i in sg[y] and sg[y][i].kind in ("amount", "blank") else None
                                                         for i in items]) for y in years]
        total = {y: sg[y].get("合计") for y in years}
        parts = []
        if total.get("决算数") is not None:
            parts.append(f"“三公”经费决算数合计 {display(total['决算数']) or '0.00'} 万元")
        if total.get("预算数") is not None:
            parts.append(f"预算数 {display(total['预算数']) or '0.00'} 万元")
        if total.get("上年决算数") is not None:
            parts.append(f"上年决算数 {display(total['上年决算数'])} 万元")
        summary = "，".join(parts) + "。" if parts else "“三公”经费各项目的预算数与决算数。"
        out.append(charts.grouped("c-sangong", "“三公”经费预算数与决算数（万元）", summary, items, series))
    if len(trend) >= 2:
        labels = [t[0] for t in trend]
        values = [t[1] for t in trend]
        summary = "、".join(f"{l} {fmt_amount(v)} 万元" for l, v in trend) + "（“三公”经费决算数合计）。"
        out.append(charts.grouped("c-sangong-trend", "“三公”经费决算数历年变化（万元）", summary, labels,
                                  [("决算数合计", values)], first_column="年度"))
    classes = facts.functional_classes(dept)
    t03 = dept.table("公开03表")
    if classes and t03 is not None:
        bi, pi = t03.col("基本支出"), t03.col("项目支出")
        rows = [r for r in t03.rows if r.level == 1]
        labels = [f"{r.cell(1).text}（{r.code}）" for r in rows]
        basic = [r.cell(bi).amount for r in rows]
        project = [r.cell(pi).amount for r in rows]
        h = facts.headline(dept)
        summary = ""
        if h["spending"] is not None:
            summary = (f"本年支出合计 {fmt_amount(h['spending'])} 万元，其中基本支出 {fmt_amount(h['basic'] or Decimal(0))} 万元"
                       f"（{charts.share(h['basic'] or Decimal(0), h['spending'])}），项目支出 {fmt_amount(h['project'] or Decimal(0))} 万元"
                       f"（{charts.share(h['project'] or Decimal(0), h['spending'])}）。")
        big = charts.largest(labels, [a + b for a, b in zip(basic, project)])
        if big:
            summary += f"支出最多的功能分类是{big[0]}，{fmt_amount(big[1])} 万元。"
        out.append(charts.grouped("c-structure", "支出结构：按功能分类和基本/项目支出（万元）", summary, labels,
                                  [("基本支出", basic), ("项目支出", project)], horizontal=True, stacked=True,
                                  first_column="功能分类"))
    econ = facts.economic_classes(dept)
    if econ:
        labels = [f"{name}（{code}）" for code, name, _ in econ]
        values = [v for _, _, v in econ]
        big = charts.largest(labels, values)
        summary = f"基本支出中金额最大的经济分类是{big[0]}，{fmt_amount(big[1])} 万元。" if big else ""
        out.append(charts.grouped("c-econ", "基本支出按经济分类（万元）", summary, labels, [("决算数", values)],
                                  horizontal=True, first_column="经济分类"))
    income = facts.income_sources(dept)
    if income:
        labels = [l for l, _ in income]
        values = [v for _, v in income]
        total = sum(values, Decimal(0))
        summary = "本年收入来源：" + "，".join(f"{l} {fmt_amount(v)} 万元（{charts.share(v, total)}）" for l, v in income) + "。"
        out.append(charts.grouped("c-income", "收入来源（万元）", summary, labels, [("本年收入", values)], first_column="收入来源"))
    return out


def eval_chart(ev: Evaluation) -> dict | None:
    t = ev.indicators
    if t is None or not t.columns:
        return None
    names = [c["name"] for c in t.columns]
    if "三级指标" not in names:
        return None
    ni, mi, si = names.index("三级指标"), names.index("分值"), names.index("得分")
    rows = [r for r in t.rows if r.cell(ni).text and (r.cell(mi).value is not None or r.cell(si).value is not None)]
    if not rows:
        return None
    labels = charts.unique_labels([r.cell(ni).text for r in rows])
    maxes = [r.cell(mi).value for r in rows]
    scores = [r.cell(si).value for r in rows]
    lost = [(l, (m or 0) - (s or 0)) for l, m, s in zip(labels, maxes, scores) if m is not None and s is not None and s < m]
    summary = f"共 {len(rows)} 项三级指标；"
    summary += ("未得满分的指标：" + "、".join(f"{l}（扣 {fmt_amount(d, 0)} 分）" for l, d in lost) + "。") if lost else "各项指标均得满分。"
    spec = charts.grouped("c-scores", "各项绩效指标分值与得分", summary, labels, [("分值", maxes), ("得分", scores)],
                          unit="分", horizontal=True, first_column="三级指标")
    return spec


# ---------------------------------------------------------------- pages

def _findings_index(findings: list[Finding]) -> tuple[dict, dict]:
    dept_rows: dict[str, list[Finding]] = defaultdict(list)
    eval_rows: dict[tuple[str, str], list[Finding]] = defaultdict(list)
    for f in findings:
        if f.page == "eval":
            eval_rows[(f.table, f.anchor)].append(f)
        else:
            dept_rows[f.anchor].append(f)
    return dept_rows, eval_rows


def _eval_summary(ev: Evaluation) -> dict:
    rate = score = None
    if ev.funds is not None and ev.funds.columns:
        names = [c["name"] for c in ev.funds.columns]
        ri = next((i for i, n in enumerate(names) if "执行率" in n), None)
        if ri is not None:
            rate = next((r.cell(ri).text for r in ev.funds.rows if r.cell(ri).value is not None), None)
    if ev.total_score is not None and ev.total_score.value is not None:
        score = ev.total_score.text
    indicators = 0
    if ev.indicators is not None and ev.indicators.columns:
        names = [c["name"] for c in ev.indicators.columns]
        if "三级指标" in names:
            ni = names.index("三级指标")
            indicators = sum(1 for r in ev.indicators.rows if r.cell(ni).text)
    return dict(rate=rate, score=score, score_value=ev.total_score.value if ev.total_score else None,
                indicators=indicators, grade=ev.grade)


def sangong_rows(dept: DeptYear) -> list[dict]:
    sg = facts.sangong(dept)
    rows = []
    for item in facts.SANGONG_SHOWN:
        cells = {y: sg.get(y, {}).get(item) for y in registry.SANGONG_YEARS}
        if all(c is None for c in cells.values()):
            continue
        rows.append(dict(item=item, **{y: (display(c) if c is not None else "—") for y, c in cells.items()},
                         change=_change(cells["决算数"], cells["上年决算数"])))
    return rows


def _change(now: Cell | None, before: Cell | None) -> str:
    if now is None or before is None or before.value is None:
        return "—"
    diff = now.amount - before.value
    pct = f"，{charts.share(abs(diff), before.value)}" if before.value else ""
    return f"{'增加' if diff > 0 else '减少' if diff < 0 else '持平'} {fmt_amount(abs(diff))}{pct}" if diff else "持平"


def summarize(dept: DeptYear, findings: list[Finding]) -> dict:
    """What portal-wide pages need to know about one department-year. Holds a
    light copy of the department (no tables) so it is cheap to pass between
    processes and to cache."""
    for n, f in enumerate(findings, 1):
        f.qid = f"q-{dept.slug}-{dept.year}-{n}"
    h = Record(facts.headline(dept))
    evals = [Record(ev=light_evaluation(ev), url=eval_url(dept, ev), **_eval_summary(ev)) for ev in dept.evaluations]
    tables = [(t.id, t.title, f"{dept_url(dept)}#{t.anchor}") for t in dept.tables + dept.others if t.title]
    return Record(dept=light_department(dept), url=dept_url(dept), h=h, fmt=Record(_fmt_facts(h)), sg=Record(_sangong_cells(dept)),
                  findings=len(findings), real=sum(1 for f in findings if not f.rounding), evals=evals,
                  tables=tables, pub_date=pub_date(dept.source.get("date", "")),
                  original=original_url(dept) if dept.original else "")


class Record(dict):
    """A dict whose keys are also attributes: Jinja's ``r.url`` then succeeds
    on the first lookup instead of failing over to ``r['url']``, which
    matters on portal pages with a row per department."""

    __slots__ = ()

    def __getattr__(self, name):
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def light_evaluation(ev: Evaluation) -> Evaluation:
    return replace(ev, funds=None, goals=None, indicators=None, others=[], body="", memo=[])


def light_department(dept: DeptYear) -> DeptYear:
    return replace(dept, tables=[], others=[], sections=[], terms=[], overview={}, units=[], missing={},
                   evaluations=[light_evaluation(ev) for ev in dept.evaluations])


def common_context(site: Site, years: list[int], preview: bool = False) -> dict:
    return dict(site=site, years=years, preview=preview)


def dept_pages(dept: DeptYear, summary: dict, findings: list[Finding], same_slug: list[DeptYear],
               common: dict) -> list[Page]:
    """The department-year page and one page per evaluation."""
    pages = []
    dept_rows, eval_rows = _findings_index(findings)
    trend = _trend(dept, same_slug)
    tables = [dict(view=table_view(t, dept_rows, t.anchor), csv=f"data/{table_file(t)}.csv") for t in dept.tables]
    others = [dict(view=table_view(t, dept_rows, t.anchor), csv=f"data/{t.anchor}.csv") for t in dept.others]
    dept_charts_ = dept_charts(dept, trend)
    context = dict(common, dept=dept, s=summary, tables=tables, others=others,
                   missing=[(tid, reason, _title(dept, tid)) for tid, reason in dept.missing.items()],
                   sections=[dict(title=s.title, id=f"qksm-{s.anchor}", html=render_markdown(s.markdown)) for s in dept.sections],
                   overview={k: render_markdown(v) for k, v in dept.overview.items()},
                   terms=dept.terms, sangong=sangong_rows(dept), sangong_source=dept.sangong_source,
                   charts=dept_charts_, findings=findings,
                   other_years=[(d.year, f"../{d.year}/index.html") for d in same_slug if d.year != dept.year])
    desc = f"{dept.name}{dept.year}年度{dept.kind}"
    if summary["h"]["spending"] is not None:
        desc += f"：本年支出合计 {summary['fmt']['spending']} 万元"
    meta = dict(column=f"{dept.year}年度决算公开", column_type="信息公开", pub_date=summary["pub_date"],
                source=dept.source.get("publisher", "") or dept.name)
    pages.append(Page(dept_url(dept), "dept.html", context, dept=dept.key, charts=bool(dept_charts_),
                      title=f"{dept.name} {dept.year}年度{dept.kind}", description=desc + "。", **meta))
    info_by_slug = {e["ev"].slug: e for e in summary["evals"]}   # computed once, in summarize()
    for ev in dept.evaluations:
        idx = {anchor: fs for (slug, anchor), fs in eval_rows.items() if slug == ev.slug}
        chart = eval_chart(ev)

        def view(t, a, merge=(), idx=idx):
            return table_view(t, idx, a, merge) if t is not None and t.columns else None
        ctx = dict(common, dept=dept, ev=ev, info=info_by_slug[ev.slug],
                   funds=view(ev.funds, "funds"), goals=view(ev.goals, "goals"),
                   indicators=view(ev.indicators, "ind", ("一级指标", "二级指标")),
                   others=[view(t, t.anchor) for t in ev.others], body=render_markdown(ev.body),
                   charts=[chart] if chart else [], total_findings=idx.get("total", []),
                   findings=[f for f in findings if f.page == "eval" and f.table == ev.slug])
        pages.append(Page(eval_url(dept, ev), "eval.html", ctx, dept=dept.key, charts=bool(chart),
                          title=f"{ev.name}（{ev.kind}）— {dept.name} {dept.year}",
                          description=f"{dept.name}{dept.year}年度{ev.kind}：{ev.name}"
                                      + (f"，总分得分 {ev.total_score.text}" if ev.total_score and ev.total_score.value is not None else "") + "。",
                          **meta))
    return pages


def portal_pages(site: Site, summaries: list[dict], findings: dict[str, list[Finding]], common: dict) -> list[Page]:
    """Pages that aggregate every department: home (the latest year), one
    预决算公开专栏 per year, comparison, data quality, search, site map,
    联系我们, 版权和隐私声明 and 404."""
    pages = []
    years = common["years"]
    by_year = {y: [s for s in summaries if s["dept"].year == y] for y in years}
    latest = by_year.get(years[0], []) if years else []
    dates = sorted(s["pub_date"] for s in summaries if s["pub_date"])
    newest = dates[-1] if dates else ""
    column = dict(column_type="专题专栏", pub_date=newest, source=site.sponsor or site.title)
    year_links = [(y, year_url(y), len(by_year[y])) for y in years]
    pages.append(Page("index.html", "index.html", dict(common, summaries=latest, year=years[0] if years else "",
                                                        year_links=year_links), title=site.title,
                      description=f"{site.title}：{len(summaries)} 个部门年度的决算表、“三公”经费、绩效自评和数据质量检查。",
                      charts=False, column="首页", **column))
    for year in years:
        pages.append(Page(year_url(year), "year.html", dict(common, year=year, summaries=by_year[year], year_links=year_links),
                          title=f"{year}年度预决算公开专栏",
                          description=f"{year}年度 {len(by_year[year])} 个部门的决算公开、“三公”经费和绩效自评。",
                          column=f"{year}年度决算公开", **column))
    for i, year in enumerate(years):
        in_year = by_year[year]
        path = "compare.html" if i == 0 else f"compare-{year}.html"
        chart_list = compare_charts(in_year)
        pages.append(Page(path, "compare.html", dict(common, year=year, rows=in_year, charts=chart_list,
                                                     sangong_items=facts.SANGONG_COMPARED,
                                                     year_links=[(y, "compare.html" if j == 0 else f"compare-{y}.html") for j, y in enumerate(years)]),
                          charts=bool(chart_list), title=f"{year}年度部门比较",
                          description=f"{year}年度各部门支出、财政拨款、基本与项目支出、人员与公用经费、“三公”经费及绩效得分比较。",
                          column="部门比较", **column))
    if not years:
        pages.append(Page("compare.html", "compare.html", dict(common, year="", rows=[], charts=[], year_links=[],
                                                                sangong_items=facts.SANGONG_COMPARED),
                          title="部门比较", description="暂无已发布的部门。", column="部门比较", **column))
    groups = [dict(dept=s["dept"], url=s["url"], findings=[_finding_view(f, s["dept"]) for f in findings[s["dept"].key]])
              for s in summaries]
    all_f = [f for s in summaries for f in findings[s["dept"].key]]
    pages.append(Page("quality.html", "quality.html", dict(common, groups=groups, total=len(all_f),
                                                           real=sum(1 for f in all_f if not f.rounding)),
                      title="数据质量：勾稽检查结果",
                      description=f"对已公开决算数据的勾稽检查：共 {len(all_f)} 处差异。", column="数据质量", **column))
    pages.append(Page("search.html", "search.html", dict(common), title="搜索",
                      description="全文搜索各部门的决算表、“三公”经费、绩效评价、情况说明和名词解释。", column="搜索", **column))
    pages.append(Page("sitemap.html", "sitemap.html", dict(common, by_year=[(y, by_year[y]) for y in years]), title="网站地图",
                      description=f"{site.title}全部页面：各年度专栏、部门、决算表和绩效评价。", column="网站地图", **column))
    pages.append(Page("contact.html", "contact.html", dict(common), title="联系我们",
                      description=f"{site.title}的主办单位和联系方式。", column="联系我们", **column))
    pages.append(Page("legal.html", "legal.html", dict(common), title="版权和隐私声明",
                      description=f"{site.title}的版权声明和隐私声明。", column="版权和隐私声明", **column))
    pages.append(Page("404.html", "404.html", dict(common), title="页面不存在", description="页面不存在。",
                      column="页面不存在", **column))
    return pages


def _title(dept: DeptYear, table_id: str) -> str:
    spec = registry.table_spec(dept.year, table_id)
    return spec["title"] if spec else ""


def _trend(dept: DeptYear, same: list[DeptYear]) -> list[tuple[str, Decimal]]:
    points: dict[int, Decimal] = {}
    for d in same:
        sg = facts.sangong(d)
        actual = sg.get("决算数", {}).get("合计")
        if actual is not None and actual.kind in ("amount", "blank"):
            points[d.year] = actual.amount
        prior = sg.get("上年决算数", {}).get("合计")
        if prior is not None and prior.value is not None and d.year - 1 not in points:
            points.setdefault(d.year - 1, prior.value)
    return [(f"{y}年", v) for y, v in sorted(points.items())]


def _fmt_facts(h: dict) -> dict:
    counts = ("staff", "staff_actual")
    return {k: (fmt_amount(v, 0 if k in counts else 2) if isinstance(v, Decimal) else "—") for k, v in h.items()}


def _finding_view(f: Finding, dept: DeptYear) -> dict:
    if f.page == "eval":
        url = f"{dept_dir(dept)}/{f.table}.html#{f.anchor}"
    else:
        url = f"{dept_url(dept)}#{f.anchor}"
    return dict(f=f, url=url, diff=fmt_amount(f.difference) if f.difference is not None else "")


CHART_MAX_BARS = 40   # beyond this a bar chart is unreadable; the tables hold every department


def _top(rows: list[dict], key) -> tuple[list[dict], str]:
    if len(rows) <= CHART_MAX_BARS:
        return rows, ""
    kept = sorted(rows, key=lambda r: key(r) or 0, reverse=True)[:CHART_MAX_BARS]
    return kept, f"（共 {len(rows)} 项，图中显示数额最大的 {CHART_MAX_BARS} 项，全部数字见上方表格。）"


def compare_charts(rows: list[dict]) -> list[dict]:
    out = []
    with_tables, note = _top([r for r in rows if r["h"]["spending"] is not None], lambda r: r["h"]["spending"])
    if with_tables:
        labels = [r["dept"].name for r in with_tables]
        basic = [r["h"]["basic"] for r in with_tables]
        project = [r["h"]["project"] for r in with_tables]
        big = charts.largest(labels, [r["h"]["spending"] for r in with_tables])
        summary = (f"本年支出最多的是{big[0]}，{fmt_amount(big[1])} 万元。" if big else "") + note
        out.append(charts.grouped("c-cmp-spending", "各部门本年支出：基本支出与项目支出（万元）", summary, labels,
                                  [("基本支出", basic), ("项目支出", project)], horizontal=True, stacked=True, first_column="部门"))
    sg_rows, note = _top([r for r in rows if r["h"]["sangong_actual"] is not None or r["h"]["sangong_budget"] is not None],
                         lambda r: r["h"]["sangong_actual"])
    if sg_rows:
        labels = [r["dept"].name for r in sg_rows]
        series = [("预算数", [r["h"]["sangong_budget"] for r in sg_rows]), ("决算数", [r["h"]["sangong_actual"] for r in sg_rows])]
        if any(r["h"]["sangong_prior"] is not None for r in sg_rows):
            series.append(("上年决算数", [r["h"]["sangong_prior"] for r in sg_rows]))
        big = charts.largest(labels, series[1][1])
        summary = (f"“三公”经费决算数最多的是{big[0]}，{fmt_amount(big[1])} 万元。" if big else "") + note
        out.append(charts.grouped("c-cmp-sangong", "各部门“三公”经费（万元）", summary, labels, series, horizontal=True,
                                  first_column="部门"))
    score_rows = [(r["dept"].name, e) for r in rows for e in r["evals"] if e["score_value"] is not None]
    note = ""
    if len(score_rows) > CHART_MAX_BARS:   # the lowest scores are the ones worth a look
        note = f"（共 {len(score_rows)} 项，图中显示得分最低的 {CHART_MAX_BARS} 项，全部得分见上方表格。）"
        score_rows = sorted(score_rows, key=lambda p: p[1]["score_value"])[:CHART_MAX_BARS]
    if score_rows:
        labels = [f"{name}：{e['ev'].name}" for name, e in score_rows]
        values = [e["score_value"] for _, e in score_rows]
        low = min(score_rows, key=lambda p: p[1]["score_value"])
        summary = f"最低的是{low[0]}的“{low[1]['ev'].name}”，{low[1]['score']} 分。" + note
        out.append(charts.grouped("c-cmp-scores", "绩效自评总分", summary, labels, [("总分得分", values)], unit="分",
                                  horizontal=True, first_column="评价"))
    return out


def _sangong_cells(dept: DeptYear) -> dict[str, str]:
    """决算数 (预算数) per 三公 item, formatted for the comparison table."""
    sg = facts.sangong(dept)
    out = {}
    for item in facts.SANGONG_COMPARED:
        actual, budget = sg.get("决算数", {}).get(item), sg.get("预算数", {}).get(item)
        text = display(actual) or ("0.00" if actual is not None and actual.kind == "blank" else "—") if actual is not None else "—"
        if budget is not None and (budget.value is not None or budget.kind == "blank"):
            text += f"（{display(budget) or '0.00'}）"
        out[item] = text
    return out
