"""Full-text search index (Pagefind), built over the finished HTML in the
temporary build directory, so it is swapped in with the rest of the site.

What gets indexed is decided in the templates: every page that should be
searchable marks its ``<main>`` with ``data-pagefind-body`` (department,
evaluation, comparison and data-quality pages); the home, search and 404
pages have no body and are therefore left out. Navigation, breadcrumbs,
tables of contents, charts and source notes carry ``data-pagefind-ignore``;
repeated boilerplate rendered by shared macros is excluded here with
``EXCLUDE_SELECTORS``. ``indexed_text`` reproduces those rules in Python so
the tests can compare Pagefind's hits with a plain substring search over
exactly the text Pagefind was given.

Chinese has no spaces, so recall depends on the index-time and the query-time
word segmentation agreeing. Pagefind 1.5.x segments the index with a jieba
dictionary but queries with the browser's ICU ``Intl.Segmenter`` (Pagefind
issue #1237); 1.6.0 segments the index with ICU4X, i.e. the same word-break
rules and dictionary as the browser. tests/test_search.py measures recall for
the binary actually used (``PORTAL_PAGEFIND`` selects another one): 100% with
1.6.0, about 85% with 1.5.2 on this content, so 1.5.x only triggers a warning.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from .errors import EnvironmentProblem
from .fsutil import link_or_copy as _link_or_copy

log = logging.getLogger("portal.search")   # the CLI prints its warnings on stderr


PROJECT = Path(__file__).resolve().parent.parent
BUNDLE_DIR = "pagefind"
LANGUAGE = "zh-cn"

# Repeated boilerplate that the shared macros put inside indexed sections:
# audit badges and lists (they belong to the data-quality page), transcription
# memos, the “单位：万元” captions, CSV download links and chart figures
# (their data tables duplicate the 决算表).
EXCLUDE_SELECTORS = [
    ".finding-mark",
    ".row-findings",
    ".finding-inline",
    ".memo",
    ".unit",
    ".download",
    ".empty-note",
    ".chart-figure",
]



def pagefind_command() -> list[str] | None:
    """Pagefind 1.6 from `make tools` (npm) if present, else PyPI's 1.5 binary.

    ``PORTAL_PAGEFIND`` names another binary (used to compare versions)."""
    env = os.environ.get("PORTAL_PAGEFIND")
    if env:
        return [env]
    tools = PROJECT / ".tools" / "pagefind" / "pagefind_extended"
    if tools.exists():
        return [str(tools)]
    exe = Path(sys.executable).with_name("pagefind_extended")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    if found:
        return [found]
    try:
        import pagefind_bin_extended  # noqa: F401
        return [sys.executable, "-m", "pagefind_bin_extended"]
    except ImportError:
        return None


def pagefind_version(cmd: list[str] | None = None) -> str:
    cmd = cmd or pagefind_command()
    return _version(tuple(cmd)) if cmd else ""


@functools.lru_cache(maxsize=None)
def _version(cmd: tuple[str, ...]) -> str:
    out = subprocess.run(list(cmd) + ["--version"], capture_output=True, text=True).stdout
    return out.strip().split()[-1] if out.strip() else ""


def pagefind_args(site_dir: Path) -> list[str]:
    args = ["--site", str(site_dir), "--output-subdir", BUNDLE_DIR, "--force-language", LANGUAGE,
            # Result URLs keep “index.html”: the government web server may not
            # map directory URLs to index.html, and every other link on the
            # site names the file too.
            "--keep-index-url", "--quiet"]
    for sel in EXCLUDE_SELECTORS:
        args += ["--exclude-selectors", sel]
    return args


def index_site(site_dir: Path, cache_root: Path | None = None) -> dict:
    """Write the Pagefind bundle into ``site_dir/pagefind``; returns how many
    index parts were built and how many reused.

    Small sites get one index. Larger sites get shards sized and run by the
    memory Pagefind needs (see below). Each part depends only on its pages' HTML,
    the Pagefind binary and its options, so a part whose pages are
    byte-identical to an earlier build's is taken from the cache (see
    ``_cache_dir``) instead of being indexed again: after an edit to one
    department of a province-scale portal only that department's shard and
    the portal pages' shard are re-indexed."""
    site_dir = Path(site_dir)
    cmd = pagefind_command()
    if cmd is None:
        raise EnvironmentProblem("未安装全文检索工具 Pagefind（运行 make tools，或 pip install 'pagefind[extended]'），或加 --no-search 不建检索索引")
    version = pagefind_version(cmd)
    if version.startswith("1.5.") or version.startswith("1.4."):
        log.warning("注意：Pagefind %s 的中文分词在建索引和查询时不一致，部分词语会搜不到；"
                    "请运行 make tools 安装 Pagefind 1.6。", version)
    bundle = site_dir / BUNDLE_DIR
    shards = plan_shards(site_dir)
    outputs = [bundle] + [bundle / f"shard-{n}" for n in range(1, len(shards))]
    cache = _cache_dir(cache_root)
    bundle.mkdir(exist_ok=True)
    if len(shards) == 1:
        built = int(_index_part(site_dir, cmd, version, shards[0], bundle, cache))
    else:
        built = index_shards(site_dir, cmd, shards, outputs, cache, version)
    (bundle / SHARDS_FILE).write_text(  # the search page reads it
        json.dumps([f"shard-{n}/" for n in range(1, len(shards))]), encoding="utf-8")
    if not (bundle / "pagefind.js").exists():
        raise EnvironmentProblem("Pagefind 没有生成检索索引（pagefind/pagefind.js 不存在）；网站未更新")
    if cache:
        _prune(cache, keep=CACHE_KEEP * len(shards))
    return dict(parts=len(shards), built=built, reused=len(shards) - built)


