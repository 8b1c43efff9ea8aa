"""The form registry: what the standard 决算公开 tables are.

Data only. Each table has an id (公开NN表), a title, a shape, its columns in
printed order (name, kind, header group) and the identities its figures must
satisfy. Versions are keyed by the first year they apply to; a year uses the
newest version not after it. Layout variants (e.g. 公开09表 with 会议费/培训费)
are separate entries selected by a table's ``版式``.

Shapes: ``subject`` (科目编码 tree, 合计 row), ``econ`` (经济分类 list with
人员经费合计/公用经费合计 rows), ``two_sided`` (收入 | 支出 side by side),
``plain`` (rows of cells, first column a label or none).
"""
from __future__ import annotations

A, T, C = "amount", "text", "count"  # column kinds


def _cols(*spec):
    """("名称", kind, "组") tuples -> dicts; group may be omitted."""
    return [dict(name=s[0], kind=s[1], group=s[2] if len(s) > 2 else "") for s in spec]


SANGONG_ITEMS = ["合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费"]

_T01 = dict(
    id="公开01表", title="收入支出决算总表", shape="two_sided",
    columns=_cols(("收入项目", T, "收入"), ("行次", T, "收入"), ("金额", A, "收入"),
                  ("支出项目", T, "支出"), ("行次", T, "支出"), ("金额", A, "支出")),
    sides=dict(收入=dict(label=0, amounts=[2], subtotal="本年收入合计", total="总计"),
               支出=dict(label=3, amounts=[5], subtotal="本年支出合计", total="总计")),
    identities=[dict(rule="sides")],
)
_T02 = dict(
    id="公开02表", title="收入决算表", shape="subject",
    columns=_cols(("科目编码", T, "项目"), ("科目名称", T, "项目"), ("本年收入合计", A), ("财政拨款收入", A),
                  ("上级补助收入", A), ("事业收入", A), ("经营收入", A), ("附属单位上缴收入", A), ("其他收入", A)),
    identities=[dict(rule="columns", total="本年收入合计",
                     parts=["财政拨款收入", "上级补助收入", "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]),
                dict(rule="tree")],
)
_T03 = dict(
    id="公开03表", title="支出决算表", shape="subject",
    columns=_cols(("科目编码", T, "项目"), ("科目名称", T, "项目"), ("本年支出合计", A), ("基本支出", A), ("项目支出", A),
                  ("上缴上级支出", A), ("经营支出", A), ("对附属单位补助支出", A)),
    identities=[dict(rule="columns", total="本年支出合计",
                     parts=["基本支出", "项目支出", "上缴上级支出", "经营支出", "对附属单位补助支出"]),
                dict(rule="tree")],
)
_T04 = dict(
    id="公开04表", title="财政拨款收入支出决算总表", shape="two_sided",
    columns=_cols(("收入项目", T, "收入"), ("行次", T, "收入"), ("金额", A, "收入"),
                  ("支出项目", T, "支出"), ("行次", T, "支出"), ("合计", A, "支出"), ("一般公共预算财政拨款", A, "支出"),
                  ("政府性基金预算财政拨款", A, "支出"), ("国有资本经营预算财政拨款", A, "支出")),
    sides=dict(收入=dict(label=0, amounts=[2], subtotal="本年收入合计", total="总计"),
               支出=dict(label=3, amounts=[5, 6, 7, 8], subtotal="本年支出合计", total="总计")),
    identities=[dict(rule="columns", total="合计",
                     parts=["一般公共预算财政拨款", "政府性基金预算财政拨款", "国有资本经营预算财政拨款"]),
                dict(rule="sides")],
)
_T05 = dict(
    id="公开05表", title="一般公共预算财政拨款支出决算表", shape="subject",
    columns=_cols(("科目编码", T, "项目"), ("科目名称", T, "项目"), ("小计", A, "本年支出"), ("基本支出", A, "本年支出"),
                  ("项目支出", A, "本年支出")),
    identities=[dict(rule="columns", total="小计", parts=["基本支出", "项目支出"]), dict(rule="tree")],
)
_T06 = dict(
    id="公开06表", title="一般公共预算财政拨款基本支出决算明细表", shape="econ",
    columns=_cols(("科目编码", T), ("科目名称", T), ("决算数", A)),
    # 经济分类 类 (3 digits) whose spending counts as 人员经费; the rest is 公用经费.
    personnel=["301", "303"],
    totals=dict(人员经费合计="personnel", 公用经费合计="public"),
    identities=[dict(rule="econ")],
)
_T07 = dict(
    id="公开07表", title="政府性基金预算财政拨款收入支出决算表", shape="subject",
    columns=_cols(("科目编码", T, "项目"), ("科目名称", T, "项目"), ("年初结转和结余", A), ("本年收入", A),
                  ("小计", A, "本年支出"), ("基本支出", A, "本年支出"), ("项目支出", A, "本年支出"), ("年末结转和结余", A)),
    identities=[dict(rule="columns", total="小计", parts=["基本支出", "项目支出"]),
                dict(rule="columns", total="年末结转和结余", parts=["年初结转和结余", "本年收入", "-小计"]),
                dict(rule="tree")],
)
_T08 = dict(
    id="公开08表", title="国有资本经营预算财政拨款支出决算表", shape="subject",
    columns=_cols(("科目编码", T, "项目"), ("科目名称", T, "项目"), ("合计", A, "本年支出"), ("基本支出", A, "本年支出"),
                  ("项目支出", A, "本年支出")),
    identities=[dict(rule="columns", total="合计", parts=["基本支出", "项目支出"]), dict(rule="tree")],
)
_T09 = dict(
    id="公开09表", title="财政拨款“三公”经费支出决算表", shape="plain",
    columns=[dict(name=f"{g}{n}", label=n, kind=A, group=g)
             for g in ("预算数", "决算数")
             for n in ("合计", "因公出国（境）费", "公务用车购置及运行维护费小计", "公务用车购置费", "公务用车运行维护费", "公务接待费")],
    identities=[dict(rule="columns", total=f"{g}合计", parts=[f"{g}因公出国（境）费", f"{g}公务用车购置及运行维护费小计", f"{g}公务接待费"])
                for g in ("预算数", "决算数")]
    + [dict(rule="columns", total=f"{g}公务用车购置及运行维护费小计", parts=[f"{g}公务用车购置费", f"{g}公务用车运行维护费"])
       for g in ("预算数", "决算数")],
    # How the 三公 figures are read off this table: (year key, item) -> column
    sangong={(g, item): f"{g}{'公务用车购置及运行维护费小计' if item == '公务用车购置及运行维护费' else item}"
             for g in ("预算数", "决算数") for item in SANGONG_ITEMS},
)
_T09_MEETING = dict(
    id="公开09表", variant="含会议费培训费", title="财政拨款“三公”经费及会议费、培训费支出决算表", shape="plain",
    columns=_cols(("项目", T), ("合计", A, "财政拨款“三公”经费"), ("因公出国（境）费", A, "财政拨款“三公”经费"),
                  ("公务用车购置及运行维护费小计", A, "财政拨款“三公”经费"), ("公务用车购置费", A, "财政拨款“三公”经费"),
                  ("公务用车运行维护费", A, "财政拨款“三公”经费"), ("公务接待费", A, "财政拨款“三公”经费"),
                  ("会议费", A), ("培训费", A)),
    identities=[dict(rule="columns", total="合计", parts=["因公出国（境）费", "公务用车购置及运行维护费小计", "公务接待费"]),
                dict(rule="columns", total="公务用车购置及运行维护费小计", parts=["公务用车购置费", "公务用车运行维护费"])],
    sangong_rows=True,  # rows labelled 预算数 / 决算数
)
_T10 = dict(
    id="公开10表", title="部门决算公开相关信息统计表", shape="plain",
    columns=_cols(("项目", T), ("行次", T), ("统计数", A)),
    identities=[],
)

# Column labels shown for 公开09表's flat 12 columns (the group carries 预算数/决算数).
for _c in _T09["columns"]:
    _c["label"] = _c["label"].replace("公务用车购置及运行维护费小计", "小计")
for _c in _T09_MEETING["columns"]:
    _c["label"] = _c["name"].replace("公务用车购置及运行维护费小计", "小计")

# Cross-table identities: each side is (table id, row selector, column name).
# Row selectors: ("label", text) matches a two-sided table's item label on the
# side owning the column; ("row", "合计") the total row of a subject table;
# ("econ", "人员经费合计"). Optional tables are skipped when absent.
_CROSS_2023 = [
    dict(left=("公开01表", ("label", "本年收入合计"), 2), right=("公开02表", ("row", "合计"), "本年收入合计")),
    dict(left=("公开01表", ("label", "本年支出合计"), 5), right=("公开03表", ("row", "合计"), "本年支出合计")),
    dict(left=("公开04表", ("label", "本年支出合计"), 6), right=("公开05表", ("row", "合计"), "小计")),
    dict(left=("公开05表", ("row", "合计"), "基本支出"),
         right=("公开06表", ("sum", "人员经费合计", "公用经费合计"), "决算数")),
]

TABLE_SETS = {
    2019: dict(tables=[_T01, _T02, _T03, _T04, _T05, _T06, _T07, _T08, _T09, _T10],
               variants=[_T09_MEETING], cross=_CROSS_2023),
}

# 决算 kinds that must publish the full table set (others, e.g. a 绩效评价
# package, carry no standard tables).
KINDS = {
    "单位决算": dict(tables=True),
    "部门决算": dict(tables=True),
    "部门整体支出绩效评价": dict(tables=False),
}

EVALUATION_KINDS = ["部门整体自评", "项目自评", "项目自评汇总", "评价报告"]

SANGONG_YEARS = ["预算数", "决算数", "上年决算数"]
MEETING_ITEMS = ["会议费", "培训费", "会议费、培训费"]   # 公开09表 variant 含会议费培训费, and text figures
SANGONG_KEYS = SANGONG_ITEMS + MEETING_ITEMS


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
