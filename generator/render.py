"""Page contexts -> files: HTML through Jinja (autoescaped, templates compiled
once), CSV/JSON downloads through their own small writers, static assets
copied, sitemap and robots. Paths inside pages are relative, so the site
works under any base URL and from any plain web server."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
from collections.abc import Set
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from urllib.parse import urlsplit

import jinja2
from html import escape as _html_escape

from markupsafe import Markup, escape as _markup_escape

from . import facts, registry
from .amounts import KIND_AMOUNT, Kind, fmt_plain
from .model import DeptYear, Finding, Shape, Site, Table
from .pages import Page
from .urls import dept_dir, original_url, root_of, table_file

PACKAGE = Path(__file__).resolve().parent
# installed: inside the package (pyproject maps templates/ there); source tree: templates/ beside it
TEMPLATES = PACKAGE / "templates" if (PACKAGE / "templates").is_dir() else PACKAGE.parent / "templates"
STATIC = PACKAGE / "static"
FRAGMENTS = ".fragments"  # per-department pieces of data/all-tables.csv, removed before publishing


def plotly_bundle() -> Path:
    """The partial plotly.js bundle installed by `make` (npm), else the full
    bundle shipped inside the plotly Python package."""
    vendor = STATIC / "vendor" / "plotly-basic.min.js"
    if vendor.exists():
        return vendor
    import plotly
    return Path(plotly.__file__).parent / "package_data" / "plotly.min.js"


def _script_json(value) -> str:
    """JSON safe inside <script type=application/json>."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _json_default(value):
    if isinstance(value, Decimal):
        return fmt_plain(value)
    raise TypeError(type(value))


class _Environment(jinja2.Environment):
    """Jinja, reading ``t.id`` on a dict as ``t["id"]`` first. Page contexts
    are dicts, and Jinja's own order (the attribute, then the item) raised
    and caught an AttributeError for every such lookup: 200,000 per 200
    departments. A dict's methods (``t.get``, ``x.items``) are still found
    when no key has their name."""

    def getattr(self, obj, attribute):
        if type(obj) is dict:
            try:
                return obj[attribute]
            except KeyError:
                pass
        return super().getattr(obj, attribute)


@lru_cache(maxsize=4)
def environment(template_dir: str = str(TEMPLATES)) -> jinja2.Environment:
    # auto_reload off: no stat of every template on every page; the preview clears this cache
    # (environment.cache_clear) when a template changes
    env = _Environment(loader=jinja2.FileSystemLoader(template_dir), autoescape=True, extensions=["jinja2.ext.do"],
                       undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True, auto_reload=False)
    env.filters["script_json"] = _script_json
    env.filters["table_head"] = table_head_html
    env.filters["table_rows"] = table_rows_html
    env.filters["chart_rows"] = chart_rows_html
    env.filters["row_findings"] = row_findings
    env.filters["sentence"] = sentence
    return env


def sentence(text: str, prefix: str = "") -> str:
    """A note as one sentence: no doubled full stop (“……相同”。。 -> 。), ending with
    one, without a repeated lead-in (说明：说明：)."""
    t = str(text or "").strip()
    if prefix and t.startswith(prefix):
        t = t[len(prefix):].lstrip()
    t = re.sub(r"。+", "。", t)
    t = re.sub(r"。([”」』])。", r"。\1", t)
    return t if not t or t[-1] in "。！？”」』）)" else t + "。"


_NEEDS_ESCAPE = re.compile("[&<>\"']").search


def _esc(text: str) -> str:
    """html.escape, skipping the (most common) texts with nothing to escape."""
    return _html_escape(text) if _NEEDS_ESCAPE(text) else text


def _jinja_esc(value) -> str:
    """``value`` escaped as Jinja's autoescape writes ``{{ value }}`` (markupsafe:
    quotes as &#34; and &#39;, unlike html.escape)."""
    if type(value) is str and not _NEEDS_ESCAPE(value):   # the common case: nothing to escape
        return value
    return str(_markup_escape(value))


def table_head_html(t: dict) -> Markup:
    """The <thead> rows of a table view, one indented line each. Built here,
    not in a Jinja loop: a table has dozens of header cells and a page dozens
    of tables."""
    return Markup("".join([f"      <tr>{''.join([_head_cell(h) for h in cells])}</tr>\n" for cells in t["head"]]))


