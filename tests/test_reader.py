"""Issue 18, the reader's site, on the five real documents: one rule for
blank / zero / 无此项 / 未公开, 尾差 kept neutral, editors' notes kept out of
the published pages, uniform number formats, phone-first tables, print,
search on a phone, charts drawn near the viewport and charts that tell —
checked in Chromium at 360 px (phone emulation) and 1280 px, with
screenshots of every page type at both widths in tests/_artifacts/."""
from __future__ import annotations

import contextlib
import json
import re
import time
import urllib.parse
from pathlib import Path

import pytest

pytest.importorskip("selenium")
from selenium.webdriver.common.by import By  # noqa: E402

from test_browser import axe_serious, full_page_png, load, run_axe, site_pages  # noqa: E402

HOME, COMPARE, QUALITY, SEARCH = "index.html", "compare.html", "quality.html", "search.html"
LINFEN, XIANYANG, YIMA, MILUO, YANGQUAN = (f"{s}/2023/index.html" for s in
                                           ("linfen-ybzx", "xianyang-ybj", "yima-ybj", "miluo-ybj", "yangquan-ybj"))
EVAL = "yangquan-ybj/2023/09-ylbx-gzjf.html"
DEPTS = [LINFEN, XIANYANG, YIMA, MILUO, YANGQUAN]


@contextlib.contextmanager
def phone(driver, width: int = 360, height: int = 780):
    """A phone: 360 CSS px, touch-style (mobile) metrics; restored after."""
    driver.set_window_size(width + 40, height)
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": True})
    try:
        yield driver
    finally:
        driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(1280, 900)


def html(site: Path, page: str) -> str:
    return (site / page).read_text(encoding="utf-8")


def text(site: Path, page: str) -> str:
    t = re.sub(r"<script[^>]*>.*?</script>", " ", html(site, page), flags=re.S)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", t))


def spec(site: Path, page: str, chart_id: str) -> dict:
    m = re.search(rf'<script type="application/json" id="{chart_id}-spec">(.*?)</script>', html(site, page), re.S)
    return json.loads(m.group(1)) if m else {}


def chart_summary(site: Path, page: str, chart_id: str) -> str:
    m = re.search(rf'<p class="chart-summary" id="{chart_id}-sum">(.*?)</p>', html(site, page), re.S)
    return m.group(1) if m else ""


# ------------------------------------------------------------- 1. zero is not “not published”

def test_yima_empty_sangong_table_with_its_note_reads_as_zero(built_site):
    home = html(built_site, HOME)
    card = home[home.index("义马市医疗保障局</a></h3>"):]
    card = card[:card.index("</section>")]
    assert "“三公”经费决算</dt><dd>0.00 万元" in card
    row = re.search(r'<tr><th scope="row"><a href="yima-ybj/2023/index.html">.*?</tr>', home).group(0)
    assert "0.00" in row and "—" not in row
    cmp_row = [r for r in re.findall(r"<tr>.*?</tr>", html(built_site, COMPARE), re.S) if "yima-ybj/2023/index.html#sangong" in r]
    assert cmp_row and "0.00（0.00）" in cmp_row[0] and "—" not in cmp_row[0]
    page = text(built_site, YIMA)
    assert "我部门没有三公经费预算收入，也没有三公经费支出，故本表无数据" in page


def test_xianyang_blank_cells_read_the_same_everywhere(built_site):
    page = html(built_site, XIANYANG)
    sg = page[page.index('id="sangong-cap"'):]
    sg = sg[:sg.index("</table>")]
    actual = re.search(r"<th scope=\"row\">合计</th><td class=\"num\">([^<]*)</td><td class=\"num\">([^<]*)</td>", sg)
    assert actual.groups() == ("3.30", "0.00")       # table, card, comparison and chart agree: 0.00
    assert "原表空白，按 0 计" in chart_summary(built_site, XIANYANG, "c-sangong")
    cmp_row = [r for r in re.findall(r"<tr>.*?</tr>", html(built_site, COMPARE), re.S) if "xianyang-ybj/2023/index.html#sangong" in r][0]
    assert "0.00（3.30）" in cmp_row
    assert "未公开" in cmp_row                          # 上年决算数: not in the document
    data = json.loads((built_site / "xianyang-ybj/2023/data.json").read_text(encoding="utf-8"))
    assert data["headline"]["sangong_actual"] == "0" and data["sangong"]["决算数"]["合计"] == "0"
    yima = json.loads((built_site / "yima-ybj/2023/data.json").read_text(encoding="utf-8"))
    assert yima["headline"]["sangong_actual"] == "0" and "上年决算数" not in yima["sangong"]


