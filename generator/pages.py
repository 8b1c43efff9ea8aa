"""Model + findings -> page contexts: one :class:`Page` per output HTML file,
holding everything its template needs, already formatted. Templates stay
dumb; numbers are formatted here, once."""
from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypedDict

from . import charts, facts, marks, registry
from .amounts import (BLANK, KIND_AMOUNT, KIND_BLANK, KIND_DASH, KIND_TEXT, NONE_MARK, UNPUBLISHED, Cell, Kind,
                      fmt_amount, fmt_rate, fmt_score, reading)
from .markup import render_markdown
from .model import DeptYear, Evaluation, Finding, Row, Shape, Site, Table
from .urls import (compare_url, dept_url, eval_url, finding_url, original_url, root_of, row_dom_id,
                   section_id, table_file, year_url)



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


class _ColumnMeta(TypedDict):
    """:class:`Page` fields shared by a group of pages, passed as ``**meta``."""
    column_type: str
    pub_date: str
    source: str


class _Meta(_ColumnMeta):
    column: str


_CN_DIGITS = {c: str(i) for i, c in enumerate("〇一二三四五六七八九")} | {"零": "0", "○": "0", "Ｏ": "0"}


def pub_date(text: str) -> str:
    """发布日期 as printed (“2024年10月17日”, “二〇二四年十月”) -> “2024-10-17”
    / “2024-10” for the PubDate tag; "" when the text gives no date."""
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
    if cell.kind == KIND_AMOUNT:
        return fmt_amount(cell.value)
    return cell.text


def _group_path(column: dict) -> list[str]:
    """A column's header groups, outermost first (``groups``; else its one ``group``)."""
    return list(column.get("groups") or ([column["group"]] if column.get("group") else []))


def header_rows(columns: list[dict]) -> list[list[dict]]:
    """The printed header as rows of cells with colspan/rowspan: one row per
    level of header groups, then the columns' own labels; a column under
    fewer groups spans down to the last row. A group is one cell over its
    adjacent columns (``scope`` colgroup), a column's label ``scope`` col."""
    paths = [_group_path(c) for c in columns]
    depth = max((len(p) for p in paths), default=0) + 1
    rows: list[list[dict]] = [[] for _ in range(depth)]
    for level in range(depth):
        i = 0
        while i < len(columns):
            path = paths[i]
            if level < len(path):
                key = path[: level + 1]
                j = i
                while j < len(columns) and paths[j][: level + 1] == key and len(paths[j]) > level:
                    j += 1
                rows[level].append(dict(label=path[level], colspan=j - i, rowspan=1, scope="colgroup"))
                i = j
                continue
            if level == len(path):
                rows[level].append(dict(label=columns[i].get("label", columns[i]["name"]), colspan=1,
                                        rowspan=depth - level, scope="col"))
            i += 1
    return [r for r in rows if r]


def _header_column(table: Table) -> int | None:
    """Which column labels the row (rendered as <th scope=row>)."""
    if table.shape in (Shape.SUBJECT, Shape.ECON):
        return 1
    if table.columns and table.columns[0]["kind"] in (Kind.TEXT, Kind.AUTO):
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


# ---------------------------------------------------------------- the reader's rule
# One rule for every figure a reader sees (cards, tables, comparison, charts,
# downloads), documented for editors in docs/_draft_reader.md:
#   数字   the printed number, formatted by its kind (金额 2 位小数, 比率 带 %, 分值, 数量 带单位)
#   零     a blank cell of a published table (the forms leave zero blank), or an
#          empty table whose printed 说明 says there is nothing (“没有三公经费……故本表无数据”)
#   无此项 a dash printed in the cell, shown as “—”
#   未公开 the table or item was not published at all, written out in words
COUNT_UNITS = ("辆", "台", "套", "个", "人", "处", "家", "平方米", "㎡")


def fmt_count(value: Decimal | None, unit: str = "") -> str:
    if value is None:
        return ""
    text = f"{int(value):,}" if value == value.to_integral_value() else fmt_amount(value, 0)
    return f"{text} {unit}".strip()


_UNIT_IN_LABEL = re.compile(r"[（(]\s*(" + "|".join(COUNT_UNITS) + r")\s*[）)]")
_NUMBERED_ROW = re.compile(r"^\s*\d+\s*[.．、]")


