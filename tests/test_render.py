"""Renderers: exact HTML/CSV/JSON for a small example, deterministic output,
safe Markdown, and an atomic swap that leaves site/ alone when a build fails."""
from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from pathlib import Path

import pytest

from generator import render
from generator.build import build
from generator.markup import render_markdown

GOOD = Path(__file__).parent / "fixtures" / "good"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("r") / "site"
    build(GOOD, out, search=False)
    return out


def test_subject_table_row_html(site):
    page = (site / "demo-dept" / "2023" / "index.html").read_text(encoding="utf-8")
    row = page[page.index('<tr id="t03-2080109"'): page.index("</tr>", page.index('<tr id="t03-2080109"'))]
    # the row's name is the fixed column, its 科目编码 small beneath (issue 18)
    assert '<th scope="row" class="lvl3"><span class="name">社会保险经办机构</span><span class="code">2080109</span></th>' in row
    assert '<td class="num">60.00</td>' in row and '<td class="num">40.00</td>' in row
    assert '<caption id="t03-cap"><span class="cap-text">公开03表 支出决算表</span><span class="unit">单位：万元</span></caption>' in page
    assert '<th scope="col" rowspan="2">科目名称（编码）</th>' in page


def test_csv_is_excel_friendly_and_exact(site):
    raw = (site / "demo-dept" / "2023" / "data" / "t03.csv").read_bytes()
    assert raw.startswith("\ufeff".encode("utf-8"))
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["科目编码", "科目名称", "本年支出合计", "基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]
    assert rows[1] == ["合计", "", "100.00", "70.00", "30.00", "", "", ""]
    assert rows[4] == ['="2080109"', "社会保险经办机构", "60.00", "40.00", "20.00", "", "", ""]


def test_json_keeps_exact_amounts(site):
    data = json.loads((site / "demo-dept" / "2023" / "data.json").read_text(encoding="utf-8"))
    t06 = next(t for t in data["tables"] if t["id"] == "公开06表")
    assert t06["rows"][-2] == ["人员经费合计", "", "50.00"]
    assert ["309", "资本性支出（基本建设）", "——"] in t06["rows"]
    assert data["headline"]["spending"] == "100.00" and data["sangong"]["上年决算数"]["合计"] == "1.30"
    bundle = json.loads((site / "data" / "all.json").read_text(encoding="utf-8"))
    assert bundle[0]["department"] == "示例市医疗保障服务中心"


def test_two_builds_are_byte_identical(tmp_path):
    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}
    build(GOOD, tmp_path / "a", search=False)
    build(GOOD, tmp_path / "b", search=False)
    assert digest(tmp_path / "a") == digest(tmp_path / "b")


def test_failed_render_leaves_previous_site(tmp_path, monkeypatch):
    out = tmp_path / "site"
    build(GOOD, out, search=False)
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise RuntimeError("disk full")
    monkeypatch.setattr(render, "write_bundle", boom)
    with pytest.raises(RuntimeError):
        build(GOOD, out, search=False)
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site-")]


@pytest.mark.parametrize("hostile", [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    "[点我](JaVaScRiPt&#58;alert(1))",
    "<a href='javascript:alert(1)'>x</a>",
    "![x](https://evil.example/x.png)",
])
def test_markdown_is_sanitized(hostile):
    out = str(render_markdown(hostile))
    tags = re.findall(r"<[a-zA-Z][^>]*>", out)   # real tags; escaped text starts with &lt;
    assert tags, out
    assert not [t for t in tags if re.search(r"script|javascript|onerror|<img", t, re.I)], tags


def test_sitemap_and_robots(site):
    sitemap = (site / "sitemap.xml").read_text(encoding="utf-8")
    assert "<loc>https://example.org/portal/demo-dept/2023/</loc>" in sitemap
    assert "404" not in sitemap
    assert "Sitemap: https://example.org/portal/sitemap.xml" in (site / "robots.txt").read_text(encoding="utf-8")


def test_cached_rebuild_equals_fresh_build(tmp_path):
    """A build that reuses unchanged departments from the previous build and
    the parse cache produces exactly the files of a build from scratch; an
    edited department is rebuilt."""
    import shutil
    content = tmp_path / "content"
    shutil.copytree(GOOD, content)
    cache = tmp_path / "cache"
    first = build(content, tmp_path / "site", search=False, cache=cache)
    assert first.reused == 0
    second = build(content, tmp_path / "site", search=False, cache=cache)
    assert second.reused == 1
    fresh = tmp_path / "fresh"
    build(content, fresh, search=False, cache=False)

    def digest(root: Path) -> dict[str, str]:
        return {str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in sorted(root.rglob("*")) if p.is_file()}
    assert digest(tmp_path / "site") == digest(fresh)
    dept = content / "demo-dept" / "2023.yaml"
    dept.write_text(dept.read_text(encoding="utf-8").replace("内设3个科室。", "内设4个科室。"), encoding="utf-8")
    third = build(content, tmp_path / "site", search=False, cache=cache)
    assert third.reused == 0
    assert "内设4个科室。" in (tmp_path / "site" / "demo-dept" / "2023" / "index.html").read_text(encoding="utf-8")


