"""Performance benchmark of the generator (``make bench``).

Cases (synthetic content from ``portal synth``, seeded, written under
bench/_work/ which git ignores):

  N=200        200 departments × 1 year
  N=2000       2000 departments × 1 year
  N=667x3      667 departments × 3 years = 2001 department-years (the 3-year
               case; 2000 departments × 3 years would not fit the 15-minute
               budget on a 2-core machine)

For each case:

  cold          ``portal build --no-search`` with an empty cache and a new
                output directory
  warm          the same command again after editing one department file
                (the build's content-hash cache reuses every other department)
  search        ``portal build`` (with Pagefind) cold, again with an empty
                cache; site size and the largest page are measured on it
  search_warm   the same command again after editing one department file
                (cached departments and cached index shards)
  hugo          Hugo building the same pages from the same YAML (bench/hugo.py)
  incremental   edit-to-page time of the preview server
                (``generator.serve.Preview.changed``, bench/incremental.py)

Wall time is measured around each command; peak memory is the maximum RSS of
the build process and of every process it waited for (``os.wait4``, the
``/usr/bin/time`` figure), plus the peak of the whole process tree's summed
RSS sampled every 0.2 s (the build runs worker processes in parallel).

Then, if the time budget allows, a cProfile of a cold N=2000 build
(bench/profile_build.py). Prints a table, writes bench/results.json, and ends
with ``ratio_vs_hugo=… incremental_s=… peak_rss_mb=…`` (N=2000 figures).
"""
from __future__ import annotations

import argparse
import gzip
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

import hugo as hugo_site  # noqa: E402  (bench/hugo.py)
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

    def __init__(self, pid: int, interval: float = 0.2):
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
    rm(CODE)
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
    """Run ``cmd``; wall seconds, CPU seconds, peak RSS (process and tree)."""
    log_path.parent.mkdir(parents=True, exist_ok=True)
    load_before = os.getloadavg()[0]
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
                load1=[round(load_before, 2), round(os.getloadavg()[0], 2)])


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


def rm(path: Path) -> None:
    shutil.rmtree(path, ignore_errors=True)


# ---------------------------------------------------------------- tools

