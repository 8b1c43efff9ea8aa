"""Issue 12, content integrity: no editor's file is ever lost.

Every file under content/ is used, ignored by a documented name rule, or
named in a Chinese error (build fails) or warning (build goes on); links and
special files are refused without being opened; invisible characters,
full-width digits, NUL bytes, settings that reach URLs, table units,
oversized Markdown and YAML alias bombs each have one rule. Each test is
named after the case it guards."""
from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

import pytest

from generator.amounts import NotANumber, make_cell, parse_decimal
from generator.errors import ContentErrors
from generator.load import department_folders, load_content, load_department_year, load_sections, load_site
from generator.reader import parse_yaml


def scan():
    from generator import scan as module   # new in issue 12: imported here so the file runs on older code
    return module

ROOT = Path(__file__).resolve().parent.parent
GOOD = ROOT / "tests" / "fixtures" / "good"
CONTENT = ROOT / "content"
DEPT = "demo-dept"
MAIN = f"{DEPT}/2023.yaml"
NARRATIVE = f"{DEPT}/2023/情况说明.md"
EVAL = f"{DEPT}/2023/绩效/01-demo.yaml"


@pytest.fixture
def content(tmp_path) -> Path:
    root = tmp_path / "content"
    shutil.copytree(GOOD, root)
    return root


def problems(root: Path) -> tuple[list, list]:
    """(errors, warnings) of loading ``root``; the load must not crash."""
    warnings: list = []
    try:
        load_content(root, warnings=warnings)
    except ContentErrors as exc:
        return exc.errors, warnings
    return [], warnings


def errors_of(root: Path) -> list:
    """Errors of loading ``root`` with the plain call build and check use."""
    try:
        load_content(root)
    except ContentErrors as exc:
        return exc.errors
    return []


def named(found: list, rel: str, *words: str):
    """The problem naming file ``rel`` (relative to content/) whose message has ``words``."""
    for e in found:
        if e.path.replace(os.sep, "/").endswith(rel) and all(w in str(e) for w in words):
            return e
    raise AssertionError(f"no problem for {rel} with {words}: " + "\n".join(map(str, found)))


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


# ====================================================================== A. nothing dropped in silence

@pytest.mark.parametrize("name", ["2024.yml", "2024.YAML", "2024.Yaml", "２０２４.yaml", "2024.yaml.txt"])
def test_year_file_misspelt_is_an_error(content, name):
    shutil.copy(content / MAIN, content / DEPT / name)
    e = named(errors_of(content), f"{DEPT}/{name}", "2024.yaml", "改名")
    assert e.path and "不会被读取" in e.message


def test_department_folder_nested_one_level_deeper_is_an_error(content):
    (content / "group").mkdir()
    shutil.move(content / DEPT, content / "group" / DEPT)
    e = named(errors_of(content), f"group/{DEPT}/2023.yaml", "直接放在 content/ 下")
    assert f"group/{DEPT}/" in e.message


@pytest.mark.parametrize("name,fix", [("02-extra.yml", "02-extra.yaml"), ("02-extra.YAML", "02-extra.yaml")])
def test_evaluation_file_misspelt_extension_is_an_error(content, name, fix):
    shutil.copy(content / EVAL, content / DEPT / "2023" / "绩效" / name)
    named(errors_of(content), f"绩效/{name}", f"改名为“{fix}”")


def test_evaluation_folder_beside_year_folder_is_an_error(content):
    shutil.move(content / DEPT / "2023" / "绩效", content / DEPT / "绩效")
    named(errors_of(content), f"{DEPT}/绩效", "年度文件夹中", f"{DEPT}/2023/绩效/")


@pytest.mark.parametrize("name", ["情况说明.MD", "情况说明.txt", "情况说明.markdown", "情况说明(1).md"])
def test_narrative_misspelt_is_an_error(content, name):
    shutil.move(content / NARRATIVE, content / DEPT / "2023" / name)
    named(errors_of(content), f"2023/{name}", "情况说明.md", "改名")


def test_narrative_beside_year_folder_is_an_error(content):
    shutil.move(content / NARRATIVE, content / DEPT / "情况说明.md")
    named(errors_of(content), f"{DEPT}/情况说明.md", f"{DEPT}/2023/情况说明.md")


def test_year_folder_without_year_file_is_an_error(content):
    shutil.copytree(content / DEPT / "2023", content / DEPT / "2022")
    named(errors_of(content), f"{DEPT}/2022", "2022.yaml")


