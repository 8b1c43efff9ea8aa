"""cProfile of one full ``portal build --no-search``, across processes:

    python bench/profile_build.py CONTENT OUT CACHE STATS_DIR [EVERY]

The build runs its department tasks in worker processes, which a plain
``cProfile.run`` would not see. Each worker therefore profiles department
tasks itself (``generator.build.build_department`` is wrapped before the pool
forks) and dumps its stats when it exits; the main process profiles the rest
(settings, portal pages, bundle, sitemap, swap).

cProfile slows this code (millions of small Jinja/markupsafe calls) about
fivefold, which would not fit the bench's time budget at N=2000. So the
workers profile one department task in EVERY (chosen by a hash of the folder
name; default 1 = all), the other tasks run unprofiled, and the worker stats
are multiplied by EVERY before merging with the main process's (complete)
stats: an estimate of the whole build in CPU seconds summed over processes.
The mean wall time of profiled and unprofiled tasks gives the profiler's
overhead. Prints one JSON line; the full listing goes to STATS_DIR/profile.txt."""
from __future__ import annotations

import cProfile
import io
import json
import multiprocessing.util
import os
import pstats
import sys
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))  # the bench's code snapshot

import generator.build as build_mod  # noqa: E402

STATS_DIR = Path(sys.argv[4]) if len(sys.argv) > 4 else Path(".")
EVERY = int(sys.argv[5]) if len(sys.argv) > 5 else 1
_original = build_mod.build_department
_worker: dict = {}


def _dump() -> None:
    _worker["profile"].dump_stats(str(STATS_DIR / f"worker-{os.getpid()}.pstats"))
    (STATS_DIR / f"worker-{os.getpid()}.json").write_text(json.dumps(_worker["times"]))


MAIN_PID = os.getpid()


def profiled_build_department(task):
    if os.getpid() == MAIN_PID:  # a small build runs its tasks in the main process: its profile sees them
        return _original(task)
    if _worker.get("pid") != os.getpid():
        _worker.update(pid=os.getpid(), profile=cProfile.Profile(), times=dict(profiled=[], plain=[]))
        multiprocessing.util.Finalize(None, _dump, exitpriority=10)
    t = time.perf_counter()
    if zlib.crc32(task.slug.encode()) % EVERY:
        result = _original(task)
        _worker["times"]["plain"].append(time.perf_counter() - t)
        return result
    _worker["profile"].enable()
    try:
        return _original(task)
    finally:
        _worker["profile"].disable()
        _worker["times"]["profiled"].append(time.perf_counter() - t)


def _scaled(path: Path, factor: int) -> pstats.Stats:
    st = pstats.Stats(str(path), stream=io.StringIO())
    if factor != 1:
        st.stats = {f: (cc * factor, nc * factor, tt * factor, ct * factor,
                        {c: tuple(x * factor for x in v) for c, v in callers.items()})
                    for f, (cc, nc, tt, ct, callers) in st.stats.items()}
        st.total_calls *= factor
        st.prim_calls *= factor
        st.total_tt *= factor
    return st


# Pipeline stages, by the function that runs each (file suffix, function name).
WORKER_PHASES = [("department task", "generator/build.py", "build_department"),
                 ("  load YAML -> model", "generator/load.py", "load_department_year"),
                 ("    read_yaml (YAML -> Text tree)", "generator/reader.py", "read_yaml"),
                 ("  audit", "generator/audit.py", "audit"),
                 ("  page contexts", "generator/pages.py", "dept_pages"),
                 ("  render HTML (Jinja) + write", "generator/render.py", "write_pages"),
                 ("  CSV/JSON downloads", "generator/render.py", "write_downloads"),
                 ("  cache store (pickle.dumps)", "~", "<built-in method _pickle.dumps>")]
