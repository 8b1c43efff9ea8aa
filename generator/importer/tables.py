"""Printed tables -> form tables.

Both readers (xlsx.py, pdf.py) turn their file into a stream of
:class:`Line` s: the cells of one printed line, the block (sheet, ruled table)
it belongs to, and where it was found. :func:`parse_lines` cuts the stream
into :class:`RawTable` s (title, 表号, unit, header rows, data rows, 注/说明),
:func:`merge_continuations` joins a table continued on the next sheet or
page, and :func:`recognise` matches each to a table of a form set by its
printed title and header -- never by its position -- and lays its rows out
the way an editor would have typed them (docs/编写指南.md 4.1). Cells stay
the printed text: nothing is recomputed or corrected.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ..amounts import FULL_WIDTH

_CJK = r"\u3000-\u303f\u3400-\u9fff\uff00-\uffef“”‘’（）《》、，：；"
_SPACE_IN_CJK = re.compile(rf"(?<=[{_CJK}])\s+(?=[{_CJK}\w(])|(?<=[{_CJK}\w)])\s+(?=[{_CJK}])")
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?%?$|^[+-]?\.\d+$")
_TABLE_NO = re.compile(r"公开\s*(\d{1,2})\s*表")
_UNIT = re.compile(r"(?:金额)?单位\s*[：:]\s*(万元|元|千元|亿元)")
_DEPT = re.compile(r"(?:部门|单位|编制单位)(?:名称)?\s*[：:]\s*([^\s：:]+?)(?=\s|$|(?:金额)?单位\s*[：:])")
_PAGE_NO = re.compile(r"^[-—–\s]*(第\s*)?\d+\s*(页)?(\s*[/，,]?\s*共?\s*\d+\s*页?)?[-—–\s]*$")   # - 3 -, 第 3 页 共 12 页, 3/12
_NOTE = re.compile(r"^(注|说明)\s*[：:]\s*")
_CONTINUED = re.compile(r"[（(]?续(表)?\d*[)）]?\s*$|^续表")
CODE_WORDS = {"科目编码", "编码", "功能分类科目编码", "经济分类科目编码", "支出功能分类科目编码", "科目代码"}
SPLIT_CODE = ("类", "款", "项")
NAME_WORDS = {"科目名称", "名称", "项目", "项目(科目)"}
TOTAL_WORDS = ("合计", "总计")
SYNONYMS = {"金额": {"决算数", "本年数", "金额"}, "统计数": {"统计数", "数量", "决算数"}, "小计": {"合计"}}
HEADER_EXTRA = {"项目", "科目编码", "科目名称", "类", "款", "项", "行次", "金额", "决算数", "预算数", "栏次", "收入", "支出",
                "本年支出", "人员经费", "公用经费", "经济分类科目编码", "功能分类科目编码", "编码", "名称", "统计数",
                "本年收入", "合计", "小计"}


def clean(text) -> str:
    """A printed cell as text: line breaks and the spaces that justified
    printing puts between Chinese characters removed, nothing else changed."""
    if text is None:
        return ""
    t = str(text).replace("\r", "\n").replace("\u00a0", " ").strip()
    t = re.sub(r"\s*\n\s*", "\n", t)
    t = re.sub(rf"(?<=[{_CJK}])\n|\n(?=[{_CJK}])", "", t).replace("\n", " ")
    t = _SPACE_IN_CJK.sub("", t)
    return re.sub(r"[ \t]{2,}", " ", t)


def norm(text: str) -> str:
    """For comparing titles and header labels: no spaces, one kind of quote and bracket."""
    t = re.sub(r"\s+", "", text or "")
    t = t.replace("“", "\"").replace("”", "\"").replace("‘", "'").replace("’", "'")
    return t.replace("（", "(").replace("）", ")").replace("：", ":")


def is_number(text: str) -> bool:
    return bool(_NUMBER.match(text.translate(FULL_WIDTH).strip()))


@dataclass
class Line:
    cells: list            # printed text per column; None for the covered part of a merged cell
    block: int | None      # sheet or ruled table the line belongs to; None: free text (PDF)
    where: str             # 工作表“…” / 第N页


@dataclass
class RawTable:
    title: str = ""
    number: str = ""                  # printed 表号, e.g. 公开02表
    unit: str = ""
    dept: str = ""                    # 部门：… printed above the table
    continued: bool = False           # 续表
    header: list = field(default_factory=list)   # header rows (lists, None = merged)
    rows: list = field(default_factory=list)     # data rows, printed text
    note: str = ""
    remark: str = ""
    where: list = field(default_factory=list)
    skipped: int = 0                  # rows of only ellipses (…, 。。。): a blank template's placeholders

    def leaves(self) -> list[str]:
        return leaf_labels(self.header)

    @property
    def figures(self) -> int:
        return sum(1 for r in self.rows for c in r if c and is_number(c))


def leaf_labels(header: list) -> list[str]:
    """Per column, the lowest printed label (merged cells fill down and right)."""
    if not header:
        return []
    width = max(len(r) for r in header)
    out: list[str] = []
    for j in range(width):
        label = ""
        for r in header:
            v = r[j] if j < len(r) else None
            if v:
                label = v
        if not label and out and all((r[j] if j < len(r) else None) is None for r in header):
            label = out[-1]
        out.append(label)
    return out


def _header_vocab(specs) -> set[str]:
    vocab = {norm(w) for w in HEADER_EXTRA | CODE_WORDS | NAME_WORDS}
    for s in specs:
        for c in s["columns"]:
            for k in ("name", "label", "group"):
                if c.get(k):
                    vocab.add(norm(c[k]))
            for g in c.get("groups", []) or []:
                vocab.add(norm(str(g)))
    return vocab


def _context(text: str, t: RawTable) -> bool:
    """Title-area line parts: 表号, 单位, 部门, 续表. True when the text was one."""
    used = False
    if m := _UNIT.search(text):
        t.unit = m.group(1)
        used = True
        text = _UNIT.sub(" ", text)
    if m := _TABLE_NO.search(text):
        t.number = f"公开{int(m.group(1)):02d}表"
        used = True
    if m := _DEPT.search(text):
        t.dept = m.group(1)
        used = True
    if _CONTINUED.search(text):
        t.continued = True
        used = True
    return used


def _rest(text: str) -> str:
    """A title-area line without its 表号, 单位, 部门 and 续表 parts."""
    rest = _UNIT.sub(" ", text)
    rest = _DEPT.sub(" ", rest)
    rest = _TABLE_NO.sub(" ", rest)
    return _CONTINUED.sub("", rest).strip()


def _title_like(text: str) -> bool:
    n = norm(text)
    n = re.sub(r"\([^()]*\)$", "", n)          # 2023年度部门决算表目录(是否空表及理由)
    return len(n) >= 4 and (re.search(r"表(目录)?$", n) is not None or re.search(r"表[(（]?续", n) is not None) \
        and not is_number(n)


def parse_lines(lines: list[Line], specs) -> list[RawTable]:
    """Cut a stream of printed lines into tables."""
    vocab = _header_vocab(specs)
    titles = {norm(s["title"]) for s in specs}
    tables: list[RawTable] = []
    pending = RawTable()
    candidates: list[str] = []
    current: RawTable | None = None
    block = object()
    phase = "context"
    last_note = None

    def finish():
        nonlocal current
        if current is not None and (current.rows or current.header):
            _header_on_total_row(current, vocab)
            kept = [r for r in current.rows if not _placeholder(r)]
            current.skipped += len(current.rows) - len(kept)
            current.rows = kept
            tables.append(current)
        current = None

    def start(where) -> RawTable:
        """Begin a table (``current``, which this returns) at ``where``."""
        nonlocal current, pending, candidates, phase
        t = pending
        if candidates and not t.title:
            match = [c for c in candidates if any(ti in norm(c) for ti in titles)]
            t.title = (match or candidates)[-1]
        sheet = re.fullmatch(r"工作表“(.*)”", where)
        if not t.title and sheet and _title_like(_rest(sheet.group(1))):
            t.title = _rest(sheet.group(1))       # no title row: the sheet's name (e.g. “收入决算表”)
        t.where.append(where)
        current, pending, candidates, phase = t, RawTable(), [], "header"
        return t

    for line in lines:
        cells = [clean(c) if c is not None else None for c in line.cells]
        texts = [c for c in cells if c]
        if not texts:
            continue
        joined = " ".join(texts)
        note = _NOTE.match(texts[0]) if len(texts) <= 2 else None
        if line.block is None:                      # free text around ruled tables (PDF)
            if _PAGE_NO.match(joined):
                continue
            if note and (current or tables):
                target = current or tables[-1]
                last_note = ("note" if note.group(1) == "注" else "remark", target, line.where)
                setattr(target, last_note[0], (getattr(target, last_note[0]) + joined[note.end():]).strip())
                continue
            context = _context(joined, pending)
            rest = _rest(joined)
            if context or _title_like(rest):
                finish()
                last_note = None
                if _title_like(rest):
                    candidates.append(rest)
                continue
            if last_note is not None and not candidates and last_note[2] == line.where:   # a wrapped 注/说明 line
                kind, target, _ = last_note
                setattr(target, kind, getattr(target, kind) + joined)
            elif candidates and _prose(joined):
                candidates = []          # a heading or a sentence: the titles above (e.g. a 目录) are not this table's
            continue
        if line.block is not block:                 # a new sheet or ruled table
            finish()
            block = line.block
            phase = "context"
            last_note = None
        if phase == "context" and line.block is not None and current is None:
            single = len(texts) == 1
            if _context(joined, pending):
                rest = _rest(joined)
                if single and _title_like(rest):
                    candidates.append(rest)
                continue
            if single and not _PAGE_NO.match(joined) and _title_cell(cells):
                candidates.append(texts[0])
                continue
            start(line.where)
        if current is None:
            current = start(line.where)
        if line.where not in current.where:
            current.where.append(line.where)
        if note:
            kind = "note" if note.group(1) == "注" else "remark"
            setattr(current, kind, (getattr(current, kind) + joined[note.end():]).strip())
            phase = "footer"
            continue
        if phase == "footer":
            continue
        if norm(texts[0]) == "栏次":           # 栏次 1 2 3 … under the header: not data
            continue
        if phase == "header" and _is_header(cells, texts, vocab, first=not current.header and (
                bool(current.title) or not tables or current.continued)):
            current.header.append(cells)
            continue
        phase = "data"
        current.rows.append([c or "" for c in cells])
    finish()
    return tables


_HEADING = re.compile(r"^(第[一二三四五六七八九十]+部分|[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）])")


def _prose(text: str) -> bool:
    """A section heading or a sentence of running text (not a table's title area)."""
    t = text.strip()
    return bool(_HEADING.match(t)) or t.endswith(("。", "：", ":")) or len(norm(t)) > 40


def _title_cell(cells) -> bool:
    """A line of a sheet or ruled table with one text that may be a title above
    the table: title-like, or in the first cell with nothing (or a merge) after it.
    A lone text in another column, or beside blank cells of the grid, is a row."""
    idx = next(k for k, c in enumerate(cells) if c)
    if _title_like(cells[idx]):
        return True
    return idx == 0 and all(c is None for c in cells[1:])


def _is_header(cells, texts, vocab, first: bool) -> bool:
    if any(is_number(t) for t in texts):
        return False
    if len(texts) < 2:
        return False
    if texts[0].isdigit():
        return False
    return first or all(norm(t) in vocab for t in texts)


def _header_on_total_row(t: RawTable, vocab) -> None:
    """The lowest header labels printed on the line of the 合计 row (上海
    2024: “合计 | | | | 合计 | 基本支出 | 项目支出 |” under “本年支出”):
    the labels become a header row, the rest stays the 合计 row."""
    if not t.header:
        return
    in_header = len(t.header) > 1 and _starts_with_total(t.header[-1])   # all labels: read as a header row
    if not in_header and not (t.rows and _starts_with_total(t.rows[0])):
        return
    row = [c or "" for c in (t.header[-1] if in_header else t.rows[0])]
    header = t.header[:-1] if in_header else t.header
    filled = [j for j, c in enumerate(row) if c]
    labels = filled[1:]
    if len(labels) < 2 or any(is_number(row[j]) or norm(row[j]) not in vocab for j in labels):
        return
    leaves = leaf_labels(header)
    where = norm(leaves[filled[0]]) if filled[0] < len(leaves) else ""
    if not (where in {norm(w) for w in CODE_WORDS | NAME_WORDS} or where.endswith(("编码", "项目"))):
        return                     # 合计 under a group (三公: 合计 | 因公出国（境）费 …) is a label, not the 合计 row
    above = [leaves[j] if j < len(leaves) else "" for j in labels]
    if len(set(above)) == len(above) or not all(above):     # the labels must split a group that has none
        return
    t.header = header + [[row[j] if j in labels else None for j in range(len(row))]]
    total = [("" if j in labels else c) for j, c in enumerate(row)]
    if in_header:
        t.rows.insert(0, total)
    else:
        t.rows[0] = total


_ELLIPSIS = re.compile(r"^[.…。·⋯]+$")


def _placeholder(row) -> bool:
    """A row printed as ellipses only (“… | …”, “4 | 。。。”): a blank template's
    “and so on”, not a row of figures."""
    filled = [norm(c) for c in row if c]
    dots = [c for c in filled if _ELLIPSIS.match(c)]
    return bool(dots) and all(_ELLIPSIS.match(c) or (c.isdigit() and len(c) <= 3 and j == 0)
                              for j, c in enumerate(filled))


def _starts_with_total(cells) -> bool:
    filled = [c for c in cells if c]
    return bool(filled) and norm(filled[0]) in TOTAL_WORDS


def merge_continuations(tables: list[RawTable]) -> list[RawTable]:
    """A table without a title, or marked 续表, continues the one before it
    when its header (if printed again) is the same."""
    out: list[RawTable] = []
    for t in tables:
        prev = out[-1] if out else None
        same_title = prev is not None and t.title and norm(t.title) == norm(prev.title) and (
            not t.number or t.number == prev.number)
        if prev is not None and (not t.title or t.continued or same_title):
            leaves, pleaves = t.leaves(), prev.leaves()
            if not t.header or [norm(x) for x in leaves] == [norm(x) for x in pleaves]:
                prev.rows.extend(t.rows)
                prev.note = prev.note or t.note
                prev.remark = prev.remark or t.remark
                prev.where.extend(w for w in t.where if w not in prev.where)
                continue
            if not t.header and len(t.rows[0] if t.rows else []) == len(pleaves):
                prev.rows.extend(t.rows)
                continue
        out.append(t)
    return out


# ------------------------------------------------------------------ 单位构成

def units_layout(raw: RawTable, names: list[str]) -> list[list[str]] | None:
    """The rows of a 部门决算单位构成 table in the form set's 单位构成 columns
    (全国: 编码、名称、性质; 上海: 序号、单位名称、备注), matched by the printed
    header labels (单位名称 ~ 名称, 单位性质 ~ 性质); None when it is not one."""
    leaves = [norm(x) for x in raw.leaves()]
    if not leaves or len(leaves) > len(names) + 2 or (raw.title and "单位" not in raw.title):
        return None
    where: dict[int, int] = {}
    for k, name in enumerate(names):
        n = norm(name)
        for j, label in enumerate(leaves):
            if j not in where.values() and label and (label == n or (len(n) >= 2 and (label.endswith(n) or n.endswith(label)))):
                where[k] = j
                break
    if 1 not in where or (len(where) < 2 and len(leaves) > 2) or "单位" not in leaves[where[1]] + norm(raw.title):
        return None
    if any(is_number(c) for r in raw.rows for j, c in enumerate(r) if c and j != where.get(0, 0)):
        return None                      # figures: a table of amounts, not the list of units
    rows = []
    for r in raw.rows:
        cells = [(r[where[k]] if k in where and where[k] < len(r) else "") for k in range(len(names))]
        if any(cells):
            rows.append(_trim(cells))
    return rows


# ------------------------------------------------------------------ recognition

@dataclass
class Recognised:
    raw: RawTable
    spec: dict | None = None          # the form table, None: kept as 其他表
    reason: str = ""                  # why not recognised
    rows: list = field(default_factory=list)      # content rows (lists of printed text)
    columns: list = field(default_factory=list)   # 其他表: printed column labels

    @property
    def figures(self) -> int:
        return sum(1 for r in self.rows for c in r if c and is_number(c))

    @property
    def form(self) -> dict:
        """:attr:`spec` of a table recognised as a form table."""
        assert self.spec is not None, f"{self.raw.title}: kept as 其他表"
        return self.spec


def _label(col: dict) -> str:
    return col.get("label") or col["name"]


def _compatible(printed: str, col: dict) -> bool:
    p = norm(printed)
    names = {norm(_label(col)), norm(col["name"])}
    if p in names:
        return True
    if any(n.endswith(p) and len(p) >= 2 for n in names):      # 收入项目 / 项目
        return True
    if p in {norm(x) for x in SYNONYMS.get(_label(col), ())}:
        return True
    if col.get("kind") == "text" and (p in {norm(w) for w in CODE_WORDS | NAME_WORDS}):
        return True
    return False


def _code_layout(leaves: list[str]) -> tuple[list[int], list[int]] | None:
    """Printed columns that hold the 科目编码: one column, or 类/款/项 side by side.
    Returns (code column indexes, other column indexes)."""
    n = [norm(x) for x in leaves]
    for i in range(len(n) - 2):
        if n[i:i + 3] == list(SPLIT_CODE):
            return list(range(i, i + 3)), [j for j in range(len(n)) if j not in (i, i + 1, i + 2)]
    return None


def _match_columns(leaves: list[str], columns: list[dict]) -> str:
    """'' when the printed leaf labels fit the form columns in order, else why not."""
    if len(leaves) != len(columns):
        return f"表头有 {len(leaves)} 栏，表式为 {len(columns)} 栏"
    for printed, col in zip(leaves, columns):
        if not _compatible(printed, col):
            return f"表头第 {leaves.index(printed) + 1} 栏“{printed}”，表式为“{_label(col)}”"
    return ""


def _titles(spec) -> list[str]:
    return [spec["title"]] + ([spec["id"]] if not re.fullmatch(r"公开\d\d表", spec["id"]) else [])


def find_spec(raw: RawTable, specs) -> tuple[dict | None, str]:
    """The form table whose printed title the table carries (the longest
    title contained in it), or None and why."""
    title = norm(raw.title)
    if not title:
        return None, "没有表标题"
    best = None
    for spec in specs:
        for t in _titles(spec):
            nt = norm(t)
            if nt == title or nt in title:
                if best is None or len(nt) > len(norm(best["title"])):
                    best = spec
    if best is None:
        return None, f"标题“{raw.title}”不是表式中的表"
    return best, ""


def recognise(raw: RawTable, specs) -> Recognised:
    spec, why = find_spec(raw, specs)
    if spec is None:
        return other(raw, why)
    # the same title may have layout variants (公开09表): take the one whose header fits
    family = [s for s in specs if s["id"] == spec["id"]]
    family.sort(key=lambda s: s is not spec)
    reasons = []
    for s in family:
        if norm(s["title"]) != norm(spec["title"]) and len(family) > 1 and norm(s["title"]) not in norm(raw.title):
            continue
        rows, why = layout(raw, s)
        if rows is not None:
            return Recognised(raw, s, rows=rows)
        reasons.append(why)
    return other(raw, f"标题为“{raw.title}”（{spec['id']}），但{reasons[0] if reasons else '表头与表式不符'}")


def other(raw: RawTable, reason: str) -> Recognised:
    leaves = raw.leaves()
    width = max([len(leaves)] + [len(r) for r in raw.rows])
    columns = [(leaves[j] if j < len(leaves) else "") or f"第{j + 1}栏" for j in range(width)]
    seen: dict[str, int] = {}
    for j, c in enumerate(columns):                    # 列 names must be distinct
        if c in seen:
            seen[c] += 1
            columns[j] = f"{c}（{seen[c]}）"
        else:
            seen[c] = 1
    rows = [[c for c in r] for r in raw.rows]
    return Recognised(raw, None, reason, rows=rows, columns=columns)


def layout(raw: RawTable, spec: dict) -> tuple[list | None, str]:
    """The table's rows as the form lays them out, or (None, why)."""
    leaves = raw.leaves()
    if not leaves:
        return None, "没有表头"
    columns = spec["columns"]
    shape = spec["shape"]
    if shape in ("subject", "econ"):
        width = len(columns)
        split = _code_layout(leaves)
        if split is not None:
            codes, others = split
            merged = ["科目编码"] + [leaves[j] for j in others]
            if shape == "subject" and not (why := _match_columns(merged, columns)):
                return _subject_rows(raw.rows, codes, others), ""
        if shape == "econ" and len(leaves) % width == 0 and len(leaves) > width:
            halves = [leaves[i:i + width] for i in range(0, len(leaves), width)]
            if all(not _match_columns(h, columns) for h in halves):
                if len(halves) == len(spec.get("halves") or []):   # the form keeps the halves side by side
                    return [_trim([c or "" for c in r[:len(leaves)]]) for r in raw.rows if any(r)], ""
                return _econ_rows(raw.rows, len(halves), width), ""
        why = _match_columns(leaves, columns)
        if why:
            return None, why
        return _subject_rows(raw.rows, [0], list(range(1, len(leaves)))), ""
    why = _match_columns(leaves, columns)
    if why:
        return None, why
    return [_trim(r[:len(columns)]) for r in raw.rows if any(r)], ""


def _trim(cells: list[str]) -> list[str]:
    cells = list(cells)
    while cells and not cells[-1]:
        cells.pop()
    return cells


def _is_total(text: str) -> bool:
    return norm(text) in TOTAL_WORDS or norm(text).endswith("经费合计")


def _subject_rows(rows, codes: list[int], others: list[int]) -> list[list[str]]:
    out = []
    last = {3: "", 5: ""}
    for r in rows:
        get = lambda j: r[j] if j < len(r) else ""   # noqa: E731
        parts = [norm(get(j)) for j in codes]
        rest = [get(j) for j in others]
        code = "".join(parts)
        if len(codes) > 1 and code.isdigit() and len(code) not in (3, 5, 7):
            # only the 款/项 part printed: prefix the enclosing 类/款
            if parts[0] == "" and len(code) == 2:
                code = (last[5] if parts[1] == "" and last[5] else last[3]) + code
        if code.isdigit() and len(code) in (3, 5):
            last[len(code)] = code
            if len(code) == 3:
                last[5] = ""
        name = rest[0] if rest else ""
        if not code and _is_total(name):
            code, name = norm(name), ""
        if not any([code, name, *rest[1:]]):
            continue
        out.append(_trim([code, name, *rest[1:]]))
    return out


def _econ_rows(rows, halves: int, width: int) -> list[list[str]]:
    body: list[list[str]] = []
    totals: list[list[str]] = []
    for h in range(halves):
        part = [[(r[h * width + j] if h * width + j < len(r) else "") for j in range(width)] for r in rows]
        for cells in _subject_rows(part, [0], list(range(1, width))):
            (totals if _is_total(cells[0]) else body).append(cells)
    return body + totals
