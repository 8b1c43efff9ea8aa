"""Audit v2 (issue 14): one root cause, one finding; 已核实 (reviewed)
findings; the marker after a wrong sentence of the 情况说明."""
from __future__ import annotations

import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator import facts, marks
from generator.amounts import Cell
from generator.audit import Auditor, audit, report
from generator.errors import ContentErrors
from generator.load import load_content
from generator.model import Finding
from generator.pages import summarize

ROOT = Path(__file__).resolve().parent.parent
GOOD = Path(__file__).parent / "fixtures" / "good"
DEPT = "demo-dept/2023.yaml"

# 项 2080109 of 公开03表 prints 60.50 for 本年支出合计 (基本 40.00 + 项目 20.00 = 60.00); the 款, the 类 and
# the 合计 were added up from it, so each carries the same +0.50, and so does 公开01表 本年支出合计 ≠ 公开03表 合计.
PLANT_03 = [
    ("      - 合计 | | 100.00 | 70.00 | 30.00\n      - 208 | 社会保障和就业支出 | 60.00 | 40.00 | 20.00\n"
     "      - 20801 | 人力资源和社会保障管理事务 | 60.00 | 40.00 | 20.00\n      - 2080109 | 社会保险经办机构 | 60.00 | 40.00 | 20.00\n"
     "      - 210 | 卫生健康支出 | 40.00 | 30.00 | 10.00\n      - 21011 | 行政事业单位医疗 | 40.00 | 30.00 | 10.00\n"
     "      - 2101102 | 事业单位医疗 | 40.00 | 30.00 | 10.00\n  公开04表",
     "      - 合计 | | 100.50 | 70.00 | 30.00\n      - 208 | 社会保障和就业支出 | 60.50 | 40.00 | 20.00\n"
     "      - 20801 | 人力资源和社会保障管理事务 | 60.50 | 40.00 | 20.00\n      - 2080109 | 社会保险经办机构 | 60.50 | 40.00 | 20.00\n"
     "      - 210 | 卫生健康支出 | 40.00 | 30.00 | 10.00\n      - 21011 | 行政事业单位医疗 | 40.00 | 30.00 | 10.00\n"
     "      - 2101102 | 事业单位医疗 | 40.00 | 30.00 | 10.00\n  公开04表"),
]


def content_with(tmp_path: Path, edits=(), extra: str = "") -> Path:
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    p = content / DEPT
    text = p.read_text(encoding="utf-8")
    for old, new in edits:
        assert text.count(old) == 1, old
        text = text.replace(old, new)
    p.write_text(text + extra, encoding="utf-8")
    return content


def load_one(content: Path):
    _, (dept,) = load_content(content)
    return dept


# ------------------------------------------------------------------ one root cause, one finding
def test_planted_item_error_is_one_root_with_its_consequences(tmp_path):
    dept = load_one(content_with(tmp_path, PLANT_03))
    found = audit(dept)
    assert len(found) == 1, [str(f) for f in found]
    root = found[0]
    assert (root.where, root.family, root.severity) == ("公开03表 科目 2080109", "行内勾稽", "不一致")
    assert root.difference == Decimal("0.50") and root.anchor == "t03-2080109"
    assert [(c.where, c.family) for c in root.consequences] == [
        ("公开03表 合计", "行内勾稽"), ("公开03表 科目 208", "行内勾稽"), ("公开03表 科目 20801", "行内勾稽"),
        ("公开03表合计“本年支出合计”", "表间勾稽")]
    assert all(c.difference == root.difference and c.severity == "不一致" for c in root.consequences)
    # counts: one open 不一致, the four consequences are listed under it, not counted
    s = summarize(dept, found, facts.derive(dept))
    assert (s["findings"], s["real"], s["rounding"]) == (1, 1, 0)
    assert len(root.flat()) == 5 and {c.qid for c in root.consequences} == {root.qid}
    lines = report(found)
    assert lines[0] == "勾稽检查：1 处差异（不一致 1，尾差 0）；另有 4 处由上列差异导致，列在其下"
    assert sum("└ 由此导致 [不一致]" in line for line in lines) == 4


def test_grouping_without_the_chain_keeps_separate_roots(tmp_path):
    # the 项 alone (its parents still add up to the old figures): the 款 no longer sums to it — a
    # 科目汇总 finding with the opposite difference, explained by the 项 (correcting it removes both)
    dept = load_one(content_with(tmp_path, [("      - 2080109 | 社会保险经办机构 | 60.00 | 40.00 | 20.00\n      - 210 | 卫生健康支出 | 40.00 | 30.00 | 10.00\n      - 21011 | 行政事业单位医疗 | 40.00 | 30.00 | 10.00\n      - 2101102 | 事业单位医疗 | 40.00 | 30.00 | 10.00\n  公开04表",
                                              "      - 2080109 | 社会保险经办机构 | 60.50 | 40.00 | 20.00\n      - 210 | 卫生健康支出 | 40.00 | 30.00 | 10.00\n      - 21011 | 行政事业单位医疗 | 40.00 | 30.00 | 10.00\n      - 2101102 | 事业单位医疗 | 40.00 | 30.00 | 10.00\n  公开04表")]))
    found = audit(dept)
    assert [(f.where, f.family) for f in found] == [("公开03表 科目 2080109", "行内勾稽")]
    assert [(c.where, c.difference) for c in found[0].consequences] == [("公开03表 款 20801 本年支出合计", Decimal("-0.50"))]


