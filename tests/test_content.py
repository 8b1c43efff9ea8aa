"""The five transcribed 2023 documents: totals and 三公 figures read off the
seed text, evaluation and indicator counts, the audit findings we expect for
each document (each checked against the seed), and every figure visible on
the built site."""
from __future__ import annotations

import html
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest

from generator import facts
from generator.pages import display, fmt_score, table_figures

EXPECTED_FINDINGS = Path(__file__).parent / "expected_findings.json"

D = Decimal

# table id -> {row selector: {column: value}}, as printed in the seed documents
TOTALS = {
    "linfen-ybzx/2023": {
        "公开01表": {"本年收入合计": {2: "5417.27", 5: "5417.27"}, "总计": {2: "5417.27", 5: "5417.27"}},
        "公开02表": {"合计": {"本年收入合计": "5417.27", "财政拨款收入": "5417.27"}},
        "公开03表": {"合计": {"本年支出合计": "5417.27", "基本支出": "360.12", "项目支出": "5057.14"}},
        "公开04表": {"本年收入合计": {2: "5417.27", 5: "5417.27", 6: "5417.27"}, "总计": {2: "5417.27"}},
        "公开05表": {"合计": {"小计": "5417.27", "基本支出": "360.12", "项目支出": "5057.14"}},
        "公开06表": {"人员经费合计": {"决算数": "335.69"}, "公用经费合计": {"决算数": "24.43"}},
        "公开10表": {"合计": {"统计数": "16.40"}},
    },
    "yima-ybj/2023": {
        "公开01表": {"本年收入合计": {2: "858.63", 5: "858.63"}, "总计": {2: "858.63", 5: "858.63"}},
        "公开02表": {"合计": {"本年收入合计": "858.63", "财政拨款收入": "854.34", "其他收入": "4.28"}},
        "公开03表": {"合计": {"本年支出合计": "858.63", "基本支出": "348.19", "项目支出": "510.44"}},
        "公开04表": {"本年收入合计": {2: "854.34", 5: "854.34"}, "总计": {2: "854.34"}},
        "公开05表": {"合计": {"小计": "854.34", "基本支出": "348.19", "项目支出": "506.16"}},
        "公开06表": {"人员经费合计": {"决算数": "339.06"}, "公用经费合计": {"决算数": "9.13"}},
    },
    "yangquan-ybj/2023": {
        "公开01表": {"本年收入合计": {2: "4466.29", 5: "4466.29"}, "总计": {2: "4466.29", 5: "4466.29"}},
        "公开02表": {"合计": {"本年收入合计": "4466.29", "财政拨款收入": "4466.29"}},
        "公开03表": {"合计": {"本年支出合计": "4466.29", "基本支出": "868.94", "项目支出": "3597.35"}},
        "公开04表": {"本年收入合计": {2: "4466.29", 5: "4466.29"}, "总计": {2: "4466.29"}},
        "公开05表": {"合计": {"小计": "4466.29", "基本支出": "868.94", "项目支出": "3597.35"}},
        "公开06表": {"人员经费合计": {"决算数": "797.58"}, "公用经费合计": {"决算数": "71.36"}},
        "公开10表": {"合计": {"统计数": "89.57"}},
    },
    "xianyang-ybj/2023": {
        "公开01表": {"本年收入合计": {2: "2358.27", 5: "2363.01"}, "总计": {2: "2364.32", 5: "2364.32"}},
        "公开02表": {"合计": {"本年收入合计": "2358.27", "财政拨款收入": "2358.27"}},
        "公开03表": {"合计": {"本年支出合计": "2363.01", "基本支出": "1570.32", "项目支出": "792.69"}},
        "公开04表": {"本年收入合计": {2: "2358.27", 5: "2363.01"}, "总计": {2: "2364.32"}},
        "公开05表": {"合计": {"小计": "2363.01", "基本支出": "1570.32", "项目支出": "792.69"}},
        "公开06表": {"人员经费合计": {"决算数": "1463.22"}, "公用经费合计": {"决算数": "107.10"}},
    },
    "miluo-ybj/2023": {},
}

