"""The built portal in a real headless Chromium, served by a plain local HTTP
server: every page loads without console errors and without a single request
outside the site, every chart is drawn, every internal link and anchor
resolves, axe-core finds nothing serious, phones (360 px), 200 % zoom and the
large-font mode do not overflow the page, sortable tables sort, hostile
content stays text — and full-page screenshots go to tests/_artifacts/ for a
person to look at.

One browser (the session's ``browser``) is reused throughout; tests that
change its window size, device metrics or stored font setting put them back.
"""
from __future__ import annotations

import base64
import contextlib
import json
import re
import shutil
import struct
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

pytest.importorskip("selenium")
from selenium.common.exceptions import TimeoutException  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

from conftest import CONTENT, serve_dir  # noqa: E402

HOME, DEPT, EVAL, COMPARE = "index.html", "linfen-ybzx/2023/index.html", "linfen-ybzx/2023/02-ylfwbz.html", "compare.html"
SHOTS = {"home": HOME, "dept": DEPT, "eval": EVAL, "compare": COMPARE}
DESKTOP = (1280, 900)
LINKED_EXT = (".html", ".csv", ".json", ".xml")


# ----------------------------------------------------------------- helpers

def site_pages(site: Path) -> list[str]:
    """Every HTML page of a built site (Pagefind's own bundle excluded)."""
    return sorted(p.relative_to(site).as_posix() for p in site.rglob("*.html")
                  if p.relative_to(site).parts[0] != "pagefind")


class Doc(HTMLParser):
    """ids, references and tags of one HTML file."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.refs: list[tuple[str, str, str]] = []
        self.tags: list[tuple[str, dict]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        self.tags.append((tag, a))
        if "id" in a:
            self.ids.add(a["id"])
        for attr in ("href", "src", "action"):
            if attr in a:
                self.refs.append((tag, attr, a[attr]))
        if tag == "script":
            self._script = a
            self.scripts.append((a, ""))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag == "script":
            self._script = None

    def handle_data(self, data):
        if self._script is not None:
            attrs, text = self.scripts[-1]
            self.scripts[-1] = (attrs, text + data)


@contextlib.contextmanager
def viewport(driver, width: int, height: int = 900, scale: float | None = None):
    """Window of width×height CSS px (optionally with a device pixel ratio); restored after."""
    driver.set_window_size(width, height)
    if scale:
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
            "width": width, "height": height, "deviceScaleFactor": scale, "mobile": False})
    try:
        yield driver
    finally:
        if scale:
            driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
        driver.set_window_size(*DESKTOP)


CHARTS_READY = """
// charts are drawn when near the viewport; draw the rest so every chart can be checked
if (document.readyState === 'complete' && window.portalDrawCharts) window.portalDrawCharts();
return document.readyState === 'complete' &&
  Array.prototype.every.call(document.querySelectorAll('.chart[data-spec]'),
    function (el) { return el.getAttribute('data-drawn') === '1'; });
