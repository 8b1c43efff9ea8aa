"""Claims from prose (issue 14): the figures the 情况说明 states, checked
against the tables, against each other and against their own arithmetic.

Two kinds of test:

* planted errors — a copy of the real content with one prose figure changed;
  exactly the findings that change implies must appear;
* precision — on the five seeds every prose finding is a real discrepancy of
  the source document, each listed below with the seed line that proves it;
  any new finding fails the test.
"""
from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator import claims
from generator.load import load_content
from generator.model import Finding

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
SEEDS = ROOT.parent / "shared" / "seeds"

# dept -> [(severity, family, line in 情况说明.md, text in the message, seed file:line that proves it)]
EXPECTED_PROSE = {
    "linfen-ybzx/2023": [
        # 三、支出决算: 基本 360.12 + 项目 5,057.14 (+ three zeros) = 5,417.26 ≠ 支出合计 5,417.27 (the same 尾差 as 公开03表 合计)
        ("尾差", "分项与合计", 23, "= 5,417.26 万元，而合计为 5,417.27万元", "000:412-416"),
        # 五(三): 卫生健康支出 支出决算 5000 万元, but 公开05表 210 卫生健康支出 is 5,017.65 (000:242)
        ("不一致", "文字与表格", 59, "文字为 5000万元，而公开05表科目 210“小计”为 5,017.65 万元", "000:448"),
        # 五(三): 374.9 + 5000 + 24.72 = 5,399.62 ≠ 支出决算 5,417.27 stated just before the list
        ("不一致", "分项与合计", 57, "= 5,399.62 万元，而合计为 5,417.27万元", "000:446-448"),
        # 五(二) says 卫生健康支出(类) 5,017.65 (000:440), 五(三) says 支出决算 5000 (000:448)
        ("不一致", "文字前后", 59, "此处为 5000万元，本节前文（第 51 行）为 5,017.65万元", "000:440,448"),
    ],
    "miluo-ybj/2023": [],
    "xianyang-ybj/2023": [
        # 十三(三) item 7 says 全年预算数 27, 执行数 27 (004:508-510); its 自评表 prints 年初 27, 全年预算数 42,
        # 全年执行数 26.49 (004:519) — the text itself says 15 万 should have gone back to the 国库
        ("不一致", "文字与表格", 189, "文字为 27 万元，而“医保信息化及基金监督管理费”自评表全年预算数为 42 万元", "004:510,519"),
        ("不一致", "文字与表格", 189, "文字为 27 万元，而“医保信息化及基金监督管理费”自评表全年执行数为 26.49 万元", "004:510,519"),
    ],
    "yangquan-ybj/2023": [
        # 机关运行经费 65.76 万元 (003:565) vs 公开10表 行政单位 20.27 + 参公事业单位 45.48 = 65.75 (003:436-437)
        ("尾差", "文字与表格", 110, "文字为 65.76万元，而公开10表机关运行经费（各类单位合计）为 65.75 万元", "003:565"),
        # 政府采购 货物 11.46 + 工程 0 + 服务 78.12 = 89.58 ≠ 总额 89.57 (003:569; 公开10表 003:430-433 the same)
        ("尾差", "分项与合计", 114, "= 89.58 万元，而合计为 89.57万元", "003:569"),
    ],
    "yima-ybj/2023": [
        # 二、收入: 财政拨款收入 854.34 + 其他收入 4.28 = 858.62 ≠ 收入合计 858.63 (公开02表 002:148 the same)
        ("尾差", "分项与合计", 7, "= 858.62 万元，而合计为 858.63 万元", "002:398"),
        # 四: 854.34 this year, +424.34 → last year 430.00, 424.34 ÷ 430.00 = 98.68 %, printed 98.56 %
        # (98.56 % is 424.08 ÷ 430.26, the figures of 五(一) 002:410)
        ("不一致", "文字计算", 15, "424.34 万元 ÷ 430.00 = 98.68%，而文字为增长 98.56%", "002:406"),
        # 五(三): the eight 项 支出决算 add to 854.35 ≠ 支出决算 854.34
        ("尾差", "分项与合计", 29, "= 854.35 万元，而合计为 854.34 万元", "002:422-438"),
    ],
}

