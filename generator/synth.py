"""Synthetic content for benchmarks: ``portal synth --departments N --years Y --out DIR``.

Writes department-years shaped like the transcribed seeds in ``content/``:
all ten standard tables 公开01表–公开10表 with 类/款/项 trees of real
功能分类 codes, 经济分类 rows for 公开06表, 三公 (公开09表 plus the figures
stated in the text), 3–15 绩效 files per department-year with 10–30
indicators, a 情况说明.md, and ``site.yaml``.

Every figure is generated in integer cents of 万元 and printed as a
two-decimal string, so the identities the audit checks (columns, 科目 tree,
two-sided totals, cross-table, 三公, 执行率, 总分) hold exactly, except for a
few *planted* discrepancies (about one department-year in ten) that the
audit is expected to report.

Deterministic: each department draws from its own ``random.Random`` seeded
with ``f"{seed}:{index}"`` (string seeds hash with SHA-512, independent of
PYTHONHASHSEED), so the first k departments are the same whatever N is, and
the output does not depend on the number of worker processes.
"""
from __future__ import annotations

import os
import random
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Callable, Sequence

# ---------------------------------------------------------------- catalogues

# 功能分类 (2023 政府收支分类科目): 类 / 款 / 项, real codes and names.
_FUNCTIONAL = """
201 一般公共服务支出
20101 人大事务: 2010101 行政运行; 2010102 一般行政管理事务; 2010108 代表工作; 2010199 其他人大事务支出
20103 政府办公厅（室）及相关机构事务: 2010301 行政运行; 2010302 一般行政管理事务; 2010350 事业运行; 2010399 其他政府办公厅（室）及相关机构事务支出
20104 发展与改革事务: 2010401 行政运行; 2010402 一般行政管理事务; 2010499 其他发展与改革事务支出
20105 统计信息事务: 2010501 行政运行; 2010507 专项普查活动; 2010508 统计抽样调查
20106 财政事务: 2010601 行政运行; 2010602 一般行政管理事务; 2010650 事业运行; 2010699 其他财政事务支出
20108 审计事务: 2010801 行政运行; 2010804 审计业务; 2010850 事业运行
20111 纪检监察事务: 2011101 行政运行; 2011102 一般行政管理事务; 2011104 大案要案查处
20113 商贸事务: 2011301 行政运行; 2011308 招商引资; 2011399 其他商贸事务支出
20132 组织事务: 2013201 行政运行; 2013202 一般行政管理事务; 2013299 其他组织事务支出
20133 宣传事务: 2013301 行政运行; 2013302 一般行政管理事务; 2013399 其他宣传事务支出
20138 市场监督管理事务: 2013801 行政运行; 2013804 市场主体管理; 2013812 药品事务; 2013816 食品安全监管
204 公共安全支出
20402 公安: 2040201 行政运行; 2040219 信息化建设; 2040220 执法办案; 2040299 其他公安支出
20406 司法: 2040601 行政运行; 2040604 基层司法业务; 2040607 法律援助; 2040610 社区矫正
205 教育支出
20501 教育管理事务: 2050101 行政运行; 2050102 一般行政管理事务; 2050199 其他教育管理事务支出
20502 普通教育: 2050201 学前教育; 2050202 小学教育; 2050203 初中教育; 2050204 高中教育
20503 职业教育: 2050302 中等职业教育; 2050399 其他职业教育支出
20508 进修及培训: 2050801 教师进修; 2050803 培训支出
206 科学技术支出
20601 科学技术管理事务: 2060101 行政运行; 2060102 一般行政管理事务
20604 技术研究与开发: 2060499 其他技术研究与开发支出
20607 科学技术普及: 2060701 机构运行; 2060702 科普活动
207 文化旅游体育与传媒支出
20701 文化和旅游: 2070101 行政运行; 2070104 图书馆; 2070109 群众文化; 2070111 文化创作与保护; 2070112 文化和旅游市场管理
20702 文物: 2070204 文物保护; 2070205 博物馆
20703 体育: 2070301 行政运行; 2070307 体育场馆; 2070308 群众体育
208 社会保障和就业支出
20801 人力资源和社会保障管理事务: 2080101 行政运行; 2080102 一般行政管理事务; 2080109 社会保险经办机构; 2080199 其他人力资源和社会保障管理事务支出
20802 民政管理事务: 2080201 行政运行; 2080208 基层政权建设和社区治理; 2080299 其他民政管理事务支出
20805 行政事业单位养老支出: 2080501 行政单位离退休; 2080502 事业单位离退休; 2080505 机关事业单位基本养老保险缴费支出; 2080506 机关事业单位职业年金缴费支出
20807 就业补助: 2080705 公益性岗位补贴; 2080799 其他就业补助支出
20808 抚恤: 2080801 死亡抚恤; 2080802 伤残抚恤
20809 退役安置: 2080901 退役士兵安置; 2080902 军队移交政府的离退休人员安置
20810 社会福利: 2081002 老年福利; 2081004 殡葬; 2081005 社会福利事业单位
20811 残疾人事业: 2081101 行政运行; 2081107 残疾人生活和护理补贴; 2081199 其他残疾人事业支出
20899 其他社会保障和就业支出: 2089999 其他社会保障和就业支出
210 卫生健康支出
21001 卫生健康管理事务: 2100101 行政运行; 2100102 一般行政管理事务; 2100199 其他卫生健康管理事务支出
21002 公立医院: 2100201 综合医院; 2100202 中医（民族）医院
21004 公共卫生: 2100401 疾病预防控制机构; 2100408 基本公共卫生服务; 2100409 重大公共卫生服务; 2100410 突发公共卫生事件应急处理
21007 计划生育事务: 2100717 计划生育服务; 2100799 其他计划生育事务支出
21011 行政事业单位医疗: 2101101 行政单位医疗; 2101102 事业单位医疗; 2101103 公务员医疗补助
21012 财政对基本医疗保险基金的补助: 2101202 财政对城乡居民基本医疗保险基金的补助; 2101299 财政对其他基本医疗保险基金的补助
21013 医疗救助: 2101301 城乡医疗救助; 2101399 其他医疗救助支出
21015 医疗保障管理事务: 2101501 行政运行; 2101502 一般行政管理事务; 2101505 医疗保障政策管理; 2101506 医疗保障经办事务; 2101550 事业运行; 2101599 其他医疗保障管理事务支出
211 节能环保支出
21101 环境保护管理事务: 2110101 行政运行; 2110102 一般行政管理事务; 2110104 生态环境保护宣传
21103 污染防治: 2110301 大气; 2110302 水体; 2110399 其他污染防治支出
212 城乡社区支出
21201 城乡社区管理事务: 2120101 行政运行; 2120102 一般行政管理事务; 2120104 城管执法; 2120199 其他城乡社区管理事务支出
21203 城乡社区公共设施: 2120399 其他城乡社区公共设施支出
21205 城乡社区环境卫生: 2120501 城乡社区环境卫生
21208 国有土地使用权出让收入安排的支出: 2120803 城市建设支出; 2120899 其他国有土地使用权出让收入安排的支出
213 农林水支出
21301 农业农村: 2130101 行政运行; 2130104 事业运行; 2130108 病虫害控制; 2130122 农业生产发展; 2130199 其他农业农村支出
21302 林业和草原: 2130201 行政运行; 2130205 森林资源培育; 2130234 林业草原防灾减灾
21303 水利: 2130301 行政运行; 2130306 水利工程运行与维护; 2130314 防汛; 2130399 其他水利支出
21305 巩固脱贫攻坚成果衔接乡村振兴: 2130504 农村基础设施建设; 2130599 其他巩固脱贫攻坚成果衔接乡村振兴支出
214 交通运输支出
21401 公路水路运输: 2140101 行政运行; 2140104 公路建设; 2140106 公路养护; 2140112 公路运输管理; 2140199 其他公路水路运输支出
215 资源勘探工业信息等支出
21505 工业和信息产业监管: 2150501 行政运行; 2150502 一般行政管理事务; 2150599 其他工业和信息产业监管支出
220 自然资源海洋气象等支出
22001 自然资源事务: 2200101 行政运行; 2200104 自然资源规划及管理; 2200106 自然资源利用与保护; 2200150 事业运行
221 住房保障支出
22102 住房改革支出: 2210201 住房公积金; 2210202 提租补贴; 2210203 购房补贴
224 灾害防治及应急管理支出
22401 应急管理事务: 2240101 行政运行; 2240102 一般行政管理事务; 2240106 安全监管; 2240199 其他应急管理支出
229 其他支出
22960 彩票公益金安排的支出: 2296002 用于社会福利的彩票公益金支出; 2296003 用于体育事业的彩票公益金支出
"""


def _code_name(item: str) -> tuple[str, str]:
    """“2130301 行政运行” -> (code, name)."""
    code, name = item.split(" ", 1)
    return code, name


