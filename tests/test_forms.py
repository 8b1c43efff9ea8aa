"""Issue 16, forms as data: a department-year names its 表式 (or gets the
default series' version for its year), and that form set drives loading,
the audit, the headline facts and the pages.

* the five seeds stay on 全国2019 (tests/test_content.py and
  tests/expected_findings.json check they build exactly as before);
* tests/fixtures/shanghai-2024/good builds on 上海2024 with every table as
  printed and no findings; planted/ gives exactly the two findings of
  planted.yaml;
* a site's own form set under content/forms/ is read by the build;
* a table pasted as a block (Tab or ``|``) and 科目编码 printed in three cells
  load to the same cells as the pipe form;
* errors name the likely cause.
"""
from __future__ import annotations

import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from made_up_forms import national_2025

from generator import facts, formsets, load, registry
from generator.audit import audit
from generator.errors import ContentErrors
from generator.load import load_content
from generator.pages import header_rows
from generator.reader import read_yaml

ROOT = Path(__file__).resolve().parent.parent
SH = ROOT / "tests" / "fixtures" / "shanghai-2024"
GOOD_FILE = SH / "good" / "sh-shili" / "2024.yaml"
FORMS = ROOT / "generator" / "forms"


@pytest.fixture(autouse=True)
def package_form_sets():
    """Every test starts and ends on the package's form sets only."""
    registry.use_form_sets()
    load._CONTENT_FORMS[0] = None
    yield
    registry.use_form_sets()
    load._CONTENT_FORMS[0] = None


def _load(content: Path):
    return load_content(content, include_drafts=True)[1]


def _build(content: Path, out: Path):
    from generator.build import build
    return build(content, out, search=False, cache=False, jobs=1)


def _copy_good(tmp_path: Path, which: str = "good") -> Path:
    content = tmp_path / "content"
    shutil.copytree(SH / which, content)
    return content


# ---------------------------------------------------------------- choosing the form

def test_seeds_use_the_default_national_form():
    depts = _load(ROOT / "content")
    assert depts and {d.form for d in depts} == {"全国2019"}
    national = formsets.form_sets()["全国2019"]
    assert all(d.form_set is national and d.unit_columns == national.unit_columns for d in depts)


def test_shanghai_department_names_its_form():
    (dept,) = _load(SH / "good")
    assert dept.form == "上海2024" and dept.form_set.name == "上海2024"
    assert [t.id for t in dept.tables] == [t["id"] for t in dept.form_set.tables]   # all nine, printed order
    assert dept.unit_columns == ["序号", "单位名称", "备注"]
    assert dept.units[0] == dict(code="1", name="上海市示例局（本级）", nature="行政单位")


def test_series_name_picks_the_version_for_the_year(tmp_path):
    content = _copy_good(tmp_path)
    path = content / "sh-shili" / "2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("表式: 上海2024", "表式: 上海"), encoding="utf-8")
    (dept,) = _load(content)
    assert dept.form == "上海2024"


def test_unknown_form_is_an_error_listing_the_forms(tmp_path):
    content = _copy_good(tmp_path)
    path = content / "sh-shili" / "2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("表式: 上海2024", "表式: 上海2042"), encoding="utf-8")
    with pytest.raises(ContentErrors) as exc:
        _load(content)
    text = "\n".join(str(e) for e in exc.value.errors)
    assert "sh-shili/2024.yaml:8:" in text and "未知的表式“上海2042”" in text and "全国2019、上海2024" in text


def test_national_table_in_a_shanghai_file_names_the_forms_tables(tmp_path):
    content = _copy_good(tmp_path)
    path = content / "sh-shili" / "2024.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("  收入决算表:\n", "  公开02表:\n"), encoding="utf-8")
    with pytest.raises(ContentErrors) as exc:
        _load(content)
    text = "\n".join(str(e) for e in exc.value.errors)
    assert "表式“上海2024”中没有“公开02表”" in text and "收入支出决算总表、收入决算表" in text
    assert "缺少收入决算表" in text      # the missing-table check follows the form set


# ---------------------------------------------------------------- Shanghai as printed