def test_zero_and_blank_terms_are_counted_not_listed(tmp_path):
    dept = load_one(content_with(tmp_path))
    auditor = Auditor(dept)
    amount = lambda text: Cell(text, Decimal(text), "amount")   # noqa: E731
    auditor.compare(path="p", line=1, where="w", family="合计", total_label="合计", total=amount("2.00"),
                    parts=[("a", 1, amount("1.00"))] + [(f"z{i}", 1, amount("0.00")) for i in range(18)]
                    + [("b", 1, Cell("", None, "blank"))])
    assert auditor.findings[0].message == "a 1.00（其余 19 项为 0.00 或空白） = 1.00，而合计为 2.00（差 1.00）"


def test_seed_counts_before_and_after_grouping():
    """The five seeds: every table 尾差 is a root or listed under one (see test_content for the list)."""
    _, depts = load_content(ROOT / "content")
    roots = [f for d in depts for f in audit(d)]
    every = [x for f in roots for x in f.flat()]
    by_family = lambda fs: {fam: sum(1 for f in fs if f.family == fam) for fam in ("行内勾稽", "科目汇总", "合计")}  # noqa: E731
    assert by_family(every) == {"行内勾稽": 22, "科目汇总": 35, "合计": 22}
    assert by_family(roots) == {"行内勾稽": 9, "科目汇总": 18, "合计": 7}
    assert sum(1 for f in every if f.severity == "尾差") == 84


# ------------------------------------------------------------------ 已核实
REVIEW = """
已核实:
  - 位置: 公开03表 科目 2080109
    说明: 原件如此；已向单位核实，项目支出另有 0.50 万元未分列。
"""


def test_reviewed_finding_is_listed_and_not_counted(tmp_path):
    dept = load_one(content_with(tmp_path, PLANT_03, REVIEW))
    assert [(r.where, r.line) for r in dept.reviewed] == [("公开03表 科目 2080109", dept.reviewed[0].line)]
    found = audit(dept)
    (root,) = found
    assert root.reviewed and root.review_note.startswith("原件如此") and root.severity == "不一致"
    assert not root.open
    s = summarize(dept, found, facts.derive(dept))
    assert (s["findings"], s["real"]) == (1, 0)
    assert report(found)[0] == "勾稽检查：1 处差异（不一致 0，尾差 0，已核实 1）；另有 4 处由上列差异导致，列在其下"


def test_reviewed_consequence_with_excerpt(tmp_path):
    extra = """
已核实:
  - 位置: 公开03表合计“本年支出合计”
    摘录: 公开01表“本年支出合计”
    说明: 两表口径已核实。
"""
    dept = load_one(content_with(tmp_path, PLANT_03, extra))
    (root,) = audit(dept)
    assert not root.reviewed and [c.reviewed for c in root.consequences] == [False, False, False, True]


@pytest.mark.parametrize("entry, words", [
    ("  - 位置: 公开03表 科目 9999999\n    说明: 不存在的位置\n", "差异不存在"),
    ("  - 位置: 公开03表 科目 2080109\n    摘录: 没有这段话\n    说明: 摘录对不上\n", "差异不存在"),
    ("  - 位置: 公开03表 科目 2080109\n", "缺少必填项“说明”"),
    ("  - 位置: 公开03表 科目 2080109\n    说明: 好\n    备注: 拼错的键\n", "未知的键“备注”"),
])
def test_unmatched_review_is_an_error_with_its_line(tmp_path, entry, words):
    content = content_with(tmp_path, PLANT_03, "\n已核实:\n" + entry)
    text = (content / DEPT).read_text(encoding="utf-8")
    line = text.split("\n").index("已核实:") + 2
    with pytest.raises(ContentErrors) as exc:
        load_content(content)
    messages = [str(e) for e in exc.value.errors]
    at = [int(m.group(1)) for e in messages if words in e and (m := re.search(rf"{DEPT}:(\d+)", e.replace("\\", "/")))]
    assert at and line <= at[0] <= line + 2, messages   # the entry, or the key inside it


def test_review_without_any_finding_is_an_error(tmp_path):
    content = content_with(tmp_path, (), "\n已核实:\n  - 位置: 公开03表 科目 2080109\n    说明: 已核实\n")
    with pytest.raises(ContentErrors) as exc:
        load_content(content)
    assert "已核实" in str(exc.value.errors[0]) and "差异不存在" in str(exc.value.errors[0])


# ------------------------------------------------------------------ the marker after a wrong sentence
def _finding(sentence: str, **kw) -> Finding:
    return Finding(dept="d/2023", path="p", line=1, where="情况说明 一、x", family="文字与表格", message=kw.pop("message", "m"),
                   sentence=sentence, qid=kw.pop("qid", "q-d-2023-1"), anchor="qksm-s1", **kw)