# cross-form reconciliation: 提示 only
EXPECTED_FORMS = {
    # 5000 + 17.65 + 39.5 (000:541,575,630) vs 公开03表 项目支出 5,057.14 (000:153)
    "linfen-ybzx/2023": [("提示", "3 个项目自评全年执行数合计 5,057.15 万元，而公开03表项目支出为 5,057.14 万元")],
    "miluo-ybj/2023": [],
    # 9 projects' 执行数 (004:326-586) add to 792.16, 公开03表 项目支出 792.69 (004:737): 08 executed 26.49 of 42
    "xianyang-ybj/2023": [("提示", "9 个项目自评全年执行数合计 792.16 万元，而公开03表项目支出为 792.69 万元")],
    # 15 projects executed 3,545.3349 (the text's 3545.33, 003:581) of 项目支出 3,597.35 (003:191)
    "yangquan-ybj/2023": [("提示", "15 个项目自评全年执行数合计 3,545.3349 万元，而公开03表项目支出为 3,597.35 万元")],
    # 部门整体自评 执行数 857.49 (002:604) vs 本年支出合计 858.63 (002:182)
    "yima-ybj/2023": [("提示", "部门整体自评全年执行数 857.49 万元，而公开03表本年支出合计为 858.63 万元")],
}

FAMILIES = {"文字与表格", "文字前后", "文字计算", "分项与合计"}


@pytest.fixture(scope="module")
def real():
    _, depts = load_content(CONTENT)
    return {d.key: d for d in depts}


def _summary(findings: list[Finding]) -> set[tuple]:
    return {(f.severity, f.family, f.line) for f in findings}


@pytest.mark.parametrize("key", sorted(EXPECTED_PROSE))
def test_seed_prose_findings_are_exactly_the_real_discrepancies(real, key):
    found = claims.prose_findings(real[key])
    expected = EXPECTED_PROSE[key]
    assert sorted((f.severity, f.family, f.line) for f in found) == sorted((s, fam, line) for s, fam, line, _, _ in expected), \
        "\n".join(f"{f.severity}|{f.family}|{f.line}|{f.message}" for f in found)
    for severity, family, line, text, _ in expected:
        assert any(text in f.message for f in found if (f.severity, f.family, f.line) == (severity, family, line)), text


def test_seed_proof_lines_say_what_the_findings_claim():
    """The seed lines cited above read as the findings say (the seed is the ground truth)."""
    if not SEEDS.is_dir():
        pytest.skip("seeds not available")
    seeds = {p.name[:3]: p.read_text(encoding="utf-8").split("\n") for p in SEEDS.glob("*.txt")}
    assert "支出决算5000万元完成年初预算的29.98%" in seeds["000"][448 - 1]
    assert "卫生健康支出(类)5,017.65万元" in seeds["000"][440 - 1]
    assert seeds["000"][242 - 1].split("\t")[:3] == ["210", "卫生健康支出", "5,017.65"]
    assert "2023年度支出合计5,417.27万元" in seeds["000"][412 - 1]
    assert "机关运行经费支出65.76万元" in seeds["003"][565 - 1]
    assert seeds["003"][436 - 1].endswith("20.27") and seeds["003"][437 - 1].endswith("45.48")
    assert "货物支出11.46万元、政府采购工程支出0万元、政府采购服务支出78.12万元" in seeds["003"][569 - 1]
    assert "收入合计 858.63 万元，其中：财政拨款收入 854.34 万元，占 99.50%；其他收入 4.28 万元" in seeds["002"][398 - 1]
    assert "收、支总计各增加 424.34 万元，增长 98.56%" in seeds["002"][406 - 1]
    assert "年初预算为 1213.24 万元，支出决算为 854.34 万元" in seeds["002"][422 - 1]
    assert "857.49" in seeds["002"][604 - 1]
    assert "年预算数 27 万元，执行数 27 万元" in seeds["004"][510 - 1]
    assert seeds["004"][519 - 1].split() == ["年度资金总额", "27", "42", "26.49", "10", "63.07%", "6"]


@pytest.mark.parametrize("key", sorted(EXPECTED_FORMS))
def test_seed_form_reconciliation_is_a_hint(real, key):
    found = claims.form_findings(real[key])
    assert [(f.severity, next((t for s, t in EXPECTED_FORMS[key] if t in f.message), f.message)) for f in found] \
        == EXPECTED_FORMS[key]
    assert all(f.hint and f.severity == "提示" for f in found)


def test_findings_carry_location_and_sentence(real):
    dept = real["linfen-ybzx/2023"]
    found = claims.prose_findings(dept)
    f = next(f for f in found if f.family == "文字与表格")
    section = next(s for s in dept.sections if s.title.startswith("五、"))
    assert f.page == "dept" and f.anchor == f"qksm-{section.anchor}"
    assert f.path == section.path and f.path.endswith("情况说明.md")
    assert f.where == f"情况说明 {section.title}"
    assert "原文：“卫生健康支出年初预算16677.54万元，支出决算5000万元" in f.message
    lines = (CONTENT / "linfen-ybzx/2023/情况说明.md").read_text(encoding="utf-8").split("\n")
    assert "支出决算5000万元" in lines[f.line - 1]
    assert f.printed == Decimal("5000") and f.expected == Decimal("5017.65")
    assert {f.family for fs in (claims.prose_findings(d) for d in real.values()) for f in fs} <= FAMILIES