def test_shanghai_good_has_no_findings_and_reads_headlines():
    (dept,) = _load(SH / "good")
    assert audit(dept) == []
    h = facts.headline(dept)
    assert (h["income"], h["spending"], h["fiscal"], h["basic"], h["project"], h["gpb"]) == tuple(
        Decimal(x) for x in ("5049.93", "5073.18", "4778.48", "4217.92", "855.26", "4618.48"))
    assert (h["personnel"], h["public"]) == (Decimal("3312.24"), Decimal("725.68"))
    assert (h["sangong_budget"], h["sangong_actual"], h["sangong_prior"]) == (Decimal("54.00"), Decimal("49.06"), Decimal("52.18"))
    assert [c for c, _, _ in facts.functional_classes(dept)] == ["201", "208", "210", "221", "229"]
    assert [c for c, _, _ in facts.economic_classes(dept)] == ["301", "303", "302", "310"]
    assert [label for label, _ in facts.income_sources(dept)] == ["财政拨款收入", "事业收入", "其他收入"]


def test_two_half_table_is_typed_as_printed_and_unfolded_per_half():
    (dept,) = _load(SH / "good")
    t = dept.table("一般公共预算财政拨款基本支出决算表")
    assert [c["name"] for c in t.columns] == ["经济分类科目编码", "科目名称", "决算数"]
    codes = [r.code for r in t.rows]
    assert codes.index("303") < codes.index("人员经费合计") < codes.index("302") < codes.index("公用经费合计")
    r302 = next(r for r in t.rows if r.code == "302")
    assert (r302.printed, r302.half, r302.cell(2).text) == (1, 1, "700.98")
    assert r302.line == next(r for r in t.rows if r.code == "301").line    # same printed row


def test_planted_gives_exactly_the_planted_findings():
    planted = read_yaml(SH / "planted.yaml")["差异"]
    (dept,) = _load(SH / "planted")
    found = audit(dept)
    assert len(found) == len(planted) == 2, [str(f) for f in found]
    for item in planted:
        check = item["检查结果"]
        f = next(f for f in found if f.table == item["表"])
        assert f.family == check["类别"]
        for word in check["位置"].split():
            assert word in f"{f.where} {f.message}", (word, str(f))
        assert f.printed == Decimal(check["原表数"]) and f.expected == Decimal(check["计算数"])
        assert f.difference == Decimal(check["差"]) and f.severity == check["判定"]
        assert f.path.endswith("planted/sh-shili/2024.yaml") and f.line > 0


def _thead(html: str, anchor: str) -> list[list[tuple[str, int, int]]]:
    block = re.search(rf'<div class="table-block[^"]*" id="{anchor}">(.*?)</thead>', html, re.S).group(1)
    rows = []
    for tr in re.findall(r"<tr>(.*?)</tr>", block, re.S):
        cells = []
        for attrs, label in re.findall(r"<th([^>]*)>(.*?)</th>", tr):
            span = lambda name: int((re.search(rf'{name}="(\d+)"', attrs) or [0, 1])[1])  # noqa: E731
            cells.append((label, span("colspan"), span("rowspan")))
        rows.append(cells)
    return rows


def test_shanghai_builds_every_table_as_printed(tmp_path):
    content = _copy_good(tmp_path)
    result = _build(content, tmp_path / "site")
    assert result.findings == []
    (dept,) = _load(content)
    folder = tmp_path / "site" / "sh-shili" / "2024"
    page = (folder / "index.html").read_text(encoding="utf-8")
    for table in dept.tables:
        spec = table.spec
        assert (folder / "data" / f"{spec['file']}.csv").is_file()
        head = _thead(page, spec["anchor"])
        shown = [label for row in head for label, _, _ in row]
        expected = [h["label"] for row in header_rows(table.columns) for h in row]
        code_columns = {c.get("label", c["name"]) for c in table.columns[:1] if table.shape in ("subject", "econ")}
        for label in expected:
            if label not in code_columns and label != "科目名称" and label != "项目":
                assert label in shown, (table.id, label, shown)
        assert "行次" not in shown                               # the Shanghai form prints no 行次
        ncols = sum(span for label, span, _ in head[0])
        halves = len(spec.get("halves") or []) or 1             # printed in halves side by side
        assert ncols <= len(table.columns) * halves             # no column the form does not have
    # the 三公 table: three header levels as printed, the outer group over all 12 columns
    sangong = _thead(page, "t07")
    assert sangong[0] == [("财政拨款“三公”经费", 12, 1)]
    assert [label for label, _, _ in sangong[1]] == ["合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务接待费"]
    assert ("合计", 2, 1) in sangong[1] and ("公务用车购置及运行维护费", 6, 1) in sangong[1]
    assert ("预算数", 1, 2) in sangong[2] and ("小计", 2, 1) in sangong[2]
    assert [label for label, _, _ in sangong[3]] == ["预算数", "决算数"] * 3
    assert 'scope="colgroup" colspan="12"' in page
    # 单位构成 with the form's columns; 合计 printed last stays last
    units = re.search(r'<caption id="units-cap">.*?</thead>', page, re.S).group(0)
    assert re.findall(r"<th(?:\s[^>]*)?>(.*?)</th>", units) == ["序号", "单位名称", "备注"]
    t05 = dept.table("一般公共预算财政拨款支出决算表")
    assert t05.rows[-1].code == "合计"
    assert page.index('id="t05-201"') < page.index('id="t05-合计"')
    data = json.loads((folder / "data.json").read_text(encoding="utf-8"))
    assert [t["id"] for t in data["tables"]] == [t.id for t in dept.tables]


