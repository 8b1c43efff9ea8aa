"""Search index parts (shards) are sized by the memory Pagefind needs and run
at most as many at once as the memory budget holds (no Pagefind needed)."""
from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from generator import search


def _site(root: Path, departments: dict[str, list[int]]) -> Path:
    """Root pages plus department folders with pages of the given sizes (bytes)."""
    for name in ("index.html", "compare.html"):
        (root / name).write_text("x" * 100)
    for dept, sizes in departments.items():
        for i, size in enumerate(sizes):
            page = root / dept / "2023" / f"{i:02d}.html"
            page.parent.mkdir(parents=True, exist_ok=True)
            page.write_bytes(b"x" * size)
    (root / "data").mkdir()
    (root / "data" / "skip.html").write_text("not a page")
    return root


def test_small_site_is_one_index(tmp_path):
    site = _site(tmp_path, {"a": [1000] * 3, "b": [1000] * 3})
    shards = search.plan_shards(site)
    assert len(shards) == 1 and len(shards[0]) == 8


def test_shards_close_at_the_html_budget_and_never_split_a_department(tmp_path, monkeypatch):
    mb = 1048576
    site = _site(tmp_path, {"a": [mb // 2] * 2, "b": [mb // 2] * 2, "c": [mb // 4] * 2, "d": [mb // 4] * 2})
    monkeypatch.setenv("PORTAL_SEARCH_SHARD_HTML_MB", "1.5")
    shards = search.plan_shards(site)
    tops = [sorted({p.relative_to(site).parts[0] for p in s}) for s in shards]
    # root pages alone; a (1 MB) + b (1 MB) would exceed 1.5 MB; b + c = 1.5 MB fits; d starts the next
    assert tops == [["compare.html", "index.html"], ["a"], ["b", "c"], ["d"]]
    assert all(sum(p.stat().st_size for p in s) <= 1.5 * mb for s in shards)


def test_the_page_limit_still_applies(tmp_path, monkeypatch):
    site = _site(tmp_path, {"a": [10] * 3, "b": [10] * 3, "c": [10] * 3})
    monkeypatch.setenv("PORTAL_SEARCH_SHARD_PAGES", "5")
    tops = [sorted({p.relative_to(site).parts[0] for p in s}) for s in search.plan_shards(site)]
    assert tops == [["compare.html", "index.html"], ["a"], ["b"], ["c"]]


def test_expected_memory_grows_with_the_html():
    assert search.pagefind_mb(0) == search.PAGEFIND_BASE_MB
    assert search.pagefind_mb(10 * 1048576) == pytest.approx(search.PAGEFIND_BASE_MB + 10 * search.PAGEFIND_MB_PER_HTML_MB)
    # the default part size keeps two runs and the build inside the budget
    two = 2 * search.pagefind_mb(int(search.SHARD_HTML_MB * 1048576))
    assert two + search.BUILD_SHARE_MB <= search.MEMORY_MB


@pytest.mark.parametrize("budget, most", [("100000", 2), ("1", 1)])
def test_runs_at_once_are_held_to_the_memory_budget(tmp_path, monkeypatch, budget, most):
    site = _site(tmp_path, {d: [5000] * 2 for d in "abcd"})
    shards = [[p] for p in sorted(site.rglob("[0-9]*.html"))]
    outputs = [tmp_path / "out" / f"s{n}" for n in range(len(shards))]
    running, peak, lock = [0], [0], threading.Lock()

    def fake(args):
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
        time.sleep(0.05)
        with lock:
            running[0] -= 1

    monkeypatch.setattr(search, "_run_pagefind", fake)
    monkeypatch.setattr(search.os, "cpu_count", lambda: 2)
    monkeypatch.setenv("PORTAL_SEARCH_MEMORY_MB", budget)
    search.index_shards(site, ["pagefind"], shards, outputs)
    assert peak[0] == most


def test_a_failed_part_fails_the_index_after_the_others(tmp_path, monkeypatch):
    site = _site(tmp_path, {d: [100] for d in "abc"})
    shards = [[p] for p in sorted(site.rglob("[0-9]*.html"))]
    done = []

    def fake(args):
        out = args[args.index("--output-path") + 1]
        if out.endswith("s1"):
            raise search.EnvironmentProblem("坏了")
        done.append(out)

    monkeypatch.setattr(search, "_run_pagefind", fake)
    with pytest.raises(search.EnvironmentProblem):
        search.index_shards(site, ["pagefind"], shards, [tmp_path / f"s{n}" for n in range(3)])
    assert len(done) == 2
