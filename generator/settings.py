"""Portal settings: ``content/site.yaml``, typed and validated in one place.

Every setting is declared once in :data:`OPTIONS` (key as the webmaster
writes it, kind, attribute, whether going live needs it, and what it means),
as MkDocs declares its ``config/defaults.py``. Loading collects errors with
file:line and a spelling hint for unknown keys; ``portal build --strict``
additionally refuses what would be wrong on a live government site (the
placeholder 网址, missing 主办单位/网站标识码/备案号 ...).
"""
from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .amounts import FULL_WIDTH
from .errors import ContentError, at
from .scan import shown_path
from .reader import Map, Seq, Text, read_yaml

# kind: text | url | email | phone | code | year-list | links | file | colour | tools
# live: required for `portal build --strict`
OPTIONS: list[dict] = [
    dict(key="网站名称", attr="title", kind="text", live=True, help="网站名称，显示在每页页首和浏览器标题"),
    dict(key="网址", attr="base_url", kind="url", live=True, help="网站正式网址（http:// 或 https:// 开头），用于网站地图、robots.txt 和规范链接"),
    dict(key="主办单位", attr="sponsor", kind="text", live=True, help="网站主办单位，页脚显示"),
    dict(key="承办单位", attr="organizer", kind="text", live=False, help="网站承办（运维）单位，页脚显示"),
    dict(key="网站标识码", attr="site_code", kind="code", live=True, help="政府网站标识码（10 位数字或字母），页脚和 SiteIDCode 元数据"),
    dict(key="ICP备案号", attr="icp", kind="text", live=True, help="ICP 备案号，例如“京ICP备12345678号”，链接到工业和信息化部备案网站"),
    dict(key="公安机关备案号", attr="police", kind="text", live=True, help="公安机关互联网站安全管理服务平台备案号，例如“京公网安备 11010502000001号”"),
    dict(key="联系电话", attr="phone", kind="phone", live=True, help="联系我们页面和页脚的电话"),
    dict(key="电子邮箱", attr="email", kind="email", live=False, help="联系我们页面的电子邮箱"),
    dict(key="地址", attr="address", kind="text", live=False, help="联系我们页面的通信地址"),
    dict(key="网站标志", attr="logo", kind="file", live=False, help="页首标志图片，content/ 下的文件（SVG/PNG）"),
    dict(key="主题色", attr="theme", kind="colour", live=False, help="主题色，#RRGGBB，须与白色文字对比度不低于 4.5:1"),
    dict(key="党政机关网站标识", attr="gov_mark", kind="file", live=False, help="党政机关网站标识图片（本地文件，content/ 下）"),
    dict(key="找错链接", attr="error_link", kind="url", live=False, help="“我为政府网站找错”链接地址"),
    dict(key="页脚链接", attr="footer_links", kind="links", live=False, help="页脚的其他链接，列表，每项含“名称”和“网址”"),
    dict(key="无障碍工具", attr="tools", kind="tools", live=False, help="页首无障碍工具条启用哪些功能：字号、高对比度、行距、阅读模式（默认全部）"),
    dict(key="地区", attr="region", kind="text", live=False, help="覆盖地区，首页说明文字；不写时由各部门的“地区”汇总"),
    dict(key="年度", attr="years", kind="year-list", live=False, help="只发布这些年度（不写时发布内容中的全部年度）"),
    dict(key="页脚", attr="footer", kind="text", live=False, help="页脚说明文字"),
    dict(key="联系方式", attr="contact", kind="text", live=False, help="页脚的一行联系信息"),
]
RENAMED = {"门户名称": "网站名称"}
TOOLS = ["字号", "高对比度", "行距", "阅读模式"]
PLACEHOLDER_HOSTS = ("example.gov.cn", "example.com", "example.org", "example.net", "localhost", "127.0.0.1")
_URL_BAD = re.compile(r"[\s\"'<>\\`{}|^\x00-\x1f\x7f]")
_EMAIL = re.compile(r"^[^\s@<>\"']+@[^\s@<>\"']+\.[^\s@<>\"']+$")
_PHONE = re.compile(r"^[0-9０-９+()（）\-－ 、转,，/]+$")
_CODE = re.compile(r"^[0-9A-Za-z]{6,20}$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")
MIIT_URL = "https://beian.miit.gov.cn/"
POLICE_URL = "https://beian.mps.gov.cn/"