def test_shanghai_planted_build_marks_the_two_rows(tmp_path):
    result = _build(_copy_good(tmp_path, "planted"), tmp_path / "site")
    assert sorted(f.anchor for f in result.findings) == ["t06-302", "t07-1"]
    page = (tmp_path / "site" / "sh-shili" / "2024" / "index.html").read_text(encoding="utf-8")
    assert 'id="t06-302"' in page and 'id="t07-1"' in page


# ---------------------------------------------------------------- a site's own form set

def _national_2025() -> str:
    return national_2025()


def test_content_forms_folder_is_read_by_the_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "tests" / "fixtures" / "good", content)
    (content / "forms").mkdir()
    (content / "forms" / "national-2025.yaml").write_text(_national_2025(), encoding="utf-8")
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("年度: [2023]", "年度: [2023, 2025]"), encoding="utf-8")
    dept = content / "demo-dept"
    text = (dept / "2023.yaml").read_text(encoding="utf-8").replace("年度: 2023", "年度: 2025")
    text = text.replace("\n三公经费:", "\n  公开11表:\n    行:\n      - 示例项目 | 3.00 | 1.00 | 2.00\n三公经费:", 1)
    (dept / "2025.yaml").write_text(text, encoding="utf-8")
    result = _build(content, tmp_path / "site")
    assert not [w for w in result.warnings if "/forms" in w.path]      # not a stray department folder
    out = tmp_path / "site" / "demo-dept"
    page = (out / "2025" / "index.html").read_text(encoding="utf-8")
    assert 'id="t11"' in page and "示例补充表" in page and "data/t11.csv" in page
    assert "示例项目" in (out / "2025" / "data" / "t11.csv").read_bytes().decode("utf-8-sig")
    assert "公开11表" in (out / "2025" / "data.json").read_text(encoding="utf-8")
    assert not (out / "2023" / "data" / "t11.csv").exists()
    assert not (tmp_path / "site" / "forms").exists()
    # a later build of content without forms/ is back on the package's form sets
    _build(ROOT / "tests" / "fixtures" / "good", tmp_path / "site2")
    assert "全国2025" not in formsets.form_sets()