def _index_part(site_dir: Path, cmd: list[str], version: str, pages: list[Path], out: Path, cache: Path | None,
                mirror: Callable[[], Path] | None = None, run: Callable[[list[str]], None] | None = None) -> bool:
    """One index part into ``out``: taken from the cache when its stamp is
    there, else Pagefind over the site (or over the mirror of the part's pages
    that ``mirror`` makes, only then), through ``run`` (default: at once),
    then remembered. True when Pagefind ran."""
    stamp = _stamp(site_dir, pages, cmd, version) if cache else ""
    if cache and (cache / stamp / "pagefind.js").is_file():
        shutil.copytree(cache / stamp, out, copy_function=_link_or_copy, dirs_exist_ok=True)
        os.utime(cache / stamp)   # recently used: kept by _prune
        return False
    args = cmd + pagefind_args(mirror() if mirror else site_dir)
    if mirror:
        i = args.index("--output-subdir")
        args[i:i + 2] = ["--output-path", str(out)]
    (run or _run_pagefind)(args)
    if cache:
        _remember(out, cache, stamp)
    return True


def _run_pagefind(args: list[str]) -> None:
    result = subprocess.run(args, capture_output=True, text=True)
    if result.returncode != 0:
        raise EnvironmentProblem(f"Pagefind 建立索引失败，网站未更新：{result.stderr.strip()[:500]}")


# --- Shards for province-scale sites ----------------------------------------
# Pagefind keeps a site's whole index in memory until it writes it, and runs
# on one core. Measured with Pagefind 1.6.0 on these pages (department pages
# of 9-100 KB): resident memory is about 17 MB per MB of HTML indexed, plus
# about 17 MB (2,000 pages, 60 MB of HTML: 1.04 GB, 11 s; the 20,000 pages of
# a province, 640 MB: 11 GB in one run). So a large site is indexed in parts
# ("shards") of at most SHARD_HTML_MB of HTML, as many at once as there are
# cores and as the memory budget allows (MEMORY_MB for the whole build,
# Python process included). The search page merges the parts in the browser
# (PagefindUI ``mergeIndex``), listed in pagefind/shards.json. The portal
# pages (home, comparison, data quality), which change with every
# department, are a part of their own, and the department folders are
# grouped in name order, so an edit re-indexes at most two parts. Small sites
# keep one index.