def test_sangong_chart_has_only_sangong_items(built_site):
    for dept in DEPTS:
        figure = spec(built_site, dept, "c-sangong")
        for trace in figure.get("data", []):
            assert not {"会议费", "培训费", "会议费、培训费"} & set(trace["x"]), dept
    page = html(built_site, XIANYANG)
    assert "会议费<span class=\"code\">不属于“三公”经费</span>" in page


def test_unpublished_is_written_out_not_a_dash(built_site):
    row = [r for r in re.findall(r"<tr>.*?</tr>", html(built_site, HOME), re.S) if "miluo-ybj" in r][0]
    assert "未公开" in row and "—" not in row
    assert "该部门未公开此项数字" not in html(built_site, HOME)


# ------------------------------------------------------------- 3. 尾差 neutral, 不一致 prominent

def test_rounding_is_neutral_and_discrepancies_come_first(built_site, browser, site_url):
    for dept in DEPTS:
        assert "尾差 尾差" not in text(built_site, dept)
        assert not re.search(r"(尾差</a>\s*<a[^>]*>尾差)", html(built_site, dept)), dept
    assert "（不一致 0）" not in text(built_site, HOME)
    assert "各表数字对得上" in text(built_site, HOME)
    quality = html(built_site, QUALITY)
    first_real, first_rounding = quality.index('class="real"'), quality.index('class="rounding"')
    assert first_real < first_rounding
    load(browser, site_url + LINFEN)
    colors = browser.execute_script("""
      var r = document.querySelector('.finding-mark.rounding'), row = r.closest('tr');
      return [getComputedStyle(r).backgroundColor, getComputedStyle(row.cells[1]).backgroundColor];""")
    assert colors[0] in ("rgba(0, 0, 0, 0)", "transparent") and colors[1] != "rgb(255, 241, 230)", colors   # not the warning tint
    load(browser, site_url + "yangquan-ybj/2023/09-ylbx-gzjf.html")
    real = browser.execute_script("return getComputedStyle(document.querySelector('.finding-mark:not(.rounding)')).backgroundColor")
    assert real == "rgb(162, 59, 0)"


# ------------------------------------------------------------- 4. editors' notes are not published

INTERNAL = ("原始文件", "000_0ac53e7087b66d99", "Markdown 加粗", "Word书签", "PDF提取", "第974", "第976行",
            "录入说明", "提取文本", "依隐私规则")


def test_editors_notes_are_not_published(built_site):
    for page in site_pages(built_site):
        body = text(built_site, page)
        for word in INTERNAL:
            assert word not in body, (page, word)
    src = html(built_site, LINFEN)
    src = src[src.index('id="laiyuan"'):]
    assert "《临汾市医疗保险服务中心2023年度单位决算公开》" in src and "原件未印发布日期" in src
    assert "<h2 id=\"memo-h\">" not in html(built_site, EVAL)
    for dept in DEPTS:   # nor in the downloads
        raw = (built_site / dept.replace("index.html", "data.json")).read_text(encoding="utf-8")
        data = json.loads(raw)
        assert "notes" not in data["source"] and "file" not in data["source"] and ".txt" not in raw, dept
        assert all("notes" not in ev for ev in data["evaluations"])


