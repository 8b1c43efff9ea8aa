"""``portal import``: a finance office's Excel workbook (.xlsx) or published
text PDF -> one department-year of ordinary content, marked as a draft.

The steps, top to bottom in :func:`run_import`: check the arguments and
refuse to overwrite anything; read the file into printed lines (xlsx.py,
pdf.py); cut them into tables and join continued ones (tables.py); choose
the form set (表式) whose tables the printed titles and headers match
(``--form`` overrides); lay every recognised table out as the form does and
keep every other table as 其他表, except a 部门决算单位构成 table, which
becomes 单位构成; write the YAML (write.py) with what a PDF's text prints
of the department (概况, 主管部门, the name on the cover), and the 情况说明
and 名词解释 found in it; load what was written with the ordinary
loader, run the audit and print a report in Chinese. Figures are the printed
text, never recomputed or corrected.

Exit codes: 0 imported, 1 nothing usable / unreadable file / would
overwrite content, 2 usage.
"""
from __future__ import annotations

import datetime as _dt
import re
from collections import Counter
from pathlib import Path

from . import tables as T
from .write import department_yaml, sections_markdown
from .xlsx import Unreadable

EXCEL = (".xlsx", ".xlsm")
OLD_EXCEL = (".xls", ".et")
RELEVANT = re.compile(r"决算|预算|绩效|经费|收入|支出|财政")


class ImportRefused(Exception):
    def __init__(self, message: str, code: int):
        super().__init__(message)
        self.code = code


def _specs(fs) -> list[dict]:
    return list(fs.tables) + list(fs.variants)


def _choose_form(raws, sets, year: int, wanted: str | None):
    if wanted:
        return sets[wanted], "指定"
    usable = [fs for fs in sets.values() if fs.since <= year] or list(sets.values())

    def score(fs):
        specs = _specs(fs)
        hits = sum(1 for r in raws if T.recognise(r, specs).spec is not None)
        return (hits, fs.default, fs.since)
    best = max(usable, key=score)
    return best, "按表标题和表头识别"


def _doc_title(text_lines, name: str, year: int, kind: str) -> str:
    for _page, text in text_lines[:40]:
        t = T.norm(text)
        if str(year) in t and ("决算" in t or "绩效" in t) and not t.endswith("表") and len(t) <= 60:
            return text.strip()
    return f"{name}{year}年度{kind}"


def _cover_name(text_lines, year: int) -> str:
    """The department's name printed on the cover on its own line just above
    the title (“上海市XX局” / “2024年度部门决算”), or ''."""
    first = [t.strip() for p, t in text_lines[:12] if p == 1 and t.strip()]
    for k, t in enumerate(first[1:], 1):
        n = T.norm(t)
        if n.startswith(f"{year}年") and "决算" in n:
            name = T.norm(first[k - 1])
            if 3 <= len(name) <= 30 and re.search(r"[局委办厅部院府心会所站队处室]$|(（汇总）|\(汇总\))$", name) \
                    and not re.search(r"\d|决算|目录", name):
                return name
            break
    return ""


def run_import(file: str | Path, dept: str, year: int, form: str | None = None, content: str | Path = "content",
               name: str = "", today: _dt.date | None = None, out=print) -> int:
    try:
        return _run(Path(file), dept, year, form, Path(content), name, today or _dt.date.today(), out)
    except ImportRefused as exc:
        out(f"{'用法错误：' if exc.code == 2 else ''}{exc}")
        return exc.code


