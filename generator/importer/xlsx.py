"""Excel workbooks (.xlsx) -> printed lines, one block per sheet.

Every cell is read as the text Excel would print: numbers through their
number format (``#,##0.00`` gives ``5,417.27``, ``000000`` keeps a code's
leading zeros), text as typed, an empty cell as blank (distinct from
``0.00``). The covered parts of merged cells are None so header groups can
be told apart from blank cells.
"""
from __future__ import annotations

import datetime as _dt
import re
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

from .tables import Line


class Unreadable(Exception):
    """The file cannot be read; the message says why, in Chinese."""


def printed(value, number_format: str = "General") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, (_dt.datetime, _dt.date)):
        return value.strftime("%Y-%m-%d") if isinstance(value, _dt.datetime) else value.isoformat()
    if isinstance(value, (int, float)):
        d = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        fmt = (number_format or "General").split(";")[0]
        fmt = re.sub(r"\[[^\]]*\]|\"[^\"]*\"|\\.|_.|\*.", "", fmt)   # colours, literals, padding
        if fmt in ("General", "@", ""):
            if d == d.to_integral_value():
                return str(d.quantize(Decimal(1)))
            return format(d.normalize(), "f")
        percent = fmt.endswith("%")
        if percent:
            d = d * 100
            fmt = fmt[:-1]
        m = re.fullmatch(r"[#,]*(0+)(?:\.(0+))?", fmt.replace(" ", ""))
        if not m:
            return format(d.normalize(), "f") if d != d.to_integral_value() else str(d.quantize(Decimal(1)))
        places = len(m.group(2) or "")
        d = d.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        if "," in fmt:
            text = f"{d:,.{places}f}"
        else:
            text = f"{d:.{places}f}"
            width = len(m.group(1))
            if places == 0 and width > 1:           # 000000: leading zeros as printed
                sign = "-" if text.startswith("-") else ""
                text = sign + text.lstrip("-").zfill(width)
        return text + ("%" if percent else "")
    return str(value)


def read_xlsx(path: Path) -> tuple[list[Line], dict]:
    """All sheets as lines; info: sheet names, count of non-empty sheets."""
    try:
        import openpyxl
    except ImportError as exc:  # pragma: no cover - the import extra is installed by make
        raise Unreadable("读取 Excel 需要 openpyxl：请运行 make site（或 pip install -e '.[import]'）") from exc
    try:
        wb = openpyxl.load_workbook(path, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError, TypeError) as exc:
        raise Unreadable(f"无法读取 {path.name}：文件已损坏，或不是 Excel 工作簿（.xlsx）。"
                         "请在 Excel 或 WPS 中打开并另存为 .xlsx 后再导入") from exc
    except Exception as exc:   # openpyxl raises its own InvalidFileException and others
        raise Unreadable(f"无法读取 {path.name}：{type(exc).__name__}，文件不是有效的 Excel 工作簿（.xlsx）") from exc
    lines: list[Line] = []
    used = 0
    for index, ws in enumerate(wb.worksheets):
        covered = set()
        for rng in ws.merged_cells.ranges:
            for r in range(rng.min_row, rng.max_row + 1):
                for c in range(rng.min_col, rng.max_col + 1):
                    if (r, c) != (rng.min_row, rng.min_col):
                        covered.add((r, c))
        where = f"工作表“{ws.title}”"
        any_value = False
        for row in ws.iter_rows():
            cells: list[str | None] = []
            for cell in row:
                if (cell.row, cell.column) in covered:
                    cells.append(None)
                else:
                    cells.append(printed(cell.value, cell.number_format))
            while cells and not cells[-1]:
                cells.pop()
            if any(cells):
                any_value = True
                lines.append(Line(cells, index, where))
        used += any_value
    return lines, {"sheets": [ws.title for ws in wb.worksheets], "used": used, "uncached": _uncached(path, wb)}


def _uncached(path: Path, values) -> int:
    """Formula cells the workbook holds no computed value for (written by a
    program, never opened in Excel): they would read as blank."""
    import openpyxl
    try:
        formulas = openpyxl.load_workbook(path)
    except Exception:
        return 0
    count = 0
    for ws, wv in zip(formulas.worksheets, values.worksheets):
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value.startswith("=") and \
                        wv.cell(cell.row, cell.column).value is None:
                    count += 1
    return count
