"""The whole build as one list of steps, top to bottom:

1. settings  content/site.yaml
2. departments, in parallel over both cores, one task per department folder
   (all its years, so year-over-year trends stay inside the task):
     load YAML -> validated model -> audit findings -> page contexts ->
     HTML pages and CSV/JSON downloads, written straight into a temp dir.
   A task whose files, templates and code are unchanged since the last build
   reuses that build's output and results (content-hash cache), so a build
   after editing one department re-parses and re-renders only that one.
3. errors    every content error of every file, reported together; nothing
             is published (the temp dir is removed, site/ is untouched)
4. portal    home, comparison, data quality, search and 404 pages, the
             portal-wide downloads, static assets, sitemap and robots
5. index     full-text search index over the temp dir (Pagefind)
6. swap      the temp dir replaces site/ with two renames
"""
from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import pages as pages_mod
from . import render
from .audit import audit
from .errors import ContentError, ContentErrors
from .load import department_folders, load_content, load_department_year, load_site

CACHE_FORMAT = 1
PARALLEL_MIN_TASKS = 16   # below this, worker start-up costs more than it saves


@dataclass
class BuildResult:
    pages: int
    findings: list
    seconds: float
    rendered: list[str] = field(default_factory=list)
    reused: int = 0           # departments taken from the cache
    search: dict | None = None  # index parts built and reused (search.index_site)


@dataclass
class TaskResult:
    slug: str
    summaries: list[dict] = field(default_factory=list)
    findings: dict = field(default_factory=dict)   # key -> findings
    errors: list = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    reused: bool = False


def check(content: Path) -> list:
    site, depts = load_content(content, include_drafts=True)
    return [f for d in depts for f in audit(d)]


# ---------------------------------------------------------------- department tasks

def _stamp(content: Path, include_drafts: bool, years: list[int]) -> str:
    """Everything besides a department's own files that its pages depend on."""
    h = hashlib.sha256(f"{CACHE_FORMAT}|{include_drafts}|{years}".encode())
    for root in (Path(__file__).parent, render.TEMPLATES):
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    h.update(render.plotly_bundle().name.encode())
    site_yaml = content / "site.yaml"
    if site_yaml.exists():
        h.update(site_yaml.read_bytes())
    return h.hexdigest()


def _task_key(stamp: str, folder: Path) -> str:
    h = hashlib.sha256(stamp.encode())
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


def _cache_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.pickle"


def _reuse(task: dict) -> TaskResult | None:
    """Previous result and output of an unchanged department, if both exist."""
    cache, previous = task["cache"], task["previous"]
    if cache is None or previous is None:
        return None
    path = _cache_path(cache, task["key"])
    try:
        result: TaskResult = pickle.loads(path.read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError):
        return None
    source = previous / task["slug"]
    if not all((previous / p).is_file() for p in result.written) or not source.is_dir():
        return None
    shutil.copytree(source, Path(task["tmp"]) / task["slug"], copy_function=link_or_copy, dirs_exist_ok=True)
    fragments = Path(task["tmp"]) / render.FRAGMENTS
    fragments.mkdir(exist_ok=True)
    for s in result.summaries:
        frag = cache / "fragments" / f"{task['key']}-{s['dept'].year}.csv"
        if frag.exists():
            shutil.copyfile(frag, fragments / f"{task['slug']}-{s['dept'].year}.csv")
    result.reused = True
    return result


def link_or_copy(src, dst):
    """Hard link when the file system allows it (unchanged output costs nothing), else copy."""
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def build_department(task: dict) -> TaskResult:
    """Load, audit and render one department folder (all its years)."""
    if task.get("cache") is not None and not task.get("key"):
        task["key"] = _task_key(task["stamp"], Path(task["folder"]))   # hashed here, in the worker
    reused = _reuse(task)
    if reused is not None:
        return reused
    result = TaskResult(slug=task["slug"])
    errors: list[ContentError] = []
    depts = []
    for path in task["paths"]:
        dept = load_department_year(Path(path), task["slug"], errors)
        if dept is not None and (task["include_drafts"] or not dept.draft):
            depts.append(dept)
    if errors:
        result.errors = errors
        return result
    out = Path(task["tmp"])
    common = pages_mod.common_context(task["site"], task["years"], task.get("preview", False))
    for dept in depts:
        found = audit(dept)
        summary = pages_mod.summarize(dept, found)
        pages = pages_mod.dept_pages(dept, summary, found, depts, common)
        result.written += render.write_pages(out, pages, task["versions"])
        render.write_downloads(out, dept, found)
        result.summaries.append(summary)
        result.findings[dept.key] = found
    if task["cache"] is not None:
        path = _cache_path(task["cache"], task["key"])
        path.parent.mkdir(parents=True, exist_ok=True)
        frag_dir = task["cache"] / "fragments"
        frag_dir.mkdir(parents=True, exist_ok=True)
        for dept in depts:
            shutil.copyfile(out / render.FRAGMENTS / f"{dept.slug}-{dept.year}.csv",
                            frag_dir / f"{task['key']}-{dept.year}.csv")
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, path)
    return result