def _run(path: Path, slug: str, year: int, form, content: Path, name: str, today, out) -> int:
    from .. import formsets
    from ..load import use_content_forms
    from ..scan import RESERVED_SLUGS, SLUG, SLUG_RULE, shown_path

    if not SLUG.match(slug) or slug in RESERVED_SLUGS:
        raise ImportRefused(f"部门文件夹名“{slug}”不可用：{SLUG_RULE}，且不能是 {'、'.join(sorted(RESERVED_SLUGS))}", 2)
    form_errors: list = []
    use_content_forms(content, form_errors)   # the site's own form sets under content/forms/ count too
    if form_errors:
        raise ImportRefused("content/forms/ 中的表式有错误：" + "；".join(str(e) for e in form_errors[:5]), 1)
    if not 1900 <= year <= 2200:
        raise ImportRefused(f"年度“{year}”不是 4 位年份", 2)
    sets = formsets.form_sets()
    if form and form not in sets:
        raise ImportRefused(f"没有表式“{form}”（可用：{'、'.join(sorted(sets))}；portal forms 列出全部表式）", 2)
    suffix = path.suffix.lower()
    if suffix in OLD_EXCEL:
        raise ImportRefused(f"{path.name} 是旧版 Excel 文件（{suffix}），不能直接导入：请在 Excel 或 WPS 中打开，"
                            "“另存为” Excel 工作簿（.xlsx）后再导入", 2)
    if suffix not in EXCEL + (".pdf",):
        raise ImportRefused(f"{path.name}：只能导入 Excel 工作簿（.xlsx）或带文字的 PDF（.pdf）", 2)
    if not path.is_file():
        raise ImportRefused(f"找不到文件 {path}", 2)
    target = content / slug / f"{year}.yaml"
    narrative_md = content / slug / str(year) / "情况说明.md"
    existing = [p for p in (target, narrative_md) if p.exists() or p.is_symlink()]
    if existing:
        raise ImportRefused("内容已存在，导入不会覆盖：" + "、".join(shown_path(p) for p in existing)
                            + "。请先核对或移走这些文件，或换一个部门文件夹名（--dept）", 1)

    all_specs = [s for fs in sets.values() for s in _specs(fs)]
    text_lines: list = []
    try:
        if suffix == ".pdf":
            from .pdf import narrative, read_pdf
            lines, info = read_pdf(path)
            text_lines = info["text"]
        else:
            from .xlsx import read_xlsx
            lines, info = read_xlsx(path)
            if not info["used"]:
                raise ImportRefused(f"{path.name} 中没有任何内容（所有工作表都是空的）：没有导入任何表", 1)
    except Unreadable as exc:
        raise ImportRefused(str(exc), 1) from None
    raws = T.merge_continuations(T.parse_lines(lines, all_specs))
    fs, how = _choose_form(raws, sets, year, form)
    specs = _specs(fs)
    found: list[T.Recognised] = []
    taken: set[str] = set()
    for raw in raws:
        rec = T.recognise(raw, specs)
        if rec.spec is not None and rec.spec["id"] in taken:
            rec = T.other(raw, f"{rec.spec['id']}已由前面的表识别，此表重复")
        if rec.spec is not None:
            taken.add(rec.spec["id"])
        found.append(rec)
    unit_names = list(fs.unit_columns) or ["编码", "名称", "性质"]
    units: list[list[str]] = []
    units_where: list[str] = []
    units_skipped = 0
    for rec in found:
        if rec.spec is None and not units and (rows := T.units_layout(rec.raw, unit_names)):
            units, units_where, rec.reason, units_skipped = rows, rec.raw.where, "units", rec.raw.skipped
    found = [r for r in found if r.reason != "units"]
    standard = [r for r in found if r.spec is not None]
    others = [r for r in found if r.spec is None]
    relevant = [r for r in others if r.figures and RELEVANT.search(r.raw.title or "")]
    if not standard and not relevant:
        seen = "；".join(f"{'、'.join(r.raw.where)}“{r.raw.title or '无标题'}”" for r in found) or "没有任何表格"
        kind = "PDF" if suffix == ".pdf" else "工作簿"
        raise ImportRefused(f"{path.name} 看起来不是决算公开文件：{kind}中没有找到{fs.name}表式的表，"
                            f"也没有含金额的决算、预算或绩效表格（读到：{seen}）。没有写入任何文件", 1)

    names = Counter(r.raw.dept for r in found if r.raw.dept)
    dept_name = name or (names.most_common(1)[0][0] if names else "") or _cover_name(text_lines, year)
    if standard:     # 单位决算 when the cover or a table title says so (not “…事业单位决算” in a sentence)
        titles = [_doc_title(text_lines, dept_name, year, "")] + [r.raw.title for r in found]
        kind = "单位决算" if any("单位决算" in t and "事业单位决算" not in t for t in titles) else "部门决算"
    else:
        kind = "部门整体支出绩效评价"
    placeholder = not dept_name
    dept_name = dept_name or "（请填写部门名称）"

    doc_tables, doc_others = [], []
    order = [s["id"] for s in fs.tables]
    for rec in sorted(standard, key=lambda r: order.index(r.form["id"]) if r.form["id"] in order else 99):
        raw = rec.raw
        memo = [f"导入自 {path.name} {'、'.join(raw.where)}（{today.isoformat()}）；请对照原件核对。"]
        unit = raw.unit if raw.unit and raw.unit != "万元" else ""
        if raw.skipped:
            memo.append(f"原表有 {raw.skipped} 行只印省略号（“…”“。。。”），是空白样表的占位行，没有导入。")
        if unit and unit not in ("元",):
            memo.append(f"原表单位为“{unit}”，平台只接受万元或元：请核对后换算录入。")
        title = raw.title if raw.title and T.norm(raw.title) != T.norm(rec.form["title"]) else ""
        doc_tables.append(dict(id=rec.form["id"], variant=rec.form.get("variant", ""), title=title, unit=unit,
                               rows=rec.rows, note=raw.note, remark=raw.remark, memo=memo))
    for rec in others:
        raw = rec.raw
        memo = [f"导入自 {path.name} {'、'.join(raw.where)}（{today.isoformat()}）：{rec.reason}，作为其他表保留。"]
        unit = raw.unit if raw.unit in ("万元", "元") else ""
        doc_others.append(dict(title=raw.title or f"未命名表（{'、'.join(raw.where)}）", unit=unit,
                               columns=rec.columns, rows=[r[:len(rec.columns)] for r in rec.rows if any(r)],
                               note=raw.note, memo=memo))
    missing = {}
    if standard:
        for spec in fs.tables:
            if spec["id"] not in taken:
                missing[spec["id"]] = (f"导入时在 {path.name} 中没有识别出此表（{spec['title']}）。原文确实没有此表时写明理由；"
                                       "否则请按原件补录到“决算表”并删除本条")
    sections: list[tuple[str, str]] = []
    terms: list[tuple[str, str]] = []
    narrative_pages: list[int] = []
    about: dict[str, str] = {}
    if text_lines:
        from .pdf import overview
        sections, terms, narrative_pages = narrative(text_lines)
        about = overview(text_lines)
    supervisor = _supervisor(lines, dept_name)
    notes = [f"由 portal import 于 {today.isoformat()} 从 {path.name} 导入（{'PDF 第 1–%d 页' % info['pages'] if suffix == '.pdf' else '工作表：' + '、'.join(info['sheets'])}），"
             f"表式{fs.name}（{how}）；草稿，须对照原件逐表核对。"]
    if placeholder:
        notes.append("原文件中没有读到部门名称，请填写“部门”和“发布单位”。")
    if units:
        notes.append(f"单位构成照{'、'.join(units_where)}的表录入（{' | '.join(unit_names)}），请核对"
                     + (f"；原表另有 {units_skipped} 行只印省略号，没有导入。" if units_skipped else "。"))
    if about:
        notes.append(f"概况（{'、'.join(about)}）照 PDF 第一部分的文字导入，请核对分段。")
    if supervisor:
        notes.append(f"主管部门“{supervisor}”照原文中“主管部门”一栏导入，请核对。")
    title = _doc_title(text_lines, dept_name, year, kind)
    if not placeholder and T.norm(title).startswith(str(year)) and T.norm(dept_name) not in T.norm(title):
        title = f"{dept_name}{T.norm(title)}"       # cover: 上海市XX局 / 2024年度部门决算
    doc = dict(name=dept_name, form="" if fs.default else fs.name, year=year, kind=kind,
               title=title, file=path.name, notes=notes,
               tables=doc_tables, missing=missing, others=doc_others, terms=terms, units=units,
               overview=about, supervisor=supervisor)

    target.parent.mkdir(parents=True, exist_ok=True)
    written = [target]
    with open(target, "x", encoding="utf-8") as fh:
        fh.write(department_yaml(doc))
    if sections:
        narrative_md.parent.mkdir(parents=True, exist_ok=True)
        with open(narrative_md, "x", encoding="utf-8") as fh:
            fh.write(sections_markdown(sections))
        written.append(narrative_md)

    _report(out, path, fs, how, standard, others, missing, sections, terms, written, placeholder)
    if info.get("uncached"):
        out(f"注意：{info['uncached']} 个公式单元格没有保存计算结果，已按空白导入。请在 Excel 或 WPS 中打开 {path.name}、"
            "保存后重新导入（先移走刚写入的文件）")
    _audit(out, target, slug)
    return 0


