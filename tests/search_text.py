"""What Pagefind indexes, reproduced for the search tests: the text of a
page as Pagefind is given it (data-pagefind-body, ignore rules), so that
expected search results can be computed from the built pages."""
from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

from generator.search import BUNDLE_DIR, EXCLUDE_SELECTORS

# Elements Pagefind never indexes (its fossick/parser.rs REMOVE_SELECTORS).
_REMOVED_TAGS = {"head", "style", "script", "noscript", "label", "form", "svg", "footer", "nav",
                 "iframe", "template"}
# Pagefind's INLINE_SELECTORS: text in these runs on with its neighbours.
_INLINE_TAGS = {"a", "abbr", "acronym", "b", "bdo", "big", "br", "button", "cite", "code", "dfn", "em",
                "i", "img", "input", "kbd", "label", "map", "object", "output", "q", "samp", "script",
                "select", "small", "span", "strong", "sub", "sup", "textarea", "time", "tt", "var", "mark"}
_VOID_TAGS = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
              "track", "wbr"}


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