def _head_cell(h: dict) -> str:
    span = f' colspan="{h["colspan"]}"' if h["colspan"] > 1 else ""
    if h["rowspan"] > 1:
        span += f' rowspan="{h["rowspan"]}"'
    return f'<th scope="{"colgroup" if h["colspan"] > 1 else "col"}"{span}>{_jinja_esc(h["label"])}</th>'


def chart_rows_html(table: dict) -> Markup:
    """The <tbody> rows of a chart's data table: the label as the row header,
    then one figure per series."""
    return Markup("".join([f'<tr><th scope="row">{_jinja_esc(r[0])}</th>'
                           + "".join([f'<td class="num">{_jinja_esc(v)}</td>' for v in r[1:]]) + "</tr>"
                           for r in table["rows"]]))


def table_rows_html(t: dict, quality_url: str = "") -> Markup:
    """The <tbody> rows of a table view. Table bodies are most of every page's
    bytes and cells; building them here instead of in a Jinja loop makes the
    whole build several times faster. Every text is escaped."""
    out = []
    q = _esc(str(quality_url))
    cards = t.get("cards", False)
    for r in t["body"]:
        marks = _row_marks(r["findings"], q) if r["findings"] else ""
        subhead = "subhead" in r["cls"]
        cells = "".join([_cell_html(c, subhead, marks, cards, q) for c in r["cells"]])
        row_cls = f' class="{r["cls"]}"' if r["cls"] else ""
        out.append(f'<tr id="{_esc(r["id"])}"{row_cls}>{cells}</tr>')
    if not t["body"]:
        out.append(f'<tr><td colspan="{t["ncols"]}" class="empty-note">（本表无数据行）</td></tr>')
    return Markup("\n".join(out))


def row_findings(t: dict) -> tuple[list, list]:
    """The (row, finding) pairs of a table view, real discrepancies apart
    from rounding differences (尾差), each in row order."""
    real: list[tuple[dict, Finding]] = []
    rounding: list[tuple[dict, Finding]] = []
    for r in t["body"]:
        for f in r["findings"]:
            (rounding if f.rounding else real).append((r, f))
    return real, rounding


def _cell_html(c: dict, subhead: bool, marks: str, cards: bool, q: str = "") -> str:
    """One cell of a table view as <th> or <td>. A cell may carry its own id
    and finding marks (a half of a table printed in halves side by side)."""
    text = c["text"]
    span = f' rowspan="{c["rowspan"]}"' if c["rowspan"] > 1 else ""
    if "id" in c:
        span += f' id="{_esc(c["id"])}"'
        marks = _row_marks(c["findings"], q) if c.get("findings") else ""
    if subhead and text:
        return f'<th scope="col" class="subhead"{span}>{_esc(text)}</th>'
    if c["th"] and (text or marks):
        sub = f'<span class="code">{_esc(c["sub"])}</span>' if c.get("sub") else ""
        cls = f' class="{c["cls"]}"' if c["cls"] else ""
        return f'<th scope="row"{cls}{span}><span class="name">{_esc(text)}</span>{sub}{marks}</th>'
    n = len(text)
    cls = c["cls"] or ("long" if n > 8 else "short" if n else "")
    label = f' data-label="{_esc(c["label"])}"' if cards and c.get("label") else ""
    return f'<td class="{cls}"{span}{label}>{_esc(text)}</td>' if cls else f"<td{span}{label}>{_esc(text)}</td>"


def _row_marks(findings, q: str) -> str:
    """One mark per row: “不一致” (prominent) when any finding of the row is a
    real discrepancy, else one neutral “尾差” — never “尾差 尾差”."""
    real = [f for f in findings if not f.rounding]
    shown = real or findings
    first = shown[0]
    label = "不一致" if real else "尾差"
    more = f"等 {len(shown)} 处" if len(shown) > 1 else ""
    text = "；".join(f"{f.where} {f.message}" for f in shown)
    cls = "finding-mark" if real else "finding-mark rounding"
    return (f' <a class="{cls}" href="{q}#{_esc(first.qid)}">{label}'
            f'<span class="visually-hidden">{_esc(more)}：{_esc(text)}</span></a>')