def _row_unit(label: str) -> str:
    """A row counted in its own unit: “车辆数合计(辆)” -> 辆."""
    m = _UNIT_IN_LABEL.search(label)
    return m.group(1) if m else ""


def shown(cell: Cell, kind: str, unit: str = "") -> str:
    """A figure as the reader sees it in a table: by its column's kind, or in
    its row's own unit (“车辆数合计(辆)” -> “1 辆”)."""
    if cell.kind == KIND_DASH:
        return NONE_MARK
    if cell.value is None:
        return display(cell)
    if kind == "rate":
        return fmt_rate(cell.value)
    if kind == "score":
        return fmt_score(cell.value)
    if unit:
        return fmt_count(cell.value, unit)
    if kind == "count":
        return fmt_count(cell.value)
    return display(cell)


def table_figures(table: Table):
    """(row, column index, text shown) for every number of a table, as :func:`table_view` shows it."""
    kinds = [c.get("kind", "") for c in table.columns]
    for row, unit in zip(table.rows, row_units(table)):
        for i, cell in enumerate(row.cells):
            if cell.value is not None:
                yield row, i, shown(cell, kinds[i] if i < len(kinds) else "", unit)


def row_units(table: Table) -> list[str]:
    """Each row's own unit: “（一）车辆数合计（辆）” and the numbered rows under it
    (“1. 主要负责人用车”) are counted in 辆, not in the table's 万元."""
    out, current = [], ""
    for row in table.rows:
        unit = _row_unit(" ".join([c.text for c in row.cells[:2]]))
        if unit:
            current = unit
        elif current and not _NUMBERED_ROW.match(row.cell(0).text):
            current = ""
        out.append(unit or current)
    return out


_NUMERIC_KINDS = (Kind.AMOUNT, Kind.RATE, Kind.SCORE)   # columns whose cells are right-aligned figures
_COUNTED_KINDS = (Kind.AMOUNT, Kind.COUNT)               # columns where a blank cell reads as zero


def table_view(table: Table, findings: dict[str, list[Finding]], anchor: str, merge: tuple[str, ...] = ()) -> dict:
    """A table as its page shows it, made in one pass over its cells (every
    figure of every table goes through here: the build's hottest loop).
    Each cell is shown under the reader's rule: rates with %, scores with two
    decimals, counted rows with their unit, one dash. Cells of the columns in
    ``merge`` span down while they repeat; the row's name is the fixed
    column, with its code small beneath; rows without figures are marked so
    phones can fold them; a one-line legend explains blanks and dashes."""
    columns = table.columns
    kinds = [c["kind"] for c in columns]
    head_i = _header_column(table)
    code_first = head_i == 1 and table.shape in (Shape.SUBJECT, Shape.ECON)
    merge_is = [i for i, c in enumerate(columns) if c["name"] in merge]
    rows = _body_rows(table, findings, anchor, kinds, head_i, code_first,
                      merged_spans(table, merge_is) if merge_is else {})
    body = [row for row, _ in rows]
    blanks = dashes = 0
    for _, (row_blanks, row_dashes) in rows:
        blanks += row_blanks
        dashes += row_dashes
    printed_id = not (table.spec and table.spec["id"] == table.spec["title"])   # a form that prints no 表号: title only
    head = header_rows(columns)
    if code_first:
        head = _fold_code_header(head, table.shape)
    legend = (["空白：原表未填数字，按 0 计"] if blanks else []) + (["—：原表以横线标示，无此项"] if dashes else [])
    view = dict(id=anchor, title=table.title, table_id=table.id if printed_id else "", unit=table.unit, note=table.note,
                remark=table.remark, memo=table.memo, head=head, body=body,
                empty=not table.rows or table.empty, ncols=len(columns) - code_first,
                empty_rows=sum(1 for r in body if "empty-row" in r["cls"]), legend="；".join(legend))
    view["sections"] = _section_headers(view, table)
    return view


