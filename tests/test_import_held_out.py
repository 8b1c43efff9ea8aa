"""portal import of a PDF laid out unlike any the other tests make
(tests/fixtures/import/held_out.py: 三线表 without vertical rules, Times
figures with thousands separators, running page header and “第 N 页 共 M 页”,
tables continued under “续表”, justified short names and 合 计, the 基本支出表
in two halves, a cover, a 目录, 第一部分 部门概况 with a ruled 单位构成 table):
the same figures per table as the transcribed content, the same audit
findings, and the department information from the text.

The document is xianyang-ybj (content/xianyang-ybj/2023.yaml), whose 概况
comes from its seed text /work/shared/seeds/004_b9c65a5f840ad048.txt (the
test is skipped when /work/shared is not there)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.load import load_content

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "import"))
pytest.importorskip("pdfplumber")
pytest.importorskip("reportlab")

import held_out  # noqa: E402
import make_inputs  # noqa: E402
from make_inputs import amounts, table_findings  # noqa: E402

SLUG = "xianyang-ybj"
SEED = Path("/work/shared/seeds/004_b9c65a5f840ad048.txt")






@pytest.fixture(scope="module")
def result(tmp_path_factory):
    if not SEED.exists():
        pytest.skip(f"seed text {SEED} is not here (outside the repository)")
    _site, depts = load_content(ROOT / "content", include_drafts=True)
    original = {d.slug: d for d in depts}[SLUG]
    tmp = tmp_path_factory.mktemp("held-out")
    pdf = tmp / "2023年度部门决算公开.pdf"
    held_out.write_held_out(original, SEED.read_text(encoding="utf-8"), pdf)
    code, output, dept, errors = make_inputs.imported(pdf, SLUG, tmp / "c")
    return original, code, output, dept, errors


def test_same_figures_per_table(result):
    original, code, output, dept, errors = result
    assert code == 0, output
    assert not errors, "\n".join(map(str, errors)) + output
    got = {t.id: t for t in dept.tables}
    assert sorted(got) == sorted(t.id for t in original.tables), output
    for t in original.tables:
        assert amounts(got[t.id]) == amounts(t), f"{t.id}\n{output}"
        assert got[t.id].variant == t.variant
        assert len(got[t.id].rows) == len(t.rows), t.id
    assert set(dept.missing) == set(original.missing)
    assert [o.title for o in dept.others] == [o.title for o in original.others], output
    assert [len(o.rows) for o in dept.others] == [len(o.rows) for o in original.others], output


def test_same_findings(result):
    original, _code, output, dept, _errors = result
    assert table_findings(dept) == table_findings(original), output


def test_department_information(result):
    original, _code, output, dept, _errors = result
    assert dept.name == original.name and dept.kind == original.kind
    assert [u["name"] for u in dept.units] == [u["name"] for u in original.units]
    assert set(dept.overview) == set(original.overview), output
    assert dept.overview["职责"].startswith("1、贯彻国家、省级医疗保障工作")
    assert "11、完成市委、市政府交办的其他任务。" in dept.overview["职责"]
    assert dept.overview["人员编制"].startswith("本部门人员编制100人")
    assert "年度部门决算公开" not in "".join(dept.overview.values())      # the running page header is left out
    assert [s.title for s in dept.sections] == [s.title for s in original.sections], output
    assert [t for t, _ in dept.terms] == [t for t, _ in original.terms], output
    assert not any("第" in s.markdown and "页 共" in s.markdown for s in dept.sections)
