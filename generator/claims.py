"""Claims from prose (issue 14, Audit v2): the figures the 情况说明 states
about the tables, each tied to the table figure it restates, checked with
exact decimal arithmetic.

Extraction is deliberately narrow (precision over recall): a figure becomes a
claim only when its section and the words right before it name a quantity
this module knows (a column of 公开02/03, a 科目 of 公开05 by code or by its
类/款/项 names, 人员/公用经费, a 三公 item, 机关运行经费, 政府采购 and its
货物/工程/服务 parts). A figure that cannot be tied to a table figure is left
alone.

Findings, by family:

* 文字与表格 — a stated amount differs from the table cell it restates;
* 文字前后 — two sentences state the same quantity differently;
* 文字计算 — a stated percentage or change does not follow from the figures
  it relates (“完成年初预算的 W%”, “占 P%”, “增加 D 万元，增长 P%”,
  “决算数较预算数减少 D 万元”);
* 分项与合计 — the parts listed after “其中：”/“主要用于” do not add to the
  total stated before it.

Sums and restated amounts follow :func:`audit.Auditor.compare`: a difference
of at most 0.01 per summed item is a 尾差. A percentage is recomputed from the
printed figures it relates; every printed figure may be off by half a unit of
its last printed place (at most 0.005 万元), and the printed percentage by
half a unit of its own: a percentage inside that interval is consistent, one
outside is a 不一致.

Cross-form reconciliation (:func:`form_findings`): 部门整体自评 全年执行数 vs
本年支出合计, and Σ 项目自评 执行数 vs 项目支出 — forms of different scope,
so these are 提示 (``Finding.hint``), never counted as 不一致.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from .amounts import Cell, Kind, fmt_amount
from .facts import cell_in_wan, sangong_from_table
from .urls import section_id
from .model import DeptYear, Evaluation, Family, Finding, Section, Table

CENT = Decimal("0.01")
HALF_CENT = Decimal("0.005")
HUNDRED = Decimal(100)

F_TABLE = Family.TEXT_TABLE
F_TEXT = Family.TEXT_TEXT
F_CALC = Family.TEXT_CALC
F_PARTS = Family.PARTS
F_FORMS = Family.FORMS

# a number with its unit; "170. 万元" (a stray point) reads as 170
_NUM = re.compile(r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d*)?\s*(万元|元|%|％)")
_SENTENCE_END = re.compile(r"[。；;\n]")
_MARKER = re.compile(r"其中[：:]|主要用于")
_CODE_CHAIN = re.compile(r"[（(](\d{2,3})[)）]")
_LEVEL_MARK = re.compile(r"[（(](类|款|项)[)）]")
_EXCLUDE_SG = ("国内", "外宾", "外事", "国（境）外", "国(境)外")


# ----------------------------------------------------------------- model
@dataclass
class Ref:
    """A table figure a claim can restate."""
    key: str
    label: str            # for messages: 公开05表 科目 208 小计
    value: Decimal
    places: int
    items: int = 1        # cells summed to make it (尾差 tolerance)
    table: str = ""
    cell: Cell | None = None   # the table cell itself, when the figure is one cell (root-cause grouping)


@dataclass
class Amount:
    value: Decimal
    places: int
    unit: str             # 万元 | %
    text: str             # as printed
    start: int            # offset in section.markdown
    label: str            # words between the previous figure/punctuation and this one
    role: str = "actual"  # actual | budget | change | diff | rate | share | pct
    sign: int = 1
    key: str = ""         # quantity key (a Ref key, or X:… for figures with no table cell)
    denominator: str = ""  # share: the named whole (“占本年支出合计的”)
    sentence: Sentence = field(kw_only=True)   # the sentence it is printed in


@dataclass
class Sentence:
    text: str
    start: int
    line: int
    block: int
    amounts: list[Amount] = field(default_factory=list)


@dataclass
class Block:
    title: str
    kind: str
    start: int
    end: int
    sentences: list[Sentence] = field(default_factory=list)


# ----------------------------------------------------------------- helpers
def _dec(number: str, fraction: str | None) -> tuple[Decimal, int]:
    digits = number.replace(",", "")
    frac = (fraction or "").lstrip(".")
    value = Decimal(f"{digits}.{frac}" if frac else digits)
    return value, len(frac)


def _fmt(value: Decimal, places: int = 2) -> str:
    return fmt_amount(value, max(places, 0))


def _q(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def _half(places: int) -> Decimal:
    """Half a unit of the last printed place of an amount, at most 0.005 万元."""
    return min(Decimal(5).scaleb(-places - 1), HALF_CENT)


_SPACES = re.compile(r"[\s　*]")


def _norm(text: str) -> str:
    return _SPACES.sub("", text)


def _kind(title: str) -> str:
    t = _norm(title)
    if "三公" in t or "培训费" in t or "会议费" in t:
        return "sangong"
    if "机关运行经费" in t:
        return "jiguan"
    if "政府采购" in t:
        return "caigou"
    if "基本支出" in t:
        return "basic"
    if "一般公共预算财政拨款支出" in t:
        return "gpb"
    if "财政拨款" in t and ("总体" in t or "收入支出决算" in t or "收支" in t) and "基金" not in t and "国有资本" not in t:
        return "fiscal"
    if "收入支出决算总体" in t or "收支决算总体" in t:
        return "total"
    if t.endswith("收入决算情况说明") or "收入决算情况" in t and "财政拨款" not in t:
        return "income"
    if ("支出决算情况" in t) and "财政拨款" not in t:
        return "spending"
    if "绩效" in t:
        return "perf"
    return ""


# ----------------------------------------------------------------- table figures
class Figures:
    """The department's table figures, by quantity key."""

    def __init__(self, dept: DeptYear):
        self.dept = dept
        self.refs: dict[str, Ref] = {}
        self.t05_rows: list = []
        self._build()

    def _add(self, key, label, table: Table | None, cell: Cell | None, items=1):
        if cell is None or table is None:
            return
        cell = cell_in_wan(table, cell)
        if cell.kind not in (Kind.AMOUNT, Kind.BLANK):
            return
        self.refs[key] = Ref(key, label, cell.amount, cell.places if cell.value is not None else 2, items, table.id,
                             cell if items == 1 else None)

    def _row(self, table: Table | None, code: str):
        if table is None:
            return None
        return next((r for r in table.rows if r.code == code), None)

    def _build(self) -> None:
        d = self.dept
        for tid in ("公开01表", "公开04表"):
            t = d.table(tid)
            if t is None or not t.spec or "sides" not in t.spec:
                continue
            for side in ("收入", "支出"):
                row = t.side_row(side, "总计")
                col = t.spec["sides"][side]["amounts"][0]
                if row is not None:
                    self._add(f"{tid}:{side}:总计", f"{tid}{side}总计", t, row.cell(col))
        for tid in ("公开02表", "公开03表"):
            t = d.table(tid)
            row = self._row(t, "合计")
            if row is None or t is None:   # (no row without its table)
                continue
            for i, c in enumerate(t.columns):
                if c["kind"] == Kind.AMOUNT:
                    self._add(f"{tid}:合计:{c['name']}", f"{tid}合计“{c['label']}”", t, row.cell(i))
        t05 = d.table("公开05表")
        if t05 is not None:
            for row in t05.rows:
                if row.code == "合计" or row.level:
                    for name in ("小计", "基本支出", "项目支出"):
                        try:
                            i = t05.col(name)
                        except KeyError:
                            continue
                        what = "合计" if row.code == "合计" else f"科目 {row.code}"
                        self._add(f"公开05表:{row.code}:{name}", f"公开05表{what}“{name}”", t05, row.cell(i))
                if row.level:
                    self.t05_rows.append(row)
        t06 = d.table("公开06表")
        for code in ("人员经费合计", "公用经费合计"):
            row = self._row(t06, code)
            if row is not None:
                self._add(f"公开06表:{code}", f"公开06表{code}", t06, row.cell(2))
        t09 = d.table("公开09表")
        if t09 is not None and t09.rows:
            for year_key, items in sangong_from_table(t09).items():
                for item, cell in items.items():
                    if cell.kind in (Kind.AMOUNT, Kind.BLANK):
                        self.refs[f"公开09表:{year_key}:{item}"] = Ref(
                            f"公开09表:{year_key}:{item}", f"公开09表{year_key}{item}", cell.amount,
                            cell.places if cell.value is not None else 2, 1, "公开09表", cell)
        self.evals: list[tuple[str, Evaluation]] = []
        for ev in d.evaluations:
            name = _norm(ev.project) or re.sub(r"(项目)?(支出)?(绩效)?(目标)?自评表$", "", _norm(ev.title))
            if ev.kind not in ("项目自评", "部门整体自评") or not name:
                continue
            self.evals.append((name, ev))
            for what, columns in (("全年预算数", BUDGET_COLUMNS), ("全年执行数", EXEC_COLUMNS)):
                got = _funds_value(ev, columns)
                if got is not None:
                    cell, value, _ = got
                    self.refs[f"绩效:{ev.slug}:{what}"] = Ref(f"绩效:{ev.slug}:{what}", f"“{name}”自评表{what}",
                                                              value, cell.places, 1, ev.slug)
        t10 = d.table("公开10表")
        if t10 is not None:
            labels = [(_norm(r.cell(0).text), r) for r in t10.rows]
            try:
                vi = t10.col("统计数")
            except KeyError:
                vi = 2
            section = ""
            jg: list = []
            for label, row in labels:
                if label.startswith(("一、", "二、", "三、")):
                    section = label
                    continue
                if "政府采购" in section and label in ("合计", "货物", "工程", "服务"):
                    self._add(f"公开10表:政府采购:{label}", f"公开10表政府采购{label}", t10, row.cell(vi))
                if "机关运行经费" in section:
                    jg.append(row)
            if jg and any(r.cell(vi).value is not None for r in jg):
                total = sum((cell_in_wan(t10, r.cell(vi)).amount for r in jg), Decimal(0))
                self.refs["公开10表:机关运行经费"] = Ref("公开10表:机关运行经费", "公开10表机关运行经费（各类单位合计）",
                                                   total, 2, len(jg), "公开10表")

    def evaluation_subject(self, text: str) -> str:
        """The one 自评 a sentence names (its project name; 整体支出 for the
        only 部门整体自评), else ""."""
        t = _norm(text)
        hits = {name for name, _ in self.evals if name in t}
        hits = {h for h in hits if not any(h != o and h in o for o in hits)}   # the longest names only
        if len(hits) == 1:
            evs = [ev for name, ev in self.evals if name in hits]
            return evs[0].slug if len(evs) == 1 else ""
        if not hits and "整体支出" in t:
            whole = [ev for ev in self.dept.evaluations if ev.kind == "部门整体自评"]
            return whole[0].slug if len(whole) == 1 else ""
        return ""

    # 科目 of 公开05 named in a text
    def subject_code(self, text: str) -> str:
        rows = self.t05_rows
        if not rows:
            return ""
        codes = {r.code for r in rows}
        chain = _CODE_CHAIN.findall(text)
        if chain and len(chain[0]) == 3:
            code = chain[0]
            for part in chain[1:3]:
                if len(part) != 2:
                    break
                code += part
            # the printed codes name the 科目 exactly, or nothing (no parent fallback)
            return code if code in codes else ""
        names = {}
        for m in _LEVEL_MARK.finditer(text):
            before = text[:m.start()]
            prev = max(before.rfind(c) for c in ("）", ")", "，", "：", " ", "、", "。")) if before else -1
            names[m.group(1)] = _norm(before[prev + 1:])
        plain = _norm(_LEVEL_MARK.sub("", text))
        cls = None
        if "类" in names:
            cls = next((r for r in rows if r.level == 1 and _norm(r.cell(1).text) in (names["类"], names["类"] + "支出")), None)
        if cls is None:
            hits = [r for r in rows if r.level == 1 and _norm(r.cell(1).text) and _norm(r.cell(1).text) in plain]
            if len(hits) == 1:
                cls = hits[0]
        if cls is None:
            return ""
        code = cls.code
        for level, mark in ((2, "款"), (3, "项")):
            if mark not in names:
                break
            hit = [r for r in rows if r.level == level and r.code.startswith(code) and _norm(r.cell(1).text) == names[mark]]
            if len(hit) != 1:
                return code if level == 2 and "款" not in names else ""
            code = hit[0].code
        return code