def _body_rows(table: Table, findings: dict[str, list[Finding]], anchor: str, kinds: list[str], head_i: int | None,
               code_first: bool, spans: dict[tuple[int, int], int]) -> list[tuple[dict, tuple[int, int]]]:
    """Each row of the view with its count of (blank, dash) cells, for the
    legend. A cell is a dict: text, th, cls, rowspan, label (and sub, the
    code under a folded name). Rows with merged cells: :func:`_merged_row`."""
    ncols = len(kinds)
    labels = [c.get("label", c["name"]) for c in table.columns]
    numeric = [k in _NUMERIC_KINDS for k in kinds]
    counted = [k in _COUNTED_KINDS for k in kinds]
    may_be_empty = any(counted)
    out = []
    for r, (row, unit) in enumerate(zip(table.rows, row_units(table))):
        src = row.cells
        n_src = len(src)
        blanks = dashes = 0
        numbers = False
        cells = []
        if not spans or all(spans.get((r, i), 1) == 1 for i in range(ncols)):
            # the common row, no merged cells: each column's cell, its own format (kinds compared
            # with the module globals KIND_*: this loop runs for every cell of the site)
            for i in range(ncols):
                cell = src[i] if i < n_src else BLANK
                kind = cell.kind
                if kind == KIND_BLANK:
                    if i < n_src and counted[i]:
                        blanks += 1
                    text, cls = "", "num" if numeric[i] else ""
                elif kind == KIND_DASH:
                    text, cls = NONE_MARK, "num dash" if numeric[i] else "dash"
                    dashes += 1
                elif cell.value is None:
                    text, cls = display(cell), "num" if numeric[i] else ""
                else:
                    cls = "num" if numeric[i] or kind != KIND_TEXT else ""
                    if i != head_i:
                        text = shown(cell, kinds[i], unit)
                        numbers = True
                    else:
                        text = display(cell)
                cells.append({"text": text, "th": i == head_i, "cls": cls, "rowspan": 1, "label": labels[i]})
        else:
            blanks, dashes, numbers = _merged_row(cells, r, row, unit, spans, kinds, labels, numeric, counted, head_i)
        if row.level and head_i is not None:
            cells[head_i]["cls"] = f"lvl{row.level}"
        dom = row_dom_id(anchor, row)
        hits = findings.get(dom, [])
        cls = f"lvl{row.level}" if row.level else ("total" if row.code else "")
        if hits:
            mark = "has-rounding" if all(f.rounding for f in hits) else "has-finding"
            cls = f"{cls} {mark}" if cls else mark
        if code_first and len(cells) > 1:
            _fold_code(cells)
        if may_be_empty and not numbers and not hits and row.level != 1 and row.code != "合计":
            cls = f"{cls} empty-row" if cls else "empty-row"
        out.append((dict(id=dom, cls=cls, cells=cells, findings=hits), (blanks, dashes)))
    return out


def _merged_row(cells: list[dict], r: int, row: Row, unit: str, spans: dict[tuple[int, int], int], kinds: list[str],
                labels: list[str], numeric: list[bool], counted: list[bool], head_i: int | None) -> tuple[int, int, bool]:
    """The cells of a row with merged cells (see :func:`merged_spans`), into
    ``cells``; its counts of blank and dash cells and whether it shows a
    figure. A covered cell is left out; a kept cell has its own column's class
    and header role, and the format of the column counted from the right
    (covered cells are the leftmost columns)."""
    ncols = len(kinds)
    src = row.cells
    n_src = len(src)
    kept = [i for i in range(ncols) if spans.get((r, i), 1)]
    offset = ncols - len(kept)
    blanks = dashes = 0
    numbers = False
    for j, c in enumerate(kept):
        i = j + offset                         # the column whose format applies
        base = src[c] if c < n_src else BLANK  # the column's own cell: its class and header role
        kind = base.kind
        if kind == KIND_DASH:
            cls = "num dash" if numeric[c] else "dash"
        elif numeric[c] or (base.value is not None and kind != KIND_TEXT):
            cls = "num"
        else:
            cls = ""
        cell = src[i] if i < n_src else None
        if cell is not None and cell.kind == KIND_DASH:
            text = NONE_MARK
            dashes += 1
        elif cell is not None and cell.value is not None and i != head_i:
            text = shown(cell, kinds[i], unit)
            numbers = True
        else:
            if cell is not None and cell.kind == KIND_BLANK and counted[i]:
                blanks += 1
            text = fmt_amount(base.value) if kind == KIND_AMOUNT else base.text
        cells.append({"text": text, "th": c == head_i, "cls": cls, "rowspan": spans.get((r, c), 1), "label": labels[i]})
    return blanks, dashes, numbers


