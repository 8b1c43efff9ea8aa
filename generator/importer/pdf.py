"""Text PDFs -> printed lines, with pdfplumber.

Ruled tables come from pdfplumber's table finder (cell rectangles from the
rules, merged header cells as None); tables printed without rules from the
words' positions (columns where the header's words stand), each read on its
own: the lines outside the ruled tables are cut into regions at the title
areas, the 注/说明 lines and the ruled tables (:func:`_regions`), so a page
may print several tables, ruled or not, one below the other. Text outside the
tables becomes free lines: titles, 表号, 单位, 注/说明, and the 情况说明 and
名词解释 text; page numbers are dropped by the table parser, and a line in
the top or bottom margin printed on many pages (a running header or footer)
before anything else. A table printed without a single figure (an empty
table: header and blank 合计 row) is found from its header under its title. A PDF without a text layer (a scan) is refused.
"""
from __future__ import annotations

import re
from pathlib import Path

from ..amounts import DASHES
from .tables import _PAGE_NO, Line, clean, is_number
from .xlsx import Unreadable

_Y_TOLERANCE = 3


def _group_lines(words: list[dict]) -> list[list[dict]]:
    lines: list[list[dict]] = []
    for w in sorted(words, key=lambda w: (round(w["top"]), w["x0"])):
        if lines and abs(lines[-1][0]["top"] - w["top"]) <= _Y_TOLERANCE:
            lines[-1].append(w)
        else:
            lines.append([w])
    return [sorted(line, key=lambda w: w["x0"]) for line in lines]


def _line_text(words: list[dict]) -> str:
    return clean(" ".join(w["text"] for w in words))


_SPREAD = re.compile(r"^[\u4e00-\u9fff]$")


def _cells_by_gap(words: list[dict], gap: float) -> list[list[dict]]:
    """Words of one line into cells: a gap wider than ``gap`` starts a new
    cell, and so does a word after a 科目编码 or a figure (digits followed by
    a name: “2,358.27 一、一般公共服务支出” set close together)."""
    cells: list[list[dict]] = []
    for w in words:
        prev = cells[-1][-1]["text"] if cells else ""
        if cells and _SPREAD.match(prev) and _SPREAD.match(w["text"]) and w["x0"] - cells[-1][-1]["x1"] <= gap * 3 \
                and all(_SPREAD.match(x["text"]) for x in cells[-1]):
            cells[-1].append(w)                 # 合    计: one word justified over its cell
            continue
        after_code = cells and (prev.isdigit() or is_number(prev)) and not w["text"][:1].isdigit() \
            and not is_number(w["text"]) and w["text"][:1] not in ".%,)）"
        if cells and w["x0"] - cells[-1][-1]["x1"] <= gap and not after_code:
            cells[-1].append(w)
        else:
            cells.append([w])
    return cells


def _cell_text(cell: list[dict]) -> str:
    return clean(" ".join(w["text"] for w in cell))


def _overlap(a: tuple, b: tuple) -> float:
    return min(a[1], b[1]) - max(a[0], b[0])


_TOTAL = re.compile(r"^(合计|总计)$")
_FREE = re.compile(r"单位\s*[：:]|公开\s*\d+\s*表|^(注|说明)\s*[：:]|表$")


def _without_figures(lines: list[list[dict]], split: list, outside: list, size: float) -> list[int]:
    """The body lines of a table printed without a single figure (an empty
    table: its header and a blank 合计 row; a list of text): below the first
    line of three or more cells (the header, with the lines of its labels
    wrapped close under it), the lines of two or more cells or a 合计, up to
    the first 注/说明 or page number."""
    heads = [i for i, cells in enumerate(split) if len(cells) >= 3 and not outside[i]
             and not _FREE.search(_line_text(lines[i]))]
    if not heads:
        return []
    labels = [_cell_text(c) for c in split[heads[0]]]
    if any(re.search(r"[，。；、：:,;]", t) or len(t) > 16 for t in labels) or \
            not any(_FREE.search(_line_text(lines[k])) for k in range(max(0, heads[0] - 4), heads[0])):
        return []                   # a header is short labels under a title or 单位 line, not a sentence
    i = heads[0] + 1
    while i < len(lines) and lines[i][0]["top"] - lines[i - 1][0]["top"] < size * 1.6 \
            and not _TOTAL.match(_line_text(lines[i])):
        i += 1                      # a header label wrapped onto the next line
    body = []
    for k in range(i, len(lines)):
        text = _line_text(lines[k])
        if outside[k] or (len(split[k]) == 1 and _FREE.search(text)):
            break                   # 注/说明, a page number, the next table's title
        if len(split[k]) >= 2 or _TOTAL.match(text):
            body.append(k)
    return body


