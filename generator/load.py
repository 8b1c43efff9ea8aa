"""content/ -> validated model. Structural problems (unknown or missing keys,
wrong types, figures that are not numbers, missing tables) are errors with a
file:line:col address and a business location; all of a build's errors are
collected and raised together as :class:`ContentErrors`."""
from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

from . import formsets, registry, scan
from .amounts import BLANK, FULL_WIDTH, KIND_AUTO, KIND_BLANK, KIND_TEXT, Cell, Kind, NotANumber, make_cell, try_number
from .errors import ContentError, ContentErrors, at
from .model import DeptYear, Evaluation, Review, Row, Section, Shape, Site, Table
from .settings import load_settings
from .reader import INVISIBLE, Map, Seq, Text, decode, invisible_message, position, read_regular, read_yaml
from .scan import EVAL_FILE, SLUG, SLUG_RULE, YEAR_FILE, shown_path  # noqa: F401  (re-exported)

UNITS = ("万元", "元")
MAX_MARKDOWN_BYTES = 2 * 1024 * 1024   # 情况说明.md; the largest real one (content/) is 24 KB
_HEADING = re.compile(r"^[ \t\u3000]*[#＃]")
TRUE = {"是", "true", "True", "yes", "Yes", "1"}
FALSE = {"否", "false", "False", "no", "No", "0", ""}
_PIPE = re.compile(r"(?<!\\)\|")


class Fields:
    """Reads a mapping's known keys; anything left over is an unknown key."""

    def __init__(self, node, where: str, errors: list, what: str = "此处"):
        self.where, self.errors = where, errors
        if not isinstance(node, Map):
            errors.append(at(node, where, f"{what}应为“键: 值”的映射"))
            node = Map()
        self.node = node
        self.used: set[str] = set()

    def raw(self, key: str, required: bool = False):
        self.used.add(key)
        if key in self.node:
            return self.node[key]
        if required:
            self.errors.append(at(self.node, self.where, f"缺少必填项“{key}”"))
        return None

    def text(self, key: str, required: bool = False) -> str:
        value = self.raw(key, required)
        if value is None:
            return ""
        if not isinstance(value, Text):
            self.errors.append(at(value, f"{self.where} {key}", "应为文字，而不是列表或映射"))
            return ""
        if required and not value.strip():
            self.errors.append(at(value, self.where, f"必填项“{key}”为空"))
        return str(value).strip("\n")

    def flag(self, key: str) -> bool:
        value = self.raw(key)
        if value is None:
            return False
        if isinstance(value, Text) and value.strip() in TRUE | FALSE:
            return value.strip() in TRUE
        self.errors.append(at(value, f"{self.where} {key}", "应为“是”或“否”"))
        return False

    def texts(self, key: str) -> list[str]:
        """A list of strings, or one string."""
        value = self.raw(key)
        if value is None:
            return []
        if isinstance(value, Text):
            return [str(value)] if value.strip() else []
        if isinstance(value, Seq) and all(isinstance(v, Text) for v in value):
            return [str(v) for v in value]
        self.errors.append(at(value, f"{self.where} {key}", "应为文字或文字列表"))
        return []

    def done(self) -> None:
        for key in self.node:
            if key not in self.used:
                self.errors.append(at(key, self.where, f"未知的键“{key}”（请检查拼写，可用的键见 docs/编写指南.md）"))


# ---------------------------------------------------------------- rows

def split_row(item: Text) -> list[Text]:
    """``a | b | c`` -> cells, each a Text positioned at its column."""
    raw = str(item)
    if "\\|" in raw:  # escaped pipes: the careful path
        cells, start = [], 0
        for m in list(_PIPE.finditer(raw)) + [None]:
            end = m.start() if m else len(raw)
            piece = raw[start:end]
            lead = len(piece) - len(piece.lstrip())
            cells.append(item.at(start + lead, piece.strip().replace("\\|", "|")))
            if m:
                start = m.end()
        return cells
    cells, offset = [], 0
    path, line, col = item.path, item.line, item.col
    blank = Text("", path, line, col)     # blank cells never carry an error: share one
    for piece in raw.split("|"):
        stripped = piece.strip()
        if stripped:
            cells.append(Text(stripped, path, line, col + offset + len(piece) - len(piece.lstrip())))
        else:
            cells.append(blank)
        offset += len(piece) + 1
    return cells


def column_kind(name: str, context: str) -> Kind:
    """Kind of a declared (non-registry) column, inferred from its printed name."""
    if any(w in name for w in ("执行率", "得分率", "完成率", "控制率")):
        return Kind.RATE if context in ("funds", "table") else Kind.TEXT
    if name in ("分值", "得分", "自评得分", "权重") or name.endswith("得分"):
        return Kind.SCORE
    if context == "funds" and any(w in name for w in ("预算", "执行数", "执行金额", "到位", "金额", "决算数")):
        return Kind.AMOUNT
    return Kind.AUTO if context == "table" else Kind.TEXT


