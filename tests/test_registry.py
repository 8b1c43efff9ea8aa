"""Form sets as data (issue 16): generator/forms/*.yaml loaded by
generator/formsets.py.

(a) registry.py is a layer over the national form set, whose structures
    equal a frozen snapshot of the old registry.py dicts
    (fixtures/registry-national.json), and its 用途 read exactly the cells
    facts.py reads; output file names and anchors come from the data, so a
    form set with a table beyond 公开10表 builds;
(b) every form set passes validation;
(c) broken files fail with the expected Chinese message at file:line;
and the Shanghai 2024 fixture (tests/fixtures/shanghai-2024) adds up under
the Shanghai form set's identities, while its planted copy shows exactly the
two discrepancies listed in planted.yaml.
"""
from __future__ import annotations

import re
import shutil
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

import pytest
from made_up_forms import national_2025

from generator import formsets, registry
from generator.reader import read_yaml

ROOT = Path(__file__).resolve().parent.parent
FORMS = ROOT / "generator" / "forms"
SH = Path(__file__).parent / "fixtures" / "shanghai-2024"
TEMPLATE_TXT = ROOT.parent / "shared" / "forms" / "上海2024-部门决算模板.txt"


@pytest.fixture(scope="module")
def sets():
    return formsets.load_form_sets()


@pytest.fixture(scope="module")
def national(sets):
    return sets["全国2019"]


@pytest.fixture(scope="module")
def shanghai(sets):
    return sets["上海2024"]


# ---------------------------------------------------------------- (a) equivalence with registry.py

# registry.py's Python dicts as they were before it became a layer over the
# form sets, frozen once (tests/fixtures/registry-national.json, typed JSON:
# tuples and non-string-keyed dicts tagged). The national data can only change
# by editing national.yaml *and* this snapshot, deliberately.
GOLDEN = Path(__file__).parent / "fixtures" / "registry-national.json"
LEGACY_NAMES = ("TABLE_SETS", "KINDS", "EVALUATION_KINDS", "SANGONG_ITEMS", "SANGONG_YEARS", "MEETING_ITEMS",
                "SANGONG_KEYS")


def _decode(x):
    if isinstance(x, list):
        return [_decode(v) for v in x]
    if isinstance(x, dict):
        if set(x) == {"__tuple__"}:
            return tuple(_decode(v) for v in x["__tuple__"])
        if set(x) == {"__items__"}:
            return {_decode(k): _decode(v) for k, v in x["__items__"]}
        return {k: _decode(v) for k, v in x.items()}
    return x


@pytest.fixture(scope="module")
def golden():
    import json
    return _decode(json.loads(GOLDEN.read_text(encoding="utf-8")))


