"""The imported department-year as the YAML an editor would have typed."""
from __future__ import annotations

import json
import re

_PLAIN_BAD_START = set("[]{}\"'&*!%@#|>-?:,`~ ")
_SEP = " | "


def scalar(text: str) -> str:
    t = str(text)
    if (not t or t[0] in _PLAIN_BAD_START or t[-1] == " " or ": " in t or " #" in t or "\n" in t or t.endswith(":")
            or "\t" in t or re.fullmatch(r"(?i)null|~|true|false|yes|no|on|off", t)):
        return json.dumps(t, ensure_ascii=False)
    return t


def row(cells: list[str]) -> str:
    """``a | | c`` as an editor types it (blank cells as ``| |``)."""
    text = _SEP.join(c.replace("|", "\\|") for c in cells)
    while "|  |" in text:
        text = text.replace("|  |", "| |")
    return scalar(text.strip())


def block(lines: list[str], indent: int, key: str, items: list[str]) -> None:
    pad = " " * indent
    lines.append(f"{pad}{key}:")
    for item in items:
        lines.append(f"{pad}  - {scalar(item)}")


def department_yaml(doc: dict) -> str:
    out: list[str] = [
        "# 由 portal import 导入的草稿：请对照原件逐表核对后，把“草稿”改为“否”（见 docs/导入.md）。",
        f"部门: {scalar(doc['name'])}",
    ]
    if doc.get("supervisor"):
        out.append(f"主管部门: {scalar(doc['supervisor'])}")
    if doc.get("form"):
        out.append(f"表式: {scalar(doc['form'])}")
    out += [f"年度: {doc['year']}", f"类型: {doc['kind']}", "草稿: 是"]
    if doc.get("units"):
        out.append("单位构成:")
        out += [f"  - {row(r)}" for r in doc["units"]]
    out += ["来源:", f"  标题: {scalar(doc['title'])}", f"  发布单位: {scalar(doc['name'])}", f"  文件: {scalar(doc['file'])}"]
    block(out, 2, "备注", doc["notes"])
    if doc.get("overview"):
        out.append("概况:")
        for key, text in doc["overview"].items():
            out.append(f"  {key}: |")
            out += [f"    {ln}" if ln else "" for ln in text.split("\n")]
    if doc["tables"]:
        out.append("决算表:")
    for t in doc["tables"]:
        out.append(f"  {t['id']}:")
        if t.get("variant"):
            out.append(f"    版式: {scalar(t['variant'])}")
        if t.get("title"):
            out.append(f"    标题: {scalar(t['title'])}")
        if t.get("unit"):
            out.append(f"    单位: {scalar(t['unit'])}")
        out.append("    行:" if t["rows"] else "    行: []")
        out += [f"      - {row(r)}" for r in t["rows"]]
        if t.get("note"):
            out.append(f"    注: {scalar(t['note'])}")
        if t.get("remark"):
            out.append(f"    说明: {scalar(t['remark'])}")
        block(out, 4, "备注", t["memo"])
    if doc["missing"]:
        out.append("未公开表:")
        out += [f"  {k}: {scalar(v)}" for k, v in doc["missing"].items()]
    if doc["others"]:
        out.append("其他表:")
    for t in doc["others"]:
        out.append(f"  - 标题: {scalar(t['title'])}")
        if t.get("unit"):
            out.append(f"    单位: {scalar(t['unit'])}")
        out.append("    列: [" + ", ".join(scalar(c) if "," not in c and "[" not in c and "]" not in c
                                         else json.dumps(c, ensure_ascii=False) for c in t["columns"]) + "]")
        out.append("    行:" if t["rows"] else "    行: []")
        out += [f"      - {row(r)}" for r in t["rows"]]
        if t.get("note"):
            out.append(f"    注: {scalar(t['note'])}")
        block(out, 4, "备注", t["memo"])
    if doc.get("terms"):
        out.append("名词解释:")
        for term, text in doc["terms"]:
            out.append(f"  - 术语: {scalar(term)}")
            out.append(f"    解释: {scalar(text)}")
    return "\n".join(out) + "\n"


def sections_markdown(sections: list[tuple[str, str]]) -> str:
    parts = []
    for title, body in sections:
        parts.append(f"## {title}\n\n{body}\n" if body else f"## {title}\n")
    return "\n".join(parts)
