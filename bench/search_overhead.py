"""What the search index adds to a full build of the real content
(``make bench-search``, about half a minute).

Issue 6 asks that the Pagefind index add no more than 30% to a full build's
time on this content. This script measures it and shows where the index's
time goes, so the figure can be re-checked whenever Pagefind or the content
changes:

  build         ``portal build --no-search`` and ``portal build`` on content/,
                alternated, each cold (empty build cache, no index cache, new
                output directory); median wall time of --runs pairs
  pagefind      the Pagefind command the build runs, alone, on the built site
  compression   every index file Pagefind wrote is decompressed and compressed
                again with zlib at level 9 (what Pagefind uses, hard-coded as
                ``Compression::best()``, one file after another) and at level 6
  text          characters Pagefind indexes (``generator.search.indexed_pages``)

Prints a table and writes bench/search_overhead.json.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import zlib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from generator.search import BUNDLE_DIR, indexed_pages, pagefind_args, pagefind_command, pagefind_version  # noqa: E402

PORTAL = [sys.executable, "-m", "generator"]


def timed(cmd: list[str], env: dict | None = None) -> float:
    t = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, env={**os.environ, **(env or {})}, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{r.stdout}\n{r.stderr}")
    return seconds


def cold_build(work: Path, search: bool, n: int) -> float:
    out, cache = work / f"site-{n}", work / f"cache-{n}"
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(cache, ignore_errors=True)
    args = PORTAL + ["build", "--content", "content", "--out", str(out)] + ([] if search else ["--no-search"])
    return timed(args, env={"PORTAL_CACHE": str(cache), "PORTAL_SEARCH_CACHE": "0"})


def compression(bundle: Path) -> dict:
    """Raw and gzip sizes of Pagefind's index files, and zlib time at levels 9 and 6."""
    raw = [gzip.decompress(p.read_bytes()) for p in sorted(bundle.rglob("*")) if p.suffix.startswith(".pf_")]
    result = dict(files=len(raw), raw_bytes=sum(len(d) for d in raw))
    for level in (9, 6):
        best = None
        for _ in range(3):
            t = time.perf_counter()
            size = 0
            for d in raw:
                c = zlib.compressobj(level, zlib.DEFLATED, 31)
                size += len(c.compress(d)) + len(c.flush())
            best = min(best or 1e9, time.perf_counter() - t)
        result[f"level{level}_s"] = round(best, 3)
        result[f"level{level}_bytes"] = size
    return result


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--out", default=str(ROOT / "bench" / "search_overhead.json"))
    opts = ap.parse_args()
    cmd = pagefind_command()
    if cmd is None:
        raise SystemExit("Pagefind 未安装（make tools）")
    work = Path(tempfile.mkdtemp(prefix="search-overhead-", dir=ROOT / "bench"))
    try:
        plain, indexed = [], []
        for n in range(opts.runs):
            plain.append(cold_build(work, False, n))
            indexed.append(cold_build(work, True, n))
        site = work / f"site-{opts.runs - 1}"
        bundle = site / BUNDLE_DIR
        alone = []
        for _ in range(opts.runs):
            target = work / "pagefind-alone"
            shutil.rmtree(target, ignore_errors=True)
            args = cmd + pagefind_args(site)
            i = args.index("--output-subdir")
            args[i:i + 2] = ["--output-path", str(target)]
            alone.append(timed(args))
        files = [p for p in bundle.rglob("*") if p.is_file()]
        pages = indexed_pages(site)
        b, s = statistics.median(plain), statistics.median(indexed)
        result = dict(
            pagefind=pagefind_version(cmd), cpus=os.cpu_count(), runs=opts.runs,
            build_no_search_s=round(b, 3), build_with_search_s=round(s, 3),
            added_s=round(s - b, 3), added_ratio=round((s - b) / b, 3),
            pagefind_alone_s=round(statistics.median(alone), 3),
            budget_s=round(0.30 * b, 3),
            index=dict(files=len(files), bytes=sum(p.stat().st_size for p in files),
                       index_data_bytes=sum(p.stat().st_size for p in files if p.suffix.startswith(".pf_"))),
            indexed_pages=len(pages), indexed_chars=sum(len(t) for t in pages.values()),
            compression=compression(bundle),
            samples=dict(no_search=[round(x, 3) for x in plain], with_search=[round(x, 3) for x in indexed],
                         pagefind_alone=[round(x, 3) for x in alone]),
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
    Path(opts.out).write_text(json.dumps(result, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    c = result["compression"]
    rows = [
        ("portal build --no-search (cold, median)", f"{result['build_no_search_s']:.3f} s"),
        ("portal build with the index (cold, median)", f"{result['build_with_search_s']:.3f} s"),
        ("added by the index", f"{result['added_s']:.3f} s = {result['added_ratio']:.0%} (target ≤ 30% = {result['budget_s']:.3f} s)"),
        ("Pagefind alone on the built site", f"{result['pagefind_alone_s']:.3f} s"),
        ("index", f"{result['index']['files']} files, {result['index']['bytes'] / 1e6:.2f} MB "
                  f"({result['index']['index_data_bytes'] / 1e3:.0f} KB index data)"),
        ("indexed", f"{result['indexed_pages']} pages, {result['indexed_chars']:,} characters"),
        ("gzip level 9 of the index data (zlib)", f"{c['level9_s']:.3f} s for {c['raw_bytes'] / 1e6:.2f} MB raw → {c['level9_bytes'] / 1e3:.0f} KB"),
        ("gzip level 6 of the same data", f"{c['level6_s']:.3f} s → {c['level6_bytes'] / 1e3:.0f} KB"),
    ]
    width = max(len(k) for k, _ in rows)
    print(f"Pagefind {result['pagefind']}, {result['cpus']} CPUs, {opts.runs} runs")
    for k, v in rows:
        print(f"  {k:<{width}}  {v}")
    print(f"added_ratio={result['added_ratio']} added_s={result['added_s']} index_bytes={result['index']['bytes']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
