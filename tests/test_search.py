"""Full-text search (Pagefind) on the built site, in headless Chromium.

Recall is measured, not assumed: for each term, the pages whose *indexed*
text contains it (a plain substring search over the built HTML, restricted by
tests/search_text.indexed_text to what Pagefind is given) must all come back
from Pagefind's own JavaScript API. Chinese has no spaces, so this catches an
index that segments words differently from the query (Pagefind 1.5.x, issue
#1237). Run with ``PORTAL_PAGEFIND=/path/to/pagefind_extended`` to measure
another binary; the per-term table is written to tests/_artifacts/.
"""
from __future__ import annotations

import json
import re
import shutil
import time
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from generator.search import pagefind_command, pagefind_version
from search_text import indexed_pages, indexed_text

from conftest import CONTENT, serve_dir

pytestmark = pytest.mark.skipif(pagefind_command() is None, reason="Pagefind is not installed (make tools)")

# The issue's terms, then project names, 科目, 名词 and indicator words from
# the content (2 to 6 characters).
TERMS = [
    "三公", "决算", "医保", "拨款", "结转", "公务用车", "住房公积金", "离休", "基金监管", "机关运行经费",
    "医疗保障", "医疗救助", "大病保险", "生育保险", "长期护理保险", "公务接待", "定点医药机构",
    "一般公共预算", "政府采购", "信息化", "劳务费", "驻村", "第一书记", "综合柜员", "离休干部",
    "定向选调生", "老工人", "房屋租赁费", "城乡医疗救助", "按病种分值", "药械集中", "飞行检查",
]
CODES = ["2080109", "2101101", "2101103"]
DONE_QUERIES = ["公务用车", "住房公积金", "离休", "医疗保障", "基金监管", "2080109"]
NONSENSE = "鳄鱼骆驼宇宙"          # not one of these characters is on the site
PARTIAL = "火星量子纠缠"           # only 量 and 纠 are: Pagefind falls back to parts of words

EVAL_PAGE = re.compile(r"^/[a-z0-9-]+/\d{4}/(?!index\.html)[^/#?]+\.html")

SEARCH_JS = """
const done = arguments[arguments.length - 1];
const [terms, filters, withContent] = [arguments[0], arguments[1] || {}, arguments[2]];
(async () => {
  const pagefind = await import(new URL("pagefind/pagefind.js", document.baseURI).href);
  await pagefind.init();
  const out = {};
  for (const term of terms) {
    const search = await pagefind.search(term, {filters});
    const data = await Promise.all(search.results.map(r => r.data()));   // every result, not one page
    out[term] = data.map(d => ({url: d.url, excerpt: d.excerpt, filters: d.filters,
                                content: withContent ? d.content : undefined,
                                subs: d.sub_results.map(s => ({url: s.url, title: s.title, excerpt: s.excerpt}))}));
  }
  done({out, filters: await pagefind.filters()});
})().catch(e => done({error: String(e && e.stack || e)}));
"""


# ---------------------------------------------------------------- helpers

@pytest.fixture(scope="module")
def pages(built_site) -> dict[str, str]:
    return indexed_pages(built_site)


@pytest.fixture(scope="module")
def api(browser, site_url):
    """Run Pagefind searches through its JavaScript API inside Chromium."""
    def search(terms, filters=None, content=False):
        browser.get(site_url + "search.html")
        browser.set_script_timeout(120)
        res = browser.execute_async_script(SEARCH_JS, list(terms), filters or {}, content)
        assert "error" not in res, res.get("error")
        return res
    return search


def dept_of(url: str) -> str:
    return url.lstrip("/").split("/")[0]


def departments_with(term: str) -> set[str]:
    """Department folders whose source files (YAML, Markdown) contain the term."""
    found = set()
    for folder in CONTENT.iterdir():
        if folder.is_dir() and any(term in p.read_text(encoding="utf-8")
                                   for p in folder.rglob("*") if p.suffix in (".yaml", ".md")):
            found.add(folder.name)
    return found