def hugo_version() -> str | None:
    try:
        return subprocess.run(["hugo", "version"], capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None


def ensure_hugo() -> str | None:
    version = hugo_version()
    if version:
        return version
    log("Hugo 未安装：apt-get install -y hugo")
    apt = ["apt-get"] if os.geteuid() == 0 else ["sudo", "-n", "apt-get"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    if subprocess.run(apt + ["install", "-y", "-qq", "hugo"], env=env).returncode != 0:
        subprocess.run(apt + ["update", "-qq"], env=env)
        subprocess.run(apt + ["install", "-y", "-qq", "hugo"], env=env)
    return hugo_version()


def pagefind_version() -> str | None:
    try:
        from generator.search import pagefind_command
        cmd = pagefind_command()
        if cmd:
            return subprocess.run(cmd + ["--version"], capture_output=True, text=True, timeout=30).stdout.strip()
    except Exception:  # noqa: BLE001 - informational only
        return None
    return None


def git_state() -> dict:
    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    return dict(commit=git("rev-parse", "--short", "HEAD"), dirty=bool(git("status", "--porcelain", "--untracked-files=no")))


# ---------------------------------------------------------------- one case

def first_department_file(content: Path) -> Path:
    folder = sorted(p for p in content.iterdir() if p.is_dir())[0]
    return sorted(folder.glob("[0-9][0-9][0-9][0-9].yaml"))[-1]


def run_case(name: str, departments: int, years: int, opts, results: dict, budget) -> dict:
    case: dict = dict(name=name, departments=departments, years=years, department_years=departments * years)
    results["cases"].append(case)
    content = WORK / f"content-{name}"
    rm(content)
    log(f"{name}: portal synth --departments {departments} --years {years}")
    m = measure(portal("synth", "--departments", str(departments), "--years", str(years), "--out", str(content),
                       "--seed", str(opts.seed)), WORK / "logs" / f"{name}-synth.log")
    if m["rc"] != 0:
        raise SystemExit(f"synth failed:\n{tail(WORK / 'logs' / f'{name}-synth.log')}")
    case["synth"] = dict(seconds=m["seconds"], content_bytes=sum(p.stat().st_size for p in content.rglob("*") if p.is_file()),
                         summary=(WORK / "logs" / f"{name}-synth.log").read_text(encoding="utf-8").strip())

    def build(tag: str, out: Path, cache: Path, search: bool) -> dict:
        logp = WORK / "logs" / f"{name}-{tag}.log"
        args = ["build", "--content", str(content), "--out", str(out)] + ([] if search else ["--no-search"])
        r = measure(portal(*args), logp, env={"PORTAL_CACHE": str(cache)})
        if r["rc"] != 0:
            raise SystemExit(f"build {name} {tag} failed (rc={r['rc']}):\n{tail(logp)}")
        r["pages"] = pages_built(logp)
        r["pages_per_s"] = round(r["pages"] / r["seconds"], 1) if r["pages"] else None
        log(f"{name}: {tag:<6} {r['seconds']:7.1f} s  {r['pages']} pages  maxrss {r['maxrss_mb']} MB  tree {r['tree_rss_mb']} MB")
        return r

    out_a, cache_a = WORK / f"site-{name}", WORK / f"cache-{name}"
    rm(out_a), rm(cache_a)
    case["cold"] = build("cold", out_a, cache_a, search=False)
    case["cold"]["site"] = site_stats(out_a)
    target = first_department_file(content)
    edit(target, 1)
    case["warm"] = build("warm", out_a, cache_a, search=False)
    case["warm"]["edited"] = str(target.relative_to(content))
    rm(out_a), rm(cache_a)

    out_s, cache_s = WORK / f"site-{name}-search", WORK / f"cache-{name}-search"
    rm(out_s), rm(cache_s)
    case["search"] = build("search", out_s, cache_s, search=True)
    case["search"]["site"] = site_stats(out_s)
    case["search"]["index_s"] = round(case["search"]["seconds"] - case["cold"]["seconds"], 2)
    edit(target, 2)
    case["search_warm"] = build("search-warm", out_s, cache_s, search=True)
    case["search_warm"]["edited"] = str(target.relative_to(content))
    rm(out_s), rm(cache_s)

    if results["hugo_version"] and not opts.no_hugo:
        hsite, hout = WORK / f"hugo-{name}", WORK / f"hugo-{name}-public"
        rm(hout)
        t = time.perf_counter()
        made = hugo_site.make_site(content, hsite)
        setup = time.perf_counter() - t
        logp = WORK / "logs" / f"{name}-hugo.log"
        r = measure(hugo_site.hugo_command(hsite, hout), logp)
        if r["rc"] != 0:
            raise SystemExit(f"hugo failed:\n{tail(logp)}")
        r["setup_s"] = round(setup, 2)
        r["site"] = site_stats(hout)
        r["pages"] = r["site"]["html_pages"]
        r["pages_per_s"] = round(r["pages"] / r["seconds"], 1)
        r["stub_pages"] = made["pages"]
        case["hugo"] = r
        case["ratio_vs_hugo"] = round(case["cold"]["seconds"] / r["seconds"], 2)
        case["ratio_vs_hugo_search"] = round(case["search"]["seconds"] / r["seconds"], 2)
        case["ratio_vs_hugo_warm"] = round(case["warm"]["seconds"] / r["seconds"], 2)
        log(f"{name}: hugo   {r['seconds']:7.1f} s  {r['pages']} pages  maxrss {r['maxrss_mb']} MB  (ours/hugo {case['ratio_vs_hugo']})")
        rm(hsite), rm(hout)

    if opts.no_incremental or name in opts.skip_incremental_for:
        case["incremental"] = dict(available=None, reason="not measured for this case (time budget)")
    elif name not in ("N=200",) and budget.remaining() - budget.reserve < budget.incremental_estimate(departments * years):
        case["incremental"] = dict(available=None, reason=f"skipped to fit the time budget ({budget.remaining():.0f} s left, "
                                                          f"{budget.reserve:.0f} s kept for the profile)")
        log(f"{name}: incremental skipped (budget)")
    else:
        out_i = WORK / f"preview-{name}"
        rm(out_i)
        logp = WORK / "logs" / f"{name}-incremental.log"
        r = measure([PY, str(BENCH / "incremental.py"), str(content), str(out_i), str(target), "3"], logp)
        lines = [ln for ln in logp.read_text(encoding="utf-8").splitlines() if ln.startswith("{")]
        info = json.loads(lines[-1]) if lines else dict(available=False, reason=tail(logp, 5))
        if info.get("available"):
            info["seconds"] = round(statistics.median(x["seconds"] for x in info["runs"]), 3)
            info["with_portal_s"] = round(statistics.median(x.get("with_portal_s", x["seconds"]) for x in info["runs"]), 3)
            info["process_maxrss_mb"] = r["maxrss_mb"]
            budget.note_preview(departments * years, info["full_s"])
            log(f"{name}: incremental {info['seconds']:.2f} s to the department's {info['runs'][0]['pages']} pages, "
                f"{info['with_portal_s']:.2f} s with the portal pages (median of {len(info['runs'])} edits); "
                f"preview start-up {info['full_s']:.1f} s")
        else:
            log(f"{name}: incremental not available: {info.get('reason')}")
        case["incremental"] = info
        rm(out_i)
    if not opts.keep_content == name:
        rm(content)
    if name == opts.keep_content:
        budget.reserve = budget.profile_estimate(case["cold"]["seconds"])
    return case


class Budget:
    def __init__(self, seconds: float):
        self.seconds = seconds
        self.preview_rate = 0.06  # s per department-year for Preview.full(), refined when measured
        self.reserve = 0.0        # seconds kept for the profile at the end

    @staticmethod
    def profile_estimate(cold_s: float) -> float:
        return cold_s * 1.7 + 30

    def remaining(self) -> float:
        return self.seconds - elapsed()

    def note_preview(self, n: int, full_s: float) -> None:
        self.preview_rate = full_s / n

    def incremental_estimate(self, n: int) -> float:
        return self.preview_rate * n * 1.15 + 15


# ---------------------------------------------------------------- report

def mb(b) -> str:
    return f"{b / 2**20:.1f}" if b is not None else "—"


def fmt(v, spec="") -> str:
    if v is None:
        return "—"
    return format(v, spec) if spec else str(v)


def table(results: dict) -> str:
    cases = results["cases"]
    rows: list[tuple[str, list[str]]] = []

    def add(label, fn):
        vals = []
        for c in cases:
            try:
                vals.append(fn(c))
            except (KeyError, TypeError):
                vals.append("—")
        rows.append((label, vals))

    add("department-years", lambda c: f"{c['department_years']} ({c['departments']}×{c['years']})")
    add("synthetic YAML (MB)", lambda c: mb(c["synth"]["content_bytes"]))
    add("pages built", lambda c: fmt(c["cold"]["pages"]))
    add("cold build, no search (s)", lambda c: f"{c['cold']['seconds']:.1f}")
    add("  pages/s", lambda c: f"{c['cold']['pages_per_s']:.0f}")
    add("  CPU s (all processes)", lambda c: f"{c['cold']['cpu_s']:.0f}")
    add("warm build, no search (s)", lambda c: f"{c['warm']['seconds']:.1f}")
    add("cold build with search (s)", lambda c: f"{c['search']['seconds']:.1f}")
    add("  of which Pagefind (s)", lambda c: f"{c['search']['index_s']:.1f}")
    add("  pages/s", lambda c: f"{c['search']['pages_per_s']:.0f}")
    add("warm build with search (s)", lambda c: f"{c['search_warm']['seconds']:.1f}" if "search_warm" in c else "–")
    add("peak RSS, largest process, no search (MB)", lambda c: f"{c['cold']['maxrss_mb']:.0f}")
    add("peak RSS, whole tree, no search (MB)", lambda c: f"{c['cold']['tree_rss_mb']:.0f}")
    add("peak RSS, largest process, search (MB)", lambda c: f"{c['search']['maxrss_mb']:.0f}")
    add("peak RSS, whole tree, search (MB)", lambda c: f"{c['search']['tree_rss_mb']:.0f}")
    add("site size, no search (MB)", lambda c: mb(c["cold"]["site"]["bytes"]))
    add("site size with search (MB)", lambda c: mb(c["search"]["site"]["bytes"]))
    add("  files", lambda c: fmt(c["search"]["site"]["files"]))
    add("  Pagefind index (MB)", lambda c: mb(c["search"]["site"]["pagefind_bytes"]))
    add("  HTML / CSV / JSON / bundle (MB)", lambda c: " / ".join(mb(c["search"]["site"]["bytes_by_kind"].get(k, 0)) for k in
                                                                 ("html", "csv", "json", "bundle (data/all*)")))
    add("largest page", lambda c: c["cold"]["site"]["largest_page"])
    add("  bytes / gzip", lambda c: f"{c['cold']['site']['largest_bytes']:,} / {c['cold']['site']['largest_gzip']:,}")
    add("largest department page", lambda c: c["cold"]["site"]["largest_dept_page"].split("/", 1)[1])
    add("  bytes / gzip", lambda c: f"{c['cold']['site']['largest_dept_bytes']:,} / {c['cold']['site']['largest_dept_gzip']:,}")
    add("Hugo build (s)", lambda c: f"{c['hugo']['seconds']:.1f}")
    add("  Hugo pages, pages/s", lambda c: f"{c['hugo']['pages']}, {c['hugo']['pages_per_s']:.0f}")
    add("  Hugo peak RSS (MB)", lambda c: f"{c['hugo']['maxrss_mb']:.0f}")
    add("  Hugo site (MB), largest page bytes", lambda c: f"{mb(c['hugo']['site']['bytes'])}, {c['hugo']['site']['largest_bytes']:,}")
    add("ours ÷ Hugo: cold / warm / search", lambda c: f"{c['ratio_vs_hugo']:.2f} / {c['ratio_vs_hugo_warm']:.2f} / {c['ratio_vs_hugo_search']:.2f}")
    add("incremental: edit → pages (s)", lambda c: f"{c['incremental']['seconds']:.2f}" if c["incremental"].get("available")
        else ("not available" if c["incremental"].get("available") is False else "not measured"))
    add("  pages re-rendered (department + portal)", lambda c: f"{c['incremental']['runs'][0]['pages']} + "
        f"{c['incremental']['runs'][0].get('portal_pages', 0)}")
    add("  including the portal pages (s)", lambda c: f"{c['incremental']['with_portal_s']:.2f}")
    add("  preview start-up (s), RSS (MB)", lambda c: f"{c['incremental']['full_s']:.1f}, {c['incremental']['process_maxrss_mb']:.0f}")

    width = max(len(r[0]) for r in rows)
    cols = [max(len(c["name"]), *(len(r[1][i]) for r in rows)) for i, c in enumerate(cases)]
    lines = [" " * width + "  " + "  ".join(c["name"].rjust(w) for c, w in zip(cases, cols))]
    lines.append("-" * len(lines[0]))
    for label, vals in rows:
        lines.append(label.ljust(width) + "  " + "  ".join(v.rjust(w) for v, w in zip(vals, cols)))
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


def run_profile(opts, results: dict, name: str, departments: int) -> None:
    content = WORK / f"content-{name}"
    if not (content / "site.yaml").exists():  # reuse the case's content when kept (one edited file does not matter)
        rm(content)
        log(f"profile: portal synth --departments {departments}")
        subprocess.run(portal("synth", "--departments", str(departments), "--out", str(content), "--seed", str(opts.seed)),
                       check=True, stdout=subprocess.DEVNULL, cwd=ROOT)
    out, cache, stats = WORK / "site-profile", WORK / "cache-profile", WORK / "profile"
    rm(out), rm(cache)
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
    rm(out), rm(cache), rm(content)


# ---------------------------------------------------------------- main

def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--budget", type=float, default=870, help="seconds for the whole run (optional parts are skipped to fit)")
    ap.add_argument("--seed", type=int, default=2024)
    ap.add_argument("--quick", action="store_true", help="small sizes (20, 60, 20×3) to try the bench itself")
    ap.add_argument("--no-hugo", action="store_true")
    ap.add_argument("--no-incremental", action="store_true")
    ap.add_argument("--no-profile", action="store_true")
    ap.add_argument("--profile-only", action="store_true", help="only the cProfile of a cold N=2000 build")
    ap.add_argument("--out", default=str(BENCH / "results.json"))
    opts = ap.parse_args()
    opts.skip_incremental_for = set()
    big, big_n = ("N=60", 60) if opts.quick else ("N=2000", 2000)
    opts.keep_content = big if not opts.no_profile else None
    WORK.mkdir(parents=True, exist_ok=True)
    budget = Budget(opts.budget)
    code = snapshot_code()

    results: dict = dict(
        started=time.strftime("%Y-%m-%dT%H:%M:%S%z"), machine=dict(cpus=os.cpu_count(), platform=platform.platform(),
                                                                   python=platform.python_version()),
        git=git_state(), code=code, load1_at_start=os.getloadavg()[0], hugo_version=None if opts.no_hugo else ensure_hugo(), pagefind_version=pagefind_version(),
        cases=[], notes=[
            "N=667x3 is 667 departments × 3 years (2001 department-years): 2000 departments × 3 years does not fit "
            "the 15-minute budget on this 2-core machine.",
            "cold = empty build cache and new output directory; warm = the same build again after editing one "
            "department file (the generator's content-hash cache reuses the other departments).",
            "Hugo has no persistent cache, so its figure is a single full build; ratio_vs_hugo = our cold "
            "no-search build ÷ Hugo at N=2000 (Hugo does not build a search index).",
            "peak_rss_mb = largest single-process RSS (os.wait4 / /usr/bin/time semantics) over our N=2000 cold "
            "builds, with and without search; the whole-tree sums are in the table.",
        ])
    if results["hugo_version"] is None and not opts.no_hugo:
        results["notes"].append("Hugo could not be installed: no Hugo comparison.")

    if opts.profile_only:
        run_profile(opts, results, big, big_n)
        print(profile_table(results["profile"]) if "top_tottime" in results.get("profile", {}) else results["profile"])
        return 0

    sizes = [("N=200", 200, 1), ("N=2000", 2000, 1), ("N=667x3", 667, 3)]
    if opts.quick:
        sizes = [("N=20", 20, 1), ("N=60", 60, 1), ("N=20x3", 20, 3)]
    for name, n, y in sizes:
        run_case(name, n, y, opts, results, budget)
        Path(opts.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    if opts.no_profile:
        results["profile"] = dict(skipped="--no-profile")
    else:
        ref = next(c for c in results["cases"] if c["name"] == big)
        estimate = budget.profile_estimate(ref["cold"]["seconds"])
        if budget.remaining() < estimate:
            results["profile"] = dict(skipped=f"{budget.remaining():.0f} s left of the {opts.budget:.0f} s budget, "
                                              f"profile needs ~{estimate:.0f} s; run `python bench/run.py --profile-only`")
            log("profile skipped (budget)")
        else:
            run_profile(opts, results, big, big_n)
    rm(WORK / f"content-{big}")

    case = next(c for c in results["cases"] if c["name"] == big)
    ratio = case.get("ratio_vs_hugo")
    inc = case["incremental"]
    peak = max(case["cold"]["maxrss_mb"], case["search"]["maxrss_mb"])
    results["load1_at_end"] = os.getloadavg()[0]
    results["summary"] = dict(case=big, ratio_vs_hugo=ratio, incremental_s=inc.get("seconds") if inc.get("available") else None,
                              incremental_note=None if inc.get("available") else inc.get("reason", "not available"),
                              peak_rss_mb=peak, total_bench_s=round(elapsed(), 1))
    Path(opts.out).write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")

    print()
    print(table(results))
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
    inc_text = f"{inc['seconds']:.3f}" if inc.get("available") else "not_available"
    print(f"ratio_vs_hugo={ratio if ratio is not None else 'NA'} incremental_s={inc_text} peak_rss_mb={peak:.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