def _fold_code(cells: list[dict]) -> None:
    """科目编码 + 科目名称 as one fixed column: the name, its code small beneath
    (the code alone when the row has no name)."""
    code_cell, name_cell = cells.pop(0), cells[0]
    name_cell["sub"] = code_cell["text"] if name_cell["text"] else ""
    if not name_cell["text"]:
        name_cell["text"] = code_cell["text"]
    name_cell["th"] = True


def _fold_code_header(head: list[list[dict]], shape: Shape) -> list[list[dict]]:
    """The header over the folded code + name column (see :func:`_fold_code`)."""
    label = "科目名称（编码）" if shape == Shape.SUBJECT else "经济分类（编码）"
    head = [list(h) for h in head]
    first = head[0][0]
    if first.get("colspan", 1) > 1 and len(head) > 1:
        # “项目” over 科目编码 + 科目名称: one header cell over the folded column
        span = first["colspan"]
        head[0][0] = dict(first, label=label, colspan=1, rowspan=2) if span == 2 else dict(first, colspan=span - 1)
        head[1] = head[1][2:] if span == 2 else head[1][1:]
    else:
        head[0] = head[0][1:]
        head[0][0] = dict(head[0][0], label=label)
    return head


def _as_cards(view: dict | None) -> dict | None:
    """绩效 indicators read as one card per indicator on a phone (see site.css)."""
    if view is not None:
        view["cards"] = True
    return view


def side_by_side(view: dict, table: Table) -> dict:
    """A table printed in halves side by side (上海2024's 基本支出表: 人员经费 |
    公用经费) is drawn as printed: one row per printed line, each half's cells
    under its own header group. Each half keeps its own row id (on its name
    cell) and its own finding marks."""
    halves = (table.spec or {}).get("halves") or []
    if len(halves) < 2 or not table.rows or not all(r.half is not None and r.printed for r in table.rows):
        return view
    lines: dict[int, list] = {}
    for row, body in zip(table.rows, view["body"]):
        lines.setdefault(row.printed, [None] * len(halves))[row.half] = body
    width = max(len(b["cells"]) for b in view["body"])
    blank = {"text": "", "th": False, "cls": "", "rowspan": 1}
    paired = []
    for printed in sorted(lines):
        cells, classes, first_id = [], [], ""
        for body in lines[printed]:
            if body is None:
                cells += [dict(blank) for _ in range(width)]
                classes.append("empty-row")
                continue
            half_cells = [dict(c) for c in body["cells"]] + [dict(blank) for _ in range(width - len(body["cells"]))]
            head = next((c for c in half_cells if c["th"]), half_cells[0])
            head["id"], head["findings"] = body["id"], body["findings"]
            first_id = first_id or body["id"]
            cells += half_cells
            classes.append(body["cls"])
        folded = all("empty-row" in c for c in classes)
        cls = " ".join(sorted({w for c in classes for w in c.split() if w != "empty-row"}))
        paired.append(dict(id=f"{first_id}-line", cls=(cls + " empty-row").strip() if folded else cls, cells=cells,
                           findings=[]))
    groups = [dict(label=h["name"], colspan=width, rowspan=1, scope="colgroup") for h in halves]
    columns = [dict(cell, scope="col", rowspan=1) for cell in view["head"][-1]]
    view["head"] = [groups, columns * len(halves)]
    view["body"] = paired
    view["ncols"] = width * len(halves)
    view["empty_rows"] = sum(1 for r in paired if "empty-row" in r["cls"])
    return view


def _section_headers(view: dict, table: Table) -> bool:
    """A free-form table whose columns are only numbered (第1栏…) carries its
    real headers as rows: those rows are shown as headers, and the numbered
    head is kept for screen readers only."""
    names = [c["name"] for c in table.columns[1:]]
    if not names or not all(re.fullmatch(r"第\d+栏", n) for n in names):
        return False
    for r, row in enumerate(view["body"]):
        src = table.rows[r]
        texts = [c.text for c in src.cells[1:] if c.text]
        if texts and all(c.value is None and c.kind == Kind.TEXT for c in src.cells[1:] if c.text):
            row["cls"] = (row["cls"] + " subhead").strip()
            row["cls"] = row["cls"].replace("empty-row", "").strip()
    if not view.get("unit") or view["unit"] == "万元":
        view["unit"] = "见各段段首（人、万元、m²）"
    return True


