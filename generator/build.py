"""The whole build as one list of steps, top to bottom:

0. out       refuse an output path that is or holds the content or project
             folder, / or home (see fsutil); then hold the folder's lock: a
             second build into the same folder waits; leftovers of killed
             builds are removed
1. settings  content/site.yaml and the department folders
2. departments, in parallel over both cores, one task per department folder
   (all its years, so year-over-year trends stay inside the task):
     load YAML -> validated model -> audit findings -> page contexts ->
     HTML pages and CSV/JSON downloads, written straight into a temp dir.
   A task whose files, templates and code are unchanged since the last build
   reuses that build's results (content-hash cache) and hard-links its pages
   from site/ -- but only when site/'s manifest says those very pages came
   from the same task key and every file still has its recorded size and
   sha256. Otherwise the department is rendered again.
   Department pages do not see the portal's year list, so a draft year can
   neither change them nor their cache keys.
3. errors    every content error of every file, reported together; nothing
             is published (the temp dir is removed, site/ is untouched).
             Then site/ must be new, empty or made by this tool (its marker
             file), else the build stops without touching it
4. portal    home, comparison, data quality, search and 404 pages over the
             *published* years (those of loaded non-draft department-years),
             the portal-wide downloads, static assets, sitemap and robots
5. record    the manifest (department -> task key and files) and the marker
             file that lets the next build replace this folder
6. index     full-text search index over the temp dir (Pagefind)
7. swap      the temp dir replaces site/ in one exchange (or two renames)
"""
from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import tempfile
import time
from collections.abc import Callable
from contextlib import contextmanager, suppress
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

from . import facts, fsutil
from . import pages as pages_mod
from . import render
from .audit import audit
from .errors import ContentError, ContentErrors
from .fsutil import link_or_copy
from .load import department_folders, load_content, load_department_year, load_site, shown_path, use_content_forms
from .settings import Settings as Site, live_problems

CACHE_FORMAT = 2
PARALLEL_MIN_TASKS = 16   # below this, worker start-up costs more than it saves
MAX_CHUNK = 4             # department tasks handed to a worker at a time


@dataclass
class BuildResult:
    pages: int
    findings: list
    seconds: float
    rendered: list[str] = field(default_factory=list)
    reused: int = 0           # departments taken from the cache
    search: dict | None = None  # index parts built and reused (search.index_site)
    warnings: list = field(default_factory=list)   # ContentError: files under content/ not used


@dataclass
class TaskResult:
    slug: str
    summaries: list[dict] = field(default_factory=list)
    findings: dict = field(default_factory=dict)   # key -> findings
    errors: list = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    reused: bool = False
    key: str = ""                                  # what the output was made from
    files: dict = field(default_factory=dict)      # site path -> [size, sha256], for the manifest
    drafts: list = field(default_factory=list)     # department-year files left out as drafts (草稿: 是)


def _folders(content: Path, errors: list, warnings: list, site=None) -> dict[str, list[str]]:
    """Department folder -> its year files (only the years site.yaml's 年度
    lists, when it lists any); ``warnings`` collects the files under content/
    that are not used (the images site.yaml names are)."""
    found: list[ContentError] = []
    folders = department_folders(content, errors, warnings=found)[0]
    used = {shown_path(p) for p in site.files.values()} if site is not None else set()
    warnings.extend(w for w in found if w.path not in used)
    if site is not None and site.years:
        folders = {slug: kept for slug, paths in folders.items()
                   if (kept := [p for p in paths if int(Path(p).stem) in site.years])}
    return folders


def check(content: Path, warnings: list | None = None) -> list:
    if warnings is not None and content.is_dir():
        _folders(content, [], warnings, load_site(content / "site.yaml", []))
    site, depts = load_content(content, include_drafts=True)
    return [f for d in depts for f in audit(d)]


# ---------------------------------------------------------------- department tasks

def _stamp(content: Path, include_drafts: bool, departments) -> str:
    """Everything besides a department's own files that its pages may depend
    on: code, templates, assets, and every content file outside the
    department folders (site.yaml, a logo it names, ...)."""
    h = hashlib.sha256(f"{CACHE_FORMAT}|{include_drafts}".encode())
    for root in (Path(__file__).parent, render.TEMPLATES):
        for p in sorted(root.rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(str(p.relative_to(root)).encode())
                h.update(p.read_bytes())
    h.update(render.plotly_bundle().name.encode())
    for top in sorted(content.iterdir()):
        if top.name in departments or top.name.startswith("."):
            continue
        for p in [top] if top.is_file() else sorted(top.rglob("*")):
            rel = p.relative_to(content).as_posix()
            if p.is_file() and "/." not in f"/{rel}":
                h.update(f"content/{rel}\0".encode())
                h.update(p.read_bytes())
    return h.hexdigest()


def _task_key(stamp: str, folder: Path) -> str:
    """The stamp, the folder's files, and the folder's path as findings and
    data.json show it (relative to the working directory), so a copy of the
    content elsewhere never reuses pages that name the other copy's files."""
    h = hashlib.sha256(stamp.encode())
    h.update(f"{folder}\0{shown_path(folder)}\0".encode())
    for p in sorted(folder.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(folder)).encode() + b"\0")
            h.update(p.read_bytes())
    return h.hexdigest()