CLASS_NAMES: dict[str, str] = {}
KUAN_NAMES: dict[str, str] = {}
XIANG: dict[str, list[tuple[str, str]]] = {}  # 款 -> [(项 code, name)]
for _line in _FUNCTIONAL.strip().splitlines():
    if ":" not in _line:
        _code, _name = _line.split(" ", 1)
        CLASS_NAMES[_code] = _name
        continue
    _head, _items = _line.split(": ", 1)
    _code, _name = _head.split(" ", 1)
    KUAN_NAMES[_code] = _name
    XIANG[_code] = [_code_name(i) for i in _items.split("; ")]

# 政府性基金 款 (their 项 go to 公开07表, not 公开05表).
FUND_KUAN = {"21208", "22960"}

# The 26 expenditure lines of 公开01表/公开04表, by 类 code.
EXPENDITURE_LINES = [
    ("201", "一、一般公共服务支出"), ("202", "二、外交支出"), ("203", "三、国防支出"), ("204", "四、公共安全支出"),
    ("205", "五、教育支出"), ("206", "六、科学技术支出"), ("207", "七、文化旅游体育与传媒支出"),
    ("208", "八、社会保障和就业支出"), ("210", "九、卫生健康支出"), ("211", "十、节能环保支出"),
    ("212", "十一、城乡社区支出"), ("213", "十二、农林水支出"), ("214", "十三、交通运输支出"),
    ("215", "十四、资源勘探工业信息等支出"), ("216", "十五、商业服务业等支出"), ("217", "十六、金融支出"),
    ("219", "十七、援助其他地区支出"), ("220", "十八、自然资源海洋气象等支出"), ("221", "十九、住房保障支出"),
    ("222", "二十、粮油物资储备支出"), ("223", "二十一、国有资本经营预算支出"), ("224", "二十二、灾害防治及应急管理支出"),
    ("229", "二十三、其他支出"), ("231", "二十四、债务还本支出"), ("232", "二十五、债务付息支出"),
    ("234", "二十六、抗疫特别国债安排的支出"),
]

# 经济分类 for 公开06表 (in the order the seeds print them, groups unrolled).
_ECONOMIC = """
301 工资福利支出: 30101 基本工资; 30102 津贴补贴; 30103 奖金; 30106 伙食补助费; 30107 绩效工资; 30108 机关事业单位基本养老保险缴费; 30109 职业年金缴费; 30110 职工基本医疗保险缴费; 30111 公务员医疗补助缴费; 30112 其他社会保障缴费; 30113 住房公积金; 30114 医疗费; 30199 其他工资福利支出
303 对个人和家庭的补助: 30301 离休费; 30302 退休费; 30303 退职（役）费; 30304 抚恤金; 30305 生活补助; 30306 救济费; 30307 医疗费补助; 30308 助学金; 30309 奖励金; 30310 个人农业生产补贴; 30311 代缴社会保险费; 30399 其他对个人和家庭的补助
302 商品和服务支出: 30201 办公费; 30202 印刷费; 30203 咨询费; 30204 手续费; 30205 水费; 30206 电费; 30207 邮电费; 30208 取暖费; 30209 物业管理费; 30211 差旅费; 30212 因公出国（境）费用; 30213 维修（护）费; 30214 租赁费; 30215 会议费; 30216 培训费; 30217 公务接待费; 30218 专用材料费; 30224 被装购置费; 30225 专用燃料费; 30226 劳务费; 30227 委托业务费; 30228 工会经费; 30229 福利费; 30231 公务用车运行维护费; 30239 其他交通费用; 30240 税金及附加费用; 30299 其他商品和服务支出
307 债务利息及费用支出: 30701 国内债务付息; 30702 国外债务付息; 30703 国内债务发行费用; 30704 国外债务发行费用
309 资本性支出（基本建设）: 30901 房屋建筑物构建; 30902 办公设备购置; 30903 专用设备购置; 30905 基础设施建设; 30906 大型修缮; 30907 信息网络及软件购置更新; 30908 物资储备; 30913 公务用车购置; 30919 其他交通工具购置; 30921 文物和陈列品购置; 30922 无形资产购置; 30999 其他资本性支出
310 资本性支出: 31001 房屋建筑物构建; 31002 办公设备购置; 31003 专用设备购置; 31005 基础设施建设; 31006 大型修缮; 31007 信息网络及软件购置更新; 31008 物资储备; 31009 土地补偿; 31010 安置补助; 31011 地上附着物和青苗补偿; 31012 拆迁补偿; 31013 公务用车购置; 31019 其他交通工具购置; 31021 文物和陈列品购置; 31022 无形资产购置; 31099 其他资本性支出
311 对企业补助（基本建设）: 31101 资本金注入; 31199 其他对企业补助
312 对企业补助: 31201 资本金注入; 31203 政府投资基金股权投资; 31204 费用补贴; 31205 利息补贴; 31299 其他对企业补助
313 对社会保障基金补助: 31302 对社会保险基金补助; 31303 补充全国社会保障基金; 31304 对机关事业单位职业年金的补助
399 其他支出: 39907 国家赔偿费用支出; 39908 对民间非营利组织和群众性自治组织补贴; 39909 经常性赠与; 39910 资本性赠与; 39999 其他支出
"""
ECONOMIC: list[tuple[str, str, list[tuple[str, str]]]] = []
for _line in _ECONOMIC.strip().splitlines():
    _head, _items = _line.split(": ", 1)
    _code, _name = _head.split(" ", 1)
    ECONOMIC.append((_code, _name, [_code_name(i) for i in _items.split("; ")]))
# 款 that carry money (the rest are printed blank): personnel / public / capital.
_PERSONNEL_USED = {"30101": 30, "30102": 12, "30103": 8, "30106": 1, "30107": 18, "30108": 10, "30109": 4,
                   "30110": 5, "30111": 1, "30112": 1, "30113": 8, "30199": 2, "30302": 3, "30305": 1, "30309": 0.3}
_PUBLIC_USED = {"30201": 10, "30202": 2, "30205": 1, "30206": 2, "30207": 2, "30209": 3, "30211": 6, "30213": 3,
                "30215": 1, "30216": 2, "30217": 1, "30226": 4, "30227": 5, "30228": 6, "30229": 5, "30231": 3,
                "30239": 4, "30299": 5, "31002": 2}
_DASHED = {"309", "311"}  # 基本建设 groups printed with “——” in many 公开06表

# Agencies: name, slug, the 款 their own work is classed under.
AGENCIES = [
    ("教育局", "jyj", ["20501", "20502", "20508"]), ("卫生健康委员会", "wjw", ["21001", "21004", "21007"]),
    ("医疗保障局", "ybj", ["21015", "21012", "21013"]), ("人力资源和社会保障局", "rsj", ["20801", "20807"]),
    ("民政局", "mzj", ["20802", "20810", "22960"]), ("财政局", "czj", ["20106"]), ("审计局", "sjj", ["20108"]),
    ("统计局", "tjj", ["20105"]), ("发展和改革委员会", "fgw", ["20104"]), ("公安局", "gaj", ["20402"]),
    ("司法局", "sfj", ["20406"]), ("农业农村局", "nyncj", ["21301", "21305"]), ("水利局", "slj", ["21303"]),
    ("林业局", "lyj", ["21302"]), ("交通运输局", "jtysj", ["21401"]), ("自然资源局", "zrzyj", ["22001"]),
    ("生态环境局", "sthjj", ["21101", "21103"]), ("住房和城乡建设局", "zjj", ["21201", "21203", "21208"]),
    ("城市管理局", "cgj", ["21201", "21205"]), ("文化和旅游局", "whlyj", ["20701", "20702"]),
    ("体育局", "tyj", ["20703", "22960"]), ("科学技术局", "kjj", ["20601", "20604", "20607"]),
    ("应急管理局", "yjglj", ["22401"]), ("市场监督管理局", "scjgj", ["20138"]),
    ("退役军人事务局", "tyjrswj", ["20809", "20808"]), ("残疾人联合会", "cjrlhh", ["20811"]),
    ("商务局", "swj", ["20113"]), ("工业和信息化局", "gxj", ["21505"]), ("人民代表大会常务委员会办公室", "rdb", ["20101"]),
    ("人民政府办公室", "zfb", ["20103"]), ("纪律检查委员会", "jwj", ["20111"]), ("委员会组织部", "zzb", ["20132"]),
    ("委员会宣传部", "xcb", ["20133"]),
]
SUBUNITS = ["服务中心", "事务中心", "综合保障中心", "信息中心", "监测中心", "执法大队", "发展中心"]

