"""The output folder: which folders a build may replace, one build per folder
at a time, the atomic swap, and the leftovers of killed builds.

A build replaces its output folder wholesale, so it must never be pointed at
a folder holding anyone's own files. It replaces only a folder it made itself
(the marker file :data:`MARKER` inside), an empty folder or a new one, and it
never touches the content folder, the project folder, ``/`` or the home
folder, whatever they contain."""
from __future__ import annotations

import ctypes
import errno
import fcntl
import json
import os
import pwd
import re
import secrets
import shutil
import sys
from contextlib import contextmanager
from pathlib import Path

from .errors import UsageError

MARKER = ".portal-site"
MARKER_TEXT = (
    "本文件夹由 portal build 生成（决算公开网站）。\n"
    "每次生成都会用新生成的网站整体替换本文件夹，放在这里的其他文件会被删除。\n"
    "请不要在这里存放或修改文件；要改内容，请改 content/ 下的文件后重新生成。\n"
)
STATE = ".portal"                       # the build's own records inside the site
MANIFEST = f"{STATE}/manifest.json"
MANIFEST_FORMAT = 1


def lock_path(out: Path) -> Path:
    return out.parent / f".{out.name}.lock"


def _homes() -> set[Path]:
    homes = {Path.home().resolve()}
    try:
        homes.add(Path(pwd.getpwuid(os.getuid()).pw_dir).resolve())
    except (KeyError, OSError):
        pass
    return homes


def check_out_dir(out: Path, content: Path, cwd: Path | None = None, contents: bool = True) -> Path:
    """The resolved output folder, if a build may replace it; else UsageError
    in Chinese. Nothing is written either way. With ``contents=False`` only
    the path is judged (the content, project, root and home folders), not
    what the folder holds."""
    out, content = Path(out).resolve(), Path(content).resolve()
    cwd = (cwd or Path.cwd()).resolve()
    shown = str(out)
    hint = "请用 --out 指定一个专用的新文件夹（默认 site）。"
    if out == out.parent:
        raise UsageError(f"不能把网站生成到根目录 {shown}：生成时会整体替换输出目录。{hint}")
    if out in _homes():
        raise UsageError(f"不能把网站生成到用户主目录 {shown}：生成时会整体替换输出目录，其中的文件会丢失。{hint}")
    if out in (content.parent, cwd) or out in cwd.parents:
        raise UsageError(f"输出目录 {shown} 是项目目录（或包含当前目录）：生成时会整体替换输出目录，其中的文件会丢失。{hint}")
    if out == content or out in content.parents or content in out.parents:
        raise UsageError(f"输出目录 {shown} 与内容目录 {content} 重叠：生成时会整体替换输出目录，内容文件会丢失。"
                         f"请用 --out 指定内容目录以外的文件夹（默认 site）。")
    if not contents:
        return out
    if out.is_symlink() or (out.exists() and not out.is_dir()):
        raise UsageError(f"输出路径 {shown} 已存在且不是文件夹，未作改动。{hint}")
    if out.is_dir() and not (out / MARKER).is_file() and any(out.iterdir()):
        raise UsageError(f"输出目录 {shown} 不是本工具生成的（里面没有标记文件 {MARKER}），且不是空的；"
                         f"为免删除其中的文件，未生成网站。请换一个新的或空的文件夹；"
                         f"若确认它是旧版本生成的网站，可先删除它再生成。")
    return out


@contextmanager
def locked(out: Path, notify=None):
    """Hold ``.<out>.lock`` beside the output folder for the whole build: a
    second build into the same folder waits for the first (the lock goes
    with the process, so a killed build never leaves it held)."""
    path = lock_path(out)
    fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            (notify or _stderr)(f"另一个生成正在写入 {out}，等待它完成……")
            fcntl.flock(fd, fcntl.LOCK_EX)
        yield path
    finally:
        os.close(fd)          # releases the lock


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def leftovers(out: Path) -> list[Path]:
    """Temp and old folders that builds into ``out`` killed mid-way left beside it."""
    pattern = re.compile(rf"^\.{re.escape(out.name)}-(build|old)-[A-Za-z0-9_]+$")
    if not out.parent.is_dir():
        return []
    return sorted(p for p in out.parent.iterdir()
                  if pattern.match(p.name) and p.is_dir() and not p.is_symlink())


def remove_leftovers(out: Path) -> None:
    """Only call while holding :func:`locked`: then no running build owns them."""
    for p in leftovers(out):
        shutil.rmtree(p, ignore_errors=True)


def mark(site_dir: Path) -> None:
    (site_dir / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def read_manifest(out: Path) -> dict:
    """Per department: the task key that produced its pages and each file's
    size and sha256, as written by the build that made ``out``."""
    try:
        data = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
        return {}
    departments = data.get("departments")
    return departments if isinstance(departments, dict) else {}


def write_manifest(site_dir: Path, departments: dict) -> None:
    target = site_dir / MANIFEST
    target.parent.mkdir(exist_ok=True)
    target.write_text(json.dumps(dict(format=MANIFEST_FORMAT, departments=departments), ensure_ascii=False,
                                 sort_keys=True, separators=(",", ":")), encoding="utf-8")


# ---------------------------------------------------------------- swap

_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def _exchange(a: Path, b: Path) -> bool:
    """Swap two paths in one step (Linux renameat2); False where unsupported."""
    try:
        fn = ctypes.CDLL(None, use_errno=True).renameat2
    except (OSError, AttributeError):
        return False
    fn.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
    if fn(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (errno.ENOSYS, errno.EINVAL, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV):
        return False
    raise OSError(err, os.strerror(err), str(b))


def swap(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp``: one atomic exchange where the system has
    it, else two renames. Never leaves a half site; a build killed in
    between leaves folders that :func:`remove_leftovers` clears."""
    os.chmod(tmp, 0o755)
    if out.is_dir() and _exchange(tmp, out):
        shutil.rmtree(tmp, ignore_errors=True)     # now the previous site
        return
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{secrets.token_hex(4)}")
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def link_or_copy(src, dst):
    """Hard link when the file system allows it (unchanged output costs nothing), else copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)
