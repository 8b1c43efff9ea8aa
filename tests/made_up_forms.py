"""A made-up form set for the tests: 全国2025, the national form plus a
公开11表 (output file t11), as a site would declare it under content/forms/."""
from __future__ import annotations

from pathlib import Path

FORMS = Path(__file__).resolve().parent.parent / "generator" / "forms"

T11 = """
  - 表号: 公开11表
    标题: 示例补充表
    形状: 普通表
    文件: t11
    栏目:
      - {名称: 项目, 类型: 文字}
      - 合计
      - 甲类
      - 乙类
    勾稽:
      - {规则: 行内, 合计: 合计, 加: [甲类, 乙类]}

"""


def national_2025() -> str:
    """The YAML text of the made-up 全国2025 form set."""
    text = (FORMS / "national.yaml").read_text(encoding="utf-8")
    text = text[: text.index("# 全平台共用的词表")]            # the 共用词表 is declared once, in national.yaml
    text = text.replace("表式: 全国2019", "表式: 全国2025").replace("起始年度: 2019", "起始年度: 2025")
    text = text.replace("名称: 部门决算公开表（公开01表—公开10表）", "名称: 部门决算公开表（公开01表—公开11表）")
    return text.replace("\n变体:", T11 + "变体:", 1)
