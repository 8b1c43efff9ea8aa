"""Errors an editor sees. Each one carries an address: file, line, column and
the business location (表号、科目、栏目), so the message can be acted upon
without reading Python."""
from __future__ import annotations


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


def at(node, where: str, message: str) -> ContentError:
    """Build an error located at a reader node (Text/Map/Seq)."""
    return ContentError(getattr(node, "path", ""), getattr(node, "line", 0), getattr(node, "col", 0), where, message)