def parse_cells(texts: list[Text], columns: list[dict], where, errors: list) -> list[Cell]:
    """``where`` is the row's business location, or a function returning it
    (only called when there is an error to report)."""
    cells = []
    for text, column in zip(texts, columns):
        kind = column["kind"]
        try:
            if kind == Kind.AUTO:
                value = try_number(text)
                cells.append(Cell(str(text).strip(), value, Kind.AUTO if value is not None else (Kind.BLANK if not text.strip() else Kind.TEXT),
                                  text.line, text.col))
            else:
                cells.append(make_cell(text, kind, text.line, text.col))
        except NotANumber:
            what = {Kind.AMOUNT: "金额", Kind.COUNT: "数字", Kind.RATE: "百分比", Kind.SCORE: "分数"}.get(kind, "数字")
            place = where() if callable(where) else where
            message = f"“{text}”不是{what}"
            if kind == Kind.AMOUNT and not any(ch.isdigit() for ch in text):
                name = column.get("label", column["name"])
                message += (f"：这像是文字，却落在金额栏“{name}”中，可能漏写了“{name}”这一栏"
                            f"（没有数字时也要留一个空栏，写成“| |”），其后各栏因此错位")
            errors.append(ContentError(text.path, text.line, text.col, f"{place} {column.get('label', column['name'])}",
                                       message))
            cells.append(Cell(str(text), None, Kind.TEXT, text.line, text.col))
    return cells


def _source_line(path: str, line: int) -> str:
    """One line of a content file as written (to place the cells of a pasted block)."""
    lines = _SOURCE_LINES.get(path)
    if lines is not None and not (0 < line <= len(lines)):
        lines = None                      # the file changed since (live preview): read it again
    if lines is None:
        try:
            lines = Path(path).read_text(encoding="utf-8-sig").split("\n")
        except (OSError, UnicodeError):
            lines = []
        _SOURCE_LINES.clear() if len(_SOURCE_LINES) > 8 else None
        _SOURCE_LINES[path] = lines
    return lines[line - 1] if 0 < line <= len(lines) else ""


_SOURCE_LINES: dict[str, list[str]] = {}


def block_rows(node: Text) -> list[tuple[Text, list[Text]]]:
    """A table pasted as a YAML block scalar (``行: |``): one row a line, cells
    separated by Tab (as Excel/WPS copy them) or by ``|``. Each row keeps the
    line (and each cell the column) it has in the file."""
    out = []
    for i, raw in enumerate(str(node).split("\n")):
        if not raw.strip():
            continue
        line = node.line + 1 + i
        source = _source_line(node.path, line)
        if raw not in source:
            _SOURCE_LINES.pop(node.path, None)      # changed since it was cached
            source = _source_line(node.path, line)
        indent = source.find(raw) if raw in source else len(source) - len(source.lstrip(" "))
        item = Text(raw, node.path, line, max(indent, 0) + 1)
        out.append((item, _cells_of(item)))
    return out


def _cells_of(item: Text) -> list[Text]:
    """One typed or pasted row -> cells: split at Tabs (copied from Excel/WPS)
    when it has Tabs and no ``|``, else at ``|``."""
    raw = str(item)
    if "\t" not in raw or "|" in raw:
        return split_row(item)
    cells, offset = [], 0
    for piece in raw.split("\t"):
        cells.append(Text(piece.strip(), item.path, item.line, item.col + offset + len(piece) - len(piece.lstrip())))
        offset += len(piece) + 1
    return cells


def _column_names(columns: list[dict]) -> list[str]:
    return [c.get("label", c["name"]) if c.get("label", c["name"]) == c["name"] or not c.get("groups") else c["name"]
            for c in columns]


def width_message(number: int, texts: list[Text], columns: list[dict]) -> str:
    """A row with more cells than the form: the form's columns in order with
    the row's cells under them, and the cells left over."""
    names = _column_names(columns)
    pairs = "；".join(f"{n}：“{t.strip()}”" for n, t in zip(names, texts))
    extra = "、".join(f"“{t.strip()}”" for t in texts[len(columns):])
    return (f"第 {number} 行有 {len(texts)} 栏，表式只有 {len(columns)} 栏。按表式逐栏对照：{pairs}；多出的：{extra}。"
            f"请检查是否多写了“|”，或把一个数字拆成了两栏（千分位请用“,”）")


def _split_code(texts: Sequence[str], parts: int, width: int) -> bool:
    """Is the 科目编码 typed in ``parts`` cells (``201 | 38 | 01``, ``201 | | ``)
    rather than joined (``2013801``)? 类 is 3 digits, 款 and 项 2 each; a total
    row (合计) is split when it has more cells than the form's columns."""
    if len(texts) < parts:
        return False
    head = [t.strip() for t in texts[:parts]]
    tail = head[1:]
    if not all(not t or (t.isdigit() and len(t) == 2) for t in tail):
        return False
    if any(t and not prev for prev, t in zip(tail, tail[1:])):     # 项 without 款
        return False
    if head[0].isdigit():
        if len(head[0]) != 3:
            return False
        if tail[0]:
            return True
        name = texts[parts].strip() if len(texts) > parts else ""
        return len(texts) > width or (bool(name) and try_number(name) is None)
    return not any(tail) and (len(texts) > width or (len(texts) > parts + 1 and not texts[parts].strip()))