def _cache_path(cache: Path, key: str) -> Path:
    return cache / key[:2] / f"{key}.pickle"


def _matches(site: Path, slug: str, entry) -> bool:
    """Whether ``site/slug`` holds exactly the files ``entry`` records."""
    if not isinstance(entry, dict) or not isinstance(entry.get("files"), dict) or not (site / slug).is_dir():
        return False
    files = entry["files"]
    seen = 0
    for dirpath, _, names in os.walk(site / slug):
        for name in names:
            p = Path(dirpath) / name
            want = files.get(p.relative_to(site).as_posix())
            if not want or p.is_symlink() or p.stat().st_size != want[0]:
                return False
            seen += 1
    if seen != len(files):
        return False
    return all(hashlib.sha256((site / rel).read_bytes()).hexdigest() == want[1] for rel, want in files.items())


def _reuse(task: Task) -> TaskResult | None:
    """Previous result and output of an unchanged department, when the
    previous site provably holds the output of this very task key."""
    cache, previous, entry = task.cache, task.previous, task.previous_entry
    if cache is None or previous is None or not entry or entry.get("key") != task.key:
        return None
    try:
        result: TaskResult = pickle.loads(_cache_path(cache, task.key).read_bytes())
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError, TypeError):
        return None
    fragments = {s["dept"].year: cache / "fragments" / f"{task.key}-{s['dept'].year}.csv" for s in result.summaries}
    if result.key != task.key or not all(f.is_file() for f in fragments.values()):
        return None
    if not _matches(Path(previous), task.slug, entry):
        return None
    tmp = Path(task.tmp)
    shutil.copytree(Path(previous) / task.slug, tmp / task.slug, copy_function=link_or_copy, dirs_exist_ok=True)
    (tmp / render.FRAGMENTS).mkdir(exist_ok=True)
    for year, frag in fragments.items():
        link_or_copy(frag, tmp / render.FRAGMENTS / f"{task.slug}-{year}.csv")
    result.files = entry["files"]
    result.reused = True
    return result


def _atomic_link(src: Path, dst: Path) -> None:
    """Link (else copy) so that a concurrent reader (another build sharing the
    cache) sees the old file or the new one, never half of one. A hard link
    is safe: neither file is ever written again, only replaced or removed."""
    tmp = dst.with_name(f"{dst.name}.{os.getpid()}.tmp")
    with suppress(FileNotFoundError):
        os.unlink(tmp)          # a leftover: never write through it into another file
    link_or_copy(src, tmp)
    os.replace(tmp, dst)


def build_department(task: Task) -> TaskResult:
    """Load, audit and render one department folder (all its years)."""
    if (task.cache is not None or task.manifest) and not task.key:
        task.key = _task_key(task.stamp, Path(task.folder))   # hashed here, in the worker
    reused = _reuse(task)
    if reused is not None:
        return reused
    result = TaskResult(slug=task.slug, key=task.key)
    errors: list[ContentError] = []
    depts = []
    for path in task.paths:
        dept = load_department_year(Path(path), task.slug, errors)
        if dept is not None and dept.draft and not task.include_drafts:
            result.drafts.append(dept.path)
        elif dept is not None:
            depts.append(dept)
    if errors:
        result.errors = errors
        return result
    out = Path(task.tmp)
    # no portal year list here: department pages must not depend on other departments' years
    common = {k: v for k, v in pages_mod.common_context(task.site, [], task.preview).items()
              if k != "years"}
    # the manifest's file list, recorded as the files are written (everything under out/slug is written here)
    files: dict[str, list] | None = {} if task.manifest else None
    # every figure besides the tables, derived once per department-year (the trend reads the other years')
    figures = {dept.key: facts.derive(dept) for dept in depts}
    for dept in depts:
        found = audit(dept)
        summary = pages_mod.summarize(dept, found, figures[dept.key])
        pages = pages_mod.dept_pages(dept, summary, found, depts, common, figures)
        result.written += render.write_pages(out, pages, task.versions, files)
        render.write_downloads(out, dept, found, figures[dept.key], files)
        result.summaries.append(summary)
        result.findings[dept.key] = found
    if files is not None:
        result.files = files
    if task.cache is not None:
        cache_path = _cache_path(task.cache, task.key)
        cache_path.parent.mkdir(parents=True, exist_ok=True)
        frag_dir = task.cache / "fragments"
        frag_dir.mkdir(parents=True, exist_ok=True)
        for dept in depts:
            _atomic_link(out / render.FRAGMENTS / f"{dept.slug}-{dept.year}.csv",
                         frag_dir / f"{task.key}-{dept.year}.csv")
        tmp = cache_path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(result, protocol=pickle.HIGHEST_PROTOCOL))
        os.replace(tmp, cache_path)
    return result


