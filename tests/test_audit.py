"""Audit: a consistent example has no findings; a planted discrepancy in each
identity family is found, with its address, figures and difference; 0.01
per item is a 尾差, more is a 不一致; published figures are never changed."""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator.audit import audit
from generator.load import load_content

GOOD = Path(__file__).parent / "fixtures" / "good"
DEPT = "demo-dept/2023.yaml"
EVAL = "demo-dept/2023/绩效/01-demo.yaml"


def findings_after(tmp_path: Path, rel: str = DEPT, old: str = "", new: str = ""):
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    if old:
        p = content / rel
        text = p.read_text(encoding="utf-8")
        assert old in text, old
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, (dept,) = load_content(content)
    return dept, audit(dept)


def test_consistent_example_has_no_findings(tmp_path):
    _, found = findings_after(tmp_path)
    assert found == []


PLANTED = {
    # family: (file, old, new, family, where-substring, printed, expected, rounding)
    "row identity 公开03": (DEPT, "2080109 | 社会保险经办机构 | 60.00 | 40.00 | 20.00", "2080109 | 社会保险经办机构 | 60.00 | 40.00 | 20.50",
                          "行内勾稽", "公开03表 科目 2080109", "60.00", "60.50", False),
    "row identity 公开02 rounding": (DEPT, "210 | 卫生健康支出 | 40.00 | 40.00", "210 | 卫生健康支出 | 40.01 | 40.00",
                                   "行内勾稽", "公开02表 科目 210", "40.01", "40.00", True),
    "tree 类 = Σ款": (DEPT, "      - 20801 | 人力资源和社会保障管理事务 | 60.00 | 40.00 | 20.00\n      - 2080109",
                     "      - 20801 | 人力资源和社会保障管理事务 | 60.00 | 40.00 | 20.00\n      - 20899 | 其他社会保障和就业支出 | 3.00 | 3.00\n      - 2080109",
                     "科目汇总", "公开03表 类 208 本年支出合计", "60.00", "63.00", False),
    "tree 合计 = Σ类": (DEPT, "      - 合计 | | 100.00 | 100.00", "      - 合计 | | 100.20 | 100.20", "合计",
                      "公开02表 合计 本年收入合计", "100.20", "100.00", False),
    "经济分类 301 = Σ": (DEPT, "30102 | 津贴补贴 | 20.00", "30102 | 津贴补贴 | 21.00", "科目汇总", "公开06表 类 301", "50.00", "51.00", False),
    "公开01 本年收入合计": (DEPT, "本年收入合计 | 3 | 100.00 | 本年支出合计 | 34 | 100.00\n      - 年初结转和结余",
                        "本年收入合计 | 3 | 90.00 | 本年支出合计 | 34 | 100.00\n      - 年初结转和结余", "合计",
                        "公开01表 本年收入合计", "90.00", "100.00", False),
    "收入总计 = 支出总计": (DEPT, "      - 总计 | 5 | 100.00 | 总计 | 36 | 100.00\n  公开02表", "      - 总计 | 5 | 100.00 | 总计 | 36 | 101.00\n  公开02表",
                       "合计", "公开01表 支出总计", "101.00", "100.00", False),
    "公开09 小计 = 购置 + 运行": (DEPT, "- 1.50 | | 1.50 | | 1.50 | | 1.20 | | 1.20 | | 1.20 |", "- 1.50 | | 1.50 | 0.30 | 1.50 | | 1.20 | | 1.20 | | 1.20 |",
                             "行内勾稽", "公开09表", "1.50", "1.80", False),
    "cross 公开05 基本 vs 公开06": (DEPT, "      - 人员经费合计 | | 50.00\n      - 公用经费合计 | | 20.00", "      - 人员经费合计 | | 50.00\n      - 公用经费合计 | | 25.00",
                                "表间勾稽", "公开06表人员经费合计+公用经费合计", None, None, False),
    "cross 公开09 vs 文字": (DEPT, "三公经费:\n  上年决算数:", "三公经费:\n  决算数:\n    合计: 1.00\n  上年决算数:", "表间勾稽",
                          "三公经费 决算数 合计", "1.00", "1.20", False),
    "绩效 执行率": (EVAL, "| 10 | 75% | 7.5", "| 10 | 80% | 7.5", "绩效", "项目资金 年度资金总额", "80", "75", False),
    "绩效 得分 > 分值": (EVAL, "| 10 | 10 |\n总分", "| 10 | 12 |\n总分", "绩效", "满意度", "12", "10", False),
    "绩效 Σ得分 = 总分": (EVAL, "总分: {分值: 100, 得分: 95.5}", "总分: {分值: 100, 得分: 96}", "绩效", "总分", "96", "95.5", False),
}


@pytest.mark.parametrize("name", sorted(PLANTED))
def test_planted_discrepancy_is_found(name, tmp_path):
    rel, old, new, family, where, printed, expected, rounding = PLANTED[name]
    dept, found = findings_after(tmp_path, rel, old, new)
    hits = [f for top in found for f in top.flat() if f.family == family and where in f.where]   # a root or under one
    assert hits, [str(f) for f in found]
    f = hits[0]
    assert f.path.endswith(rel) and f.line > 0
    if printed is not None:
        assert f.printed == Decimal(printed)
        assert f.expected.quantize(Decimal("0.01")) == Decimal(expected).quantize(Decimal("0.01"))
        assert f.difference == f.printed - f.expected
    assert f.rounding is rounding
    assert ("尾差" if rounding else "不一致") == f.severity


def test_finding_message_names_figures_and_difference(tmp_path):
    _, found = findings_after(tmp_path, DEPT, "2080109 | 社会保险经办机构 | 60.00 | 40.00 | 20.00",
                              "2080109 | 社会保险经办机构 | 329.69 | 290.20 | 39.50")
    row = next(f for top in found for f in top.flat() if f.where == "公开03表 科目 2080109")
    assert row.message == "基本支出 290.20 + 项目支出 39.50 = 329.70，而本年支出合计为 329.69（差 -0.01）"
    assert str(row).startswith(f"{row.path}:{row.line} 公开03表 科目 2080109：")
    assert row.rounding and row.anchor == "t03-2080109"


def test_published_figures_are_kept(tmp_path):
    dept, found = findings_after(tmp_path, DEPT, "      - 合计 | | 100.00 | 100.00", "      - 合计 | | 100.20 | 100.20")
    total = next(r for r in dept.table("公开02表").rows if r.code == "合计")
    assert total.cell(2).value == Decimal("100.20") and found


def test_rate_checked_at_printed_precision(tmp_path):
    # 30 / 40 = 75%: "75.0%" and "75.00" both match; 74.9% does not.
    for printed, ok in (("75.0%", True), ("75.00", True), ("74.9%", False)):
        _, found = findings_after(tmp_path / printed.replace("%", "p"), EVAL, "| 10 | 75% | 7.5", f"| 10 | {printed} | 7.5")
        assert (not [f for top in found for f in top.flat() if "执行率" in f.message]) is ok, printed