REGIONS = [
    ("山西省", "太原市", "ty", ["小店区", "迎泽区", "杏花岭区", "清徐县", "阳曲县"]),
    ("山西省", "大同市", "dt", ["平城区", "云冈区", "阳高县", "天镇县"]),
    ("山西省", "阳泉市", "yq", ["城区", "矿区", "郊区", "平定县", "盂县"]),
    ("山西省", "长治市", "cz", ["潞州区", "上党区", "屯留区", "襄垣县", "沁县"]),
    ("山西省", "晋城市", "jc", ["城区", "沁水县", "阳城县", "陵川县", "泽州县"]),
    ("山西省", "朔州市", "sz", ["朔城区", "平鲁区", "山阴县", "应县"]),
    ("山西省", "晋中市", "jz", ["榆次区", "太谷区", "榆社县", "左权县", "平遥县"]),
    ("山西省", "运城市", "yc", ["盐湖区", "临猗县", "万荣县", "闻喜县", "永济市"]),
    ("山西省", "忻州市", "xz", ["忻府区", "定襄县", "五台县", "代县", "原平市"]),
    ("山西省", "临汾市", "lf", ["尧都区", "曲沃县", "翼城县", "襄汾县", "侯马市"]),
    ("山西省", "吕梁市", "ll", ["离石区", "文水县", "交城县", "兴县", "孝义市"]),
]

TERMS = [
    ("财政拨款收入", "指单位从同级财政部门取得的财政预算资金。"),
    ("事业收入", "指事业单位开展专业业务活动及辅助活动取得的收入。"),
    ("经营收入", "指事业单位在专业业务活动及其辅助活动之外开展非独立核算经营活动取得的收入。"),
    ("其他收入", "指单位取得的除上述收入以外的各项收入。主要是存款利息收入等。"),
    ("使用非财政拨款结余", "指事业单位使用以前年度积累的非财政拨款结余弥补当年收支差额的金额。"),
    ("年初结转和结余", "指单位以前年度尚未完成、结转到本年仍按原规定用途继续使用的资金，或项目已完成等产生的结余资金。"),
    ("结余分配", "指事业单位按照会计制度规定缴纳的所得税、提取的专用结余以及转入非财政拨款结余的金额等。"),
    ("年末结转和结余", "指单位按有关规定结转到下年或以后年度继续使用的资金，或项目已完成等产生的结余资金。"),
    ("基本支出", "指为保障机构正常运转、完成日常工作任务而发生的人员支出和公用经费支出。"),
    ("项目支出", "指在基本支出之外为完成特定行政任务和事业发展目标所发生的支出。"),
    ("“三公”经费", "指部门用财政拨款安排的因公出国（境）费、公务用车购置及运行维护费和公务接待费。其中，因公出国（境）费反映单位公务出国（境）的国际旅费、国外城市间交通费、住宿费、伙食费、培训费、公杂费等支出；公务用车购置费反映公务用车车辆购置支出（含车辆购置税）；公务用车运行维护费反映单位按规定保留的公务用车燃料费、维修费、过路过桥费、保险费、安全奖励费用等支出；公务接待费反映单位按规定开支的各类公务接待（含外宾接待）支出。"),
    ("机关运行经费", "指行政单位和参照公务员法管理的事业单位财政拨款基本支出中的公用经费支出，包括办公费、印刷费、邮电费、差旅费、会议费、福利费、日常维修费、专用材料及一般设备购置费、办公用房水电费、办公用房取暖费、办公用房物业管理费、公务用车运行维护费以及其他费用。"),
    ("工资福利支出", "反映单位开支的在职职工和编制外长期聘用人员的各类劳动报酬，以及为上述人员缴纳的各项社会保险费等。"),
    ("商品和服务支出", "反映单位购买商品和服务的支出（不包括用于购置固定资产的支出、战略性和应急储备支出）。"),
    ("对个人和家庭的补助", "反映用于对个人和家庭的补助支出。"),
    ("结转资金", "指当年预算已执行但未完成，或者因故未执行，下一年度需要按原用途继续使用的资金。"),
]

PROJECTS = [
    ("工作经费", "gzjf"), ("专项业务费", "zxywf"), ("信息化建设经费", "xxhjs"), ("宣传培训经费", "xcpx"),
    ("监督检查经费", "jdjc"), ("政府购买服务经费", "gmfw"), ("办公用房租赁费", "fwzl"), ("设备购置经费", "sbgz"),
    ("运行维护经费", "yxwh"), ("专项补助资金", "zxbz"), ("能力提升补助资金", "nlts"), ("绩效评价经费", "jxpj"),
    ("应急保障经费", "yjbz"), ("课题研究经费", "ktyj"), ("档案数字化经费", "dasz"), ("聘用人员经费", "pyry"),
    ("安全生产专项经费", "aqsc"), ("基层服务补助", "jcfw"), ("数据共享平台运维费", "sjpt"), ("法律顾问服务费", "flgw"),
]

# 三级指标 pools by 二级指标: (name, target, actual) with {n} placeholders.
INDICATORS = {
    ("产出指标", "数量指标"): [("开展业务培训期数", "≥{a}期", "{b}期"), ("检查覆盖单位数", "≥{a}家", "{b}家"),
                          ("印发宣传材料", "≥{a}份", "{b}份"), ("服务对象人数", "≥{a}人", "{b}人"),
                          ("完成专项检查次数", "≥{a}次", "{b}次"), ("采购设备数量", "{a}台", "{b}台"),
                          ("聘用工作人员", "{a}人", "{a}人"), ("召开工作会议", "≥{a}次", "{b}次")],
    ("产出指标", "质量指标"): [("资金拨付准确率", "100%", "100%"), ("问题整改率", "≥95%", "{p}%"),
                          ("验收合格率", "100%", "100%"), ("业务办理差错率", "≤1%", "0.{q}%"),
                          ("政策知晓率", "≥90%", "{p}%"), ("系统运行稳定率", "≥99%", "99.{q}%")],
    ("产出指标", "时效指标"): [("资金拨付及时率", "100%", "100%"), ("按时完成率", "100%", "100%"),
                          ("项目完成时间", "12月底前", "按时完成"), ("问题办结时限", "≤{a}个工作日", "{a}个工作日")],
    ("产出指标", "成本指标"): [("项目成本控制", "≤{m}万元", "{m}万元"), ("人均培训成本", "≤{a}元/人", "{b}元/人"),
                          ("会议费标准", "≤400元/人/天", "≤400元/人/天"), ("运维费用控制", "≤{m}万元", "{m}万元")],
    ("效益指标", "经济效益指标"): [("节约财政资金", "≥{a}万元", "{b}万元"), ("挽回经济损失", "≥{a}万元", "{b}万元")],
    ("效益指标", "社会效益指标"): [("群众办事便利度", "有效提升", "有效提升"), ("公共服务水平", "逐步提高", "提高"),
                            ("政策落实情况", "全面落实", "全面落实"), ("社会影响", "良好", "良好"),
                            ("部门履职能力", "显著提升", "提升")],
    ("效益指标", "生态效益指标"): [("节能降耗", "有效控制", "有效控制")],
    ("效益指标", "可持续影响指标"): [("长效管理机制", "健全", "已建立"), ("工作持续发挥作用", "长期", "长期")],
    ("满意度指标", "服务对象满意度指标"): [("服务对象满意度", "≥90%", "{p}%"), ("群众满意度", "≥90%", "{p}%"),
                                ("参保人员满意度", "≥85%", "{p}%")],
}
DEVIATIONS = ["受项目实施进度影响，部分工作延至下年完成；下一步将加强统筹，按计划推进。",
              "部分指标设置偏低，下一步将科学合理设定绩效目标。",
              "因政策调整，实际完成值与年度指标值存在差异；已纳入下年度工作计划。",
              "满意度调查样本偏少，下一步将扩大调查范围。"]
CN_NUM = "一二三四五六七八九十"


def _cn(n: int) -> str:
    """1..99 -> 一…九十九."""
    if n <= 10:
        return CN_NUM[n - 1]
    tens, ones = divmod(n, 10)
    return (CN_NUM[tens - 1] if tens > 1 else "") + "十" + (CN_NUM[ones - 1] if ones else "")


# ---------------------------------------------------------------- formatting

_QUOTE_START = set("[]{}\"'&*!%@#|>,?:-`~ ")


def q(s: str) -> str:
    """A YAML plain scalar when safe, else a single-quoted one."""
    if s == "" or s[0] in _QUOTE_START or s[-1] == " " or ": " in s or " #" in s or s.endswith(":") \
            or s in ("~", "null", "Null", "NULL"):
        return "'" + s.replace("'", "''") + "'"
    return s


def amt(cents: int | None) -> str:
    """Cents of 万元 -> ``1,234.56``; None/0 -> blank (the forms print nothing)."""
    if not cents:
        return ""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole:,}.{frac:02d}"