@dataclass
class Task:
    """What one worker needs to build one department folder into ``tmp``.
    ``previous_entry`` is this department's line of the previous site's
    manifest; ``manifest`` asks for the file list the next manifest needs;
    ``key`` (what the output is made from) is hashed in the worker."""
    slug: str
    paths: list[str]
    tmp: str
    site: Site
    versions: dict
    include_drafts: bool
    preview: bool = False
    cache: Path | None = None
    previous: Path | None = None
    previous_entry: dict | None = None
    stamp: str = ""
    folder: str = ""
    key: str = ""
    manifest: bool = False


def department_task(slug: str, paths: list[str], out: Path, site: Site, versions: dict,
                    include_drafts: bool, preview: bool = False, cache: Path | None = None,
                    previous: Path | None = None, previous_entry: dict | None = None, stamp: str = "",
                    folder: Path | None = None, manifest: bool = False) -> Task:
    """The task that builds department folder ``slug`` into ``out`` (the public API the preview uses too)."""
    return Task(slug=slug, paths=paths, tmp=str(out), site=site, versions=versions, include_drafts=include_drafts,
                preview=preview, cache=cache, previous=previous, previous_entry=previous_entry, stamp=stamp,
                folder=str(folder or ""), manifest=manifest)


DEPARTMENT_TEMPLATES = ("base.html", "_macros.html", "dept.html", "eval.html")


def _compile_templates(names) -> None:
    """Compile templates into the (per-process) Jinja environment's cache."""
    env = render.environment()
    for name in names:
        env.get_template(name)


