"""The survey of content/: every entry of the tree is classified, so that no
editor's file is ever dropped in silence.

Each file under content/ is exactly one of

* **used**: ``site.yaml`` (and the images it names), ``<部门>/<年度>.yaml``,
  ``<部门>/<年度>/情况说明.md``, ``<部门>/<年度>/原文.pdf`` (or .ofd/.doc/.docx/
  .xls/.xlsx), ``<部门>/<年度>/绩效/<名称>.yaml``;
* **ignored** by name (:data:`IGNORED`: system and editor litter such as
  ``.DS_Store`` or ``*.swp``), never opened;
* named in an **error** (the build fails): a file clearly meant as content
  but not read where it is or as it is spelt (``2023.yml``, ``情况说明.MD``,
  a 绩效 folder beside the year folder, a department folder one level too
  deep, any YAML file that would not be read), a symbolic link, a special
  file (pipe, device, socket);
* named in a **warning** (the build goes on): any other file, e.g. a Word or
  PDF original kept next to the YAML.

The walk uses ``os.scandir`` without following symbolic links and never
opens a file, so it stays cheap at province scale and a FIFO cannot hang it.
"""
from __future__ import annotations

import fnmatch
import operator
import os
import re
import stat
from dataclasses import dataclass, field
from pathlib import Path

from .amounts import FULL_WIDTH
from .errors import ContentError
from .urls import ORIGINALS

YEAR_FILE = re.compile(r"^([0-9]{4})\.yaml$")
YEAR_DIR = re.compile(r"^[0-9]{4}$")
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
SLUG_RULE = "部门文件夹名只能用小写英文字母、数字和“-”（会成为网址）"
EVAL_FILE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]*\.yaml$")
EVAL_RULE = "绩效文件名只能用英文字母、数字、“-”和“_”，以字母或数字开头，扩展名为小写 .yaml（文件名会成为网址）"
NARRATIVE = "情况说明.md"
ORIGINAL = re.compile(r"^原文\.(pdf|ofd|docx?|xlsx?|wps|et)$", re.I)   # the published original, offered for download
EVAL_DIR = "绩效"
FORMS_DIR = "forms"     # content/forms/*.yaml: this site's own form sets (表式), read by the build

# Names the generator itself writes inside a department-year folder of the
# site (urls.dept_url -> index.html, render.write_downloads -> data.json and
# data/, urls.original_url -> yuanwen/): a 绩效 file <name>.yaml is published as <name>.html beside them, so
# these names are refused (compared without case: Windows and macOS servers
# do not tell Index.html from index.html).
RESERVED_EVAL_NAMES = frozenset({"index", "data", ORIGINALS})
# Names the generator writes at the site root (render.copy_static -> static/,
# render.write_bundle -> data/, search -> pagefind/): no department folder
# may take them.
RESERVED_SLUGS = frozenset({"static", "data", "pagefind", FORMS_DIR})

# Ignored without being opened: system files (macOS, Windows), editor backups
# and lock files, version-control folders. One list, documented in
# docs/编写指南.md; matched without case.
IGNORED = (
    ".DS_Store", "._*", "__MACOSX", ".Spotlight-V100", ".Trashes", ".fseventsd",   # macOS
    "Thumbs.db", "desktop.ini", "~$*",                                           # Windows, Office lock files
    "*~", "*.swp", "*.swo", "*.bak", ".#*", "#*#", ".~lock.*#",                  # editor backups and locks
    ".git", ".gitignore", ".gitkeep", ".gitattributes", ".svn", ".hg",           # version control
)
_IGNORED = re.compile("|".join(fnmatch.translate(p) for p in IGNORED), re.IGNORECASE | re.DOTALL)
_YAMLISH = re.compile(r"\.ya?ml(\.|$)", re.IGNORECASE)
_MDISH = re.compile(r"\.(md|markdown|mdown|mkd)(\.|$)", re.IGNORECASE)
_YEARISH = re.compile(r"^\s*[0-9０-９]{4}")
_NARRATIVE_LIKE = {"", ".md", ".markdown", ".txt", ".text", ".mdown", ".mkd"}

_NAME = operator.attrgetter("name")
NOT_CONTENT = "不是内容文件，不会被读取或发布（不需要时请移出 content/ 文件夹）"
LAYOUT = "各文件应放的位置见 docs/编写指南.md 第 1 节"


def ignored(name: str) -> bool:
    """System or editor litter, skipped without being opened (see IGNORED)."""
    return _IGNORED.match(name) is not None


def shown_path(path) -> str:
    rel = os.path.relpath(path)
    return str(path) if rel.startswith("..") else rel