# 三公: year key -> item -> value ("0" where the table cell is blank)
SANGONG = {
    "linfen-ybzx/2023": {"预算数": {"合计": "0.72", "公务用车运行维护费": "0.72", "公务接待费": "0"},
                         "决算数": {"合计": "0.72", "公务用车运行维护费": "0.72", "因公出国（境）费": "0"},
                         "上年决算数": {"合计": "0.79"}},
    "miluo-ybj/2023": {"预算数": {"合计": "5.7", "公务接待费": "5.7", "会议费、培训费": "5.7"},
                       "决算数": {"合计": "0.23", "公务接待费": "0.23", "会议费、培训费": "3.54"},
                       "上年决算数": {"合计": "11.6", "会议费、培训费": "21.68"}},
    "yima-ybj/2023": {},
    "yangquan-ybj/2023": {"预算数": {"合计": "0.99", "公务用车运行维护费": "0.95", "公务接待费": "0.04"},
                          "决算数": {"合计": "0.99", "公务用车运行维护费": "0.95", "公务接待费": "0.04"},
                          "上年决算数": {"合计": "1.82", "公务用车运行维护费": "1.67", "公务接待费": "0.15"}},
    "xianyang-ybj/2023": {"预算数": {"合计": "3.30", "公务用车运行维护费": "2.30", "公务接待费": "1.00",
                                   "会议费": "25.00", "培训费": "12.00"},
                          "决算数": {"合计": "0", "会议费": "21.72", "培训费": "0.58"}},
}

# number of evaluations, and 三级 indicators per evaluation (document order)
EVALUATIONS = {
    "linfen-ybzx/2023": [6, 24, 10],
    "miluo-ybj/2023": [11, 11, 11, 11],
    "yima-ybj/2023": [23, 0],
    "yangquan-ybj/2023": [51, 12, 21, 11, 9, 10, 22, 8, 7, 8, 6, 6, 7, 5, 7, 6, 25, 20],
    "xianyang-ybj/2023": [10, 10, 21, 9, 8, 7, 7, 12, 10, 7, 0],
}

TABLE_COUNTS = {"linfen-ybzx/2023": 10, "miluo-ybj/2023": 0, "yima-ybj/2023": 9, "yangquan-ybj/2023": 10,
                "xianyang-ybj/2023": 9}


@pytest.fixture(scope="module")
def by_key(loaded):
    _, depts, findings = loaded
    return {d.key: d for d in depts}, findings


def _row(table, selector):
    if table.shape == "two_sided":
        for side in ("收入", "支出"):
            li = table.spec["sides"][side]["label"]
            for r in table.rows:
                if r.cell(li).text.replace(" ", "") == selector:
                    return r
    return next(r for r in table.rows if r.code == selector or r.cell(0).text == selector)


def test_all_five_documents_loaded(by_key):
    depts, _ = by_key
    assert sorted(depts) == sorted(TOTALS)
    for key, count in TABLE_COUNTS.items():
        assert len(depts[key].tables) == count, key


@pytest.mark.parametrize("key", sorted(TOTALS))
def test_table_totals_match_the_seed(by_key, key):
    depts, _ = by_key
    dept = depts[key]
    for table_id, rows in TOTALS[key].items():
        table = dept.table(table_id)
        assert table is not None, table_id
        for selector, columns in rows.items():
            if table.shape == "two_sided":
                # 本年收入合计 and 本年支出合计 share a printed row; pick the side by column
                for col, value in columns.items():
                    side = "收入" if col < 3 else "支出"
                    label = selector if side == "收入" or selector == "总计" else selector.replace("收入", "支出")
                    li = table.spec["sides"][side]["label"]
                    row = next(r for r in table.rows if r.cell(li).text.replace(" ", "") == label)
                    assert row.cell(col).value == D(value), (table_id, label, col)
            else:
                row = _row(table, selector)
                for column, value in columns.items():
                    assert row.cell(table.col(column)).value == D(value), (table_id, selector, column)