def run_tasks(tasks: list[Task], jobs: int) -> list[TaskResult]:
    """Build every task, over ``jobs`` processes when there are enough tasks to pay for them."""
    if jobs <= 1 or len(tasks) < PARALLEL_MIN_TASKS:
        return [build_department(t) for t in tasks]
    import multiprocessing
    ctx = multiprocessing.get_context("fork") if hasattr(os, "fork") else None
    if ctx is not None:
        _compile_templates(DEPARTMENT_TEMPLATES)   # once here, not once in every forked worker
    # small chunks: when one worker runs out of tasks, the other has at most a few left
    chunk = max(1, min(MAX_CHUNK, len(tasks) // (jobs * 8)))
    with ProcessPoolExecutor(max_workers=jobs, mp_context=ctx, initializer=_worker_gc) as pool:
        return list(pool.map(build_department, tasks, chunksize=chunk))


@contextmanager
def _collector_paused():
    """No cyclic garbage collection in the main process while it gathers the
    department results and writes the portal pages: everything it makes
    then lives to the end of the build, so full collections over a growing
    heap only cost time (1.2 CPU seconds at 2,000 departments). A small
    build runs its department tasks here too (:func:`run_tasks`), equally
    without collection: 306 MB at most for 2,000 departments in one process."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


WORKER_GC_THRESHOLD = 10_000   # container allocations between young collections in a worker (Python's default: 700)


def _worker_gc() -> None:
    """A build worker's garbage collector: what the worker inherited is
    frozen (never traversed again, nor its copy-on-write pages touched), and
    young collections are rarer. A department's objects are freed by
    reference counting when its task ends; with the defaults, collections
    took 9 % of the build (0.82 of 9.4 CPU seconds per 200 departments),
    mostly full ones over everything alive; now 0.16."""
    gc.freeze()
    gc.set_threshold(WORKER_GC_THRESHOLD, 10, 10)


# ---------------------------------------------------------------- the build

def default_cache(content: Path) -> Path:
    return Path(os.environ.get("PORTAL_CACHE", content.resolve().parent / ".cache" / "portal"))


def build(content: Path, out: Path, search: bool = True, include_drafts: bool = False,
          jobs: int | None = None, cache: Path | None | bool = True, strict: bool = False) -> BuildResult:
    """``strict`` (``portal build --strict``, the real publish): every warning
    is an error, and so are missing or placeholder settings and drafts."""
    started = time.perf_counter()
    if not content.is_dir():
        raise ContentErrors([ContentError(str(content), 0, 0, "", "内容目录不存在")])
    out = fsutil.check_out_dir(out, content, contents=False)                            # 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with fsutil.locked(out):
        fsutil.remove_leftovers(out)
        errors: list[ContentError] = []
        warnings: list[ContentError] = []
        site = load_site(content / "site.yaml", errors)                                  # 1
        use_content_forms(content, errors)        # content/forms/*.yaml: the site's own form sets
        folders = _folders(content, errors, warnings, site)
        going_live = live_problems(site)
        if strict:
            errors += going_live + warnings
            warnings = []
        elif going_live:
            warnings.append(ContentError(site.path, 0, 0, "门户设置", "正式发布前须补全："
                                         + "；".join(f"{p.where.split()[-1]}（{p.message.split('：')[0]}）" for p in going_live)
                                         + "。portal build --strict 会拒绝发布，见 docs/上线检查.md"))
        cache_dir = default_cache(content) if cache is True else (cache or None)
        stamp = _stamp(content, include_drafts, set(folders))
        versions = render.asset_versions()
        manifest = fsutil.read_manifest(out) if out.is_dir() else {}   # what site/ was built from
        tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
        try:
            tasks = [department_task(slug, paths, tmp, site, versions, include_drafts, cache=cache_dir,
                                     previous=out if manifest else None, previous_entry=manifest.get(slug),
                                     stamp=stamp, folder=content / slug, manifest=True)
                     for slug, paths in folders.items()]
            with _collector_paused():    # the results and portal pages are kept to the end anyway
                results = run_tasks(tasks, jobs or os.cpu_count() or 1)                       # 2
                for r in results:
                    errors.extend(r.errors)
                    drafts = [ContentError(p, 0, 0, "", "是草稿（草稿: 是），未发布；核对后把“草稿”改为“否”") for p in r.drafts]
                    (errors if strict else warnings).extend(drafts)
                if errors:                                                                  # 3
                    raise ContentErrors(errors)
                fsutil.check_out_dir(out, content)        # only a folder this tool made is replaced
                summaries = [s for r in results for s in r.summaries]
                findings = {k: v for r in results for k, v in r.findings.items()}
                years = sorted({s["dept"].year for s in summaries}, reverse=True)   # published years only
                common = pages_mod.common_context(site, years)
                # the downloads bundle is written beside the portal pages (it only reads the task outputs)
                bundle = _bundle_beside(len(results) >= BESIDE_MIN_TASKS and jobs != 1,
                                        tmp, [s["dept"].key for s in summaries], findings)
                try:
                    portal = pages_mod.portal_pages(site, summaries, findings, common)       # 4
                    written = render.write_pages(tmp, portal, versions)
                finally:
                    bundle()
            render.copy_static(tmp, site)
            dept_written = [p for r in results for p in r.written]
            render.write_sitemap(tmp, site, written + dept_written)
            fsutil.write_manifest(tmp, {r.slug: dict(key=r.key, files=r.files)            # 5
                                        for r in results if r.summaries})
            fsutil.mark(tmp)
            index = None
            if search:
                from .search import index_site
                index = index_site(tmp, default_cache(content))                         # 6
            _swap(tmp, out)                                                             # 7
        except BaseException as exc:
            shutil.rmtree(tmp, ignore_errors=True)
            if isinstance(exc, ContentErrors):
                exc.warnings = warnings       # the CLI lists them after the errors
            raise
    all_findings = [f for s in summaries for f in findings[s["dept"].key]]
    return BuildResult(pages=len(written) + len(dept_written), findings=all_findings,
                       seconds=time.perf_counter() - started, rendered=dept_written + written,
                       reused=sum(1 for r in results if r.reused), search=index, warnings=warnings)


BESIDE_MIN_TASKS = 200    # departments from which the bundle is written in a second process


def _bundle_beside(parallel: bool, *args) -> Callable[[], None]:
    """Start render.write_bundle(*args) in a forked process when ``parallel``
    (and fork exists), else write it now; returns the function that waits for
    it and re-raises what it raised. At 2,000 departments the bundle takes
    1.5 s of the 4 s the main process works alone after the department tasks."""
    if not (parallel and hasattr(os, "fork") and (os.cpu_count() or 1) > 1):
        render.write_bundle(*args)
        return lambda: None
    import multiprocessing
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
    future = pool.submit(_write_bundle, *args)

    def wait() -> None:
        try:
            future.result()
        finally:
            pool.shutdown()
    return wait


def _write_bundle(*args) -> None:
    render.write_bundle(*args)    # looked up in the (forked) worker, not pickled


def _swap(tmp: Path, out: Path) -> None:
    """Replace ``out`` by ``tmp`` (fsutil.swap); never leaves a half site."""
    fsutil.swap(tmp, out)
