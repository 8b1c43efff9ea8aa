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

import errno
import os
import re
import stat
from pathlib import Path

import yaml

from .errors import ContentError

_BaseLoader: type
try:  # libyaml is bundled in PyYAML's wheels; fall back to pure Python.
    from yaml import CSafeLoader as _BaseLoader
except ImportError:  # pragma: no cover
    from yaml import SafeLoader as _BaseLoader

NULL_TAG = "tag:yaml.org,2002:null"
MERGE_TAG = "tag:yaml.org,2002:merge"
STR_TAG = "tag:yaml.org,2002:str"
_PLAIN_NULLS = frozenset(("", "~", "null", "Null", "NULL"))


class _Loader(_BaseLoader):
    """The safe loader with a shorter tag lookup for plain scalars: every
    scalar stays text here (:class:`_Builder` asks a tag only whether it is
    null or the merge key ``<<``), so the regular expressions for booleans,
    numbers and dates need not run on every cell of every table."""

    def resolve(self, kind, value, implicit):
        if kind is yaml.ScalarNode and implicit[0]:
            if value in _PLAIN_NULLS:
                return NULL_TAG
            return MERGE_TAG if value == "<<" else STR_TAG
        return super().resolve(kind, value, implicit)

MAX_FILE_BYTES = 32 * 1024 * 1024
MAX_NODES_PER_FILE = 2_000_000

# Invisible characters refused in every content file (YAML and Markdown):
# bidirectional controls, which make text display in another order than it
# is read ("Trojan Source"), and zero-width characters, which make two names
# or codes that look the same differ. A BOM at the very start of a file is
# accepted (and removed by decode); anywhere else it is a zero-width space.
INVISIBLE_NAMES = {
    "\u202a": "从左到右嵌入 LRE", "\u202b": "从右到左嵌入 RLE", "\u202c": "方向格式结束 PDF",
    "\u202d": "从左到右覆盖 LRO", "\u202e": "从右到左覆盖 RLO",
    "\u2066": "从左到右隔离 LRI", "\u2067": "从右到左隔离 RLI", "\u2068": "首强隔离 FSI", "\u2069": "方向隔离结束 PDI",
    "\u200e": "从左到右标记 LRM", "\u200f": "从右到左标记 RLM", "\u061c": "阿拉伯字母标记 ALM",
    "\u200b": "零宽空格", "\u200c": "零宽不连字", "\u200d": "零宽连字", "\u2060": "零宽不折行（词连接符）",
    "\ufeff": "零宽不折行空格（BOM）",
}
INVISIBLE = re.compile("[" + "".join(INVISIBLE_NAMES) + "]")


def _visible(text: str) -> str:
    return INVISIBLE.sub(lambda m: f"<U+{ord(m.group()):04X}>", text)


def invisible_message(char: str, offset: int | None = None) -> str:
    """Chinese message for one refused character (``offset``: 1-based position in the value)."""
    place = f"第 {offset} 个字符处" if offset else ""
    return (f"{place}有不可见字符 U+{ord(char):04X}（{INVISIBLE_NAMES[char]}），会使看起来相同的名称、编码或数字"
            "实际不同，或使文字显示顺序与实际不同；请删除该字符（可在编辑器中跳到所示的行和列后删除）")


class Text(str):
    """A scalar exactly as written, with its position (1-based line and column)."""

    __slots__ = ("path", "line", "col")
    path: str
    line: int
    col: int

    def __new__(cls, value: str, path: str = "", line: int = 0, col: int = 0):
        obj = str.__new__(cls, value)
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


def read_regular(path: Path, shown: str, limit: int = MAX_FILE_BYTES, what: str = "文件") -> bytes:
    """The bytes of a regular file, refusing symbolic links (``O_NOFOLLOW``)
    and special files: a FIFO is opened non-blocking and refused after
    ``fstat``, never read, so it cannot hang the build."""
    flags = os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        if exc.errno == errno.ELOOP or os.path.islink(path):
            raise ContentError(shown, 0, 0, "", "是符号链接（快捷方式），拒绝读取；请把文件本身复制到这里") from None
        raise ContentError(shown, 0, 0, "", f"无法读取文件：{exc.strerror}") from None
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise ContentError(shown, 0, 0, "", "不是普通文件（文件夹、命名管道或设备），拒绝读取")
        if info.st_size > limit:
            raise ContentError(shown, 0, 0, "", f"{what}过大（{info.st_size / 1048576:.1f} MB，上限 {limit // 1048576} MB）")
        chunks, size = [], 0
        while size <= limit:   # os.read, no buffered file object: one call for a file of the size fstat gave
            chunk = os.read(fd, min(limit + 1 - size, max(info.st_size + 1 - size, 65536)))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)


