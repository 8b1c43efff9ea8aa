"""Form sets (表式) as data: the 决算 forms a region/year prints, declared in
YAML files (``generator/forms/*.yaml``, later also ``content/forms/*.yaml``),
validated on load with Chinese errors that name ``file:line:col``.

A form set is a named, versioned description of one family of 决算 tables:
each table's id and printed title, its columns in printed order (printed
label, kind, header groups), its shape, the identities its figures satisfy,
where the headline figures sit (``用途``), the cross-table identities, the
output file name and anchor. ``docs/design/forms.md`` documents the format.

This module only reads and validates the data. It returns the *same* dict
structures ``registry.py`` uses today (``legacy_table_sets()``,
``legacy_vocabulary()``), so the registry can become a thin layer over it.
Each table spec also carries a few extra keys the code does not use yet
(``EXTRA_TABLE_KEYS``); :meth:`FormSet.legacy` strips them.
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

from .amounts import Kind
from .errors import ContentError, ContentErrors, at
from .model import Shape
from .reader import Map, Seq, Text, read_yaml
from .scan import SLUG, shown_path

FORMS_DIR = Path(__file__).resolve().parent / "forms"

# Chinese names written in the files -> the codes the rest of the generator uses.
SHAPES = {"科目表": Shape.SUBJECT, "经济分类表": Shape.ECON, "收支对照表": Shape.TWO_SIDED, "普通表": Shape.PLAIN}
COLUMN_KINDS = {"金额": Kind.AMOUNT, "文字": Kind.TEXT, "数量": Kind.COUNT}
RULES = {"行内": "columns", "科目汇总": "tree", "收支两侧": "sides", "经济分类合计": "econ", "分项": "parts"}
# Rules audit.Auditor has a ``rule_<name>`` handler for today; the others are
# declared by a form set and wait for the code (docs/design/forms.md).
HANDLED_RULES = frozenset({"columns", "tree", "sides", "econ", "parts"})
RULE_SHAPES = {"tree": {Shape.SUBJECT}, "econ": {Shape.ECON}, "sides": {Shape.TWO_SIDED}, "parts": {Shape.TWO_SIDED}}
TOTAL_KINDS = {"人员经费": "personnel", "公用经费": "public"}
TOTAL_POSITIONS = {"首行": "first", "末行": "last"}
SIDES = ("收入", "支出")
# 用途: the portal's common concepts -> the key facts.py gives them.
CONCEPTS = {
    "本年收入合计": "income",
    "本年支出合计": "spending",
    "财政拨款支出": "fiscal",
    "基本支出": "basic",
    "项目支出": "project",
    "一般公共预算财政拨款支出": "gpb",
    "人员经费": "personnel",
    "公用经费": "public",
    "功能分类支出": "functional_classes",
    "经济分类支出": "economic_classes",
    "收入来源": "income_sources",
}
TRUE, FALSE = {"是", "true", "True", "yes"}, {"否", "false", "False", "no"}
YEAR = re.compile(r"^(19|20)\d\d$")

# Keys the legacy (registry.py) dicts do not have: stripped by FormSet.legacy().
EXTRA_TABLE_KEYS = frozenset({"file", "anchor", "unit", "note", "remark", "memo", "concepts", "halves",
                              "printed_rows", "total_position", "corresponds", "sangong_row_map", "code_parts"})
EXTRA_COLUMN_KEYS = frozenset({"groups"})

# Allowed keys of each mapping: key -> required?
TOP_KEYS = {"表式": True, "名称": True, "系列": True, "起始年度": True, "默认": False, "地区": False, "来源": False,
            "说明": False, "单位构成": False, "情况说明": False, "表": True, "变体": False, "表间勾稽": False,
            "共用词表": False}
TABLE_KEYS = {"表号": False, "标题": True, "形状": True, "栏目": True, "文件": True, "锚点": False, "单位": False,
              "注": False, "说明": False, "备注": False, "两侧": False, "人员经费类": False, "合计行": False,
              "并排": False, "合计位置": False, "印制行": False, "勾稽": False, "三公": False, "三公按行": False,
              "用途": False, "对应": False, "编码分栏": False}
VARIANT_KEYS = dict(TABLE_KEYS, 表号=True, 变体=True, 文件=False)
COLUMN_KEYS = {"名称": True, "标签": False, "类型": False, "组": False}
SIDE_KEYS = {"项目栏": True, "金额栏": True, "小计": True, "总计": True}
HALF_KEYS = {"名称": True, "合计行": True}
IDENTITY_KEYS = {"columns": {"规则": True, "合计": True, "加": True, "减": False},
                 "parts": {"规则": True, "侧": True, "合计": True, "分项": True}}
REF_KEYS = {"表": False, "行": False, "行之和": False, "项目": False, "各类": False, "栏": True, "备选": False}
CROSS_KEYS = {"左": True, "右": True, "说明": False}
SANGONG_ROW_KEYS = {"年份栏": True, "项目": True}
UNITS_KEYS = {"栏目": True}
VOCAB_KEYS = {"决算类型": True, "绩效类型": True, "三公项目": True, "三公年份": True, "会议培训项目": True}
KIND_KEYS = {"含标准表": True}


def _hint(word: str, options) -> str:
    close = difflib.get_close_matches(str(word), [str(o) for o in options], n=1, cutoff=0.5)
    return f"是不是“{close[0]}”？" if close else ""


@dataclass
class FormSet:
    """One validated form-set file."""
    name: str                    # 表式: the id content files name (全国2019, 上海2024)
    title: str                   # 名称
    family: str                  # 系列: versions of one form share it (全国, 上海)
    since: int                   # 起始年度: first year this version applies to
    default: bool = False        # 默认: used when a content file names no 表式
    region: str = ""
    source: str = ""
    note: str = ""
    path: str = ""
    tables: list[dict] = field(default_factory=list)
    variants: list[dict] = field(default_factory=list)
    cross: list[dict] = field(default_factory=list)
    unit_columns: list[str] = field(default_factory=list)   # 单位构成 printed columns
    sections: list[str] = field(default_factory=list)       # 情况说明 printed headings
    vocabulary: dict | None = None                          # 共用词表, when this file declares it

    def table(self, table_id: str, variant: str = "") -> dict | None:
        for spec in (self.variants if variant else self.tables):
            if spec["id"] == table_id and spec.get("variant", "") == variant:
                return spec
        return None

    def legacy(self, keep=()) -> dict:
        """The registry.py ``TABLE_SETS[year]`` structure: extras stripped,
        except the extra table keys named in ``keep`` (e.g. file, anchor)."""
        return dict(tables=[_strip(t, keep) for t in self.tables], variants=[_strip(t, keep) for t in self.variants],
                    cross=[dict(c) for c in self.cross])

    def files(self) -> dict[str, str]:
        """Table id -> output file name (``文件``: data/<file>.csv)."""
        return {t["id"]: t["file"] for t in self.tables}

    def anchors(self) -> dict[str, str]:
        return {t["id"]: t["anchor"] for t in self.tables}

    def concepts(self) -> dict[str, list[tuple]]:
        """Concept -> [(table id, selector, column), ...]: the primary source
        first, then the fallbacks (备选) in table order."""
        out: dict[str, list[tuple]] = {}
        for backup in (False, True):
            for t in self.tables:
                for concept, ref in t.get("concepts", {}).items():
                    if ref["backup"] == backup:
                        out.setdefault(concept, []).append((t["id"], ref["selector"], ref["column"]))
        return out

    def sangong_table(self) -> dict | None:
        return next((t for t in self.tables if "sangong" in t or t.get("sangong_rows")), None)

    def pending(self) -> list[tuple[str, str]]:
        """(table id, feature) pairs this form set declares and the code
        (load/audit/facts/pages) does not support yet."""
        out = []
        for t in self.tables + self.variants:
            for ident in t["identities"]:
                if ident["rule"] not in HANDLED_RULES:
                    out.append((t["id"], f"勾稽规则“{_rule_name(ident['rule'])}”尚无检查程序"))
        return out


def _rule_name(code: str) -> str:
    return next(k for k, v in RULES.items() if v == code)


def _strip(spec: dict, keep=()) -> dict:
    out = {k: v for k, v in spec.items() if k not in EXTRA_TABLE_KEYS or k in keep}
    out["columns"] = [{k: v for k, v in c.items() if k not in EXTRA_COLUMN_KEYS} for c in spec["columns"]]
    return out


# ---------------------------------------------------------------- reading helpers

class _Reader:
    """Validation helpers for one file; every problem becomes a ContentError."""

    def __init__(self, errors: list):
        self.errors = errors

    def err(self, node, where: str, message: str) -> None:
        self.errors.append(at(node, where, message))

    def mapping(self, node, where: str, keys: dict[str, bool], what: str = "此处") -> Map | None:
        if not isinstance(node, Map):
            self.err(node, where, f"{what}应为“键: 值”的映射")
            return None
        for key in node:
            if key not in keys:
                hint = _hint(key, keys)
                self.err(key, where, f"未知的键“{key}”（{hint}可用的键：{'、'.join(keys)}）")
        for key, required in keys.items():
            if required and key not in node:
                self.err(node, where, f"缺少必填项“{key}”")
        return node

    def text(self, node, where: str, required: bool = True) -> str | None:
        if node is None:
            return None
        if not isinstance(node, Text):
            self.err(node, where, "应为文字，而不是列表或映射")
            return None
        if required and not node.strip():
            self.err(node, where, "不能为空")
            return None
        return str(node).strip()

    def flag(self, node, where: str) -> bool:
        if node is None:
            return False
        if isinstance(node, Text) and node.strip() in TRUE | FALSE:
            return node.strip() in TRUE
        self.err(node, where, "应为“是”或“否”")
        return False

    def texts(self, node, where: str, allow_one: bool = False) -> list[Text] | None:
        if node is None:
            return None
        if allow_one and isinstance(node, Text):
            return [node]
        if not isinstance(node, Seq) or not all(isinstance(v, Text) for v in node):
            self.err(node, where, "应为文字列表，例如 [甲, 乙]")
            return None
        return list(node)

    def choice(self, node, where: str, options: dict, what: str):
        value = self.text(node, where)
        if value is None:
            return None
        if value not in options:
            hint = _hint(value, options)
            self.err(node, where, f"未知的{what}“{value}”（{hint}可用：{'、'.join(options)}）")
            return None
        return options[value]


def _split_cells(row: str) -> list[str]:
    return [c.strip().replace("\\|", "|") for c in re.split(r"(?<!\\)\|", row)]


# ---------------------------------------------------------------- columns

def _columns(r: _Reader, node, where: str) -> list[dict]:
    if not isinstance(node, Seq) or not node:
        r.err(node, where, "“栏目”应为非空列表，每项为栏目名称或 {名称: …, 类型: …, 组: …}")
        return []
    columns = []
    for i, item in enumerate(node, 1):
        cw = f"{where} 第{i}栏"
        groups: list[str]
        pos: Text | Map
        if isinstance(item, Text):
            item_map = None
            name, label, kind, groups = r.text(item, cw), None, Kind.AMOUNT, []
            pos = item
        else:
            item_map = r.mapping(item, cw, COLUMN_KEYS, "栏目")
            if item_map is None:
                continue
            name = r.text(item_map.get("名称"), cw)
            label = r.text(item_map.get("标签"), f"{cw} 标签") if "标签" in item_map else None
            kind = r.choice(item_map["类型"], f"{cw} 类型", COLUMN_KINDS, "栏目类型") if "类型" in item_map else Kind.AMOUNT
            groups = []
            g = item_map.get("组")
            if isinstance(g, Text):
                groups = [str(g).strip()] if g.strip() else []
            elif g is not None:
                groups = [str(x).strip() for x in (r.texts(g, f"{cw} 组") or [])]
            pos = item_map
        if not name:
            continue
        if "/" in name or "|" in name:
            r.err(pos, cw, f"栏目名称“{name}”不能含“/”或“|”")
        col: dict[str, object] = dict(name=name, kind=kind or Kind.AMOUNT, group="-".join(groups))
        if label is not None:
            col["label"] = label
        if len(groups) > 1:
            col["groups"] = groups
        col["_node"] = item
        columns.append(col)
    _check_groups(r, columns, where)
    return columns


def _group_path(col: dict) -> list[str]:
    return col.get("groups") or ([col["group"]] if col["group"] else [])


def _check_groups(r: _Reader, columns: list[dict], where: str) -> None:
    """A printed header group is one merged cell: its columns must be adjacent."""
    depth = max((len(_group_path(c)) for c in columns), default=0)
    for level in range(depth):
        seen, last = set(), None
        for c in columns:
            path = _group_path(c)
            key = tuple(path[: level + 1]) if len(path) > level else None
            if key != last and key in seen:
                r.err(c["_node"], where, f"表头分组“{key[-1]}”的栏目不相邻（同一分组的栏目必须连续排列）")
            if key is not None:
                seen.add(key)
            last = key


def _find_column(r: _Reader, columns: list[dict], node, where: str, *, unique_name: bool = False) -> int | None:
    """``名称`` or ``组/名称`` -> column index (an error if missing or ambiguous)."""
    ref = r.text(node, where)
    if ref is None:
        return None
    if "/" in ref:
        group, _, name = ref.rpartition("/")
        matches = [i for i, c in enumerate(columns) if c["name"] == name and group in _group_path(c)]
    else:
        name = ref
        matches = [i for i, c in enumerate(columns) if c["name"] == ref]
    if not matches:
        names = [c["name"] for c in columns]
        r.err(node, where, f"没有名为“{ref}”的栏目（{_hint(name, names)}本表栏目：{'、'.join(names)}）")
        return None
    if len(matches) > 1:
        examples = "、".join(f"“{_group_path(columns[i])[-1] if _group_path(columns[i]) else ''}/{name}”" for i in matches)
        r.err(node, where, f"有 {len(matches)} 个栏目名为“{name}”，请写成“组/栏目”：{examples}")
        return None
    i = matches[0]
    if unique_name and sum(c["name"] == columns[i]["name"] for c in columns) > 1:
        r.err(node, where, f"栏目名称“{columns[i]['name']}”在本表不唯一，按名称取数的栏目须有唯一名称（用“名称”+“标签”区分）")
        return None
    return i


def _amount_column(r: _Reader, columns, node, where, **kw) -> int | None:
    i = _find_column(r, columns, node, where, **kw)
    if i is not None and columns[i]["kind"] != Kind.AMOUNT:
        r.err(node, where, f"栏目“{columns[i]['name']}”不是金额栏")
        return None
    return i


# ---------------------------------------------------------------- tables

def _table(r: _Reader, node, index: int, vocab: dict, *, variant: bool) -> dict | None:
    where0 = f"{'变体' if variant else '表'}第{index}项"
    if isinstance(node, Map):   # name the table in its own errors when its id or title is readable
        named = node.get("表号") if isinstance(node.get("表号"), Text) else node.get("标题")
        if isinstance(named, Text) and named.strip():
            where0 = str(named).strip() + (f"（{str(node['变体']).strip()}）" if variant and isinstance(node.get("变体"), Text) else "")
    t = r.mapping(node, where0, VARIANT_KEYS if variant else TABLE_KEYS, "表")
    if t is None:
        return None
    title = r.text(t.get("标题"), f"{where0} 标题")
    table_id = r.text(t["表号"], f"{where0} 表号") if "表号" in t else title
    if not table_id:
        return None
    where = table_id
    spec: dict = dict(id=table_id)
    if variant:
        spec["variant"] = r.text(t.get("变体"), f"{where} 变体") or ""
        where = f"{table_id}（{spec['variant']}）"
    spec["title"] = title or ""
    shape = r.choice(t["形状"], f"{where} 形状", SHAPES, "形状") if "形状" in t else None
    spec["shape"] = shape or Shape.PLAIN
    columns = _columns(r, t["栏目"], f"{where} 栏目") if "栏目" in t else []
    spec["columns"] = columns
    spec["_node"] = t
    if not columns:   # nothing below can be checked without the columns: avoid follow-on errors
        spec.update(identities=[], file=r.text(t.get("文件"), f"{where} 文件") or "", anchor="", unit="万元")
        return spec

    # Shape-specific keys.
    for key, shapes in (("两侧", {Shape.TWO_SIDED}), ("人员经费类", {Shape.ECON}), ("合计行", {Shape.ECON}), ("并排", {Shape.ECON}),
                        ("合计位置", {Shape.SUBJECT})):
        if key in t and shape and shape not in shapes:
            r.err(t.key(key), where, f"“{key}”只用于{'、'.join(k for k, v in SHAPES.items() if v in shapes)}")
    if shape == Shape.TWO_SIDED:
        if "两侧" not in t:
            r.err(t, where, "收支对照表须有“两侧”（收入、支出两侧的项目栏、金额栏、小计、总计）")
        else:
            spec["sides"] = _sides(r, t["两侧"], columns, f"{where} 两侧")
    if shape == Shape.ECON:
        for key in ("人员经费类", "合计行"):
            if key not in t:
                r.err(t, where, f"经济分类表须有“{key}”")
        personnel = r.texts(t.get("人员经费类"), f"{where} 人员经费类") or []
        for code in personnel:
            if not (code.isdigit() and len(code) == 3):
                r.err(code, f"{where} 人员经费类", f"“{code}”不是经济分类类级编码（3 位数字）")
        spec["personnel"] = [str(c) for c in personnel]
        totals = {}
        tn = t.get("合计行")
        if tn is not None:
            if not isinstance(tn, Map) or not tn:
                r.err(tn, f"{where} 合计行", "“合计行”应为映射，例如 {人员经费合计: 人员经费, 公用经费合计: 公用经费}")
            else:
                for label, kind in tn.items():
                    value = r.choice(kind, f"{where} 合计行 {label}", TOTAL_KINDS, "合计类别")
                    if value:
                        totals[str(label)] = value
        spec["totals"] = totals
        if "并排" in t:
            spec["halves"] = _halves(r, t["并排"], totals, f"{where} 并排")
    if shape == Shape.SUBJECT:
        spec["total_position"] = (r.choice(t["合计位置"], f"{where} 合计位置", TOTAL_POSITIONS, "合计位置")
                                  if "合计位置" in t else None) or "first"

    spec["identities"] = _identities(r, t.get("勾稽"), spec, f"{where} 勾稽")
    if "三公" in t:
        spec["sangong"] = _sangong(r, t["三公"], columns, vocab, f"{where} 三公")
    if "三公按行" in t:
        if "三公" in t:
            r.err(t.key("三公按行"), where, "“三公”和“三公按行”只能写一个")
        spec["sangong_rows"] = True
        spec["sangong_row_map"] = _sangong_rows(r, t["三公按行"], columns, vocab, f"{where} 三公按行")

    # Extras (not in registry.py today).
    if not variant or "文件" in t:
        spec["file"] = _slug(r, t.get("文件"), f"{where} 文件")
    if "锚点" in t:
        spec["anchor"] = _slug(r, t["锚点"], f"{where} 锚点")
    elif "file" in spec:
        spec["anchor"] = spec["file"]
    spec["unit"] = r.text(t.get("单位"), f"{where} 单位") or "万元"
    for key, name in (("注", "note"), ("说明", "remark"), ("备注", "memo"), ("对应", "corresponds")):
        if key in t:
            spec[name] = r.text(t[key], f"{where} {key}")
    if isinstance(t.get("对应"), Text):   # a Text keeps its position for the check across files
        spec["corresponds"] = Text(spec["corresponds"] or "", t["对应"].path, t["对应"].line, t["对应"].col)
    if "编码分栏" in t:
        parts = [str(x) for x in (r.texts(t["编码分栏"], f"{where} 编码分栏") or [])]
        if shape != Shape.SUBJECT or not parts:
            r.err(t.key("编码分栏"), where, "“编码分栏”只用于科目表，写原表科目编码下分印的栏名，例如 [类, 款, 项]")
        else:
            spec["code_parts"] = parts
    if "印制行" in t:
        spec["printed_rows"] = _printed_rows(r, t["印制行"], spec, f"{where} 印制行")
    if "用途" in t:
        spec["concepts"] = _concepts(r, t["用途"], spec, f"{where} 用途")
    return spec


def _slug(r: _Reader, node, where: str) -> str:
    value = r.text(node, where)
    if value and not SLUG.match(value):
        r.err(node, where, f"“{value}”只能用小写英文字母、数字和“-”（会成为文件名和网址）")
    return value or ""


def _sides(r: _Reader, node, columns, where) -> dict:
    m = r.mapping(node, where, {s: True for s in SIDES}, "两侧")
    out: dict[str, dict] = {}
    if m is None:
        return out
    for side in SIDES:
        s = r.mapping(m.get(side), f"{where} {side}", SIDE_KEYS, side) if side in m else None
        if s is None:
            continue
        sw = f"{where} {side}"
        label = _find_column(r, columns, s.get("项目栏"), f"{sw} 项目栏") if "项目栏" in s else None
        if label is not None and columns[label]["kind"] != Kind.TEXT:
            r.err(s["项目栏"], f"{sw} 项目栏", f"栏目“{columns[label]['name']}”不是文字栏")
        amounts = []
        for a in r.texts(s.get("金额栏"), f"{sw} 金额栏", allow_one=True) or []:
            i = _amount_column(r, columns, a, f"{sw} 金额栏")
            if i is not None:
                amounts.append(i)
        out[side] = dict(label=label if label is not None else 0, amounts=amounts,
                         subtotal=r.text(s.get("小计"), f"{sw} 小计") or "", total=r.text(s.get("总计"), f"{sw} 总计") or "")
    return out


def _halves(r: _Reader, node, totals: dict, where) -> list[dict]:
    if not isinstance(node, Seq) or len(node) < 2:
        r.err(node, where, "“并排”应为至少两项的列表，每项 {名称: …, 合计行: …}，按原表从左到右")
        return []
    halves = []
    for i, item in enumerate(node, 1):
        h = r.mapping(item, f"{where} 第{i}项", HALF_KEYS)
        if h is None:
            continue
        name = r.text(h.get("名称"), f"{where} 第{i}项 名称")
        total = r.text(h.get("合计行"), f"{where} 第{i}项 合计行")
        if total and total not in totals:
            r.err(h["合计行"], f"{where} 第{i}项", f"“{total}”不在本表“合计行”中（{'、'.join(totals)}）")
        halves.append(dict(name=name or "", total=total or ""))
    return halves


def _identities(r: _Reader, node, spec: dict, where: str) -> list[dict]:
    if node is None:
        return []
    if not isinstance(node, Seq):
        r.err(node, where, "“勾稽”应为列表，每项以“- 规则: …”开头")
        return []
    columns, out = spec["columns"], []
    for i, item in enumerate(node, 1):
        iw = f"{where}第{i}条"
        if not isinstance(item, Map) or "规则" not in item:
            r.err(item, iw, "每条勾稽应为映射，且有“规则”")
            continue
        rule = r.choice(item["规则"], f"{iw} 规则", RULES, "勾稽规则")
        if rule is None:
            continue
        r.mapping(item, iw, IDENTITY_KEYS.get(rule, {"规则": True}))
        if rule in RULE_SHAPES and spec["shape"] not in RULE_SHAPES[rule]:
            allowed = "、".join(k for k, v in SHAPES.items() if v in RULE_SHAPES[rule])
            r.err(item["规则"], iw, f"规则“{item['规则']}”只用于{allowed}，本表是{_shape_name(spec['shape'])}")
            continue
        if rule == "columns":
            total = _amount_column(r, columns, item.get("合计"), f"{iw} 合计", unique_name=True) if "合计" in item else None
            parts = []
            for key, sign in (("加", ""), ("减", "-")):
                for p in r.texts(item.get(key), f"{iw} {key}") or []:
                    j = _amount_column(r, columns, p, f"{iw} {key}", unique_name=True)
                    if j is not None:
                        parts.append(sign + columns[j]["name"])
            if total is not None:
                out.append(dict(rule="columns", total=columns[total]["name"], parts=parts))
        elif rule == "parts":
            side = r.choice(item.get("侧"), f"{iw} 侧", {s: s for s in SIDES}, "侧") if "侧" in item else None
            total_label = r.text(item.get("合计"), f"{iw} 合计")
            parts = [str(p) for p in r.texts(item.get("分项"), f"{iw} 分项") or []]
            if side and total_label:
                out.append(dict(rule="parts", side=side, total=total_label, parts=parts))
        else:
            out.append(dict(rule=rule))
    return out


def _shape_name(code: str) -> str:
    return next(k for k, v in SHAPES.items() if v == code)


def _sangong(r: _Reader, node, columns, vocab, where) -> dict:
    years = [y for y in vocab.get("SANGONG_YEARS", []) if y != "上年决算数"] or ["预算数", "决算数"]
    m = r.mapping(node, where, {y: False for y in years}, "三公")
    out: dict[tuple[str, str], str] = {}
    if m is None:
        return out
    for year, items in m.items():
        im = r.mapping(items, f"{where} {year}", {i: False for i in vocab.get("SANGONG_ITEMS", [])}, "三公项目")
        if im is None:
            continue
        for item, col in im.items():
            j = _amount_column(r, columns, col, f"{where} {year} {item}", unique_name=True)
            if j is not None:
                out[(str(year), str(item))] = columns[j]["name"]
    return out


def _sangong_rows(r: _Reader, node, columns, vocab, where) -> dict:
    m = r.mapping(node, where, SANGONG_ROW_KEYS, "三公按行")
    if m is None:
        return {}
    year_col = _find_column(r, columns, m.get("年份栏"), f"{where} 年份栏") if "年份栏" in m else None
    items = {}
    allowed = vocab.get("SANGONG_ITEMS", []) + vocab.get("MEETING_ITEMS", [])
    im = r.mapping(m.get("项目"), f"{where} 项目", {i: False for i in allowed}, "三公项目") if "项目" in m else None
    for item, col in (im or {}).items():
        j = _amount_column(r, columns, col, f"{where} 项目 {item}", unique_name=True)
        if j is not None:
            items[str(item)] = columns[j]["name"]
    return dict(year_column=columns[year_col]["name"] if year_col is not None else "", items=items)


def _printed_rows(r: _Reader, node, spec: dict, where: str) -> list[list[str]]:
    """The row stubs the blank template prints (labels/codes; amount cells blank)."""
    rows = r.texts(node, where)
    if rows is None:
        return []
    columns = spec["columns"]
    width = len(columns) * max(len(spec.get("halves") or []), 1)
    printed_kinds = [c["kind"] for c in columns] * max(len(spec.get("halves") or []), 1)
    out = []
    for i, row in enumerate(rows, 1):
        cells = _split_cells(row)
        if len(cells) > width:
            r.err(row, where, f"第 {i} 行有 {len(cells)} 栏，原表只有 {width} 栏")
            continue
        for cell, kind in zip(cells, printed_kinds):
            if cell and kind == Kind.AMOUNT:
                r.err(row, where, f"第 {i} 行：印制行只写原表印好的文字，金额栏应为空（“{cell}”）")
                break
        out.append(cells + [""] * (width - len(cells)))
    if spec["shape"] == Shape.TWO_SIDED and "sides" in spec:
        for side, s in spec["sides"].items():
            labels = [row[s["label"]] for row in out]
            for key in ("subtotal", "total"):
                if s[key] and s[key] not in labels:
                    r.err(node, where, f"{side}侧的“{s[key]}”不在印制行的项目栏中")
        for ident in spec["identities"]:
            if ident["rule"] == "parts":
                li = spec["sides"][ident["side"]]["label"]
                labels = [row[li] for row in out]
                if ident["total"] not in labels:
                    r.err(node, where, f"分项合计“{ident['total']}”不在{ident['side']}侧印制行中")
                else:
                    after = labels[labels.index(ident["total"]) + 1:][: len(ident["parts"])]
                    if after != ident["parts"]:
                        r.err(node, where, f"“{ident['total']}”之后的印制行应依次为 {'、'.join(ident['parts'])}")
    if spec["shape"] == Shape.ECON and spec.get("halves"):
        personnel = set(spec["personnel"])
        n = len(columns)
        for h, half in enumerate(spec["halves"]):
            codes = [row[h * n] for row in out if row[h * n]]
            kind = spec["totals"].get(half["total"])
            for code in codes:
                if code in spec["totals"]:
                    if code != half["total"]:
                        r.err(node, where, f"第 {h + 1} 半的合计行应为“{half['total']}”，而不是“{code}”")
                    continue
                if not (code.isdigit() and len(code) in (3, 5)):
                    r.err(node, where, f"“{code}”不是经济分类编码（3 或 5 位数字）")
                elif len(code) == 3 and (code in personnel) != (kind == "personnel"):
                    r.err(node, where, f"类 {code} 印在“{half['name']}”一半，与“人员经费类”不符")
    return out


def _concepts(r: _Reader, node, spec: dict, where: str) -> dict:
    m = r.mapping(node, where, {c: False for c in CONCEPTS}, "用途")
    out = {}
    for concept, ref in (m or {}).items():
        parsed = _ref(r, ref, f"{where} {concept}", {spec["id"]: spec}, own=spec, concept=True)
        if parsed is not None:
            _, selector, column, backup = parsed
            out[str(concept)] = dict(selector=selector, column=column, backup=backup)
    return out


def _ref(r: _Reader, node, where: str, tables: dict, own: dict | None = None, concept: bool = False):
    """A cell reference -> (table id, selector, column, backup)."""
    keys = dict(REF_KEYS, 表=own is None)
    if not concept:
        keys.pop("备选")
        keys.pop("各类")
    if own is not None:
        keys.pop("表")
    m = r.mapping(node, where, keys, "取数位置")
    if m is None:
        return None
    if own is not None:
        spec = own
    else:
        tid = r.text(m.get("表"), f"{where} 表")
        if tid is None:
            return None
        found = tables.get(tid)
        if found is None:
            r.err(m["表"], f"{where} 表", f"本表式没有“{tid}”（{_hint(tid, tables)}可用：{'、'.join(tables)}）")
            return None
        if not found["columns"]:   # that table's own errors say why
            return None
        spec = found
    selectors = [k for k in ("行", "行之和", "项目", "各类") if k in m]
    if len(selectors) != 1:
        r.err(m, where, "取数位置须有且只有一个“行”“行之和”“项目”或“各类”")
        return None
    kind, columns, shape = selectors[0], spec["columns"], spec["shape"]
    selector: tuple[str | int, ...]
    column: int | str | list[str]
    if kind == "项目":
        if shape != Shape.TWO_SIDED:
            r.err(m.key("项目"), where, "“项目”只用于收支对照表；科目表、经济分类表用“行”")
            return None
        label = r.text(m["项目"], f"{where} 项目")
        i = _amount_column(r, columns, m.get("栏"), f"{where} 栏")
        if i is not None and not any(i in s["amounts"] for s in spec.get("sides", {}).values()):
            r.err(m["栏"], f"{where} 栏", f"栏目“{columns[i]['name']}”不是收入或支出一侧的金额栏")
        if label is None or i is None:
            return None
        selector, column = ("label", label), i
    else:
        if shape not in (Shape.SUBJECT, Shape.ECON):
            r.err(m.key(kind), where, f"“{kind}”只用于科目表、经济分类表；收支对照表用“项目”")
            return None
        if kind == "各类":
            if not r.flag(m["各类"], f"{where} 各类"):
                r.err(m["各类"], where, "“各类”只能写“是”")
                return None
            selector = ("level", 1)
        else:
            codes = r.texts(m[kind], f"{where} {kind}", allow_one=(kind == "行")) or []
            for code in codes:
                if not _row_code_ok(spec, str(code)):
                    r.err(code, f"{where} {kind}", f"“{code}”不是本表的行（合计行或科目编码）")
                    return None
            if not codes:
                return None
            selector = ("row", str(codes[0])) if kind == "行" else ("sum", *(str(c) for c in codes))
        col_node = m.get("栏")
        if concept and isinstance(col_node, Seq):
            column = []
            for c in r.texts(col_node, f"{where} 栏") or []:
                j = _amount_column(r, columns, c, f"{where} 栏", unique_name=True)
                if j is not None:
                    column.append(columns[j]["name"])
        else:
            j = _amount_column(r, columns, col_node, f"{where} 栏", unique_name=True)
            if j is None:
                return None
            column = columns[j]["name"]
    backup = r.flag(m.get("备选"), f"{where} 备选") if concept else False
    return spec["id"], selector, column, backup


def _row_code_ok(spec: dict, code: str) -> bool:
    if spec["shape"] == Shape.SUBJECT:
        return code == "合计" or (code.isdigit() and len(code) in (3, 5, 7))
    return code in spec.get("totals", {}) or (code.isdigit() and len(code) in (3, 5))


def _cross(r: _Reader, node, tables: dict, where: str) -> list[dict]:
    if node is None:
        return []
    if not isinstance(node, Seq):
        r.err(node, where, "“表间勾稽”应为列表，每项有“左”“右”")
        return []
    out = []
    for i, item in enumerate(node, 1):
        iw = f"{where}第{i}条"
        m = r.mapping(item, iw, CROSS_KEYS, "表间勾稽")
        if m is None:
            continue
        left, right = [_ref(r, m[k], f"{iw} {k}", tables) if k in m else None for k in ("左", "右")]
        if left is not None and right is not None:
            out.append(dict(left=left[:3], right=right[:3]))
    return out


# ---------------------------------------------------------------- vocabulary

def _vocabulary(r: _Reader, node, where: str = "共用词表") -> dict:
    m = r.mapping(node, where, VOCAB_KEYS, "共用词表")
    if m is None:
        return {}
    kinds = {}
    km = m.get("决算类型")
    if isinstance(km, Map):
        for name, value in km.items():
            vm = r.mapping(value, f"{where} 决算类型 {name}", KIND_KEYS)
            kinds[str(name)] = dict(tables=r.flag(vm.get("含标准表"), f"{where} 决算类型 {name} 含标准表") if vm else False)
    elif km is not None:
        r.err(km, f"{where} 决算类型", "应为映射，例如 {部门决算: {含标准表: 是}}")
    lists = {key: [str(x) for x in (r.texts(m.get(name), f"{where} {name}") or [])]
             for key, name in (("EVALUATION_KINDS", "绩效类型"), ("SANGONG_ITEMS", "三公项目"),
                               ("SANGONG_YEARS", "三公年份"), ("MEETING_ITEMS", "会议培训项目"))}
    return dict(KINDS=kinds, **lists, SANGONG_KEYS=lists["SANGONG_ITEMS"] + lists["MEETING_ITEMS"])


# ---------------------------------------------------------------- files

def _year(r: _Reader, node, where: str) -> int:
    value = r.text(node, where)
    if value is None:
        return 0
    if not YEAR.match(value):
        r.err(node, where, f"“{value}”不是年度（四位数字）")
        return 0
    return int(value)


def _form_set(r: _Reader, root, shown: str, vocab: dict) -> FormSet | None:
    errors_before = len(r.errors)
    m = r.mapping(root, "", TOP_KEYS, "文件顶层")
    if m is None:
        return None
    fs = FormSet(name=r.text(m.get("表式"), "表式") or "", title=r.text(m.get("名称"), "名称") or "",
                 family=r.text(m.get("系列"), "系列") or "", since=_year(r, m.get("起始年度"), "起始年度"),
                 default=r.flag(m.get("默认"), "默认"), path=shown)
    fs.region = r.text(m.get("地区"), "地区", required=False) or ""
    fs.source = r.text(m.get("来源"), "来源", required=False) or ""
    fs.note = r.text(m.get("说明"), "说明", required=False) or ""
    if "单位构成" in m:
        um = r.mapping(m["单位构成"], "单位构成", UNITS_KEYS)
        fs.unit_columns = [str(c) for c in (r.texts(um.get("栏目"), "单位构成 栏目") or [])] if um else []
    if "情况说明" in m:
        fs.sections = [str(s) for s in (r.texts(m["情况说明"], "情况说明") or [])]
    if "共用词表" in m:
        fs.vocabulary = vocab
    tables_node = m.get("表")
    if tables_node is not None and (not isinstance(tables_node, Seq) or not tables_node):
        r.err(tables_node, "表", "“表”应为非空列表，每项一张表")
        tables_node = None
    for i, node in enumerate(tables_node or [], 1):
        spec = _table(r, node, i, vocab, variant=False)
        if spec:
            fs.tables.append(spec)
    variants_node = m.get("变体")
    if variants_node is not None and not isinstance(variants_node, Seq):
        r.err(variants_node, "变体", "“变体”应为列表")
        variants_node = None
    for i, node in enumerate(variants_node or [], 1):
        spec = _table(r, node, i, vocab, variant=True)
        if spec:
            fs.variants.append(spec)
    _check_set(r, fs, clean=len(r.errors) == errors_before)
    fs.cross = _cross(r, m.get("表间勾稽"), {t["id"]: t for t in fs.tables}, "表间勾稽")
    for spec in fs.tables + fs.variants:
        spec.pop("_node", None)
        for c in spec["columns"]:
            c.pop("_node", None)
    return fs


def _check_set(r: _Reader, fs: FormSet, clean: bool = True) -> None:
    """Uniqueness of ids, files and anchors; variants name a table; one 三公 table."""
    for key, what in (("id", "表号"), ("file", "文件"), ("anchor", "锚点")):
        seen: dict[str | None, str] = {}
        for spec in fs.tables:
            value = spec.get(key)
            if value and value in seen:
                node = spec["_node"]
                pos = node.get(what) or (node.get("文件") if key == "anchor" else node.get("标题")) or node
                r.err(pos, spec["id"], f"{what}“{value}”重复（与 {seen[value]} 相同）")
            seen.setdefault(value, spec["id"])
    base = {t["id"]: t for t in fs.tables}
    seen_variants = set()
    for spec in fs.variants:
        if spec["id"] not in base:
            r.err(spec["_node"], spec["id"], f"变体的表号“{spec['id']}”不在本表式的“表”中（{_hint(spec['id'], base)}）")
        else:
            spec.setdefault("file", base[spec["id"]]["file"])
            spec.setdefault("anchor", base[spec["id"]]["anchor"])
        variant_key = (spec["id"], spec["variant"])
        if variant_key in seen_variants:
            r.err(spec["_node"], spec["id"], f"变体“{spec['variant']}”重复")
        seen_variants.add(variant_key)
    sangong = [t["id"] for t in fs.tables if "sangong" in t or t.get("sangong_rows")]
    if len(sangong) > 1:
        r.err(base[sangong[1]]["_node"], sangong[1], f"只能有一张表声明“三公”（已有 {sangong[0]}）")
    primary: dict[str, str] = {}
    for t in fs.tables:
        for concept, ref in t.get("concepts", {}).items():
            if not ref["backup"]:
                if concept in primary:
                    r.err(t["_node"], t["id"], f"用途“{concept}”已由 {primary[concept]} 给出；其余表请加“备选: 是”")
                primary.setdefault(concept, t["id"])
    for t in fs.tables if clean else []:   # a broken 用途 elsewhere would make this a follow-on error
        for concept, ref in t.get("concepts", {}).items():
            if ref["backup"] and concept not in primary:
                r.err(t["_node"], t["id"], f"用途“{concept}”只有备选来源，没有主来源")


def load_form_sets(dirs=None, extra_dirs=()) -> dict[str, FormSet]:
    """Read and validate every ``*.yaml`` under ``dirs`` (default: the package's
    forms/) and then under ``extra_dirs`` (site-specific form sets, e.g.
    ``content/forms``). Raises :class:`ContentErrors` listing every problem."""
    fs_by_name, errors = _load(dirs, extra_dirs)
    if errors:
        raise ContentErrors(errors)
    return fs_by_name


def validate(dirs=None, extra_dirs=()) -> list[ContentError]:
    """Every problem in the form-set files, without raising."""
    return _load(dirs, extra_dirs)[1]


def _load(dirs, extra_dirs=()) -> tuple[dict[str, FormSet], list[ContentError]]:
    errors: list[ContentError] = []
    files = []
    for d in ([FORMS_DIR] if dirs is None else [Path(x) for x in dirs]) + [Path(x) for x in extra_dirs]:
        if Path(d).is_dir():
            files += sorted(Path(d).glob("*.yaml"))
    roots = []
    for path in files:
        shown = shown_path(path)
        try:
            roots.append((read_yaml(path, shown), shown))
        except ContentError as exc:
            errors.append(exc)
    vocab, vocab_file = {}, ""
    for root, shown in roots:
        if isinstance(root, Map) and "共用词表" in root:
            if vocab_file:
                errors.append(at(root.key("共用词表"), "共用词表", f"共用词表只能在一个文件中声明（{vocab_file} 已声明）"))
                continue
            vocab, vocab_file = _vocabulary(_Reader(errors), root["共用词表"]), shown
    if roots and not vocab_file:
        errors.append(ContentError(roots[0][1], 0, 0, "", "没有任何表式文件声明“共用词表”"))
    out: dict[str, FormSet] = {}
    for root, shown in roots:
        fs = _form_set(_Reader(errors), root, shown, vocab)
        if fs is None or not fs.name:
            continue
        if fs.name in out:
            errors.append(at(root["表式"], "表式", f"表式“{fs.name}”重复（{out[fs.name].path} 已有）"))
            continue
        for other in out.values():
            if other.family == fs.family and other.since == fs.since:
                errors.append(at(root["起始年度"], "起始年度",
                                 f"系列“{fs.family}”已有 {fs.since} 年起的版本（{other.path}）"))
        out[fs.name] = fs
    _check_corresponds(out, roots, errors)
    return out, errors


def _check_corresponds(out: dict[str, FormSet], roots, errors) -> None:
    """``对应`` names a table of the default (national) form set."""
    national = {t["id"] for fs in out.values() if fs.default for t in fs.tables}
    for fs in out.values():
        for t in fs.tables:
            if t.get("corresponds") and national and t["corresponds"] not in national:
                errors.append(at(t["corresponds"], f"{t['id']} 对应",
                                 f"“{t['corresponds']}”不是默认表式中的表（{_hint(t['corresponds'], national)}"
                                 f"可用：{'、'.join(sorted(national))}）"))
            if isinstance(t.get("corresponds"), Text):
                t["corresponds"] = str(t["corresponds"])


# ---------------------------------------------------------------- the package's form sets

_CACHE: dict | None = None
_EXTRA_DIRS: tuple[Path, ...] = ()


def form_sets() -> dict[str, FormSet]:
    """The package's form sets, plus those of :func:`use_extra_dirs`, by 表式
    name (validated once, then cached)."""
    global _CACHE
    if _CACHE is None:
        _CACHE = load_form_sets(extra_dirs=_EXTRA_DIRS)
    return _CACHE


def use_extra_dirs(extra_dirs=()) -> dict[str, FormSet]:
    """Read the package's form sets plus every ``*.yaml`` under ``extra_dirs``
    from now on (``()``: the package's only). Raises :class:`ContentErrors`
    and keeps the previous sets when the new files have errors.
    ``registry.use_form_sets`` calls this and refreshes the registry."""
    global _CACHE, _EXTRA_DIRS
    extra = tuple(Path(d) for d in extra_dirs)
    loaded = load_form_sets(extra_dirs=extra)
    _CACHE, _EXTRA_DIRS = loaded, extra
    return loaded


def vocabulary() -> dict:
    """KINDS, EVALUATION_KINDS, SANGONG_ITEMS, SANGONG_YEARS, MEETING_ITEMS, SANGONG_KEYS."""
    return next(fs.vocabulary for fs in form_sets().values() if fs.vocabulary is not None)


def legacy_vocabulary() -> dict:
    return {k: (dict(v) if isinstance(v, dict) else list(v)) for k, v in vocabulary().items()}


def legacy_table_sets(keep: tuple[str, ...] = ()) -> dict[int, dict]:
    """registry.TABLE_SETS: the default form sets keyed by their first year
    (``keep``: extra spec keys to leave in, as FormSet.legacy)."""
    return {fs.since: fs.legacy(keep=keep) for fs in sorted(form_sets().values(), key=lambda f: f.since) if fs.default}


def form_set_for(year: int, name: str = "") -> FormSet | None:
    """The form set a content file uses: ``name`` (a 表式 or a 系列; for a
    系列 the newest version not after ``year``), else the default family."""
    sets = form_sets()
    if name in sets:
        return sets[name]
    pool = [fs for fs in sets.values() if (fs.family == name if name else fs.default)]
    if not pool:
        return None
    usable = [fs for fs in pool if fs.since <= year]
    return max(usable, key=lambda f: f.since) if usable else min(pool, key=lambda f: f.since)


# ---------------------------------------------------------------- reading cells by concept

def read_ref(table, selector: tuple, column, spec: dict | None = None):
    """Read a reference off a model Table (duck-typed: .rows, .col(), .side_row()).

    Returns a Cell, or for ``("level", 1)`` a list of (row, cell), or for a list
    of columns a list of (column name, cell). None where the row is missing."""
    spec = spec or table.spec
    kind = selector[0]
    if kind == "label":
        side = next(s for s, v in spec["sides"].items() if column in v["amounts"])
        row = table.side_row(side, selector[1])
        return row.cell(column) if row is not None else None
    if kind == "level":
        i = table.col(column)
        return [(r, r.cell(i)) for r in table.rows if r.level == selector[1]]
    if kind == "row":
        row = next((r for r in table.rows if r.code == selector[1]), None)
        if row is None:
            return None
        if isinstance(column, list):
            return [(c, row.cell(table.col(c))) for c in column]
        return row.cell(table.col(column))
    if kind == "sum":
        rows = [r for r in table.rows if r.code in selector[1:]]
        return sum((r.cell(table.col(column)).amount for r in rows), Decimal(0)) if rows else None
    raise ValueError(selector)
