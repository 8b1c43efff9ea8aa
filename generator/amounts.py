"""Numbers as printed on the forms, parsed exactly.

A cell keeps the text the editor typed (for display and provenance) and, when
it is a number, its exact ``Decimal`` value. Blank and dash cells are kept
apart: blank means the form printed nothing (counts as zero in sums), a dash
means "not applicable".
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from enum import StrEnum

DASHES = {"-", "—", "——", "－", "–", "---", "— —"}
_NUMBER = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[+-]?\.\d+$", re.ASCII)
# Full-width forms typed with a Chinese input method mean the same number:
# digits ０-９, period ．, comma ，(thousands separator only), minus －/−, plus ＋.
# One normalisation, here, for every numeric cell; the cell keeps the text as typed.
FULL_WIDTH = str.maketrans("０１２３４５６７８９．，－−＋", "0123456789.,--+")
PERCENT = ("%", "％")


class NotANumber(ValueError):
    pass


class Kind(StrEnum):
    """What a cell holds, and what a column of a form may hold. A StrEnum:
    members are their (English) values, so JSON, pickles and templates see
    plain strings."""

    TEXT = "text"        # words (a name, a 科目编码 printed as text)
    BLANK = "blank"      # nothing printed: zero in sums
    DASH = "dash"        # “—”: not applicable
    AMOUNT = "amount"    # 金额 (also the cells of a 数量 column)
    RATE = "rate"        # 百分比, % optional
    SCORE = "score"      # 分值/得分, 分 optional
    COUNT = "count"      # a column of 人数/辆数 (its cells are AMOUNT)
    AUTO = "auto"        # a cell of a free-form table that reads as a number


# The kinds as module globals, for the code that runs for every cell: Python
# 3.11 finds an enum member through EnumType's __getattr__ hook (about 68 ns,
# against 10 for a global; 3.12 made it fast again).
KIND_TEXT, KIND_BLANK, KIND_DASH, KIND_AMOUNT = Kind.TEXT, Kind.BLANK, Kind.DASH, Kind.AMOUNT
KIND_RATE, KIND_SCORE, KIND_COUNT, KIND_AUTO = Kind.RATE, Kind.SCORE, Kind.COUNT, Kind.AUTO


@dataclass(slots=True)
class Cell:
    """One table cell. ``value`` is None for text, blank and dash cells."""

    text: str
    value: Decimal | None = None
    kind: Kind = Kind.TEXT
    line: int = 0
    col: int = 0

    @property
    def blank(self) -> bool:
        return self.kind == Kind.BLANK

    @property
    def amount(self) -> Decimal:
        """Value for sums: blank and dash count as zero."""
        return self.value if self.value is not None else Decimal(0)

    @property
    def places(self) -> int:
        if self.value is None:
            return 0
        exp = self.value.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0


BLANK = Cell("", None, Kind.BLANK)   # shared: blank cells are the most common and all alike


def parse_decimal(text: str) -> Decimal:
    """``5417.27``, ``5,417.27`` and ``0.10`` -> exact Decimal; anything else raises.
    Full-width digits, period, comma, minus and plus are read as their
    half-width forms (``３２９．６９`` is 329.69); other scripts' digits are refused."""
    value = _decimal_or_none(text)
    if value is None:
        raise NotANumber(text)
    return value


def _decimal_or_none(text: str) -> Decimal | None:
    """:func:`parse_decimal` without the exception (free-form tables try every cell)."""
    t = text.strip()
    if t.isascii() and t.replace(".", "", 1).isdigit():  # the common case: 5417.27
        return Decimal(t)
    t = t.translate(FULL_WIDTH)
    if not _NUMBER.match(t):
        return None
    try:
        return Decimal(t.replace(",", ""))
    except InvalidOperation:  # pragma: no cover - regex already guards
        return None


def make_cell(text: str, kind: Kind, line: int = 0, col: int = 0) -> Cell:
    """Classify and parse one cell of the given column kind.

    kind: ``amount`` (金额), ``rate`` (百分比, optional %), ``score`` (分值/得分,
    optional 分 suffix), ``count`` (人数/辆数) or ``text``. Raises NotANumber
    for a numeric column holding something that is not a number.
    """
    t = text.strip()
    if t == "":
        return BLANK
    if t in DASHES:
        return Cell(t, None, KIND_DASH, line, col)
    if kind == KIND_TEXT:
        return Cell(t, None, KIND_TEXT, line, col)
    body = t
    if kind == KIND_RATE and body.endswith(PERCENT):
        body = body[:-1]
    elif kind == KIND_SCORE and body.endswith("分"):
        body = body[:-1]
    value = parse_decimal(body)
    return Cell(t, value, _CELL_KIND[kind], line, col)


# the kind of the cell a column kind gives a number in
_CELL_KIND = {k: k for k in Kind} | {Kind.COUNT: Kind.AMOUNT}


def try_number(text: str) -> Decimal | None:
    """Lenient parse for free-form tables: a number, a percentage or None."""
    t = text.strip()
    if t.endswith(PERCENT):
        t = t[:-1]
    elif t.endswith("分"):
        t = t[:-1]
    return _decimal_or_none(t)


def fmt_amount(value: Decimal | None, places: int = 2) -> str:
    """Uniform display: thousands separators, at least ``places`` decimals,
    never fewer than the value was printed with (so 0.1449 stays 0.1449)."""
    if value is None:
        return ""
    return f"{value:,.{max(places, _printed_places(value))}f}"


def _printed_places(value: Decimal) -> int:
    """Decimals the value was printed with (its negative exponent, else 0),
    read off ``str(value)``, which is quicker than ``as_tuple()``."""
    text = str(value)
    if "E" in text:     # exponent notation: ask the tuple
        exp = value.as_tuple().exponent
        return -exp if isinstance(exp, int) and exp < 0 else 0
    dot = text.find(".")
    return len(text) - dot - 1 if dot >= 0 else 0


def fmt_plain(value: Decimal | None) -> str:
    """Exact value without grouping, for CSV/JSON (never rounds)."""
    if value is None:
        return ""
    return format(value, "f")


# The reader's rule for one figure (docs/_draft_reader.md): a published number,
# 零 for a blank cell, “—” for a printed dash, 未公开 where nothing was published.
UNPUBLISHED = "未公开"
NONE_MARK = "—"


def reading(cell: Cell | None) -> tuple[str, str]:
    """(state, text) of one figure under the reader's rule."""
    if cell is None:
        return "unpublished", UNPUBLISHED
    if cell.kind == KIND_DASH:
        return "none", NONE_MARK
    if cell.kind == KIND_BLANK:
        return "zero", "0.00"
    if cell.value is not None:
        return "number", fmt_amount(cell.value)
    return "text", cell.text


def fmt_rate(value: Decimal | None) -> str:
    """执行率 and other rates: always with %, two decimals (100% -> 100.00%, 90.38 -> 90.38%)."""
    return "" if value is None else f"{fmt_amount(value, 2)}%"


def fmt_score(value: Decimal | None) -> str:
    """分值/得分/总分: two decimals (100 -> 100.00, 90.7 -> 90.70)."""
    return "" if value is None else fmt_amount(value, 2)