"""


def load(driver, url: str, timeout: float = 15) -> bool:
    """Open url and wait until the page and all of its charts are drawn."""
    driver.get(url)
    try:
        WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: d.execute_script(CHARTS_READY))
        return True
    except TimeoutException:
        return False


def drain(driver) -> None:
    driver.get_log("browser")
    driver.get_log("performance")


def severe(driver) -> list[str]:
    return [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]


def requested(driver) -> list[str]:
    urls = []
    for entry in driver.get_log("performance"):
        message = json.loads(entry["message"])["message"]
        if message.get("method") == "Network.requestWillBeSent":
            urls.append(message["params"]["request"]["url"])
    return urls


def outside(urls: list[str], base: str) -> list[str]:
    return [u for u in urls if not (u.startswith(base) or u.startswith(("data:", "blob:")))]


OVERFLOW = """
var vw = document.documentElement.clientWidth, bad = [];
function name(el) {
  var c = typeof el.className === 'string' ? el.className : (el.className && el.className.baseVal) || '';
  return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (c ? '.' + c.trim().split(/\\s+/).join('.') : '');
}
document.querySelectorAll('body *').forEach(function (el) {
  if (el.parentElement && el.parentElement.closest('.table-scroll')) return;  // scrolls inside its box
  var r = el.getBoundingClientRect();
  if (!r.width && !r.height) return;
  if (r.right > vw + 1) bad.push(name(el) + ' right=' + Math.round(r.right) + ' “' + (el.textContent || '').trim().slice(0, 30) + '”');
});
return {scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, clientWidth: vw, bad: bad.slice(0, 12)};
"""

# Tick labels, legend entries and titles drawn by Plotly must stay inside their chart box.
CLIPPED_LABELS = """
var out = [];
document.querySelectorAll('.chart[data-spec]').forEach(function (chart) {
  var box = chart.getBoundingClientRect();
  chart.querySelectorAll('.xtick text, .ytick text, .legendtext, .g-gtitle text, .g-xtitle text, .g-ytitle text').forEach(function (t) {
    var r = t.getBoundingClientRect();
    if (!r.width) return;
    if (r.left < box.left - 2 || r.right > box.right + 2)
      out.push(chart.id + ': “' + t.textContent.slice(0, 30) + '” ' + Math.round(r.left - box.left) + '..' + Math.round(r.right - box.left) + ' of ' + Math.round(box.width));
  });
});
return out;
"""


def overflow_problems(driver, page: str) -> list[str]:
    m = driver.execute_script(OVERFLOW)
    problems = []
    if m["scrollWidth"] > m["clientWidth"] or m["scrollWidth"] > m["innerWidth"]:
        problems.append(f"{page}: page is {m['scrollWidth']} px wide in a {m['clientWidth']} px viewport")
    problems += [f"{page}: {b} > {m['clientWidth']}" for b in m["bad"]]
    problems += [f"{page}: label cut off: {c}" for c in driver.execute_script(CLIPPED_LABELS)]
    return problems


def full_page_png(driver, path: Path, scale: float = 1) -> tuple[int, int]:
    """Screenshot of the whole page (not only the viewport); returns the PNG's size."""
    width, height = driver.execute_script(
        "return [document.documentElement.scrollWidth, document.documentElement.scrollHeight]")
    shot = driver.execute_cdp_cmd("Page.captureScreenshot", {
        "format": "png", "captureBeyondViewport": True,
        "clip": {"x": 0, "y": 0, "width": width, "height": height, "scale": scale}})
    data = base64.b64decode(shot["data"])
    path.write_bytes(data)
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def clear_font_setting(driver) -> None:
    driver.execute_script("try { localStorage.removeItem('portal-a11y'); } catch (e) {}"
                          "document.documentElement.style.fontSize = '';"
                          "document.documentElement.classList.remove('a11y-contrast', 'a11y-spacing', 'a11y-reading');")


# ----------------------------------------------------------------- every page

@pytest.fixture(scope="module")
def pages(built_site) -> list[str]:
    return site_pages(built_site)


