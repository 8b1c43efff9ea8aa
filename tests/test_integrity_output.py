"""Issue 12, "what is published is safe to open" and "units": CSV cells that
Excel/WPS would run as formulas, Markdown links and images that would load
from outside the site, and tables printed in 元 next to tables in 万元."""
from __future__ import annotations

import csv
import io
import json
import re
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from generator import facts
from generator.audit import audit
from generator.build import build
from generator.load import load_content
from generator.markup import render_markdown
from generator.render import _csv, csv_text

GOOD = Path(__file__).parent / "fixtures" / "good"
CONTENT = Path(__file__).resolve().parent.parent / "content"


def _read_csv(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))


# ---------------------------------------------------------------- CSV formula injection

@pytest.mark.parametrize("text", ["=HYPERLINK(\"http://x\",\"点我\")", "+1+2", "-2+3", "@SUM(A1)", "\tx", "\rx",
                                  "  =1+1", "-cmd|' /C calc'!A0"])
def test_csv_formula_injection_text_cell_is_quoted(text):
    assert csv_text(text) == "'" + text
    rows = _read_csv(_csv(["项目", "金额"], [[text, "1.00"]]))
    assert rows[1][0] == "'" + text and rows[1][1] == "1.00"


@pytest.mark.parametrize("number", ["-3.50", "-0.01", "+5", "5417.27", "0"])
def test_csv_formula_injection_amounts_stay_numbers(number):
    assert csv_text(number) == number


def test_csv_formula_injection_header_and_codes(tmp_path):
    rows = _read_csv(_csv(["=列", "科目编码"], [["2080109", "=1"]], code_columns={0}))
    assert rows[0] == ["'=列", "科目编码"]
    assert rows[1] == ['="2080109"', "'=1"]   # our own text marker for codes, the user's formula quoted


def test_csv_formula_injection_end_to_end(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    path = content / "demo-dept" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    text = text.replace("名词解释:", "其他表:\n  - 标题: 附表\n    列: [项目, 金额]\n    行:\n"
                                      "      - =HYPERLINK(\"http://evil\") | -1.50\n      - \"@cmd | 2.00\"\n名词解释:", 1)
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, search=False, cache=False)
    rows = _read_csv((out / "demo-dept/2023/data/x1.csv").read_bytes())
    assert rows[1] == ["'=HYPERLINK(\"http://evil\")", "-1.50"]
    assert rows[2] == ["'@cmd", "2.00"]
    every = _read_csv((out / "data/all-tables.csv").read_bytes())
    assert all(not cell.startswith(("=H", "@")) for row in every for cell in row)


# ---------------------------------------------------------------- Markdown links and images

@pytest.mark.parametrize("md", ["![x](//evil.example/a.png)", "![x](/\\evil.example/a.png)", "![x](\\\\\\\\evil.example/a.png)",
                                "![x](HTTPS://evil.example/a.png)", "![x](hTtP://evil.example/a.png)",
                                "![x](data:image/svg+xml;base64,PHN2Zz4=)", "![x](  //evil.example/a.png)"])
def test_markdown_remote_images_are_dropped(md):
    assert "<img" not in str(render_markdown(md))


@pytest.mark.parametrize("md", ["[x](JAVASCRIPT:alert(1))", "[x](jAvAsCrIpT&#58;alert(1))", "[x](vbscript:x)",
                                "[x](data:text/html,<b>)", "[x](java\tscript:alert(1))"])
def test_markdown_unsafe_link_schemes_any_case(md):
    out = str(render_markdown(md))
    assert 'href="#"' in out, out


def test_markdown_backslash_host_link_is_shown_as_what_browsers_read():
    out = str(render_markdown("[x](/\\evil.example)"))
    assert 'href="//evil.example"' in out


def test_markdown_local_image_and_links_kept():
    out = str(render_markdown("![图](img/a.png) [政府网](https://www.gov.cn) [信](MAILTO:a@b.cn) [节](#s2)"))
    assert 'src="img/a.png"' in out and 'href="https://www.gov.cn"' in out
    assert 'href="MAILTO:a@b.cn"' in out and 'href="#s2"' in out