def test_broken_content_form_set_is_a_content_error(tmp_path):
    content = _copy_good(tmp_path)
    (content / "forms").mkdir()
    text = _national_2025().replace("    形状: 普通表\n    文件: t11", "    形状: 普通的表\n    文件: t11")
    (content / "forms" / "mine.yaml").write_text(text, encoding="utf-8")
    (content / "forms" / "notes.yml").write_text("x: 1\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as exc:
        _build(content, tmp_path / "site")
    text = "\n".join(str(e) for e in exc.value.errors)
    assert re.search(r"forms/mine\.yaml:\d+:\d+ 公开11表 形状", text), text
    assert "notes.yml" in text and "扩展名应为小写 .yaml" in text
    assert "全国2025" not in formsets.form_sets()


def test_forms_is_a_reserved_department_name(tmp_path):
    content = _copy_good(tmp_path)
    (content / "forms").mkdir()
    (content / "forms" / "readme.txt").write_text("说明", encoding="utf-8")
    from generator import scan
    survey = scan.survey(content)
    assert "forms" not in survey.departments and not survey.errors
    assert [w.path for w in survey.warnings] == [str(content / "forms" / "readme.txt").replace(str(Path.cwd()) + "/", "")]


# ---------------------------------------------------------------- pasted blocks and split codes

def _cells(table):
    return [[(c.text, c.value, c.kind) for c in r.cells] for r in table.rows]


def _rows_of(name: str) -> list[str]:
    root = read_yaml(GOOD_FILE)
    return [str(r) for r in root["决算表"][name]["行"]]


def _replace_rows(text: str, name: str, block: str) -> str:
    """The table's ``行:`` list replaced by ``block`` (already indented)."""
    start = text.index(f"  {name}:\n")
    rows_at = text.index("    行:\n", start)
    end = text.index("    注:", rows_at)
    return text[:rows_at] + block + text[end:]


@pytest.mark.parametrize("sep", ["\t", " | "])
def test_pasted_block_loads_to_the_same_cells(tmp_path, sep):
    content = _copy_good(tmp_path)
    path = content / "sh-shili" / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    for name in ("支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款基本支出决算表"):
        lines = [sep.join(c.strip() for c in r.split("|")) for r in _rows_of(name)]
        text = _replace_rows(text, name, "    行: |\n" + "".join(f"      {line}\n" for line in lines))
    path.write_text(text, encoding="utf-8")
    (dept,) = _load(content)
    (good,) = _load(SH / "good")
    for name in ("支出决算表", "财政拨款收入支出决算总表", "一般公共预算财政拨款基本支出决算表"):
        assert _cells(dept.table(name)) == _cells(good.table(name)), name
        assert [r.code for r in dept.table(name).rows] == [r.code for r in good.table(name).rows]
    assert audit(dept) == []
    # each row keeps its own line number
    t = dept.table("支出决算表")
    first = text.splitlines().index("      " + sep.join(c.strip() for c in _rows_of("支出决算表")[0].split("|"))) + 1
    assert [r.line for r in t.rows] == list(range(first, first + len(t.rows)))


def test_pasted_block_errors_name_line_and_column(tmp_path):
    content = _copy_good(tmp_path)
    path = content / "sh-shili" / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    lines = ["\t".join(c.strip() for c in r.split("|")) for r in _rows_of("支出决算表")]
    lines[3] = lines[3].replace("2,186.45", "2,186.4S", 1)
    text = _replace_rows(text, "支出决算表", "    行: |\n" + "".join(f"      {line}\n" for line in lines))
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ContentErrors) as exc:
        _load(content)
    (err,) = exc.value.errors
    number = text.splitlines().index("      " + lines[3]) + 1
    col = ("      " + lines[3]).index("2,186.4S") + 1
    assert (err.line, err.col) == (number, col)
    assert "支出决算表 科目 2013801" in err.where and "“2,186.4S”不是金额" in err.message


def _split(code: str) -> str:
    if code.isdigit() and len(code) in (3, 5, 7):
        return " | ".join([code[:3], code[3:5], code[5:7]])
    return f"{code} | | "


def test_split_codes_are_joined_for_forms_that_print_them(tmp_path):
    """A form set may declare 编码分栏: [类, 款, 项]: 科目编码 typed in three
    cells (201 | 38 | 01) is joined; the joined form is accepted too."""
    content = _copy_good(tmp_path)
    (content / "forms").mkdir()
    form = (FORMS / "shanghai-2024.yaml").read_text(encoding="utf-8")
    form = form.replace("表式: 上海2024", "表式: 上海2024分栏").replace("系列: 上海", "系列: 上海分栏")
    form = form.replace("    文件: t03\n", "    文件: t03\n    编码分栏: [类, 款, 项]\n", 1)
    (content / "forms" / "split.yaml").write_text(form, encoding="utf-8")
    path = content / "sh-shili" / "2024.yaml"
    text = path.read_text(encoding="utf-8").replace("表式: 上海2024", "表式: 上海2024分栏")
    rows = _rows_of("支出决算表")
    split = [" | ".join([_split(r.split("|")[0].strip())] + [c.strip() for c in r.split("|")[1:]]) for r in rows]
    split[5] = rows[5]                              # one row joined as before: also accepted
    text = _replace_rows(text, "支出决算表", "    行:\n" + "".join(f"      - {r}\n" for r in split))
    path.write_text(text, encoding="utf-8")
    (dept,) = _load(content)
    assert dept.form == "上海2024分栏"
    (good,) = _load(SH / "good")
    assert [r.code for r in dept.table("支出决算表").rows] == [r.code for r in good.table("支出决算表").rows]
    assert [c[1:] for c in _cells(dept.table("支出决算表"))] == [c[1:] for c in _cells(good.table("支出决算表"))]
    assert audit(dept) == []