MAIN_PHASES = [("whole build (main process, wall)", "generator/build.py", "build"),
               ("  waiting for department tasks", "generator/build.py", "_run"),
               ("  cache stamp (hash code+templates)", "generator/build.py", "_stamp"),
               ("  task keys (hash every content file)", "generator/build.py", "_task_key"),
               ("  portal page contexts", "generator/pages.py", "portal_pages"),
               ("  render portal pages", "generator/render.py", "write_pages"),
               ("  portal downloads (all.json, CSV)", "generator/render.py", "write_bundle"),
               ("  sitemap", "generator/render.py", "write_sitemap"),
               ("  static assets", "generator/render.py", "copy_static"),
               ("  swap into place", "generator/build.py", "_swap")]


def _merged(paths: list[Path], factor: int) -> pstats.Stats:
    st = _scaled(paths[0], factor)
    for p in paths[1:]:
        st.add(_scaled(p, factor))
    return st


def _phases(stats: pstats.Stats, spec) -> list[dict]:
    out = []
    for label, suffix, name in spec:
        ct = sum(v[3] for (filename, _, fn), v in stats.stats.items() if fn == name and filename.endswith(suffix))
        out.append(dict(phase=label, function=f"{suffix}:{name}", cumtime=round(ct, 2)))
    return out


def _rows(stats: pstats.Stats, key: str, n: int) -> list[dict]:
    stats.sort_stats(key)
    out = []
    for func in stats.fcn_list[:n]:
        cc, nc, tt, ct, _ = stats.stats[func]
        filename, line, name = func
        short = filename.replace(os.environ.get("BENCH_CODE", str(ROOT)) + "/", "").replace(str(ROOT) + "/", "")
        if "site-packages/" in short:
            short = short.split("site-packages/", 1)[1]
        out.append(dict(function=f"{short}:{line}({name})", calls=nc, tottime=round(tt, 3), cumtime=round(ct, 3)))
    return out


def main() -> int:
    content, out, cache = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    STATS_DIR.mkdir(parents=True, exist_ok=True)
    for old in [*STATS_DIR.glob("*.pstats"), *STATS_DIR.glob("*.json")]:
        old.unlink()
    build_mod.build_department = profiled_build_department
    main_profile = cProfile.Profile()
    t = time.perf_counter()
    main_profile.enable()
    result = build_mod.build(content, out, search=False, cache=cache)
    main_profile.disable()
    wall = time.perf_counter() - t
    main_path = STATS_DIR / "main.pstats"
    main_profile.dump_stats(str(main_path))
    workers = sorted(STATS_DIR.glob("worker-*.pstats"))
    listing = io.StringIO()
    stats = pstats.Stats(str(main_path), stream=listing)
    for w in workers:
        stats.add(_scaled(w, EVERY))
    total = sum(tt for (_, _, name), (_, _, tt, _, _) in stats.stats.items()
                if "acquire' of '_thread.lock" not in name)  # the main process waiting for its workers
    print(f"main process stats complete; worker stats from 1 department task in {EVERY}, multiplied by {EVERY}",
          file=listing)
    stats.sort_stats("tottime").print_stats(40)
    stats.sort_stats("cumulative").print_stats(60)
    (STATS_DIR / "profile.txt").write_text(listing.getvalue(), encoding="utf-8")
    # A small build may run its department tasks in the main process (no pool): then they are in main.pstats.
    task_stats = _merged(workers, EVERY) if workers else pstats.Stats(str(main_path), stream=io.StringIO())
    phases = dict(workers=_phases(task_stats, WORKER_PHASES),
                  main=_phases(pstats.Stats(str(main_path), stream=io.StringIO()), MAIN_PHASES))
    times = dict(profiled=[], plain=[])
    for w in STATS_DIR.glob("worker-*.json"):
        for k, v in json.loads(w.read_text()).items():
            times[k] += v
    mean = {k: (sum(v) / len(v) if v else None) for k, v in times.items()}
    print(json.dumps(dict(wall_s=wall, pages=result.pages, workers=len(workers), cpu_s=total, every=EVERY,
                          profiled_tasks=len(times["profiled"]), plain_tasks=len(times["plain"]),
                          task_mean_s=mean, phases=phases, overhead=(mean["profiled"] / mean["plain"]) if all(mean.values()) else None,
                          by_tottime=_rows(stats, "tottime", 25), by_cumtime=_rows(stats, "cumulative", 40)),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