def harvested_terms(built_site: Path) -> list[str]:
    """Every 名词解释 term, row heading (科目, 经济分类, indicator name) and
    project name on the site, 2 to 8 Chinese characters long."""
    names = set()
    for path in built_site.rglob("*.html"):
        html = path.read_text(encoding="utf-8")
        names.update(re.findall(r'<dt id="term-\d+">([^<]+)</dt>', html))
        names.update(re.findall(r'<th scope="row"[^>]*>(?:<span class="name">)?([^<]+)', html))
        names.update(re.findall(r"<h1>([^<]+)</h1>", html))
    out = set()
    for n in names:
        n = re.sub(r"^[\d\s]+|^[一二三四五六七八九十]+、|^（[一二三四五六七八九十]+）", "", n.strip()).strip()
        if re.fullmatch(r"[\u4e00-\u9fff]{2,8}", n):
            out.add(n)
    return sorted(out)


def recall_table(terms, pages, results) -> list[dict]:
    rows = []
    for t in terms:
        expected = {p for p, text in pages.items() if t in text}
        got = {r["url"].lstrip("/") for r in results[t]}
        rows.append(dict(term=t, expected=len(expected), returned=len(got), found=len(expected & got),
                         missed=sorted(expected - got)))
    return rows


def wait_for_ui(browser, timeout=20):
    """Until the Pagefind UI shows a result count or the no-results message."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    def ready(d):
        msgs = d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__message")
        text = msgs[0].text.strip() if msgs else ""
        if text.startswith("找到") and d.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title a"):
            return text
        if text.startswith("没有找到"):
            return text
        return False
    return WebDriverWait(browser, timeout).until(ready)


def result_links(browser) -> list[str]:
    from selenium.webdriver.common.by import By
    return [urllib.parse.unquote(urllib.parse.urlsplit(a.get_attribute("href")).path)
            for a in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title a")]


# ---------------------------------------------------------------- the index

def test_index_is_part_of_the_built_site(built_site, pages):
    entry = json.loads((built_site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    assert (built_site / "pagefind" / "pagefind.js").is_file()
    assert (built_site / "pagefind" / "pagefind-ui.js").is_file()
    assert list(entry["languages"]) == ["zh-cn"]
    # Exactly the pages with a data-pagefind-body: department, evaluation,
    # comparison and data-quality pages; not the home, search or 404 pages.
    assert entry["languages"]["zh-cn"]["page_count"] == len(pages)
    assert {"index.html", "search.html", "404.html"}.isdisjoint(pages)
    assert {"compare.html", "quality.html"} <= set(pages)
    depts = {p for p in pages if p.endswith("/index.html")}
    evals = {p for p in pages if EVAL_PAGE.match("/" + p)}
    assert len(depts) == 5 and len(evals) >= 30
    assert len(pages) == len(depts) + len(evals) + 2


def test_chrome_and_boilerplate_are_not_indexed(built_site, pages, api):
    page = pages["linfen-ybzx/2023/index.html"]
    for absent in ("跳到正文", "大字模式", "本页目录", "下载本表", "网站地图", "平台维护", "单位：万元", "录入说明"):
        assert absent not in page, absent
    for present in ("公开09表 财政拨款“三公”经费支出决算表", "名词解释", "一般公共预算财政拨款"):
        assert present in page, present
    # What Pagefind itself indexed: every page's content, through its API.
    indexed = {h["url"].lstrip("/"): h["content"] for h in api([None], {"年度": "2023"}, content=True)["out"]["null"]}
    assert set(indexed) == set(pages)
    for absent in ("跳到正文", "大字模式", "本页目录", "下载本表", "网站地图", "平台维护", "单位：万元"):
        assert not [p for p, text in indexed.items() if absent in text], absent


def test_python_view_of_the_index_matches_pagefinds(pages, api):
    """tests/search_text.indexed_text (used for expected results) and the
    content Pagefind actually indexed agree on which pages hold each term."""
    indexed = {h["url"].lstrip("/"): h["content"] for h in api([None], {"年度": "2023"}, content=True)["out"]["null"]}
    for term in TERMS + CODES:
        ours = {p for p, text in pages.items() if term in text}
        theirs = {p for p, text in indexed.items() if term in text}
        assert ours == theirs, (term, sorted(ours ^ theirs))


def test_indexed_text_follows_pagefind_rules():
    html = ('<html><body><header>页眉</header><main data-pagefind-body><h1>标题</h1>'
            '<p data-pagefind-ignore>忽略</p><nav>导航</nav><table><tr><th>公务</th><td>用车</td></tr></table>'
            '<span class="unit">单位：万元</span><p>正文<a href="#">链接</a>文字</p></main><footer>页脚</footer></body></html>')
    assert indexed_text(html) == ["标题", "公务", "用车", "正文链接文字"]
    assert indexed_text("<html><body><p>没有正文标记的页面</p></body></html>") == []


# ---------------------------------------------------------------- recall

def _record(name: str, rows: list[dict], artifacts: Path):
    version = pagefind_version()
    (artifacts / f"search-recall-{name}-{version or 'unknown'}.json").write_text(
        json.dumps(dict(pagefind=version, rows=rows), ensure_ascii=False, indent=1), encoding="utf-8")


def test_recall_is_complete_for_the_issue_terms(pages, api, artifacts):
    terms = TERMS + CODES
    assert len([t for t in TERMS if 2 <= len(t) <= 6]) >= 20
    rows = recall_table(terms, pages, api(terms)["out"])
    _record("terms", rows, artifacts)
    empty = [r["term"] for r in rows if r["expected"] == 0]
    assert not empty, f"terms that no indexed page contains: {empty}"
    missed = {r["term"]: r["missed"] for r in rows if r["missed"]}
    total = sum(r["expected"] for r in rows)
    found = sum(r["found"] for r in rows)
    assert not missed, f"recall {found}/{total} with Pagefind {pagefind_version()}: {missed}"


def test_recall_is_complete_for_every_name_on_the_site(built_site, pages, api, artifacts):
    """Every 名词, 科目, indicator and project name on the site (about 240)."""
    terms = [t for t in harvested_terms(built_site) if any(t in text for text in pages.values())]
    assert len(terms) >= 150
    rows = recall_table(terms, pages, api(terms)["out"])
    _record("names", rows, artifacts)
    missed = {r["term"]: r["missed"] for r in rows if r["missed"]}
    total = sum(r["expected"] for r in rows)
    assert not missed, f"recall {total - sum(len(m) for m in missed.values())}/{total}: {missed}"


def test_done_queries_reach_every_department_that_has_the_word(api):
    res = api(DONE_QUERIES)["out"]
    for q in DONE_QUERIES:
        assert res[q], f"no results for {q}"
        want = departments_with(q)
        got = {dept_of(r["url"]) for r in res[q]}
        assert want <= got, f"{q}: departments {sorted(want - got)} have the word but no result"
    assert len({dept_of(r["url"]) for r in res["公务用车"]} - {"compare.html", "quality.html"}) >= 4


# ---------------------------------------------------------------- results

def test_results_deep_link_to_sections_with_highlighted_excerpts(built_site, api):
    res = api(["公务用车", "离休", "2080109"])["out"]
    anchors = 0
    for term, hits in res.items():
        for hit in hits:
            assert f"<mark>" in hit["excerpt"], (term, hit["url"])
            page = (built_site / hit["url"].lstrip("/")).read_text(encoding="utf-8")
            for sub in hit["subs"]:
                if "#" in sub["url"]:
                    anchor = urllib.parse.unquote(sub["url"].split("#", 1)[1])
                    assert f'id="{anchor}"' in page, sub["url"]
                    anchors += 1
    assert anchors >= 10
    yq = next(h for h in res["公务用车"] if h["url"] == "/yangquan-ybj/2023/index.html")
    linked = {s["url"].split("#")[1] for s in yq["subs"] if "#" in s["url"]}
    assert {"t09-h", "sangong-h", "mingci-h"} & linked, linked
    code = next(h for h in res["2080109"] if h["url"] == "/yangquan-ybj/2023/index.html")
    assert any(re.fullmatch(r"t0\d-h", s["url"].split("#")[-1]) for s in code["subs"]), code["subs"]


def test_filters_are_department_region_year_and_type(api):
    res = api(["离休"])
    filters = res["filters"]
    assert {"部门", "地区", "年度", "类型"} <= set(filters)
    assert {"决算表", "三公经费", "绩效评价", "情况说明", "名词解释"} <= set(filters["类型"])
    assert {"山西省", "阳泉市", "湖南省"} <= set(filters["地区"])
    assert set(filters["年度"]) == {"2023"}
    assert "阳泉市医疗保障局" in filters["部门"]
    # Filters are per page and each value is listed once per page.
    for hit in res["out"]["离休"]:
        for values in hit["filters"].values():
            assert len(values) == len(set(values)), hit["filters"]


def test_filters_narrow_results(api):
    everything = api(["离休"])["out"]["离休"]
    evals = api(["离休", "医疗保障"], {"类型": "绩效评价"})["out"]
    for term, hits in evals.items():
        assert hits and all(EVAL_PAGE.match(h["url"]) for h in hits), [h["url"] for h in hits]
    assert 0 < len(evals["离休"]) < len(everything)
    shanxi = api(["医疗保障"], {"地区": "山西省"})["out"]["医疗保障"]
    assert shanxi and {dept_of(h["url"]) for h in shanxi} == {"linfen-ybzx", "yangquan-ybj"}
    one = api(["医疗保障"], {"部门": "汨罗市医疗保障局"})["out"]["医疗保障"]
    assert one and {dept_of(h["url"]) for h in one} == {"miluo-ybj"}
    terms = api(["公务用车"], {"类型": "名词解释"})["out"]["公务用车"]
    assert terms and all(h["url"].endswith("/index.html") for h in terms)


# ---------------------------------------------------------------- the search page

def test_search_page_shows_results_for_each_done_query(browser, site_url):
    for q in DONE_QUERIES:
        browser.get(site_url + "search.html?q=" + urllib.parse.quote(q))
        message = wait_for_ui(browser)
        assert message.startswith("找到"), (q, message)
        assert result_links(browser), q
        marks = [m.text for m in browser.find_elements("css selector", ".pagefind-ui__result mark")]
        assert q in marks, (q, marks[:10])


def test_type_filter_in_the_ui_keeps_only_evaluation_pages(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site_url + "search.html?q=" + urllib.parse.quote("离休"))
    before = wait_for_ui(browser)
    assert any(p.endswith("/index.html") for p in result_links(browser))
    browser.find_element(By.CSS_SELECTOR, 'label[for="类型-绩效评价"]').click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, ".pagefind-ui__message").text != before)
    after = wait_for_ui(browser)
    links = result_links(browser)
    assert links and all(EVAL_PAGE.match(p) for p in links), links
    assert int(re.search(r"\d+", after).group()) < int(re.search(r"\d+", before).group())


def test_type_filter_lists_only_department_sections_of_that_type(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(site_url + "search.html?q=" + urllib.parse.quote("公务用车"))
    before = wait_for_ui(browser)
    browser.find_element(By.CSS_SELECTOR, 'label[for="类型-名词解释"]').click()
    WebDriverWait(browser, 20).until(lambda d: d.find_element(By.CSS_SELECTOR, ".pagefind-ui__message").text != before)
    wait_for_ui(browser)
    subs = [urllib.parse.unquote(a.get_attribute("href")) for a in
            browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-nested a")]
    assert subs and all(s.endswith("#mingci-h") for s in subs), subs


def test_nonsense_query_says_so_in_chinese(browser, site_url):
    browser.get(site_url + "search.html?q=" + urllib.parse.quote(NONSENSE))
    message = wait_for_ui(browser)
    assert message.startswith("没有找到") and "更少" in message, message
    assert not result_links(browser)


def test_query_matching_only_parts_of_words_says_so(browser, site_url):
    from selenium.webdriver.common.by import By

    browser.get(site_url + "search.html?q=" + urllib.parse.quote(PARTIAL))
    wait_for_ui(browser)
    notice = browser.find_element(By.ID, "search-notice")
    assert notice.is_displayed() and "部分字词" in notice.text and "更少" in notice.text, notice.text
    browser.get(site_url + "search.html?q=" + urllib.parse.quote("离休"))
    wait_for_ui(browser)
    assert not browser.find_element(By.ID, "search-notice").is_displayed()


@pytest.mark.parametrize("query", ["公务用车", NONSENSE])
def test_search_page_with_results_has_no_serious_accessibility_violation(browser, site_url, query):
    from axe_selenium_python import Axe

    browser.get(site_url + "search.html?q=" + urllib.parse.quote(query))
    wait_for_ui(browser)
    axe = Axe(browser)
    axe.inject()
    bad = [v for v in axe.run()["violations"] if v.get("impact") in ("serious", "critical")]
    assert not bad, [(v["id"], v["nodes"][0]["target"]) for v in bad]


def test_header_search_on_a_department_page_lands_on_results(browser, site_url):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys

    browser.get(site_url + "yangquan-ybj/2023/index.html")
    box = browser.find_element(By.ID, "header-q")
    box.send_keys("公务用车", Keys.ENTER)
    message = wait_for_ui(browser)
    url = urllib.parse.urlsplit(browser.current_url)
    assert url.path.endswith("/search.html")
    assert urllib.parse.parse_qs(url.query)["q"] == ["公务用车"]
    assert message.startswith("找到"), message
    assert browser.find_element(By.CSS_SELECTOR, ".pagefind-ui__search-input").get_attribute("value") == "公务用车"
    assert browser.find_element(By.ID, "header-q").get_attribute("value") == "公务用车"


def test_works_under_a_sub_path_with_no_outside_requests(built_site, tmp_path):
    """As on the government server (https://…/juesuan/): relative bundle and
    result paths resolve under the prefix; nothing is fetched from elsewhere."""
    from conftest import make_driver

    root = tmp_path / "www"
    shutil.copytree(built_site, root / "juesuan")
    server, url = serve_dir(root)
    driver = make_driver()
    try:
        driver.get(url + "juesuan/search.html?q=" + urllib.parse.quote("住房公积金"))
        assert wait_for_ui(driver).startswith("找到")
        links = result_links(driver)
        assert links and all(p.startswith("/juesuan/") for p in links), links
        for p in links:
            with urllib.request.urlopen(url.rstrip("/") + urllib.parse.quote(p)) as r:
                assert r.status == 200
        requested = set()
        for entry in driver.get_log("performance"):
            msg = json.loads(entry["message"])["message"]
            if msg["method"] == "Network.requestWillBeSent":
                requested.add(msg["params"]["request"]["url"])
        outside = [u for u in requested if not u.startswith(url) and not u.startswith(("data:", "blob:"))]
        assert not outside, outside
    finally:
        driver.quit()
        server.shutdown()


def test_pages_load_search_assets_by_relative_paths(built_site):
    for path in [built_site / "search.html", built_site / "yangquan-ybj" / "2023" / "index.html"]:
        html = path.read_text(encoding="utf-8")
        for ref in re.findall(r'<(?:script[^>]*\ssrc|link[^>]*rel="stylesheet"[^>]*\shref)="([^"]+)"', html):
            assert not re.match(r"^(?:[a-z]+:)?//", ref), (path.name, ref)
        assert re.search(r'<form class="header-search"[^>]*action="(?:\.\./)*search\.html"', html)


# ---------------------------------------------------------------- cost

def test_index_cost_is_recorded(built_site, artifacts, tmp_path, monkeypatch):
    """Index size and the time Pagefind adds to a full (uncached) build of
    this content; recorded in tests/_artifacts/search-cost.json."""
    from generator.build import build

    size = sum(p.stat().st_size for p in (built_site / "pagefind").rglob("*") if p.is_file())
    data = sum(p.stat().st_size for sub in ("fragment", "index", "filter")
               for p in (built_site / "pagefind" / sub).rglob("*") if p.is_file())
    monkeypatch.setenv("PORTAL_SEARCH_CACHE", "0")      # index every time: a full build
    times = {True: [], False: []}
    for _ in range(3):
        for search in (False, True):
            started = time.perf_counter()
            build(CONTENT, tmp_path / f"s{int(search)}", search=search, cache=False)
            times[search].append(time.perf_counter() - started)
    with_index, without = min(times[True]), min(times[False])
    record = dict(pagefind=pagefind_version(), bundle_bytes=size, index_bytes=data,
                  build_seconds_without_index=round(without, 3), build_seconds_with_index=round(with_index, 3),
                  overhead=round(with_index / without - 1, 3))
    (artifacts / "search-cost.json").write_text(json.dumps(record, indent=1), encoding="utf-8")
    assert data < 2_000_000, record


def test_unchanged_pages_reuse_the_previous_index(tmp_path, monkeypatch):
    from generator.search import index_site

    monkeypatch.setenv("PORTAL_SEARCH_CACHE", str(tmp_path / "cache"))
    site = tmp_path / "site"
    site.mkdir()
    (site / "a.html").write_text('<html lang="zh-CN"><body><main data-pagefind-body><h1>公务用车</h1></main></body></html>',
                                 encoding="utf-8")
    index_site(site)
    first = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    shutil.rmtree(site / "pagefind")
    index_site(site)
    again = {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    assert again == first
    assert len([p for p in (tmp_path / "cache").iterdir() if p.is_dir()]) == 1
    shutil.rmtree(site / "pagefind")
    (site / "a.html").write_text('<html lang="zh-CN"><body><main data-pagefind-body><h1>离休</h1></main></body></html>',
                                 encoding="utf-8")
    index_site(site)
    assert len([p for p in (tmp_path / "cache").iterdir() if p.is_dir()]) == 2


def test_an_edit_reindexes_only_the_shards_whose_pages_changed(tmp_path, monkeypatch):
    """Sharded sites cache each shard by its pages: after an edit to one
    department's 职责 only that department's shard is indexed again, and the
    result is byte-identical to indexing everything from scratch."""
    from generator.build import build

    content = tmp_path / "content"
    shutil.copytree(CONTENT, content)
    monkeypatch.setenv("PORTAL_SEARCH_SHARD_PAGES", "15")
    monkeypatch.setenv("PORTAL_SEARCH_CACHE", str(tmp_path / "index-cache"))
    out = tmp_path / "site"
    first = build(content, out, search=True, cache=tmp_path / "cache")
    parts = first.search["parts"]
    assert parts >= 3 and first.search == dict(parts=parts, built=parts, reused=0)

    path = content / "miluo-ybj" / "2023.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.count("  职责: |\n") == 1
    path.write_text(text.replace("  职责: |\n", "  职责: |\n    检索分片测试句。\n"), encoding="utf-8")
    second = build(content, out, search=True, cache=tmp_path / "cache")
    assert second.search == dict(parts=parts, built=1, reused=parts - 1)
    assert "检索分片测试句" in indexed_pages(out)["miluo-ybj/2023/index.html"]

    monkeypatch.setenv("PORTAL_SEARCH_CACHE", "0")
    fresh = tmp_path / "fresh"
    build(content, fresh, search=True, cache=False)

    def bundle(site):
        return {p.relative_to(site).as_posix(): p.read_bytes() for p in (site / "pagefind").rglob("*") if p.is_file()}
    assert bundle(out) == bundle(fresh)


SHARD_JS = """
const [bundle, terms, done] = arguments;
(async () => {
  const pf = await import(bundle + 'pagefind.js');
  await pf.options({});
  const shards = await (await fetch(bundle + 'shards.json')).json();
  for (const s of shards) await pf.mergeIndex(bundle + s);
  const out = {shards: shards.length};
  for (const t of terms) {
    const r = await pf.search(t);
    out[t] = (await Promise.all(r.results.map(x => x.data()))).map(d => d.url.replace(/^https?:\\/\\/[^\\/]+/, ''));
  }
  done(out);
})().catch(e => done(String(e)));
"""


def test_sharded_index_keeps_full_recall(tmp_path, monkeypatch, browser):
    """Province-scale sites index in shards of about SHARD_PAGES pages (one
    Pagefind run over 20,000 pages needs 8.5 GB); the search page merges them.
    Forced here with tiny shards: every page containing a term is still found."""
    import re as _re

    from conftest import CONTENT, serve_dir
    from generator.build import build

    monkeypatch.setenv("PORTAL_SEARCH_SHARD_PAGES", "15")
    monkeypatch.setenv("PORTAL_SEARCH_CACHE", "0")
    out = tmp_path / "site"
    build(CONTENT, out, search=True, cache=False)
    shards = json.loads((out / "pagefind" / "shards.json").read_text(encoding="utf-8"))
    assert len(shards) >= 3
    texts = indexed_pages(out)
    terms = ["公务用车", "住房公积金", "离休", "医疗保障", "基金监管", "2080109", "结转", "劳务费"]
    server, url = serve_dir(out)
    try:
        browser.set_script_timeout(120)
        browser.get(url + "search.html")
        found = browser.execute_async_script(SHARD_JS, url + "pagefind/", terms)
        assert isinstance(found, dict), found
        assert found["shards"] == len(shards)
        for term in terms:
            expected = {"/" + p for p, text in texts.items() if term in _re.sub(r"\s+", "", text)}
            assert expected and expected <= set(found[term]), (term, expected - set(found[term]))
    finally:
        server.shutdown()