def test_stray_yaml_file_is_an_error(content):
    shutil.copy(content / MAIN, content / DEPT / "2023-备份.yaml")
    named(errors_of(content), f"{DEPT}/2023-备份.yaml", "不会被读取")


def test_dangling_symlink_is_an_error(content):
    os.symlink(content / "nowhere.yaml", content / DEPT / "2024.yaml")
    named(errors_of(content), f"{DEPT}/2024.yaml", "符号链接", "不存在")


@pytest.mark.parametrize("heading,fixed", [("##二、收入决算情况说明", "## 二、收入决算情况说明"),
                                           ("＃＃ 二、收入决算情况说明", "## 二、收入决算情况说明"),
                                           ("# 二、收入决算情况说明", "## 二、收入决算情况说明"),
                                           ("##　二、收入决算情况说明", "## 二、收入决算情况说明"),
                                           (" ## 二、收入决算情况说明", "## 二、收入决算情况说明")])
def test_narrative_heading_that_would_merge_into_previous_section_is_an_error(content, heading, fixed):
    edit(content / NARRATIVE, "## 二、“三公”经费支出决算情况说明", heading)
    e = named(errors_of(content), NARRATIVE, f"写成“{fixed}”")
    lines = (content / NARRATIVE).read_text(encoding="utf-8").split("\n")
    assert lines[e.line - 1] == heading
    assert "一、收入支出决算总体情况说明" in e.where


def test_narrative_subheadings_stay_allowed(content):
    edit(content / NARRATIVE, "2023年度收入总计100.00万元。", "### （一）总体\n\n#### 1. 细目\n\n2023年度收入总计100.00万元。")
    assert errors_of(content) == []


@pytest.mark.parametrize("stem", ["index", "data", "yuanwen", "Index"])
def test_evaluation_named_like_a_generated_page_is_refused(content, stem):
    assert stem.lower() in scan().RESERVED_EVAL_NAMES
    shutil.move(content / EVAL, content / DEPT / "2023" / "绩效" / f"{stem}.yaml")
    named(errors_of(content), f"绩效/{stem}.yaml", "网站保留")


@pytest.mark.parametrize("slug", ["data", "static", "pagefind"])
def test_department_folder_named_like_a_site_folder_is_refused(content, slug):
    shutil.move(content / DEPT, content / slug)
    named(errors_of(content), slug, "网站保留")


def test_unknown_files_are_warnings_and_the_load_goes_on(content):
    (content / DEPT / "2023年度决算公开.docx").write_bytes(b"PK\x03\x04")
    (content / DEPT / "2023" / "原件.pdf").write_bytes(b"%PDF-1.4")
    (content / DEPT / "2023" / "绩效" / "01-demo-原表.xlsx").write_bytes(b"PK")
    (content / "README.md").write_text("编辑须知", encoding="utf-8")
    (content / "图片").mkdir()
    (content / "图片" / "a.png").write_bytes(b"\x89PNG")
    errors, warnings = problems(content)
    assert errors == []
    for rel in (f"{DEPT}/2023年度决算公开.docx", f"{DEPT}/2023/原件.pdf", "绩效/01-demo-原表.xlsx", "README.md"):
        named(warnings, rel, "不会被读取或发布")
    named(warnings, "图片", "1 个文件")


LITTER = [".DS_Store", "._2023.yaml", "Thumbs.db", "desktop.ini", "2023.yaml~", ".2023.yaml.swp",
          ".2023.yaml.swo", "2023.yaml.bak", ".#2023.yaml", "#2023.yaml#", "~$决算.docx", ".~lock.决算.xlsx#"]


@pytest.mark.parametrize("where", ["", DEPT, f"{DEPT}/2023", f"{DEPT}/2023/绩效"])
def test_system_and_editor_litter_is_ignored_by_the_documented_rule(content, where):
    for name in LITTER:
        (content / where / name).write_bytes(b"\0junk")
    os.symlink("root@host.1234:1700000000", content / where / ".#情况说明.md")   # Emacs lock: a dangling link
    assert problems(content) == ([], [])
    assert all(any(fnmatch.fnmatch(n.lower(), p.lower()) for p in scan().IGNORED) for n in LITTER)