@dataclass
class Settings:
    """What every page needs to know about the portal."""

    title: str = "决算公开"
    base_url: str = ""
    sponsor: str = ""
    organizer: str = ""
    site_code: str = ""
    icp: str = ""
    police: str = ""
    phone: str = ""
    email: str = ""
    address: str = ""
    logo: str = ""            # file name under static/ once copied, "" when none
    theme: str = ""
    gov_mark: str = ""
    error_link: str = ""
    footer_links: list[tuple[str, str]] = field(default_factory=list)
    tools: list[str] = field(default_factory=lambda: list(TOOLS))
    region: str = ""
    years: list[int] = field(default_factory=list)
    footer: str = ""
    contact: str = ""
    path: str = ""
    files: dict[str, Path] = field(default_factory=dict)   # attr -> source file (logo, gov_mark)
    lines: dict[str, int] = field(default_factory=dict)    # attr -> line in site.yaml

    @property
    def domain(self) -> str:
        m = re.match(r"^https?://([^/]+)", self.base_url)
        return m.group(1) if m else ""

    @property
    def police_code(self) -> str:
        """The digits of 公安机关备案号, for the link to the MPS record."""
        digits = re.findall(r"\d{6,}", self.police)
        return digits[0] if digits else ""


def url_problem(url: str, base: bool = True) -> str:
    """Why a URL setting cannot be written into sitemap.xml, robots.txt, the
    canonical links or an href ("" when it can): an absolute http(s) address
    of printable ASCII without spaces, quotes or angle brackets; the site's
    own 网址 (``base``) also without a query or fragment."""
    example = "应为以 http:// 或 https:// 开头的完整网址，例如 https://czj.shili.gov.cn/yjsgk/"
    bad = _URL_BAD.search(url)
    if bad:
        char = bad.group()
        what = "换行" if char in "\r\n" else "空格" if char.isspace() else f"“{char}”" if char.isprintable() else f"控制字符 U+{ord(char):04X}"
        return f"网址中不能有{what}；{example}"
    if not url.isascii():
        return f"网址只能用半角字符（中文域名请写成 xn-- 开头的形式，中文路径请用 % 编码）；{example}"
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError for a bad port
    except ValueError:
        return f"“{url}”不是有效的网址；{example}"
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return f"“{url}”不是完整网址；{example}"
    if "@" in parts.netloc:
        return f"网址中不能有用户名或密码（“@”）；{example}"
    if base and (parts.query or parts.fragment or url.endswith(("?", "#"))):
        return f"网址中不能有“?”或“#”部分（它是网站的根地址，页面路径会接在后面）；{example}"
    return ""


def is_placeholder(url: str) -> bool:
    m = re.match(r"^https?://([^/:]+)", url, re.I)
    host = m.group(1).lower() if m else ""
    return not host or any(host == p or host.endswith("." + p) for p in PLACEHOLDER_HOSTS)


def _hint(key: str) -> str:
    if key in RENAMED:
        return f"（该键已改名为“{RENAMED[key]}”）"
    close = difflib.get_close_matches(key, [o["key"] for o in OPTIONS], n=1, cutoff=0.4)
    return f"（是不是“{close[0]}”？）" if close else "（可用的键见 docs/编写指南.md）"