def test_sitemap_lists_every_page(built_site, pages):
    text = (built_site / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", text)
    assert locs, "sitemap.xml lists no page"
    base = urlsplit(locs[0]).path.rstrip("/") + "/"
    listed = set()
    for loc in locs:
        rel = urlsplit(loc).path[len(base):]
        rel = rel + "index.html" if rel == "" or rel.endswith("/") else rel
        assert (built_site / rel).is_file(), f"sitemap.xml lists {loc}, which was not built"
        listed.add(rel)
    assert set(pages) - listed == {"404.html"}, f"pages missing from sitemap.xml: {sorted(set(pages) - listed - {'404.html'})}"


def test_every_page_loads_without_errors_or_outside_requests(browser, site_url, pages):
    problems, charts = [], 0
    for page in pages:
        if page == "404.html":
            continue  # its links point at the deployed base path: see the next test
        drain(browser)
        drawn = load(browser, site_url + page)
        problems += [f"{page}: console error: {m}" for m in severe(browser)]
        problems += [f"{page}: request outside the site: {u}" for u in outside(requested(browser), site_url)]
        state = browser.execute_script("""
            return Array.prototype.map.call(document.querySelectorAll('.chart[data-spec]'), function (el) {
              return [el.id, el.getAttribute('data-drawn'), el.querySelectorAll('svg.main-svg').length,
                      Math.round(el.getBoundingClientRect().height)];
            });""")
        charts += len(state)
        for chart_id, flag, svgs, height in state:
            if flag != "1" or not svgs or height < 200:
                problems.append(f"{page}: chart {chart_id} not drawn (data-drawn={flag}, {svgs} svg, {height} px)")
        if not drawn and not state:
            problems.append(f"{page}: did not finish loading")
    assert not problems, "\n".join(problems)
    assert charts >= 10, f"only {charts} charts on the whole site"


def test_404_page_under_its_deployed_base_path(browser, built_site, tmp_path):
    """404.html is served at any depth, so its links are absolute to the
    deployed base path: serve the site under that path and load it there."""
    text = (built_site / "404.html").read_text(encoding="utf-8")
    canonical = re.search(r'<link rel="canonical" href="([^"]+)"', text)
    base = urlsplit(canonical.group(1)).path.rsplit("/", 1)[0] + "/" if canonical else "/"
    root = tmp_path / "webroot"
    mount = root / base.strip("/") if base.strip("/") else root
    mount.parent.mkdir(parents=True, exist_ok=True)
    if mount == root:
        shutil.copytree(built_site, root)
    else:
        mount.symlink_to(built_site, target_is_directory=True)
    server, url = serve_dir(root)
    try:
        drain(browser)
        load(browser, url.rstrip("/") + base + "404.html")
        assert browser.find_element(By.TAG_NAME, "h1").text == "页面不存在"
        assert severe(browser) == []
        assert outside(requested(browser), url) == []
        # its inline copy of site.css styles it like every other page (escaped CSS would not)
        style = ("return [getComputedStyle(document.body).fontFamily,"
                 " getComputedStyle(document.querySelector('.site-header')).backgroundColor]")
        inline = browser.execute_script(style)
        # its toolbar works too (inline copy of site.js)
        size = "return getComputedStyle(document.documentElement).fontSize"
        for _ in range(4):
            _a11y(browser, "larger")
        assert browser.execute_script(size) == "32px"
        _a11y(browser, "reset")
        assert browser.execute_script(size) == "16px"
        assert severe(browser) == []
        load(browser, url.rstrip("/") + base + "index.html")
        assert inline == browser.execute_script(style)
    finally:
        server.shutdown()
    # every link on it resolves once the base path is taken off
    for tag, attr, ref in Doc(text).refs:
        parts = urlsplit(ref)
        if parts.scheme or parts.netloc or ref.startswith("#"):
            continue
        assert parts.path.startswith(base), f"404.html: {ref} is not under {base}"
        rel = parts.path[len(base):] or "index.html"
        assert (built_site / rel).is_file(), f"404.html: {ref} does not exist"


# ----------------------------------------------------------------- links (no browser)

def test_every_internal_link_and_anchor_resolves(built_site, pages):
    docs = {p: Doc((built_site / p).read_text(encoding="utf-8")) for p in pages}
    problems, checked = [], 0
    for page, doc in docs.items():
        if page == "404.html":
            continue
        for tag, attr, ref in doc.refs:
            parts = urlsplit(ref)
            if parts.scheme in ("http", "https", "mailto", "tel") or parts.netloc:
                continue  # outside links are allowed (they are not loaded by the page)
            if parts.scheme:
                problems.append(f"{page}: <{tag} {attr}={ref!r}> has scheme {parts.scheme}:")
                continue
            if parts.path.startswith("/"):
                problems.append(f"{page}: <{tag} {attr}={ref!r}> is absolute: pages must work under any base URL")
                continue
            path = unquote(parts.path)
            target = (built_site / page).parent / path if path else built_site / page
            target = target.resolve()
            if target.is_dir():
                target = target / "index.html"
            try:
                rel = target.relative_to(built_site.resolve()).as_posix()
            except ValueError:
                problems.append(f"{page}: {ref} leaves the site")
                continue
            if not target.is_file():
                problems.append(f"{page}: {ref} → {rel} does not exist")
                continue
            checked += 1
            if parts.fragment and rel.endswith(".html"):
                ids = docs[rel].ids if rel in docs else Doc(target.read_text(encoding="utf-8")).ids
                if unquote(parts.fragment) not in ids:
                    problems.append(f"{page}: {ref} → no id “{parts.fragment}” on {rel}")
    assert not problems, f"{len(problems)} broken links:\n" + "\n".join(problems[:60])
    kinds = {Path(urlsplit(r).path).suffix for d in docs.values() for _, _, r in d.refs}
    assert set(LINKED_EXT) <= kinds, f"expected links to {LINKED_EXT}, saw {sorted(kinds)}"
    assert checked > 1000


# ----------------------------------------------------------------- accessibility

AXE_JS = Path(__file__).resolve().parent.parent / ".tools" / "axe" / "axe.min.js"


def run_axe(driver, rules: list[str] | None = None) -> dict:
    """axe-core 4.x (fetched from npm by `make tools`) on the loaded page;
    the older copy inside axe-selenium-python when the download failed."""
    if AXE_JS.is_file():
        source = AXE_JS.read_text(encoding="utf-8")
    else:
        import axe_selenium_python
        source = (Path(axe_selenium_python.__file__).parent / "node_modules" / "axe-core" / "axe.min.js").read_text()
    driver.execute_script(source)
    options = {"runOnly": {"type": "rule", "values": rules}} if rules else {}
    driver.set_script_timeout(60)
    return driver.execute_async_script(
        "var done = arguments[arguments.length - 1];"
        "axe.run(document, arguments[0]).then(function (r) { done(r); }, function (e) { done({error: String(e)}); });",
        options)


def axe_serious(results: dict) -> list[dict]:
    assert "error" not in results, results
    return [v for v in results["violations"] if v.get("impact") in ("serious", "critical")]


@pytest.mark.parametrize("page", [HOME, DEPT, EVAL, COMPARE, "quality.html", "year-2023.html", "sitemap.html",
                                  "contact.html", "legal.html", "search.html"])
def test_axe_finds_no_serious_violation(browser, site_url, page):
    assert load(browser, site_url + page)
    results = run_axe(browser)
    if AXE_JS.is_file():
        assert results["testEngine"]["version"].startswith("4.")
    bad = axe_serious(results)
    report = "\n".join(
        f"{v['impact']} {v['id']}: {v['help']} ({len(v['nodes'])}×) e.g. {v['nodes'][0]['target']}" for v in bad)
    assert not bad, f"{page}:\n{report}"


def _a11y(driver, what: str):
    driver.find_element(By.CSS_SELECTOR, f'.a11y-bar [data-a11y="{what}"]').click()


def test_text_size_steps_to_200_percent_and_persists(browser, site_url):
    size = "return parseFloat(getComputedStyle(document.documentElement).fontSize)"
    try:
        assert load(browser, site_url + DEPT)
        clear_font_setting(browser)
        assert load(browser, site_url + DEPT)
        normal = browser.execute_script(size)
        bar = browser.find_element(By.CSS_SELECTOR, ".a11y-bar")
        assert bar.is_displayed() and bar.get_attribute("role") == "toolbar" and bar.get_attribute("aria-label")
        chart_font = "return document.querySelector('.chart[data-spec]')._fullLayout.font.size"
        base_font = browser.execute_script("var el = document.querySelector('.chart[data-spec]');"
                                           "return JSON.parse(document.getElementById(el.dataset.spec).textContent).layout.font.size")
        for step in (1.25, 1.5, 1.75, 2.0):
            _a11y(browser, "larger")
            assert browser.execute_script(size) == pytest.approx(normal * step)
        assert browser.find_element(By.CSS_SELECTOR, '[data-a11y="larger"]').get_attribute("disabled")
        assert "200%" in browser.find_element(By.CSS_SELECTOR, ".a11y-size").text
        WebDriverWait(browser, 5).until(lambda d: d.execute_script(chart_font) > base_font * 1.5)  # charts follow
        # remembered on the next page (search results included), keyboard-operable to go back
        assert load(browser, site_url + "search.html")
        assert browser.execute_script(size) == pytest.approx(normal * 2)
        button = browser.find_element(By.CSS_SELECTOR, '[data-a11y="smaller"]')
        button.send_keys(Keys.ENTER)
        assert browser.execute_script(size) == pytest.approx(normal * 1.75)
        browser.find_element(By.CSS_SELECTOR, '[data-a11y="reset"]').send_keys(Keys.ENTER)
        assert browser.execute_script(size) == pytest.approx(normal)
    finally:
        clear_font_setting(browser)


def test_toolbar_modes_have_names_and_states(browser, site_url):
    try:
        assert load(browser, site_url + DEPT)
        clear_font_setting(browser)
        assert load(browser, site_url + DEPT)
        for what, cls in (("contrast", "a11y-contrast"), ("spacing", "a11y-spacing"), ("reading", "a11y-reading")):
            button = browser.find_element(By.CSS_SELECTOR, f'[data-a11y="{what}"]')
            assert button.text and button.get_attribute("aria-pressed") == "false"
            button.click()
            assert button.get_attribute("aria-pressed") == "true"
            assert browser.execute_script(f"return document.documentElement.classList.contains('{cls}')")
        assert load(browser, site_url + COMPARE)   # remembered on the next page
        for cls in ("a11y-contrast", "a11y-spacing", "a11y-reading"):
            assert browser.execute_script(f"return document.documentElement.classList.contains('{cls}')")
        assert browser.find_element(By.CSS_SELECTOR, '[data-a11y="reading"]').get_attribute("aria-pressed") == "true"
        assert severe(browser) == []
    finally:
        clear_font_setting(browser)


@pytest.mark.parametrize("page", [HOME, DEPT, EVAL, COMPARE, "quality.html"])
def test_high_contrast_mode_passes_axe_color_contrast(browser, site_url, page):
    try:
        assert load(browser, site_url + page)
        browser.execute_script("localStorage.setItem('portal-a11y', JSON.stringify({size: 100, contrast: true}))")
        assert load(browser, site_url + page)
        assert browser.execute_script("return document.documentElement.classList.contains('a11y-contrast')")
        results = run_axe(browser, ["color-contrast", "color-contrast-enhanced"])
        bad = [v for v in results["violations"] if v["id"] == "color-contrast"]
        assert not bad, [(v["id"], [n["target"] for n in v["nodes"][:5]]) for v in bad]
    finally:
        clear_font_setting(browser)


# ----------------------------------------------------------------- small screens

def test_phone_width_nothing_overflows(browser, site_url, pages):
    problems = []
    with viewport(browser, 360, 800):
        assert browser.execute_script("return window.innerWidth") == 360
        for page in pages:
            if not load(browser, site_url + page):
                problems.append(f"{page}: charts not drawn at 360 px")
            problems += overflow_problems(browser, page)
    assert not problems, "\n".join(problems)


def test_phone_large_font_and_200_percent_zoom_do_not_overflow(browser, site_url, artifacts):
    problems = []
    try:
        with viewport(browser, 360, 800):
            assert load(browser, site_url + HOME)
            for _ in range(4):   # 100 % -> 200 %
                _a11y(browser, "larger")
            for name, page in SHOTS.items():
                assert load(browser, site_url + page)
                assert browser.execute_script("return getComputedStyle(document.documentElement).fontSize") == "32px"
                problems += overflow_problems(browser, f"{page} (360 px, 200 % text)")
                full_page_png(browser, artifacts / f"{name}-360-large-font.png")
    finally:
        clear_font_setting(browser)
    # 200 % browser zoom of a 1280 px window is a 640 CSS px layout at two device pixels per px
    with viewport(browser, 640, 900, scale=2):
        for name, page in SHOTS.items():
            assert load(browser, site_url + page)
            assert browser.execute_script("return [window.innerWidth, window.devicePixelRatio]") == [640, 2]
            problems += overflow_problems(browser, f"{page} (200 % zoom)")
            full_page_png(browser, artifacts / f"{name}-640-zoom200.png", scale=0.5)
    assert not problems, "\n".join(problems)


def test_screenshots(browser, site_url, artifacts):
    """Full-page screenshots for people to look at (tests/_artifacts/)."""
    for width, height in (DESKTOP, (360, 800)):
        with viewport(browser, width, height):
            for name, page in SHOTS.items():
                assert load(browser, site_url + page)
                path = artifacts / f"{name}-{width}.png"
                png_w, png_h = full_page_png(browser, path)
                assert png_w <= width and png_h >= height and path.stat().st_size > 20_000


# ----------------------------------------------------------------- sortable tables

ROWS = """
var t = document.querySelectorAll('table.sortable')[arguments[0]], col = arguments[1];
return Array.prototype.map.call(t.tBodies[0].rows, function (r) {
  return [r.cells[0].textContent.trim(), r.cells[col].textContent.trim()];
});
"""


def _number(text: str) -> float | None:
    m = re.match(r"^-?[\d,]+(\.\d+)?", text)
    return float(m.group(0).replace(",", "")) if m else None


@pytest.mark.parametrize("table, column", [(0, "本年支出合计"), (0, "编制数"), (1, "合计")])
def test_compare_tables_sort_by_numeric_column(browser, site_url, table, column):
    assert load(browser, site_url + COMPARE)
    tables = browser.find_elements(By.CSS_SELECTOR, "table.sortable")
    heads = tables[table].find_elements(By.CSS_SELECTOR, "thead tr:first-child th")
    col = [h.text.strip() for h in heads].index(column)
    rows = lambda: [tuple(r) for r in browser.execute_script(ROWS, table, col)]  # noqa: E731
    before = rows()
    assert all(h.find_elements(By.CSS_SELECTOR, "button.sort") for h in heads), "every header is a sort button"
    button = heads[col].find_element(By.CSS_SELECTOR, "button.sort")
    for direction in ("ascending", "descending"):
        button.click()
        after = rows()
        assert heads[col].get_attribute("aria-sort") == direction
        assert sorted(after) == sorted(before), "rows keep their cells together"
        values = [_number(v) for _, v in after]
        known = [v for v in values if v is not None]
        assert len(known) >= 3, f"{column}: too few numbers to test sorting: {after}"
        assert known == sorted(known, reverse=direction == "descending"), f"{direction}: {after}"
        assert values[len(known):] == [None] * (len(values) - len(known)), f"“—” rows go last: {after}"
        if direction == "ascending":
            assert after != before, f"sorting by {column} changed nothing: {before}"
        assert sum(h.get_attribute("aria-sort") is not None for h in heads) == 1
    button.send_keys(Keys.ENTER)  # keyboard works too: back to ascending
    assert heads[col].get_attribute("aria-sort") == "ascending"


# ----------------------------------------------------------------- hostile content

XSS = "window.__xss=1"
HOSTILE = ('<script>window.__xss=1</script><img src=x onerror="window.__xss=1">'
           '" onmouseover="window.__xss=1 \' onfocus=\'window.__xss=1 '
           '</script><svg onload=window.__xss=1></svg>{{ 7*7 }}')
HOSTILE_MD = (HOSTILE + " [x](javascript:window.__xss=1) [y]( JaVaScRiPt:window.__xss=1 )"
              " <javascript:window.__xss=1> [z](&#106;avascript:window.__xss=1)"
              ' <a href="javascript:window.__xss=1">a</a> ![i](javascript:window.__xss=1)')


def _q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def _sub(text: str, old: str, new: str, count: int = 1) -> str:
    assert text.count(old) >= count, f"content changed: {old!r} not found"
    return text.replace(old, new, count)


def hostile_content(dest: Path) -> Path:
    """content/linfen-ybzx with hostile strings in every kind of text field."""
    shutil.copytree(CONTENT / "linfen-ybzx", dest / "linfen-ybzx")
    site = (CONTENT / "site.yaml").read_text(encoding="utf-8")
    (dest / "site.yaml").write_text(re.sub(r"(?m)^页脚: .*$", lambda m: "页脚: " + _q("页脚" + HOSTILE), site),
                                    encoding="utf-8")

    y = dest / "linfen-ybzx" / "2023.yaml"
    t = y.read_text(encoding="utf-8")
    t = _sub(t, "部门: 临汾市医疗保险服务中心\n", "部门: " + _q("临汾" + HOSTILE) + "\n")              # 部门
    t = _sub(t, "    - 12、承担市行政部门交办的其他事宜。\n",                                            # 概况 职责 (Markdown)
             "    - 12、承担市行政部门交办的其他事宜。\n    - 13、" + HOSTILE_MD + "\n")
    t = _sub(t, "  机构设置: |\n", "  机构设置: |\n    " + HOSTILE_MD + "\n\n")
    t = _sub(t, "    注: 本表反映部门本年度的总收支和年末结转结余情况。本套报表金额单位转换时可能存在尾数误差。\n",
             "    注: " + _q("注" + HOSTILE) + "\n")                                                 # table 注
    t = _sub(t, "    说明: 本表无数据\n", "    说明: " + _q("说明" + HOSTILE) + "\n")                 # table 说明
    t = _sub(t, "      - 表头“因公出国（境） 费”",                                                      # table 备注
             "      - " + _q("备注" + HOSTILE) + "\n      - 表头“因公出国（境） 费”")
    t = _sub(t, "      - 工程 | 3 |\n", "      - " + _q("工程" + HOSTILE + " | 3 |") + "\n")         # table text cell
    t = _sub(t, "  - 术语: 财政拨款收入\n    解释: 指单位从同级财政部门取得的财政预算资金。\n",           # 名词解释
             "  - 术语: " + _q("术语" + HOSTILE) + "\n    解释: " + _q("解释" + HOSTILE) + "\n")
    y.write_text(t, encoding="utf-8")

    md = dest / "linfen-ybzx" / "2023" / "情况说明.md"                                           # 情况说明.md
    md.write_text(md.read_text(encoding="utf-8").rstrip("\n") + "\n\n## 十一、" + HOSTILE + "\n\n" + HOSTILE_MD
                  + "\n\n| 表 | 值 |\n| --- | --- |\n| " + HOSTILE + " | [x](javascript:window.__xss=1) |\n",
                  encoding="utf-8")

    ev = dest / "linfen-ybzx" / "2023" / "绩效" / "02-ylfwbz.yaml"
    e = ev.read_text(encoding="utf-8")
    e = re.sub(r"(?m)^项目名称: .*$", lambda m: "项目名称: " + _q("项目" + HOSTILE), e, count=1)   # 项目名称
    row = re.search(r"(?m)^    - (产出指标 \| 数量指标 \| 参保覆盖面 \|.*)$", e)                   # 指标 text
    cells = row.group(1).split(" | ")
    cells[2] += HOSTILE   # 三级指标: also a chart label
    cells[3] += HOSTILE   # 年度指标值
    cells[-1] += HOSTILE  # 偏差原因分析及改进措施
    e = e[:row.start(1)] + _q(" | ".join(cells)) + e[row.end(1):]
    assert "正文:" not in e
    e = e.rstrip("\n") + "\n正文: " + _q("### 说明" + HOSTILE + "\n\n" + HOSTILE_MD) + "\n"       # 正文 (Markdown)
    ev.write_text(e, encoding="utf-8")
    return dest


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from generator.build import build

    root = tmp_path_factory.mktemp("hostile")
    content = hostile_content(root / "content")
    out = root / "site"
    build(content, out, search=False)
    server, url = serve_dir(out)
    yield out, url
    server.shutdown()


def test_hostile_content_is_escaped_in_the_html(hostile_site):
    out, _ = hostile_site
    pages = site_pages(out)
    seen = 0
    problems = []
    for page in pages:
        text = (out / page).read_text(encoding="utf-8")
        seen += text.count("__xss")
        doc = Doc(text)
        for tag, attrs in doc.tags:
            handlers = [k for k in attrs if k.startswith("on")]
            if handlers:
                problems.append(f"{page}: <{tag}> with event handler {handlers}")
            if tag in ("svg", "iframe", "object", "embed", "base") or (tag == "img" and attrs.get("src") == "x"):
                problems.append(f"{page}: content made a <{tag}>")
            for k in ("href", "src", "action", "formaction", "xlink:href"):
                v = re.sub(r"[\s\x00-\x1f]+", "", attrs.get(k, "")).lower()
                if v.startswith(("javascript:", "vbscript:", "data:text")):
                    problems.append(f"{page}: <{tag} {k}={attrs[k]!r}>")
        for attrs, body in doc.scripts:
            if attrs.get("type") == "application/json":
                json.loads(body)  # still one intact JSON document: nothing broke out of it
            elif "__xss" in body:
                problems.append(f"{page}: content became a script: {body[:80]!r}")
        if "<script>window.__xss" in text or re.search(r"<(script|img|svg)\b[^>]*__xss", text):
            problems.append(f"{page}: raw tag from content in the HTML source")
    assert not problems, "\n".join(problems)
    assert seen > 20, "the hostile strings did not reach the pages"


def test_hostile_content_runs_no_script_in_the_browser(browser, hostile_site):
    out, url = hostile_site
    problems = []
    for page in site_pages(out):
        if page == "404.html":
            continue
        if not load(browser, url + page):
            problems.append(f"{page}: charts not drawn")
        # fire every kind of event an injected attribute could listen to, then hover the charts
        browser.execute_script("""
            document.querySelectorAll('body *').forEach(function (el) {
              ['mouseover', 'mouseenter', 'focus', 'focusin', 'load', 'error'].forEach(function (type) {
                try { el.dispatchEvent(new Event(type, {bubbles: type !== 'mouseenter'})); } catch (e) {}
              });
            });""")
        for drag in browser.find_elements(By.CSS_SELECTOR, ".chart .nsewdrag")[:3]:
            from selenium.webdriver.common.action_chains import ActionChains
            ActionChains(browser).move_to_element(drag).perform()
        if browser.execute_script("return typeof window.__xss") != "undefined":
            problems.append(f"{page}: injected script ran")
        # click every link that came from content text (prose, terms, tables, notes)
        links = browser.execute_script("""
            return Array.prototype.map.call(
              // links that came from content; the site's own 尾差/不一致 marks (.finding-mark) are not content
              document.querySelectorAll(':is(main .prose a, main .terms a, main td a, main .note a, main h1 a, main h3 a):not(.finding-mark)'),
              function (a, i) { a.setAttribute('data-hostile-link', i); return [i, a.getAttribute('href')]; });""")
        for index, href in links:
            if href and not href.startswith("#") and not href.endswith(".html"):
                problems.append(f"{page}: content link to {href!r}")
                continue
            el = browser.find_elements(By.CSS_SELECTOR, f'[data-hostile-link="{index}"]')
            if not el:
                continue
            browser.execute_script("arguments[0].click()", el[0])
            if browser.execute_script("return typeof window.__xss") != "undefined":
                problems.append(f"{page}: clicking {href!r} ran injected script")
            if not browser.current_url.startswith(url + page):
                load(browser, url + page)
    assert not problems, "\n".join(problems)
    # the strings are shown as text where the editor typed them
    assert load(browser, url + "linfen-ybzx/2023/index.html")
    assert "<script>window.__xss=1</script>" in browser.find_element(By.TAG_NAME, "h1").text
    assert '<img src=x onerror="window.__xss=1">' in browser.find_element(By.ID, "mingci").text