def test_every_file_is_used_ignored_or_named(content):
    """The survey's promise, over a tree with one of everything."""
    d = content / DEPT
    shutil.copy(content / MAIN, d / "2024.yml")
    shutil.copy(content / EVAL, d / "2023" / "绩效" / "02-x.yml")
    shutil.copy(content / NARRATIVE, d / "2023" / "情况说明.MD")
    (d / "2023" / "原件.pdf").write_bytes(b"%PDF")
    (d / "notes").mkdir()
    (d / "notes" / "a.txt").write_text("x", encoding="utf-8")
    (d / ".DS_Store").write_bytes(b"")
    (content / "group" / "other").mkdir(parents=True)
    shutil.copy(content / MAIN, content / "group" / "other" / "2023.yaml")
    os.symlink("/etc/hostname", d / "2023" / "绩效" / "03-link.yaml")
    errors, warnings = [], []
    folders, _ = department_folders(content, errors, warnings)
    depts = [load_department_year(Path(p), slug, []) for slug, paths in folders.items() for p in paths]
    used = {content / "site.yaml"} | {Path(f).absolute() for dept in depts for f in dept.files}
    reported = {Path(e.path).absolute() for e in errors + warnings}
    assert errors and warnings
    for dirpath, dirnames, filenames in os.walk(content):   # os.walk lists links to folders among dirnames
        for name in filenames + [n for n in dirnames if os.path.islink(os.path.join(dirpath, n))]:
            path = Path(dirpath, name).absolute()
            if scan().ignored(name) or path in used:
                continue
            assert any(path == r or r in path.parents for r in reported), f"{path}: neither used, ignored nor named"


def test_build_fails_on_a_misnamed_content_file(content, tmp_path):
    from generator.build import build

    shutil.copy(content / EVAL, content / DEPT / "2023" / "绩效" / "02-extra.yml")
    with pytest.raises(ContentErrors) as info:
        build(content, tmp_path / "site", search=False, cache=False)
    named(info.value.errors, "绩效/02-extra.yml", "改名")
    assert not (tmp_path / "site").exists()


def test_real_content_is_surveyed_without_findings():
    errors, warnings = [], []
    folders, years = department_folders(CONTENT, errors, warnings)
    assert errors == [] and warnings == []
    assert sorted(folders) == sorted(p.name for p in CONTENT.iterdir() if p.is_dir()) and years == [2023]


def test_department_folders_keeps_its_return_shape(content):
    errors: list = []
    folders, years = department_folders(content, errors)
    assert folders == {DEPT: [str(content / MAIN)]} and years == [2023] and errors == []


# ====================================================================== B. unicode and special files