# ---------------------------------------------------------------- department charts

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
    rate = score = rate_value = None
    if ev.funds is not None and ev.funds.columns:
        names = [c["name"] for c in ev.funds.columns]
        ri = next((i for i, n in enumerate(names) if "执行率" in n), None)
        if ri is not None:
            rate_value = next((r.cell(ri).value for r in ev.funds.rows if r.cell(ri).value is not None), None)
            rate = fmt_rate(rate_value) if rate_value is not None else None
    if ev.total_score is not None and ev.total_score.value is not None:
        score = fmt_score(ev.total_score.value)
    indicators = 0
    if ev.indicators is not None and ev.indicators.columns:
        names = [c["name"] for c in ev.indicators.columns]
        if "三级指标" in names:
            ni = names.index("三级指标")
            indicators = sum(1 for r in ev.indicators.rows if r.cell(ni).text)
    return dict(rate=rate, rate_value=rate_value, score=score, score_max=fmt_score(ev.total_max.value) if ev.total_max else "",
                score_value=ev.total_score.value if ev.total_score else None,
                indicators=indicators, grade=ev.grade)


def sangong_rows(sg: dict[str, dict[str, Cell]]) -> list[dict]:
    """The department page's 三公 table, from the department's facts.sangong."""
    rows = []
    for item in facts.SANGONG_SHOWN:
        cells = {y: sg.get(y, {}).get(item) for y in registry.SANGONG_YEARS}
        if all(c is None for c in cells.values()):
            continue
        rows.append(dict(item=item, extra=item not in facts.SANGONG_CHART_ITEMS and item != "合计",
                         **{y: reading(c)[1] for y, c in cells.items()},
                         change=_change(cells["决算数"], cells["上年决算数"])))
    return rows


def _change(now: Cell | None, before: Cell | None) -> str:
    if now is None or before is None or before.value is None:
        return "无法比较" if now is not None else UNPUBLISHED
    diff = now.amount - before.value
    pct = f"，{charts.share(abs(diff), before.value)}" if before.value else ""
    return f"{'增加' if diff > 0 else '减少' if diff < 0 else '持平'} {fmt_amount(abs(diff))}{pct}" if diff else "持平"