def test_hint_is_never_a_discrepancy():
    f = Finding(dept="x/2023", path="p", line=1, where="w", family="自评与决算", message="m", hint=True, rounding=False)
    assert f.severity == "提示"
    assert Finding(dept="x/2023", path="p", line=1, where="w", family="f", message="m").severity == "不一致"


# ------------------------------------------------------------------ planted errors
@pytest.fixture
def plant(tmp_path):
    """plant(dept_folder, old, new) -> (findings, line of the changed text) on a copy of content/."""
    def _plant(folder: str, *edits: tuple[str, str]):
        root = tmp_path / "content"
        shutil.copytree(CONTENT, root)
        md = root / folder / "2023" / "情况说明.md"
        text = md.read_text(encoding="utf-8")
        lines = []
        for old, new in edits:
            assert text.count(old) == 1, old
            text = text.replace(old, new)
            lines.append(text[:text.index(new)].count("\n") + 1)
        md.write_text(text, encoding="utf-8")
        _, depts = load_content(root)
        dept = next(d for d in depts if d.slug == folder)
        return claims.prose_findings(dept), lines
    return _plant


def _baseline(real, key):
    return _summary(claims.prose_findings(real[key]))


def test_planted_wrong_amount(plant, real):
    # 财政拨款收入总计 4,466.29 -> 4,466.92: only the table disagrees (the change 112.21 / 2.45% still holds)
    found, (line,) = plant("yangquan-ybj", ("2023年度财政拨款收入总计4,466.29万元", "2023年度财政拨款收入总计4,466.92万元"))
    new = _summary(found) - _baseline(real, "yangquan-ybj/2023")
    assert new == {("不一致", "文字与表格", line)}
    f = next(f for f in found if f.line == line)
    assert "公开04表收入总计为 4,466.29" in f.message and "差 0.63" in f.message


def test_planted_wrong_percentages(plant, real):
    found, lines = plant(
        "yangquan-ybj",
        ("基本支出868.94万元，占比19.46%", "基本支出868.94万元，占比19.64%"),            # share
        ("公务接待费支出0.04万元，完成全年预算的100.00%，比上年度减少0.11万元，下降73.33%",
         "公务接待费支出0.04万元，完成全年预算的100.00%，比上年度减少0.11万元，下降37.33%"),  # change
        ("支出决算为1948.67万元，完成年初预算的69.2%", "支出决算为1948.67万元，完成年初预算的62.9%"),  # rate
    )
    new = _summary(found) - _baseline(real, "yangquan-ybj/2023")
    assert new == {("不一致", "文字计算", line) for line in lines}
    messages = {f.line: f.message for f in found}
    assert "868.94万元 ÷ 4,466.29 万元 = 19.46%，而文字为占 19.64%" in messages[lines[0]]
    assert "0.11万元 ÷ 0.15 = 73.33%，而文字为下降 37.33%" in messages[lines[1]]
    assert "1948.67万元 ÷ 2814.5万元 = 69.24%，而文字为 62.9%" in messages[lines[2]]


def test_planted_rounded_percentage_is_not_a_finding(plant, real):
    # 1.26 ÷ 1.47 = 85.71 %, but the printed 85.67 % is within the rounding of 1.26 and 1.47: no finding
    found, _ = plant("yangquan-ybj", ("完成年初预算的85.67%", "完成年初预算的85.70%"))
    assert _summary(found) == _baseline(real, "yangquan-ybj/2023")


def test_planted_sections_disagree(plant, real):
    # 义马 has no 公开09 rows: the 因公出国（境）费 决算 is stated twice, only the text can disagree
    found, (line,) = plant("yima-ybj", ("1. 因公出国（境）费预算为0.00万元，支出决算为0.00万元",
                                        "1. 因公出国（境）费预算为0.00万元，支出决算为0.50万元"))
    new = _summary(found) - _baseline(real, "yima-ybj/2023")
    assert new == {("不一致", "文字前后", line)}
    f = next(f for f in found if f.line == line)
    assert "此处为 0.50万元" in f.message and "为 0.00万元" in f.message


def test_planted_sections_disagree_with_table(plant, real):
    # 临汾 九(二) restates 公务用车运行维护费 of 九(一): both the text and 公开09表 disagree
    found, (line,) = plant("linfen-ybzx", ("3、公务用车运行维护费支出0.72万元", "3、公务用车运行维护费支出0.27万元"))
    new = _summary(found) - _baseline(real, "linfen-ybzx/2023")
    assert new == {("不一致", "文字前后", line), ("不一致", "文字与表格", line)}