def _unruled(lines: list[list[dict]], size: float):
    """A table printed without rules, from the words' positions.

    The body runs from the first to the last line with figures (page numbers
    and 注/说明 excepted). Its columns come from the body's cells (figures
    line up on their right edge, text on its left edge); each column owns the
    page up to the middle of the gap to its neighbours. A header label belongs
    to the column whose strip holds its centre; a label over a strip that
    already has one nearer the column, or over no strip, is a column the body
    leaves blank; a label wrapped over lines is joined, a group label above
    (farther than a line's leading) is left out. Returns (first line index,
    last line index, rows, header row count) or None."""
    split = [_cells_by_gap(ln, size * 1.0) for ln in lines]

    def figures(cells):
        return sum(1 for c in cells if is_number(_cell_text(c)) or (_cell_text(c) in DASHES and _cell_text(c) != "-"))
    outside = [bool(re.match(r"^(注|说明)\s*[：:]", _line_text(ln)) or _PAGE_NO.match(_line_text(ln))) for ln in lines]
    numeric = [i for i, cells in enumerate(split) if len(cells) >= 2 and figures(cells) and not outside[i]]
    if not numeric:
        numeric = _without_figures(lines, split, outside, size)
        if not numeric:
            return None
    else:
        first, last = numeric[0], numeric[-1]
        above = [len(split[i]) for i in range(max(0, first - 3), first)]
        wide = [i for i in numeric if len(split[i]) >= 3]
        if not (len(wide) >= 2 or (wide and figures(split[wide[0]]) >= 3)
                or (len(numeric) >= 2 and max(above, default=0) >= 3)):
            return None
    first, last = numeric[0], numeric[-1]
    head = first
    while head > 0 and not figures(split[head - 1]) and lines[head][0]["top"] - lines[head - 1][0]["top"] < size * 4 \
            and not re.search(r"单位\s*[：:]|公开\s*\d+\s*表|^(注|说明)\s*[：:]", _line_text(lines[head - 1])):
        head -= 1
    while head < first and len(split[head]) == 1 and _line_text(lines[head]).endswith("表"):
        head += 1
    # body lines above the first figure (e.g. “一、政府采购情况”) belong to the header
    # only when they sit in a header-like block; single cells directly above figures are rows
    while first > head and len(split[first - 1]) == 1 and not _line_text(lines[first - 1]).endswith(("费", "数")):
        first -= 1
    tol = size
    cols: list[dict] = []
    for cells in split[first:last + 1]:
        for c in cells:
            if _cell_text(c) in DASHES and len(cells) > 1:
                continue                   # —— stands anywhere in its cell: placed by its centre below
            x0, x1, num = c[0]["x0"], c[-1]["x1"], is_number(_cell_text(c))
            for col in cols:
                if (num and col["num"] and abs(col["r"] - x1) <= tol) or \
                        (not num and not col["num"] and abs(col["l"] - x0) <= tol) or \
                        (_overlap((x0, x1), (col["x0"], col["x1"])) > 0 and col["num"] == num):
                    col["x0"], col["x1"] = min(col["x0"], x0), max(col["x1"], x1)
                    break
            else:
                cols.append(dict(num=num, l=x0, r=x1, x0=x0, x1=x1))
    cols.sort(key=lambda c: c["x0"])
    merged: list[dict] = []
    for col in cols:                       # a column of codes and words (合计) is one column
        if merged and _overlap((col["x0"], col["x1"]), (merged[-1]["x0"], merged[-1]["x1"])) > 0:
            merged[-1]["x0"], merged[-1]["x1"] = min(merged[-1]["x0"], col["x0"]), max(merged[-1]["x1"], col["x1"])
            merged[-1]["num"] = merged[-1]["num"] and col["num"]
        else:
            merged.append(col)
    cols = merged

    def zones(cols):
        """Each column owns the page up to the middle of the gap to its neighbours."""
        bounds = [(cols[j]["x1"] + cols[j + 1]["x0"]) / 2 for j in range(len(cols) - 1)]
        edges = [-1e9] + bounds + [1e9]
        return [(edges[j], edges[j + 1]) for j in range(len(cols))]

    def inside(zone, x):
        return zone[0] <= x < zone[1]

    header_cells = [[(c[0]["x0"], c[-1]["x1"], _cell_text(c)) for c in cells] for cells in split[head:first]]

    def labelled(f, columns) -> bool:
        """A column already made for this label, or for another line of it
        (a label wrapped over lines: 政府性基金 / 预算财政拨 / 款)."""
        for c in columns:
            g = c.get("label_of")
            if g == f:
                return True
            if g is not None and (abs((g[0] + g[1]) / 2 - (f[0] + f[1]) / 2) <= size or abs(g[0] - f[0]) <= size):
                c["x0"], c["x1"] = min(c["x0"], f[0]), max(c["x1"], f[1])
                return True
        return False
    for _round in range(2):                # labels over columns the body leaves blank
        z = zones(cols)
        added: list[dict] = []
        for frags in header_cells:
            for j, col in enumerate(cols):
                hits = [f for f in frags if inside(z[j], (f[0] + f[1]) / 2)]
                if len(hits) < 2:
                    continue
                anchor = col["x1"] if col["num"] else col["x0"]
                keep = min(hits, key=lambda f: abs((f[1] if col["num"] else f[0]) - anchor))
                for f in hits:
                    if f is not keep and not labelled(f, cols + added):
                        added.append(dict(num=True, l=f[0], r=f[1], x0=f[0], x1=f[1], label_of=f))
            for f in frags:
                if not any(inside(zz, (f[0] + f[1]) / 2) for zz in z) and not labelled(f, cols + added):
                    added.append(dict(num=True, l=f[0], r=f[1], x0=f[0], x1=f[1], label_of=f))
        cols = sorted(cols + added, key=lambda c: c["x0"])
    z = zones(cols)
    labels = []
    for j, col in enumerate(cols):
        picked: list[tuple] = []            # (line, fragment): the lowest, and the lines of a wrapped label above it
        picked_line: int                    # header line of picked[0]: set with it
        for i in range(len(header_cells) - 1, -1, -1):
            hits = [f for f in header_cells[i] if inside(z[j], (f[0] + f[1]) / 2)]
            if not hits:
                if picked:
                    break
                continue
            anchor = col["x1"] if col["num"] else col["x0"]
            f = min(hits, key=lambda f: abs((f[1] if col["num"] else f[0]) - anchor))
            if picked:
                low, low_line = picked[0], picked_line
                wrapped = lines[head + low_line][0]["top"] - lines[head + i][0]["top"] <= size * 1.45
                if not wrapped or (abs((f[0] + f[1]) / 2 - (low[0] + low[1]) / 2) > size and abs(f[0] - low[0]) > size):
                    break
            picked_line = i
            picked.insert(0, f)
        labels.append("".join(f[2] for f in picked))
    header = [labels]
    if len(cols) < 3:
        return None
    body: list[list[str]] = []
    for cells in split[first:last + 1]:
        row = [""] * len(cols)
        for c in cells:
            iv = (c[0]["x0"], c[-1]["x1"])
            key = (iv[0] + iv[1]) / 2
            zone = next((k for k, zz in enumerate(z) if inside(zz, key)), None)
            j = zone if zone is not None else max(range(len(cols)), key=lambda k: (_overlap(iv, z[k]), -abs(key - z[k][0])))
            row[j] = (row[j] + _cell_text(c)) if row[j] else _cell_text(c)
        filled = [j for j, v in enumerate(row) if v]
        if len(filled) == 1 and filled[0] >= 1 and body and body[-1][filled[0]] and not is_number(row[filled[0]]):
            body[-1][filled[0]] += row[filled[0]]        # a name wrapped onto the next line
            continue
        body.append(row)
    return head, last, header + body, len(header)


