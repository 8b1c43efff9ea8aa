"""Markdown from content, made safe.

Content text is untrusted: raw HTML is escaped *before* Markdown sees it (so
``<script>`` shows as text), and link/image targets are restricted to
relative paths, http(s) and mailto. Images from other hosts are dropped:
the site must not make requests outside itself.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
from markupsafe import Markup

_ATTR = re.compile(r'\s(href|src)="([^"]*)"')
_IMG = re.compile(r"<img\b[^>]*>")
_SAFE_SCHEME = re.compile(r"^(https?:|mailto:|#|/|\.|[^:]*$)", re.I)


def _clean_url(match: re.Match) -> str:
    attr, url = match.group(1), match.group(2)
    for _ in range(3):  # entities may be nested (&amp;#58;): decode until stable
        url = html.unescape(url)
    squeezed = re.sub(r"[\s\x00-\x1f]+", "", url)
    if not _SAFE_SCHEME.match(squeezed):
        return f' {attr}="#"'
    return match.group(0)


def _drop_remote_img(match: re.Match) -> str:
    tag = match.group(0)
    src = re.search(r'src="([^"]*)"', tag)
    if src and (src.group(1).startswith(("http:", "https:", "//")) or src.group(1) == "#"):
        return ""
    return tag


_md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    if not text:
        return Markup("")
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    _md.reset()
    out = _md.convert(escaped)
    out = _ATTR.sub(_clean_url, out)
    out = _IMG.sub(_drop_remote_img, out)
    return Markup(out)
