"""Loader: exact amounts, strict YAML, and a corpus of bad inputs that must
each fail with a Chinese message naming file:line, no traceback, and the
previous site/ left exactly as it was."""
from __future__ import annotations

import shutil
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pytest

from generator.amounts import NotANumber, make_cell, parse_decimal
from generator.errors import ContentError, ContentErrors
from generator.load import load_content, split_row
from generator.reader import Text, parse_yaml

GOOD = Path(__file__).parent / "fixtures" / "good"
DEPT = "demo-dept/2023.yaml"


@pytest.mark.parametrize("text,value", [("5417.27", "5417.27"), ("5,417.27", "5417.27"), ("0.10", "0.10"),
                                        ("1,000", "1000"), ("0.1449", "0.1449"), ("-3.5", "-3.5")])
def test_amounts_are_exact_decimals(text, value):
    parsed = parse_decimal(text)
    assert parsed == Decimal(value) and str(parsed) == value
    assert isinstance(parsed, Decimal)


@pytest.mark.parametrize("text", ["12O.45", "1.2.3", "5417,27", "五十", "1 000", "12.45万"])
def test_non_amounts_are_rejected(text):
    with pytest.raises(NotANumber):
        parse_decimal(text)


def test_blank_dash_and_zero_are_distinct():
    blank, dash, zero = make_cell("", "amount"), make_cell("——", "amount"), make_cell("0.00", "amount")
    assert (blank.kind, dash.kind, zero.kind) == ("blank", "dash", "amount")
    assert blank.value is None and dash.value is None and zero.value == Decimal("0.00")
    assert blank.amount == dash.amount == zero.amount == 0
    assert make_cell("100%", "rate").value == Decimal(100)
    assert make_cell("90.7分", "score").value == Decimal("90.7")


def test_yaml_scalars_stay_text_with_positions():
    tree = parse_yaml("a:\n  b: 5417.27\n  c: 0.10\n  d: 2080109\n  e: true\n", "x.yaml")
    b = tree["a"]["b"]
    assert b == "5417.27" and isinstance(b, Text) and (b.line, b.col) == (2, 6)
    assert tree["a"]["c"] == "0.10" and tree["a"]["d"] == "2080109" and tree["a"]["e"] == "true"


def test_pipe_rows_split_with_columns():
    row = Text("2080109 | 社会保险经办机构 | 329.69 | | a\\|b", "f", 3, 9)
    cells = split_row(row)
    assert [str(c) for c in cells] == ["2080109", "社会保险经办机构", "329.69", "", "a|b"]
    assert cells[2].col == 9 + row.index("329.69")


def test_good_fixture_loads_exactly():
    site, depts = load_content(GOOD)
    (dept,) = depts
    assert site.title == "测试门户" and site.years == [2023]
    t03 = dept.table("公开03表")
    row = next(r for r in t03.rows if r.code == "2080109")
    assert [c.value for c in row.cells[2:5]] == [Decimal("60.00"), Decimal("40.00"), Decimal("20.00")]
    assert row.level == 3 and row.line == 41
    t06 = dept.table("公开06表")
    assert next(r for r in t06.rows if r.code == "309").cell(2).kind == "dash"
    assert dept.sangong["上年决算数"]["合计"].value == Decimal("1.30")
    assert dept.evaluations[0].total_score.value == Decimal("95.5")
    assert [s.title for s in dept.sections] == ["一、收入支出决算总体情况说明", "二、“三公”经费支出决算情况说明"]


# ------------------------------------------------------------ bad inputs

def _replace(old: str, new: str):
    def apply(root: Path):
        p = root / DEPT
        text = p.read_text(encoding="utf-8")
        assert old in text, old
        p.write_text(text.replace(old, new, 1), encoding="utf-8")
    return apply


def _write(rel: str, data: bytes):
    def apply(root: Path):
        (root / rel).write_bytes(data)
    return apply


ALIAS_BOMB = ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(9)))

BAD_INPUTS = {
    # name: (mutation, file in message, line, words in message)
    "syntax error": (_replace("主管部门: 示例市医疗保障局", "主管部门: [示例市医疗保障局"), DEPT, 3, "YAML 语法错误"),
    "tab indentation": (_replace("  职责: |", "\t职责: |"), DEPT, 11, "Tab"),
    "duplicate key": (_replace("主管部门: 示例市医疗保障局", "主管部门: 示例市医疗保障局\n主管部门: 又一个"), DEPT, 3, "重复"),
    "GBK file": (lambda root: (root / DEPT).write_bytes((root / DEPT).read_text(encoding="utf-8").encode("gbk")),
                 DEPT, 1, "GBK"),
    "amount typo": (_replace("2080109 | 社会保险经办机构 | 60.00 | 40.00", "2080109 | 社会保险经办机构 | 60.00 | 4O.00"),
                    DEPT, 41, "公开03表 科目 2080109 基本支出：“4O.00”不是金额"),
    "missing table": (_replace("  公开08表:\n    行:\n      - 合计\n    说明: 本表无数据\n", ""), DEPT, 18, "缺少公开08表"),
    "alias bomb": (_write(DEPT, ALIAS_BOMB.encode()), DEPT, 0, "别名炸弹"),
    "empty file": (_write(DEPT, b""), DEPT, 1, "空的"),
    "wrong type": (_replace("部门: 示例市医疗保障服务中心", "部门: [示例市医疗保障服务中心]"), DEPT, 1, "应为文字"),
    "unknown key": (_replace("主管部门:", "主管部问:"), DEPT, 2, "未知的键“主管部问”"),
    "too many cells": (_replace("      - 货物 | 2 | 5.00", "      - 货物 | 2 | 5.00 | 7"), DEPT, 86, "表式只有 3 栏"),
    "bad evaluation score": (lambda root: _replace_in(root / "demo-dept/2023/绩效/01-demo.yaml", "| 50 | 50 |", "| 50 | 五十 |"),
                             "demo-dept/2023/绩效/01-demo.yaml", 17, "不是分数"),
}


