"""`portal synth` (the benchmark's content): what it writes loads without an
error, and the audit finds exactly the discrepancies it planted — in the
department-years it planted them in, at the places it names, and nowhere else."""
from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest

from generator.audit import audit
from generator.load import load_content
from generator.synth import synth

# planted kind -> (finding family, what the finding's location must contain; {x} = the planted detail)
EXPECTED = {
    "cross01": ("表间勾稽", "公开03表合计"),
    "class02": ("科目汇总", "公开02表 类 {x}"),
    "tail03": ("行内勾稽", "公开03表 科目 {x}"),
    "econ06": ("科目汇总", "公开06表 类 302"),
    "sangong": ("表间勾稽", "三公经费"),
    "rate": ("绩效", "{x}"),
    "score": ("绩效", "{x}"),
    "total": ("绩效", "{x} 总分"),
}
DETAIL = {"class02": r"类 (\d+)", "tail03": r"科目 (\d+)", "rate": r"绩效 (\S+)", "score": r"指标“(.+?)”",
          "total": r"绩效 (\S+)"}


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("synth") / "content"
    result = synth(out, 90, years=2, jobs=1)   # the smallest run of seed 2024 that plants every kind
    return out, result


def test_synth_output_loads_and_counts(generated):
    out, result = generated
    site, depts = load_content(out)
    assert len(depts) == result["department_years"] == 180
    assert site.title and site.years == result["years"]


def test_synth_findings_are_exactly_the_planted_ones(generated):
    out, result = generated
    planted = defaultdict(list)
    for line in result["planted"]:
        key, what = line.split(" ", 1)
        planted[key].append(what)
    kinds = {what.split(":", 1)[0] for whats in planted.values() for what in whats}
    assert kinds == set(EXPECTED), f"this seed plants {sorted(kinds)}"
    _, depts = load_content(out)
    # 提示 (自评 vs 决算, forms of different scope: the synthetic 自评 are not drawn from the tables) are no discrepancy
    found = {d.key: [f for f in audit(d) if not f.hint] for d in depts}
    assert {k for k, fs in found.items() if fs} == set(planted)
    for key, whats in planted.items():
        for what in whats:
            kind = what.split(":", 1)[0]
            family, where = EXPECTED[kind]
            if kind in DETAIL:
                where = where.format(x=re.search(DETAIL[kind], what).group(1))
            assert any(f.family == family and where in f.where for f in found[key]), (key, what, found[key])