def test_editors_notes_stay_visible_in_preview():
    from conftest import CONTENT
    from generator import facts, pages as P, render as R
    from generator.audit import audit
    from generator.load import load_content
    site, depts = load_content(CONTENT)
    dept = next(d for d in depts if d.slug == "linfen-ybzx")
    found = audit(dept)
    for preview in (True, False):
        figures = {dept.key: facts.derive(dept)}
        made = P.dept_pages(dept, P.summarize(dept, found, figures[dept.key]), found, [dept],
                            P.common_context(site, [2023], preview=preview), figures)
        page = R.render_page(made[0], R.asset_versions())
        assert ("录入说明（仅预览可见，不发布）" in page and "000_0ac53e7087b66d99" in page) == preview
        ev = R.render_page(made[1], R.asset_versions())
        assert ("录入说明（仅预览可见，不发布）" in ev) == (preview and bool(dept.evaluations[0].memo))


def test_numbered_columns_table_has_its_units(built_site):
    page = html(built_site, MILUO)
    assert "单位：见各段段首" in page and 'class="subhead"' in page


# ------------------------------------------------------------- 5. one format per kind

def test_rates_scores_counts_and_dashes_are_uniform(built_site):
    for page in site_pages(built_site):
        if page.count("/") != 2 or page.endswith("index.html"):
            continue
        body = html(built_site, page)
        for cell in re.findall(r'<td class="num" data-label="执行率">([^<]*)</td>', body):
            assert cell.endswith("%") and re.fullmatch(r"[\d,]+\.\d{2,}%", cell), (page, cell)
        total = re.search(r'<dl id="total"><dt>总分</dt><dd>([^<]*)</dd>', body).group(1)
        assert total.startswith("原表未列示") or re.match(r"\d+\.\d\d 分", total), (page, total)
    assert "90.70 分" in text(built_site, EVAL)
    assert re.search(r"车辆数合计（辆） 7 1 辆", text(built_site, LINFEN))   # not “1.00” under 单位：万元
    for page in site_pages(built_site):
        cells = re.findall(r"<td[^>]*>([^<]*)</td>", html(built_site, page))
        assert "——" not in cells and "。。" not in text(built_site, page), page   # one dash in cells: —


# ------------------------------------------------------------- 2. tables on a phone

SCROLLERS = """
return Array.prototype.map.call(document.querySelectorAll('main .table-scroll'), function (box) {
  var hint = box.nextElementSibling;
  return {id: (box.closest('[id]') || {}).id, scrolls: box.scrollWidth > box.clientWidth + 2,
          hint: !!(hint && hint.classList.contains('scroll-hint') && hint.offsetHeight > 0),
          visible: box.offsetParent !== null};
});
"""


def test_phone_tables_keep_the_name_and_show_a_scroll_cue(browser, site_url):
    with phone(browser):
        load(browser, site_url + LINFEN)
        boxes = browser.execute_script(SCROLLERS)
        scrolling = [b for b in boxes if b["scrolls"] and b["visible"]]
        assert scrolling and all(b["hint"] for b in scrolling), [b for b in scrolling if not b["hint"]]
        seen = browser.execute_script("""
          var row = document.getElementById('t03-2080505'), box = row.closest('.table-scroll');
          box.scrollLeft = box.scrollWidth;
          var th = row.cells[0], r = th.getBoundingClientRect(), b = box.getBoundingClientRect();
          return [th.textContent, Math.round(r.left - b.left), box.scrollLeft > 0];""")
        assert "机关事业单位基本养老保险缴费支出" in seen[0] and "2080505" in seen[0], seen
        assert seen[1] <= 2 and seen[2], seen
        folded = browser.execute_script("""
          var block = document.querySelector('.has-empty-rows'), row = block.querySelector('tr.empty-row');
          var before = row.offsetHeight; block.querySelector('.empty-toggle').click();
          return [before, row.offsetHeight, block.querySelector('.empty-toggle').getAttribute('aria-pressed')];""")
        assert folded[0] == 0 and folded[1] > 0 and folded[2] == "true", folded