def _value(node, option: dict, settings: Settings, content: Path, errors: list):
    key, kind = option["key"], option["kind"]
    where = f"门户设置 {key}"
    if kind == "year-list":
        items = [node] if isinstance(node, Text) else node if isinstance(node, Seq) else None
        if items is None:
            errors.append(at(node, where, "应为年份或年份列表，例如 [2023, 2024]"))
            return []
        years = []
        for item in items:
            year = str(item).strip().translate(FULL_WIDTH) if isinstance(item, Text) else ""
            if re.fullmatch(r"[0-9]{4}", year):
                years.append(int(year))
            elif not (isinstance(item, Text) and not item.strip()):
                errors.append(at(item, where, f"“{item}”不是年份（应为 4 位数字，例如 2023）"))
        return years
    if kind == "links":
        if not isinstance(node, Seq):
            errors.append(at(node, where, "应为列表，每项写“名称”和“网址”"))
            return []
        links = []
        for item in node:
            if not isinstance(item, Map) or set(item) - {"名称", "网址"} or not item.get("名称") or not item.get("网址"):
                errors.append(at(item, where, "每项应为“名称: …”和“网址: …”两项"))
                continue
            problem = url_problem(str(item["网址"]), base=False)
            if problem:
                errors.append(at(item["网址"], where, problem))
                continue
            links.append((str(item["名称"]).strip(), str(item["网址"]).strip()))
        return links
    if kind == "tools":
        items = [node] if isinstance(node, Text) else node if isinstance(node, Seq) else None
        if items is None or not all(isinstance(i, Text) for i in items):
            errors.append(at(node, where, f"应为列表，可选：{'、'.join(TOOLS)}"))
            return list(TOOLS)
        chosen = []
        for item in items:
            if str(item).strip() not in TOOLS:
                errors.append(at(item, where, f"“{item}”不是可用的工具（可选：{'、'.join(TOOLS)}）"))
            else:
                chosen.append(str(item).strip())
        return chosen
    if not isinstance(node, Text):
        errors.append(at(node, where, "应为文字，而不是列表或映射"))
        return ""
    value = str(node).strip()
    if not value:
        return ""
    problem = ""
    if kind == "url":
        problem = url_problem(value, base=option["attr"] == "base_url")
    elif kind == "email" and not _EMAIL.match(value):
        problem = "不是电子邮箱地址"
    elif kind == "phone" and not _PHONE.match(value):
        problem = "电话号码只能包含数字、空格、“-”“+”“()”和“转”"
    elif kind == "code" and not _CODE.match(value):
        problem = "网站标识码应为 6–20 位数字或字母"
    elif kind == "colour" and not _COLOUR.match(value):
        problem = "颜色应写成 #RRGGBB，例如 #9b1c1c"
    elif kind == "colour" and _contrast(value, "#ffffff") < 4.5:
        problem = f"主题色 {value} 与白色文字的对比度为 {_contrast(value, '#ffffff'):.1f}:1，低于 4.5:1，请选更深的颜色"
    elif kind == "file":
        target = (content / value)
        try:
            resolved = target.resolve()
            inside = resolved.is_relative_to(content.resolve())
        except OSError:
            inside = False
        if not inside or not resolved.is_file() or target.is_symlink():
            problem = f"找不到文件 content/{value}（图片须放在 content/ 目录中，不能是链接）"
        elif resolved.suffix.lower() not in (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp"):
            problem = "图片格式应为 SVG、PNG、JPG、GIF 或 WebP"
        else:
            settings.files[option["attr"]] = resolved
            value = f"site-{option['attr']}{resolved.suffix.lower()}"
    elif "\n" in value or "\r" in value:
        problem = "只能写一行"
    if problem:
        errors.append(at(node, where, problem))
        return ""
    return value


def load_settings(path: Path, errors: list) -> Settings:
    """Read and validate site.yaml. Errors are appended; what is valid is kept."""
    shown = shown_path(path)
    settings = Settings(path=shown)
    if not path.exists() and not path.is_symlink():
        errors.append(ContentError(shown, 0, 0, "", "缺少门户设置文件 site.yaml（至少写“网站名称”）"))
        return settings
    try:
        root = read_yaml(path, shown)
    except ContentError as exc:
        errors.append(exc)
        return settings
    if not isinstance(root, Map):
        errors.append(at(root, "门户设置", "site.yaml 应为“键: 值”的映射"))
        return settings
    by_key = {o["key"]: o for o in OPTIONS}
    for key, node in root.items():
        option = by_key.get(str(key))
        if option is None:
            errors.append(at(key, "门户设置", f"未知的设置“{key}”{_hint(str(key))}"))
            continue
        setattr(settings, option["attr"], _value(node, option, settings, path.parent, errors))
        settings.lines[option["attr"]] = key.line
    if "网站名称" not in root:
        errors.append(ContentError(shown, 1, 1, "门户设置", "缺少必填项“网站名称”"))
    return settings


def live_problems(settings: Settings) -> list[ContentError]:
    """What a live government site may not go out with (``--strict``)."""
    problems = []
    for option in OPTIONS:
        if not option["live"]:
            continue
        value = getattr(settings, option["attr"])
        line = settings.lines.get(option["attr"], 0)
        if not value:
            problems.append(ContentError(settings.path, line, 0, f"门户设置 {option['key']}",
                                         f"正式发布须填写“{option['key']}”：{option['help']}"))
        elif option["kind"] == "url" and is_placeholder(value):
            problems.append(ContentError(settings.path, line, 0, f"门户设置 {option['key']}",
                                         f"“{value}”是示例网址，正式发布须改为本网站的真实网址"))
    return problems


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def _contrast(a: str, b: str) -> float:
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)