def parse_rows(node, columns: list[dict], where: str, errors: list, row_label=None,
               code_parts: int = 0) -> list[Row]:
    """Rows written as a list (``- a | b | c`` or ``- {栏目: 值}``) or pasted
    as a block (``行: |``, Tab- or ``|``-separated). ``code_parts``: the form
    prints the 科目编码 in that many cells (类 | 款 | 项), joined here."""
    rows: list[Row] = []
    if node is None:
        return rows
    items: Sequence[tuple[object, list[Text] | None]]   # (a row's node, its cells when it is a line of text)
    if isinstance(node, Text) and node.strip():
        items = block_rows(node)
    elif not isinstance(node, Seq):
        errors.append(at(node, where, "“行”应为列表（每行以“- ”开头），或从 Excel/WPS 复制后粘贴在“行: |”下面"))
        return rows
    else:
        items = [(item, None) for item in node]    # a text row is split below
    names = [c["name"] for c in columns]
    kinds = [c["kind"] for c in columns]
    for number, (item, texts) in enumerate(items, 1):
        if isinstance(item, Text):
            if texts is None:
                cells = _plain_row(item, kinds, code_parts)
                if cells is not None:
                    rows.append(Row(cells=cells, line=item.line, path=item.path, anchor=str(number)))
                    continue
                texts = _cells_of(item)
            if code_parts > 1 and _split_code(texts, code_parts, len(columns)):
                parts = [t.strip() for t in texts[:code_parts]]
                first = texts[0] if texts[0].strip() else next((t for t in texts[:code_parts] if t.strip()), texts[0])
                texts = [Text("".join(parts), first.path, first.line, first.col)] + texts[code_parts:]
            if len(texts) > len(columns):
                extra = texts[len(columns)]
                if all(not t.strip() for t in texts[len(columns):]):
                    texts = texts[: len(columns)]
                else:
                    errors.append(ContentError(item.path, item.line, extra.col, where,
                                               width_message(number, texts, columns)))
                    texts = texts[: len(columns)]
        elif isinstance(item, Map):
            texts = []
            for key in item:
                if key not in names:
                    errors.append(at(key, where, f"第 {number} 行：没有名为“{key}”的栏目（栏目：{'、'.join(names)}）"))
            for name in names:
                value = item.get(name)
                if value is None:
                    texts.append(Text("", item.path, item.line, item.col))
                elif isinstance(value, Text):
                    texts.append(value)
                else:
                    errors.append(at(value, where, f"第 {number} 行“{name}”应为文字"))
                    texts.append(Text("", item.path, item.line, item.col))
        else:
            errors.append(at(item, where, f"第 {number} 行应为“a | b | c”形式的一行文字或栏目映射"))
            continue
        if len(texts) < len(columns):     # short rows: the missing cells are blank
            texts = list(texts) + [Text("", item.path, item.line, item.col)] * (len(columns) - len(texts))
        cells = parse_cells(texts, columns,
                            lambda: f"{where} {row_label(texts, number) if row_label else f'第{number}行'}", errors)
        rows.append(Row(cells=cells, line=item.line, path=item.path, anchor=str(number)))
    return rows


def _plain_row(item: Text, kinds: list, code_parts: int) -> list[Cell] | None:
    """The cells of a typed row in one pass, for the rows nearly all files
    consist of: ``|``-separated, no escaped ``\\|``, no more cells than the
    form, 科目编码 in one cell, every figure readable. Gives exactly what
    splitting (split_row) and parse_cells give; None sends the row the careful
    way, which also reports its errors."""
    if "\\|" in item or ("\t" in item and "|" not in item):
        return None
    pieces = item.split("|")
    if len(pieces) > len(kinds) or (code_parts > 1 and _split_code(pieces, code_parts, len(kinds))):
        return None
    line, col = item.line, item.col
    cells: list[Cell] = []
    offset = 0
    for piece, kind in zip(pieces, kinds):
        text = piece.strip()
        if not text:
            cells.append(Cell("", None, KIND_BLANK, line, col) if kind == KIND_AUTO else BLANK)
        else:
            at_col = col + offset + len(piece) - len(piece.lstrip())
            if kind == KIND_AUTO:
                value = try_number(text)
                cells.append(Cell(text, value, KIND_AUTO if value is not None else KIND_TEXT, line, at_col))
            else:
                try:
                    cells.append(make_cell(text, kind, line, at_col))
                except NotANumber:
                    return None
        offset += len(piece) + 1
    for kind in kinds[len(pieces):]:       # a short row: the missing cells are blank
        cells.append(Cell("", None, KIND_BLANK, line, col) if kind == KIND_AUTO else BLANK)
    return cells


