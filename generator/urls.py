"""Every path and DOM anchor the site uses, in one place: where a page is
written, how pages link to each other, and the ids that findings link to.
Pages use relative links (``root_of``), so the site works under any base URL."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:   # annotations only: model imports settings, which imports scan, which imports this
    from .model import DeptYear, Evaluation, Finding, Row, Section, Table

ORIGINALS = "yuanwen"          # folder of a department-year's original document


def root_of(path: str) -> str:
    """The way back to the site root from a page at ``path``."""
    return "../" * path.count("/")


def dept_dir(dept: DeptYear) -> str:
    return f"{dept.slug}/{dept.year}"


def dept_url(dept: DeptYear) -> str:
    return f"{dept_dir(dept)}/index.html"


def eval_url(dept: DeptYear, ev: Evaluation) -> str:
    return f"{dept_dir(dept)}/{ev.slug}.html"


def original_url(dept: DeptYear) -> str:
    """The original document, published beside the department-year's pages
    (called only for a department-year that has one)."""
    assert dept.original is not None, f"{dept.key}: no original document"
    return f"{dept_dir(dept)}/{ORIGINALS}/{dept.original.name}"


def year_url(year: int) -> str:
    return f"year-{year}.html"


def compare_url(year: int, latest: int) -> str:
    """The comparison page of a year: the latest year's is compare.html."""
    return "compare.html" if year == latest else f"compare-{year}.html"


def table_file(table: Table) -> str:
    """A standard table's download name (``data/<file>.csv``), from its form set's ``文件``."""
    return table.form_spec["file"]


def row_dom_id(table_anchor: str, row: Row) -> str:
    """The id of a table row on its page (findings link to it)."""
    return f"{table_anchor}-{row.anchor}"


def section_id(section: Section) -> str:
    """The id of a 情况说明 section on the department page."""
    return f"qksm-{section.anchor}"


def finding_id(dept: DeptYear, n: int) -> str:
    """The id of a department-year's n-th finding on the 数据质量 page."""
    return f"q-{dept.slug}-{dept.year}-{n}"


def finding_url(f: Finding, dept: DeptYear) -> str:
    """Where a finding points: its row or sentence, on the department or evaluation page."""
    if f.page == "eval":
        return f"{dept_dir(dept)}/{f.table}.html#{f.anchor}"
    return f"{dept_url(dept)}#{f.anchor}"
