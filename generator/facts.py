"""Headline facts read off a department-year's tables: total spending, 财政拨款,
基本/项目 split, 人员/公用经费, 三公 by item. Used by the home page, the
comparison page, charts and downloads, so every derived figure is read from
one place and always from a published cell (never recomputed)."""
from __future__ import annotations

from decimal import Decimal

from . import registry
from .amounts import Cell, fmt_plain
from .model import DeptYear, Table

YUAN_PER_WAN = 4   # 1 万元 = 10^4 元: converting is an exact shift of the decimal point


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


def sangong(dept: DeptYear) -> dict[str, dict[str, Cell]]:
    """三公 figures: the 公开09表 where published, completed by the text's figures."""
    result: dict[str, dict[str, Cell]] = {}
    table = dept.table("公开09表")
    if table is not None:
        result = {k: dict(v) for k, v in sangong_from_table(table).items()}
    for year_key, items in dept.sangong.items():
        for item, cell in items.items():
            result.setdefault(year_key, {}).setdefault(item, cell)
    return result


def _row_value(table: Table | None, code: str, column: str) -> Decimal | None:
    if table is None:
        return None
    for row in table.rows:
        if row.code == code:
            return in_wan(table, row.cell(table.col(column)).value)
    return None


def _label_value(table: Table | None, label: str, column_index: int) -> Decimal | None:
    if table is None:
        return None
    row = table.side_row("收入" if column_index < 3 else "支出", label)
    return in_wan(table, row.cell(column_index).value) if row is not None else None


def headline(dept: DeptYear) -> dict:
    """Figures for summaries; None where the department did not publish them."""
    t01, t03, t05, t06 = (dept.table(t) for t in ("公开01表", "公开03表", "公开05表", "公开06表"))
    t04 = dept.table("公开04表")
    personnel = public = None
    if t06 is not None:
        personnel = _row_value(t06, "人员经费合计", "决算数")
        public = _row_value(t06, "公用经费合计", "决算数")
    sg = sangong(dept)
    facts = dict(
        income=_label_value(t01, "本年收入合计", 2),
        spending=_row_value(t03, "合计", "本年支出合计") if t03 is not None else _label_value(t01, "本年支出合计", 5),
        fiscal=_label_value(t04, "本年支出合计", 5),
        basic=_row_value(t03, "合计", "基本支出"),
        project=_row_value(t03, "合计", "项目支出"),
        gpb=_row_value(t05, "合计", "小计"),
        personnel=personnel,
        public=public,
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
    return cell.amount if cell.kind in ("blank", "amount") else None


def functional_classes(dept: DeptYear) -> list[tuple[str, str, Decimal]]:
    """公开03表 类 rows: (code, name, 本年支出合计)."""
    t03 = dept.table("公开03表")
    if t03 is None:
        return []
    i = t03.col("本年支出合计")
    return [(r.code, r.cell(1).text, in_wan(t03, r.cell(i).amount)) for r in t03.rows if r.level == 1]


def economic_classes(dept: DeptYear) -> list[tuple[str, str, Decimal]]:
    t06 = dept.table("公开06表")
    if t06 is None:
        return []
    return [(r.code, r.cell(1).text, in_wan(t06, r.cell(2).amount)) for r in t06.rows if r.level == 1 and r.cell(2).amount]


def income_sources(dept: DeptYear) -> list[tuple[str, Decimal]]:
    t02 = dept.table("公开02表")
    if t02 is None:
        return []
    total = next((r for r in t02.rows if r.code == "合计"), None)
    if total is None:
        return []
    return [(c["label"], in_wan(t02, total.cell(i).amount)) for i, c in enumerate(t02.columns)
            if i > 2 and c["kind"] == "amount" and total.cell(i).amount]


SANGONG_CHART_ITEMS = ["因公出国（境）费", "公务用车购置费", "公务用车运行维护费", "公务接待费"]
assert all(i in registry.SANGONG_KEYS for i in SANGONG_CHART_ITEMS)
SANGONG_SHOWN = ["合计"] + SANGONG_CHART_ITEMS + registry.MEETING_ITEMS   # the department page's 三公 table
SANGONG_COMPARED = ["合计"] + SANGONG_CHART_ITEMS + ["会议费", "培训费"]     # columns of the comparison table