def asset_versions() -> dict[str, str]:
    """Content hashes appended to asset URLs so browsers may cache them forever."""
    out = {}
    for name in sorted(p.name for p in STATIC.iterdir() if p.is_file()):
        out[name] = hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:10]
    out["plotly.min.js"] = hashlib.sha256(plotly_bundle().read_bytes()).hexdigest()[:10]
    return out


def render_page(page: Page, versions: dict[str, str]) -> str:
    env = environment()
    template = env.get_template(page.template)
    root = root_of(page.path)
    if page.path == "404.html":  # served at any depth: links must be absolute
        root = urlsplit(page.context["site"].base_url or "/").path or "/"
        root = root if root.endswith("/") else root + "/"
    inline_css = inline_js = ""
    if page.path == "404.html":   # served at any depth: carries its own style and toolbar script
        inline_css = (STATIC / "site.css").read_text(encoding="utf-8")
        inline_js = (STATIC / "site.js").read_text(encoding="utf-8").replace("</", "<\\/")
    return template.render(page.context, page=page, root=root, v=versions, inline_css=inline_css, inline_js=inline_js)


def write_pages(out: Path, pages: list[Page], versions: dict[str, str], files: dict[str, list] | None = None) -> list[str]:
    """Render and write ``pages``; their paths. With ``files``, each is recorded there (see :func:`_write`)."""
    written = []
    folders: set[str] = set()
    for page in pages:
        folder = page.path.rpartition("/")[0]
        if folder not in folders:        # a department's pages share one folder: one mkdir
            (out / folder).mkdir(parents=True, exist_ok=True)
            folders.add(folder)
        _write(out, page.path, render_page(page, versions).encode("utf-8"), files)
        written.append(page.path)
    return written


_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_BINARY", 0)


def _write(out: Path, path: str, data: bytes, files: dict[str, list] | None) -> None:
    """Write ``data`` to ``out/path``; with ``files``, record it there as the
    site manifest lists a file, ``path: [size, sha256]``, hashed from the
    bytes in hand so the build never reads its output back."""
    fd = os.open(os.path.join(out, path), _NEW_FILE, 0o644)   # no buffered file object for one write
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view):]
    finally:
        os.close(fd)
    if files is not None:
        files[path] = [len(data), hashlib.sha256(data).hexdigest()]


def copy_static(out: Path, site: Site | None = None) -> None:
    """The site's assets, and the images named in site.yaml (logo, 党政机关网站标识)."""
    target = out / "static"
    target.mkdir(parents=True, exist_ok=True)
    for p in STATIC.iterdir():
        if p.is_file():
            shutil.copyfile(p, target / p.name)
    shutil.copyfile(plotly_bundle(), target / "plotly.min.js")
    for attr, source in (site.files.items() if site is not None else ()):
        shutil.copyfile(source, target / getattr(site, attr))


# ---------------------------------------------------------------- downloads

def table_header(table: Table) -> list[str]:
    return registry.column_titles(table.columns)


def table_records(table: Table) -> list[list[str]]:
    """Cell texts with amounts as exact plain decimals (write_downloads makes
    them once per table for the table's CSV, data.json and all-tables.csv)."""
    n = len(table.columns)
    rows = []
    for row in table.rows:
        cells = row.cells if len(row.cells) >= n else [row.cell(i) for i in range(n)]
        rows.append([fmt_plain(cell.value) if cell.kind == KIND_AMOUNT else cell.text for cell in cells[:n]])
    return rows


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FORMULA_OR_SPACE = frozenset(_FORMULA_START + (" ",))
_PLAIN_NUMBER = re.compile(r"^[+-]?\d+(\.\d+)?$")


def csv_text(value: str) -> str:
    """A cell as Excel and WPS will show it: text that would start a formula
    (=, +, -, @, tab, CR, also after leading spaces) gets a leading ' so it
    stays text; numbers, negative ones included, stay numbers."""
    if not value or value[0] not in _FORMULA_OR_SPACE:    # the common case: nothing to check
        return value
    if value.lstrip(" ").startswith(_FORMULA_START) and not _PLAIN_NUMBER.match(value):
        return "'" + value
    return value


_CSV_BOM = "\ufeff".encode("utf-8")   # so Excel opens Chinese correctly


def _csv(header: list[str], rows: list[list[str]], code_columns: Set[int] = frozenset()) -> bytes:
    """A CSV file: UTF-8 with BOM so Excel opens Chinese correctly, every value
    made safe for spreadsheets (:func:`csv_text`)."""
    return _CSV_BOM + _csv_lines([list(map(csv_text, header))] + [_csv_row(row, code_columns) for row in rows])