def test_bundle_written_beside_the_portal_pages_gives_the_same_site(tmp_path, monkeypatch):
    """Large sites write the downloads bundle in a forked process while the
    portal pages render: same files, and its failure fails the build."""
    import generator.build as build_mod
    alone, beside = tmp_path / "alone", tmp_path / "beside"
    build(GOOD, alone, search=False, cache=False)
    monkeypatch.setattr(build_mod, "BESIDE_MIN_TASKS", 0)
    monkeypatch.setattr(build_mod.os, "cpu_count", lambda: 2)
    build(GOOD, beside, search=False, cache=False)
    files = sorted(p.relative_to(alone) for p in alone.rglob("*") if p.is_file() and ".portal" not in p.parts)
    assert files == sorted(p.relative_to(beside) for p in beside.rglob("*") if p.is_file() and ".portal" not in p.parts)
    assert all((alone / f).read_bytes() == (beside / f).read_bytes() for f in files)
    before = {p: p.read_bytes() for p in beside.rglob("*") if p.is_file()}

    def boom(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(render, "write_bundle", boom)      # inherited by the forked process
    with pytest.raises(OSError):
        build(GOOD, beside, search=False, cache=False)
    assert {p: p.read_bytes() for p in beside.rglob("*") if p.is_file()} == before
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".beside-")]


def _markdown(text: str) -> str:
    """Python-Markdown as render_markdown runs it, without the plain-prose shortcut."""
    from generator import markup
    markup._md.reset()
    out = markup._md.convert(text.replace("&", "&amp;").replace("<", "&lt;"))
    return markup._IMG.sub(markup._drop_remote_img, markup._ATTR.sub(markup._clean_url, out))


def test_plain_prose_shortcut_gives_what_markdown_gives():
    """render_markdown skips Markdown for plain prose; on every text of the
    content and on 30,000 random texts built from the characters Chinese
    prose and Markdown share, the shortcut (when it applies) equals Markdown."""
    import random
    from generator import markup
    from generator.load import load_content
    _, depts = load_content(Path(__file__).resolve().parent.parent / "content")
    texts = [s.markdown for d in depts for s in d.sections] + [v for d in depts for v in d.overview.values()] \
        + [ev.body for d in depts for ev in d.evaluations]
    pieces = list("部门决算收入支出合计万元，。、；：（）“”《》-+=~.)0123456789 abc\n\n\n  \u3000\u3000@$%^'\"/?,;") \
        + ["1. ", "一、", "\n    ", "\n---\n", "\n===\n", "  \n", "a_b", "5*3", "http://x.cn", "\t",
           "\n\n### ", "\n\n# ", "\n\n1. ", "\n2. ", "\n\n2. ", "##", "\n1. ", " #"]
    rng = random.Random(2024)
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randint(1, 40))) for _ in range(30000)]
    # headings and numbered lists between paragraphs, as 情况说明 and 绩效 texts are written
    blocks = ["### （一）总体情况", "## 二、收入", "1. 第一项\n2. 第二项", "1. 一项", "正文，占 5.00%。", "第二段\n续行"]
    texts += ["\n\n".join(rng.choice(blocks) for _ in range(rng.randint(1, 5))) for _ in range(3000)]
    taken = []
    for text in texts:
        plain = markup._plain_paragraphs(text)
        if plain is not None:
            taken.append(str(plain))
            assert str(plain) == _markdown(text), repr(text)
    assert len(taken) > 3000       # the shortcut is really taken
    assert sum("<h3>" in b for b in taken) > 100 and sum("<ol>" in b for b in taken) > 100   # headings and lists too
    assert markup._plain_paragraphs("\u3000\u3000缩进的段落。") is None       # Markdown trims the indent
    assert str(markup._plain_paragraphs("1. 第一项")) == _markdown("1. 第一项") == "<ol>\n<li>第一项</li>\n</ol>"
    assert markup._plain_paragraphs("1. 第一项\n\n2. 第二项") is None      # a loose list: Markdown runs
