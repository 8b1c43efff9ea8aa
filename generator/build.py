"""The whole build as one list of steps, top to bottom:

1. load     content/ -> validated model (errors stop here, site/ untouched)
2. audit    model -> findings (published figures that do not add up)
3. pages    model + findings -> page contexts
4. render   contexts -> HTML, CSV/JSON downloads, static assets, in a temp dir
5. index    full-text search index over the temp dir (Pagefind)
6. swap     temp dir replaces site/ atomically; a failure leaves site/ as it was
"""
from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from .audit import audit
from .errors import ContentError, ContentErrors
from .load import load_content


@dataclass
class BuildResult:
    pages: int
    findings: list
    seconds: float
    rendered: list[str] = field(default_factory=list)


def check(content: Path) -> list:
    site, depts = load_content(content, include_drafts=True)
    return [f for d in depts for f in audit(d)]


def build(content: Path, out: Path, search: bool = True, include_drafts: bool = False) -> BuildResult:
    from . import pages, render  # imported here so `portal check` stays light

    started = time.perf_counter()
    site, depts = load_content(content, include_drafts=include_drafts)                  # 1
    findings = {d.key: audit(d) for d in depts}                                         # 2
    contexts = pages.build_contexts(site, depts, findings)                              # 3
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-build-", dir=out.parent))
    try:
        written = render.write_site(tmp, site, depts, findings, contexts)               # 4
        if search:
            from .search import index_site
            index_site(tmp)                                                             # 5
        _swap(tmp, out)                                                                 # 6
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    all_findings = [f for d in depts for f in findings[d.key]]
    return BuildResult(pages=len(written), findings=all_findings, seconds=time.perf_counter() - started,
                       rendered=written)


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