def row(*cells) -> str:
    """Cells -> ``a | b | c`` with trailing blanks dropped."""
    texts = ["" if c is None else str(c) for c in cells]
    while texts and texts[-1] == "":
        texts.pop()
    if not texts:
        return ""
    out = texts[0]
    for t in texts[1:]:  # blanks print as "| |", a blank first cell as "| 9 | …", like the seeds
        out = (out + " |" if out else "|") + (" " + t if t else "")
    return out


def block(text: str, indent: int) -> str:
    """A literal block scalar (``|``) for Markdown."""
    pad = " " * indent
    return "|\n" + "\n".join((pad + line) if line else "" for line in text.strip("\n").split("\n")) + "\n"


def split_cents(total: int, weights: list[float], rng: random.Random) -> list[int]:
    """``total`` cents over ``weights``, exactly (largest remainder)."""
    if not weights:
        return []
    s = sum(weights)
    raw = [total * w / s for w in weights]
    out = [int(x) for x in raw]
    rest = total - sum(out)
    order = sorted(range(len(raw)), key=lambda i: (raw[i] - out[i], rng.random()), reverse=True)
    for i in order[:rest]:
        out[i] += 1
    return out


def pct(part: int, whole: int) -> str:
    if not whole:
        return "0.00%"
    return f"{(Decimal(part) * 100 / Decimal(whole)).quantize(Decimal('0.01'), ROUND_HALF_UP)}%"


# ---------------------------------------------------------------- model of one department-year

@dataclass
class Item:
    """One 项 with its money by source (cents)."""
    code: str
    name: str
    kuan: str
    f_basic: int = 0     # 一般公共预算财政拨款 基本支出
    f_project: int = 0   # 一般公共预算财政拨款 项目支出
    o_basic: int = 0     # 非财政拨款（事业收入/其他收入）基本支出
    o_project: int = 0
    fund: int = 0        # 政府性基金预算财政拨款 项目支出
    other_kind: str = "事业收入"

    @property
    def basic(self) -> int:
        return self.f_basic + self.o_basic

    @property
    def project(self) -> int:
        return self.f_project + self.o_project + self.fund

    @property
    def total(self) -> int:
        return self.basic + self.project

    @property
    def gpb(self) -> int:
        return self.f_basic + self.f_project


@dataclass
class Profile:
    index: int
    slug: str
    name: str
    supervisor: str
    region: list[str]
    agency: str
    domain: list[str]
    unit: bool            # 单位决算 (a subordinate unit) vs 部门决算
    consolidated: bool
    units: list[tuple[str, str, str]] = field(default_factory=list)
    size: float = 1.0
    staff: int = 20
    public_institution: bool = False


def make_profile(seed: int, index: int) -> Profile:
    rng = random.Random(f"{seed}:profile:{index}")
    province, city, city_slug, counties = rng.choice(REGIONS)
    agency, agency_slug, domain = rng.choice(AGENCIES)
    county = rng.choice(counties) if rng.random() < 0.55 else ""
    place = county or city
    region = [province, city] + ([county] if county else [])
    dept_name = f"{place}{agency}"
    unit = rng.random() < 0.3
    if unit:
        sub = rng.choice(SUBUNITS)
        name = f"{place}{agency.replace('委员会', '').replace('局', '')}{sub}"
        supervisor = dept_name
    else:
        name, supervisor = dept_name, ""
    consolidated = not unit and rng.random() < 0.45
    units = []
    if consolidated:
        base = rng.randint(100, 899) * 1000
        units.append((f"{base + 1:06d}", f"{dept_name}（本级）", "行政单位"))
        for k in range(rng.randint(1, 5)):
            units.append((f"{base + 2 + k:06d}", f"{place}{agency.replace('局', '')}{SUBUNITS[k % len(SUBUNITS)]}", "事业单位"))
    size = rng.lognormvariate(0, 0.8) * (2.5 if consolidated else 1.0) * (0.6 if county else 1.0)
    return Profile(index=index, slug=f"{city_slug}-{agency_slug}-{index:05d}", name=name, supervisor=supervisor,
                   region=region, agency=agency, domain=list(domain), unit=unit, consolidated=consolidated,
                   units=units, size=size, staff=max(3, int(rng.gauss(25, 10) * min(size, 4))),
                   public_institution=unit or rng.random() < 0.2)


def _is_basic(name: str) -> bool:
    return any(w in name for w in ("行政运行", "事业运行", "机构运行", "离退休", "缴费", "行政单位医疗", "事业单位医疗",
                                   "公务员医疗补助", "住房公积金", "提租补贴", "购房补贴"))


def make_items(p: Profile, rng: random.Random, year: int) -> list[Item]:
    """The 项 of one department-year, with money by source."""
    scale = p.size * (1 + 0.06 * (year - 2023)) * 100  # cents of 万元 per "unit"
    items: list[Item] = []
    chosen_kuan = [p.domain[0]] + [k for k in p.domain[1:] if rng.random() < 0.6]
    if p.consolidated and rng.random() < 0.5:
        chosen_kuan.append(rng.choice([k for k in KUAN_NAMES if k not in FUND_KUAN]))
    for kuan in dict.fromkeys(chosen_kuan):
        xs = XIANG[kuan]
        picks = [xs[0]] + rng.sample(xs[1:], k=min(len(xs) - 1, rng.randint(1, 3))) if kuan not in FUND_KUAN else [rng.choice(xs)]
        for code, name in sorted(picks):
            it = Item(code, name, kuan)
            money = int(rng.lognormvariate(4.5, 1.0) * scale)
            if kuan in FUND_KUAN:
                it.fund = max(money, 100)
            elif _is_basic(name):
                it.f_basic = max(money, 100)
            else:
                it.f_project = max(money, 100)
                if rng.random() < 0.25:
                    it.f_basic = int(money * rng.uniform(0.05, 0.3))
            if p.public_institution and kuan not in FUND_KUAN and rng.random() < 0.3:
                it.o_project = int(money * rng.uniform(0.05, 0.4)) if it.f_project else 0
                it.o_basic = int(money * rng.uniform(0.02, 0.2)) if not it.o_project else 0
                it.other_kind = rng.choice(["事业收入", "事业收入", "其他收入"])
            items.append(it)
    # Common 项 of every budget unit: pensions, health insurance, housing fund.
    payroll = int(p.staff * rng.uniform(9.0, 14.0) * 100 * (1 + 0.04 * (year - 2023)))
    common = [("20805", "2080505", 0.16), ("20805", "2080506", 0.064), ("21011", "2101101" if not p.public_institution else "2101102", 0.08),
              ("22102", "2210201", 0.12)]
    if rng.random() < 0.4:
        common.append(("20805", "2080501" if not p.public_institution else "2080502", rng.uniform(0.05, 0.3)))
    if rng.random() < 0.15:
        common.append(("21011", "2101103", rng.uniform(0.02, 0.06)))
    names = {c: n for xs in XIANG.values() for c, n in xs}
    for kuan, code, share in common:
        items.append(Item(code, names[code], kuan, f_basic=max(int(payroll * share), 37)))
    # Operating 项 of the domain carries the payroll itself.
    run = next((it for it in items if "运行" in it.name), None)
    if run is not None:
        run.f_basic += payroll
    merged: dict[str, Item] = {}
    for it in items:  # a 项 picked twice (common 项 inside a chosen 款) is one row
        if it.code in merged:
            m = merged[it.code]
            m.f_basic, m.f_project, m.fund = m.f_basic + it.f_basic, m.f_project + it.f_project, m.fund + it.fund
            m.o_basic, m.o_project = m.o_basic + it.o_basic, m.o_project + it.o_project
        else:
            merged[it.code] = it
    return sorted(merged.values(), key=lambda it: it.code)


# ---------------------------------------------------------------- one department-year

SubjectRow = tuple[str, str, int, list[int]]   # (code, name, level, amounts)


def _add(total: list[int] | None, amounts: list[int]) -> list[int]:
    """``amounts`` added column by column to a running ``total`` (None: nothing yet)."""
    return amounts if total is None else [a + b for a, b in zip(total, amounts)]


