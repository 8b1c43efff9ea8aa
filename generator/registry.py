"""The form registry: what the standard 决算公开 tables are.

A thin layer over the form sets (表式) declared as data in
``generator/forms/*.yaml`` and read by ``formsets.py`` (format:
docs/design/forms.md). The default family's versions (全国2019, …) give
``TABLE_SETS``, keyed by the first year each applies to; a year uses the
newest version not after it. Layout variants (e.g. 公开09表 with 会议费/培训费)
are separate entries selected by a table's ``版式``.

Each table spec: id (公开NN表), title, shape, columns in printed order (name,
kind, header group, label), identities, and ``file``/``anchor`` (the output
file name ``data/<file>.csv`` and the page anchor).

Shapes: ``subject`` (科目编码 tree, 合计 row), ``econ`` (经济分类 list with
人员经费合计/公用经费合计 rows), ``two_sided`` (收入 | 支出 side by side),
``plain`` (rows of cells, first column a label or none).

The names below are filled in place (never rebound), so a module holding a
reference keeps seeing the current data after :func:`use_form_sets`.
"""
from __future__ import annotations

from . import formsets

A, T, C = "amount", "text", "count"  # column kinds

# Extra spec keys the generator uses beyond the historical registry structure.
SPEC_EXTRAS = ("file", "anchor")

TABLE_SETS: dict[int, dict] = {}
TABLE_FILES: dict[str, str] = {}      # table id -> output file name, over every table set

# Shared vocabulary (共用词表 in national.yaml).
KINDS: dict[str, dict] = {}           # 决算 kinds; tables=True: must publish the full table set
EVALUATION_KINDS: list[str] = []
SANGONG_ITEMS: list[str] = []
SANGONG_YEARS: list[str] = []
MEETING_ITEMS: list[str] = []         # 公开09表 variant 含会议费培训费, and text figures
SANGONG_KEYS: list[str] = []


def _refresh() -> None:
    sets = formsets.legacy_table_sets(keep=SPEC_EXTRAS)
    TABLE_SETS.clear()
    TABLE_SETS.update(sets)
    TABLE_FILES.clear()
    for ts in sets.values():
        for spec in ts["tables"]:
            TABLE_FILES.setdefault(spec["id"], spec["file"])
    for name, value in formsets.legacy_vocabulary().items():
        target = globals()[name]
        if isinstance(target, dict):
            target.clear()
            target.update(value)
        else:
            target[:] = value


def use_form_sets(extra_dirs=()) -> None:
    """Use the package's form sets plus those under ``extra_dirs`` (e.g. a
    site's ``content/forms``); ``()`` goes back to the package's only.
    Raises formsets.ContentErrors (and changes nothing) when a file is wrong."""
    formsets.use_extra_dirs(extra_dirs)
    _refresh()


_refresh()


def column_titles(columns: list[dict], sep: str = "-") -> list[str]:
    """Column headings in one line each: “group-label” under a header group
    (the 项目 group of 科目 tables excepted), else the label."""
    return [f"{c['group']}{sep}{c.get('label', c['name'])}" if c.get("group") and c["group"] != "项目"
            else c.get("label", c["name"]) for c in columns]


def table_set(year: int) -> dict:
    usable = [y for y in TABLE_SETS if y <= year]
    return TABLE_SETS[max(usable) if usable else min(TABLE_SETS)]


def table_spec(year: int, table_id: str, variant: str = "") -> dict | None:
    ts = table_set(year)
    if variant:
        for spec in ts["variants"]:
            if spec["id"] == table_id and spec["variant"] == variant:
                return spec
        return None
    for spec in ts["tables"]:
        if spec["id"] == table_id:
            return spec
    return None


def variants_of(year: int, table_id: str) -> list[str]:
    return [s["variant"] for s in table_set(year)["variants"] if s["id"] == table_id]