PAGEFIND_MB_PER_HTML_MB = 17
PAGEFIND_BASE_MB = 17
MEMORY_MB = 1024          # the build's whole process tree while indexing (PORTAL_SEARCH_MEMORY_MB)
BUILD_SHARE_MB = 250      # the build's own process at that point, at province scale (measured: 167-210 MB)
SHARD_HTML_MB = ((MEMORY_MB - BUILD_SHARE_MB) / 2 - PAGEFIND_BASE_MB) / PAGEFIND_MB_PER_HTML_MB   # ~21.8
SHARD_PAGES = 1500
SHARDS_FILE = "shards.json"


def _limit(name: str, default: float) -> float:
    return float(os.environ.get(name) or default)


def pagefind_mb(html_bytes: int) -> float:
    """Pagefind's expected peak memory (MB) for one run over this much HTML."""
    return PAGEFIND_BASE_MB + PAGEFIND_MB_PER_HTML_MB * html_bytes / 1048576


def plan_shards(site_dir: Path) -> list[list[Path]]:
    """The HTML pages of each index part: one part with every page for small
    sites; else the root pages, then the department folders (never split) in
    groups of at most SHARD_PAGES pages and SHARD_HTML_MB of HTML."""
    max_pages = int(_limit("PORTAL_SEARCH_SHARD_PAGES", SHARD_PAGES))
    max_bytes = _limit("PORTAL_SEARCH_SHARD_HTML_MB", SHARD_HTML_MB) * 1048576
    tops: dict[str, list[Path]] = {}        # department folder or root page -> its pages
    sizes: dict[str, int] = {}
    for parts, size in _pages(site_dir):
        top = parts[0]
        tops.setdefault(top, []).append(site_dir.joinpath(*parts))
        sizes[top] = sizes.get(top, 0) + size
    if sum(map(len, tops.values())) <= max_pages and sum(sizes.values()) <= max_bytes:
        return [[p for pages in tops.values() for p in pages]]
    shards: list[list[Path]] = [[p for top, pages in tops.items() if top.endswith(".html") for p in pages], []]
    shard_bytes = 0
    for top, pages in tops.items():
        if top.endswith(".html"):
            continue
        if shards[-1] and (len(shards[-1]) + len(pages) > max_pages or shard_bytes + sizes[top] > max_bytes):
            shards.append([])
            shard_bytes = 0
        shards[-1] += pages
        shard_bytes += sizes[top]
    return [s for s in shards if s]


def _pages(site_dir: Path) -> list[tuple[tuple[str, ...], int]]:
    """(path parts under the site, size) of every HTML page outside the
    search bundle, static assets and download folders, in path order."""
    found = []
    root = str(site_dir)
    for dirpath, dirnames, names in os.walk(root):
        rel = os.path.relpath(dirpath, root)
        parts = () if rel == "." else tuple(rel.split(os.sep))
        if not parts:
            dirnames[:] = [d for d in dirnames if d not in (BUNDLE_DIR, "static", "data")]
        else:
            dirnames[:] = [d for d in dirnames if d != "data"]     # a department's CSV downloads
        for name in names:
            if name.endswith(".html"):
                found.append((parts + (name,), os.stat(os.path.join(dirpath, name)).st_size))
    return sorted(found)