@pytest.mark.parametrize("char", ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff"])
def test_invisible_character_in_department_name_is_refused(content, char):
    edit(content / MAIN, "部门: 示例市医疗保障服务中心", f"部门: 示例市{char}医疗保障服务中心")
    e = named(errors_of(content), MAIN, f"U+{ord(char):04X}", "第 4 个字符")
    assert (e.line, e.col, e.where) == (1, 8, "部门")


def test_invisible_character_in_row_code_is_refused(content):
    edit(content / MAIN, "      - 2080109 | 社会保险经办机构 | 60.00 | 40.00",
         "      - 2080109\u200b | 社会保险经办机构 | 60.00 | 40.00")
    e = named(errors_of(content), MAIN, "U+200B", "零宽空格")
    line = (content / MAIN).read_text(encoding="utf-8").split("\n")[e.line - 1]
    assert line[e.col - 1] == "\u200b" and "公开03表" in e.where


def test_invisible_character_written_as_escape_is_refused(content):
    edit(content / MAIN, "部门: 示例市医疗保障服务中心", '部门: "示例市\\u202e医疗保障服务中心"')
    e = named(errors_of(content), MAIN, "U+202E")
    assert (e.line, e.where) == (1, "部门")


def test_invisible_character_in_narrative_is_refused(content):
    edit(content / NARRATIVE, "2023年度收入总计", "2023年度收入\u202e总计")
    e = named(errors_of(content), NARRATIVE, "U+202E")
    assert (e.line, e.col) == (3, 9)


@pytest.mark.parametrize("typed", ["６０.００", "６０．００", "60．00"])
def test_full_width_digits_are_read_one_way_everywhere(content, typed):
    edit(content / MAIN, "      - 2080109 | 社会保险经办机构 | 60.00 | 40.00",
         f"      - 2080109 | 社会保险经办机构 | {typed} | 40.00")
    _, (dept,) = load_content(content)
    cell = next(r for r in dept.table("公开03表").rows if r.code == "2080109").cell(2)
    assert cell.value == Decimal("60.00") and cell.text == typed


@pytest.mark.parametrize("text,value", [("３２９．６９", "329.69"), ("３２９.６９", "329.69"), ("５，４１７．２７", "5417.27"),
                                        ("－３．５", "-3.5"), ("−3.5", "-3.5"), ("＋１", "1")])
def test_full_width_amounts_normalise_exactly(text, value):
    parsed = parse_decimal(text)
    assert parsed == Decimal(value) and str(parsed) == value
    assert make_cell(text, "amount").text == text
    assert make_cell("８６％", "rate").value == Decimal(86)


@pytest.mark.parametrize("text", ["٣٢٩.٦٩", "३२९", "５４１７，２７", "－"])
def test_other_digits_and_lone_signs_are_not_amounts(text):
    with pytest.raises(NotANumber):
        parse_decimal(text)


def test_nul_byte_in_yaml_names_its_line(content):
    path = content / MAIN
    path.write_bytes(path.read_bytes().replace("主管部门: 示例市".encode(), "主管部门: 示例\0市".encode(), 1))
    e = named(errors_of(content), MAIN, "NUL")
    assert (e.line, e.col) == (2, 9)


def test_nul_byte_in_markdown_names_its_line(content):
    path = content / NARRATIVE
    path.write_bytes(path.read_bytes().replace("收入总计".encode(), "收入\0总计".encode(), 1))
    e = named(errors_of(content), NARRATIVE, "NUL")
    assert e.line == 3


def test_symlink_to_outside_content_is_refused_and_never_read(content, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("## 机密\n\nSECRET-TOKEN\n", encoding="utf-8")
    (content / NARRATIVE).unlink()
    os.symlink(secret, content / NARRATIVE)
    errors = errors_of(content)
    named(errors, NARRATIVE, "content/ 以外", "符号链接")
    dept = load_department_year(content / MAIN, DEPT, [])
    assert not any("SECRET" in s.markdown for s in dept.sections)


def test_symlink_inside_content_is_refused(content):
    os.symlink("01-demo.yaml", content / DEPT / "2023" / "绩效" / "02-copy.yaml")
    named(errors_of(content), "绩效/02-copy.yaml", "符号链接")


def test_symlinked_site_settings_are_refused(tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text("网站名称: 外部\n", encoding="utf-8")
    os.symlink(outside, tmp_path / "site.yaml")
    errors: list = []
    load_site(tmp_path / "site.yaml", errors)
    assert errors and "符号链接" in errors[0].message


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
@pytest.mark.parametrize("rel", [NARRATIVE, f"{DEPT}/2023/绩效/02-pipe.yaml", f"{DEPT}/2024.yaml", f"{DEPT}/2023/pipe"])
def test_fifo_is_refused_without_hanging(content, rel):
    if (content / rel).exists():
        (content / rel).unlink()
    os.mkfifo(content / rel)
    code = ("import sys; from pathlib import Path; from generator.load import load_content\n"
            "from generator.errors import ContentErrors\n"
            "try:\n    load_content(Path(sys.argv[1]))\nexcept ContentErrors as e:\n"
            "    print('\\n'.join(map(str, e.errors)))\n")
    try:
        result = subprocess.run([sys.executable, "-c", code, str(content)], cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail("loading content/ with a FIFO hung")
    assert "命名管道" in result.stdout and rel.split("/")[-1] in result.stdout, result.stdout + result.stderr


# ====================================================================== C. settings that reach URLs

@pytest.mark.parametrize("url", ["example.gov.cn/juesuan/", "javascript:alert(1)", "ftp://example.gov.cn/",
                                 "https://example.gov.cn/a b/", 'https://example.gov.cn/"><script>',
                                 "https://example.gov.cn/<x>", "https://example.gov.cn/?a=1",
                                 "https://example.gov.cn/#top", "https://user:pw@example.gov.cn/",
                                 "https://example.gov.cn:99999/", "https://例子.政府.cn/", "https://"])
def test_site_url_is_validated(content, url):
    edit(content / "site.yaml", "网址: https://example.org/portal/", f"网址: '{url}'")
    e = named(errors_of(content), "site.yaml", "网址", "http")
    assert (e.line, e.col) == (4, 5) and e.where == "门户设置 网址"


def test_site_url_with_a_line_break_is_refused(content):
    edit(content / "site.yaml", "网址: https://example.org/portal/", "网址: \"https://example.org/\\nSitemap: https://evil/\"")
    named(errors_of(content), "site.yaml", "换行")


@pytest.mark.parametrize("url", ["", "https://example.gov.cn/juesuan/", "http://example.gov.cn", "HTTPS://Example.gov.cn:8443/a/b/"])
def test_site_url_valid_or_empty_is_accepted(content, url):
    edit(content / "site.yaml", "网址: https://example.org/portal/", f"网址: '{url}'")
    site, _ = load_content(content)
    assert site.base_url == url


@pytest.mark.parametrize("year", ["²³¹⁴", "23", "二〇二三"])
def test_site_years_are_four_digit_years(content, year):
    edit(content / "site.yaml", "年度: [2023]", f"年度: ['{year}']")
    named(errors_of(content), "site.yaml", "不是年份")


# ====================================================================== D. units

@pytest.mark.parametrize("unit", ["千元", "亿元", "万元 ", "万"])
def test_table_unit_must_be_wanyuan_or_yuan(content, unit):
    edit(content / MAIN, "  公开02表:\n    行:", f"  公开02表:\n    单位: '{unit}'\n    行:")
    e = named(errors_of(content), MAIN, "“万元”或“元”")
    assert e.line == 27 and "公开02表" in e.where


def test_table_unit_yuan_is_accepted(content):
    edit(content / MAIN, "  公开02表:\n    行:", "  公开02表:\n    单位: 元\n    行:")
    _, (dept,) = load_content(content)
    assert dept.table("公开02表").unit == "元"


def test_evaluation_funds_unit_is_validated(content):
    edit(content / EVAL, "资金:\n", "资金:\n  单位: 人民币\n")
    named(errors_of(content), EVAL, "单位“人民币”")


# ====================================================================== E. 情况说明 size and linear loading

def test_large_narrative_loads_every_section(tmp_path):
    """40k lines: the loader collects lines and joins once (it used to append
    to a string per line, quadratic); what matters here is the result."""
    path = tmp_path / "情况说明.md"
    lines, expected = [], []
    for s in range(400):
        lines.append(f"## 第{s + 1}节")
        body = [f"第{s + 1}节第{i}行：收入总计5,417.27万元。" for i in range(99)]
        lines += body
        expected.append("\n".join(body) + "\n")
    path.write_text("\n".join(lines), encoding="utf-8")
    assert len(lines) == 40_000 and path.stat().st_size < 2 * 1024 * 1024
    errors: list = []
    sections = load_sections(path, errors)
    assert errors == []
    assert [s.title for s in sections] == [f"第{s + 1}节" for s in range(400)]
    assert [s.line for s in sections] == [1 + 100 * s for s in range(400)]
    assert [s.markdown for s in sections] == expected


def test_narrative_over_the_size_cap_is_refused(tmp_path):
    path = tmp_path / "情况说明.md"
    path.write_text("## 一、说明\n\n" + ("长" * 1000 + "\n") * 800, encoding="utf-8")   # 2.4 MB in 800 lines
    errors: list = []
    assert load_sections(path, errors) == []
    (e,) = errors
    assert e.path.endswith("情况说明.md") and "过大" in e.message and "上限 2 MB" in e.message


# ====================================================================== F. alias bomb

BOMB = "a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(9))


def test_alias_bomb_is_refused_at_its_first_alias():
    started = time.perf_counter()
    with pytest.raises(Exception) as info:
        parse_yaml(BOMB, "bomb.yaml")
    assert time.perf_counter() - started < 2   # refused before any expansion (was 2,000,000 nodes)
    e = info.value
    assert (e.line, e.col) == (2, 8) and "“*a”" in e.message and "别名炸弹" in e.message


def test_recursive_alias_is_refused():
    with pytest.raises(Exception) as info:
        parse_yaml("a: &a\n  - *a\n", "loop.yaml")
    assert info.value.line == 2 and "别名" in info.value.message


def test_scalar_aliases_still_work():
    tree = parse_yaml("a: &unit 万元\nb: *unit\nc: [*unit, *unit]\n", "ok.yaml")
    assert tree["b"] == "万元" and tree["c"] == ["万元", "万元"]
