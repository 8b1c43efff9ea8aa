"""Marks in the rendered 情况说明: after each sentence that makes a claim the
audit found wrong (claims.py; the finding carries the sentence), a marker
linking to the finding on the 数据质量 page — the prose counterpart of the
``finding-mark`` links table rows get (render.table_rows_html).

The sentence is found in the rendered HTML's text (never inside a tag or an
attribute); Markdown markup (``**``, list numbers) does not stop it. A
sentence that cannot be found gets its marker at the end of the section, so
no finding loses its mark. Everything inserted is escaped.
"""
from __future__ import annotations

import re
from html import escape, unescape

from markupsafe import Markup

from .model import Finding

_TAG = re.compile(r"<[^>]*>")
_CHAR = re.compile(r"&(?:#\d+|#x[0-9a-fA-F]+|\w+);|.", re.S)
_ENDS = "。；;"
_LIST = re.compile(r"^\s*(?:\d+[.、]|[-*+]|#+)\s*")
TAIL = 16   # when the whole sentence is not found (markup inside it), its last characters


def _plain(html: str) -> tuple[str, list[int]]:
    """The text of ``html`` outside tags, entities decoded, and for each of
    its characters the HTML offset just after it."""
    chars: list[str] = []
    ends: list[int] = []
    pos = 0
    for tag in list(_TAG.finditer(html)) + [None]:
        stop = tag.start() if tag else len(html)
        for m in _CHAR.finditer(html, pos, stop):
            text = unescape(m.group(0))
            for ch in text:
                chars.append(ch)
                ends.append(m.end())
        if tag:
            pos = tag.end()
    return "".join(chars), ends


def _needles(sentence: str) -> list[str]:
    text = _LIST.sub("", sentence.strip()).replace("**", "").replace("`", "").strip()
    out = [text]
    if len(text) > TAIL:
        out.append(text[-TAIL:])
    return [n for n in out if n]


def _mark(findings: list[Finding], quality_url: str) -> str:
    """One marker per sentence: 不一致 when any open discrepancy, else
    已核实 / 提示 / 尾差 — linking to the first finding it names."""
    real = [f for f in findings if not f.rounding and not f.hint]
    open_ = [f for f in real if not f.reviewed]
    hints = [f for f in findings if f.hint]
    if open_:
        shown, label, cls = open_, "不一致", "finding-mark"
    elif real:
        shown, label, cls = real, "已核实", "finding-mark reviewed"
    elif hints:
        shown, label, cls = hints, "提示", "finding-mark hint"
    else:
        shown, label, cls = findings, "尾差", "finding-mark rounding"
    more = f"等 {len(shown)} 处" if len(shown) > 1 else ""
    text = "；".join(f"{f.where} {f.message}" for f in shown)
    return (f' <a class="{cls} prose-mark" href="{escape(quality_url)}#{escape(shown[0].qid)}">{label}'
            f'<span class="visually-hidden">{escape(more)}：{escape(text)}</span></a>')


def mark_sentences(html: str, findings: list[Finding], quality_url: str) -> Markup:
    """``html`` (a rendered section) with a marker after each sentence that
    ``findings`` (prose findings of that section, with ``sentence``) name."""
    by_sentence: dict[str, list[Finding]] = {}
    for f in findings:
        if f.sentence:
            by_sentence.setdefault(f.sentence, []).append(f)
    if not by_sentence:
        return Markup(html)
    html = str(html)
    plain, ends = _plain(html)
    inserts: list[tuple[int, str]] = []
    lost: list[Finding] = []
    used: set[int] = set()
    for sentence, fs in by_sentence.items():
        at = None
        for needle in _needles(sentence):
            i = plain.find(needle)
            while i >= 0 and i + len(needle) - 1 in used:
                i = plain.find(needle, i + 1)
            if i >= 0:
                last = i + len(needle) - 1
                if last + 1 < len(plain) and plain[last + 1] in _ENDS:
                    last += 1   # after the sentence's 。 or ；
                used.add(last)
                at = ends[last]
                if html.count("<a ", 0, at) + html.count("<a>", 0, at) > html.count("</a>", 0, at):
                    at = html.index("</a>", at) + 4   # never a link inside a link
                break
        if at is None:
            lost.extend(fs)
        else:
            inserts.append((at, _mark(fs, quality_url)))
    for at, mark in sorted(inserts, reverse=True):
        html = html[:at] + mark + html[at:]
    if lost:   # not found in the rendered text: marked at the end of the section, never dropped
        html += f'<p class="prose-marks">{_mark(lost, quality_url).strip()}</p>'
    return Markup(html)