_TITLE_AREA = re.compile(r"单位\s*[：:]|公开\s*\d+\s*表|^(?:部门|编制单位|单位)(?:名称)?\s*[：:]|^续表|[（(]续表?\d*[)）]\s*$")
_NOTE_LINE = re.compile(r"^(注|说明)\s*[：:]")


def _regions(lines: list[list[dict]], boxes: list[tuple], size: float) -> list[tuple[int, int]]:
    """The page's lines (outside the ruled tables) cut into regions that hold
    at most one table each, as (start, end) index ranges: a region starts at
    the first line of a title area (the title, 表号, 部门/单位 lines: 公开07表,
    “……决算表”, 单位：万元, 续表), at a 注/说明 line (which ends the table
    above), and below a ruled table (the text above and below it are not one
    table). Each region's columns are read on their own: the tables on one
    page seldom share their column positions."""
    from .tables import _title_like

    def title_area(ln) -> bool:
        """A title-area line: short (a row of a 目录 table, 公开01表 | 收入支出决算总表 | 否, is not one)."""
        text, cells = _line_text(ln), len(_cells_by_gap(ln, size))
        return (cells <= 2 and _TITLE_AREA.search(text) is not None) or (cells == 1 and _title_like(text))
    titles = [title_area(ln) for ln in lines]
    cuts = [0]
    for i in range(1, len(lines)):
        above, below = lines[i - 1][0]["top"], lines[i][0]["top"]
        ruled = any(above < (b[1] + b[3]) / 2 < below for b in boxes)
        if ruled or (titles[i] and not titles[i - 1]) or _NOTE_LINE.match(_line_text(lines[i])):
            cuts.append(i)
    cuts.append(len(lines))
    return [(a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def read_pdf(path: Path) -> tuple[list[Line], dict]:
    try:
        import pdfplumber
    except ImportError as exc:  # pragma: no cover
        raise Unreadable("读取 PDF 需要 pdfplumber：请运行 make site（或 pip install -e '.[import]'）") from exc
    try:
        pdf = pdfplumber.open(path)
    except Exception as exc:
        raise Unreadable(f"无法读取 {path.name}：文件已损坏或不是 PDF") from exc
    lines: list[Line] = []
    text_lines: list[tuple[int, str]] = []
    block_counter = [0]
    with pdf:
        try:
            pages = list(pdf.pages)
        except Exception as exc:
            raise Unreadable(f"无法读取 {path.name}：文件已损坏或不是 PDF") from exc
        if not pages:
            raise Unreadable(f"{path.name} 没有页面")
        try:
            has_text = any(page.chars for page in pages)
        except Exception as exc:
            raise Unreadable(f"无法读取 {path.name}：文件已损坏或不是 PDF") from exc
        if not has_text:
            raise Unreadable(f"{path.name} 没有文字层（可能是扫描件或图片）：无法读取其中的表格。"
                             "请向财政部门索取 Excel 文件或带文字的 PDF，或按 docs/编写指南.md 手工录入")
        margins: list[tuple[int, str]] = []          # (page, text) of free lines in the top or bottom margin
        for number, page in enumerate(pages, 1):
            where = f"第{number}页"
            try:
                _read_page(page, number, where, lines, text_lines, block_counter, margins)
            except Unreadable:
                raise
            except Exception as exc:
                raise Unreadable(f"无法读取 {path.name} 第{number}页（{type(exc).__name__}）：文件可能已损坏。"
                                 "请另存一份 PDF 或改用 Excel 文件导入") from exc
    running = _running(margins, len(pages))
    if running:
        lines = [ln for ln in lines if not (ln.block is None and (ln.where, ln.cells[0]) in running)]
        text_lines = [(n, t) for n, t in text_lines if (f"第{n}页", t) not in running]
    return lines, {"pages": len(pages), "text": text_lines}


_CONTEXT_TEXT = re.compile(r"单位\s*[：:]|公开\s*\d+\s*表|^(注|说明)\s*[：:]")


def _running(margins: list[tuple[int, str]], pages: int) -> set[tuple[str, str]]:
    """Page headers and footers: a line in the top or bottom margin printed on
    many pages (digits aside: 第 3 页 / 共 12 页). Never a 单位/表号/注 line."""
    def key(text):
        return re.sub(r"\d+", "#", re.sub(r"\s+", "", text))
    on: dict[str, set[int]] = {}
    for n, t in margins:
        on.setdefault(key(t), set()).add(n)
    repeated = {k for k, ns in on.items() if len(ns) >= max(3, 0.4 * pages)}
    return {(f"第{n}页", t) for n, t in margins if key(t) in repeated and not _CONTEXT_TEXT.search(t)}


def _read_page(page, number: int, where: str, lines: list, text_lines: list, block_counter: list,
               margins: list) -> None:
    found = [t for t in page.find_tables() if max((len(r) for r in t.extract()), default=0) >= 2]
    boxes = [t.bbox for t in found]
    items: list[tuple[float, int, str | tuple[int, list]]] = []   # (top, kind, line text | (block, rows))
    for t in found:
        block_counter[0] += 1
        items.append((t.bbox[1], 1, (block_counter[0], t.extract())))
    words = [w for w in page.extract_words(keep_blank_chars=False, use_text_flow=False, x_tolerance=1.5)
             if not any(b[0] - 1 <= (w["x0"] + w["x1"]) / 2 <= b[2] + 1 and b[1] - 1 <= w["top"] <= b[3] + 1
                        for b in boxes)]
    grouped = _group_lines(words)
    heights = sorted(w["bottom"] - w["top"] for w in words)
    size = heights[len(heights) // 2] if heights else 10    # the usual text size on the page
    taken: set[int] = set()
    for start, end in _regions(grouped, boxes, size):
        unruled = _unruled(grouped[start:end], size)
        if unruled is not None:
            head, last, rows, _n = unruled
            block_counter[0] += 1
            taken.update(range(start + head, start + last + 1))
            items.append((grouped[start + head][0]["top"], 1, (block_counter[0], rows)))
    free = [ln for i, ln in enumerate(grouped) if i not in taken]
    for ln in free:
        items.append((ln[0]["top"], 0, _line_text(ln)))
        text_lines.append((number, _line_text(ln)))
        if ln[0]["top"] < page.height * 0.1 or max(w["bottom"] for w in ln) > page.height * 0.9:
            margins.append((number, _line_text(ln)))
    items.sort(key=lambda x: (x[0], x[1]))
    for _top, _kind, item in items:
        if isinstance(item, str):   # kind 0
            lines.append(Line([item], None, where))
        else:
            b, rows = item
            for r in rows:
                lines.append(Line(list(r), b, where))


# ------------------------------------------------------------------ narrative

_PART = re.compile(r"^第[一二三四五六七八九十]+部分")
_SECTION = re.compile(r"^[一二三四五六七八九十]+、\S")
_SUBSECTION = re.compile(r"^[（(][一二三四五六七八九十]+[)）]\s*\S")
_TERM = re.compile(r"^(?:\d+[.、．]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+、)\s*([^：:，。]{2,30})[：:]\s*(.+)$")
_TOC_PAGE = re.compile(r"(\s*[.…·]{2,}\s*\d*|\s+\d+)$")     # 一、收入决算表 ….. 4
_ITEM = re.compile(r"^(\d+[、.．]|[（(][一二三四五六七八九十\d]+[)）]|[一二三四五六七八九十]+是)")
OVERVIEW_KEYS = (("职责", re.compile(r"职责|职能")), ("机构设置", re.compile(r"机构|单位构成|组成")),
                 ("人员编制", re.compile(r"人员|编制")))


def _part(t: str) -> str:
    if "名词解释" in t:
        return "terms"
    if "情况说明" in t:
        return "notes"
    if "概况" in t:
        return "overview"
    return ""


def _parts(text_lines: list[tuple[int, str]]):
    """(part, page, line) for every line under a 第N部分 heading. A part printed
    again (the 目录 first, then the text) starts over: what the 目录 listed is
    only headings."""
    part = ""
    out: list[tuple[str, int, str]] = []
    for page, text in text_lines:
        t = text.strip()
        if not t or re.fullmatch(r"[-—–\s]*\d+[-—–\s]*", t):
            continue
        if _PART.match(t):
            part = _part(t)
            if part:
                out = [x for x in out if x[0] != part]
            continue
        if part:
            out.append((part, page, t))
    return out


def narrative(text_lines: list[tuple[int, str]]) -> tuple[list[tuple[str, str]], list[tuple[str, str]], list[int]]:
    """(情况说明 sections, 名词解释 terms, pages used) from the text outside tables."""
    sections: list[tuple[str, list[str]]] = []
    terms: list[tuple[str, str]] = []
    pages: set[int] = set()
    for part, page, t in _parts(text_lines):
        if part == "notes":
            if _SECTION.match(t):
                sections.append((_TOC_PAGE.sub("", t), []))
                pages.add(page)
            elif sections:
                sections[-1][1].append(t)
                pages.add(page)
        elif part == "terms":
            m = _TERM.match(t)
            if m:
                terms.append((m.group(1).strip(), m.group(2).strip()))
                pages.add(page)
            elif terms:
                terms[-1] = (terms[-1][0], terms[-1][1] + t)
    return [(title, "".join(body)) for title, body in sections], terms, sorted(pages)


def overview(text_lines: list[tuple[int, str]]) -> dict[str, str]:
    """概况 (职责, 机构设置, 人员编制) from the part “第一部分 …概况”: each
    “一、”/“（一）” heading that names one of them starts it; the text under it,
    in paragraphs, is the value. Nothing when the part or the headings are absent."""
    from .tables import RawTable, _context, _title_like
    found: dict[str, list[list[str]]] = {}
    target: str | None = None
    wrapped = False
    for part, _page, t in _parts(text_lines):
        if part != "overview":
            continue
        if wrapped:                       # the rest of a heading wrapped over lines: （…本部分内容 / 为“机构设置”）
            wrapped = t.count("（") + t.count("(") > t.count("）") + t.count(")")
            continue
        if _title_like(t) or _context(t, RawTable()) or re.match(r"^(注|说明)\s*[：:]", t):
            break                         # the tables have begun
        heading = _SECTION.match(t) or _SUBSECTION.match(t)
        if heading and len(t) <= 40 and not t.endswith("。"):
            wrapped = t.count("（") + t.count("(") > t.count("）") + t.count(")")
            key = next((k for k, rx in OVERVIEW_KEYS if rx.search(t)), None)
            if key is not None and key == target and _SUBSECTION.match(t) and not any(found[key]):
                continue                  # 一、主要职责及内设机构 / （一）主要职责: the same heading again
            if key is not None and (key != target or _SECTION.match(t)):
                target = key
                found.setdefault(key, [])
                if _SUBSECTION.match(t) and not found[key]:
                    continue
                found[key].append([])
                if _SUBSECTION.match(t):
                    found[key][-1].append(f"**{t}**")
                    found[key].append([])
                continue
            if _SECTION.match(t) and key is None:
                target = None
                continue
        if target is None:
            continue
        paras = found[target]
        if not paras:
            paras.append([])
        if paras[-1] and (_ITEM.match(t) or paras[-1][-1].endswith(("。", "；", "：", ":"))):
            paras.append([])
        paras[-1].append(t)
    out = {}
    for key, paras in found.items():
        text = "\n\n".join("".join(p) for p in paras if p)
        if text.strip():
            out[key] = text.strip()
    return out
