"""The validated content model: what the loader produces and every later
step (audit, page contexts, renderers) reads. Plain dataclasses, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

from .amounts import BLANK, Cell
from .settings import Settings

if TYPE_CHECKING:
    from .formsets import FormSet


class Shape(StrEnum):
    """How a form table is laid out (form sets name it 形状, formsets.SHAPES)."""

    PLAIN = "plain"            # 普通表
    SUBJECT = "subject"        # 科目表: rows by 功能分类科目编码 (类/款/项)
    ECON = "econ"              # 经济分类表: rows by 经济分类科目 (基本支出表, possibly in two halves)
    TWO_SIDED = "two_sided"    # 收支对照表: 收入 and 支出 side by side (公开01/04)


class Family(StrEnum):
    """Which kind of check found a finding (the 类别 column of findings.csv)."""

    ROW = "行内勾稽"            # columns of one row
    TREE = "科目汇总"           # 类 = Σ 款, 款 = Σ 项
    TOTAL = "合计"              # a total row, 收入/支出 sides, 经济分类 totals
    CROSS = "表间勾稽"          # the same figure in two tables
    EVALUATION = "绩效"         # 绩效自评表: scores, 执行率
    TEXT_TABLE = "文字与表格"   # a figure in the 情况说明 against its table
    TEXT_TEXT = "文字前后"      # two statements of the 情况说明
    TEXT_CALC = "文字计算"      # a change or percentage the text computes
    PARTS = "分项与合计"        # items listed in the text against their total
    FORMS = "自评与决算"        # 绩效自评 against the 决算表 (提示)


@dataclass
class Row:
    cells: list[Cell]
    line: int = 0
    path: str = ""
    anchor: str = ""      # stable id within the table (科目编码 or row number)
    level: int = 0        # 科目 tree depth: 1 类, 2 款, 3 项; 0 for totals/other rows
    code: str = ""        # 科目编码 / 经济分类编码 when the row has one
    printed: int = 0      # two-half tables (并排): the printed row number this logical row comes from
    half: int = 0         # two-half tables: which half (0 = left)

    def cell(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else BLANK


@dataclass
class Table:
    id: str               # 公开02表, or a slug for other tables
    title: str
    columns: list[dict]   # name, label, kind, group
    rows: list[Row]
    shape: Shape = Shape.PLAIN
    spec: dict | None = None
    unit: str = "万元"
    note: str = ""        # 注：
    remark: str = ""      # 说明：
    memo: list[str] = field(default_factory=list)  # 备注 (editorial notes)
    variant: str = ""
    path: str = ""
    line: int = 0
    anchor: str = ""

    @property
    def form_spec(self) -> dict:
        """:attr:`spec` of a table typed in a form set (every table of
        ``DeptYear.tables``: the loader always gives those one)."""
        assert self.spec is not None, f"{self.id}: not typed in a form set"
        return self.spec

    def col(self, name: str) -> int:
        for i, c in enumerate(self.columns):
            if c["name"] == name:
                return i
        raise KeyError(name)

    def side_rows(self, side: str) -> list[tuple[str, "Row"]]:
        """Two-sided tables (公开01/04): (item label without spaces, row) for the
        rows that have an item on ``side`` (收入 or 支出)."""
        li = self.form_spec["sides"][side]["label"]
        return [(label, r) for r in self.rows
                if (label := r.cell(li).text.replace(" ", "").replace("　", ""))]

    def side_row(self, side: str, label: str) -> "Row | None":
        return next((r for text, r in self.side_rows(side) if text == label), None)

    @property
    def empty(self) -> bool:
        return not any(c.value is not None for r in self.rows for c in r.cells)


@dataclass
class Section:
    title: str
    anchor: str
    markdown: str
    line: int = 0
    path: str = ""


@dataclass
class Evaluation:
    slug: str
    kind: str
    title: str
    project: str
    path: str
    supervisor: str = ""
    implementer: str = ""
    date: str = ""
    funds: Table | None = None
    goals: Table | None = None
    indicators: Table | None = None
    others: list[Table] = field(default_factory=list)
    total_max: Cell | None = None
    total_score: Cell | None = None
    total_line: int = 0
    grade: str = ""
    body: str = ""
    memo: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.project or self.title


@dataclass
class DeptYear:
    slug: str
    year: int
    path: str
    name: str
    kind: str
    supervisor: str = ""
    region: list[str] = field(default_factory=list)
    consolidated: bool = False
    draft: bool = False
    units: list[dict] = field(default_factory=list)
    source: dict = field(default_factory=dict)
    original: Path | None = None                    # the original document (原文.pdf …), published as a download
    overview: dict = field(default_factory=dict)      # 职责/机构设置/人员编制 markdown
    staff: dict = field(default_factory=dict)         # 编制数/实有人数 -> Decimal
    tables: list[Table] = field(default_factory=list)
    missing: dict = field(default_factory=dict)       # table id -> reason
    others: list[Table] = field(default_factory=list)
    sangong: dict = field(default_factory=dict)       # year key -> item -> Cell
    sangong_source: str = ""
    sangong_line: int = 0
    terms: list[tuple[str, str]] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)
    evaluations: list[Evaluation] = field(default_factory=list)
    files: list[str] = field(default_factory=list)    # every content file this department-year was read from
    form: str = ""                                    # the 表式 (form set) name its tables are typed in
    unit_columns: list[str] = field(default_factory=list)  # 单位构成 printed columns of that form set

    form_obj: FormSet | None = field(default=None, repr=False, compare=False)   # the FormSet itself (not pickled)
    reviewed: list["Review"] = field(default_factory=list)   # 已核实: findings an editor has checked

    @property
    def form_set(self) -> FormSet | None:
        """The chosen form set (formsets.FormSet): the one the loader used,
        else looked up by :attr:`form` (after unpickling)."""
        if self.form_obj is not None:
            return self.form_obj
        from . import formsets
        return formsets.form_set_for(self.year, self.form)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("form_obj", None)
        return state

    @property
    def key(self) -> str:
        return f"{self.slug}/{self.year}"

    def table(self, table_id: str) -> Table | None:
        """The table ``table_id``; else the table whose form set says it
        corresponds to that (national) table (``对应``)."""
        for t in self.tables:
            if t.id == table_id:
                return t
        for t in self.tables:
            if t.spec and t.spec.get("corresponds") == table_id:
                return t
        return None


Site = Settings   # the portal's settings (content/site.yaml), declared in settings.py


@dataclass
class Review:
    """One entry of a department-year's ``已核实`` block: the finding at
    ``where`` (its 位置, optionally narrowed by a 摘录 of its message) has been
    checked by an editor; ``note`` (说明) says why it stands."""

    where: str
    note: str
    excerpt: str = ""
    path: str = ""
    line: int = 0
    col: int = 0


@dataclass
class Finding:
    """A published figure that does not add up. The figure is kept as printed."""

    dept: str             # DeptYear.key
    path: str
    line: int
    where: str            # business location, e.g. 公开03表 科目 2080109
    family: Family
    message: str          # plain Chinese, with the figures
    expected: Decimal | None = None
    printed: Decimal | None = None
    table: str = ""       # table id or evaluation slug
    anchor: str = ""      # DOM id of the affected row on the department/evaluation page
    page: str = "dept"    # dept | eval
    rounding: bool = False  # within 0.01 per summed item: a 尾差, not a discrepancy
    qid: str = ""         # DOM id of this finding on the 数据质量 page
    hint: bool = False    # 提示: forms of different scope disagree (e.g. 自评 vs 决算表); never a 不一致
    sentence: str = ""    # prose findings: the sentence of the 情况说明 that makes the claim
    reviewed: bool = False  # 已核实: an editor checked it; listed, but not counted as open
    review_note: str = ""   # the editor's 说明
    consequences: list["Finding"] = field(default_factory=list)  # findings this root difference explains

    @property
    def open(self) -> bool:
        """Counts as an open 不一致: not a 尾差, not a 提示, not 已核实."""
        return not self.rounding and not self.hint and not self.reviewed

    def flat(self) -> list["Finding"]:
        """This finding and every consequence listed under it."""
        return [self] + [c for x in self.consequences for c in x.flat()]

    @property
    def difference(self) -> Decimal | None:
        if self.expected is None or self.printed is None:
            return None
        return self.printed - self.expected

    @property
    def severity(self) -> str:
        if self.hint:
            return "提示"
        return "尾差" if self.rounding else "不一致"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.where}：{self.message}"