# ---------------------------------------------------------------- errors that say the likely cause

def _error_for(tmp_path, old: str, new: str) -> str:
    content = _copy_good(tmp_path)
    path = content / "sh-shili" / "2024.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ContentErrors) as exc:
        _load(content)
    return "\n".join(str(e) for e in exc.value.errors)


def test_too_many_cells_lists_the_forms_columns_with_the_cells(tmp_path):
    text = _error_for(tmp_path, "      - 2013804 | 市场主体管理 | 128.36 | | 128.36",
                      "      - 2013804 | 市场主体管理 | 128.36 | | 128.36 | | | | 5")
    assert "第 6 行有 9 栏，表式只有 8 栏" in text
    assert "功能分类科目编码：“2013804”；科目名称：“市场主体管理”；本年支出合计：“128.36”" in text
    assert "多出的：“5”" in text


def test_label_in_an_amount_column_names_the_missing_column(tmp_path):
    text = _error_for(tmp_path, "      - 本年收入合计 | 5,049.93 | 本年支出合计 | 5,073.18",
                      "      - 本年收入合计 | 本年支出合计 | 5,073.18")
    assert "收入支出决算总表 第25行（本年收入合计） 决算数：“本年支出合计”不是金额" in text
    assert "可能漏写了“决算数”这一栏" in text


def test_tab_outside_a_block_says_how_to_paste(tmp_path):
    text = _error_for(tmp_path, "      - 2013804 | 市场主体管理", "\t- 2013804 | 市场主体管理")
    assert "Tab" in text and "行: |" in text


# ---------------------------------------------------------------- portal new --form

def test_portal_new_with_a_form_scaffolds_it(tmp_path):
    from generator.cli import main
    content = tmp_path / "content"
    assert main(["new", "sh-new", "2024", "--content", str(content), "--form", "上海2024", "--name", "测试局"]) == 0
    text = (content / "sh-new" / "2024.yaml").read_text(encoding="utf-8")
    assert "表式: 上海2024" in text and "  收入支出决算总表:" in text and "公开01表" not in text
    assert "\"301 | 工资福利支出 |  | 302 | 商品和服务支出\"" in text       # 印制行, both halves
    assert "序号 | 单位名称 | 备注" in text
    (dept,) = _load(content)
    assert dept.form == "上海2024" and len(dept.tables) == 9 and audit(dept) == []


def test_portal_new_unknown_form(tmp_path, capsys):
    from generator.cli import main
    assert main(["new", "x", "2024", "--content", str(tmp_path / "c"), "--form", "北京2024"]) != 0
    assert "未知的表式“北京2024”" in capsys.readouterr().err
    assert not (tmp_path / "c" / "x").exists()


def test_two_half_table_is_drawn_side_by_side_as_printed(tmp_path):
    """上海2024's 基本支出表 is printed in two halves (人员经费 | 公用经费): the
    page draws it so, one row per printed line, each half under its own header
    and with its own row id and finding mark."""
    from generator.build import build

    out = tmp_path / "site"
    build(SH / "planted", out, search=False, cache=False)
    page = next(out.glob("*/2024/index.html")).read_text(encoding="utf-8")
    start = page.index('<caption id="t06-cap">')
    table = page[start:page.index("</table>", start)]
    assert '<span class="cap-text">一般公共预算财政拨款基本支出决算表</span>' in table
    assert '<th scope="colgroup" colspan="2">人员经费</th><th scope="colgroup" colspan="2">公用经费</th>' in table
    first = table[table.index("<tr id="):table.index("</tr>", table.index("<tr id="))]
    assert 'id="t06-301"' in first and 'id="t06-302"' in first            # both halves' 类 on the first printed line
    assert first.count("finding-mark") == 1 and first.index("finding-mark") > first.index('id="t06-302"')
    _, depts = load_content(SH / "planted")
    halves = next(t for t in depts[0].tables if t.anchor == "t06")
    assert table.count("<tr id=") == max(r.printed for r in halves.rows)
