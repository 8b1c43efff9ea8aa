"""portal import of a PDF with several tables on one page
(tests/fixtures/import/pages.py): two unruled tables (三线表) on one page,
and an unruled table above or below a ruled one. Every table is recognised,
on the page it is printed on, with the same rows, amounts, 注 and 说明 as
the content it was printed from."""
from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest

from generator.load import load_content

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "import"))
pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")

import make_inputs  # noqa: E402
import pages  # noqa: E402


def cells(row) -> list:
    """A row as amounts (the printed separators aside) and texts (without the
    spaces justified printing puts between words), trailing blanks dropped."""
    out = [c.value if c.value is not None else re.sub(r"\s+", "", c.text) for c in row.cells]
    while out and out[-1] in ("", None):
        out.pop()
    return out


@pytest.fixture(scope="module", params=sorted(pages.LAYOUTS))
def result(request, tmp_path_factory):
    slug = request.param
    _site, depts = load_content(ROOT / "content", include_drafts=True)
    original = {d.slug: d for d in depts}[slug]
    tmp = tmp_path_factory.mktemp(f"pages-{slug}")
    pdf = tmp / "2023年度部门决算公开.pdf"
    pages.write_pages(original, pdf, pages.LAYOUTS[slug])
    code, output, dept, errors = make_inputs.imported(pdf, slug, tmp / "c")
    return slug, original, code, output, dept, errors


def test_every_table_recognised(result):
    _slug, original, code, output, dept, errors = result
    assert code == 0, output
    assert not errors, "\n".join(map(str, errors)) + output
    assert sorted(t.id for t in dept.tables) == sorted(t.id for t in original.tables), output
    assert not dept.others, output
    assert not dept.missing, output


def test_shared_pages_same_rows(result):
    slug, original, _code, output, dept, _errors = result
    got = {t.id: t for t in dept.tables}
    want = {t.id: t for t in original.tables}
    for page in pages.LAYOUTS[slug]:
        for tid, _ruled in page:
            assert [cells(r) for r in got[tid].rows] == [cells(r) for r in want[tid].rows], f"{tid}\n{output}"
            assert got[tid].variant == want[tid].variant, tid
            assert got[tid].note == want[tid].note, f"{tid}\n{output}"
            assert got[tid].remark == want[tid].remark, f"{tid}\n{output}"


def test_shared_pages_found_together(result):
    """The report names the same page for the tables printed together."""
    slug, _original, _code, output, _dept, _errors = result
    for page in pages.LAYOUTS[slug]:
        where = set()
        for tid, _ruled in page:
            m = re.search(rf"^\s*{tid}.*（(第\d+页)）：", output, re.M)
            assert m, f"{tid}\n{output}"
            where.add(m.group(1))
        assert len(where) == 1, output


def test_other_tables_same_amounts(result):
    _slug, original, _code, output, dept, _errors = result
    got = {t.id: t for t in dept.tables}
    for t in original.tables:
        assert make_inputs.amounts(got[t.id]) == make_inputs.amounts(t), \
            f"{t.id}\n{output}"