def _typed(x):
    """Values with their Python types (tuples stay tuples, indexes ints)."""
    if isinstance(x, dict):
        return {type(k).__name__ + repr(k): _typed(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return (type(x).__name__, [_typed(v) for v in x])
    if isinstance(x, StrEnum):           # shapes and column kinds are StrEnums: strings by design
        return ("str", str(x))
    return (type(x).__name__, x)


def _without_extras(table_sets):
    return {y: {k: [{f: v for f, v in t.items() if f not in registry.SPEC_EXTRAS} for t in ts[k]]
                if k in ("tables", "variants") else ts[k] for k in ts}
            for y, ts in table_sets.items()}


def test_golden_snapshot_is_not_trivial(golden):
    assert set(golden) == set(LEGACY_NAMES)
    ts = golden["TABLE_SETS"][2019]
    assert [t["id"] for t in ts["tables"]] == [f"公开{n:02d}表" for n in range(1, 11)]
    assert sum(len(t["columns"]) for t in ts["tables"]) == 68
    assert ts["variants"][0]["variant"] == "含会议费培训费" and len(ts["cross"]) == 4
    assert ts["tables"][8]["sangong"][("决算数", "公务用车购置及运行维护费")] == "决算数公务用车购置及运行维护费小计"
    assert ts["cross"][0]["left"] == ("公开01表", ("label", "本年收入合计"), 2)


def test_national_table_set_equals_golden(golden):
    legacy = formsets.legacy_table_sets()
    assert list(legacy) == list(registry.TABLE_SETS) == list(golden["TABLE_SETS"]) == [2019]
    mine, theirs = legacy[2019], golden["TABLE_SETS"][2019]
    for key in ("tables", "variants"):
        assert [t["id"] for t in mine[key]] == [t["id"] for t in theirs[key]]
        for a, b in zip(mine[key], theirs[key]):
            for field in set(a) | set(b):
                assert a.get(field) == b.get(field), f"{a['id']} {field}"
    assert mine["cross"] == theirs["cross"]
    assert legacy == golden["TABLE_SETS"]
    assert _without_extras(registry.TABLE_SETS) == golden["TABLE_SETS"]


def test_national_types_are_the_golden_types(golden):
    """Same Python types, not only equal values (tuples stay tuples, indexes ints)."""
    assert _typed(formsets.legacy_table_sets()) == _typed(golden["TABLE_SETS"])
    assert _typed(_without_extras(registry.TABLE_SETS)) == _typed(golden["TABLE_SETS"])


def test_vocabulary_equals_golden(golden):
    v = formsets.legacy_vocabulary()
    for name in LEGACY_NAMES[1:]:
        assert v[name] == golden[name] == getattr(registry, name), name
        assert _typed(getattr(registry, name)) == _typed(golden[name]), name


def test_registry_specs_carry_file_and_anchor():
    for spec in registry.TABLE_SETS[2019]["tables"] + registry.TABLE_SETS[2019]["variants"]:
        assert set(spec) - {"variant", "sides", "personnel", "totals", "sangong", "sangong_rows"} >= {
            "id", "title", "shape", "columns", "identities", "file", "anchor"}
        assert spec["file"] == spec["anchor"] == f"t{spec['id'][2:4]}"


def test_full_specs_only_add_keys(national):
    """The specs the form set hands out are the registry's plus extra keys, nothing changed."""
    for full, legacy in zip(national.tables + national.variants,
                            registry.TABLE_SETS[2019]["tables"] + registry.TABLE_SETS[2019]["variants"]):
        assert {k: legacy[k] for k in registry.SPEC_EXTRAS} == {k: full[k] for k in registry.SPEC_EXTRAS}
        assert set(full) - set(legacy) <= formsets.EXTRA_TABLE_KEYS
        assert {k: v for k, v in full.items() if k in legacy} == legacy


def test_files_and_anchors_are_todays(national):
    expected = {f"公开{n:02d}表": f"t{n:02d}" for n in range(1, 11)}
    assert national.files() == expected
    assert national.anchors() == {t: f"t{t[2:4]}" for t in expected}     # load.py: anchor=f"t{spec['id'][2:4]}"
    assert national.files() == registry.TABLE_FILES
    assert national.table("公开09表", "含会议费培训费")["file"] == "t09"


def test_sangong_row_map_is_what_facts_does(national):
    """facts.sangong_from_table, layout 含会议费培训费: first column the year,
    every other column an item (…小计 read as 公务用车购置及运行维护费)."""
    spec = national.table("公开09表", "含会议费培训费")
    columns = spec["columns"]
    expected = {("公务用车购置及运行维护费" if c["name"] == "公务用车购置及运行维护费小计" else c["name"]): c["name"]
                for c in columns[1:]}
    assert spec["sangong_row_map"] == dict(year_column=columns[0]["name"], items=expected)
    assert national.sangong_table()["id"] == "公开09表"


def _read_concept(fs, dept, concept):
    """The first declared source whose table the department published."""
    for table_id, selector, column in fs.concepts().get(concept, []):
        table = dept.table(table_id)
        if table is not None:
            return table, formsets.read_ref(table, selector, column)
    return None, None


def _departments():
    from generator.load import load_content
    depts = []
    for content in (ROOT / "content", Path(__file__).parent / "fixtures" / "good"):
        depts += load_content(content, include_drafts=True)[1]
    return depts


def test_concepts_read_exactly_what_facts_reads(national):
    from generator import facts
    depts = _departments()
    assert len(depts) >= 6
    scalar = {c: k for c, k in formsets.CONCEPTS.items()
              if k in ("income", "spending", "fiscal", "basic", "project", "gpb", "personnel", "public")}
    checked = 0
    for dept in depts:
        head = facts.headline(dept)
        for concept, key in scalar.items():
            _, cell = _read_concept(national, dept, concept)
            value = cell.value if cell is not None else None
            assert value == head[key], (dept.key, concept)
            checked += value is not None
        table, rows = _read_concept(national, dept, "功能分类支出")
        mine = [(r.code, r.cell(1).text, c.amount) for r, c in rows] if table else []
        assert mine == facts.functional_classes(dept)
        table, rows = _read_concept(national, dept, "经济分类支出")
        mine = [(r.code, r.cell(1).text, c.amount) for r, c in rows if c.amount] if table else []
        assert mine == facts.economic_classes(dept)
        table, cells = _read_concept(national, dept, "收入来源")
        mine = [(table.columns[table.col(n)]["label"], c.amount) for n, c in cells if c.amount] if cells else []
        assert mine == facts.income_sources(dept)
        t09 = dept.table("公开09表")
        if t09 is not None and "sangong" in t09.spec:
            spec = national.table("公开09表")
            mine = {}
            for (year, item), col in spec["sangong"].items():
                if t09.rows:
                    mine.setdefault(year, {})[item] = t09.rows[0].cell(t09.col(col))
            assert mine == facts.sangong_from_table(t09)
    assert checked > 20


def test_form_set_selection(sets):
    assert formsets.form_set_for(2023).name == "全国2019"
    assert formsets.form_set_for(2015).name == "全国2019"       # before the first version: the earliest
    assert formsets.form_set_for(2024, "上海2024").name == "上海2024"
    assert formsets.form_set_for(2026, "上海").name == "上海2024"
    assert formsets.form_set_for(2024, "北京") is None


# ---------------------------------------------------------------- (b) every form set validates

def test_every_form_set_validates(sets):
    assert formsets.validate() == []
    assert set(sets) == {"全国2019", "上海2024"}
    for fs in sets.values():
        assert fs.tables and all(t["file"] and t["anchor"] for t in fs.tables)
        assert len({t["file"] for t in fs.tables}) == len(fs.tables)
        for t in fs.tables:
            for ident in t["identities"]:
                assert ident["rule"] in formsets.RULES.values()


def test_handled_rules_exist_in_audit():
    from generator.audit import Auditor
    for rule in formsets.HANDLED_RULES:
        assert hasattr(Auditor, f"rule_{rule}"), rule


def test_pending_features(national, shanghai):
    """Every feature the two form sets declare is supported by the code now."""
    assert national.pending() == []
    assert shanghai.pending() == []


def test_shanghai_is_the_printed_template(shanghai):
    titles = [t["title"] for t in shanghai.tables]
    assert titles == ["收入支出决算总表", "收入决算表", "支出决算表", "财政拨款收入支出决算总表",
                      "一般公共预算财政拨款支出决算表", "一般公共预算财政拨款基本支出决算表",
                      "财政拨款“三公”经费支出决算表", "政府性基金预算财政拨款收入支出决算表",
                      "国有资本经营预算财政拨款收入支出决算表"]
    assert [t["id"] for t in shanghai.tables] == titles          # no printed 表号: the title is the key
    assert [t["file"] for t in shanghai.tables] == [f"t{n:02d}" for n in range(1, 10)]
    for t in shanghai.tables:
        assert not any(c["name"] == "行次" or c.get("label") == "行次" for c in t["columns"]), t["id"]
        assert t["note"].startswith("本表反映部门本年度")
    label = lambda c: c.get("label", c["name"])                    # noqa: E731
    t01 = shanghai.table("收入支出决算总表")
    assert [(c["group"], label(c)) for c in t01["columns"]] == [("收入", "项目"), ("收入", "决算数"),
                                                                ("支出", "项目"), ("支出", "决算数")]
    sangong = shanghai.table("财政拨款“三公”经费支出决算表")
    assert [label(c) for c in sangong["columns"]] == ["预算数", "决算数"] * 6     # alternating, as printed
    assert [c["groups"][1] for c in sangong["columns"][::2]] == [
        "合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置及运行维护费", "公务用车购置及运行维护费", "公务接待费"]
    assert [c["groups"][-1] for c in sangong["columns"][4:10:2]] == ["小计", "公务用车购置费", "公务用车运行维护费"]
    soe = shanghai.table("国有资本经营预算财政拨款收入支出决算表")
    assert [(c["group"], c["name"]) for c in soe["columns"] if c["kind"] == "amount"] == [
        ("", "年初结转和结余"), ("", "本年收入"), ("本年支出", "合计"), ("本年支出", "基本支出"), ("本年支出", "项目支出"),
        ("", "年末结转和结余")]
    basic = shanghai.table("一般公共预算财政拨款基本支出决算表")
    assert [h["name"] for h in basic["halves"]] == ["人员经费", "公用经费"]
    assert basic["printed_rows"][-1] == ["人员经费合计", "", "", "公用经费合计", "", ""]
    assert shanghai.table("一般公共预算财政拨款支出决算表")["total_position"] == "last"
    assert shanghai.unit_columns == ["序号", "单位名称", "备注"]
    assert len(shanghai.sections) == 11


@pytest.mark.skipif(not TEMPLATE_TXT.exists(), reason="模板文本不在 ../shared/forms/")
def test_shanghai_printed_words_occur_in_the_template(shanghai):
    """Every printed title, note and row stub of the form set occurs in the template's text."""
    text = re.sub(r"\s+", "", TEMPLATE_TXT.read_text(encoding="utf-8"))
    for t in shanghai.tables:
        assert t["title"] in text and t["note"] in text
        for row in t.get("printed_rows", []):
            for cell in row:     # a long cell may wrap onto two printed lines
                assert cell in text or any(cell[:k] in text and cell[k:] in text for k in range(2, len(cell) - 1)), \
                    (t["id"], cell)
    for section in shanghai.sections:
        assert section in text


# ---------------------------------------------------------------- (c) broken files

def _broken(tmp_path, old: str, new: str, marker: str, file: str = "national.yaml"):
    """Copy the package's form sets to tmp_path, break one; return the path and
    the line (1-based) of ``marker`` inside the replacement."""
    for p in FORMS.glob("*.yaml"):
        shutil.copy(p, tmp_path / p.name)
    path = tmp_path / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    start = text.index(old)
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return path, text[: start + new.index(marker)].count("\n") + 1


@pytest.mark.parametrize("old,new,marker,message", [
    # a typo in a key: named, with a spelling hint
    ("    文件: t03\n    栏目:", "    文件: t03\n    栏木:", "栏木", "未知的键“栏木”（是不是“栏目”？可用的键："),
    # an identity naming a column the table does not have
    ("        加: [基本支出, 项目支出]", "        加: [基本支岀, 项目支出]", "基本支岀",
     "没有名为“基本支岀”的栏目（是不是“基本支出”？本表栏目：科目编码、科目名称、小计、基本支出、项目支出）"),
    # an unknown identity rule
    ("      - 规则: 科目汇总", "      - 规则: 科目合计", "科目合计",
     "未知的勾稽规则“科目合计”（是不是“科目汇总”？可用：行内、科目汇总、收支两侧、经济分类合计、分项）"),
    # a rule that does not fit the table's shape
    ("      - 规则: 收支两侧\n    用途:\n      本年收入合计", "      - 规则: 科目汇总\n    用途:\n      本年收入合计",
     "科目汇总", "规则“科目汇总”只用于科目表，本表是收支对照表"),
    # an ambiguous column: 公开01表 has two columns named 金额
    ("金额栏: [收入/金额]", "金额栏: [金额]", "金额]", "有 2 个栏目名为“金额”，请写成“组/栏目”：“收入/金额”、“支出/金额”"),
    # a cross-table identity naming a table the set does not have
    ("    右: {表: 公开02表,", "    右: {表: 公开20表,", "公开20表", "本表式没有“公开20表”（"),
    # a 用途 that is not one of the portal's concepts
    ("      基本支出: {行: 合计, 栏: 基本支出}", "      基本支岀: {行: 合计, 栏: 基本支出}", "基本支岀", "未知的键“基本支岀”（是不是“基本支出”？"),
    # two tables writing to the same output file
    ("    文件: t03", "    文件: t02", "t02", "文件“t02”重复（与 公开02表 相同）"),
    # a sangong mapping naming a missing column
    ("        公务接待费: 决算数公务接待费\n", "        公务接待费: 决算数接待费\n", "决算数接待费", "没有名为“决算数接待费”的栏目"),
    # a wrong 是/否 flag
    ("默认: 是", "默认: 对", "对", "应为“是”或“否”"),
], ids=["typo-key", "missing-column", "unknown-rule", "rule-vs-shape", "ambiguous-column", "cross-missing-table",
        "unknown-concept", "duplicate-file", "sangong-column", "bad-flag"])
def test_broken_form_set_reports_file_line(tmp_path, old, new, marker, message):
    path, line = _broken(tmp_path, old, new, marker)
    errors = formsets.validate([tmp_path])
    assert errors, "应当报错"
    hits = [e for e in errors if message in e.message]
    assert hits, [str(e) for e in errors]
    err = hits[0]
    assert err.path == str(path) and err.line == line, (str(err), line)
    assert str(err).startswith(f"{path}:{line}:")
    with pytest.raises(formsets.ContentErrors):
        formsets.load_form_sets([tmp_path])


def test_broken_shanghai_halves_and_printed_rows(tmp_path):
    path, line = _broken(tmp_path, "      - {名称: 公用经费, 合计行: 公用经费合计}", "      - {名称: 公用经费, 合计行: 公共经费合计}",
                         "公共经费合计", file="shanghai-2024.yaml")
    errors = formsets.validate([tmp_path])
    assert any(e.line == line and "“公共经费合计”不在本表“合计行”中" in e.message for e in errors), [str(e) for e in errors]


def test_missing_required_key_and_vocabulary(tmp_path):
    (tmp_path / "x.yaml").write_text("表式: 甲\n名称: 甲\n系列: 甲\n起始年度: 2024\n表:\n  - 标题: 某表\n    形状: 普通表\n    栏目: [金额]\n",
                                     encoding="utf-8")
    errors = [str(e) for e in formsets.validate([tmp_path])]
    assert any(":6:5 某表：缺少必填项“文件”" in e for e in errors), errors
    assert any("没有任何表式文件声明“共用词表”" in e for e in errors), errors


def test_yaml_errors_are_reported_in_chinese(tmp_path):
    (tmp_path / "x.yaml").write_text("表式: 甲\n\t名称: 乙\n", encoding="utf-8")
    errors = formsets.validate([tmp_path])
    assert any("Tab" in e.message and e.line == 2 for e in errors)


# ---------------------------------------------------------------- the Shanghai fixture

DASHES = {"—", "——", "-", "－"}


def _num(text: str):
    t = text.replace(",", "").strip()
    if not t:
        return None
    if t in DASHES:
        return "dash"
    return Decimal(t)


def _cells(row: str) -> list[str]:
    return [c.strip() for c in re.split(r"(?<!\\)\|", str(row))]


class FixtureCheck:
    """A small, independent reading of a form set's identities over a
    department file typed in that form (the reference the audit must match)."""

    def __init__(self, fs, path: Path):
        self.fs = fs
        self.root = read_yaml(path)
        self.tables = {}
        self.findings = []
        for tid, node in self.root["决算表"].items():
            spec = fs.table(str(tid))
            assert spec is not None, f"表式中没有“{tid}”"
            rows = [_cells(r) for r in node["行"]]
            width = len(spec["columns"]) * max(len(spec.get("halves") or []), 1)
            assert all(len(r) <= width for r in rows), tid
            rows = [r + [""] * (width - len(r)) for r in rows]
            self.tables[spec["id"]] = (spec, rows, self._logical(spec, rows))

    @staticmethod
    def _logical(spec, rows):
        """Two halves printed side by side -> one list, left half first."""
        halves = spec.get("halves")
        if not halves:
            return rows
        n = len(spec["columns"])
        return [r[h * n:(h + 1) * n] for h in range(len(halves)) for r in rows if any(r[h * n:(h + 1) * n])]

    def compare(self, table, family, where, parts, total, items=None):
        present = [v for v in parts if isinstance(v, Decimal)]
        if total == "dash":
            return
        if not present and (total is None or total == 0):
            return
        expected = sum(present, Decimal(0))
        printed = total if isinstance(total, Decimal) else Decimal(0)
        if expected != printed:
            n = max(items if items is not None else len(present), 1)
            self.findings.append(dict(表=table, 类别=family, 位置=where, 原表数=f"{printed:.2f}", 计算数=f"{expected:.2f}",
                                      差=f"{printed - expected:.2f}",
                                      判定="尾差" if abs(printed - expected) <= Decimal("0.01") * n else "不一致"))

    def run(self):
        for spec, _, rows in self.tables.values():
            for ident in spec["identities"]:
                getattr(self, f"rule_{ident['rule']}")(spec, rows, ident)
        for ident in self.fs.cross:
            self.cross(ident)
        return self.findings

    @staticmethod
    def col(spec, name):
        return next(i for i, c in enumerate(spec["columns"]) if c["name"] == name)

    def rule_columns(self, spec, rows, ident):
        ti = self.col(spec, ident["total"])
        parts = [(p.startswith("-"), self.col(spec, p.lstrip("-"))) for p in ident["parts"]]
        for n, row in enumerate(rows, 1):
            vals = []
            for neg, i in parts:
                v = _num(row[i])
                vals.append(-v if neg and isinstance(v, Decimal) else v)
            label = row[0] if spec["shape"] in ("subject", "econ") and row[0] else f"第{n}行"
            self.compare(spec["id"], "行内勾稽", f"{label} {ident['total']}", vals, _num(row[ti]))

    def rule_tree(self, spec, rows, ident):
        coded = [r for r in rows if r[0].isdigit()]
        level = {3: 1, 5: 2, 7: 3}
        amount = [i for i, c in enumerate(spec["columns"]) if c["kind"] == "amount"]
        for parent in coded:
            kids = [r for r in coded if len(r[0]) == {3: 5, 5: 7}.get(len(parent[0])) and r[0].startswith(parent[0])]
            if level[len(parent[0])] < 3 and kids:
                for i in amount:
                    self.compare(spec["id"], "科目汇总", f"{'类' if len(parent[0]) == 3 else '款'} {parent[0]} "
                                 f"{spec['columns'][i]['name']}", [_num(k[i]) for k in kids], _num(parent[i]))
        for total in (r for r in rows if r[0] == "合计"):
            for i in amount:
                self.compare(spec["id"], "合计", f"合计 {spec['columns'][i]['name']}",
                             [_num(r[i]) for r in coded if len(r[0]) == 3], _num(total[i]))

    def rule_econ(self, spec, rows, ident):
        coded = [r for r in rows if r[0].isdigit()]
        for parent in (r for r in coded if len(r[0]) == 3):
            kids = [r for r in coded if len(r[0]) == 5 and r[0].startswith(parent[0])]
            if kids:
                self.compare(spec["id"], "科目汇总", f"类 {parent[0]}", [_num(k[2]) for k in kids], _num(parent[2]))
        personnel = set(spec["personnel"])
        for row in rows:
            if row[0] in spec["totals"]:
                want = spec["totals"][row[0]] == "personnel"
                tops = [r for r in coded if len(r[0]) == 3 and (r[0] in personnel) == want]
                self.compare(spec["id"], "合计", row[0], [_num(r[2]) for r in tops], _num(row[2]))

    @staticmethod
    def side_rows(spec, rows, side):
        li = spec["sides"][side]["label"]
        return [(r[li].replace(" ", "").replace("　", ""), r) for r in rows if r[li].strip()]

    def rule_sides(self, spec, rows, ident):
        totals = {}
        for side, s in spec["sides"].items():
            labelled = self.side_rows(spec, rows, side)
            labels = [t for t, _ in labelled]
            sub_i = labels.index(s["subtotal"])
            items = [r for t, r in labelled[:sub_i] if not t.startswith("其中")]
            sub = labelled[sub_i][1]
            tot_i = labels.index(s["total"], sub_i)
            between = [r for t, r in labelled[sub_i + 1:tot_i] if any(w in t for w in ("结转", "结余", "使用"))]
            for i in s["amounts"]:
                name = spec["columns"][i]["name"]
                self.compare(spec["id"], "合计", f"{s['subtotal']} {name}", [_num(r[i]) for r in items], _num(sub[i]))
                self.compare(spec["id"], "合计", f"{side}{s['total']} {name}",
                             [_num(sub[i])] + [_num(r[i]) for r in between], _num(labelled[tot_i][1][i]))
            totals[side] = _num(labelled[tot_i][1][s["amounts"][0]])
        self.compare(spec["id"], "合计", "总计", [totals["收入"]], totals["支出"], items=1)

    def rule_parts(self, spec, rows, ident):
        s = spec["sides"][ident["side"]]
        labelled = self.side_rows(spec, rows, ident["side"])
        labels = [t for t, _ in labelled]
        at = labels.index(ident["total"])
        following = labelled[at + 1: at + 1 + len(ident["parts"])]
        assert [t for t, _ in following] == ident["parts"]
        for i in s["amounts"]:
            self.compare(spec["id"], "合计", f"{ident['total']} {spec['columns'][i]['name']}",
                         [_num(r[i]) for _, r in following], _num(labelled[at][1][i]))

    def ref(self, ref):
        table_id, selector, column = ref
        if table_id not in self.tables:
            return None
        spec, _, rows = self.tables[table_id]
        if selector[0] == "label":
            side = next(k for k, s in spec["sides"].items() if column in s["amounts"])
            row = next((r for t, r in self.side_rows(spec, rows, side) if t == selector[1]), None)
            return _num(row[column]) if row else None
        if selector[0] == "row":
            row = next((r for r in rows if r[0] == selector[1]), None)
            return _num(row[self.col(spec, column)]) if row else None
        if selector[0] == "sum":
            vals = [_num(r[self.col(spec, column)]) for r in rows if r[0] in selector[1:]]
            return sum((v for v in vals if isinstance(v, Decimal)), Decimal(0)) if vals else None
        raise ValueError(selector)

    def cross(self, ident):
        left, right = self.ref(ident["left"]), self.ref(ident["right"])
        if left is None and right is None:
            return
        self.compare(ident["right"][0], "表间勾稽", f"{ident['left'][0]} = {ident['right'][0]}", [left], right, items=1)


def test_shanghai_fixture_is_typed_as_printed(shanghai):
    check = FixtureCheck(shanghai, SH / "good" / "sh-shili" / "2024.yaml")
    assert list(check.tables) == [t["id"] for t in shanghai.tables]     # all nine, in printed order
    assert str(check.root["表式"]) == "上海2024"
    for spec, rows, _ in check.tables.values():
        printed = spec.get("printed_rows")
        if not printed:
            continue
        assert len(rows) == len(printed), spec["id"]
        kinds = [c["kind"] for c in spec["columns"]] * max(len(spec.get("halves") or []), 1)
        for row, stub in zip(rows, printed):
            assert [c for c, k in zip(row, kinds) if k != "amount"] == [c for c, k in zip(stub, kinds) if k != "amount"]
    units = [_cells(u) for u in check.root["单位构成"]]
    assert all(len(u) == len(shanghai.unit_columns) for u in units)


def test_shanghai_fixture_adds_up(shanghai):
    check = FixtureCheck(shanghai, SH / "good" / "sh-shili" / "2024.yaml")
    assert check.run() == []
    # every identity family was exercised on real figures
    assert {i["rule"] for t in shanghai.tables for i in t["identities"]} == {"columns", "tree", "sides", "econ", "parts"}


def test_planted_discrepancies_are_found(shanghai):
    planted = read_yaml(SH / "planted.yaml")["差异"]
    expected = [dict({k: str(v) for k, v in p["检查结果"].items()}, 表=str(p["表"])) for p in planted]
    check = FixtureCheck(shanghai, SH / "planted" / "sh-shili" / "2024.yaml")
    found = check.run()
    key = lambda f: (f["表"], f["位置"])                       # noqa: E731
    assert sorted(found, key=key) == sorted(expected, key=key)
    good = (SH / "good" / "sh-shili" / "2024.yaml").read_text(encoding="utf-8").splitlines()
    bad = (SH / "planted" / "sh-shili" / "2024.yaml").read_text(encoding="utf-8").splitlines()
    changed = [(g, b) for g, b in zip(good[1:], bad[1:]) if g != b]      # line 1 is the file's comment
    assert len(good) == len(bad) and len(changed) == len(planted) == 2
    for p in planted:
        was, now = str(p["改动"]["应为"]), str(p["改动"]["原表数"])
        assert sum(was in g and now in b and g.replace(was, now) == b for g, b in changed) == 1, p["表"]


def test_shanghai_headline_concepts(shanghai):
    """The portal's concepts read off the Shanghai tables (so departments on
    different forms compare): the same figures the 情况说明 states."""
    check = FixtureCheck(shanghai, SH / "good" / "sh-shili" / "2024.yaml")
    got = {}
    for concept, refs in shanghai.concepts().items():
        for table_id, selector, column in refs:
            if table_id in check.tables and selector[0] in ("label", "row", "sum") and not isinstance(column, list):
                got[concept] = check.ref((table_id, selector, column))
                break
    assert got == {"本年收入合计": Decimal("5049.93"), "本年支出合计": Decimal("5073.18"), "基本支出": Decimal("4217.92"),
                   "项目支出": Decimal("855.26"), "财政拨款支出": Decimal("4778.48"),
                   "一般公共预算财政拨款支出": Decimal("4618.48"), "人员经费": Decimal("3312.24"),
                   "公用经费": Decimal("725.68")}
    spec = shanghai.sangong_table()
    _, rows, _ = check.tables[spec["id"]]
    sangong = {(y, item): _num(rows[0][check.col(spec, col)]) for (y, item), col in spec["sangong"].items()}
    assert sangong[("预算数", "合计")] == Decimal("54.00") and sangong[("决算数", "合计")] == Decimal("49.06")
    assert sangong[("决算数", "公务用车购置及运行维护费")] == Decimal("41.65")


# ---------------------------------------------------------------- a table beyond 公开10表

def _national_2025(folder: Path) -> Path:
    """A made-up 全国2025: the national form set plus a 公开11表 (output t11)."""
    text = national_2025()
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "national-2025.yaml").write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def with_2025(tmp_path):
    registry.use_form_sets([_national_2025(tmp_path / "forms")])
    try:
        yield tmp_path
    finally:
        registry.use_form_sets()


def test_extra_form_sets_load_from_a_folder(tmp_path):
    sets = formsets.load_form_sets(extra_dirs=[_national_2025(tmp_path / "forms")])
    assert set(sets) == {"全国2019", "全国2025", "上海2024"}
    assert sets["全国2025"].files()["公开11表"] == "t11"
    assert formsets.validate(extra_dirs=[tmp_path / "forms"]) == []


def test_registry_follows_extra_form_sets(with_2025):
    assert list(registry.TABLE_SETS) == [2019, 2025]
    assert registry.table_spec(2025, "公开11表")["file"] == "t11"
    assert registry.table_spec(2024, "公开11表") is None
    assert registry.TABLE_FILES["公开11表"] == "t11"
    assert formsets.form_set_for(2026).name == "全国2025"


def test_registry_back_to_package_sets(with_2025):
    registry.use_form_sets()
    assert list(registry.TABLE_SETS) == [2019] and "公开11表" not in registry.TABLE_FILES
    assert formsets.form_set_for(2026).name == "全国2019"


def test_broken_extra_form_set_changes_nothing(tmp_path):
    (tmp_path / "x.yaml").write_text("表式: 甲\n", encoding="utf-8")
    with pytest.raises(formsets.ContentErrors):
        registry.use_form_sets([tmp_path])
    assert list(registry.TABLE_SETS) == [2019] and set(formsets.form_sets()) == {"全国2019", "上海2024"}


def test_a_table_beyond_10_builds(with_2025):
    """A department on 全国2025 publishes 公开11表: page, data/t11.csv and data.json."""
    import json
    from generator.build import build
    content = with_2025 / "content"
    shutil.copytree(Path(__file__).parent / "fixtures" / "good", content)
    site = content / "site.yaml"
    site.write_text(site.read_text(encoding="utf-8").replace("年度: [2023]", "年度: [2023, 2025]"), encoding="utf-8")
    dept = content / "demo-dept"
    text = (dept / "2023.yaml").read_text(encoding="utf-8").replace("年度: 2023", "年度: 2025")
    text = text.replace("\n三公经费:", "\n  公开11表:\n    行:\n      - 示例项目 | 3.00 | 1.00 | 2.00\n"
                                        "      - 另一项目 | 5.00 | 1.00 | 2.00\n三公经费:", 1)
    (dept / "2025.yaml").write_text(text, encoding="utf-8")
    out = with_2025 / "site"
    result = build(content, out, search=False, cache=False, jobs=1)

    page = (out / "demo-dept" / "2025" / "index.html").read_text(encoding="utf-8")
    assert "公开11表" in page and "示例补充表" in page and 'id="t11"' in page and "data/t11.csv" in page
    csv = (out / "demo-dept" / "2025" / "data" / "t11.csv").read_bytes().decode("utf-8-sig")
    assert "示例项目" in csv and "甲类" in csv
    data = json.loads((out / "demo-dept" / "2025" / "data.json").read_text(encoding="utf-8"))
    assert "公开11表" in json.dumps(data, ensure_ascii=False)
    # the 2023 year stays on 全国2019: no 公开11表
    assert not (out / "demo-dept" / "2023" / "data" / "t11.csv").exists()
    assert "公开11表" not in (out / "demo-dept" / "2023" / "index.html").read_text(encoding="utf-8")
    # its identity is checked like any other table's: 另一项目 5.00 ≠ 1.00 + 2.00
    t11 = [f for f in result.findings if f.table == "公开11表"]
    assert len(t11) == 1 and "另一项目" in str(t11[0]), [str(f) for f in t11]


# ---------------------------------------------------------------- portal forms

def test_portal_forms_lists_form_sets_and_tables(capsys):
    from generator.cli import main
    assert main(["forms"]) == 0
    out = capsys.readouterr().out
    assert "共 2 个表式" in out
    assert "表式：全国2019（部门决算公开表（公开01表—公开10表））" in out
    assert "系列：全国，默认" in out and "2019 年度起" in out
    assert "公开09表 财政拨款“三公”经费支出决算表（12 栏，文件 t09）" in out
    assert "公开01表 收入支出决算总表（6 栏" in out
    assert "表式：上海2024" in out and "收入支出决算总表（4 栏，文件 t01）" in out
    assert "版式“含会议费培训费”" in out
    assert out.index("全国2019") < out.index("上海2024")


def test_portal_forms_with_extra_form_set(with_2025, capsys):
    from generator.cli import main
    assert main(["forms"]) == 0
    out = capsys.readouterr().out
    assert "共 3 个表式" in out
    assert "2019—2024 年度" in out and "表式：全国2025" in out
    assert "公开11表 示例补充表（4 栏，文件 t11）" in out