def _replace_in(path: Path, old: str, new: str):
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@dataclass
class Result:
    returncode: int
    stdout: str
    stderr: str


@pytest.fixture
def portal(monkeypatch, capsys):
    """`portal …` run in-process through the CLI's entry function, from ``cwd``
    (exit code and output exactly as the command line gives them)."""
    from generator.cli import main

    def run(*args, cwd: Path) -> Result:
        monkeypatch.chdir(cwd)
        capsys.readouterr()
        try:
            code = main(list(args))
        except SystemExit as exc:   # argparse usage errors
            code = exc.code
        out = capsys.readouterr()
        return Result(code, out.out, out.err)
    return run


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_fails_cleanly_and_keeps_previous_site(name, tmp_path, portal):
    mutate, rel, line, words = BAD_INPUTS[name]
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    site = tmp_path / "site"
    site.mkdir()
    (site / "index.html").write_text("previous build", encoding="utf-8")
    (site / "keep.txt").write_text("keep me", encoding="utf-8")
    mutate(content)
    result = portal("build", "--content", "content", "--out", "site", "--no-search", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    message = result.stderr
    assert "Traceback" not in message + result.stdout
    expected_addr = f"content/{rel}:{line}" if line else f"content/{rel}"
    assert expected_addr in message, message
    assert words in message, message
    assert sorted(p.name for p in site.iterdir()) == ["index.html", "keep.txt"]
    assert (site / "index.html").read_text(encoding="utf-8") == "previous build"
    assert not list(tmp_path.glob(".site-*")), "temporary build directory left behind"


def test_all_errors_are_reported_together(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    _replace("2080109 | 社会保险经办机构 | 60.00 | 40.00", "2080109 | 社会保险经办机构 | 6O.00 | 40.00")(content)
    _replace("主管部门:", "主管部问:")(content)
    with pytest.raises(ContentErrors) as info:
        load_content(content)
    messages = [str(e) for e in info.value.errors]
    assert len(messages) == 2
    assert all(m.startswith(f"{content / DEPT}:") or "content/" in m for m in messages)


def test_bom_file_builds(tmp_path, portal):
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    p = content / DEPT
    p.write_bytes(b"\xef\xbb\xbf" + p.read_bytes())
    result = portal("build", "--content", "content", "--out", "site", "--no-search", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "index.html").exists()
    assert "示例市医疗保障服务中心" in (tmp_path / "site" / "demo-dept" / "2023" / "index.html").read_text(encoding="utf-8")


def test_usage_error_exit_code(tmp_path, portal):
    result = portal("build", "--bogus", cwd=tmp_path)
    assert result.returncode == 2 and "用法错误" in result.stderr


def test_missing_content_dir_is_content_error(tmp_path, portal):
    result = portal("check", "--content", "nope", cwd=tmp_path)
    assert result.returncode == 1 and "内容目录不存在" in result.stderr


def test_error_str_format():
    e = ContentError("content/a/2023.yaml", 214, 9, "公开03表 科目 2080109 项目支出", "“12O.45”不是金额")
    assert str(e) == "content/a/2023.yaml:214:9 公开03表 科目 2080109 项目支出：“12O.45”不是金额"


def test_one_pass_rows_give_the_cells_the_careful_path_gives(monkeypatch):
    """load._plain_row (split and parse a typed row in one pass) is a shortcut
    of split_row + parse_cells: loading every content file with and without
    it gives the same cells, texts, values, kinds and positions."""
    import generator.load as load_mod

    def cells(depts):
        return [(d.key, t.id, r.line, [(c.text, c.value, str(c.kind), c.line, c.col) for c in r.cells])
                for d in depts for t in d.tables + d.others + [x for ev in d.evaluations
                                                            for x in (ev.funds, ev.goals, ev.indicators, *ev.others) if x]
                for r in t.rows]
    root = Path(__file__).resolve().parent.parent / "content"
    taken = []
    real = load_mod._plain_row
    monkeypatch.setattr(load_mod, "_plain_row", lambda *a: taken.append(1) or real(*a))
    fast = cells(load_content(root, include_drafts=True)[1])
    monkeypatch.setattr(load_mod, "_plain_row", lambda *a: None)
    careful = cells(load_content(root, include_drafts=True)[1])
    assert len(taken) > 500 and fast == careful
