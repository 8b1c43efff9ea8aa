"""Headline facts read off a department-year's tables: total spending, 财政拨款,
基本/项目 split, 人员/公用经费, 三公 by item. Used by the home page, the
comparison page, charts and downloads, so every derived figure is read from
one place and always from a published cell (never recomputed)."""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from typing import overload

from . import formsets, registry
from .amounts import BLANK, Cell, Kind, fmt_plain
from .model import DeptYear, Table

NOTHING_TO_SHOW = re.compile(r"没有|未发生|不涉及|均为\s*0|为零")   # a printed 说明 meaning “zero”, not “not published”
YUAN_PER_WAN = 4   # 1 万元 = 10^4 元: converting is an exact shift of the decimal point


@overload
def in_wan(table: Table | None, value: Decimal) -> Decimal: ...


@overload
def in_wan(table: Table | None, value: None) -> None: ...


@overload
def in_wan(table: Table | None, value: Decimal | None) -> Decimal | None: ...


def in_wan(table: Table | None, value: Decimal | None) -> Decimal | None:
    """A figure of ``table`` in 万元, exactly (a 元 table's figures are shifted
    four places; nothing is rounded). Summaries, comparison and charts are in
    万元 whatever unit a table was printed in."""
    if value is None or table is None or table.unit != "元":
        return value
    return _shifted(value)


def _shifted(value: Decimal) -> Decimal:
    """元 -> 万元 with no trailing zeros beyond two places (54,172,700.00 元 ->
    5,417.27 万元; 1,234.56 元 -> 0.123456 万元): exact, never rounded."""
    wan = value.scaleb(-YUAN_PER_WAN)
    exponent = wan.normalize().as_tuple().exponent
    places = max(2, -exponent if isinstance(exponent, int) else 2)
    return wan.quantize(Decimal(1).scaleb(-places))


def cell_in_wan(table: Table | None, cell: Cell) -> Cell:
    if table is None or table.unit != "元" or cell.value is None:
        return cell
    value = _shifted(cell.value)
    return Cell(fmt_plain(value), value, cell.kind, cell.line, cell.col)


def sangong_from_table(table: Table) -> dict[str, dict[str, Cell]]:
    """公开09表 -> {预算数|决算数: {item: Cell}} for both layouts, in 万元."""
    out: dict[str, dict[str, Cell]] = {}
    spec = table.spec or {}
    if "sangong" in spec:
        if not table.rows:
            return out
        row = table.rows[0]
        for (year_key, item), column in spec["sangong"].items():
            out.setdefault(year_key, {})[item] = cell_in_wan(table, row.cell(table.col(column)))
    elif spec.get("sangong_rows"):
        for row in table.rows:
            year_key = row.cell(0).text.replace(" ", "")
            if year_key not in ("预算数", "决算数"):
                continue
            for i, column in enumerate(table.columns[1:], 1):
                item = "公务用车购置及运行维护费" if column["name"] == "公务用车购置及运行维护费小计" else column["name"]
                out.setdefault(year_key, {})[item] = cell_in_wan(table, row.cell(i))
    return out


def form_of(dept: DeptYear):
    """The department-year's form set: the one it names, else its year's default."""
    return dept.form_set or formsets.form_set_for(dept.year)


def sangong_table(dept: DeptYear) -> Table | None:
    """The department's 三公 table: the one its form set reads 三公 from (公开09表)."""
    spec = form_of(dept).sangong_table()
    return dept.table(spec["id"]) if spec else None


def sangong(dept: DeptYear) -> dict[str, dict[str, Cell]]:
    """三公 figures: the form set's 三公 table where published, completed by the text's figures."""
    result: dict[str, dict[str, Cell]] = {}
    table = sangong_table(dept)
    if table is not None:
        result = {k: dict(v) for k, v in sangong_from_table(table).items()}
        if table.empty and NOTHING_TO_SHOW.search(f"{table.remark} {table.note}"):   # “没有三公经费……”: zero
            result = {y: {item: BLANK for item in ["合计"] + SANGONG_CHART_ITEMS} for y in ("预算数", "决算数")}
    for year_key, items in dept.sangong.items():
        for item, cell in items.items():
            result.setdefault(year_key, {}).setdefault(item, cell)
    return result


def concept_source(dept: DeptYear, concept: str):
    """(table, selector, column) where the form set reads ``concept`` (用途):
    the primary source when its table is published, else the first 备选
    whose table is; None when none is."""
    for table_id, selector, column in form_of(dept).concepts().get(concept, []):
        table = next((t for t in dept.tables if t.id == table_id), None)
        if table is not None:
            return table, selector, column
    return None


