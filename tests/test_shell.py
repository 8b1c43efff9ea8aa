"""Issue 17: what a government website must carry. Settings in site.yaml
(validated, with spelling hints), the footer and the 网页标签 meta tags on
every page, the HTML site map, 联系我们, 版权和隐私声明, yearly 专栏, the
original document as a download, and `portal build --strict`."""
from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pytest

from generator.build import build
from generator.errors import ContentErrors
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"

FILLED = """网站名称: 示例市财政局预决算公开平台
网址: https://czj.shili.gov.cn/yjsgk/
主办单位: 示例市财政局
承办单位: 示例市大数据中心
网站标识码: "1301000012"
ICP备案号: 冀ICP备12345678号-1
公安机关备案号: 冀公网安备 13010202000123号
联系电话: 0311-12345678
电子邮箱: czj@shili.gov.cn
地址: 示例市长安区中山路 1 号
网站标志: logo.svg
主题色: "#9b1c1c"
党政机关网站标识: dzjg.png
找错链接: https://zfwzgl.www.gov.cn/exposure/jiucuo.html?site_code=1301000012
页脚链接:
  - 名称: 中国政府网
    网址: https://www.gov.cn/
无障碍工具: [字号, 高对比度, 行距, 阅读模式]
地区: 示例省
页脚: 数字以各部门公开的原件为准。
"""
META = ("SiteName", "SiteDomain", "SiteIDCode", "ColumnName", "ColumnType", "ArticleTitle", "PubDate", "ContentSource")
PNG = (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89"
       b"\x00\x00\x00\rIDATx\x9cc\xf8\xff\xff?\x00\x05\xfe\x02\xfe\xa7\x35\x81\x84\x00\x00\x00\x00IEND\xaeB`\x82")


class Links(HTMLParser):
    def __init__(self, text):
        super().__init__()
        self.hrefs, self.meta, self.imgs = [], {}, []
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag == "meta" and a.get("name"):
            self.meta[a["name"]] = a.get("content", "")
        if tag == "img":
            self.imgs.append(a.get("src", ""))


