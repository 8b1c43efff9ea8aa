"""Markdown from content, made safe.

Content text is untrusted: raw HTML is escaped *before* Markdown sees it (so
``<script>`` shows as text); link targets are restricted to paths, http(s)
and mailto (schemes compared case-insensitively, backslashes read as slashes
as browsers do); images must be paths inside the site: images from other
hosts (``http:``, ``//host``, ``/\\host``) or with any scheme are dropped, so
a page never makes a request outside the site.
"""
from __future__ import annotations

import html
import re
from functools import lru_cache

import markdown
from markupsafe import Markup

_ATTR = re.compile(r'\s(href|src)="([^"]*)"')
_IMG = re.compile(r"<img\b[^>]*>")
_SCHEME = re.compile(r"^([a-z][a-z0-9+.-]*):", re.I)
_LINK_SCHEMES = {"http", "https", "mailto"}


def _normalised(url: str) -> str:
    """The URL as a browser reads it: entities decoded (nested ones too),
    whitespace and control characters dropped, backslashes read as slashes."""
    for _ in range(3):  # entities may be nested (&amp;#58;): decode until stable
        url = html.unescape(url)
    return re.sub(r"[\s\x00-\x1f\x7f]+", "", url).replace("\\", "/")


def _is_local(url: str) -> bool:
    """A path inside the site: no scheme, not protocol-relative (//host, /\\host)."""
    return not _SCHEME.match(url) and not url.startswith("//")


def _clean_url(match: re.Match) -> str:
    attr, raw = match.group(1), match.group(2)
    url = _normalised(raw)
    scheme = _SCHEME.match(url)
    if attr == "src":
        ok = _is_local(url)
    else:
        ok = scheme is None or scheme.group(1).lower() in _LINK_SCHEMES
    if not ok:
        return f' {attr}="#"'
    return f' {attr}="{html.escape(url)}"' if "\\" in raw else match.group(0)   # /\\host is //host


def _drop_remote_img(match: re.Match) -> str:
    """Images load from inside the site only: a page never fetches anything
    from another host."""
    src = re.search(r'\ssrc="([^"]*)"', match.group(0))
    if src is None or src.group(1) == "#" or not _is_local(_normalised(src.group(1))):
        return ""
    return match.group(0)


_md = markdown.Markdown(extensions=["sane_lists", "tables"], output_format="html")


# Text in which Markdown can find nothing to do: no character that starts
# inline markup or an entity, no line that could open a block (indented code,
# list, heading, quote, table, rule, setext underline) or end in a hard break.
_MARKUP_CHAR = re.compile(r"[\\`*_\[\]!#>|<&{}:\t\r]")
_BLOCK_LINE = re.compile(r"^(?:\d+[.)]|[-+=~])", re.M)
# the two blocks besides paragraphs that 情况说明 and 绩效 texts are written in
_HEADING = re.compile(r"(#{1,6}) (\S[^#\n]*)")        # one line: ### （一）总体情况
_ITEM = re.compile(r"\d+\. (\S.*)")                   # one line of a list: 1. 绩效目标……


def _plain_paragraphs(text: str) -> Markup | None:
    """What Markdown makes of plain prose (paragraphs split at blank lines),
    and of one-line ``#`` headings and numbered lists (one item per line,
    from 1.) between them, without running it; None when the text has
    anything else Markdown might read."""
    blocks = text.strip("\n").split("\n\n")
    out = []
    after_list = False
    for block in blocks:
        lines = block.split("\n")
        heading = _HEADING.fullmatch(block) if block.startswith("#") else None
        if heading:
            html, words, after_list = f"<h{len(heading[1])}>{heading[2]}</h{len(heading[1])}>", [heading[2]], False
        elif block.startswith("1. ") and not after_list:   # a list after a list: Markdown joins them
            items = [_ITEM.fullmatch(line) for line in lines]
            if not all(items):
                return None
            words = [m[1] for m in items if m]
            html, after_list = "<ol>\n" + "\n".join(f"<li>{w}</li>" for w in words) + "\n</ol>", True
        else:
            html, words, after_list = f"<p>{block}</p>", lines, False
            if _BLOCK_LINE.search(block):
                return None
        for w in words:
            # Markdown trims (Unicode) spaces around lines, e.g. a 　　 paragraph indent
            if not w or w[0].isspace() or w[-1].isspace() or _MARKUP_CHAR.search(w) or _BLOCK_LINE.match(w):
                return None
        out.append(html)
    return Markup("\n".join(out))


@lru_cache(maxsize=4096)
def render_markdown(text: str) -> Markup:
    if not text:
        return Markup("")
    plain = _plain_paragraphs(text)
    if plain is not None:
        return plain
    escaped = text.replace("&", "&amp;").replace("<", "&lt;")
    _md.reset()
    out = _md.convert(escaped)
    out = _ATTR.sub(_clean_url, out)
    out = _IMG.sub(_drop_remote_img, out)
    return Markup(out)
