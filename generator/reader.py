"""Strict YAML reading: bytes on disk -> a tree of strings, dicts and lists that
remember where each value was written.

Why not ``yaml.safe_load``: it turns ``5417.27`` into a binary float, silently
keeps the last of two duplicate keys, and forgets line numbers. Here every
scalar stays the text the editor typed (a :class:`Text`, a ``str`` with
``path``/``line``/``col``), so amounts can be parsed exactly and every later
error can point at ``file:line:col``. Composition uses libyaml's C parser
when available, which is what keeps loading fast at province scale.
"""
from __future__ import annotations

from pathlib import Path

import yaml

from .errors import ContentError

try:  # libyaml is bundled in PyYAML's wheels; fall back to pure Python.
    from yaml import CSafeLoader as _Loader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _Loader

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NODES_PER_FILE = 2_000_000


class Text(str):
    """A scalar exactly as written, with its position (1-based line and column)."""

    __slots__ = ("path", "line", "col")

    def __new__(cls, value: str, path: str = "", line: int = 0, col: int = 0):
        obj = super().__new__(cls, value)
        obj.path, obj.line, obj.col = path, line, col
        return obj

    def at(self, offset: int, value: str) -> "Text":
        """A sub-string of this scalar that keeps a position (for pipe rows)."""
        return Text(value, self.path, self.line, self.col + offset)


class Map(dict):
    """A mapping whose keys are :class:`Text` (so each key knows its line)."""

    path = ""
    line = 0
    col = 0

    def key(self, name: str) -> Text | None:
        for k in self:
            if k == name:
                return k
        return None


class Seq(list):
    path = ""
    line = 0
    col = 0


def decode(raw: bytes, shown: str) -> str:
    """UTF-8 (a BOM is accepted); anything else is an error that says what it looks like."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        hint = ""
        try:
            raw.decode("gbk")
            hint = "（看起来是 GBK/GB2312 编码，请用编辑器“另存为 UTF-8”）"
        except UnicodeDecodeError:
            pass
        raise ContentError(shown, line, 0, "", f"文件不是 UTF-8 编码{hint}") from None


def _check_tabs(text: str, shown: str) -> None:
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        if stripped.startswith("\t"):
            col = len(line) - len(stripped) + 1
            raise ContentError(shown, number, col, "", "缩进中有 Tab 字符，YAML 只能用空格缩进")


_YAML_PROBLEMS = {
    "found duplicate anchor": "锚点名称重复",
    "found undefined alias": "引用了未定义的锚点",
    "mapping values are not allowed": "此处不能出现“键: 值”（行内有半角冒号加空格时请给整行加引号）",
    "could not find expected ':'": "缺少半角冒号“:”",
    "found character that cannot start any token": "出现了不能作为开头的字符（例如 Tab 或 @、`）",
    "did not find expected key": "缩进不一致，或列表项与键混在同一层",
    "did not find expected '-' indicator": "列表缩进不一致",
    "found unexpected end of stream": "文件意外结束（引号或括号未闭合）",
    "found unknown escape character": "双引号字符串中有无法识别的转义符（反斜杠）；改用单引号",
    "expected <block end>, but found": "缩进不一致",
    "while scanning a quoted scalar": "引号未闭合",
    "while scanning a simple key": "键后面缺少半角冒号“:”",
    "found a tab character": "缩进或该处有 Tab 字符，YAML 只能用空格",
}


def _yaml_error(exc: yaml.MarkedYAMLError, shown: str) -> ContentError:
    mark = exc.problem_mark or exc.context_mark
    problem = f"{exc.context or ''} {exc.problem or ''}"
    message = "YAML 语法错误"
    for english, chinese in _YAML_PROBLEMS.items():
        if english in problem:
            message = f"YAML 语法错误：{chinese}"
            break
    line, col = (mark.line + 1, mark.column + 1) if mark else (0, 0)
    return ContentError(shown, line, col, "", f"{message}（{problem.strip()}）")


def read_yaml(path: Path, shown: str | None = None):
    """Read one YAML file strictly. Raises :class:`ContentError` on any problem."""
    shown = shown or str(path)
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ContentError(shown, 0, 0, "", f"无法读取文件：{exc.strerror}") from None
    if size > MAX_FILE_BYTES:
        raise ContentError(shown, 0, 0, "", f"文件过大（{size // 1048576} MB，上限 {MAX_FILE_BYTES // 1048576} MB）")
    text = decode(path.read_bytes(), shown)
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str):
    _check_tabs(text, shown)
    if not text.strip():
        raise ContentError(shown, 1, 1, "", "文件是空的")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc.context):
            raise ContentError(shown, exc.problem_mark.line + 1, 1, "", "一个文件只能有一个 YAML 文档（去掉多余的“---”）") from None
        raise _yaml_error(exc, shown) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, shown) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise ContentError(shown, 0, 0, "", f"YAML 错误：{exc}") from None
    if node is None:
        raise ContentError(shown, 1, 1, "", "文件中没有内容")
    return _Builder(shown).build(node)


class _Builder:
    """Turns composed nodes into Text/Map/Seq, refusing duplicates and bombs."""

    def __init__(self, shown: str):
        self.shown = shown
        self.count = 0

    def build(self, node):
        self.count += 1
        if self.count > MAX_NODES_PER_FILE:
            raise ContentError(
                self.shown, node.start_mark.line + 1, node.start_mark.column + 1, "",
                "锚点/别名展开后内容过大（疑似“别名炸弹”），拒绝读取")
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if node.tag == "tag:yaml.org,2002:null" and node.style is None and value in ("~", "null", "Null", "NULL"):
                value = ""
            return Text(value, self.shown, line, col)
        if isinstance(node, yaml.SequenceNode):
            seq = Seq(self.build(item) for item in node.value)
            seq.path, seq.line, seq.col = self.shown, line, col
            return seq
        if isinstance(node, yaml.MappingNode):
            result = Map()
            result.path, result.line, result.col = self.shown, line, col
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise ContentError(self.shown, key_node.start_mark.line + 1, key_node.start_mark.column + 1, "",
                                       "不支持合并键“<<”")
                key = self.build(key_node)
                if not isinstance(key, Text):
                    raise ContentError(self.shown, key.line, key.col, "", "键必须是文字")
                if key in result:
                    first = result.key(key)
                    raise ContentError(self.shown, key.line, key.col, "",
                                       f"键“{key}”重复（第 {first.line} 行已经出现过）")
                result[key] = self.build(value_node)
            return result
        raise ContentError(self.shown, line, col, "", "无法识别的 YAML 结构")  # pragma: no cover
