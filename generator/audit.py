"""Consistency audit: every identity the standard tables imply, checked with
exact decimal arithmetic. A failure is a :class:`Finding`, never an error:
the published figure stays as printed and the finding is shown to readers.

A difference of at most 0.01 per summed item is a 尾差 (rounding of figures
printed to 0.01 万元); anything larger is a 不一致.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from . import claims, facts
from .amounts import Cell, Kind, fmt_amount
from .facts import cell_in_wan, sangong_from_table
from .model import DeptYear, Evaluation, Family, Finding, Row, Table
from .urls import finding_id, row_dom_id

CENT = Decimal("0.01")
BETWEEN_WORDS = ("结转", "结余", "使用")


def _num(cell: Cell | None) -> str:
    if cell is None or cell.value is None:
        return "空白" if cell is None or cell.kind == Kind.BLANK else f"“{cell.text}”"
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


def _title(table: Table, i: int) -> str:
    """A column as findings name it: its printed label, or its name when the
    label repeats under a multi-level header (上海三公表的“预算数”“决算数”)."""
    column = table.columns[i]
    label = column.get("label", column["name"])
    if column.get("groups") and sum(1 for c in table.columns if c.get("label", c["name"]) == label) > 1:
        return column["name"]
    return label


def _side_of(table: Table, column: int) -> str:
    """The side (收入/支出) of a two-sided table whose amount columns hold ``column``."""
    return next((s for s, v in table.form_spec["sides"].items() if column in v["amounts"]),
                "收入" if column < 3 else "支出")


class Auditor:
    def __init__(self, dept: DeptYear):
        self.dept = dept
        form = facts.form_of(dept)
        assert form is not None, "the package's forms always include a default form set"
        self.form = form
        self.findings: list[Finding] = []
        # root-cause grouping: which cells each finding compares, and the sums that hold
        self._cells: dict[int, tuple[object, list[tuple[Cell, int]]]] = {}   # id(finding) -> (total, parts)
        self._derived: dict[int, set[int]] = {}   # id(cell) -> ids of cells that hold a sum including it
        self._alive: list = []   # converted/summed cells made for one comparison: kept so their ids stay unique

    # ------------------------------------------------------------ helpers
    def compare(self, *, path, line, where, family, parts, total_label, total: Cell | None,
                table="", anchor="", page="dept", expected=None, printed=None, items=None, both_ways=False):
        """parts: list of (label, sign, Cell). Records a finding if Σparts ≠ total.
        An identity that holds is remembered (the total is derived from its
        parts; ``both_ways``: the two figures restate each other) for
        :func:`group`."""
        present = [(label, sign, c) for label, sign, c in parts if c is not None and c.value is not None]
        if expected is None:
            if not present and (total is None or total.value is None or total.value == 0):
                return
            expected = sum((sign * c.value for _, sign, c in present), Decimal(0))
        if printed is None:
            printed = total.value if total is not None and total.value is not None else Decimal(0)
        self._alive.append((total, present))
        if expected == printed:
            if total is not None:
                for _, _, c in present:
                    self._derived.setdefault(id(c), set()).add(id(total))
                    if both_ways:
                        self._derived.setdefault(id(total), set()).add(id(c))
            return
        n = max(items if items is not None else len(present), 1)
        rounding = abs(printed - expected) <= CENT * n
        shown = [(label, sign, c) for label, sign, c in present if c.value != 0]
        zeros, blanks = len(present) - len(shown), len(parts) - len(present)
        rest = "0.00 或空白" if blanks else "0.00"
        if shown:
            terms = " ".join(f"{'+' if sign > 0 else '−'} {label} {_num(c)}" for label, sign, c in shown).lstrip("+ ")
            if terms.startswith("−"):
                terms = "−" + terms[1:].lstrip()
            if zeros:   # 0.00 terms are named by count, not listed (“其余 19 项为 0.00 或空白”)
                terms += f"（其余 {zeros + blanks} 项为 {rest}）"
        else:
            terms = f"各项均为 {rest}" if zeros else "各项均为空白"
        places = max([c.places for _, _, c in present] + [2])
        message = (f"{terms} = {_fmt(expected, places)}，而{total_label}为 {_num(total) if total is not None else _fmt(printed)}"
                   f"（差 {_fmt(printed - expected, places)}）")
        finding = Finding(dept=self.dept.key, path=path, line=line, where=where, family=family,
                          message=message, expected=expected, printed=printed, table=table,
                          anchor=anchor, page=page, rounding=rounding)
        self.findings.append(finding)
        self._cells[id(finding)] = (total if total is not None else object(), [(c, sign) for _, sign, c in present])

    # ------------------------------------------------------------ tables
    def run(self) -> list[Finding]:
        for table in self.dept.tables:
            for identity in table.form_spec.get("identities", []):
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
        label = next((c.text for c in row.cells if c.kind == Kind.TEXT and c.text), "")
        return f"{table.id} {label or '第' + row.anchor + '行'}"

    def rule_columns(self, table: Table, identity: dict) -> None:
        total_i = table.col(identity["total"])
        parts = [(p.lstrip("-"), -1 if p.startswith("-") else 1, table.col(p.lstrip("-"))) for p in identity["parts"]]
        for row in table.rows:
            total = row.cell(total_i)
            if total.kind == Kind.DASH:
                continue
            self.compare(path=row.path, line=row.line, where=self._row_where(table, row), family=Family.ROW,
                         parts=[(_title(table, i), s, row.cell(i)) for _, s, i in parts],
                         total_label=_title(table, total_i), total=total, table=table.id,
                         anchor=row_dom_id(table.anchor, row))

    def _amount_columns(self, table: Table) -> list[int]:
        return [i for i, c in enumerate(table.columns) if c["kind"] == Kind.AMOUNT]

    def rule_tree(self, table: Table, identity: dict) -> None:
        rows = [r for r in table.rows if r.level]
        total_rows = [r for r in table.rows if r.code == "合计"]
        for parent in rows:
            if parent.level == 3:
                continue
            children = [r for r in rows if r.level == parent.level + 1 and r.code.startswith(parent.code)]
            if children:
                self._sum_rows(table, parent, children, Family.TREE, f"{'类' if parent.level == 1 else '款'} {parent.code}")
        for total in total_rows:
            tops = [r for r in rows if r.level == 1]
            if tops:
                self._sum_rows(table, total, tops, Family.TOTAL, "合计")

    def _sum_rows(self, table: Table, parent: Row, children: list[Row], family: Family, label: str) -> None:
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
                self._sum_rows(table, parent, children, Family.TREE, f"类 {parent.code}")
        personnel = set(table.form_spec["personnel"])
        for row in table.rows:
            if row.code in table.form_spec["totals"]:
                want_personnel = table.form_spec["totals"][row.code] == "personnel"
                tops = [r for r in rows if r.level == 1 and (r.code in personnel) == want_personnel]
                self.compare(path=row.path, line=row.line, where=f"{table.id} {row.code}", family=Family.TOTAL,
                             parts=[(r.code, 1, r.cell(2)) for r in tops], total_label=row.code, total=row.cell(2),
                             table=table.id, anchor=row_dom_id(table.anchor, row))

    # two-sided tables (公开01/公开04)
    def rule_sides(self, table: Table, identity: dict) -> None:
        totals = {}
        for side_name, side in table.form_spec["sides"].items():
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
                             family=Family.TOTAL, parts=[(t, 1, r.cell(col)) for t, r in items], total_label=side["subtotal"],
                             total=sub_row.cell(col), table=table.id, anchor=row_dom_id(table.anchor, sub_row))
            if side["total"] in labels[sub_i:]:
                tot_i = labels.index(side["total"], sub_i)
                between = [(t, r) for t, r in labelled[sub_i + 1: tot_i] if any(w in t for w in BETWEEN_WORDS)]
                tot_row = labelled[tot_i][1]
                for col in side["amounts"]:
                    name = table.columns[col]["label"]
                    self.compare(path=tot_row.path, line=tot_row.line, where=f"{table.id} {side_name}{side['total']} {name}",
                                 family=Family.TOTAL, parts=[(side["subtotal"], 1, sub_row.cell(col))] +
                                 [(t, 1, r.cell(col)) for t, r in between], total_label=f"{side_name}{side['total']}",
                                 total=tot_row.cell(col), table=table.id, anchor=row_dom_id(table.anchor, tot_row))
                totals[side_name] = (tot_row, tot_row.cell(side["amounts"][0]))
        if len(totals) == 2:
            (_, income), (out_row, spend) = totals["收入"], totals["支出"]
            self.compare(path=out_row.path, line=out_row.line, where=f"{table.id} 总计", family=Family.TOTAL,
                         parts=[("收入总计", 1, income)], total_label="支出总计", total=spend, table=table.id,
                         anchor=row_dom_id(table.anchor, out_row), items=1)

    def rule_parts(self, table: Table, identity: dict) -> None:
        """分项: on one side, the row ``total`` = the ``len(parts)`` rows right
        after it (matched by position: their labels repeat items above)."""
        side = table.form_spec["sides"][identity["side"]]
        labelled = table.side_rows(identity["side"])
        labels = [t for t, _ in labelled]
        if identity["total"] not in labels:
            return
        at = labels.index(identity["total"])
        total_row = labelled[at][1]
        following = labelled[at + 1: at + 1 + len(identity["parts"])]
        names = [t for t, _ in following]
        for col in side["amounts"]:
            name = _title(table, col)
            self.compare(path=total_row.path, line=total_row.line, where=f"{table.id} {identity['total']} {name}",
                         family=Family.TOTAL, parts=[(t, 1, r.cell(col)) for t, r in following],
                         total_label=identity["total"], total=total_row.cell(col), table=table.id,
                         anchor=row_dom_id(table.anchor, total_row), items=len(names) or None)

    # ------------------------------------------------------------ cross-table
    def _ref(self, ref) -> tuple[Cell | None, Row | None, str, Table | None]:
        table_id, selector, column = ref
        table = self.dept.table(table_id)
        if table is None:
            return None, None, "", None
        kind = selector[0]
        if kind == "label":
            side = _side_of(table, column)
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
            return Cell(fmt_amount(value), value, Kind.AMOUNT), rows[0], f"{table_id}{'+'.join(selector[1:])}", table
        raise ValueError(selector)

    def cross_tables(self) -> None:
        for identity in self.form.cross:
            left, lrow, llabel, ltable = self._ref(identity["left"])
            right, rrow, rlabel, rtable = self._ref(identity["right"])
            if left is None or right is None:
                continue
            # _ref finds a cell only in a table and row it found
            assert ltable is not None and rtable is not None and rrow is not None
            if ltable.unit != rtable.unit:   # one printed in 元, the other in 万元
                left, right = _same_unit(ltable, left, rtable, right)
            if left.value is None and right.value is None:
                continue
            where_row = rrow
            self.compare(path=where_row.path, line=where_row.line, where=f"{rlabel}", family=Family.CROSS,
                         parts=[(llabel, 1, left)], total_label=rlabel, total=right, table=rtable.id,
                         anchor=row_dom_id(rtable.anchor, where_row), items=1, both_ways=True)

    def sangong(self) -> None:
        """The form set's 三公 table (公开09表) against the 三公 figures stated in the text."""
        table = facts.sangong_table(self.dept)
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
                self.compare(path=self.dept.path, line=stated.line, where=f"三公经费 {year_key} {item}", family=Family.CROSS,
                             parts=[(f"{table.id}{year_key}{item}", 1, cell)], total_label="文字陈述", total=stated,
                             table=table.id, anchor="sangong", items=1)

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
                    dept=self.dept.key, path=row.path, line=row.line, where=where, family=Family.EVALUATION,
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
                        dept=self.dept.key, path=row.path, line=row.line, where=f"{ev.name} {label}", family=Family.EVALUATION,
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
                dept=self.dept.key, path=ev.path, line=ev.total_line, where=f"{ev.name} 总分", family=Family.EVALUATION,
                message=f"{parts}，而原表总分{what}为 {printed.text}", expected=with_fund, printed=printed.value,
                table=ev.slug, anchor="total", page="eval"))


    # ------------------------------------------------------------ one root cause, one finding
    def group(self, findings: list[Finding]) -> list[Finding]:
        """Fold the findings a lower difference explains into it (its
        ``consequences``); return the roots in their original order.

        A difference at cell X (printed − expected = d) is carried by every
        cell derived from X through sums that hold (项 → 款 → 类 → 合计, a
        row's parts → its total, and across tables through 表间勾稽 identities
        that hold). A finding is a consequence of the root when its own total
        is such a cell and its difference is the same d, or when one of its
        parts is such a cell and correcting X would make it vanish (its
        difference is −sign·d). The lowest finding is the root: in a 科目
        tree 项 before 款 before 类 before 合计, part columns before total
        columns, detail tables before the two-sided 总表. A 不一致 is never
        folded under a 尾差. Prose and 绩效 findings stay on their own."""
        eligible = [f for f in findings if id(f) in self._cells and f.difference is not None]
        if len(eligible) < 2:        # nothing to fold (most department-years)
            return list(findings)
        order = {id(f): i for i, f in enumerate(findings)}
        totals = {id(self._cells[id(f)][0]) for f in eligible}
        pos: dict[int, tuple] = {}   # the rank of each finding's total cell
        for ti, t in enumerate(self.dept.tables):
            summary = 1 if t.spec and "sides" in t.spec else 0
            for row in t.rows:
                level = {3: 0, 2: 1, 1: 2}.get(row.level, 3)
                for ci, c in enumerate(row.cells):
                    if id(c) in totals:
                        pos[id(c)] = (summary, ti, level, -ci)

        def rank(f: Finding):   # prose (a total that is no table cell) after every table
            return pos.get(id(self._cells[id(f)][0]), (2, 0, 3, 0)), order[id(f)]

        def reach(start: set[int]) -> set[int]:
            seen, stack = set(start), list(start)
            while stack:
                for nxt in self._derived.get(stack.pop(), ()):
                    if nxt not in seen:
                        seen.add(nxt)
                        stack.append(nxt)
            return seen

        candidates = sorted(eligible, key=rank)
        taken: set[int] = set()
        roots: set[int] = set()
        for root in candidates:
            if id(root) in taken:
                continue
            roots.add(id(root))
            d = root.difference
            assert d is not None   # every candidate has a difference
            carried = reach({id(self._cells[id(root)][0])})
            changed = True
            while changed:
                changed = False
                for g in candidates:
                    if id(g) in taken or id(g) in roots or (root.rounding and not g.rounding):
                        continue
                    total, parts = self._cells[id(g)]
                    if (id(total) in carried and g.difference == d) or \
                            any(id(c) in carried and g.difference == -sign * d for c, sign in parts):
                        root.consequences.append(g)
                        taken.add(id(g))
                        changed = True
            root.consequences.sort(key=lambda f: order[id(f)])
        return [f for f in findings if id(f) not in taken]