class Writer:
    """Builds the YAML text of one department-year."""

    def __init__(self, p: Profile, year: int, rng: random.Random, prior_sangong: dict | None):
        self.p, self.year, self.rng = p, year, rng
        self.items = make_items(p, rng, year)
        self.prior_sangong = prior_sangong
        self.planted: list[str] = []
        self.lines: list[str] = []
        # Planted discrepancies: about one department-year in ten.
        self.plant = set()
        if rng.random() < 0.10:
            self.plant.add(rng.choice(["tail03", "class02", "cross01", "econ06", "sangong", "score", "rate", "total"]))

    # ---------------------------------------------------------- helpers
    def emit(self, text: str = "") -> None:
        self.lines.append(text)

    def table(self, table_id: str, rows: list[str], note: str, remark: str = "", extra: Sequence[str] = (),
              memo: Sequence[str] = ()) -> None:
        self.emit(f"  {table_id}:")
        for e in extra:
            self.emit(f"    {e}")
        if rows:
            self.emit("    行:")
            for r in rows:
                self.emit(f"      - {q(r)}")
        else:
            self.emit("    行: []")
        self.emit(f"    注: {q(note)}")
        if remark:
            self.emit(f"    说明: {q(remark)}")
        if memo:
            self.emit("    备注:")
            for m in memo:
                self.emit(f"      - {q(m)}")

    def tree(self, items: list[Item], value: Callable[[Item], list[int]]) -> list[SubjectRow]:
        """(code, name, level, amounts) rows 类 → 款 → 项 plus the 合计 first;
        ``value(item)`` gives an item's amounts; parents are exact sums."""
        out: list[SubjectRow] = []
        by_class: dict[str, dict[str, list[Item]]] = {}
        for it in items:
            by_class.setdefault(it.code[:3], {}).setdefault(it.code[:5], []).append(it)
        total: list[int] | None = None
        for cls in sorted(by_class):
            cls_rows: list[SubjectRow] = []
            cls_sum: list[int] | None = None
            for kuan in sorted(by_class[cls]):
                kuan_rows: list[SubjectRow] = []
                kuan_sum: list[int] | None = None
                for it in by_class[cls][kuan]:
                    v = value(it)
                    kuan_rows.append((it.code, it.name, 3, v))
                    kuan_sum = _add(kuan_sum, v)
                assert kuan_sum is not None   # every 款 in by_class has an item
                cls_rows.append((kuan, KUAN_NAMES[kuan], 2, kuan_sum))
                cls_rows += kuan_rows
                cls_sum = _add(cls_sum, kuan_sum)
            assert cls_sum is not None   # every 类 in by_class has a 款
            out.append((cls, CLASS_NAMES[cls], 1, cls_sum))
            out += cls_rows
            total = _add(total, cls_sum)
        return [("合计", "", 0, total)] + out if total is not None else []

    def subject_rows(self, rows) -> list[str]:
        return [row(code, name, *(amt(v) for v in vals)) for code, name, _, vals in rows]

    # ---------------------------------------------------------- the main file
    def main_file(self) -> str:
        p, y, rng = self.p, self.year, self.rng
        kind = "单位决算" if p.unit else "部门决算"
        self.emit(f"部门: {q(p.name)}")
        if p.supervisor:
            self.emit(f"主管部门: {q(p.supervisor)}")
        self.emit(f"地区: [{', '.join(p.region)}]")
        self.emit(f"年度: {y}")
        self.emit(f"类型: {kind}")
        self.emit(f"汇总: {'是' if p.consolidated else '否'}")
        self.emit("草稿: 否")
        if p.units:
            self.emit("单位构成:")
            for code, name, nature in p.units:
                self.emit(f"  - {q(row(code, name, nature))}")
        self.emit("来源:")
        self.emit(f"  标题: {q(f'{p.name}{y}年度{kind}公开')}")
        self.emit(f"  发布单位: {q(p.name)}")
        if rng.random() < 0.7:
            self.emit(f"  日期: 二〇{''.join('〇一二三四五六七八九'[int(c)] for c in str(y + 1)[2:])}年{_cn(rng.randint(7, 10))}月")
        self.emit(f"  文件: {rng.randint(0, 999):03d}_{rng.getrandbits(64):016x}.txt")
        self.emit("  备注:")
        self.emit("    - 合成数据：由 portal synth 生成，用于性能测试，不是真实的部门决算。")
        self.emit("概况:")
        duties = [f"贯彻执行国家和省、市关于{p.agency.replace('局', '').replace('委员会', '')}工作的方针政策和法律法规，拟订本地区相关政策措施并组织实施。",
                  "负责本部门预算编制和执行，加强财务管理和资产管理。",
                  "负责相关行业的监督管理工作，依法查处违法违规行为。",
                  "负责本领域信息化建设、统计分析和信息发布工作。",
                  "组织开展业务培训和政策宣传，指导基层开展工作。",
                  "负责本系统安全生产、应急管理和信访维稳工作。",
                  "承办本级党委、政府交办的其他任务。"]
        k = rng.randint(4, len(duties))
        self.emit("  职责: " + block("\n".join(f"{i}. {d}" for i, d in enumerate(duties[:k - 1] + duties[-1:], 1)), 4).rstrip("\n"))
        n_offices = rng.randint(3, 9)
        self.emit(f"  机构设置: {q(f'内设{n_offices}个科室，分别是综合科、财务科、业务科等。')}")
        self.emit(f"  人员编制: {q(f'核定编制{p.staff}名，其中行政编制{max(1, p.staff // 3)}名、事业编制{p.staff - max(1, p.staff // 3)}名。')}")
        actual = max(1, p.staff - rng.randint(0, 3))
        self.emit("人员:")
        self.emit(f"  编制数: {p.staff}")
        self.emit(f"  实有人数: {actual}")
        self.emit("决算表:")
        self.t01()
        self.t02()
        self.t03()
        self.t04()
        self.t05()
        self.t06()
        self.t07()
        self.t08()
        self.t09()
        self.t10()
        self.sangong_text()
        self.emit("名词解释:")
        for term, expl in rng.sample(TERMS, k=rng.randint(8, 12)):
            self.emit(f"  - 术语: {q(term)}")
            self.emit(f"    解释: {q(expl)}")
        return "\n".join(self.lines) + "\n"

    # ---------------------------------------------------------- totals shared by tables
    @property
    def S(self) -> int:
        return sum(it.total for it in self.items)

    @property
    def GPB(self) -> int:
        return sum(it.gpb for it in self.items)

    @property
    def FUND(self) -> int:
        return sum(it.fund for it in self.items)

    def other_income(self, kind: str) -> int:
        return sum(it.o_basic + it.o_project for it in self.items if it.other_kind == kind)

    def by_class(self, value) -> dict[str, int]:
        out: dict[str, int] = {}
        for it in self.items:
            out[it.code[:3]] = out.get(it.code[:3], 0) + value(it)
        return out

    def t01(self) -> None:
        rng = self.rng
        numbered = rng.random() < 0.5
        names = ["一般公共预算财政拨款收入", "政府性基金预算财政拨款收入", "国有资本经营预算财政拨款收入", "上级补助收入",
                 "事业收入", "经营收入", "附属单位上缴收入", "其他收入"]
        values = [self.GPB, self.FUND, 0, 0, self.other_income("事业收入"), 0, 0, self.other_income("其他收入")]
        spend = self.by_class(lambda it: it.total)
        carry = rng.choice([0, 0, 0, int(self.S * rng.uniform(0.01, 0.1))])
        self.carry = carry   # the 情况说明 states 收入总计/支出总计 including it
        income_total = sum(values)
        spend_total = self.S
        if "cross01" in self.plant:  # 公开01表 printed total differs from 公开03表 by a 尾差
            spend_total += 1
            self.planted.append("cross01: 公开01表本年支出合计比公开03表合计多0.01")
        rows = []
        for i, (code, label) in enumerate(EXPENDITURE_LINES, 1):
            if i <= 8:
                left = (f"{_cn(i)}、{names[i - 1]}" if numbered else names[i - 1], i, amt(values[i - 1]))
            else:
                left = ("", i, "")
            v = spend.get(code, 0)
            if "cross01" in self.plant and code == max(spend, key=lambda c: spend[c]):
                v += 1
            rows.append(row(*left, label, 31 + i, amt(v)))
        rows.append(row("本年收入合计", 27, amt(income_total), "本年支出合计", 58, amt(spend_total)))
        rows.append(row("使用非财政拨款结余和专用结余", 28, "", "结余分配", 59))
        rows.append(row("年初结转和结余", 29, amt(carry), "年末结转和结余", 60, amt(carry)))
        rows.append(row("", 30, "", "", 61))
        rows.append(row("总计", 31, amt(income_total + carry), "总计", 62, amt(spend_total + carry)))
        self.table("公开01表", rows, "本表反映部门本年度的总收支和年末结转结余情况。本套报表金额单位转换时可能存在尾数误差。")

    def t02(self) -> None:
        def value(it: Item) -> list[int]:
            fiscal = it.gpb + it.fund
            biz = it.o_basic + it.o_project if it.other_kind == "事业收入" else 0
            oth = it.o_basic + it.o_project if it.other_kind == "其他收入" else 0
            return [fiscal + biz + oth, fiscal, 0, biz, 0, 0, oth]
        rows = self.tree(self.items, value)
        if "class02" in self.plant:
            i = next(i for i, r in enumerate(rows) if r[2] == 1)
            code, name, level, vals = rows[i]
            rows[i] = (code, name, level, [vals[0] + 1000, vals[1] + 1000] + vals[2:])
            self.planted.append(f"class02: 公开02表 类 {code} 多印10.00")
        self.table("公开02表", self.subject_rows(rows), "本表反映部门本年度取得的各项收入情况。")

    def t03(self) -> None:
        rows = self.tree(self.items, lambda it: [it.total, it.basic, it.project, 0, 0, 0])
        if "tail03" in self.plant:
            i = next(i for i, r in enumerate(rows) if r[2] == 3)
            code, name, level, vals = rows[i]
            rows[i] = (code, name, level, [vals[0] + 1] + vals[1:])
            self.planted.append(f"tail03: 公开03表 科目 {code} 合计尾差0.01")
        self.table("公开03表", self.subject_rows(rows), "本表反映部门本年度各项支出情况。")

    def t04(self) -> None:
        gpb = self.by_class(lambda it: it.gpb)
        fund = self.by_class(lambda it: it.fund)
        left = ["一、一般公共预算财政拨款", "二、政府性基金预算财政拨款", "三、国有资本经营预算财政拨款"]
        values = [self.GPB, self.FUND, 0]
        rows = []
        for i, (code, label) in enumerate(EXPENDITURE_LINES, 1):
            lhs = (left[i - 1], i, amt(values[i - 1])) if i <= 3 else ("", i, "")
            g, f = gpb.get(code, 0), fund.get(code, 0)
            rows.append(row(*lhs, label, 32 + i, amt(g + f), amt(g), amt(f)))
        total = self.GPB + self.FUND
        rows.append(row("本年收入合计", 27, amt(total), "本年支出合计", 59, amt(total), amt(self.GPB), amt(self.FUND)))
        rows.append(row("年初财政拨款结转和结余", 28, "", "年末财政拨款结转和结余", 60))
        rows.append(row("一般公共预算财政拨款", 29, "", "", 61))
        rows.append(row("政府性基金预算财政拨款", 30, "", "", 62))
        rows.append(row("国有资本经营预算财政拨款", 31, "", "", 63))
        rows.append(row("总计", 32, amt(total), "总计", 64, amt(total), amt(self.GPB), amt(self.FUND)))
        self.table("公开04表", rows, "本表反映部门本年度一般公共预算财政拨款、政府性基金预算财政拨款和国有资本经营预算财政拨款的总收支和年末结转结余情况。")

    def t05(self) -> None:
        items = [it for it in self.items if it.gpb]
        rows = self.tree(items, lambda it: [it.gpb, it.f_basic, it.f_project])
        self.table("公开05表", self.subject_rows(rows), "本表反映部门本年度一般公共预算财政拨款支出情况。")

    def t06(self) -> None:
        rng = self.rng
        basic = sum(it.f_basic for it in self.items)
        personnel_share = rng.uniform(0.72, 0.9)
        personnel = int(basic * personnel_share)
        public = basic - personnel
        pers_codes = [c for c in _PERSONNEL_USED if rng.random() < 0.85 or c in ("30101", "30102")]
        pub_codes = [c for c in _PUBLIC_USED if rng.random() < 0.6 or c == "30201"]
        money = dict(zip(pers_codes, split_cents(personnel, [_PERSONNEL_USED[c] * rng.uniform(0.6, 1.4) for c in pers_codes], rng)))
        money.update(zip(pub_codes, split_cents(public, [_PUBLIC_USED[c] * rng.uniform(0.5, 1.5) for c in pub_codes], rng)))
        full = rng.random() < 0.7  # most forms print every 经济分类 row, blank or not
        dashed = full and rng.random() < 0.4
        rows, sums = [], {}
        for cls, cname, kuans in ECONOMIC:
            cls_sum = sum(money.get(c, 0) for c, _ in kuans)
            sums[cls] = cls_sum
            if not full and not cls_sum:
                continue
            dash = dashed and cls in _DASHED
            shown = cls_sum
            if "econ06" in self.plant and cls == "302":
                shown += 3
                self.planted.append("econ06: 公开06表 类 302 比所列款之和多0.03")
            rows.append(row(cls, cname, "——" if dash else amt(shown)) if (full or shown) else row(cls, cname))
            for code, name in kuans:
                v = money.get(code, 0)
                if full or v:
                    rows.append(row(code, name, "——" if dash else amt(v)) if (v or dash) else f"{code} | {name} |")
        rows.append(row("人员经费合计", "", amt(personnel)))
        rows.append(row("公用经费合计", "", amt(public)))
        self.personnel, self.public = personnel, public
        self.table("公开06表", rows, "本表反映部门本年度一般公共预算财政拨款基本支出明细情况。")

    def t07(self) -> None:
        items = [it for it in self.items if it.fund]
        if not items:
            self.table("公开07表", ["合计"], "本表反映部门本年度政府性基金预算财政拨款收入、支出及结转和结余情况。",
                       remark="本表无数据", extra=["单位: 万元"])
            return
        rows = self.tree(items, lambda it: [0, it.fund, it.fund, 0, it.fund, 0])
        self.table("公开07表", self.subject_rows(rows), "本表反映部门本年度政府性基金预算财政拨款收入、支出及结转和结余情况。")

    def t08(self) -> None:
        self.table("公开08表", ["合计"], "本表反映部门本年度国有资本经营预算财政拨款支出情况。", remark="本表无数据",
                   extra=["单位: 万元"])

    def t09(self) -> None:
        rng = self.rng
        if rng.random() < 0.06:
            self.sg = None
            self.table("公开09表", [], "本表反映部门本年度“三公”经费支出预决算情况。",
                       remark="我部门没有“三公”经费预算，也没有“三公”经费支出，故本表无数据。")
            return
        scale = max(self.S // 400, 50)
        def items():
            abroad = rng.choice([0, 0, 0, 0, int(scale * rng.uniform(0.2, 1.5))])
            buy = rng.choice([0, 0, 0, int(scale * rng.uniform(2, 6))])
            run = int(scale * rng.uniform(0.3, 2.0))
            host = rng.choice([0, int(scale * rng.uniform(0.1, 0.8))])
            return dict(abroad=abroad, buy=buy, run=run, host=host)
        budget = items()
        actual = {k: int(v * rng.uniform(0.6, 1.0)) for k, v in budget.items()}
        def six(d):
            car = d["buy"] + d["run"]
            return [d["abroad"] + car + d["host"], d["abroad"], car, d["buy"], d["run"], d["host"]]
        self.sg = dict(budget=six(budget), actual=six(actual))
        if rng.random() < 0.2:
            meeting = [int(scale * rng.uniform(0.2, 2)), int(scale * rng.uniform(0.2, 3))]
            m_actual = [int(v * rng.uniform(0.4, 1.0)) for v in meeting]
            rows = [row("预算数", *(amt(v) for v in six(budget) + meeting)),
                    row("决算数", *(amt(v) for v in six(actual) + m_actual))]
            self.table("公开09表", rows, "本表反映部门本年度财政拨款“三公”经费、会议费、培训费的支出预决算情况。",
                       extra=["标题: 财政拨款“三公”经费及会议费、培训费支出决算表", "版式: 含会议费培训费", "单位: 万元"])
        else:
            self.table("公开09表", [row(*(amt(v) for v in six(budget) + six(actual)))],
                       "本表反映部门本年度“三公”经费支出预决算情况。其中，预算数为“三公”经费全年预算数，反映按规定程序调整后的预算数；"
                       "决算数是包括当年财政拨款和以前年度结转资金安排的实际支出。")

    def t10(self) -> None:
        rng = self.rng
        if rng.random() < 0.08:
            self.emit("未公开表:")
            self.emit("  公开10表: 原文未附公开10表，相关信息见情况说明第十至十二部分。")
            self.t10_rows = None
            return
        goods, works, services = (rng.choice([0, int(self.S * rng.uniform(0.001, 0.03))]) for _ in range(3))
        cars = rng.choice([0, 1, 1, 2, 3, 5])
        rows = ["一、政府采购情况", row("合计", 1, amt(goods + works + services)), row("货物", 2, amt(goods)),
                row("工程", 3, amt(works)), row("服务", 4, amt(services)), "二、机关运行经费",
                row("（一）行政单位", 5, "" if self.p.public_institution else amt(self.public)),
                row("（二）参照公务员法管理事业单位", 6, amt(self.public) if self.p.public_institution else ""),
                "三、国有资产占用情况", row("（一）车辆数合计（辆）", 7, cars or ""),
                row("1. 副部（省）级及以上领导用车", 8), row("2. 主要负责人用车", 9), row("3. 机要通信用车", 10),
                row("4. 应急保障用车", 11, 1 if cars > 2 else ""), row("5. 执法执勤用车", 12, max(cars - 2, 0) if cars > 2 else ""),
                row("6. 特种专业技术用车", 13), row("7. 离退休干部服务用车", 14),
                row("8. 其他用车", 15, min(cars, 2) if cars else ""),
                row("（二）单价100万元（含）以上设备（不含车辆）", 16)]
        self.t10_rows = dict(goods=goods, works=works, services=services, cars=cars)
        self.table("公开10表", rows, "本表反映部门本年度政府采购、机关运行经费和国有资产占用情况。")

    def sangong_text(self) -> None:
        """三公经费 stated in the text: 上年决算数 (and a restated 决算数合计)."""
        if self.sg is None:
            return
        prior = self.prior_sangong or self._invent_prior(self.sg["actual"])
        self.emit("三公经费:")
        self.emit("  上年决算数:")
        for key, v in zip(["合计", "因公出国（境）费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费", "公务接待费"], prior):
            self.emit(f"    {key}: {amt(v) or '0'}")
        stated = self.sg["actual"][0]
        if "sangong" in self.plant:
            stated += 50
            self.planted.append("sangong: 情况说明所述“三公”经费决算数比公开09表多0.50")
        self.emit("  决算数:")
        self.emit(f"    合计: {amt(stated) or '0'}")
        diff = self.sg["actual"][0] - prior[0]
        self.emit(f"  出处: {q('情况说明第九部分：“三公”经费支出决算' + (amt(stated) or '0') + '万元，比上年' + ('增加' if diff >= 0 else '减少') + (amt(abs(diff)) or '0') + '万元。')}")
        self.sangong_actual = self.sg["actual"]

    def _invent_prior(self, actual: list[int]) -> list[int]:
        rng = self.rng
        a = [int(v * rng.uniform(0.8, 1.2)) for v in actual[1:]]
        abroad, car, buy, run, host = a
        car = buy + run
        return [abroad + car + host, abroad, car, buy, run, host]

    # ---------------------------------------------------------- 情况说明.md
    def narrative(self) -> str:
        y, S, gpb = self.year, self.S, self.GPB
        basic = sum(it.basic for it in self.items)
        project = S - basic
        fb = sum(it.f_basic for it in self.items)
        classes = self.by_class(lambda it: it.gpb)
        lines = [f"## 一、收入支出决算总体情况说明", "",
                 f"{y}年度收入总计{amt(S + getattr(self, 'carry', 0)) or '0'}万元，"
                 f"支出总计{amt(S + getattr(self, 'carry', 0)) or '0'}万元。与上年相比，收入、支出总计均有所变化，"
                 "主要原因是人员变动和项目调整。", "",
                 "## 二、收入决算情况说明", "",
                 f"{y}年度收入合计{amt(S)}万元，其中：财政拨款收入{amt(gpb + self.FUND) or '0'}万元，占比{pct(gpb + self.FUND, S)}；"
                 f"事业收入{amt(self.other_income('事业收入')) or '0'}万元，占比{pct(self.other_income('事业收入'), S)}；"
                 f"其他收入{amt(self.other_income('其他收入')) or '0'}万元，占比{pct(self.other_income('其他收入'), S)}。", "",
                 "## 三、支出决算情况说明", "",
                 f"{y}年度支出合计{amt(S)}万元，其中：基本支出{amt(basic) or '0'}万元，占比{pct(basic, S)}；"
                 f"项目支出{amt(project) or '0'}万元，占比{pct(project, S)}。", "",
                 "## 四、财政拨款收支决算总体情况说明", "",
                 f"{y}年度财政拨款收入总计{amt(gpb + self.FUND)}万元，支出总计{amt(gpb + self.FUND)}万元。", "",
                 "## 五、一般公共预算财政拨款支出决算情况说明", "",
                 "### （一）一般公共预算财政拨款支出决算总体情况", "",
                 f"{y}年度一般公共预算财政拨款支出{amt(gpb)}万元，占本年支出合计的{pct(gpb, S)}。", "",
                 "### （二）一般公共预算财政拨款支出决算结构情况", ""]
        for code, v in sorted(classes.items()):
            if v:
                lines += [f"{CLASS_NAMES[code]}(类){amt(v)}万元，占比{pct(v, gpb)}；", ""]
        lines += ["### （三）一般公共预算财政拨款支出决算具体情况", ""]
        for it in self.items:
            if it.gpb:
                budget = int(it.gpb * self.rng.uniform(1.0, 1.25))
                lines += [f"{KUAN_NAMES[it.kuan]}（款）{it.name}（项）：支出决算为{amt(it.gpb)}万元，"
                          f"完成年初预算的{pct(it.gpb, budget)}。决算数与年初预算数的差异主要是年中追加或调整预算。", ""]
        lines += ["## 六、一般公共预算财政拨款基本支出决算情况说明", "",
                  f"{y}年度一般公共预算财政拨款基本支出{amt(fb)}万元，其中：人员经费{amt(self.personnel) or '0'}万元，"
                  f"主要包括基本工资、津贴补贴、奖金、绩效工资、机关事业单位基本养老保险缴费、职业年金缴费、住房公积金等；"
                  f"公用经费{amt(self.public) or '0'}万元，主要包括办公费、印刷费、水电费、邮电费、差旅费、维修（护）费、公务用车运行维护费等。", "",
                  "## 七、政府性基金预算财政拨款收入支出决算情况说明", "",
                  (f"{y}年度政府性基金预算财政拨款支出{amt(self.FUND)}万元。" if self.FUND else "本部门本年度无政府性基金预算财政拨款收入和支出。"), "",
                  "## 八、国有资本经营预算财政拨款支出决算情况说明", "",
                  "本部门本年度无国有资本经营预算财政拨款支出。", "",
                  "## 九、财政拨款“三公”经费支出决算情况说明", ""]
        if self.sg:
            b, a = self.sg["budget"], self.sg["actual"]
            lines += [f"{y}年度“三公”经费财政拨款支出预算为{amt(b[0]) or '0'}万元，支出决算为{amt(a[0]) or '0'}万元，"
                      f"完成预算的{pct(a[0], b[0])}。其中：因公出国（境）费支出决算{amt(a[1]) or '0'}万元；"
                      f"公务用车购置费支出决算{amt(a[3]) or '0'}万元；公务用车运行维护费支出决算{amt(a[4]) or '0'}万元；"
                      f"公务接待费支出决算{amt(a[5]) or '0'}万元。", ""]
        else:
            lines += ["本部门本年度无“三公”经费预算和支出。", ""]
        lines += ["## 十、机关运行经费支出情况说明", "",
                  f"{y}年度本部门机关运行经费支出{amt(self.public) or '0'}万元。", "",
                  "## 十一、政府采购支出情况说明", ""]
        if self.t10_rows:
            t = self.t10_rows
            lines += [f"{y}年度政府采购支出总额{amt(t['goods'] + t['works'] + t['services']) or '0'}万元，其中：政府采购货物支出"
                      f"{amt(t['goods']) or '0'}万元、政府采购工程支出{amt(t['works']) or '0'}万元、政府采购服务支出{amt(t['services']) or '0'}万元。", "",
                      "## 十二、国有资产占用情况说明", "",
                      f"截至{y}年12月31日，本部门共有车辆{t['cars']}辆；单价100万元（含）以上设备0台（套）。", ""]
        else:
            lines += ["见公开10表说明。", ""]
        lines += ["## 十三、预算绩效管理工作开展情况说明", "",
                  "根据预算绩效管理要求，本部门组织对项目支出开展了绩效自评，自评覆盖率100%。自评结果见附件各绩效自评表。", ""]
        return "\n".join(lines)

    # ---------------------------------------------------------- 绩效
    def evaluations(self) -> list[tuple[str, str]]:
        rng = self.rng
        n = rng.randint(3, 15)
        out = []
        projects = rng.sample(PROJECTS, k=min(n, len(PROJECTS)))
        plant_at = rng.randrange(n) if {"score", "rate", "total"} & self.plant else -1
        for i in range(n):
            whole = i == 0 and rng.random() < 0.6
            pname, pslug = projects[i % len(projects)]
            slug = f"{i + 1:02d}-{'bumen-zhengti' if whole else pslug}"
            out.append((slug, self.evaluation(whole, pname, i == plant_at)))
        return out

    def evaluation(self, whole: bool, pname: str, plant: bool) -> str:
        rng, p, y = self.rng, self.p, self.year
        L = []
        project = f"{p.name}{y}年度部门整体支出" if whole else f"{y}年{pname}"
        L.append(f"类型: {'部门整体自评' if whole else '项目自评'}")
        L.append(f"标题: {q(('部门整体支出绩效自评表' if whole else '项目支出绩效自评表'))}")
        L.append(f"项目名称: {q(project)}")
        L.append(f"主管部门: {q(p.supervisor or p.name)}")
        L.append(f"实施单位: {q(p.name)}")
        if rng.random() < 0.6:
            L.append(f"填报日期: {y + 1}年{rng.randint(2, 5)}月{rng.randint(1, 28)}日")
        budget = int(rng.lognormvariate(3.5, 1.0) * 100 * (20 if whole else 1)) + 100
        full_budget = budget if rng.random() < 0.7 else int(budget * rng.uniform(0.8, 1.3)) + 1
        spent = int(full_budget * min(1.0, rng.uniform(0.75, 1.05)))
        rate = (Decimal(spent) * 100 / Decimal(full_budget)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        rate_text = f"{rate.normalize():f}%" if rate == rate.to_integral() else f"{rate}%"
        fund_score = (Decimal(10) * rate / 100).quantize(Decimal("0.01"), ROUND_HALF_UP)
        fund_score_text = f"{fund_score.normalize():f}" if fund_score == fund_score.to_integral() else f"{fund_score}"
        if plant and "rate" in self.plant:
            rate_text = f"{(rate + Decimal('1.5')):f}%"
            self.planted.append(f"rate: 绩效 {project} 执行率多印1.5个百分点")
        L += ["资金:", "  单位: 万元", "  列: [项目, 年初预算数, 全年预算数, 全年执行数, 分值, 执行率, 得分]", "  行:",
              f"    - {q(row('年度资金总额', amt(budget), amt(full_budget), amt(spent), 10, rate_text, fund_score_text))}",
              f"    - {q(row('其中：当年财政拨款', amt(budget), amt(full_budget), amt(spent)))}",
              f"    - {q(row('上年结转资金'))}", f"    - {q(row('其他资金'))}"]
        goal = f"按照年度工作计划，保障{'部门各项职能' if whole else pname}工作顺利开展，完成年度目标任务，提升履职能力和服务水平。"
        L += ["年度目标:", "  列: [预期目标, 实际完成情况]", "  行:",
              f"    - 预期目标: {q(goal)}",
              f"      实际完成情况: {q('已按计划完成各项工作任务，资金使用规范，达到预期效果。' + ('部分工作因客观原因延期。' if rate < 95 else ''))}"]
        # 指标: 10–30 rows; 产出 50 分, 效益 30 分, 满意度 10 分.
        k = rng.randint(10, 30)
        n_sat = rng.randint(1, min(3, k // 5))
        n_eff = rng.randint(2, max(2, k // 3))
        n_out = k - n_sat - n_eff
        rows: list[tuple[str, str, str, str, str, int, int, str]] = []
        used: dict[str, int] = {}
        for level, count, points in (("产出指标", n_out, 50), ("效益指标", n_eff, 30), ("满意度指标", n_sat, 10)):
            seconds = [s for (l, s) in INDICATORS if l == level]
            if level == "效益指标":
                weights = [1 if s != "社会效益指标" else 4 for s in seconds]
                picks = sorted(rng.choices(seconds, weights=weights, k=count), key=seconds.index)
            else:
                picks = sorted((seconds * count)[:count] if count >= len(seconds) else rng.sample(seconds, count), key=seconds.index)
            maxes = split_cents(points, [1] * count, rng)
            for second, top in zip(picks, maxes):
                name, target, done = rng.choice(INDICATORS[(level, second)])
                used[name] = used.get(name, 0) + 1
                if used[name] > 1:  # the same indicator twice: number it, as the forms do
                    name = f"{name}（{_cn(used[name])}）"
                a = rng.randint(2, 500)
                b = max(1, a - rng.randint(0, a // 5)) if target.startswith("≤") else a + rng.randint(0, a // 5 + 1)
                fill = dict(a=a, b=b, p=f"{rng.randint(90, 99)}.{rng.randint(0, 9)}",
                            q=rng.randint(1, 9), m=amt(full_budget) or "0")
                score = top if rng.random() < 0.8 or top <= 1 else top - rng.randint(1, min(2, top - 1))
                reason = rng.choice(DEVIATIONS) if score < top else ""
                rows.append((level, second, name, target.format(**fill), done.format(**fill), top, score, reason))
        if plant and "score" in self.plant:
            i = rng.randrange(len(rows))
            r = rows[i]
            r = rows[i] = (*r[:6], r[5] + 2, r[7])
            self.planted.append(f"score: 绩效 {project} 指标“{r[2]}”得分超过分值")
        L += ["指标:", "  列: [一级指标, 二级指标, 三级指标, 年度指标值, 全年完成值, 分值, 得分, 偏差原因分析及改进措施]", "  行:"]
        for r in rows:
            if r[7] and rng.random() < 0.5:  # long text: the mapping form
                L += [f"    - 一级指标: {r[0]}", f"      二级指标: {r[1]}", f"      三级指标: {q(r[2])}",
                      f"      年度指标值: {q(r[3])}", f"      全年完成值: {q(r[4])}", f"      分值: {r[5]}",
                      f"      得分: {r[6]}", f"      偏差原因分析及改进措施: >-", f"        {r[7]}"]
            else:
                L.append(f"    - {q(row(*r[:7]) + (' | ' + r[7] if r[7] else ''))}")
        score_total = sum(r[6] for r in rows) + fund_score
        if plant and "total" in self.plant:
            score_total += 3
            self.planted.append(f"total: 绩效 {project} 总分得分多印3分")
        total_text = f"{score_total.normalize():f}" if score_total == score_total.to_integral() else f"{score_total}"
        L.append(f"总分: {{分值: 100, 得分: {total_text}}}")
        L.append(f"等级: {'优' if score_total >= 90 else '良' if score_total >= 80 else '中' if score_total >= 60 else '差'}")
        if rng.random() < 0.4:
            L += ["其他表:", "  - 标题: 项目基本信息", "    列: [项目, 内容]", "    行:",
                  f"      - {q(row('项目起止时间', f'{y}.01.01—{y}.12.31'))}",
                  f"      - {q(row('绩效自评评价年度', f'{y + 1}年度'))}"]
        if rng.random() < 0.35:
            body = (f"### 自评结论\n\n经自评，该项目绩效评价得分为{total_text}分。{y}年度预算执行率{rate_text}，"
                    "各项产出指标基本完成，效益指标达到预期。\n\n### 存在的问题和改进措施\n\n"
                    "1. 绩效目标设置的科学性有待提高。\n2. 预算执行进度需进一步加快。\n")
            L.append("正文: " + block(body, 2).rstrip("\n"))
        return "\n".join(L) + "\n"


# ---------------------------------------------------------------- driver

def _department(args) -> tuple[int, int, int, list[str]]:
    seed, index, years, out = args
    p = make_profile(seed, index)
    prior = None
    files = pages = 0
    planted: list[str] = []
    folder = Path(out) / p.slug
    folder.mkdir(parents=True, exist_ok=True)
    for year in years:
        w = Writer(p, year, random.Random(f"{seed}:{index}:{year}"), prior)
        main = w.main_file()
        narrative = w.narrative()
        evals = w.evaluations()
        (folder / f"{year}.yaml").write_text(main, encoding="utf-8")
        sub = folder / str(year)
        (sub / "绩效").mkdir(parents=True, exist_ok=True)
        (sub / "情况说明.md").write_text(narrative, encoding="utf-8")
        for slug, text in evals:
            (sub / "绩效" / f"{slug}.yaml").write_text(text, encoding="utf-8")
        files += 2 + len(evals)
        pages += 1 + len(evals)
        planted += [f"{p.slug}/{year} {x}" for x in w.planted]
        prior = getattr(w, "sangong_actual", None)
    return files, pages, index, planted


def site_yaml(years: list[int], departments: int) -> str:
    return (f"网站名称: 山西省部门决算公开平台（合成数据）\n"
            f"地区: 山西省\n"
            f"年度: [{', '.join(str(y) for y in years)}]\n"
            f"网址: https://example.gov.cn/juesuan/\n"
            f"页脚: 本平台数据由 portal synth 生成（{departments} 个部门），仅用于性能测试。\n"
            f"联系方式: 平台维护：决算公开平台编辑组\n")


def synth(out: Path, departments: int, years: int = 1, seed: int = 2024, last_year: int = 2023,
          jobs: int | None = None) -> dict:
    """Write ``departments`` × ``years`` department-years under ``out``.
    Returns counts: files, pages (department + evaluation pages), planted."""
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    year_list = list(range(last_year - years + 1, last_year + 1))
    (out / "site.yaml").write_text(site_yaml(year_list, departments), encoding="utf-8")
    work = [(seed, i, year_list, str(out)) for i in range(1, departments + 1)]
    jobs = jobs or min(os.cpu_count() or 1, 8)
    if jobs > 1 and departments >= 50:
        import multiprocessing
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            results = pool.map(_department, work, chunksize=max(1, departments // (jobs * 8)))
    else:
        results = [_department(w) for w in work]
    results.sort(key=lambda r: r[2])
    return dict(departments=departments, years=year_list, department_years=departments * len(year_list),
                files=sum(r[0] for r in results) + 1, pages=sum(r[1] for r in results),
                planted=[x for r in results for x in r[3]])