_SUPERVISOR = re.compile(r"^主管部门(?:名称)?\s*[：:]?\s*(.*)$")


def _supervisor(lines, dept_name: str) -> str:
    """主管部门 as printed beside its label (“主管部门 | 某局” in a 绩效自评表,
    “主管部门：某局” in the text), the one printed most; not the department itself."""
    seen: Counter = Counter()
    for line in lines:
        cells = [T.clean(c) for c in line.cells if c]
        for k, c in enumerate(cells):
            m = _SUPERVISOR.match(c)
            if not m:
                continue
            value = m.group(1).strip() or (cells[k + 1] if k + 1 < len(cells) else "")
            value = re.split(r"\s+(?:实施单位|单位|填报)", value)[0].strip()
            if 2 <= len(value) <= 40 and not T.is_number(value) and re.search(r"[局委办厅部院府心会]$", value):
                seen[value] += 1
    if not seen:
        return ""
    value = seen.most_common(1)[0][0]
    return "" if T.norm(value) == T.norm(dept_name) else value


def _report(out, path, fs, how, standard, others, missing, sections, terms, written, placeholder) -> None:
    from ..scan import shown_path
    out(f"已导入 {path.name} → {'、'.join(shown_path(p) for p in written)}（草稿: 是）")
    out(f"表式：{fs.name}（{fs.title}，{how}）")
    out(f"识别的表（{len(standard)} 张，按标题和表头）：")
    for r in standard:
        variant = f"，版式“{r.spec['variant']}”" if r.spec.get("variant") else ""
        shown = r.raw.title or r.spec["title"]
        shown = "" if T.norm(shown) == T.norm(r.spec["id"]) else f" {shown}"       # 上海: the title is the 表号
        out(f"  {r.spec['id']}{shown}{variant}（{'、'.join(r.raw.where)}）："
            f"{len(r.rows)} 行，{r.figures} 个数字")
    if others:
        out(f"未识别的表（{len(others)} 张，已作为“其他表”保留）：")
        for r in others:
            out(f"  “{r.raw.title or '无标题'}”（{'、'.join(r.raw.where)}）：{r.reason}；{len(r.rows)} 行，{r.figures} 个数字")
    if missing:
        out(f"没有找到的表（{len(missing)} 张，已列入“未公开表”，请核对原件）：" + "、".join(missing))
    if sections or terms:
        out(f"情况说明 {len(sections)} 节，名词解释 {len(terms)} 条（从 PDF 文字读取，请核对分段）")
    if placeholder:
        out("没有读到部门名称：请在文件中填写“部门”（或导入时用 --name 指定）")


def _audit(out, target: Path, slug: str) -> None:
    from ..audit import audit, report
    from ..load import load_department_year
    errors: list = []
    dept = load_department_year(target, slug, errors)
    if errors:
        out(f"导入的内容有 {len(errors)} 处需要人工修改（生成网站前必须改正）：")
        for e in errors:
            out(f"  {e}")
    if dept is None:
        return
    for line in report(audit(dept)):
        out(line)
    out("请对照原件逐表核对（见 docs/导入.md），确认无误后把“草稿: 是”改为“草稿: 否”。")