# ---------------------------------------------------------------- tables

def _subject_label(texts, number):
    code = texts[0].strip()
    return f"科目 {code}" if code and code != "合计" else (code or f"第{number}行")


def _plain_label(texts, number):
    first = texts[0].strip() if texts else ""
    return first if first and not first[0].isdigit() else f"第{number}行"


def _two_sided_label(spec: dict):
    """Row labels of a two-sided table: the 收入 item, else the 支出 item (columns from the form's 两侧)."""
    items = [s["label"] for s in spec.get("sides", {}).values()] or [0]

    def label(texts, number):
        item = next((texts[i].strip() for i in items if i < len(texts) and texts[i].strip()), "")
        return f"第{number}行（{item}）"
    return label


def table_common(f: Fields, table: Table) -> None:
    unit = f.text("单位")
    if unit and unit not in UNITS:
        f.errors.append(at(f.raw("单位"), f"{f.where} 单位".strip(), f"单位“{unit}”不可用：只能是{'或'.join('“%s”' % u for u in UNITS)}"))
        unit = ""
    table.unit = unit or table.unit
    table.note = f.text("注")
    table.remark = f.text("说明")
    table.memo = f.texts("备注")


def load_standard_table(table_id: Text, node, year: int, errors: list,
                        form: formsets.FormSet | None = None) -> Table | None:
    """A table of the department-year's form set ``form`` (a formsets.FormSet;
    default: the default series' version for ``year``)."""
    where = str(table_id)
    fs = form if form is not None else formsets.form_set_for(year)
    assert fs is not None, "no default form set"   # the bundled form sets include the default series
    f = Fields(node, where, errors, "表")
    variant = f.text("版式")
    spec = fs.table(str(table_id), variant)
    if spec is None:
        if variant:
            options = "、".join(s["variant"] for s in fs.variants if s["id"] == table_id) or "无"
            errors.append(at(f.raw("版式"), where, f"表式“{fs.name}”中没有“{table_id}”的版式“{variant}”（可用：{options}）"))
        else:
            ids = [t["id"] for t in fs.tables]
            hint = formsets._hint(str(table_id), ids)
            errors.append(at(table_id, where, f"表式“{fs.name}”中没有“{table_id}”（{hint}本表式的表为：{'、'.join(ids)}；"
                                              f"其他表格请写在“其他表”中）"))
        return None
    columns = [dict(c, label=c.get("label", c["name"])) for c in spec["columns"]]
    table = Table(id=spec["id"], title=f.text("标题") or spec["title"], columns=columns, rows=[], shape=spec["shape"],
                  spec=spec, variant=variant, path=table_id.path, line=table_id.line, anchor=spec["anchor"])
    table_common(f, table)
    label = {"subject": _subject_label, "econ": _subject_label, "two_sided": _two_sided_label(spec)}.get(
        spec["shape"], _plain_label)
    rows_node = f.raw("行", required=True)
    halves = spec.get("halves") or []
    if halves:
        printed = [dict(c, name=f"{h['name']}{c['name']}") for h in halves for c in columns]
        wide = parse_rows(rows_node, printed, where, errors, _halves_label(len(columns)))
        table.rows = _unfold(wide, len(columns), len(halves))
    else:
        table.rows = parse_rows(rows_node, columns, where, errors, label, len(spec.get("code_parts") or []))
    f.done()
    if spec["shape"] in (Shape.SUBJECT, Shape.ECON):
        _classify_codes(table, errors)
    return table


def _halves_label(n: int):
    def label(texts, number):
        codes = [texts[i].strip() for i in range(0, len(texts), n) if texts[i].strip()]
        return f"第{number}行（{'、'.join(codes)}）" if codes else f"第{number}行"
    return label


def _unfold(wide: list[Row], n: int, halves: int) -> list[Row]:
    """Two halves printed side by side -> one logical row per half (all-blank
    halves dropped), the left half's rows first; each keeps its printed row."""
    out = []
    for h in range(halves):
        for number, row in enumerate(wide, 1):
            cells = row.cells[h * n:(h + 1) * n]
            if all(c.kind == Kind.BLANK for c in cells):
                continue
            out.append(Row(cells=cells, line=row.line, path=row.path, anchor=f"{number}-{h + 1}",
                           printed=number, half=h))
    return out


def _classify_codes(table: Table, errors: list) -> None:
    lengths = {3: 1, 5: 2, 7: 3} if table.shape == Shape.SUBJECT else {3: 1, 5: 2}
    totals = ("合计",) if table.shape == Shape.SUBJECT else tuple(table.form_spec["totals"])
    seen: dict[str, int] = {}
    for row in table.rows:
        code = row.cell(0).text
        if code in totals:
            row.code, row.level, row.anchor = code, 0, code
            continue
        if code.isdigit() and len(code) in lengths:
            row.code, row.level, row.anchor = code, lengths[len(code)], code
            if code in seen:
                errors.append(ContentError(row.path, row.line, row.cell(0).col, f"{table.id} 科目 {code}",
                                           f"科目编码重复（第 {seen[code]} 行已有）"))
            seen[code] = row.line
            continue
        expect = "3、5 或 7 位数字" if table.shape == Shape.SUBJECT else "3 或 5 位数字"
        errors.append(ContentError(row.path, row.line, row.cell(0).col, table.id,
                                   f"“{code}”不是科目编码（应为{expect}，或{'、'.join('“%s”' % t for t in totals)}）"))