def _filled_content(tmp: Path) -> Path:
    content = tmp / "content"
    shutil.copytree(CONTENT, content)
    (content / "site.yaml").write_text(FILLED, encoding="utf-8")
    (content / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 1 1"/>', encoding="utf-8")
    (content / "dzjg.png").write_bytes(PNG)
    (content / "yima-ybj" / "2023" / "原文.pdf").write_bytes(b"%PDF-1.4\n%test original\n")
    return content


@pytest.fixture(scope="module")
def filled(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("shell")
    out = tmp / "site"
    build(_filled_content(tmp), out, search=False, cache=False)
    return out


def _pages(site: Path) -> list[str]:
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html"))


def test_every_page_carries_footer_items_and_meta_tags(filled):
    pages = _pages(filled)
    assert len(pages) > 40
    for page in pages:
        text = (filled / page).read_text(encoding="utf-8")
        doc = Links(text)
        for name in META:
            assert name in doc.meta, f"{page}: no <meta name={name}>"
        assert doc.meta["SiteName"] == "示例市财政局预决算公开平台"
        assert doc.meta["SiteDomain"] == "czj.shili.gov.cn"
        assert doc.meta["SiteIDCode"] == "1301000012"
        assert doc.meta["ColumnName"] and doc.meta["ColumnType"] and doc.meta["ArticleTitle"] and doc.meta["ContentSource"]
        footer = text[text.index('<footer'):]
        for item in ("主办单位：示例市财政局", "承办单位：示例市大数据中心", "网站标识码：1301000012", "冀ICP备12345678号-1",
                     "冀公网安备 13010202000123号", "联系我们", "网站地图", "我为政府网站找错", "版权和隐私声明", "中国政府网"):
            assert item in footer, f"{page}: footer lacks {item}"
        assert 'href="https://beian.miit.gov.cn/"' in footer
        assert re.search(r'src="[^"]*static/police\.svg"', footer) and re.search(r'src="[^"]*static/site-gov_mark\.png"', footer)
    assert (filled / "static" / "site-logo.svg").is_file() and (filled / "static" / "site-gov_mark.png").is_file()


def test_pub_date_and_source_from_content(filled):
    doc = Links((filled / "yima-ybj/2023/index.html").read_text(encoding="utf-8"))
    assert doc.meta["PubDate"] == "2024-10" and doc.meta["ContentSource"] == "义马市医疗保障局"
    doc = Links((filled / "miluo-ybj/2023/index.html").read_text(encoding="utf-8"))
    assert doc.meta["PubDate"] == "2024-10-17"


def test_html_site_map_links_every_page(filled):
    doc = Links((filled / "sitemap.html").read_text(encoding="utf-8"))
    linked = {h.split("#")[0] for h in doc.hrefs}
    missing = [p for p in _pages(filled) if p not in linked and p not in ("404.html", "sitemap.html")]
    assert not missing, missing
    assert any("#t09" in h for h in doc.hrefs)   # each table, not only each page


def test_contact_and_legal_pages(filled):
    contact = (filled / "contact.html").read_text(encoding="utf-8")
    for item in ("示例市财政局", "0311-12345678", "mailto:czj@shili.gov.cn", "示例市长安区中山路 1 号"):
        assert item in contact
    legal = (filled / "legal.html").read_text(encoding="utf-8")
    assert "版权声明" in legal and "隐私声明" in legal and "Cookie" in legal


def test_year_column_and_original_download(filled):
    year = (filled / "year-2023.html").read_text(encoding="utf-8")
    assert year.count('href="') and all(slug in year for slug in ("linfen-ybzx", "yima-ybj", "xianyang-ybj"))
    dept = (filled / "yima-ybj/2023/index.html").read_text(encoding="utf-8")
    assert "下载原文（PDF）" in dept and "二〇二四年十月" in dept
    original = filled / "yima-ybj/2023/yuanwen/原文.pdf"
    assert original.read_bytes().startswith(b"%PDF")
    assert "yima-ybj/2023/yuanwen/原文.pdf" in year
    home = (filled / "index.html").read_text(encoding="utf-8")
    assert "year-2023.html" in home


def test_theme_colour_and_logo(filled):
    home = (filled / "index.html").read_text(encoding="utf-8")
    assert "--brand: #9b1c1c" in home and "static/site-logo.svg" in home


# ---------------------------------------------------------------- settings validation

@pytest.mark.parametrize("text,needle", [
    ("网站名称: 甲\n网站名字: 乙\n", "是不是“网站名称”"),
    ("门户名称: 甲\n", "已改名为“网站名称”"),
    ("网站名称: 甲\n网址: ftp://x.gov.cn/\n", "http:// 或 https://"),
    ("网站名称: 甲\n网址: \"https://x.gov.cn/a b\"\n", "空格"),
    ("网站名称: 甲\n网址: \"https://x.gov.cn/\\nSitemap: https://evil/\"\n", "换行"),
    ("网站名称: 甲\n电子邮箱: 不是邮箱\n", "电子邮箱"),
    ("网站名称: 甲\n主题色: \"#ffff00\"\n", "对比度"),
    ("网站名称: 甲\n网站标志: ../../etc/passwd\n", "找不到文件"),
    ("网站名称: [甲]\n", "应为文字"),
    ("网站名称: 甲\n无障碍工具: [放大镜]\n", "不是可用的工具"),
    ("网址: https://x.gov.cn/\n", "缺少必填项“网站名称”"),
])
def test_settings_errors_are_clear(tmp_path, text, needle):
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    errors: list = []
    load_settings(tmp_path / "site.yaml", errors)
    assert any(needle in str(e) for e in errors), [str(e) for e in errors]
    assert all("site.yaml" in str(e) for e in errors)


def test_strict_build_refuses_example_settings(tmp_path, capsys):
    from generator.cli import main

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    code = main(["build", "--strict", "--no-search", "--content", str(content), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 1 and not (tmp_path / "site").exists()
    for key in ("网址", "主办单位", "网站标识码", "ICP备案号", "公安机关备案号", "联系电话"):
        assert key in err, err
    assert "示例网址" in err


def test_strict_build_refuses_drafts_and_passes_when_complete(tmp_path, capsys):
    from generator.cli import main

    content = _filled_content(tmp_path)
    draft = content / "yima-ybj" / "2024.yaml"
    draft.write_text((content / "yima-ybj" / "2023.yaml").read_text(encoding="utf-8")
                     .replace("年度: 2023", "年度: 2024", 1).replace("草稿: 否", "草稿: 是", 1), encoding="utf-8")
    code = main(["build", "--strict", "--no-search", "--content", str(content), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 1 and "草稿" in err and "2024.yaml" in err
    draft.unlink()
    code = main(["build", "--strict", "--no-search", "--content", str(content), "--out", str(tmp_path / "site")])
    assert code == 0, capsys.readouterr().err


def test_plain_build_warns_about_going_live(tmp_path, capsys):
    from generator.cli import main

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    code = main(["build", "--no-search", "--content", str(content), "--out", str(tmp_path / "site")])
    err = capsys.readouterr().err
    assert code == 0 and "网址" in err and "警告" in err


def test_example_content_still_builds(tmp_path):
    result = build(CONTENT, tmp_path / "site", search=False, cache=False)
    assert result.pages > 40


def test_site_settings_errors_stop_the_build(tmp_path):
    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    (content / "site.yaml").write_text("网站名称: 甲\n网址: javascript:alert(1)\n", encoding="utf-8")
    with pytest.raises(ContentErrors) as info:
        build(content, tmp_path / "site", search=False, cache=False)
    assert any("网址" in str(e) for e in info.value.errors)