def test_phone_indicators_are_cards(browser, site_url):
    with phone(browser):
        load(browser, site_url + EVAL)
        cards = browser.execute_script("""
          var t = document.querySelector('#ind table'), box = t.closest('.table-scroll');
          var td = t.querySelector('td[data-label="得分"]');
          return [getComputedStyle(t.tBodies[0].rows[0]).display, box.scrollWidth <= box.clientWidth + 1,
                  getComputedStyle(td, '::before').content, td.getBoundingClientRect().right <= window.innerWidth];""")
        assert cards[0] == "block" and cards[1] and "得分" in cards[2] and cards[3], cards


def test_desktop_tables_need_no_scroll(browser, site_url):
    """At 1280 px no table hides a column behind a scroll (咸阳's 公开09表 did)."""
    for page in DEPTS + [EVAL, "xianyang-ybj/2023/01-bumen-zhengti.html", COMPARE, HOME]:
        load(browser, site_url + page)
        wide = [b for b in browser.execute_script(SCROLLERS) if b["scrolls"] and b["visible"]]
        assert not wide, (page, wide)
    load(browser, site_url + XIANYANG)
    box = browser.execute_script("""
      var box = document.getElementById('t09').querySelector('.table-scroll');
      return [box.scrollWidth, box.clientWidth];""")
    assert box[0] <= box[1] + 1, box


# ------------------------------------------------------------- 9. charts that tell

def test_charts_tell(built_site):
    cmp_ = spec(built_site, COMPARE, "c-cmp-scores")
    assert cmp_["data"][0]["type"] == "scatter" and len(cmp_["data"][0]["x"]) >= 20
    assert "未列入本图" in chart_summary(built_site, COMPARE, "c-cmp-scores")
    assert "汨罗市医疗保障局（未公开决算表，只有绩效评价材料）" in chart_summary(built_site, COMPARE, "c-cmp-spending")
    assert "c-xiang" in html(built_site, LINFEN)
    assert spec(built_site, LINFEN, "c-xiang")["data"][0]["text"]      # value labels
    for page in site_pages(built_site):
        for chart_id in re.findall(r'<div class="chart" id="([^"]+)"', html(built_site, page)):
            figure = spec(built_site, page, chart_id)
            values = [v for t in figure["data"] for v in (t["x"] if t.get("orientation") == "h" else t["y"]) if v]
            assert len(values) >= 2, (page, chart_id)
    assert not spec(built_site, YIMA, "c-sangong")        # all zero: no chart, the table says it
    trend = chart_summary(built_site, LINFEN, "c-sangong-trend")
    assert "减少 0.07 万元" in trend, trend


# ------------------------------------------------------------- 8. charts drawn near the viewport

def test_charts_are_drawn_only_near_the_viewport(browser, site_url):
    browser.get(site_url + COMPARE)
    time.sleep(1.5)
    state = browser.execute_script("""
      return Array.prototype.map.call(document.querySelectorAll('.chart[data-spec]'), function (el) {
        return [el.id, el.getBoundingClientRect().top > window.innerHeight + 400, el.getAttribute('data-drawn')]; });""")
    far = [s for s in state if s[1]]
    assert far and all(s[2] is None for s in far), state
    browser.execute_script("document.getElementById(arguments[0]).scrollIntoView()", far[-1][0])
    time.sleep(1.5)
    assert browser.execute_script("return document.getElementById(arguments[0]).getAttribute('data-drawn')", far[-1][0]) == "1"


# ------------------------------------------------------------- 7. print