def summarize(dept: DeptYear, findings: list[Finding], figures: facts.Figures) -> dict:
    """What portal-wide pages need to know about one department-year, from
    its audit ``findings`` and derived ``figures``. Holds a light copy of the
    department (no tables) so it is cheap to pass between processes and to
    cache."""
    h = Record(figures.headline)
    evals = [Record(ev=light_evaluation(ev), url=eval_url(dept, ev), **_eval_summary(ev)) for ev in dept.evaluations]
    tables = [(t.id, t.title, f"{dept_url(dept)}#{t.anchor}") for t in dept.tables + dept.others if t.title]
    share = charts.share(h["project"], h["spending"]) if h["project"] is not None and h["spending"] else ""
    return Record(dept=light_department(dept), url=dept_url(dept), h=h, fmt=Record(_fmt_facts(h)), sg=Record(_sangong_cells(figures.sangong)),
                  project_share=share,
                  findings=len(findings), real=sum(1 for f in findings if f.open),   # 已核实/提示 are not open
                  rounding=sum(1 for f in findings if f.rounding), evals=evals,
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
               common: dict, figures: dict[str, facts.Figures]) -> list[Page]:
    """The department-year page and one page per evaluation. ``figures``:
    the derived figures of ``dept`` and of the other years in ``same_slug``,
    by DeptYear.key."""
    pages = []
    flat = [x for f in findings for x in f.flat()]
    dept_rows, eval_rows = _findings_index([x for x in flat if not x.hint and not x.reviewed])
    trend = _trend([figures[d.key] for d in same_slug], [d.year for d in same_slug])
    tables = [dict(view=side_by_side(table_view(t, dept_rows, t.anchor), t), csv=f"data/{table_file(t)}.csv")
              for t in dept.tables]
    others = [dict(view=table_view(t, dept_rows, t.anchor), csv=f"data/{t.anchor}.csv") for t in dept.others]
    dept_charts_ = charts.department(dept, figures[dept.key], trend)
    context = dict(common, dept=dept, s=summary, tables=tables, others=others,
                   missing=[(tid, reason, _title(dept, tid)) for tid, reason in dept.missing.items()],
                   sections=[dict(title=s.title, id=section_id(s), html=marks.mark_sentences(
                       render_markdown(s.markdown), [x for x in flat if x.sentence and x.anchor == section_id(s)],
                       root_of(dept_url(dept)) + "quality.html")) for s in dept.sections],
                   overview={k: render_markdown(v) for k, v in dept.overview.items()},
                   terms=dept.terms, sangong=sangong_rows(figures[dept.key].sangong), sangong_source=dept.sangong_source,
                   charts=dept_charts_, findings=findings,
                   other_years=[(d.year, f"../{d.year}/index.html") for d in same_slug if d.year != dept.year])
    desc = f"{dept.name}{dept.year}年度{dept.kind}"
    if summary["h"]["spending"] is not None:
        desc += f"：本年支出合计 {summary['fmt']['spending']} 万元"
    meta = _Meta(column=f"{dept.year}年度决算公开", column_type="信息公开", pub_date=summary["pub_date"],
                 source=dept.source.get("publisher", "") or dept.name)
    pages.append(Page(dept_url(dept), "dept.html", context, dept=dept.key, charts=bool(dept_charts_),
                      title=f"{dept.name} {dept.year}年度{dept.kind}", description=desc + "。", **meta))
    info_by_slug = {e["ev"].slug: e for e in summary["evals"]}   # computed once, in summarize()
    for ev in dept.evaluations:
        idx = {anchor: fs for (slug, anchor), fs in eval_rows.items() if slug == ev.slug}
        chart = charts.evaluation(ev)

        def view(t, a, merge=(), idx=idx):
            return table_view(t, idx, a, merge) if t is not None and t.columns else None
        ctx = dict(common, dept=dept, ev=ev, info=info_by_slug[ev.slug],
                   funds=view(ev.funds, "funds"), goals=view(ev.goals, "goals"),
                   indicators=_as_cards(view(ev.indicators, "ind", ("一级指标", "二级指标"))),
                   others=[view(t, t.anchor) for t in ev.others], body=render_markdown(ev.body),
                   charts=[chart] if chart else [], total_findings=idx.get("total", []),
                   findings=[f for f in findings if f.page == "eval" and f.table == ev.slug])
        pages.append(Page(eval_url(dept, ev), "eval.html", ctx, dept=dept.key, charts=bool(chart),
                          title=f"{ev.name}（{ev.kind}）— {dept.name} {dept.year}",
                          description=f"{dept.name}{dept.year}年度{ev.kind}：{ev.name}"
                                      + (f"，总分得分 {fmt_score(ev.total_score.value)}" if ev.total_score and ev.total_score.value is not None else "") + "。",
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
    column = _ColumnMeta(column_type="专题专栏", pub_date=newest, source=site.sponsor or site.title)
    year_links = [(y, year_url(y), len(by_year[y])) for y in years]
    pages.append(Page("index.html", "index.html", dict(common, summaries=latest, year=years[0] if years else "",
                                                        year_links=year_links), title=site.title,
                      description=f"{site.title}：{len(summaries)} 个部门年度的决算表、“三公”经费、绩效自评和数据质量检查。",
                      charts=False, column="首页", **column))
    for year in years:
        pages.append(Page(year_url(year), "year.html", dict(common, year=year, summaries=by_year[year], year_links=year_links,
                                                             compare=compare_url(year, years[0])),
                          title=f"{year}年度预决算公开专栏",
                          description=f"{year}年度 {len(by_year[year])} 个部门的决算公开、“三公”经费和绩效自评。",
                          column=f"{year}年度决算公开", **column))
    for year in years:
        in_year = by_year[year]
        path = compare_url(year, years[0])
        chart_list = charts.comparison(in_year)
        pages.append(Page(path, "compare.html", dict(common, year=year, rows=in_year, charts=chart_list,
                                                     sangong_items=facts.SANGONG_COMPARED,
                                                     year_links=[(y, compare_url(y, years[0])) for y in years]),
                          charts=bool(chart_list), title=f"{year}年度部门比较",
                          description=f"{year}年度各部门支出、财政拨款、基本与项目支出、人员与公用经费、“三公”经费及绩效得分比较。",
                          column="部门比较", **column))
    if not years:
        pages.append(Page("compare.html", "compare.html", dict(common, year="", rows=[], charts=[], year_links=[],
                                                                sangong_items=facts.SANGONG_COMPARED),
                          title="部门比较", description="暂无已发布的部门。", column="部门比较", **column))
    # per department: 不一致 (open, then 已核实), then 提示, then 尾差 (issue 14)
    order = lambda f: (f.hint, f.reviewed)   # noqa: E731
    groups = [dict(dept=s["dept"], url=s["url"],
                   real=[_finding_view(f, s["dept"]) for f in sorted((f for f in findings[s["dept"].key] if not f.rounding), key=order)],
                   rounding=[_finding_view(f, s["dept"]) for f in findings[s["dept"].key] if f.rounding],
                   open=sum(1 for f in findings[s["dept"].key] if f.open),
                   hints=sum(1 for f in findings[s["dept"].key] if f.hint),
                   reviewed=sum(1 for f in findings[s["dept"].key] if f.reviewed and not f.hint and not f.rounding))
              for s in summaries]
    groups.sort(key=lambda g: -g["open"])   # stable: departments with open 不一致 first
    all_f = [f for s in summaries for f in findings[s["dept"].key]]
    n_open, n_rounding = sum(1 for f in all_f if f.open), sum(1 for f in all_f if f.rounding)
    pages.append(Page("quality.html", "quality.html", dict(common, groups=groups, total=n_open + n_rounding, real=n_open,
                                                           hints=sum(1 for f in all_f if f.hint),
                                                           reviewed=sum(1 for f in all_f if f.reviewed and not f.hint and not f.rounding)),
                      title="数据质量：勾稽检查结果",
                      description=f"对已公开决算数据的勾稽检查：{n_open} 处数字不一致，"
                                  f"另有 {n_rounding} 处四舍五入尾差。", column="数据质量", **column))
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


def _trend(figures: list[facts.Figures], years: list[int]) -> list[tuple[str, Decimal]]:
    """三公 决算数合计 by year, from the department's years (and each year's 上年决算数)."""
    points: dict[int, Decimal] = {}
    for fig, year in zip(figures, years):
        sg = fig.sangong
        actual = sg.get("决算数", {}).get("合计")
        if actual is not None and actual.kind in (Kind.AMOUNT, Kind.BLANK):
            points[year] = actual.amount
        prior = sg.get("上年决算数", {}).get("合计")
        if prior is not None and prior.value is not None and year - 1 not in points:
            points.setdefault(year - 1, prior.value)
    return [(f"{y}年", v) for y, v in sorted(points.items())]


def _fmt_facts(h: dict) -> dict:
    counts = ("staff", "staff_actual")
    return {k: ((f"{int(v):,}" if k in counts and v == v.to_integral_value() else fmt_amount(v, 0 if k in counts else 2))
                if isinstance(v, Decimal) else UNPUBLISHED) for k, v in h.items()}


def _finding_view(f: Finding, dept: DeptYear) -> dict:
    return dict(f=f, url=finding_url(f, dept), diff=fmt_amount(f.difference) if f.difference is not None else "",
                cls=("hint" if f.hint else "rounding" if f.rounding else "real") + (" reviewed" if f.reviewed else ""),
                badge=f.severity + ("（已核实）" if f.reviewed else ""), note=f.review_note,
                consequences=[_finding_view(c, dept) for c in f.consequences])   # listed under their root


def _sangong_cells(sg: dict[str, dict[str, Cell]]) -> dict[str, str]:
    """决算数 (预算数) per 三公 item, formatted for the comparison table."""
    out = {}
    for item in facts.SANGONG_COMPARED:
        actual, budget = sg.get("决算数", {}).get(item), sg.get("预算数", {}).get(item)
        text = reading(actual)[1]
        if actual is not None and budget is not None and budget.kind in (Kind.AMOUNT, Kind.BLANK):
            text += f"（{reading(budget)[1]}）"
        out[item] = text
    return out