def test_planted_parts_do_not_add_up(plant, real):
    # 义马 has no 公开10表: only the parts can disagree with the stated total
    found, (line,) = plant("yima-ybj", ("政府采购货物支出 0.00 万元", "政府采购货物支出 5.00 万元"))
    new = _summary(found) - _baseline(real, "yima-ybj/2023")
    head = next(f.line for f in found if f.family == "分项与合计" and "政府采购" in f.message)
    assert new == {("不一致", "分项与合计", head)} and head == line
    f = next(f for f in found if f.line == head and f.family == "分项与合计")
    assert "5.00 万元（其余 2 项为 0） = 5.00 万元，而合计为 0.00 万元" in f.message


def test_planted_parts_rounding_is_a_weicha(plant, real):
    found, (line,) = plant("linfen-ybzx", ("政府采购服务支出13.12万元", "政府采购服务支出13.13万元"))
    new = {(s, fam) for s, fam, _ in _summary(found) - _baseline(real, "linfen-ybzx/2023")}
    # the list is off by 0.01 over three items (尾差), the table's 服务 13.12 by 0.01 (尾差)
    assert new == {("尾差", "分项与合计"), ("尾差", "文字与表格")}


def test_figures_not_tied_to_a_table_are_left_alone(plant, real):
    # a prior-year change without a percentage, a 名词 with a number, a misnamed 科目: no claim
    found, _ = plant("yangquan-ybj", ("较2022年决算增加3.2万元，增加5%", "较2022年决算增加9.9万元，主要原因"))
    new = _summary(found) - _baseline(real, "yangquan-ybj/2023")
    assert new == set()


def test_planted_evaluation_figure(plant, real):
    # 咸阳 十三(三) item 1 restates its 自评表 (全年预算数 68.03, 全年执行数 66.72): a wrong 执行数 disagrees
    # with the form, and the printed 98.07 % no longer follows from the text's own figures
    found, (line,) = plant("xianyang-ybj", ("全年预算数 68.03 万元, 执行数 66.72 万元", "全年预算数 68.03 万元, 执行数 67.72 万元"))
    new = sorted((s, fam, ln) for s, fam, ln in _summary(found) - _baseline(real, "xianyang-ybj/2023"))
    assert new == [("不一致", "文字与表格", line), ("不一致", "文字计算", line)]
    f = next(f for f in found if f.line == line and f.family == "文字与表格")
    assert "“医疗保障工作经费”自评表全年执行数为 66.72 万元" in f.message and f.table == "02-yiliao-baozhang-gongzuo-jingfei"


def test_synthetic_prose_has_no_false_alarms(tmp_path):
    """portal synth writes 情况说明 consistent with its tables: many claims, no prose finding."""
    from generator.synth import synth

    synth(tmp_path / "c", 8, 1, jobs=1)
    _, depts = load_content(tmp_path / "c")
    tied = 0
    for dept in depts:
        fig = claims.Figures(dept)
        tied += sum(1 for s in dept.sections for b in claims.extract(s, fig) for se in b.sentences
                    for a in se.amounts if a.key)
        assert claims.prose_findings(dept) == [], dept.key
    assert tied > 100


def _linfen_with(tmp_path, old: str, new: str):
    import shutil

    from generator.load import load_content

    root = Path(__file__).resolve().parent.parent / "content"
    content = tmp_path / "content"
    shutil.copytree(root, content)
    md = content / "linfen-ybzx" / "2023" / "情况说明.md"
    text = md.read_text(encoding="utf-8")
    assert old in text
    md.write_text(text.replace(old, new, 1), encoding="utf-8")
    _, depts = load_content(content)
    return next(d for d in depts if d.slug == "linfen-ybzx")


def test_vehicle_count_against_table_and_its_kinds(tmp_path):
    from generator.claims import count_findings

    dept = _linfen_with(tmp_path, "共有车辆1辆", "共有车辆2辆")
    found = count_findings(dept)
    assert sorted(f.family for f in found) == ["分项与合计", "文字与表格"]
    table = next(f for f in found if f.family == "文字与表格")
    assert "共有车辆 2 辆" in table.message and "车辆数合计”为 1 辆" in table.message and not table.rounding
    assert table.line == next(i for i, l in enumerate(
        (tmp_path / "content/linfen-ybzx/2023/情况说明.md").read_text(encoding="utf-8").split("\n"), 1) if "共有车辆2辆" in l)


def test_vehicle_kinds_not_adding_up(tmp_path):
    from generator.claims import count_findings

    dept = _linfen_with(tmp_path, "其他用车1辆", "其他用车3辆")
    found = count_findings(dept)
    assert [f.family for f in found] == ["分项与合计"]
    assert "合计 3 辆" in found[0].message and "其余 7 类为 0" in found[0].message


def test_vehicle_counts_on_the_seeds_agree():
    from generator.claims import count_findings
    from generator.load import load_content

    _, depts = load_content(Path(__file__).resolve().parent.parent / "content")
    assert [f for d in depts for f in count_findings(d)] == []