def _own_mb() -> float:
    """Resident memory of this process now (MB); 0 where /proc is missing."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1048576
    except (OSError, ValueError, IndexError):
        return 0.0


def index_shards(site_dir: Path, cmd: list[str], shards: list[list[Path]], outputs: list[Path],
                 cache: Path | None = None, version: str = "") -> int:
    """Index each shard from a mirror of its pages (hard links), at most one
    per core at once, and only as many as the memory budget holds by
    pagefind_mb (one always runs). Each part's stamp (reading and hashing its
    pages) and mirror are made in its own job, so Pagefind starts at once
    instead of after every page of the site has been hashed. Returns how
    many parts Pagefind built (the others came from the cache)."""
    import threading
    from concurrent.futures import ThreadPoolExecutor

    work = Path(tempfile.mkdtemp(prefix=".pagefind-shards-", dir=site_dir.parent))
    budget = _limit("PORTAL_SEARCH_MEMORY_MB", MEMORY_MB) - _own_mb()
    lock = threading.Condition()
    state = {"mb": 0.0, "running": 0}

    def gated(pages: list[Path]) -> Callable[[list[str]], None]:
        def run(args: list[str]) -> None:
            need = pagefind_mb(sum(p.stat().st_size for p in pages))
            with lock:
                lock.wait_for(lambda: state["running"] == 0 or state["mb"] + need <= budget)
                state["mb"] += need
                state["running"] += 1
            try:
                _run_pagefind(args)
            finally:
                with lock:
                    state["mb"] -= need
                    state["running"] -= 1
                    lock.notify_all()
        return run

    def part(n: int) -> bool:
        def mirror() -> Path:
            folder = work / f"s{n}"
            for page in shards[n]:
                target = folder / page.relative_to(site_dir)
                target.parent.mkdir(parents=True, exist_ok=True)
                _link_or_copy(page, target)
            return folder
        return _index_part(site_dir, cmd, version, shards[n], outputs[n], cache, mirror, gated(shards[n]))

    try:
        with ThreadPoolExecutor(max_workers=min(2, os.cpu_count() or 1)) as pool:
            futures = [pool.submit(part, n) for n in range(len(shards))]
        failures = [e for f in futures if (e := f.exception()) is not None]
        if failures:                      # reported after the others finished
            raise failures[0]
        return sum(1 for f in futures if f.result())
    finally:
        shutil.rmtree(work, ignore_errors=True)


CACHE_KEEP = 6


def _cache_dir(cache_root: Path | None = None) -> Path | None:
    """``PORTAL_SEARCH_CACHE`` (``0``: none), else ``pagefind/`` inside the
    build cache (the build passes its own: ``PORTAL_CACHE``, default
    .cache/portal beside content/), so that an empty build cache also means
    a fresh index. Never inside the installed package."""
    value = os.environ.get("PORTAL_SEARCH_CACHE", "")
    if value == "0":
        return None
    if value:
        return Path(value)
    root = cache_root or (Path(os.environ["PORTAL_CACHE"]) if os.environ.get("PORTAL_CACHE") else None)
    return root / "pagefind" if root is not None else None


def _stamp(site_dir: Path, pages: list[Path], cmd: list[str], version: str) -> str:
    """Hash of one index part's inputs: its pages (paths and bytes), the
    Pagefind binary, version and options."""
    h = hashlib.sha256("\0".join([version, *cmd, *pagefind_args(Path("."))]).encode())
    for path in pages:
        h.update(path.relative_to(site_dir).as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return h.hexdigest()


def _remember(bundle: Path, cache: Path, stamp: str) -> None:
    """Keep a copy of one index part under its stamp (without the shards
    inside the first part's folder)."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=".new-", dir=cache))
        shutil.copytree(bundle, tmp / "b", copy_function=_link_or_copy,
                        ignore=lambda d, files: [f for f in files if Path(d) == bundle
                                                 and (f.startswith("shard-") or f == SHARDS_FILE)])
        try:
            os.rename(tmp / "b", cache / stamp)
        except OSError:
            pass  # another build stored the same part first
        shutil.rmtree(tmp, ignore_errors=True)
    except OSError:
        pass  # the cache is an optimisation only


def _prune(cache: Path, keep: int) -> None:
    """Drop all but the newest ``keep`` cached parts."""
    try:
        kept = sorted((p for p in cache.iterdir() if p.is_dir() and not p.name.startswith(".")),
                      key=lambda p: p.stat().st_mtime, reverse=True)
        for old in kept[keep:]:
            shutil.rmtree(old, ignore_errors=True)
    except OSError:
        pass
