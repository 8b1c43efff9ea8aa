"""Edit-to-page latency of the preview server (``generator.serve.Preview``),
run by bench/run.py in its own process:

    python bench/incremental.py CONTENT OUT FILE [EDITS]

Loads and renders everything once (``Preview.full()``, what ``portal serve``
does at start), then edits FILE ``EDITS`` times and times ``Preview.changed()``
after each save: the scan for changed files, reloading and re-auditing that
department, re-rendering its pages (``seconds``: the edit-to-page time) and,
separately timed, the portal-wide pages (``with_portal_s``). Prints
one JSON line. Exit status 3 when the generator has no incremental rebuild."""
from __future__ import annotations

import inspect
import json
import os
import re
import resource
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, os.environ.get("BENCH_CODE", str(ROOT)))  # the bench's code snapshot


def edit(path: Path, n: int) -> None:
    """A real edit an editor might make: revise the 机构设置 text (stays valid)."""
    text = path.read_text(encoding="utf-8")
    new, count = re.subn(r"^(  机构设置: [^\n]*?)(（修订\d+）)?$", lambda m: f"{m.group(1)}（修订{n}）", text, count=1,
                         flags=re.M)
    if not count:  # no 机构设置 line: change the first 名词解释 instead
        new = text.replace("    解释: ", f"    解释: （修订{n}）", 1)
    path.write_text(new, encoding="utf-8")


def main() -> int:
    content, out, target = Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])
    edits = int(sys.argv[4]) if len(sys.argv) > 4 else 3
    try:
        from generator.serve import Preview
    except ImportError as exc:
        print(json.dumps(dict(available=False, reason=f"generator.serve: {exc}")))
        return 3
    if not hasattr(Preview, "changed"):
        print(json.dumps(dict(available=False, reason="Preview has no changed()")))
        return 3
    t0 = time.perf_counter()
    preview = Preview(content, out)
    written = preview.full()
    full_s = time.perf_counter() - t0
    if preview.errors:
        print(json.dumps(dict(available=False, reason=f"{len(preview.errors)} content errors")))
        return 1
    # Newer previews write the edited department's pages first and the pages
    # aggregating every department afterwards (``changed(defer_portal=True)``
    # then ``finish_portal()``, which `portal serve` runs in the background):
    # time both. Older ones do everything in ``changed()``.
    deferred = "defer_portal" in inspect.signature(preview.changed).parameters and hasattr(preview, "finish_portal")
    runs = []
    for n in range(1, edits + 1):
        time.sleep(0.05)  # distinct mtimes
        edit(target, 100 + n)
        t = time.perf_counter()
        pages = preview.changed(defer_portal=True) if deferred else preview.changed()
        dept_s = time.perf_counter() - t
        portal = preview.finish_portal() if deferred else []
        runs.append(dict(seconds=dept_s, with_portal_s=time.perf_counter() - t, pages=len(pages), portal_pages=len(portal),
                         dept_pages=sum(1 for p in pages if "/" in p)))
    api = ("generator.serve.Preview.changed(defer_portal=True) + finish_portal()" if deferred
           else "generator.serve.Preview.changed()")
    print(json.dumps(dict(available=True, api=api, full_s=full_s, full_pages=len(written),
                          runs=runs, maxrss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
