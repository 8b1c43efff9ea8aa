"""cProfile of one full ``portal build --no-search``, across processes:

    python bench/profile_build.py CONTENT OUT CACHE STATS_DIR

The build runs its department tasks in worker processes, which a plain
``cProfile.run`` would not see. Each worker therefore profiles the department
tasks it runs (``generator.build.build_department`` is wrapped before the pool
forks) and dumps its stats when it exits; the main process profiles the rest
(settings, portal pages, bundle, sitemap, swap). The stats are merged, so
times are CPU seconds summed over processes. Prints one JSON line with the
top entries; the full listing goes to STATS_DIR/profile.txt."""
from __future__ import annotations

import cProfile
import io
import json
import multiprocessing.util
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import generator.build as build_mod  # noqa: E402

STATS_DIR = Path(sys.argv[4]) if len(sys.argv) > 4 else Path(".")
_original = build_mod.build_department
_worker_profile: cProfile.Profile | None = None


def profiled_build_department(task):
    global _worker_profile
    if _worker_profile is None or getattr(_worker_profile, "pid", None) != os.getpid():
        _worker_profile = cProfile.Profile()
        _worker_profile.pid = os.getpid()
        multiprocessing.util.Finalize(None, _worker_profile.dump_stats,
                                      args=(str(STATS_DIR / f"worker-{os.getpid()}.pstats"),), exitpriority=10)
    _worker_profile.enable()
    try:
        return _original(task)
    finally:
        _worker_profile.disable()


def _rows(stats: pstats.Stats, key: str, n: int) -> list[dict]:
    stats.sort_stats(key)
    out = []
    for func in stats.fcn_list[:n]:
        cc, nc, tt, ct, _ = stats.stats[func]
        filename, line, name = func
        short = filename.replace(str(ROOT) + "/", "")
        if "site-packages/" in short:
            short = short.split("site-packages/", 1)[1]
        out.append(dict(function=f"{short}:{line}({name})", calls=nc, tottime=round(tt, 3), cumtime=round(ct, 3)))
    return out


def main() -> int:
    content, out, cache = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    STATS_DIR.mkdir(parents=True, exist_ok=True)
    for old in STATS_DIR.glob("*.pstats"):
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
    stats = pstats.Stats(str(main_path), *(str(w) for w in workers), stream=io.StringIO())
    total = sum(tt for (_, _, tt, _, _) in stats.stats.values())
    listing = io.StringIO()
    full = pstats.Stats(str(main_path), *(str(w) for w in workers), stream=listing)
    full.sort_stats("tottime").print_stats(40)
    full.sort_stats("cumulative").print_stats(60)
    (STATS_DIR / "profile.txt").write_text(listing.getvalue(), encoding="utf-8")
    print(json.dumps(dict(wall_s=wall, pages=result.pages, workers=len(workers), cpu_s=total,
                          by_tottime=_rows(stats, "tottime", 25), by_cumtime=_rows(stats, "cumulative", 40)),
                     ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