def _is_narrative_like(name: str) -> bool:
    """情况说明 under another spelling: 情况说明.MD, 情况说明.txt, 情况说明(1).md, 情况说明."""
    return name.strip().startswith("情况说明") and os.path.splitext(name)[1].lower() in _NARRATIVE_LIKE


@dataclass
class YearFolder:
    """What the loader reads from ``<部门>/<年度>/`` (paths as strings: the
    survey makes no Path objects, which keeps it cheap at province scale)."""

    narrative: str | None = None
    evaluations: list[str] = field(default_factory=list)
    original: str | None = None     # 原文.pdf …: the original document, published as a download


class Survey:
    """Walks content/ once; collects departments, errors and warnings."""

    def __init__(self, content: Path):
        self.content = Path(content)
        self.root = os.path.realpath(self.content)
        self.departments: dict[str, list[str]] = {}
        self.forms: list[str] = []      # content/forms/*.yaml
        self.errors: list[ContentError] = []
        self.warnings: list[ContentError] = []

    # ------------------------------------------------------------ helpers

    def error(self, path, message: str, where: str = "") -> None:
        self.errors.append(ContentError(shown_path(path), 0, 0, where, message))

    def warn(self, path, message: str, where: str = "") -> None:
        self.warnings.append(ContentError(shown_path(path), 0, 0, where, message))

    def entries(self, folder) -> list[os.DirEntry]:
        try:
            with os.scandir(folder) as it:
                found = sorted(it, key=_NAME)
        except OSError as exc:
            self.error(folder, f"无法读取文件夹：{exc.strerror or exc}")
            return []
        return found

    def usable(self, entries) -> "list[tuple[os.DirEntry, str]]":
        """(entry, kind) of the entries that can be content: litter is
        ignored, and links and special files were already reported by kind()."""
        return [(e, k) for e in entries if (k := self.kind(e)) not in ("ignored", "link", "special")]

    def kind(self, entry: os.DirEntry) -> str:
        """ignored | link | dir | file | special — never follows a link, never opens."""
        if ignored(entry.name):
            return "ignored"
        try:
            if entry.is_symlink():
                self.refuse_link(entry)
                return "link"
            if entry.is_dir(follow_symlinks=False):
                return "dir"
            if entry.is_file(follow_symlinks=False):
                return "file"
            mode = entry.stat(follow_symlinks=False).st_mode
        except OSError as exc:
            self.error(entry.path, f"无法读取：{exc.strerror or exc}")
            return "special"
        what = ("命名管道（FIFO）" if stat.S_ISFIFO(mode) else "套接字" if stat.S_ISSOCK(mode)
                else "设备文件" if stat.S_ISBLK(mode) or stat.S_ISCHR(mode) else "特殊文件")
        self.error(entry.path, f"不是普通文件而是{what}，拒绝读取；content/ 中只能放普通文件和文件夹")
        return "special"

    def refuse_link(self, entry: os.DirEntry) -> None:
        try:
            target = os.readlink(entry.path)
        except OSError:
            target = "?"
        real = os.path.realpath(entry.path)
        inside = real == self.root or real.startswith(self.root + os.sep)
        if not os.path.exists(entry.path):
            why = f"是指向不存在位置（{target}）的符号链接（快捷方式），其内容不会被读取"
        elif not inside:
            why = f"是指向 content/ 以外（{target}）的符号链接（快捷方式），拒绝读取"
        else:
            why = f"是符号链接（快捷方式，指向 {target}）"
        self.error(entry.path, f"{why}；content/ 中不能使用符号链接，请把文件或文件夹本身复制到这里")

    # ------------------------------------------------------------ levels

    def run(self) -> "Survey":
        for entry in self.entries(self.content):
            if entry.name == "site.yaml":
                continue   # read, and refused when not a regular file, by load.load_site
            kind = self.kind(entry)
            if kind in ("ignored", "link", "special"):
                continue
            if kind == "dir" and entry.name == FORMS_DIR:
                self.forms_folder(entry)
                continue
            if kind == "dir":
                self.department(entry)
                continue
            name = entry.name
            stem = name.split(".", 1)[0]
            if _YAMLISH.search(name) and stem.lower() == "site":
                self.error(entry.path, f"门户设置文件必须命名为“site.yaml”（小写，扩展名 .yaml）；请把“{name}”改名")
            elif _YAMLISH.search(name) and _YEARISH.match(name):
                self.error(entry.path, "年度主文件必须放在部门文件夹中，例如 content/<部门文件夹>/2023.yaml；此处的文件不会被读取")
            elif _YAMLISH.search(name):
                self.error(entry.path, f"content/ 下只读取 site.yaml 和各部门文件夹；此 YAML 文件不会被读取（{LAYOUT}）")
            elif _is_narrative_like(name):
                self.error(entry.path, "情况说明应放在 content/<部门文件夹>/<年度>/情况说明.md；此处的文件不会被读取")
            else:
                self.warn(entry.path, NOT_CONTENT)
        return self

    def forms_folder(self, folder: os.DirEntry) -> None:
        """``content/forms/``: the site's own form sets (表式), one ``*.yaml``
        each, read and checked by the build (formsets.py)."""
        for entry in self.entries(folder.path):
            kind = self.kind(entry)
            if kind in ("ignored", "link", "special"):
                continue
            if kind == "dir":
                self.stray(entry, "content/forms/ 中只读取表式文件（*.yaml），不读取子文件夹")
            elif entry.name.endswith(".yaml"):
                self.forms.append(entry.path)
            elif _YAMLISH.search(entry.name):
                stem = entry.name.rsplit(".", 1)[0]
                self.error(entry.path, f"表式文件的扩展名应为小写 .yaml；请把“{entry.name}”改名为“{stem}.yaml”，否则不会被读取")
            else:
                self.warn(entry.path, NOT_CONTENT)

    def department(self, folder: os.DirEntry) -> None:
        """``content/<部门>/``. A folder with nothing that looks like content
        (no YAML, no 情况说明, no year or 绩效 folder) is one warning."""
        entries = self.entries(folder.path)
        if not any(_YAMLISH.search(e.name) or _is_narrative_like(e.name) or e.name.strip() == EVAL_DIR
                   or (YEAR_DIR.match(e.name) and e.is_dir(follow_symlinks=False)) for e in entries):
            self.stray(folder, "content/ 下的文件夹应为部门文件夹（其中有 2023.yaml 这样的年度主文件）；此文件不会被读取")
            return
        years = [e for e in entries if YEAR_FILE.match(e.name) and e.is_file(follow_symlinks=False)]
        slug = folder.name
        if not SLUG.match(slug):
            self.error(folder.path, SLUG_RULE)
        elif slug in RESERVED_SLUGS:
            self.error(folder.path, f"部门文件夹名“{slug}”为网站保留（{'、'.join(sorted(RESERVED_SLUGS))}），请换一个名称")
        elif years:
            self.departments[slug] = [e.path for e in years]
        year_names = {e.name for e in years}
        for entry, kind in self.usable(entries):
            name = entry.name
            if name in year_names:
                continue
            if kind == "dir":
                if YEAR_DIR.match(name):
                    if f"{name}.yaml" in year_names:
                        self.year_folder(entry.path)
                    else:
                        self.error(entry.path, f"有年度文件夹 {name}/ 却没有年度主文件 {name}.yaml，"
                                               f"文件夹中的情况说明和绩效不会被读取；请在 {shown_path(folder.path)}/ 中加上 {name}.yaml")
                elif name == EVAL_DIR or name.strip() == EVAL_DIR:
                    year = years[0].name[:4] if len(years) == 1 else "<年度>"
                    self.error(entry.path, f"绩效文件夹应放在年度文件夹中：{shown_path(folder.path)}/{year}/绩效/；此处的文件不会被读取")
                else:
                    self.stray(entry, "此文件不在可读取的位置，不会被读取")
                continue
            if _YAMLISH.search(name) and (yearish := _YEARISH.match(name)):
                year = yearish.group(0).strip().translate(FULL_WIDTH)
                self.error(entry.path, f"年度主文件应命名为“{year}.yaml”（4 位半角数字年份，扩展名为小写 .yaml）；"
                                       f"请把“{name}”改名，否则不会被读取")
            elif _YAMLISH.search(name):
                self.error(entry.path, "部门文件夹中只读取年度主文件（如 2023.yaml）；此 YAML 文件不会被读取，"
                                       "备份或草稿请移出 content/")
            elif _is_narrative_like(name):
                year = years[0].name[:4] if len(years) == 1 else "<年度>"
                self.error(entry.path, f"情况说明应放在年度文件夹中：{shown_path(folder.path)}/{year}/情况说明.md；此处的文件不会被读取")
            else:
                self.warn(entry.path, NOT_CONTENT)

    def year_folder(self, folder: str) -> YearFolder:
        """``<部门>/<年度>/``: 情况说明.md and 绩效/*.yaml. The loader calls this
        too (with reporting off), so the survey and the loader cannot disagree."""
        found = YearFolder()
        for entry, kind in self.usable(self.entries(folder)):
            name = entry.name
            if kind == "dir":
                if name == EVAL_DIR:
                    found.evaluations = self.eval_folder(entry.path)
                elif name.strip() == EVAL_DIR:
                    self.error(entry.path, f"文件夹名应为“{EVAL_DIR}”（名称前后不能有空格）；其中的文件不会被读取")
                else:
                    self.stray(entry, f"年度文件夹中只读取 {NARRATIVE} 和 {EVAL_DIR}/ 文件夹；此文件不会被读取")
                continue
            if name == NARRATIVE:
                found.narrative = entry.path
            elif ORIGINAL.match(name):
                if found.original is not None:
                    self.error(entry.path, f"年度文件夹中只能有一份原文（已有 {os.path.basename(found.original)}）")
                else:
                    found.original = entry.path
            elif _is_narrative_like(name):
                self.error(entry.path, f"情况说明文件必须命名为“{NARRATIVE}”（扩展名为小写 .md）；请把“{name}”改名，否则不会被读取")
            elif _MDISH.search(name):
                self.error(entry.path, f"年度文件夹中只读取 {NARRATIVE}；此 Markdown 文件不会被读取，请把内容并入 {NARRATIVE}")
            elif _YAMLISH.search(name):
                self.error(entry.path, f"年度文件夹中不读取 YAML 文件；绩效文件请放在 {EVAL_DIR}/ 文件夹中，"
                                       "年度主文件放在部门文件夹中（如 2023.yaml）")
            else:
                self.warn(entry.path, NOT_CONTENT)
        return found

    def eval_folder(self, folder: str) -> list[str]:
        evals = []
        for entry, kind in self.usable(self.entries(folder)):
            name = entry.name
            if kind == "dir":
                self.stray(entry, f"{EVAL_DIR}/ 中不能再有文件夹；绩效文件请直接放在 {EVAL_DIR}/ 中")
                continue
            stem = name.split(".", 1)[0]
            if EVAL_FILE.match(name):
                if stem.lower() in RESERVED_EVAL_NAMES:
                    self.error(entry.path, f"绩效文件名“{stem}”为网站保留（会覆盖部门页面或下载文件："
                                           f"{'、'.join(sorted(RESERVED_EVAL_NAMES))}），请换一个名称，例如“01-{stem}-pj.yaml”")
                else:
                    evals.append(entry.path)
            elif yamlish := _YAMLISH.search(name):
                base = name[: yamlish.start()]
                if EVAL_FILE.match(f"{base}.yaml") and base.lower() not in RESERVED_EVAL_NAMES:
                    self.error(entry.path, f"绩效文件的扩展名应为小写 .yaml；请把“{name}”改名为“{base}.yaml”，否则不会被读取")
                else:
                    self.error(entry.path, f"{EVAL_RULE}；此文件不会被读取")
            elif _MDISH.search(name) or _is_narrative_like(name):
                self.error(entry.path, f"{EVAL_DIR}/ 中只读取 .yaml 文件；评价报告的文字请写在绩效 YAML 的“正文”中，"
                                       f"情况说明请写在 ../{NARRATIVE}")
            else:
                self.warn(entry.path, NOT_CONTENT)
        return evals

    def stray(self, folder: os.DirEntry, why: str) -> None:
        """A folder where nothing is read: YAML and 情况说明 files in it are
        errors (a department folder nested too deep, a misplaced 绩效 file),
        everything else one warning for the folder."""
        others = 0
        stack = [folder.path]
        while stack:
            current = stack.pop()
            for entry in self.entries(current):
                kind = self.kind(entry)
                if kind in ("ignored", "link", "special"):
                    continue
                if kind == "dir":
                    stack.append(entry.path)
                elif YEAR_FILE.match(entry.name):
                    self.error(entry.path, "部门文件夹必须直接放在 content/ 下（content/<部门文件夹>/2023.yaml）；"
                                           f"此文件位于更深的文件夹中，不会被读取。请把 {shown_path(current)}/ 移到 content/ 下")
                elif _YAMLISH.search(entry.name) or _is_narrative_like(entry.name):
                    self.error(entry.path, f"{why}（{LAYOUT}）")
                else:
                    others += 1
        if others:
            self.warn(folder.path, f"此文件夹中有 {others} 个文件{NOT_CONTENT}")




def survey(content: Path) -> Survey:
    """Classify every entry under ``content``."""
    return Survey(content).run()


class _Quiet(Survey):
    def error(self, path, message: str, where: str = "") -> None:
        pass

    def warn(self, path, message: str, where: str = "") -> None:
        pass

    def refuse_link(self, entry) -> None:
        pass


def year_folder(folder: Path) -> YearFolder:
    """The files the loader reads from one department-year folder: the same
    rules as the survey (no links, no special files), without reporting."""
    return _Quiet(folder.parent.parent).year_folder(str(folder))