def _apply_reviews(dept: DeptYear, findings: list[Finding]) -> list[tuple]:
    """Mark the findings the ``已核实`` block names; return (review, problem)
    for each entry that names no finding or several."""
    problems = []
    every = [f for top in findings for f in top.flat()]
    for review in dept.reviewed:
        hits = [f for f in every if f.where == review.where and (not review.excerpt or review.excerpt in f.message)]
        if len(hits) == 1:
            hits[0].reviewed, hits[0].review_note = True, review.note
        elif not hits:
            near = sorted({f.where for f in every if review.where and (review.where in f.where or f.where in review.where)})
            hint = f"（相近的位置：{'、'.join('“%s”' % w for w in near[:3])}）" if near else ""
            problems.append((review, f"“{review.where}”{'中含“%s”的' % review.excerpt if review.excerpt else ''}"
                                     f"差异不存在{hint}：已核实的条目必须对应勾稽检查发现的一处差异（位置照抄数据质量页的位置文字）"))
        else:
            problems.append((review, f"“{review.where}”有 {len(hits)} 处差异：请加“摘录”（照抄该处说明中的一段文字）指明是哪一处"))
    return problems


def audit(dept: DeptYear) -> list[Finding]:
    """Every finding of one department-year: the table identities, then the
    claims of the 情况说明 and the 自评-vs-决算 提示 (claims.py). Differences a
    lower one explains are listed under it (:meth:`Auditor.group`); the
    ``已核实`` entries mark their findings as reviewed."""
    return _audit(dept)[0]