def test_marker_follows_its_sentence_and_is_escaped():
    html = "<p>收入合计 <strong>100.00</strong> 万元，其中：A &amp; B 50.00 万元。其余说明。</p>\n<ol>\n<li>支出 3 万元</li>\n</ol>"
    out = marks.mark_sentences(html, [
        _finding("收入合计 **100.00** 万元，其中：A & B 50.00 万元", message="<script>x</script>"),
        _finding("1. 支出 3 万元", rounding=True, qid="q-d-2023-2"),
    ], "../../quality.html")
    assert '万元。 <a class="finding-mark prose-mark" href="../../quality.html#q-d-2023-1">不一致' in out
    assert '支出 3 万元 <a class="finding-mark rounding prose-mark" href="../../quality.html#q-d-2023-2">尾差' in out
    assert "<script>" not in out and "&lt;script&gt;" in out
    assert out.count("<a ") == 2 and out.endswith("</ol>")


def test_marker_of_an_unfound_sentence_is_not_dropped():
    out = marks.mark_sentences("<p>别的内容。</p>", [_finding("不在这里的句子", hint=True)], "q.html")
    assert out.endswith('<p class="prose-marks"><a class="finding-mark hint prose-mark" href="q.html#q-d-2023-1">提示'
                        '<span class="visually-hidden">：情况说明 一、x m</span></a></p>')


def test_page_marks_the_wrong_sentence_and_links_to_quality(tmp_path):
    from generator.build import build

    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content, ignore=shutil.ignore_patterns("*.pdf"))
    md = content / "yangquan-ybj" / "2023" / "情况说明.md"
    text = md.read_text(encoding="utf-8")
    old, new = "2023年度财政拨款收入总计4,466.29万元", "2023年度财政拨款收入总计4,466.92万元"
    assert text.count(old) == 1
    md.write_text(text.replace(old, new), encoding="utf-8")
    with open(content / "yangquan-ybj" / "2023.yaml", "a", encoding="utf-8") as fh:   # one finding reviewed
        fh.write("\n已核实:\n  - 位置: 医疗保险工作经费 保障群体数量\n    说明: 原表如此，已向单位核实。\n")
    out = tmp_path / "site"
    build(content, out, search=False)
    page = (out / "yangquan-ybj" / "2023" / "index.html").read_text(encoding="utf-8")
    quality = (out / "quality.html").read_text(encoding="utf-8")
    hits = re.findall(r'4,466\.92万元[^<]*?[。；] <a class="finding-mark prose-mark" href="\.\./\.\./quality\.html#([^"]+)">不一致', page)
    assert len(hits) == 1, "no marker after the planted sentence"
    qid = hits[0]
    item = re.search(rf'<li id="{re.escape(qid)}" class="real">(.*?)</li>', quality, re.S)
    assert item and "文字为 4,466.92万元，而公开04表收入总计为 4,466.29" in item.group(1)
    # the quality page: per department 不一致, then 提示, then 尾差; consequences under their root; 已核实 marked
    section = re.search(r'<section id="dq-yangquan-ybj-2023".*?</section>', quality, re.S).group(0)
    classes = re.findall(r'<li id="q-[^"]+" class="([^"]+)">', section)
    rank = {"real": 0, "real reviewed": 1, "hint": 2, "rounding": 3}
    assert classes == sorted(classes, key=rank.__getitem__) and {"real", "real reviewed", "hint", "rounding"} <= set(classes)
    assert "5 处不一致，1 处已核实，1 处提示" in section and "由此导致的" in section
    assert '<span class="badge">不一致（已核实）</span>' in section and "已核实：原表如此，已向单位核实。" in section
    # every prose marker on every page links to an existing finding
    ids = set(re.findall(r'<li id="(q-[^"]+)"', quality))
    for dept_page in out.glob("*/2023/index.html"):
        for target in re.findall(r'prose-mark" href="\.\./\.\./quality\.html#([^"]+)"', dept_page.read_text(encoding="utf-8")):
            assert target in ids, (dept_page, target)


def test_downloads_carry_consequences_and_reviews(tmp_path):
    """findings.csv and data.json say what the 数据质量 page says: every
    difference, each consequence attributed to its root."""
    import csv
    import io
    import json

    from generator.build import build

    content = Path(__file__).resolve().parent.parent / "content"
    out = tmp_path / "site"
    result = build(content, out, search=False, cache=False)
    rows = list(csv.reader(io.StringIO((out / "data" / "findings.csv").read_text(encoding="utf-8-sig"))))
    header, body = rows[0], rows[1:]
    assert "归因于" in header and "已核实说明" in header
    assert len(body) == sum(len(f.flat()) for f in result.findings)
    attributed = [r for r in body if r[header.index("归因于")]]
    assert attributed and len(attributed) == sum(len(f.flat()) - 1 for f in result.findings)
    data = json.loads((out / "yangquan-ybj" / "2023" / "data.json").read_text(encoding="utf-8"))
    assert any(f["consequences"] for f in data["findings"])