def load_generic_table(node, where: str, errors: list, context: str = "table", default_title: str = "",
                       anchor: str = "") -> Table | None:
    f = Fields(node, where, errors, "表")
    title = f.text("标题") or default_title
    if title:
        where = f"{where}“{title}”" if not default_title else where
    cols_node = f.raw("列", required=True)
    columns = []
    if isinstance(cols_node, Seq) and cols_node and all(isinstance(c, Text) for c in cols_node):
        columns = [dict(name=str(c), label=str(c), kind=column_kind(str(c), context), group="") for c in cols_node]
    elif cols_node is not None:
        errors.append(at(cols_node, where, "“列”应为栏目名称列表，例如 [项目, 金额]"))
    table = Table(id=anchor, title=title, columns=columns, rows=[], shape=Shape.PLAIN, path=getattr(node, "path", ""),
                  line=getattr(node, "line", 0), anchor=anchor, unit="万元" if context == "funds" else "")
    table_common(f, table)
    if columns:
        table.rows = parse_rows(f.raw("行", required=True), columns, where, errors, _plain_label)
    else:
        f.raw("行")
    f.done()
    return table


def load_other_tables(node, where: str, errors: list, prefix: str) -> list[Table]:
    if node is None:
        return []
    if not isinstance(node, Seq):
        errors.append(at(node, where, "“其他表”应为列表"))
        return []
    tables = []
    for i, item in enumerate(node, 1):
        t = load_generic_table(item, f"{where}第{i}张", errors, anchor=f"{prefix}{i}")
        if t:
            tables.append(t)
    return tables


# ---------------------------------------------------------------- department-year

def load_department_year(path: Path, slug: str, errors: list) -> DeptYear | None:
    shown = shown_path(path)
    named = YEAR_FILE.match(path.name)
    assert named is not None, f"{path}: not a <year>.yaml file"   # callers pass files the scan found by YEAR_FILE
    year = int(named.group(1))
    errors_before = len(errors)
    try:
        root = read_yaml(path, shown)
    except ContentError as exc:
        errors.append(exc)
        return None
    f = Fields(root, "", errors, "文件顶层")
    name = f.text("部门", required=True)
    kind = f.text("类型", required=True)
    if kind and kind not in registry.KINDS:
        errors.append(at(f.raw("类型"), "类型", f"“{kind}”不是可用的类型（{'、'.join(registry.KINDS)}）"))
    declared_year = f.text("年度", required=True)
    if declared_year and declared_year.strip().translate(FULL_WIDTH) != str(year):
        errors.append(at(f.raw("年度"), "年度", f"年度“{declared_year}”与文件名 {path.name} 不一致"))
    dept = DeptYear(slug=slug, year=year, path=shown, name=name, kind=kind, files=[shown])
    form = _form(f, year, errors)
    dept.form, dept.form_obj, dept.unit_columns = form.name, form, list(form.unit_columns)
    dept.supervisor = f.text("主管部门")
    dept.region = f.texts("地区")
    dept.consolidated = f.flag("汇总")
    dept.draft = f.flag("草稿")
    dept.units = _units(f.raw("单位构成"), errors, form.unit_columns)
    dept.source = _source(f.raw("来源", required=True), errors)
    dept.overview = _overview(f.raw("概况"), errors)
    dept.staff = _staff(f.raw("人员"), errors)
    _tables(dept, f.raw("决算表"), f.raw("未公开表"), errors, root.key("决算表") if isinstance(root, Map) else None, form)
    dept.others = load_other_tables(f.raw("其他表"), "其他表", errors, "x")
    _sangong(dept, f.raw("三公经费"), errors)
    dept.terms = _terms(f.raw("名词解释"), errors)
    dept.reviewed = _reviews(f.raw("已核实"), errors)
    f.done()
    # The same rules as the survey (scan.py), which reports every file not read here.
    folder = scan.year_folder(path.parent / str(year))
    if folder.original is not None:
        dept.original = Path(folder.original)
        dept.files.append(shown_path(folder.original))
    if folder.narrative is not None:
        dept.sections = load_sections(Path(folder.narrative), errors)
        dept.files.append(shown_path(folder.narrative))
    for p in folder.evaluations:
        ev = load_evaluation(Path(p), errors)
        dept.files.append(shown_path(p))
        if ev:
            dept.evaluations.append(ev)
    if dept.reviewed and len(errors) == errors_before:
        from .audit import review_errors   # 已核实 entries must each name one finding of the audit
        errors.extend(review_errors(dept))
    return dept


