"""`portal new <部门> <年度> [--form 表式]`: a department-year skeleton with
every table of the chosen form set (表式; default: the default series' version
for the year), commented in Chinese; rows the blank form prints (印制行) are
pre-filled, amounts left blank. It loads and
builds as is, and starts as a draft (草稿: 是) so it is not published until
the editor removes the flag."""
from __future__ import annotations

from pathlib import Path

from . import formsets, registry
from .errors import ContentError, ContentErrors
from .load import SLUG, SLUG_RULE

SITE_YAML = """网站名称: 部门决算公开平台
地区: 本地区
年度: [{year}]
网址: ""
页脚: 本平台数据来源于各部门公开的决算文件。
"""


def _quoted(row: str) -> str:
    return '"' + row.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _table_block(spec: dict) -> str:
    halves = spec.get("halves") or []
    columns = " | ".join(registry.column_titles(spec["columns"], sep="") * max(len(halves), 1))
    total = "最后一行" if spec.get("total_position") == "last" else "第一行"
    hint = {
        "subject": f"第一栏为科目编码（类3位、款5位、项7位），合计行（原表印在{total}）第一栏写“合计”。",
        "econ": ("左右各半照原表同一行录入（每行 " + str(len(spec["columns"]) * len(halves)) + " 栏），最后一行写各半的合计行。"
                 if halves else "原表各组逐组展开为一列；最后两行写“人员经费合计 | | 金额”和“公用经费合计 | | 金额”。"),
        "two_sided": "收入、支出两栏并列，按原表一行录入一行，包括空白行。",
        "plain": "按原表栏次顺序录入。",
    }[spec["shape"]]
    printed = spec.get("printed_rows") or []
    if printed:
        rows = "    行:   # 原表印好的行已列出，照原表填入金额\n" + "".join(
            f"      - {_quoted(' | '.join(cells).rstrip(' |'))}\n" for cells in printed)
    else:
        rows = "    行: []\n"
    title = f"   # {spec['title']}" if spec["title"] != spec["id"] else ""
    return (f"  {spec['id']}:{title}\n"
            f"    # 栏目：{columns}\n"
            f"    # {hint}也可以从 Excel/WPS 复制整张表，粘贴在“行: |”下面。\n"
            f"{rows}"
            f"    # 注: 原表表下的“注：”文字\n"
            f"    # 说明: 空表时原表的说明，例如“本表无数据”\n")


def department_yaml(name: str, year: int, form: str = "") -> str:
    fs = formsets.form_set_for(year, form)
    if fs is None:
        sets = "、".join(formsets.form_sets())
        raise ContentErrors([ContentError(form, 0, 0, "", f"未知的表式“{form}”（可用：{sets}）")])
    tables = "".join(_table_block(spec) for spec in fs.tables)
    chosen = f"表式: {fs.name}                 # 表式（决算表格式），见 docs/编写指南.md 第 7 节\n" if form else ""
    units = ("# 单位构成:                   # " + " | ".join(fs.unit_columns) + "\n#   - \n") if fs.unit_columns else ""
    last = fs.tables[-1]["id"]
    return f"""# {name or '新部门'} {year} 年度决算公开。格式说明见 docs/编写指南.md。
# 录入完成并核对后，把“草稿”改为“否”，才会发布到网站。
部门: {name or '（请填写部门名称）'}
主管部门: ""
地区: []                       # 例如 [山西省, 临汾市]
年度: {year}
类型: 部门决算                 # 单位决算 | 部门决算 | 部门整体支出绩效评价
{chosen}汇总: 否
草稿: 是
{units}来源:
  标题: （请填写原件标题）
  发布单位: （请填写发布单位）
  文件: （原始文件名）
概况:
  职责: |
    （部门职责，Markdown）
  机构设置: |
    （内设机构）
  人员编制: |
    （编制与实有人数）
# 每张表每一行写成一行：单元格之间用“ | ”分隔，末尾空白栏可省略。
决算表:
{tables}# 原文没有某张表时，删除该表并在这里写明理由：
# 未公开表:
#   {last}: 原文未附此表。
名词解释: []
"""


def new_department(content: Path, slug: str, year: int, name: str = "", form: str = "") -> list[Path]:
    """Write the skeleton; never overwrites. When any file it would write
    already exists, it writes nothing and names every such file."""
    if not SLUG.match(slug):
        raise ContentErrors([ContentError(slug, 0, 0, "", SLUG_RULE)])
    folder = content / slug
    main = folder / f"{year}.yaml"
    notes = folder / str(year) / "情况说明.md"
    files = {main: department_yaml(name, year, form),
             notes: "## 一、收入支出决算总体情况说明\n\n（照原文录入；每一节以“## 标题”开头。）\n"}
    if not (content / "site.yaml").exists():
        files = {content / "site.yaml": SITE_YAML.format(year=year), **files}
    dirs = [content, folder, folder / str(year), folder / str(year) / "绩效"]
    clashes = [ContentError(str(p), 0, 0, "", "文件已存在，未覆盖；本次没有写入任何文件") for p in files if p.exists()]
    clashes += [ContentError(str(d), 0, 0, "", "已存在同名文件，不是文件夹；本次没有写入任何文件")
                for d in dirs if d.exists() and not d.is_dir()]
    if clashes:
        raise ContentErrors(clashes)
    for d in dirs:
        d.mkdir(parents=True, exist_ok=True)
    written = []
    for path, text in files.items():
        with open(path, "x", encoding="utf-8") as fh:      # "x": fails rather than overwrite
            fh.write(text)
        written.append(path)
    return written