def concept_value(dept: DeptYear, concept: str) -> Decimal | None:
    """A headline figure in 万元, read off the cell the form set names."""
    source = concept_source(dept, concept)
    if source is None:
        return None
    table, selector, column = source
    value = formsets.read_ref(table, selector, column)
    if isinstance(value, Cell):
        value = value.value
    return in_wan(table, value) if isinstance(value, Decimal) or value is None else None


@dataclass(frozen=True)
class Figures:
    """Every figure of one department-year that its pages, charts and
    downloads show besides the tables themselves, derived once (after the
    audit, by :func:`derive`) and passed to pages, charts and render. All in
    万元, each read off a published cell; None or empty where not published."""

    headline: dict                                  # see headline(): 本年收入/支出合计, 财政拨款, ... 三公 合计
    sangong: dict[str, dict[str, Cell]]             # {预算数|决算数|上年决算数: {item: Cell}}
    functional: list[tuple[str, str, Decimal]]      # 功能分类 类: (code, name, 本年支出合计)
    economic: list[tuple[str, str, Decimal]]        # 经济分类 类 with a figure
    income: list[tuple[str, Decimal]]               # 收入来源: (column label, figure)


def derive(dept: DeptYear) -> Figures:
    sg = sangong(dept)
    return Figures(headline=headline(dept, sg), sangong=sg, functional=functional_classes(dept),
                   economic=economic_classes(dept), income=income_sources(dept))


def headline(dept: DeptYear, sg: dict[str, dict[str, Cell]] | None = None) -> dict:
    """Figures for summaries; None where the department did not publish them.
    Which cell gives which figure is the form set's (``用途``). ``sg``: the
    department's :func:`sangong`, when already at hand."""
    sg = sangong(dept) if sg is None else sg
    facts = dict(
        income=concept_value(dept, "本年收入合计"),
        spending=concept_value(dept, "本年支出合计"),
        fiscal=concept_value(dept, "财政拨款支出"),
        basic=concept_value(dept, "基本支出"),
        project=concept_value(dept, "项目支出"),
        gpb=concept_value(dept, "一般公共预算财政拨款支出"),
        personnel=concept_value(dept, "人员经费"),
        public=concept_value(dept, "公用经费"),
        sangong_budget=_cell_value(sg, "预算数", "合计"),
        sangong_actual=_cell_value(sg, "决算数", "合计"),
        sangong_prior=_cell_value(sg, "上年决算数", "合计"),
        staff=dept.staff.get("编制数"),
        staff_actual=dept.staff.get("实有人数"),
        evaluations=len(dept.evaluations),
    )
    if facts["sangong_actual"] is not None and facts["sangong_prior"]:
        facts["sangong_change"] = facts["sangong_actual"] - facts["sangong_prior"]
    else:
        facts["sangong_change"] = None
    return facts


def _cell_value(sg, year_key, item) -> Decimal | None:
    cell = sg.get(year_key, {}).get(item)
    if cell is None:
        return None
    return cell.amount if cell.kind in (Kind.BLANK, Kind.AMOUNT) else None


def _classes(dept: DeptYear, concept: str) -> list[tuple[str, str, Decimal]]:
    source = concept_source(dept, concept)
    if source is None:
        return []
    table, selector, column = source
    return [(r.code, r.cell(1).text, in_wan(table, cell.amount)) for r, cell in formsets.read_ref(table, selector, column)]


def functional_classes(dept: DeptYear) -> list[tuple[str, str, Decimal]]:
    """功能分类 类 rows of the spending table (公开03表): (code, name, 本年支出合计)."""
    return _classes(dept, "功能分类支出")


def economic_classes(dept: DeptYear) -> list[tuple[str, str, Decimal]]:
    """经济分类 类 rows of the basic-spending table (公开06表) with a figure."""
    return [c for c in _classes(dept, "经济分类支出") if c[2]]


def income_sources(dept: DeptYear) -> list[tuple[str, Decimal]]:
    """收入来源: the income table's 合计 row, one figure per source column with a figure."""
    source = concept_source(dept, "收入来源")
    if source is None:
        return []
    table, selector, column = source
    cells = formsets.read_ref(table, selector, column)
    if not cells:
        return []
    return [(table.columns[table.col(name)]["label"], in_wan(table, cell.amount)) for name, cell in cells if cell.amount]


SANGONG_CHART_ITEMS = ["因公出国（境）费", "公务用车购置费", "公务用车运行维护费", "公务接待费"]
assert all(i in registry.SANGONG_KEYS for i in SANGONG_CHART_ITEMS)
SANGONG_SHOWN = ["合计"] + SANGONG_CHART_ITEMS + registry.MEETING_ITEMS   # the department page's 三公 table
SANGONG_COMPARED = ["合计"] + SANGONG_CHART_ITEMS + ["会议费", "培训费"]     # columns of the comparison table
