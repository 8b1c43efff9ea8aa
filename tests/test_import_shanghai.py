"""portal import of the blank Shanghai 2024 template (附件2：部门决算模板):
every one of its nine tables is recognised as the 上海2024 table of that
title, with the form's columns, its printed rows kept as printed (blank
amount cells stay blank), the ellipsis placeholder rows left out; the
form set is found without --form; 单位构成, 概况, 情况说明 and 名词解释 are
read from the text.

The PDF is tests/fixtures/import/shanghai-2024-template.pdf, a copy of
/work/shared/forms/上海2024-部门决算模板.pdf (a government form published for
all Shanghai departments to fill in; source in tests/fixtures/import/README.md).
"""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator import formsets

pytest.importorskip("pdfplumber")

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests" / "fixtures" / "import"))
import make_inputs  # noqa: E402

FIXTURE = ROOT / "tests" / "fixtures" / "import" / "shanghai-2024-template.pdf"
SHARED = Path("/work/shared/forms/上海2024-部门决算模板.pdf")
TEMPLATE = FIXTURE if FIXTURE.exists() else SHARED


def _trim(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    if not TEMPLATE.exists():
        pytest.skip(f"the blank Shanghai template is not here ({FIXTURE} or {SHARED})")
    content = tmp_path_factory.mktemp("c")
    code, output, dept, errors = make_inputs.imported(TEMPLATE, "sh", content, year=2024)   # no --form: found by the titles
    return code, output, dept, errors, content


def test_every_table_recognised(imported):
    code, output, dept, errors, _content = imported
    assert code == 0, output
    assert not errors, "\n".join(map(str, errors)) + output
    fs = formsets.form_sets()["上海2024"]
    assert dept.form == "上海2024" and "表式：上海2024" in output and "按表标题和表头识别" in output
    assert [t.id for t in dept.tables] == [s["id"] for s in fs.tables], output
    assert not dept.others and not dept.missing, output
    assert "未识别的表" not in output and "需要人工修改" not in output


def test_blank_stays_blank(imported):
    _code, output, dept, _errors, _content = imported
    for t in dept.tables:
        amounts = [c for r in t.rows for c in r.cells if c.kind not in ("text", "blank")]
        assert not amounts, f"{t.id}: {[c.text for c in amounts]}"


def test_printed_rows_kept(imported):
    """Each table's rows are what the template prints: the form's 印制行 where
    it has them, and the subject tables' sample rows without the “…” rows."""
    _code, output, dept, _errors, content = imported
    fs = formsets.form_sets()["上海2024"]
    got = {t.id: [_trim([c.text for c in r.cells]) for r in t.rows] for t in dept.tables}
    for spec in fs.tables:
        printed = [_trim(r) for r in spec.get("printed_rows") or []]
        if spec.get("halves"):          # loaded half by half: the left halves, then the right halves
            width = len(spec["columns"])
            printed = [_trim(r[k * width:(k + 1) * width]) for k in range(len(spec["halves"]))
                       for r in spec["printed_rows"] if any(r[k * width:(k + 1) * width])]
        if printed:
            assert got[spec["id"]] == printed, spec["id"]
    sample = [["205", "教育支出"], ["20502", "普通教育"], ["2050205", "高等教育"], ["207", "文化旅游体育与传媒支出"],
              ["20799", "其他文化旅游体育与传媒支出"]]
    assert got["收入决算表"] == [["合计"]] + sample
    assert got["支出决算表"] == [["合计"]] + sample
    assert got["一般公共预算财政拨款支出决算表"] == sample + [["合计"]]      # 合计 printed last
    for tid in ("政府性基金预算财政拨款收入支出决算表", "国有资本经营预算财政拨款收入支出决算表"):
        assert got[tid] == [["合计"]], tid              # header labels printed on the 合计 line
        table = next(t for t in dept.tables if t.id == tid)
        assert [c["name"] for c in table.columns][4:7] == ["合计", "基本支出", "项目支出"]
        assert "没有" in table.remark
    assert got["财政拨款“三公”经费支出决算表"] == []
    text = (content / "sh" / "2024.yaml").read_text(encoding="utf-8")
    assert "只印省略号" in text and "…" not in text.split("决算表:")[1].split("名词解释:")[0]


def test_department_information(imported):
    _code, _output, dept, _errors, content = imported
    assert dept.name == "上海市XX局"
    assert dept.kind == "部门决算"
    assert [u["name"] for u in dept.units] == ["上海市XX局（本级）", "上海市XX中心", "上海市XX研究所"]
    assert [u["code"] for u in dept.units] == ["1", "2", "3"]
    assert set(dept.overview) == {"职责", "机构设置"}
    assert "三定方案" in dept.overview["职责"]
    assert dept.overview["机构设置"].startswith("从预算单位构成看")
    assert "决算表" not in dept.overview["机构设置"]
    fs = formsets.form_sets()["上海2024"]
    assert [s.title for s in dept.sections] == fs.sections[:10] + ["十一、其他重要事项的情况说明"]
    assert len(dept.terms) == 11 and dept.terms[0][0] == "财政拨款收入"