def _audit(dept: DeptYear) -> tuple[list[Finding], list[tuple]]:
    """The findings, and the ``已核实`` entries that match no finding or several."""
    auditor = Auditor(dept)
    tables = auditor.run()
    cells: dict[int, Cell] = {}
    prose = claims.prose_findings(dept, cells)
    for f in prose:   # a sentence restating one table cell: the text's figure is the total, the cell its part
        if id(f) in cells:
            auditor._cells[id(f)] = (object(), [(cells[id(f)], 1)])
    found = auditor.group(tables + prose) + claims.form_findings(dept)
    for n, f in enumerate(found, 1):          # ids on the 数据质量 page, given where the list is final
        f.qid = finding_id(dept, n)
        for c in f.flat()[1:]:
            c.qid = f.qid   # a consequence is listed under its root (one root cause, one finding)
    return found, _apply_reviews(dept, found)


def report(findings: list[Finding]) -> list[str]:
    """The findings as ``portal check`` and ``portal import`` print them: a
    count line, then each root with its consequences indented under it."""
    every = [x for f in findings for x in f.flat()]
    counts = [f"不一致 {sum(1 for f in findings if f.open)}",
              f"尾差 {sum(1 for f in findings if f.rounding)}"]
    hints = sum(1 for f in findings if f.hint)
    reviewed = sum(1 for f in findings if f.reviewed)
    if hints:
        counts.append(f"提示 {hints}")
    if reviewed:
        counts.append(f"已核实 {reviewed}")
    folded = len(every) - len(findings)
    tail = f"；另有 {folded} 处由上列差异导致，列在其下" if folded else ""
    lines = [f"勾稽检查：{len(findings)} 处差异（{'，'.join(counts)}）{tail}"]
    for f in findings:
        state = "，已核实" if f.reviewed else ""
        lines.append(f"  [{f.severity}{state}] {f}")
        if f.reviewed:
            lines.append(f"      已核实：{f.review_note}")
        for c in f.consequences:
            lines.append(f"      └ 由此导致 [{c.severity}] {c}")
    return lines


def review_errors(dept: DeptYear) -> list:
    """Content errors for ``已核实`` entries that match no finding (or several):
    nothing an editor writes is ignored in silence."""
    from .errors import ContentError

    if not dept.reviewed:
        return []
    return [ContentError(r.path, r.line, r.col, "已核实", message) for r, message in _audit(dept)[1]]
