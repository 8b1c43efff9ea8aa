"""Full-text search index (Pagefind), built over the finished HTML in the
temporary build directory, so it is swapped in with the rest of the site.

What gets indexed is decided in the templates: every page that should be
searchable marks its ``<main>`` with ``data-pagefind-body`` (department,
evaluation, comparison and data-quality pages); the home, search and 404
pages have no body and are therefore left out. Navigation, breadcrumbs,
tables of contents, charts and source notes carry ``data-pagefind-ignore``;
repeated boilerplate rendered by shared macros is excluded here with
``EXCLUDE_SELECTORS``. ``indexed_text`` reproduces those rules in Python so
the tests can compare Pagefind's hits with a plain substring search over
exactly the text Pagefind was given.

Chinese has no spaces, so recall depends on the index-time and the query-time
word segmentation agreeing. Pagefind 1.5.x segments the index with a
dictionary segmenter and queries with the browser's ``Intl.Segmenter``
(Pagefind issue #1237); 1.6.0 segments both with ICU. The recall test in
tests/test_search.py measures this for the binary actually used.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

from .errors import ContentError, ContentErrors


PROJECT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = "pagefind"
LANGUAGE = "zh-cn"

# Repeated boilerplate that the shared macros put inside indexed sections:
# audit badges and lists (they belong to the data-quality page), transcription
# memos, the “单位：万元” captions, CSV download links and chart figures
# (their data tables duplicate the 决算表).
EXCLUDE_SELECTORS = [
    ".finding-mark",
    ".row-findings",
    ".finding-inline",
    ".memo",
    ".unit",
    ".download",
    ".empty-note",
    ".chart-figure",
]

# Elements Pagefind never indexes (its fossick/parser.rs REMOVE_SELECTORS).
_REMOVED_TAGS = {"head", "style", "script", "noscript", "label", "form", "svg", "footer", "nav",
                 "iframe", "template"}
# Pagefind's INLINE_SELECTORS: text in these runs on with its neighbours.
_INLINE_TAGS = {"a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em",
                "i", "img", "input", "kbd", "label", "map", "object", "output", "q", "samp", "script",
                "select", "small", "span", "strong", "sub", "sup", "textarea", "time", "tt", "var", "mark"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
              "track", "wbr"}


def pagefind_command() -> list[str] | None:
    """Pagefind 1.6 from `make tools` (npm) if present, else PyPI's 1.5 binary.

    ``PORTAL_PAGEFIND`` names another binary (used to compare versions)."""
    env = os.environ.get("PORTAL_PAGEFIND")
    if env:
        return [env]
    tools = PROJECT / ".tools" / "pagefind" / "pagefind_extended"
    if tools.exists():
        return [str(tools)]
    exe = Path(sys.executable).with_name("pagefind_extended")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    if found:
        return [found]
    try:
        import pagefind_bin_extended  # noqa: F401
        return [sys.executable, "-m", "pagefind_bin_extended"]
    except ImportError:
        return None


def pagefind_version(cmd: list[str] | None = None) -> str:
    cmd = cmd or pagefind_command()
    if not cmd:
        return ""
    out = subprocess.run(cmd + ["--version"], capture_output=True, text=True).stdout
    return out.strip().split()[-1] if out.strip() else ""


def pagefind_args(site_dir: Path) -> list[str]:
    args = ["--site", str(site_dir), "--output-subdir", BUNDLE_DIR, "--force-language", LANGUAGE,
            # Result URLs keep “index.html”: the government web server may not
            # map directory URLs to index.html, and every other link on the
            # site names the file too.
            "--keep-index-url", "--quiet"]
    for sel in EXCLUDE_SELECTORS:
        args += ["--exclude-selectors", sel]
    return args


def index_site(site_dir: Path) -> None:
    cmd = pagefind_command()
    if cmd is None:
        raise ContentErrors([ContentError("", 0, 0, "", "未安装全文检索工具 Pagefind（make tools，或 pip install 'pagefind[extended]'），或使用 --no-search")])
    result = subprocess.run(cmd + pagefind_args(Path(site_dir)), capture_output=True, text=True)
    if result.returncode != 0:
        raise ContentErrors([ContentError("", 0, 0, "", f"Pagefind 建立索引失败：{result.stderr.strip()[:500]}")])
    if not (Path(site_dir) / BUNDLE_DIR / "pagefind.js").exists():
        raise ContentErrors([ContentError("", 0, 0, "", "Pagefind 没有生成检索索引（pagefind/pagefind.js 不存在）")])


# --- What Pagefind indexes, reproduced for tests and diagnostics -----------

def _matches(selector: str, tag: str, attrs: dict[str, str]) -> bool:
    """The simple selectors used in EXCLUDE_SELECTORS: tag, .class, tag.class."""
    m = re.fullmatch(r"([a-z0-9]*)((?:\.[\w-]+)*)", selector.strip())
    if not m:
        raise ValueError(f"unsupported selector {selector!r}")
    name, classes = m.group(1), [c for c in m.group(2).split(".") if c]
    if name and name != tag:
        return False
    have = set((attrs.get("class") or "").split())
    return all(c in have for c in classes)


class _Indexed(HTMLParser):
    """Collects the text Pagefind indexes, as a list of blocks (block-level
    element boundaries end a block, so a match cannot span two table cells)."""

    def __init__(self, body_only: bool):
        super().__init__(convert_charrefs=True)
        self.body_only = body_only
        self.stack: list[tuple[str, bool, bool]] = []   # (tag, in_body, ignored)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.has_body = False

    def _state(self) -> tuple[bool, bool]:
        if not self.stack:
            return (not self.body_only, False)
        return self.stack[-1][1], self.stack[-1][2]

    def _break(self):
        if self.current:
            text = re.sub(r"\s+", " ", "".join(self.current)).strip()
            if text:
                self.blocks.append(text)
            self.current = []

    def handle_starttag(self, tag, attrs):
        a = {k: (v or "") for k, v in attrs}
        in_body, ignored = self._state()
        if "data-pagefind-body" in a:
            in_body, self.has_body = True, True
        if ("data-pagefind-ignore" in a or tag in _REMOVED_TAGS
                or any(_matches(s, tag, a) for s in EXCLUDE_SELECTORS)):
            ignored = True
        if tag not in _INLINE_TAGS:
            self._break()
        elif tag == "br":
            self.current.append(" ")
        if tag not in _VOID_TAGS:
            self.stack.append((tag, in_body, ignored))

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in _VOID_TAGS and self.stack and self.stack[-1][0] == tag:
            self.stack.pop()

    def handle_endtag(self, tag):
        if tag in _VOID_TAGS:
            return
        if not any(t == tag for t, _, _ in self.stack):
            return
        while self.stack:
            t, _, _ = self.stack.pop()
            if t == tag:
                break
        if tag not in _INLINE_TAGS:
            self._break()

    def handle_data(self, data):
        in_body, ignored = self._state()
        if in_body and not ignored:
            self.current.append(data)

    def close(self):
        super().close()
        self._break()


def indexed_text(html: str, body_only: bool = True) -> list[str]:
    """The blocks of text Pagefind indexes from one page: inside
    ``data-pagefind-body`` (when ``body_only``), minus ignored and excluded
    elements. Empty when the page has no body (Pagefind skips such pages)."""
    p = _Indexed(body_only)
    p.feed(html)
    p.close()
    return p.blocks if (p.has_body or not body_only) else []


def indexed_pages(site_dir: Path) -> dict[str, str]:
    """Relative path -> indexed text (blocks joined by newlines) for every
    page Pagefind indexes in a built site."""
    site_dir = Path(site_dir)
    pages = {}
    for path in sorted(site_dir.rglob("*.html")):
        rel = path.relative_to(site_dir).as_posix()
        if rel.startswith(BUNDLE_DIR + "/"):
            continue
        blocks = indexed_text(path.read_text(encoding="utf-8"))
        if blocks:
            pages[rel] = "\n".join(blocks)
    return pages
