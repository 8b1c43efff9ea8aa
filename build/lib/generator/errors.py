"""Errors an editor sees.

Content errors (:class:`ContentError`, raised together as
:class:`ContentErrors`, exit 1) carry an address: file, line, column and the
business location (表号、科目、栏目), so the message can be acted upon
without reading Python. Everything else is a :class:`PortalError` with a
Chinese message and its own exit code: :class:`UsageError` (2, the command
asks for something refused, e.g. an output folder holding other files) and
:class:`EnvironmentProblem` (3, disk, permissions, port). Any other exception
is a bug (4); see cli.py."""
from __future__ import annotations

import errno


class ContentError(Exception):
    def __init__(self, path: str, line: int, col: int, where: str, message: str):
        super().__init__(message)
        self.path, self.line, self.col, self.where, self.message = path, line, col, where, message

    def __str__(self) -> str:
        addr = self.path
        if self.line:
            addr += f":{self.line}"
            if self.col:
                addr += f":{self.col}"
        where = f" {self.where}" if self.where else ""
        return f"{addr}{where}：{self.message}"

    def sort_key(self):
        return (self.path, self.line, self.col)


class ContentErrors(Exception):
    """All errors of one load/build, reported together."""

    def __init__(self, errors: list[ContentError]):
        super().__init__(f"{len(errors)} errors")
        self.errors = sorted(errors, key=ContentError.sort_key)
        self.warnings: list[ContentError] = []   # listed after the errors (files under content/ not used)


def at(node, where: str, message: str) -> ContentError:
    """Build an error located at a reader node (Text/Map/Seq)."""
    return ContentError(getattr(node, "path", ""), getattr(node, "line", 0), getattr(node, "col", 0), where, message)


# ---------------------------------------------------------------- everything else an editor may see
# Content errors above stay apart (exit 1). The rest share one base so the
# command line can turn each into one Chinese line and its own exit code.

class PortalError(Exception):
    """A problem that is not in the content; ``str()`` is the Chinese message."""

    exit_code = 4

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message


class UsageError(PortalError):
    """The command asks for something the tool refuses (e.g. an output folder
    that holds other files). Nothing was written."""

    exit_code = 2


class EnvironmentProblem(PortalError):
    """The machine, not the content: read-only or full disk, no permission,
    port in use, not enough memory."""

    exit_code = 3


_OS_REASONS = {
    errno.EROFS: "所在位置是只读的",
    errno.ENOSPC: "磁盘空间不足",
    errno.EDQUOT: "超出了磁盘配额",
    errno.EACCES: "没有写入权限",
    errno.EPERM: "没有权限",
    errno.EMFILE: "同时打开的文件太多",
    errno.ENFILE: "同时打开的文件太多",
    errno.ENAMETOOLONG: "路径太长",
    errno.EADDRINUSE: "端口已被占用",
    errno.EADDRNOTAVAIL: "地址不可用",
}


def environment_problem(exc: OSError) -> EnvironmentProblem:
    """One Chinese line for an operating-system error."""
    reason = (_OS_REASONS.get(exc.errno) if exc.errno is not None else None) or f"系统错误（{exc.strerror or exc.__class__.__name__}）"
    where = f"：{exc.filename}" if exc.filename else ""
    return EnvironmentProblem(f"读写文件失败{where}：{reason}。")
