"""Consistency audit: every identity the standard tables imply, checked with
exact decimal arithmetic. A failure is a :class:`Finding`, never an error:
the published figure stays as printed and the finding is shown to readers.

A difference of at most 0.01 per summed item is a 尾差 (rounding of figures
printed to 0.01 万元); anything larger is a 不一致.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from . import registry
from .amounts import Cell, fmt_amount
from .facts import cell_in_wan, sangong_from_table
from .model import DeptYear, Evaluation, Finding, Row, Table

CENT = Decimal("0.01")
BETWEEN_WORDS = ("结转", "结余", "使用")


def row_dom_id(table_anchor: str, row: Row) -> str:
    return f"{table_anchor}-{row.anchor}"


def _num(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return "空白" if cell is None or cell.kind == "blank" else f"“{cell.text}”"
    return fmt_amount(cell.value, 2)


def _fmt(value: Decimal, places: int = 2) -> str:
    return fmt_amount(value, places)


def _at_places(cell: Cell, places: int) -> Cell:
    """A converted figure rounded to the precision the other side printed."""
    if cell.value is None:
        return cell
    value = cell.value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
    return Cell(fmt_amount(value, places), value, cell.kind, cell.line, cell.col)


def _same_unit(ltable: Table, left: Cell, rtable: Table, right: Cell) -> tuple[Cell, Cell]:
    """Compare a 元 figure with a 万元 one in 万元, at the 万元 figure's printed
    precision (123,456.78 元 matches 12.35 万元)."""
    if ltable.unit == "元":
        return _at_places(cell_in_wan(ltable, left), max(right.places, 2)), right
    return left, _at_places(cell_in_wan(rtable, right), max(left.places, 2))


class Auditor:
    def __init__(self, dept: DeptYear):
        self.dept = dept
        self.findings: list[Finding] = []

    # ------------------------------------------------------------ helpers
    def compare(self, *, path, line, where, family, parts, total_label, total: Cell | None,
                table="", anchor="", page="dept", expected=None, printed=None, items=None):
        """parts: list of (label, sign, Cell). Records a finding if Σparts ≠ total."""
        present = [(label, sign, c) for label, sign, c in parts if c is not None and c.value is not None]
        if expected is None:
            if not present and (total is None or total.value is None or total.value == 0):
                return
            expected = sum((sign * c.value for _, sign, c in present), Decimal(0))
        if printed is None:
            printed = total.value if total is not None and total.value is not None else Decimal(0)
        if expected == printed:
            return
        n = max(items if items is not None else len(present), 1)
        rounding = abs(printed - expected) <= CENT * n
        if present:
            terms = " ".join(f"{'+' if sign > 0 else '−'} {label} {_num(c)}" for label, sign, c in present).lstrip("+ ")
            if terms.startswith("−"):
                terms = "−" + terms[1:].lstrip()
        else:
            terms = "各项均为空白"
        places = max([c.places for _, _, c in present] + [2])
        message = (f"{terms} = {_fmt(expected, places)}，而{total_label}为 {_num(total) if total is not None else _fmt(printed)}"
                   f"（差 {_fmt(printed - expected, places)}）")
        self.findings.append(Finding(dept=self.dept.key, path=path, line=line, where=where, family=family,
                                     message=message, expected=expected, printed=printed, table=table,
                                     anchor=anchor, page=page, rounding=rounding))

    # ------------------------------------------------------------ tables
    def run(self) -> list[Finding]:
        for table in self.dept.tables:
            for identity in table.spec.get("identities", []):
                getattr(self, f"rule_{identity['rule']}")(table, identity)
        self.cross_tables()
        self.sangong()
        for table in self.dept.others:
            self.rate_columns(table, page="dept", anchor_prefix=table.anchor)
        for ev in self.dept.evaluations:
            self.evaluation(ev)
        return self.findings

    def _row_where(self, table: Table, row: Row) -> str:
        if row.code:
            return f"{table.id} 科目 {row.code}" if row.code.isdigit() else f"{table.id} {row.code}"
        label = next((c.text for c in row.cells if c.kind == "text" and c.text), "")
        return f"{table.id} {label or '第' + row.anchor + '行'}"

    def rule_columns(self, table: Table, identity: dict) -> None:
        total_i = table.col(identity["total"])
        parts = [(p.lstrip("-"), -1 if p.startswith("-") else 1, table.col(p.lstrip("-"))) for p in identity["parts"]]
        for row in table.rows:
            total = row.cell(total_i)
            if total.kind == "dash":
                continue
            self.compare(path=row.path, line=row.line, where=self._row_where(table, row), family="行内勾稽",
                         parts=[(table.columns[i]["label"], s, row.cell(i)) for _, s, i in parts],
                         total_label=table.columns[total_i]["label"], total=total, table=table.id,
                         anchor=row_dom_id(table.anchor, row))

    def _amount_columns(self, table: Table) -> list[int]:
        return [i for i, c in enumerate(table.columns) if c["kind"] == "amount"]

    def rule_tree(self, table: Table, identity: dict) -> None:
        rows = [r for r in table.rows if r.level]
        total_rows = [r for r in table.rows if r.code == "合计"]
        for parent in rows:
            if parent.level == 3:
                continue
            children = [r for r in rows if r.level == parent.level + 1 and r.code.startswith(parent.code)]
            if children:
                self._sum_rows(table, parent, children, "科目汇总", f"{'类' if parent.level == 1 else '款'} {parent.code}")
        for total in total_rows:
            tops = [r for r in rows if r.level == 1]
            if tops:
                self._sum_rows(table, total, tops, "合计", "合计")

    def _sum_rows(self, table: Table, parent: Row, children: list[Row], family: str, label: str) -> None:
        for i in self._amount_columns(table):
            if i < 2:
                continue
            name = table.columns[i]["label"]
            self.compare(path=parent.path, line=parent.line, where=f"{table.id} {label} {name}", family=family,
                         parts=[(f"{r.code}", 1, r.cell(i)) for r in children], total_label=f"{label}",
                         total=parent.cell(i), table=table.id, anchor=row_dom_id(table.anchor, parent))

    def rule_econ(self, table: Table, identity: dict) -> None:
        rows = [r for r in table.rows if r.level]
        for parent in (r for r in rows if r.level == 1):
            children = [r for r in rows if r.level == 2 and r.code.startswith(parent.code)]
            if children:
                self._sum_rows(table, parent, children, "科目汇总", f"类 {parent.code}")
        personnel = set(table.spec["personnel"])
        for row in table.rows:
            if row.code in table.spec["totals"]:
                want_personnel = table.spec["totals"][row.code] == "personnel"
                tops = [r for r in rows if r.level == 1 and (r.code in personnel) == want_personnel]
                self.compare(path=row.path, line=row.line, where=f"{table.id} {row.code}", family="合计",
                             parts=[(r.code, 1, r.cell(2)) for r in tops], total_label=row.code, total=row.cell(2),
                             table=table.id, anchor=row_dom_id(table.anchor, row))

    # two-sided tables (公开01/公开04)
    def rule_sides(self, table: Table, identity: dict) -> None:
        totals = {}
        for side_name, side in table.spec["sides"].items():
            labelled = table.side_rows(side_name)
            labels = [t for t, _ in labelled]
            if side["subtotal"] not in labels:
                continue
            sub_i = labels.index(side["subtotal"])
            items = [(t, r) for t, r in labelled[:sub_i] if not t.startswith("其中")]
            sub_row = labelled[sub_i][1]
            for col in side["amounts"]:
                name = table.columns[col]["label"]
                self.compare(path=sub_row.path, line=sub_row.line, where=f"{table.id} {side['subtotal']} {name}",
                             family="合计", parts=[(t, 1, r.cell(col)) for t, r in items], total_label=side["subtotal"],
                             total=sub_row.cell(col), table=table.id, anchor=row_dom_id(table.anchor, sub_row))
            if side["total"] in labels[sub_i:]:
                tot_i = labels.index(side["total"], sub_i)
                between = [(t, r) for t, r in labelled[sub_i + 1: tot_i] if any(w in t for w in BETWEEN_WORDS)]
                tot_row = labelled[tot_i][1]
                for col in side["amounts"]:
                    name = table.columns[col]["label"]
                    self.compare(path=tot_row.path, line=tot_row.line, where=f"{table.id} {side_name}{side['total']} {name}",
                                 family="合计", parts=[(side["subtotal"], 1, sub_row.cell(col))] +
                                 [(t, 1, r.cell(col)) for t, r in between], total_label=f"{side_name}{side['total']}",
                                 total=tot_row.cell(col), table=table.id, anchor=row_dom_id(table.anchor, tot_row))
                totals[side_name] = (tot_row, tot_row.cell(side["amounts"][0]))
        if len(totals) == 2:
            (_, income), (out_row, spend) = totals["收入"], totals["支出"]
            self.compare(path=out_row.path, line=out_row.line, where=f"{table.id} 总计", family="合计",
                         parts=[("收入总计", 1, income)], total_label="支出总计", total=spend, table=table.id,
                         anchor=row_dom_id(table.anchor, out_row), items=1)

    # ------------------------------------------------------------ cross-table
    def _ref(self, ref) -> tuple[Cell | None, Row | None, str, Table | None]:
        table_id, selector, column = ref
        table = self.dept.table(table_id)
        if table is None:
            return None, None, "", None
        kind = selector[0]
        if kind == "label":
            side = "收入" if column < 3 else "支出"
            row = table.side_row(side, selector[1])
            cell = row.cell(column) if row else None
            return cell, row, f"{table_id}“{selector[1]}”{table.columns[column]['label']}", table
        if kind == "row":
            row = next((r for r in table.rows if r.code == selector[1]), None)
            cell = row.cell(table.col(column)) if row else None
            return cell, row, f"{table_id}{selector[1]}“{column}”", table
        if kind == "sum":
            rows = [r for r in table.rows if r.code in selector[1:]]
            if not rows:
                return None, None, "", table
            value = sum((r.cell(table.col(column)).amount for r in rows), Decimal(0))
            return Cell(fmt_amount(value), value, "amount"), rows[0], f"{table_id}{'+'.join(selector[1:])}", table
        raise ValueError(selector)

    def cross_tables(self) -> None:
        for identity in registry.table_set(self.dept.year)["cross"]:
            left, lrow, llabel, ltable = self._ref(identity["left"])
            right, rrow, rlabel, rtable = self._ref(identity["right"])
            if left is None or right is None:
                continue
            if ltable.unit != rtable.unit:   # one printed in 元, the other in 万元
                left, right = _same_unit(ltable, left, rtable, right)
            if left.value is None and right.value is None:
                continue
            where_row = rrow
            self.compare(path=where_row.path, line=where_row.line, where=f"{rlabel}", family="表间勾稽",
                         parts=[(llabel, 1, left)], total_label=rlabel, total=right, table=rtable.id,
                         anchor=row_dom_id(rtable.anchor, where_row), items=1)

    def sangong(self) -> None:
        """公开09表 against the 三公 figures stated in the text."""
        table = self.dept.table("公开09表")
        if table is None or not self.dept.sangong:
            return
        printed = sangong_from_table(table)
        for year_key, items in self.dept.sangong.items():
            for item, stated in items.items():
                cell = printed.get(year_key, {}).get(item)
                if cell is None or stated.value is None:
                    continue
                if table.unit == "元":
                    cell = _at_places(cell, stated.places)
                self.compare(path=self.dept.path, line=stated.line, where=f"三公经费 {year_key} {item}", family="表间勾稽",
                             parts=[(f"公开09表{year_key}{item}", 1, cell)], total_label="文字陈述", total=stated,
                             table="公开09表", anchor="sangong", items=1)

    # ------------------------------------------------------------ 绩效
    def rate_columns(self, table: Table | None, page: str, anchor_prefix: str, ev: Evaluation | None = None) -> None:
        """执行率 = 执行数 ÷ 预算数, compared at the precision printed."""
        if table is None or not table.columns:
            return
        names = [c["name"] for c in table.columns]
        rate_i = next((i for i, n in enumerate(names) if "执行率" in n), None)
        exec_i = next((i for i, n in enumerate(names) if ("执行数" in n or "执行金额" in n) and "系统" not in n), None)
        budget_is = [i for i, n in enumerate(names) if ("预算" in n or "到位" in n) and "执行" not in n]
        # the usual denominator first: 全年预算数, then 预算数, 年初预算数, 到位
        budget_is.sort(key=lambda i: (0 if "全年" in names[i] else 2 if "年初" in names[i] else 3 if "到位" in names[i] else 1))
        if rate_i is None or exec_i is None or not budget_is:
            return
        for row in table.rows:
            rate, done = row.cell(rate_i), row.cell(exec_i)
            if rate.value is None or done.value is None:
                continue
            text = rate.text.rstrip("%")
            places = len(text.split(".")[1]) if "." in text else 0
            tried = []
            for bi in budget_is:
                budget = row.cell(bi)
                if budget.value is None or budget.value == 0:
                    continue
                actual = done.value / budget.value * 100
                rounded = actual.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
                tried.append((names[bi], budget, actual))
                if rounded == rate.value or abs(actual - rate.value) < Decimal(1).scaleb(-places):
                    break
            else:
                if not tried:
                    continue
                label = row.cell(0).text or f"第{row.anchor}行"
                calcs = "；".join(f"{names[exec_i]} {_num(done)} ÷ {n} {_num(b)} = {a.quantize(Decimal('0.01'))}%"
                                  for n, b, a in tried)
                where = f"{ev.name if ev else table.title} {table.title} {label}"
                self.findings.append(Finding(
                    dept=self.dept.key, path=row.path, line=row.line, where=where, family="绩效",
                    message=f"{calcs}，而原表执行率为 {rate.text}", expected=tried[0][2], printed=rate.value,
                    table=ev.slug if ev else table.anchor, anchor=row_dom_id(anchor_prefix, row), page=page))

    def evaluation(self, ev: Evaluation) -> None:
        self.rate_columns(ev.funds, "eval", "funds", ev)
        for t in ev.others:
            self.rate_columns(t, "eval", t.anchor, ev)
        score_total = Decimal(0)
        max_total = Decimal(0)
        fund_score = fund_max = None
        for table, anchor in ((ev.funds, "funds"), (ev.indicators, "ind")):
            if table is None or not table.columns:
                continue
            names = [c["name"] for c in table.columns]
            if "分值" not in names or "得分" not in names:
                continue
            mi, si = names.index("分值"), names.index("得分")
            for row in table.rows:
                top, got = row.cell(mi), row.cell(si)
                if table is ev.funds:
                    if got.value is not None and fund_score is None:
                        fund_score, fund_max = got, top
                elif got.value is not None or top.value is not None:
                    score_total += got.amount
                    max_total += top.amount
                if top.value is not None and got.value is not None and got.value > top.value:
                    name_i = names.index("三级指标") if "三级指标" in names else 0
                    label = row.cell(name_i).text or f"第{row.anchor}行"
                    self.findings.append(Finding(
                        dept=self.dept.key, path=row.path, line=row.line, where=f"{ev.name} {label}", family="绩效",
                        message=f"得分 {got.text} 超过分值 {top.text}", expected=top.value, printed=got.value,
                        table=ev.slug, anchor=row_dom_id(anchor, row), page="eval"))
        if ev.indicators is None or not any(
                r.cell(i).value is not None for r in ev.indicators.rows
                for i, c in enumerate(ev.indicators.columns) if c["name"] == "得分"):
            return  # no indicator scores printed: nothing to add up
        for attr, computed, fund, what in (("total_score", score_total, fund_score, "得分"),
                                           ("total_max", max_total, fund_max, "分值")):
            printed = getattr(ev, attr)
            if printed is None or printed.value is None:
                continue
            # When the form scores 执行率 (its 资金 row has 分值/得分), the 总分 includes it.
            with_fund = computed + (fund.amount if fund is not None else 0)
            if printed.value == with_fund:
                continue
            parts = f"各项指标{what}合计 {_fmt(computed, 0 if computed == computed.to_integral() else 2)}"
            if fund is not None and fund.value is not None:
                parts += f"，加执行率{what} {fund.text} 为 {_fmt(with_fund, 0 if with_fund == with_fund.to_integral() else 2)}"
            self.findings.append(Finding(
                dept=self.dept.key, path=ev.path, line=ev.total_line, where=f"{ev.name} 总分", family="绩效",
                message=f"{parts}，而原表总分{what}为 {printed.text}", expected=with_fund, printed=printed.value,
                table=ev.slug, anchor="total", page="eval"))


def audit(dept: DeptYear) -> list[Finding]:
    return Auditor(dept).run()