def _csv_row(row: list[str], code_columns: Set[int]) -> list[str]:
    if not code_columns:
        return list(map(csv_text, row))
    # ="2080109" keeps codes as text (leading zeros too) when Excel/WPS opens the file
    return [f'="{v}"' if i in code_columns and v.isdigit() else csv_text(v) for i, v in enumerate(row)]


def _csv_lines(rows: list[list[str]]) -> bytes:
    """CSV lines of rows already made safe for spreadsheets."""
    buf = io.StringIO()
    csv.writer(buf, lineterminator="\r\n").writerows(rows)
    return buf.getvalue().encode("utf-8")


def table_json(table: Table, records: list[list[str]] | None = None) -> dict:
    return dict(id=table.id, title=table.title, unit=table.unit, columns=table_header(table),
                rows=table_records(table) if records is None else records, note=table.note, remark=table.remark)


def dept_json(dept: DeptYear, findings: list[Finding], figures: facts.Figures,
              records: dict[int, list[list[str]]] | None = None) -> dict:
    """data.json. ``records``: table_records of tables already made, by id(table)."""
    h = figures.headline
    made = records or {}

    def table_json_(table: Table) -> dict:
        return table_json(table, made.get(id(table)))
    return dict(
        department=dept.name, year=dept.year, kind=dept.kind, supervisor=dept.supervisor, region=dept.region,
        consolidated=dept.consolidated, units=dept.units,
        # the original named by title, publisher and date; the editors' 备注 and file name are not published
        source={k: v for k, v in dept.source.items() if k not in ("notes", "file")},
        overview=dept.overview, staff={k: fmt_plain(v) for k, v in dept.staff.items()},
        headline={k: (fmt_plain(v) if isinstance(v, Decimal) else v) for k, v in h.items()},
        tables=[table_json_(t) for t in dept.tables], missing_tables=dept.missing,
        other_tables=[table_json_(t) for t in dept.others],
        # the reader's rule (docs/_draft_reader.md): a blank cell is zero, a dash stays “无此项” as printed
        sangong={y: {i: (fmt_plain(c.value) if c.value is not None else "0" if c.kind == Kind.BLANK else c.text)
                     for i, c in items.items()}
                 for y, items in figures.sangong.items()},
        terms=[dict(term=t, explanation=e) for t, e in dept.terms],
        sections=[dict(title=s.title, markdown=s.markdown) for s in dept.sections],
        evaluations=[dict(slug=ev.slug, kind=ev.kind, title=ev.title, project=ev.project, supervisor=ev.supervisor,
                          implementer=ev.implementer, date=ev.date,
                          funds=table_json(ev.funds) if ev.funds else None,
                          goals=table_json(ev.goals) if ev.goals else None,
                          indicators=table_json(ev.indicators) if ev.indicators else None,
                          others=[table_json(t) for t in ev.others],
                          total={"分值": ev.total_max.text if ev.total_max else None,
                                 "得分": ev.total_score.text if ev.total_score else None},
                          grade=ev.grade, body=ev.body) for ev in dept.evaluations],
        findings=[finding_json(f) for f in findings],
    )


def finding_json(f: Finding) -> dict:
    """One finding with the differences it explains (root-cause grouping) and
    the editor's review, so the download says what the 数据质量 page says."""
    return dict(file=f.path, line=f.line, where=f.where, family=f.family, severity=f.severity, message=f.message,
                expected=fmt_plain(f.expected) if f.expected is not None else None,
                printed=fmt_plain(f.printed) if f.printed is not None else None,
                difference=fmt_plain(f.difference) if f.difference is not None else None,
                sentence=f.sentence or None, reviewed=f.reviewed, review_note=f.review_note or None,
                consequences=[finding_json(c) for c in f.consequences])


def _json_bytes(value) -> bytes:
    # compact separators keep json on its C encoder (indent= falls back to pure Python)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=_json_default).encode("utf-8")