# ----------------------------------------------------------------- vocabulary by section kind
_SG_ITEMS = [
    (re.compile(r"因公出国[（(]境[)）]费?"), "因公出国（境）费"),
    (re.compile(r"公务用车购置及运行(维护)?费?"), "公务用车购置及运行维护费"),
    (re.compile(r"公务用车购置(费|支出)?"), "公务用车购置费"),
    (re.compile(r"公务用车运行(维护)?费?"), "公务用车运行维护费"),
    (re.compile(r"公务接待"), "公务接待费"),
    (re.compile(r"会议费"), "会议费"),
    (re.compile(r"培训费"), "培训费"),
    (re.compile(r"“?三公”?经费"), "合计"),
]
_SG_PARENT = {"因公出国（境）费": "合计", "公务用车购置及运行维护费": "合计", "公务接待费": "合计",
              "公务用车购置费": "公务用车购置及运行维护费", "公务用车运行维护费": "公务用车购置及运行维护费"}


def _subjects(kind: str, label: str, fig: Figures) -> list[str]:
    """Quantity keys a label names (before the role words), [] if none."""
    t = _norm(label)
    if kind in ("total", "fiscal"):
        tid = "公开01表" if kind == "total" else "公开04表"
        both = re.search(r"收、?支总计|收入总计、支出总计|收入、支出总计", t)
        if both:
            return [f"{tid}:收入:总计", f"{tid}:支出:总计"]
        if "收入总计" in t:
            return [f"{tid}:收入:总计"]
        if "支出总计" in t:
            return [f"{tid}:支出:总计"]
        return []
    if kind in ("income", "spending"):
        tid = "公开02表" if kind == "income" else "公开03表"
        total = "本年收入合计" if kind == "income" else "本年支出合计"
        if re.search("收入合计" if kind == "income" else "支出合计", t):
            return [f"{tid}:合计:{total}"]
        names = ["财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"] if kind == "income" \
            else ["基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
        hits = [n for n in names if t.endswith(n) or t.endswith(n + "为")]
        return [f"{tid}:合计:{hits[-1]}"] if hits else []
    if kind == "gpb":
        code = fig.subject_code(label)
        if code:
            return [f"公开05表:{code}:小计"]
        if re.search(r"一般公共预算财政拨款(决算)?支出", t):
            return ["公开05表:合计:小计"]
        return []
    if kind == "basic":
        if "人员经费" in t and "公用经费" not in t:
            return ["公开06表:人员经费合计"]
        if "公用经费" in t and "人员经费" not in t:
            return ["公开06表:公用经费合计"]
        if "基本支出" in t:
            return ["公开05表:合计:基本支出"]
        return []
    if kind == "sangong":
        if any(x in t for x in _EXCLUDE_SG):
            return ["X:excluded"]
        for pattern, item in _SG_ITEMS:
            if pattern.search(t):
                return [f"三公:{item}"]
        return []
    if kind == "perf":
        slug = fig.evaluation_subject(label)
        return [f"绩效:{slug}"] if slug else []
    if kind == "jiguan":
        return ["公开10表:机关运行经费"] if "机关运行经费" in t else []
    if kind == "caigou":
        if "小微" in t:
            return ["X:授予小微企业合同金额"]
        if "中小企业" in t:
            return ["X:授予中小企业合同金额"]
        for part in ("货物", "工程", "服务"):
            if f"采购{part}" in t:
                return [f"公开10表:政府采购:{part}"]
        if re.search(r"政府采购支出(合同)?总额", t):
            return ["公开10表:政府采购:合计"]
        return []
    return []


def _role(label: str, unit: str) -> tuple[str, int]:
    t = _norm(label).replace("一般公共预算", "")
    if unit == "%":
        if re.search(r"完成.*预算的?$|执行率[：:]?$", t):
            return "rate", 1
        if re.search(r"占.*$", t) and not re.search(r"(增长|下降|减少|增加)$", t):
            return "share", 1
        m = re.search(r"(增长|下降|减少|增加)了?$", t)
        if m:
            return "pct", -1 if m.group(1) in ("下降", "减少") else 1
        return "other", 1
    m = re.search(r"较预算数?(减少|增加|节约|超支)了?$", t)
    if m:
        return "diff", -1 if m.group(1) in ("减少", "节约") else 1
    m = re.search(r"(增加|减少|增长|下降)了?$", t)
    if m:
        return "change", -1 if m.group(1) in ("减少", "下降") else 1
    if "预算" in t and "决算" not in t and "执行" not in t:
        return "budget", 1
    if re.search(r"(合同|采购).*(金额|总额)|支出|决算|执行数|收入|经费|费|合计|总计|总额", t) or t.endswith(("为", "均为")):
        return "actual", 1
    return "other", 1


# ----------------------------------------------------------------- extraction
def _blocks(section: Section) -> list[Block]:
    md = section.markdown
    kind = _kind(section.title)
    blocks = [Block(section.title, kind, 0, len(md))]
    pos = 0
    for line in md.split("\n"):
        if line.startswith("#"):
            title = line.lstrip("#").strip()
            blocks[-1].end = pos
            blocks.append(Block(title, _kind(title) or kind, pos + len(line) + 1, len(md)))
        pos += len(line) + 1
    return blocks


def extract(section: Section, fig: Figures) -> list[Block]:
    """The section's blocks (one per ### heading), sentences and figures."""
    md = section.markdown
    blocks = _blocks(section)
    for bi, block in enumerate(blocks):
        pending: list[str] = []  # subjects named by a figure-less sentence (咸阳: “1. 科目…。” then “年初预算为…”)
        start = block.start
        pieces = []
        for m in _SENTENCE_END.finditer(md, block.start, block.end):
            pieces.append((start, m.start()))
            start = m.end()
        pieces.append((start, block.end))
        for s, e in pieces:
            text = md[s:e]
            if not text.strip():
                continue
            line = section.line + 1 + md.count("\n", 0, s)
            sent = Sentence(text, s, line, bi)
            prev_end = 0
            subject: list[str] = []
            for m in _NUM.finditer(text):
                value, places = _dec(m.group(1), m.group(2))
                unit = "%" if m.group(3) in ("%", "％") else m.group(3)
                if unit == "元":
                    value, places, unit = value.scaleb(-4), places + 4, "万元"
                raw_label = text[prev_end:m.start()]
                label = re.split(r"[，,：:]", raw_label)[-1] if unit == "%" else raw_label
                lab_clause = re.split(r"[，,：:]", raw_label)[-1]
                prev_end = m.end()
                role, sign = _role(lab_clause, unit)
                amount = Amount(value, places, unit, m.group(0), s + m.start(), label, role, sign, sentence=sent)
                if role == "share":
                    dm = re.search(r"占(.+?)的?$", _norm(lab_clause))
                    if dm and dm.group(1) not in ("比",):
                        amount.denominator = dm.group(1).rstrip("的")
                if unit == "万元" and role in ("actual", "budget"):
                    if block.kind == "perf":   # the project is named once, before its figures
                        keys = _subjects(block.kind, text[:m.start()], fig)
                    else:
                        keys = _subjects(block.kind, lab_clause if block.kind != "gpb" else raw_label, fig)
                    if not keys and block.kind == "gpb":
                        keys = _subjects(block.kind, text[:m.start()], fig)
                    if not keys:
                        keys = subject or pending
                    if keys:
                        subject = keys
                    amount.key = "|".join(keys)
                sent.amounts.append(amount)
            if not sent.amounts:
                keys = _subjects(block.kind, text, fig) if block.kind == "gpb" else []
                pending = keys
            else:
                pending = []
            block.sentences.append(sent)
    return blocks


# ----------------------------------------------------------------- checks
class Checker:
    def __init__(self, dept: DeptYear):
        self.dept = dept
        self.fig = Figures(dept)
        self.findings: list[Finding] = []
        self.stated: dict[str, list[tuple[Amount, Section]]] = {}
        self.cells: dict[int, Cell] = {}   # id(文字与表格 finding) -> the table cell the text restates

    def _finding(self, section: Section, sentence: Sentence, family: Family, message: str, *,
                 expected=None, printed=None, rounding=False, table=""):
        self.findings.append(Finding(
            dept=self.dept.key, path=section.path, line=sentence.line, where=f"情况说明 {section.title}",
            family=family, message=f"{message}。原文：“{sentence.text.strip()}”", expected=expected, printed=printed,
            table=table, anchor=section_id(section), page="dept", rounding=rounding,
            sentence=sentence.text.strip()))

    def _ref(self, key: str) -> Ref | None:
        if key.startswith("三公:"):
            return None
        return self.fig.refs.get(key)

    def _resolve(self, amount: Amount) -> list[tuple[str, Ref | None]]:
        """(key, table figure) for an amount: 三公 keys take the year from the role."""
        out = []
        for key in amount.key.split("|"):
            if not key or key.startswith("X:excluded"):
                continue
            if key.startswith("三公:"):
                year = "预算数" if amount.role == "budget" else "决算数"
                key = f"公开09表:{year}:{key[3:]}"
                out.append((key, self.fig.refs.get(key)))
            elif key.startswith("绩效:"):
                what = "全年预算数" if amount.role == "budget" else "全年执行数"
                if amount.role == "budget" and not re.search(r"全年预算数?$", _norm(amount.label)):
                    continue   # 年初预算 / 金额: not the form's 全年预算数
                key = f"{key}:{what}"
                out.append((key, self.fig.refs.get(key)))
            elif amount.role == "budget":
                out.append((f"预算:{key}", None))
            else:
                out.append((key, self.fig.refs.get(key)))
        return out

    # -- text vs table, and the memory of stated quantities for text vs text
    def text_vs_table(self, section: Section, amount: Amount):
        for key, ref in self._resolve(amount):
            self.stated.setdefault(key, []).append((amount, section))
            if ref is None:
                continue
            # amounts in 万元 are exact to 0.01 however printed (“27 万元” is 27.00)
            printed, expected = amount.value, ref.value
            places = max(amount.places, 2)
            if places < ref.places:
                expected = _q(expected, places)
            if printed == expected:
                continue
            rounding = abs(printed - expected) <= CENT * ref.items
            diff = printed - ref.value
            self._finding(section, amount.sentence, F_TABLE,
                          f"文字为 {amount.text.strip()}，而{ref.label}为 {_fmt(ref.value, ref.places)} 万元"
                          f"（差 {_fmt(diff, max(places, ref.places, 2))}）",
                          expected=ref.value, printed=amount.value, rounding=rounding, table=ref.table)
            if ref.cell is not None:
                self.cells[id(self.findings[-1])] = ref.cell

    def text_vs_text(self):
        for key, claims in self.stated.items():
            first, first_section = claims[0]
            seen = {first.value}
            for amount, section in claims[1:]:
                if amount.sentence is first.sentence or amount.value in seen:
                    continue
                places = max(min(amount.places, first.places), 2)
                a, b = _q(first.value, places), _q(amount.value, places)
                if a == b:
                    continue
                seen.add(amount.value)
                unit = CENT
                where = "本节前文" if section is first_section else f"“{first_section.title}”"
                self._finding(section, amount.sentence, F_TEXT,
                              f"同一数字前后不一：此处为 {amount.text.strip()}，{where}（第 {first.sentence.line} 行）为 "
                              f"{first.text.strip()}（差 {_fmt(amount.value - first.value, max(places, 2))}）",
                              expected=first.value, printed=amount.value, rounding=abs(b - a) <= unit)

    # -- arithmetic
    @staticmethod
    def _pct_ok(stated: Decimal, places: int, lo: Decimal, hi: Decimal) -> bool:
        h = Decimal(5).scaleb(-places - 1)
        return stated + h >= lo and stated - h <= hi

    def _ratio(self, num: Amount, den_value: Decimal, den_places: int):
        hn, hd = _half(num.places), _half(den_places)
        if den_value - hd <= 0:
            return None
        exact = num.value / den_value * HUNDRED
        lo = max(num.value - hn, Decimal(0)) / (den_value + hd) * HUNDRED
        hi = (num.value + hn) / (den_value - hd) * HUNDRED
        return exact, lo, hi

    def arithmetic(self, section: Section, block: Block, block_amounts: list[Amount], head: Amount | None,
                   marker_at: int | None):
        last_actual: Amount | None = None
        for i, a in enumerate(block_amounts):
            sent = a.sentence
            same = [x for x in sent.amounts if x.start < a.start]
            # a rate or a difference relates the figures after the previous percentage
            # (“预算 54.00，决算 49.06，完成 90.85%，其中：因公出国费 5.26，完成 65.75%”: 5.26 has no budget here)
            cut = max((k + 1 for k, x in enumerate(same) if x.unit == "%"), default=0)
            scope = same[cut:]
            if a.role == "actual" and a.unit == "万元":
                last_actual = a
            if a.role == "rate":
                actual = next((x for x in reversed(scope) if x.role == "actual" and x.unit == "万元"), None)
                budget = next((x for x in reversed(scope) if x.role == "budget" and x.unit == "万元"), None)
                if actual is None or budget is None:
                    continue
                r = self._ratio(actual, budget.value, budget.places)
                if r is None:
                    continue
                exact, lo, hi = r
                if not self._pct_ok(a.value, a.places, lo, hi):
                    self._finding(section, sent, F_CALC,
                                  f"{actual.text.strip()} ÷ {budget.text.strip()} = {_q(exact, 2)}%，而文字为 {a.text.strip()}",
                                  expected=exact, printed=a.value)
            elif a.role == "pct":
                change = same[-1] if same and same[-1].role == "change" and same[-1].unit == "万元" else None
                if change is None:
                    continue
                base = next((x for x in reversed(same) if x.role == "actual" and x.unit == "万元"
                             and x.start < change.start), None)
                if base is None:
                    # the figure this year, stated before: the last one of the quantity the sentence names
                    keys = set(_subjects(block.kind, change.label, self.fig))
                    base = next((x for x in reversed(block_amounts[:i]) if x.role == "actual" and x.unit == "万元"
                                 and x.start < change.start and keys & set(x.key.split("|"))), None) if keys else None
                if base is None:
                    continue
                prior = base.value - change.sign * change.value
                hp = _half(base.places) + _half(change.places)
                if prior - hp <= 0:
                    continue
                hc = _half(change.places)
                exact = change.value / prior * HUNDRED
                lo = max(change.value - hc, Decimal(0)) / (prior + hp) * HUNDRED
                hi = (change.value + hc) / (prior - hp) * HUNDRED
                sign_ok = a.sign == change.sign
                if not sign_ok or not self._pct_ok(a.value, a.places, lo, hi):
                    words = "增长" if change.sign > 0 else "下降"
                    self._finding(section, sent, F_CALC,
                                  f"本年 {base.text.strip()}，{'增加' if change.sign > 0 else '减少'} {change.text.strip()}，"
                                  f"上年应为 {_fmt(prior, max(base.places, change.places, 2))} 万元，{words} "
                                  f"{change.text.strip()} ÷ {_fmt(prior, max(base.places, change.places, 2))} = "
                                  f"{_q(exact, 2)}%，而文字为{'下降' if a.sign < 0 else '增长'} {a.text.strip()}",
                                  expected=exact, printed=a.value)
            elif a.role == "diff" and a.unit == "万元":
                actual = next((x for x in reversed(scope) if x.role == "actual" and x.unit == "万元"), None)
                budget = next((x for x in reversed(scope) if x.role == "budget" and x.unit == "万元"), None)
                if actual is None or budget is None:
                    continue
                expected = actual.value - budget.value
                printed = a.sign * a.value
                if expected == printed:
                    continue
                n = 2
                rounding = abs(printed - expected) <= CENT * n and (expected >= 0) == (printed >= 0)
                self._finding(section, sent, F_CALC,
                              f"{actual.text.strip()} − {budget.text.strip()} = {_fmt(expected)} 万元，"
                              f"而文字为较预算数{'增加' if a.sign > 0 else '减少'} {a.text.strip()}",
                              expected=expected, printed=printed, rounding=rounding)
            elif a.role == "share":
                num = same[-1] if same and same[-1].unit == "万元" and same[-1].role == "actual" else None
                if num is None:
                    continue
                if a.denominator:
                    den = self._denominator(a.denominator, block)
                else:
                    whole = head if (head is not None and marker_at is not None and a.start > marker_at
                                     and num is not head) else None
                    den = (whole.value, whole.places) if whole is not None else None
                if den is None:
                    continue
                r = self._ratio(num, *den)
                if r is None:
                    continue
                exact, lo, hi = r
                if not self._pct_ok(a.value, a.places, lo, hi):
                    self._finding(section, sent, F_CALC,
                                  f"{num.text.strip()} ÷ {_fmt(den[0], den[1])} 万元 = {_q(exact, 2)}%，而文字为占 {a.text.strip()}",
                                  expected=exact, printed=a.value)

    def _denominator(self, name: str, block: Block) -> tuple[Decimal, int] | None:
        name = _norm(name)
        if re.fullmatch(r"(本年)?支出合计", name):
            key = "公开03表:合计:本年支出合计"
        elif re.fullmatch(r"政府采购支出(合同)?总额", name):
            key = "公开10表:政府采购:合计"
        elif name == "授予中小企业合同金额":
            key = "X:授予中小企业合同金额"
        else:
            return None
        said = self.stated.get(key)
        if said:
            return said[-1][0].value, said[-1][0].places
        ref = self.fig.refs.get(key)
        return (ref.value, ref.places) if ref is not None else None

    # -- parts vs whole
    def parts(self, section: Section, block: Block, amounts: list[Amount], head: Amount | None, marker_at: int):
        if head is None:
            return
        head_keys = [k for k, _ in self._resolve(head)]
        head_key = head_keys[0] if len(head_keys) == 1 else ""
        parts: list[Amount] = []
        keys_seen: list[str] = []
        for a in amounts:
            if a.start <= marker_at or a.unit != "万元" or a.role != "actual":
                continue
            keys = [k for k, _ in self._resolve(a)] if a.key else []
            if len(keys) != 1:
                if a.key.startswith("X:excluded") and parts:
                    break
                return  # a figure not understood: the list is not checked
            key = keys[0]
            if not self._child(block.kind, head_key, key):
                if parts:
                    break
                return
            if key in keys_seen:
                continue
            keys_seen.append(key)
            parts.append(a)
        if len(parts) < 2:
            return
        if block.kind == "gpb":   # 科目 parts: one level, none inside another
            codes = [k.split(":")[1] for k in keys_seen]
            if len({len(c) for c in codes}) != 1:
                return
        if block.kind == "sangong":
            items = [k.rsplit(":", 1)[1] for k in keys_seen]
            if "公务用车购置及运行维护费" in items and ({"公务用车购置费", "公务用车运行维护费"} & set(items)):
                return
        total = sum((p.value for p in parts), Decimal(0))
        if total == head.value:
            return
        rounding = abs(head.value - total) <= CENT * len(parts)
        shown = [p for p in parts if p.value != 0]
        zeros = len(parts) - len(shown)
        terms = " + ".join(p.text.strip() for p in shown) or "各项均为 0"
        if zeros and shown:   # zero parts are named by count, not listed
            terms += f"（其余 {zeros} 项为 0）"
        self._finding(section, head.sentence, F_PARTS,
                      f"所列分项 {terms} = {_fmt(total)} 万元，而合计为 {head.text.strip()}（差 {_fmt(head.value - total)}）",
                      expected=total, printed=head.value, rounding=rounding)

    @staticmethod
    def _child(kind: str, whole: str, part: str) -> bool:
        if kind == "income":
            return whole == "公开02表:合计:本年收入合计" and part.startswith("公开02表:合计:") and part != whole
        if kind == "spending":
            return whole == "公开03表:合计:本年支出合计" and part.startswith("公开03表:合计:") and part != whole
        if kind == "gpb":
            return whole in ("公开05表:合计:小计", "") and part.startswith("公开05表:") and part.endswith(":小计") \
                and part != "公开05表:合计:小计"
        if kind == "basic":
            return whole == "公开05表:合计:基本支出" and part in ("公开06表:人员经费合计", "公开06表:公用经费合计")
        if kind == "caigou":
            return whole == "公开10表:政府采购:合计" and part in (
                "公开10表:政府采购:货物", "公开10表:政府采购:工程", "公开10表:政府采购:服务")
        if kind == "sangong":
            if not whole.startswith("公开09表:") or not part.startswith("公开09表:"):
                return False
            wy, wi = whole.split(":")[1:]
            py, pi = part.split(":")[1:]
            if wy != py:
                return False
            parent = _SG_PARENT.get(pi)
            return parent == wi or (wi == "合计" and _SG_PARENT.get(parent or "") == "合计")
        return False

    def run(self) -> list[Finding]:
        for section in self.dept.sections:
            for block in extract(section, self.fig):
                amounts = [a for s in block.sentences for a in s.amounts]
                marker = _MARKER.search(section.markdown, block.start, block.end)
                marker_at = marker.start() if marker else None
                head = None
                if marker_at is not None:
                    head = next((a for a in reversed(amounts) if a.start < marker_at and a.role == "actual"
                                 and a.unit == "万元"), None)
                for a in amounts:
                    if a.unit == "万元" and a.role in ("actual", "budget") and a.key:
                        self.text_vs_table(section, a)
                self.arithmetic(section, block, amounts, head, marker_at)
                if marker_at is not None:
                    self.parts(section, block, amounts, head, marker_at)
        self.text_vs_text()
        return self.findings


def prose_findings(dept: DeptYear, cells: dict | None = None) -> list[Finding]:
    """Findings from the figures the 情况说明 states (see the module docstring).
    ``cells``, when given, receives id(finding) -> the table cell a 文字与表格
    finding restates (audit.py folds it under a difference of that cell)."""
    if not dept.sections:
        return []
    checker = Checker(dept)
    found = checker.run() + count_findings(dept)
    if cells is not None:
        cells.update(checker.cells)
    return found


# ----------------------------------------------------------------- counts (车辆)
_VEHICLES = re.compile(r"共有车辆\s*(\d+)\s*辆")
_VEHICLE_KIND = re.compile(r"([^、，,；;：:。\s]+用车)\s*(\d+)\s*辆")


def _vehicle_total(dept: DeptYear) -> tuple[Decimal, Table] | None:
    """公开10表 车辆数合计 (a blank statistic in a published row counts as 0)."""
    table = dept.table("公开10表")
    if table is None:
        return None
    for row in table.rows:
        label = row.cell(0).text.replace(" ", "")
        if "车辆数" in label and "合计" in label:
            values = [c.value for c in row.cells[1:] if c.value is not None and c.kind == Kind.AMOUNT]
            return (values[-1] if values else Decimal(0)), table
    return None


def count_findings(dept: DeptYear) -> list[Finding]:
    """The number of vehicles the 情况说明 states (“共有车辆 N 辆”) against
    公开10表's 车辆数合计, and the kinds listed after it (“其中：…用车 n 辆”)
    against N. Counts are whole numbers: any difference is a 不一致."""
    total = _vehicle_total(dept)
    found: list[Finding] = []
    for section in dept.sections:
        md = section.markdown
        for m in _VEHICLES.finditer(md):
            start = max(md.rfind("。", 0, m.start()), md.rfind("\n", 0, m.start())) + 1
            end = md.find("。", m.end())
            sentence = md[start:end + 1 if end >= 0 else len(md)].strip()
            line = section.line + 1 + md.count("\n", 0, m.start())
            stated = Decimal(m.group(1))
            paragraph_end = md.find("\n", m.end())
            rest = md[m.end():paragraph_end if paragraph_end >= 0 else len(md)]
            listed = rest[rest.find("其中"):] if "其中" in rest else ""
            kinds = _VEHICLE_KIND.findall(listed)

            def finding(family: Family, message: str, expected: Decimal, printed: Decimal) -> Finding:
                return Finding(dept=dept.key, path=section.path, line=line, where=f"情况说明 {section.title}",
                               family=family, message=f"{message}。原文：“{sentence}”", expected=expected,
                               printed=printed, table="公开10表", anchor=section_id(section), page="dept",
                               sentence=sentence)
            if total is not None and stated != total[0]:
                found.append(finding(F_TABLE, f"文字为共有车辆 {stated} 辆，而{total[1].id or total[1].title}"
                                              f"“车辆数合计”为 {total[0]} 辆", total[0], stated))
            if kinds and sum((Decimal(n) for _, n in kinds), Decimal(0)) != stated:
                listed_sum = sum((Decimal(n) for _, n in kinds), Decimal(0))
                terms = "、".join(f"{name} {n}" for name, n in kinds if n != "0")
                zeros = sum(1 for _, n in kinds if n == "0")
                found.append(finding(F_PARTS, f"其中所列各类车辆{('（' + terms + '）') if terms else ''}"
                                              f"{f'（其余 {zeros} 类为 0）' if zeros else ''}合计 {listed_sum} 辆，"
                                              f"而文字所述共有车辆 {stated} 辆", listed_sum, stated))
    return found


# ----------------------------------------------------------------- cross-form reconciliation
def _funds_value(ev: Evaluation, names: tuple[str, ...]) -> tuple[Cell, Decimal, int] | None:
    """The evaluation's 资金 figure in the first of the columns ``names`` it
    has: (cell in 万元, its value, line)."""
    t = ev.funds
    if t is None or not t.columns or not t.rows:
        return None
    cols = [c["name"] for c in t.columns]
    # the total row: 年度资金总额 / 金额合计 / 执行情况 …, else the first row
    label = next((i for i, c in enumerate(t.columns) if c["kind"] == Kind.TEXT), 0)
    row = next((r for r in t.rows if re.search(r"总额|合计|执行情况", _norm(r.cell(label).text))), t.rows[0])
    for name in names:
        if name in cols:
            cell = cell_in_wan(t, row.cell(cols.index(name)))
            if cell.value is not None:
                return cell, cell.value, row.line
    return None


EXEC_COLUMNS = ("全年执行数", "实际执行金额", "执行数")
BUDGET_COLUMNS = ("全年预算数", "预算数")


def whole_vs_spending(dept: DeptYear, fig: "Figures") -> list[Finding]:
    """部门整体自评 资金 全年执行数 vs 公开03表 本年支出合计 (one 整体自评 only: a
    department with several units' 整体自评 has no single figure to compare)."""
    whole = [ev for ev in dept.evaluations if ev.kind == "部门整体自评"]
    spend = fig.refs.get("公开03表:合计:本年支出合计")
    if len(whole) != 1 or spend is None:
        return []
    ev = whole[0]
    got = _funds_value(ev, EXEC_COLUMNS)
    if got is None:
        return []
    cell, value, line = got
    if value == spend.value:
        return []
    return [Finding(dept=dept.key, path=ev.path, line=line, where=f"{ev.name} 资金", family=F_FORMS,
                    rounding=abs(value - spend.value) <= CENT,
                    message=f"部门整体自评全年执行数 {cell.text} 万元，而公开03表本年支出合计为 {_fmt(spend.value)} 万元"
                            f"（差 {_fmt(value - spend.value)}）",
                    expected=spend.value, printed=value, table=ev.slug, anchor="funds", page="eval", hint=True)]


def projects_vs_project_spending(dept: DeptYear, fig: "Figures") -> list[Finding]:
    """Σ 项目自评 执行数 vs 公开03表 项目支出: a 提示 (the evaluated projects
    need not be all of the 项目支出, and may include other funds)."""
    target = fig.refs.get("公开03表:合计:项目支出")
    projects = [ev for ev in dept.evaluations if ev.kind == "项目自评"]
    if target is None or not projects:
        return []
    values, places = [], [2]
    for ev in projects:
        got = _funds_value(ev, EXEC_COLUMNS)
        if got is None:
            return []   # a project without its 执行数: no sum to compare
        values.append(got[1])
        places.append(got[0].places)
    total = sum(values, Decimal(0))
    if total == target.value:
        return []
    t03 = dept.table("公开03表")
    assert t03 is not None   # it holds ``target``
    row = next(r for r in t03.rows if r.code == "合计")
    shown = max(places)
    return [Finding(dept=dept.key, path=row.path or dept.path, line=row.line, where="公开03表 合计 项目支出",
                    family=F_FORMS,
                    message=f"{len(projects)} 个项目自评全年执行数合计 {_fmt(total, shown)} 万元，而公开03表项目支出为 "
                            f"{_fmt(target.value)} 万元（差 {_fmt(total - target.value, shown)}）",
                    expected=target.value, printed=total, table="公开03表", anchor=f"{t03.anchor}-{row.anchor}",
                    page="dept", hint=True, rounding=abs(total - target.value) <= CENT * len(values))]


def form_findings(dept: DeptYear) -> list[Finding]:
    """Cross-form reconciliation, all 提示 (``Finding.hint``)."""
    fig = Figures(dept)
    return whole_vs_spending(dept, fig) + projects_vs_project_spending(dept, fig)

