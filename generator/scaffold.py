"""`portal new <部门> <年度>`: a department-year skeleton with every standard
table of that year's registry, empty, commented in Chinese. It loads and
builds as is, and starts as a draft (草稿: 是) so it is not published until
the editor removes the flag."""
from __future__ import annotations

from pathlib import Path

from . import registry
from .errors import ContentError, ContentErrors
from .load import SLUG, SLUG_RULE

SITE_YAML = """网站名称: 部门决算公开平台
地区: 本地区
年度: [{year}]
网址: ""
页脚: 本平台数据来源于各部门公开的决算文件。
"""


def _table_block(spec: dict) -> str:
    columns = " | ".join(registry.column_titles(spec["columns"], sep=""))
    hint = {
        "subject": "第一栏为科目编码（类3位、款5位、项7位），合计行第一栏写“合计”。",
        "econ": "原表各组逐组展开为一列；最后两行写“人员经费合计 | | 金额”和“公用经费合计 | | 金额”。",
        "two_sided": "收入、支出两栏并列，按原表一行录入一行，包括空白行。",
        "plain": "按原表栏次顺序录入。",
    }[spec["shape"]]
    return (f"  {spec['id']}:   # {spec['title']}\n"
            f"    # 栏目：{columns}\n"
            f"    # {hint}\n"
            f"    行: []\n"
            f"    # 注: 原表表下的“注：”文字\n"
            f"    # 说明: 空表时原表的说明，例如“本表无数据”\n")


def department_yaml(name: str, year: int) -> str:
    tables = "".join(_table_block(spec) for spec in registry.table_set(year)["tables"])
    return f"""# {name or '新部门'} {year} 年度决算公开。格式说明见 docs/编写指南.md。
# 录入完成并核对后，把“草稿”改为“否”，才会发布到网站。
部门: {name or '（请填写部门名称）'}
主管部门: ""
地区: []                       # 例如 [山西省, 临汾市]
年度: {year}
类型: 部门决算                 # 单位决算 | 部门决算 | 部门整体支出绩效评价
汇总: 否
草稿: 是
来源:
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
#   公开10表: 原文未附公开10表。
名词解释: []
"""


def new_department(content: Path, slug: str, year: int, name: str = "") -> list[Path]:
    """Write the skeleton; never overwrites. When any file it would write
    already exists, it writes nothing and names every such file."""
    if not SLUG.match(slug):
        raise ContentErrors([ContentError(slug, 0, 0, "", SLUG_RULE)])
    folder = content / slug
    main = folder / f"{year}.yaml"
    notes = folder / str(year) / "情况说明.md"
    files = {main: department_yaml(name, year),
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