def test_no_page_loads_anything_from_outside_the_site(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    md = content / "demo-dept" / "2023" / "情况说明.md"
    md.write_text(md.read_text(encoding="utf-8") + "\n![a](//evil.example/a.png) ![b](/\\evil.example/b.png)"
                  " ![c](HTTP://evil.example/c.png)\n", encoding="utf-8")
    out = tmp_path / "site"
    build(content, out, search=False, cache=False)
    for page in out.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        for url in re.findall(r'\s(?:src|srcset|data)="([^"]*)"', html):
            assert not re.match(r"^\s*([a-z][a-z0-9+.-]*:|//|/\\|\\\\)", url, re.I), (page, url)


# ---------------------------------------------------------------- tables printed in 元

def _to_yuan(text: str, table_id: str) -> str:
    """Re-type one table of a department YAML in 元: every amount × 10,000, 单位: 元."""
    lines = text.split("\n")
    start = next(i for i, l in enumerate(lines) if l.strip() == f"{table_id}:")
    indent = len(lines[start]) - len(lines[start].lstrip())
    out = lines[: start + 1] + [" " * (indent + 2) + "单位: 元"]
    i = start + 1
    while i < len(lines) and (not lines[i].strip() or len(lines[i]) - len(lines[i].lstrip()) > indent):
        line = lines[i]
        if line.lstrip().startswith("- "):
            head, _, body = line.partition("- ")
            cells = body.split("|")
            for j, c in enumerate(cells):
                s = c.strip()
                if re.fullmatch(r"-?[\d,]+\.\d+", s):
                    value = Decimal(s.replace(",", "")) * 10000
                    cells[j] = c.replace(s, f"{value:.2f}")
            line = head + "- " + "|".join(cells)
        out.append(line)
        i += 1
    return "\n".join(out + lines[i:])


@pytest.fixture(scope="module")
def yuan_site(tmp_path_factory):
    """The real content, with 临汾's 公开03表 and 公开09表 re-typed in 元."""
    tmp = tmp_path_factory.mktemp("yuan")
    content = tmp / "content"
    shutil.copytree(CONTENT, content)
    path = content / "linfen-ybzx" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    for table in ("公开03表", "公开09表"):
        text = _to_yuan(text, table)
    path.write_text(text, encoding="utf-8")
    out = tmp / "site"
    build(content, out, search=False, cache=False)
    return content, out


def test_yuan_table_headline_in_wan(yuan_site):
    content, _ = yuan_site
    _, depts = load_content(content)
    _, originals = load_content(CONTENT)
    dept = next(d for d in depts if d.slug == "linfen-ybzx")
    original = next(d for d in originals if d.slug == "linfen-ybzx")
    assert dept.table("公开03表").unit == "元"
    assert facts.headline(dept) == facts.headline(original)
    assert facts.functional_classes(dept) == facts.functional_classes(original)


def test_yuan_table_compared_correctly(yuan_site, tmp_path):
    """The home and comparison pages show the same 万元 figures whether a
    table was printed in 元 or in 万元."""
    _, out = yuan_site
    reference = tmp_path / "site"
    build(CONTENT, reference, search=False, cache=False)

    def rows(site, page):
        html = (site / page).read_text(encoding="utf-8")
        return re.findall(r"<tr>\s*<th[^>]*>\s*<a[^>]*>[^<]*临汾[^<]*</a>.*?</tr>", html, re.S)

    for page in ("compare.html", "index.html"):
        assert rows(out, page) and rows(out, page) == rows(reference, page), page
    data = json.loads((out / "linfen-ybzx/2023/data.json").read_text(encoding="utf-8"))
    ref = json.loads((reference / "linfen-ybzx/2023/data.json").read_text(encoding="utf-8"))
    assert data["headline"] == ref["headline"] and data["sangong"] == ref["sangong"]


def test_yuan_table_same_findings_as_wan(yuan_site):
    """Re-typing a table in 元 adds no finding: cross-table identities compare
    in 万元 at the printed precision."""
    content, _ = yuan_site
    _, depts = load_content(content)
    _, originals = load_content(CONTENT)
    dept = next(d for d in depts if d.slug == "linfen-ybzx")
    original = next(d for d in originals if d.slug == "linfen-ybzx")
    key = lambda f: (f.family, f.rounding)
    assert sorted(map(key, (f for f in audit(dept) if f.family == "表间勾稽"))) == \
        sorted(map(key, (f for f in audit(original) if f.family == "表间勾稽")))