def write_downloads(out: Path, dept: DeptYear, findings: list[Finding], figures: facts.Figures,
                    files: dict[str, list] | None = None) -> None:
    """A department-year's downloads: the original document, each table as
    CSV, data.json, and its lines of data/all-tables.csv (kept apart under
    .fragments until :func:`write_bundle` joins them). With ``files``, every
    file written in the department's folder is recorded there (see :func:`_write`)."""
    folder = dept_dir(dept)
    (out / folder / "data").mkdir(parents=True, exist_ok=True)
    if dept.original is not None:   # the original document, as the department published it
        path = original_url(dept)
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        _write(out, path, dept.original.read_bytes(), files)
    coded = (Shape.SUBJECT, Shape.ECON)   # tables whose first column is a 科目/经济分类 code
    named = [(t, table_file(t), {0} if t.shape in coded else set()) for t in dept.tables] \
        + [(t, t.anchor, set()) for t in dept.others]
    fragment: list[list[str]] = []
    made: dict[int, list[list[str]]] = {}
    for table, name, codes in named:
        header, records = table_header(table), table_records(table)
        made[id(table)] = records
        _write(out, f"{folder}/data/{name}.csv", _csv(header, records, codes), files)
        fragment += _fragment_rows(dept, table, header, records)
    _write(out, f"{folder}/data.json", _json_bytes(dept_json(dept, findings, figures, made)), files)
    (out / FRAGMENTS).mkdir(exist_ok=True)
    _write(out, f"{FRAGMENTS}/{dept.slug}-{dept.year}.csv", _csv_lines(fragment), None)


def _fragment_rows(dept: DeptYear, table: Table, header: list[str], records: list[list[str]]) -> list[list[str]]:
    """A table's lines of data/all-tables.csv, one per non-empty cell (部门,
    年度, 表号, 表名, 行号, 栏目, 数值), made safe for spreadsheets
    (:func:`csv_text`; the columns that repeat, once per table)."""
    lead = [csv_text(dept.name), csv_text(str(dept.year)), csv_text(table.id or table.title), csv_text(table.title)]
    names = list(map(csv_text, header))
    return [[*lead, str(r), name, csv_text(value)]
            for r, record in enumerate(records, 1) for name, value in zip(names, record) if value != ""]


def write_bundle(out: Path, keys: list[str], findings: dict[str, list[Finding]], keep_fragments: bool = False) -> None:
    """Portal-wide downloads, streamed from the per-department files so the
    whole model never has to sit in one process."""
    base = out / "data"
    base.mkdir(parents=True, exist_ok=True)
    with open(base / "all.json", "wb") as fh:
        fh.write(b"[\n")
        for i, key in enumerate(keys):
            if i:
                fh.write(b",\n")
            fh.write((out / key / "data.json").read_bytes())
        fh.write(b"\n]\n")
    fragments = out / FRAGMENTS
    with open(base / "all-tables.csv", "wb") as fh:
        fh.write(_csv(["部门", "年度", "表号", "表名", "行号", "栏目", "数值"], []))
        for key in keys:
            part = fragments / f"{key.replace('/', '-')}.csv"
            if part.exists():
                fh.write(part.read_bytes())
    if not keep_fragments:
        shutil.rmtree(fragments, ignore_errors=True)
    frows = [[key.split("/")[0], key.split("/")[1], f.severity, f.family, f.where, f.message,
              fmt_plain(f.difference) if f.difference is not None else "", root.where if f is not root else "",
              f.review_note if f.reviewed else "", f"{f.path}:{f.line}"]
             for key in keys for root in findings[key] for f in root.flat()]
    (base / "findings.csv").write_bytes(_csv(["部门", "年度", "类别", "勾稽类型", "位置", "说明", "差额", "归因于",
                                              "已核实说明", "内容文件"], frows))


def write_sitemap(out: Path, site: Site, paths: list[str]) -> None:
    base = site.base_url.rstrip("/") + "/" if site.base_url else ""
    urls = [p for p in paths if p != "404.html"]
    lines = ['<?xml version="1.0" encoding="UTF-8"?>', '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for u in urls:
        loc = base + (u[: -len("index.html")] if u.endswith("index.html") else u)
        lines.append(f"  <url><loc>{jinja2.utils.markupsafe.escape(loc)}</loc></url>")
    lines.append("</urlset>")
    (out / "sitemap.xml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    robots = "User-agent: *\nAllow: /\n"
    if base:
        robots += f"Sitemap: {base}sitemap.xml\n"
    (out / "robots.txt").write_text(robots, encoding="utf-8")