def _form(f: Fields, year: int, errors: list):
    """The form set (表式) the file names with ``表式:`` (a 表式 or a 系列), else
    the default series' version for the year."""
    name = f.text("表式").strip()
    form = formsets.form_set_for(year, name) if name else None
    if name and form is None:
        sets = formsets.form_sets()
        options = "、".join(sorted(sets, key=lambda n: (not sets[n].default, sets[n].since, n)))
        families = "、".join(dict.fromkeys(fs.family for fs in sets.values()))
        errors.append(at(f.raw("表式"), "表式", f"未知的表式“{name}”（{formsets._hint(name, list(sets))}可用：{options}；"
                                              f"也可写系列名：{families}）"))
    return form or formsets.form_set_for(year)


def _units(node, errors, names=()) -> list[dict]:
    """单位构成: the form set's printed columns (全国: 编码、名称、性质; 上海: 序号、单位名称、备注),
    kept by position as code / name / nature."""
    if node is None:
        return []
    names = list(names) or ["编码", "名称", "性质"]
    columns = [dict(name=n, label=n, kind=Kind.TEXT, group="") for n in names]
    return [dict(code=r.cell(0).text, name=r.cell(1).text, nature=r.cell(2).text)
            for r in parse_rows(node, columns, "单位构成", errors)]


def _source(node, errors) -> dict:
    if node is None:
        return {}
    f = Fields(node, "来源", errors)
    src = dict(title=f.text("标题", required=True), publisher=f.text("发布单位", required=True), date=f.text("日期"),
               file=f.text("文件", required=True), notes=f.texts("备注"))
    f.done()
    return src


def _overview(node, errors) -> dict:
    if node is None:
        return {}
    f = Fields(node, "概况", errors)
    result = {k: f.text(k) for k in ("职责", "机构设置", "人员编制")}
    f.done()
    return {k: v for k, v in result.items() if v}


def _staff(node, errors) -> dict:
    if node is None:
        return {}
    f = Fields(node, "人员", errors)
    staff = {}
    for key in ("编制数", "实有人数"):
        value = f.raw(key)
        if value is None:
            continue
        try:
            staff[key] = make_cell(value, Kind.COUNT, value.line, value.col).value if isinstance(value, Text) else None
        except NotANumber:
            errors.append(at(value, f"人员 {key}", f"“{value}”不是数字"))
    f.done()
    return staff


def _tables(dept: DeptYear, node, missing_node, errors, key=None, form=None) -> None:
    form = form if form is not None else formsets.form_set_for(dept.year)
    wants_tables = registry.KINDS.get(dept.kind, {}).get("tables", False)
    ids = [s["id"] for s in form.tables]
    if node is not None:
        if not isinstance(node, Map):
            errors.append(at(node, "决算表", "“决算表”应为以表号（原表不印表号时为标题）为键的映射"))
        else:
            for table_id, table_node in node.items():
                table = load_standard_table(table_id, table_node, dept.year, errors, form)
                if table:
                    dept.tables.append(table)
    if missing_node is not None:
        mf = Fields(missing_node, "未公开表", errors)
        for key in list(mf.node):
            dept.missing[str(key)] = mf.text(key, required=True)
            if key not in ids:
                errors.append(at(key, "未公开表", f"表式“{form.name}”中没有“{key}”（本表式的表为：{'、'.join(ids)}）"))
            elif any(t.id == key for t in dept.tables):
                errors.append(at(key, "未公开表", f"“{key}”已在“决算表”中录入，不能同时列为未公开"))
        mf.done()
    if wants_tables:
        anchor = key if key is not None else node
        for spec in form.tables:
            if not any(t.id == spec["id"] for t in dept.tables) and spec["id"] not in dept.missing:
                what = spec["id"] if spec["id"] == spec["title"] else f"{spec['id']}（{spec['title']}）"
                errors.append(ContentError(dept.path, getattr(anchor, "line", 1), getattr(anchor, "col", 1), "决算表",
                                           f"缺少{what}；原文确实没有此表时，请在“未公开表”中写明理由"))
    dept.tables.sort(key=lambda t: ids.index(t.id) if t.id in ids else len(ids))


def _sangong(dept: DeptYear, node, errors) -> None:
    if node is None:
        return
    f = Fields(node, "三公经费", errors)
    dept.sangong_line = getattr(node, "line", 0)
    for year_key in registry.SANGONG_YEARS:
        sub = f.raw(year_key)
        if sub is None:
            continue
        sf = Fields(sub, f"三公经费 {year_key}", errors)
        items = {}
        for item in registry.SANGONG_KEYS:
            value = sf.raw(item)
            if value is None:
                continue
            if not isinstance(value, Text):
                errors.append(at(value, f"三公经费 {year_key} {item}", "应为金额"))
                continue
            try:
                items[item] = make_cell(value, Kind.AMOUNT, value.line, value.col)
            except NotANumber:
                errors.append(at(value, f"三公经费 {year_key} {item}", f"“{value}”不是金额"))
        sf.done()
        dept.sangong[year_key] = items
    dept.sangong_source = f.text("出处")
    f.done()