def decode(raw: bytes, shown: str) -> str:
    """UTF-8 (a BOM is accepted) without NUL bytes; anything else is an error
    that says what it looks like."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    elif raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ContentError(shown, 1, 1, "", "文件是 UTF-16 编码（记事本中的“Unicode”），请用编辑器“另存为 UTF-8”")
    nul = raw.find(b"\0")
    if nul >= 0:
        line = raw.count(b"\n", 0, nul) + 1
        col = len(raw[raw.rfind(b"\n", 0, nul) + 1: nul].decode("utf-8", "replace")) + 1
        raise ContentError(shown, line, col, "", "文件中有 NUL 字符（U+0000）：文件可能已损坏，或不是文本文件；"
                                                 "请用文本编辑器打开，删除该处的乱码后另存为 UTF-8")
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


_BLOCK_START = re.compile(r"(^|:|-)\s*[|>][-+0-9]*\s*(#.*)?$")
PASTE_HINT = ("从 Excel/WPS 复制的表格请粘贴在“行: |”下面：先写“行: |”，下一行起每行缩进空格后粘贴一行，"
              "栏之间的 Tab 保留即可（见 docs/编写指南.md 第 7 节）")


_TAB_INDENT = re.compile(r"^ *\t", re.M)


def _check_tabs(text: str, shown: str) -> None:
    """Tabs may not indent YAML; inside a block scalar (a table pasted under
    ``行: |``) a Tab after the spaces is content (a cell separator). Most
    files have no line starting with a Tab: one regular-expression scan."""
    if not _TAB_INDENT.search(text):
        return
    block = None    # indentation of the line that opened a block scalar
    for number, line in enumerate(text.split("\n"), 1):
        stripped = line.lstrip(" ")
        indent = len(line) - len(stripped)
        if block is not None:
            if not stripped.strip() or indent > block:
                continue
            block = None
        if stripped.startswith("\t"):
            col = indent + 1
            raise ContentError(shown, number, col, "", f"缩进中有 Tab 字符，YAML 只能用空格缩进；{PASTE_HINT}")
        if ("|" in stripped or ">" in stripped) and \
                _BLOCK_START.search(stripped.split(" #")[0].rstrip() if " #" in stripped else stripped.rstrip()):
            block = indent


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
    "found a tab character": "缩进或该处有 Tab 字符，YAML 只能用空格；从 Excel/WPS 复制的表格请粘贴在“行: |”下面，栏之间的 Tab 保留即可",
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
    text = decode(read_regular(path, shown), shown)
    return parse_yaml(text, shown)


def parse_yaml(text: str, shown: str):
    _check_tabs(text, shown)
    if not text.strip():
        raise ContentError(shown, 1, 1, "", "文件是空的")
    try:
        node = yaml.compose(text, Loader=_Loader)
    except yaml.composer.ComposerError as exc:
        if "expected a single document" in str(exc.context):
            line = exc.problem_mark.line + 1 if exc.problem_mark else 0
            raise ContentError(shown, line, 1, "", "一个文件只能有一个 YAML 文档（去掉多余的“---”）") from None
        raise _yaml_error(exc, shown) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, shown) from None
    except yaml.YAMLError as exc:  # pragma: no cover - non-marked errors are rare
        raise ContentError(shown, 0, 0, "", f"YAML 错误：{exc}") from None
    if node is None:
        raise ContentError(shown, 1, 1, "", "文件中没有内容")
    hit = INVISIBLE.search(text)
    if hit:
        raise _invisible_error(text, hit.start(), node, shown)
    return _Builder(shown, text, node).build(node)


def position(text: str, index: int) -> tuple[int, int]:
    """0-based line and column of a character index."""
    line = text.count("\n", 0, index)
    return line, index - (text.rfind("\n", 0, index) + 1)


def _spans(node, pos: tuple[int, int]) -> bool:
    start, end = node.start_mark, node.end_mark
    return (start.line, start.column) <= pos < (end.line, end.column)


def key_path(node, pos: tuple[int, int]) -> tuple[list[str], object | None]:
    """The keys (and list items) leading to the scalar written at ``pos``
    (0-based line, column): the business location of a raw-text problem."""
    trail: list[str] = []
    seen = set()
    while node is not None and id(node) not in seen:
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            return trail, node
        nxt = None
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if _spans(k, pos):
                    return trail + [str(k.value)], k
                if _spans(v, pos) or (v.start_mark.line, v.start_mark.column) == pos:
                    trail.append(str(k.value))
                    nxt = v
                    break
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value, 1):
                if _spans(item, pos):
                    trail.append(f"第{i}项")
                    nxt = item
                    break
        node = nxt
    return trail, None


def _invisible_error(text: str, index: int, root, shown: str) -> ContentError:
    line, col = position(text, index)
    trail, scalar = key_path(root, (line, col))
    offset = None
    if isinstance(scalar, yaml.ScalarNode) and scalar.start_mark.line == line and scalar.style in (None, "", "'", '"'):
        offset = col - scalar.start_mark.column + (0 if scalar.style else 1)   # plain style is None or ""
    where = _visible(" ".join(trail)) if trail else "（注释或空白处）"
    return ContentError(shown, line + 1, col + 1, where, invisible_message(text[index], offset))


class _Builder:
    """Turns composed nodes into Text/Map/Seq, refusing duplicate keys and
    aliases of lists and mappings (the "billion laughs" alias bomb: a list
    node met a second time is an alias, refused at once, so a bomb fails in
    milliseconds). Aliases of single values (``&a 5.00`` … ``*a``) stay
    allowed: each alias is written in the file, so they cannot multiply."""

    def __init__(self, shown: str, text: str = "", root=None):
        self.shown, self.text, self.root = shown, text, root
        self.count = 0
        self.collections: set[int] = set()

    def _collection_alias(self, node) -> ContentError:
        """Error at the first alias of a list or mapping (re-parsed from the
        events only on this error path, so the position is the alias's own)."""
        anchors, mark, name = set(), node.start_mark, ""
        try:
            for event in yaml.parse(self.text, Loader=_Loader):
                if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)) and event.anchor:
                    anchors.add(event.anchor)
                elif isinstance(event, yaml.AliasEvent) and event.anchor in anchors:
                    mark, name = event.start_mark, event.anchor
                    break
        except yaml.YAMLError:  # pragma: no cover - the text composed already
            pass
        alias = f"“*{name}”" if name else ""
        return ContentError(self.shown, mark.line + 1, mark.column + 1, "",
                            f"不支持引用列表或映射的别名{alias}（这种写法可被用作“别名炸弹”）；请把内容直接写出")

    def build(self, node):
        self.count += 1
        if self.count > MAX_NODES_PER_FILE:
            raise ContentError(
                self.shown, node.start_mark.line + 1, node.start_mark.column + 1, "",
                "锚点/别名展开后内容过大（疑似“别名炸弹”），拒绝读取")
        line, col = node.start_mark.line + 1, node.start_mark.column + 1
        if isinstance(node, yaml.ScalarNode):
            value = node.value
            if node.style == '"' and INVISIBLE.search(value):   # written as an escape, e.g. "\u200b"
                trail = key_path(self.root, (line - 1, col - 1))[0] if self.root is not None else []
                raise ContentError(self.shown, line, col, _visible(" ".join(trail)), invisible_message(INVISIBLE.search(value).group()))
            if node.tag == NULL_TAG and node.style is None and value in ("~", "null", "Null", "NULL"):
                value = ""
            return Text(value, self.shown, line, col)
        if id(node) in self.collections:
            raise self._collection_alias(node)
        self.collections.add(id(node))
        if isinstance(node, yaml.SequenceNode):
            seq = Seq([self.build(item) for item in node.value])
            seq.path, seq.line, seq.col = self.shown, line, col
            return seq
        if isinstance(node, yaml.MappingNode):
            result = Map()
            result.path, result.line, result.col = self.shown, line, col
            for key_node, value_node in node.value:
                if key_node.tag == MERGE_TAG:
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