def test_print_layout(browser, site_url):
    load(browser, site_url + XIANYANG)
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        browser.execute_script("window.dispatchEvent(new Event('beforeprint'))")
        got = browser.execute_script("""
          var cap = document.querySelector('#t03 caption'), unit = cap.querySelector('.unit'), cell = document.querySelector('#t03 td');
          var data = document.querySelector('.chart-data table'), head = document.querySelector('.print-head');
          return [parseFloat(getComputedStyle(cap).fontSize), parseFloat(getComputedStyle(unit).fontSize),
                  getComputedStyle(cell).borderRightStyle, data.offsetHeight, head.offsetHeight, head.textContent,
                  document.querySelectorAll('details.memo').length];""")
        assert got[0] > got[1] and got[2] == "solid" and got[3] > 0 and got[4] > 0, got
        assert "医疗保障部门决算公开平台" in got[5] and "打印日期" in got[5] and "年" in got[5], got[5]
        assert got[6] == 0
        pdf = browser.execute_cdp_cmd("Page.printToPDF", {"paperWidth": 8.27, "paperHeight": 11.69})
        assert len(pdf["data"]) > 10000
    finally:
        browser.execute_script("window.dispatchEvent(new Event('afterprint'))")
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})


# ------------------------------------------------------------- 6. search on a phone

def _wait_results(browser, timeout=20):
    end = time.time() + timeout
    while time.time() < end:
        if browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title a"):
            return True
        time.sleep(0.2)
    return False


def test_search_on_a_phone(browser, site_url):
    with phone(browser):
        browser.get(site_url + SEARCH + "?q=" + urllib.parse.quote("公务用车"))
        assert _wait_results(browser)
        time.sleep(0.5)
        got = browser.execute_script("""
          var first = document.querySelector('.pagefind-ui__result'), filters = document.querySelector('.pagefind-ui__filter-panel');
          var ex = document.querySelector('.pagefind-ui__result-excerpt');
          return [first.getBoundingClientRect().top + scrollY, filters ? filters.getBoundingClientRect().top + scrollY : 1e9,
                  parseFloat(getComputedStyle(ex).fontSize)];""")
        assert got[0] < got[1] and got[0] < 700 and got[2] >= 16, got
        subs = browser.execute_script("""
          return Array.prototype.map.call(document.querySelectorAll('.pagefind-ui__result'), function (r) {
            var s = r.querySelector('.pagefind-ui__result-nested a'); return [r.querySelector('.pagefind-ui__result-title a').getAttribute('href'), s ? s.getAttribute('href') : ''];});""")
        dept_subs = [s for u, s in subs if u.endswith("/2023/index.html") and s]
        assert len(dept_subs) >= 4 and all(re.search(r"#(sangong|t09)", s) for s in dept_subs), subs
    browser.get(site_url + SEARCH + "?q=" + urllib.parse.quote("大病保险"))
    assert _wait_results(browser)
    titles = [a.text for a in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title a")]
    assert any("—" in t and "医疗保障局" in t for t in titles), titles


# ------------------------------------------------------------- screenshots and axe at both widths

SHOT_PAGES = {"home": HOME, "dept": XIANYANG, "eval": EVAL, "compare": COMPARE, "quality": QUALITY,
              "search": SEARCH + "?q=" + urllib.parse.quote("公务用车")}


def test_screenshots_and_axe_at_both_widths(browser, site_url, artifacts):
    problems = []
    for width in (1280, 360):
        ctx = phone(browser) if width == 360 else contextlib.nullcontext()
        with ctx:
            for name, page in SHOT_PAGES.items():
                load(browser, site_url + page)
                if name == "search":
                    _wait_results(browser)
                    time.sleep(0.5)
                full_page_png(browser, artifacts / f"reader-{name}-{width}.png")
                bad = axe_serious(run_axe(browser))
                problems += [f"{width} {name}: {v['id']} {v['nodes'][0]['target']}" for v in bad]
    assert not problems, "\n".join(problems)


def test_code_search_ranks_the_table_above_the_quality_page(browser, site_url):
    browser.get(site_url + SEARCH + "?q=2080109")
    assert _wait_results(browser)
    time.sleep(0.5)
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-title a")]
    assert links and "quality.html" not in links[0], links
    first_sub = browser.find_elements(By.CSS_SELECTOR, ".pagefind-ui__result-nested a")
    assert first_sub and re.search(r"#t0[35]", first_sub[0].get_attribute("href")), [a.get_attribute("href") for a in first_sub[:4]]