def _reviews(node, errors) -> list[Review]:
    """``已核实``: a list of {位置, 说明[, 摘录]} naming findings an editor has
    checked (docs/编写指南.md §9.2). Whether each names a finding is checked
    against the audit once the department-year is loaded."""
    if node is None:
        return []
    if not isinstance(node, Seq):
        errors.append(at(node, "已核实", "应为列表，每项含“位置”和“说明”（可加“摘录”）"))
        return []
    out = []
    for item in node:
        f = Fields(item, "已核实", errors, "已核实的每一项")
        where = f.text("位置", required=True).strip()
        note = f.text("说明", required=True).strip()
        excerpt = f.text("摘录").strip()
        f.done()
        if where and note:
            out.append(Review(where, note, excerpt, getattr(item, "path", ""), getattr(item, "line", 0),
                              getattr(item, "col", 0)))
    return out


def _terms(node, errors) -> list[tuple[str, str]]:
    if node is None:
        return []
    if not isinstance(node, Seq):
        errors.append(at(node, "名词解释", "应为列表，每项含“术语”和“解释”"))
        return []
    terms = []
    for item in node:
        f = Fields(item, "名词解释", errors)
        terms.append((f.text("术语", required=True), f.text("解释", required=True)))
        f.done()
    return terms


def load_sections(path: Path, errors: list) -> list[Section]:
    """情况说明.md -> sections, one per “## 标题”. Linear in the file's size
    (lines are collected per section and joined once); files over
    MAX_MARKDOWN_BYTES are refused. A line that looks like a heading but is
    not “## ” (``##二、``, ``＃＃ ``, ``# ``) is an error: it would silently
    merge its section into the previous one."""
    shown = shown_path(path)
    try:
        text = decode(read_regular(path, shown, MAX_MARKDOWN_BYTES, "情况说明文件"), shown)
    except ContentError as exc:
        errors.append(exc)
        return []
    sections: list[Section] = []
    bodies: list[list[str]] = []
    for number, line in enumerate(text.split("\n"), 1):
        if line.startswith("## "):
            sections.append(Section(line[3:].strip(), f"s{len(sections) + 1}", "", number, shown))
            bodies.append([])
            if not sections[-1].title:
                errors.append(ContentError(shown, number, 1, "情况说明", "“## ”后面没有标题文字"))
            continue
        problem = _heading_problem(line) if _HEADING.match(line) else ""
        if problem:
            where = f"情况说明 {sections[-1].title}" if sections else "情况说明"
            errors.append(ContentError(shown, number, 1, where, problem))
        if not sections:
            if line.strip() and not problem:
                errors.append(ContentError(shown, number, 1, "情况说明", "第一节之前不能有正文：每一节以“## 标题”开头"))
                sections.append(Section("情况说明", "s1", "", number, shown))
                bodies.append([])
            else:
                continue
        bodies[-1].append(line)
    for section, body in zip(sections, bodies):
        section.markdown = "\n".join(body) + "\n" if body else ""
    if not sections:
        errors.append(ContentError(shown, 1, 1, "情况说明", "没有任何“## 标题”开头的小节"))
    hit = INVISIBLE.search(text)
    if hit:
        line0, col0 = position(text, hit.start())
        hit_line, col = line0 + 1, col0 + 1
        title = next((s.title for s in reversed(sections) if s.line <= hit_line), "")
        errors.append(ContentError(shown, hit_line, col, f"情况说明 {title}".strip(), invisible_message(hit.group())))
    return sections


def _heading_problem(line: str) -> str:
    """Why a line starting with # is not a heading the loader reads as meant ("" when it is fine)."""
    stripped = line.lstrip(" \t\u3000")
    hashes = len(stripped) - len(stripped.lstrip("#＃"))
    marks, rest = stripped[:hashes], stripped[hashes:]
    title = rest.strip()
    if hashes > 6:
        return ""
    fixed = f"{'#' * max(hashes, 2)} {title}"
    if not title:
        return "只有“#”号而没有标题文字：请删除这一行，或写成“## 标题”"
    if stripped != line:
        return f"标题前面不能有空格：请把“#”写在行首，写成“{fixed}”"
    if "＃" in marks:
        return f"标题符号“＃”是全角字符：请改用半角“#”，写成“{fixed}”"
    if hashes == 1:
        return f"不能用一级标题“# ”：每一节以二级标题开头，写成“{fixed}”；节内的小标题用“### ”"
    if rest[:1] != " ":
        what = "全角空格" if rest[:1] == "\u3000" else "Tab" if rest[:1] == "\t" else ""
        fix = f"“{marks}”后面应为一个半角空格" + (f"，不能用{what}" if what else "")
        effect = "否则这一节会并入上一节" if hashes == 2 else "否则不会显示为小标题"
        return f"{fix}：请写成“{marks} {title}”，{effect}"
    return ""