@pytest.mark.parametrize("key", sorted(SANGONG))
def test_sangong_figures_match_the_seed(by_key, key):
    depts, _ = by_key
    sg = facts.sangong(depts[key])
    for year_key, items in SANGONG[key].items():
        for item, value in items.items():
            cell = sg[year_key][item]
            assert cell.amount == D(value), (year_key, item, cell)


@pytest.mark.parametrize("key", sorted(EVALUATIONS))
def test_evaluations_and_indicators(by_key, key):
    depts, _ = by_key
    counts = []
    for ev in depts[key].evaluations:
        t = ev.indicators
        n = 0
        if t is not None and t.columns:
            i = t.col("三级指标")
            n = sum(1 for r in t.rows if r.cell(i).text)
        counts.append(n)
    assert counts == EVALUATIONS[key]


def test_expected_findings_per_document(by_key):
    """Each of these was checked against the seed text: they are discrepancies of
    the published documents, kept as printed. A change here means a change in
    transcription or audit: re-check before updating the list."""
    _, findings = by_key
    expected = json.loads(EXPECTED_FINDINGS.read_text(encoding="utf-8"))
    assert finding_lines(findings) == expected


def finding_lines(findings: dict) -> dict:
    """severity|where|message per root finding; a consequence listed under a
    root (one root cause, one finding) ends in “|归因于 <the root's where>”."""
    return {key: sorted([f"{f.severity}|{f.where}|{f.message}" for f in fs]
                        + [f"{c.severity}|{c.where}|{c.message}|归因于 {f.where}" for f in fs for c in f.consequences])
            for key, fs in findings.items()}


def test_grouping_keeps_every_difference(by_key):
    """One root cause, one finding: the table findings fold into fewer roots,
    and no 尾差 is lost — each is a root or listed under one."""
    _, findings = by_key
    roots = [f for fs in findings.values() for f in fs]
    every = [x for f in roots for x in f.flat()]
    assert len(every) == 108 and len(roots) == 63
    assert sum(1 for f in every if f.severity == "尾差") == 84
    assert all(not c.consequences for f in roots for c in f.consequences)   # one level: root and its consequences
    assert all(not (f.rounding and not c.rounding) for f in roots for c in f.consequences)


def _page_text(path: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", path.read_text(encoding="utf-8")))


def test_every_figure_is_on_the_site(built_site, by_key):
    depts, _ = by_key
    for key, dept in depts.items():
        base = built_site / dept.slug / str(dept.year)
        page = _page_text(base / "index.html")
        checked = 0
        for table in dept.tables + dept.others:
            for row, _, shown in table_figures(table):   # the value printed, in the reader's format (issue 18)
                assert shown in page, (key, table.id or table.title, row.line, shown)
                checked += 1
        for ev in dept.evaluations:
            ev_page = _page_text(base / f"{ev.slug}.html")
            for table in [ev.funds, ev.goals, ev.indicators, *ev.others]:
                if table is None:
                    continue
                for row, _, shown in table_figures(table):
                    assert shown in ev_page, (key, ev.slug, row.line, shown)
                    checked += 1
            if ev.total_score is not None and ev.total_score.value is not None:
                assert fmt_score(ev.total_score.value) in ev_page
        assert checked >= 30, (key, checked)


def test_no_personal_contacts_in_content():
    text = "".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "content").rglob("*")
                   if p.is_file())
    assert not re.search(r"(?<!\d)1[3-9]\d{9}(?!\d)", text), "a mobile phone number is in content/"
    for name in ("罗庆", "杨瑞", "马晓华", "任建卫", "崔慧媛", "朱风雷", "樊雨萍", "张卫国", "冯国华", "石珺"):
        assert name not in text, name
