"""The validated content model: what the loader produces and every later
step (audit, page contexts, renderers) reads. Plain dataclasses, no I/O."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .amounts import Cell
from .settings import Settings


@dataclass
class Row:
    cells: list[Cell]
    line: int = 0
    path: str = ""
    anchor: str = ""      # stable id within the table (科目编码 or row number)
    level: int = 0        # 科目 tree depth: 1 类, 2 款, 3 项; 0 for totals/other rows
    code: str = ""        # 科目编码 / 经济分类编码 when the row has one

    def cell(self, index: int) -> Cell:
        return self.cells[index] if index < len(self.cells) else Cell("", None, "blank")


@dataclass
class Table:
    id: str               # 公开02表, or a slug for other tables
    title: str
    columns: list[dict]   # name, label, kind, group
    rows: list[Row]
    shape: str = "plain"
    spec: dict | None = None
    unit: str = "万元"
    note: str = ""        # 注：
    remark: str = ""      # 说明：
    memo: list[str] = field(default_factory=list)  # 备注 (editorial notes)
    variant: str = ""
    path: str = ""
    line: int = 0
    anchor: str = ""

    def col(self, name: str) -> int:
        for i, c in enumerate(self.columns):
            if c["name"] == name:
                return i
        raise KeyError(name)

    def side_rows(self, side: str) -> list[tuple[str, "Row"]]:
        """Two-sided tables (公开01/04): (item label without spaces, row) for the
        rows that have an item on ``side`` (收入 or 支出)."""
        li = self.spec["sides"][side]["label"]
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
    original: "Path | None" = None                    # the original document (原文.pdf …), published as a download
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

    @property
    def key(self) -> str:
        return f"{self.slug}/{self.year}"

    def table(self, table_id: str) -> Table | None:
        for t in self.tables:
            if t.id == table_id:
                return t
        return None


Site = Settings   # the portal's settings (content/site.yaml), declared in settings.py


@dataclass
class Finding:
    """A published figure that does not add up. The figure is kept as printed."""

    dept: str             # DeptYear.key
    path: str
    line: int
    where: str            # business location, e.g. 公开03表 科目 2080109
    family: str           # 行内勾稽 / 科目汇总 / 合计 / 表间勾稽 / 绩效
    message: str          # plain Chinese, with the figures
    expected: Decimal | None = None
    printed: Decimal | None = None
    table: str = ""       # table id or evaluation slug
    anchor: str = ""      # DOM id of the affected row on the department/evaluation page
    page: str = "dept"    # dept | eval
    rounding: bool = False  # within 0.01 per summed item: a 尾差, not a discrepancy
    qid: str = ""         # DOM id of this finding on the 数据质量 page

    @property
    def difference(self) -> Decimal | None:
        if self.expected is None or self.printed is None:
            return None
        return self.printed - self.expected

    @property
    def severity(self) -> str:
        return "尾差" if self.rounding else "不一致"

    def __str__(self) -> str:
        return f"{self.path}:{self.line} {self.where}：{self.message}"