# ---------------------------------------------------------------- evaluations

def load_evaluation(path: Path, errors: list) -> Evaluation | None:
    shown = shown_path(path)
    try:
        root = read_yaml(path, shown)
    except ContentError as exc:
        errors.append(exc)
        return None
    slug = path.stem
    f = Fields(root, "绩效", errors, "文件顶层")
    kind = f.text("类型", required=True)
    if kind and kind not in registry.EVALUATION_KINDS:
        errors.append(at(f.raw("类型"), "类型", f"“{kind}”不是可用的绩效类型（{'、'.join(registry.EVALUATION_KINDS)}）"))
    ev = Evaluation(slug=slug, kind=kind, title=f.text("标题", required=True), project=f.text("项目名称"), path=shown)
    ev.supervisor, ev.implementer, ev.date = f.text("主管部门"), f.text("实施单位"), f.text("填报日期")
    label = ev.project or ev.title
    for key, attr, context, title in (("资金", "funds", "funds", "项目资金"), ("年度目标", "goals", "text", "年度目标"),
                                      ("指标", "indicators", "indicators", "绩效指标")):
        node = f.raw(key)
        if node is not None:
            setattr(ev, attr, load_generic_table(node, f"{label} {key}", errors, context, default_title=title, anchor=key))
    if ev.indicators is not None and ev.indicators.columns:
        names = [c["name"] for c in ev.indicators.columns]
        for needed in ("一级指标", "二级指标", "三级指标", "分值", "得分"):
            if needed not in names:
                errors.append(ContentError(shown, ev.indicators.line, 0, f"{label} 指标", f"“列”中缺少“{needed}”"))
    total = f.raw("总分")
    if total is not None:
        tf = Fields(total, f"{label} 总分", errors)
        ev.total_line = total.line
        for key, attr in (("分值", "total_max"), ("得分", "total_score")):
            value = tf.raw(key)
            if value is None:
                continue
            try:
                setattr(ev, attr, make_cell(value, Kind.SCORE, value.line, value.col) if isinstance(value, Text) else None)
            except NotANumber:
                errors.append(at(value, f"{label} 总分 {key}", f"“{value}”不是分数"))
        tf.done()
    ev.grade = f.text("等级")
    ev.others = load_other_tables(f.raw("其他表"), f"{label} 其他表", errors, "x")
    ev.body = f.text("正文")
    ev.memo = f.texts("备注")
    f.done()
    return ev


# ---------------------------------------------------------------- site

def load_site(path: Path, errors: list) -> Site:
    """content/site.yaml: the portal's settings, declared and validated in settings.py."""
    return load_settings(path, errors)


def department_folders(content: Path, errors: list, warnings: list | None = None
                       ) -> tuple[dict[str, list[str]], list[int]]:
    """Department folder -> its year files, and every year, newest first.

    Surveys the whole content tree (scan.py): every file is used, ignored by
    name, or named in an error (appended to ``errors``: a folder name that
    cannot be a URL, a misnamed or misplaced content file, a link or special
    file) or a warning (appended to ``warnings`` when given: a file that is not
    content, e.g. a PDF original)."""
    survey = scan.survey(content)
    errors.extend(survey.errors)
    if warnings is not None:
        warnings.extend(survey.warnings)
    folders = survey.departments
    years = sorted({int(Path(p).stem) for paths in folders.values() for p in paths}, reverse=True)
    return folders, years


_CONTENT_FORMS: list = [None]   # the content/forms folder in use, when one is


def use_content_forms(content: Path, errors: list) -> None:
    """Use the package's form sets plus the site's own under ``content/forms/``
    (back to the package's only when a previous content folder had some).
    Problems in those files are content errors (``file:line:col``)."""
    folder = Path(content) / scan.FORMS_DIR
    if folder.is_dir():
        try:
            registry.use_form_sets([folder])
            _CONTENT_FORMS[0] = folder
        except ContentErrors as exc:
            errors.extend(exc.errors)
    elif _CONTENT_FORMS[0] is not None:
        registry.use_form_sets()
        _CONTENT_FORMS[0] = None


def load_content(content: Path, include_drafts: bool = False, warnings: list | None = None
                 ) -> tuple[Site, list[DeptYear]]:
    """Load everything under ``content``; raise ContentErrors listing every
    problem. Warnings (files that are not content) go to ``warnings`` when given."""
    errors: list[ContentError] = []
    if not content.is_dir():
        raise ContentErrors([ContentError(str(content), 0, 0, "", "内容目录不存在")])
    site = load_site(content / "site.yaml", errors)
    use_content_forms(content, errors)
    depts = []
    for slug, paths in department_folders(content, errors, warnings)[0].items():
        for path in paths:
            dept = load_department_year(Path(path), slug, errors)
            if dept and (include_drafts or not dept.draft):
                depts.append(dept)
    if errors:
        raise ContentErrors(errors)
    return site, depts