def department_task(slug: str, paths: list[str], out: Path, site, years: list[int], versions: dict,
                    include_drafts: bool, preview: bool = False, cache: Path | None = None,
                    previous: Path | None = None, stamp: str = "", folder: Path | None = None) -> dict:
    """What one worker needs to build one department folder into ``out``."""
    return dict(slug=slug, paths=paths, tmp=str(out), site=site, years=years, versions=versions,
                include_drafts=include_drafts, preview=preview, cache=cache, previous=previous,
                stamp=stamp, folder=str(folder or ""), key="")


def _run(tasks: list[dict], jobs: int) -> list[TaskResult]:
    if jobs <= 1 or len(tasks) < PARALLEL_MIN_TASKS:
        return [build_department(t) for t in tasks]
    import multiprocessing
    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    chunk = max(1, len(tasks) // (jobs * 8))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx) as pool:
        return list(pool.map(build_department, tasks, chunksize=chunk))


# ---------------------------------------------------------------- the build

def default_cache(content: Path) -> Path:
    return Path(os.environ.get("PORTAL_CACHE", content.resolve().parent / ".cache" / "portal"))


def build(content: Path, out: Path, search: bool = True, include_drafts: bool = False,
          jobs: int | None = None, cache: Path | None | bool = True) -> BuildResult:
    started = time.perf_counter()
    if not content.is_dir():
        raise ContentErrors([ContentError(str(content), 0, 0, "", "内容目录不存在")])
    errors: list[ContentError] = []
    site = load_site(content / "site.yaml", errors)                                      # 1
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    cache_dir = default_cache(content) if cache is True else (cache or None)
    folders, years = department_folders(content, errors)
    stamp = _stamp(content, include_drafts, years)
    versions = render.asset_versions()
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    try:
        tasks = [department_task(slug, paths, tmp, site, years, versions, include_drafts, cache=cache_dir,
                                 previous=out if out.is_dir() else None, stamp=stamp, folder=content / slug)
                 for slug, paths in folders.items()]
        results = _run(tasks, jobs or os.cpu_count() or 1)                               # 2
        for r in results:
            errors.extend(r.errors)
        if errors:                                                                      # 3
            raise ContentErrors(errors)
        summaries = [s for r in results for s in r.summaries]
        findings = {k: v for r in results for k, v in r.findings.items()}
        common = pages_mod.common_context(site, years)
        portal = pages_mod.portal_pages(site, summaries, findings, common)               # 4
        written = render.write_pages(tmp, portal, versions)
        render.write_bundle(tmp, [s["dept"].key for s in summaries], findings)
        render.copy_static(tmp)
        dept_written = [p for r in results for p in r.written]
        render.write_sitemap(tmp, site, written + dept_written)
        index = None
        if search:
            from .search import index_site
            index = index_site(tmp)                                                     # 5
        _swap(tmp, out)                                                                 # 6
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    all_findings = [f for s in summaries for f in findings[s["dept"].key]]
    return BuildResult(pages=len(written) + len(dept_written), findings=all_findings,
                       seconds=time.perf_counter() - started, rendered=dept_written + written,
                       reused=sum(1 for r in results if r.reused), search=index)


def _swap(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp`` with two renames; never leaves a half site."""
    os.chmod(tmp, 0o755)
    if out.exists() and not out.is_dir():
        raise ContentErrors([ContentError(str(out), 0, 0, "", "输出路径已存在且不是目录")])
    old = None
    if out.exists():
        old = out.with_name(f".{out.name}-old-{os.getpid()}")
        os.rename(out, old)
    try:
        os.rename(tmp, out)
    except BaseException:
        if old is not None:
            os.rename(old, out)
        raise
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)
