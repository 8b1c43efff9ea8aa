"""Live preview for editors (`portal serve`).

A :class:`Preview` keeps the loaded model between saves. On a change it
reloads only the department-year files that changed, re-audits them, and
re-renders only that department's pages plus the pages that aggregate every
department (home, comparison, data quality). Bad input never stops the
server: the last good pages stay, and ``__preview/status.json`` carries the
errors, which the overlay script in every preview page shows in Chinese with
file:line:column and the offending line. Drafts (``草稿: 是``) are shown here
with a banner and never published by ``portal build``.
"""
from __future__ import annotations

import json
import shutil
import sys
import tempfile
import time
from pathlib import Path

from . import pages as pages_mod
from . import render
from .audit import audit
from .errors import ContentError, ContentErrors
from .load import department_files, load_department_year, load_site, shown_path
from .model import DeptYear

PROJECT = Path(__file__).resolve().parent.parent
OVERLAY_JS = Path(__file__).resolve().parent / "preview" / "overlay.js"


def _snapshot(roots: list[Path]) -> dict[str, tuple[int, int]]:
    state = {}
    for root in roots:
        if root.is_dir():
            for p in root.rglob("*"):
                if p.is_file():
                    st = p.stat()
                    state[str(p)] = (st.st_mtime_ns, st.st_size)
    return state


class Preview:
    def __init__(self, content: Path, out: Path):
        self.content, self.out = content.resolve(), out
        self.site = None
        self.depts: dict[str, DeptYear] = {}       # key -> DeptYear (last good)
        self.dept_errors: dict[str, list[ContentError]] = {}
        self.site_errors: list[ContentError] = []
        self.findings: dict[str, list] = {}
        self.generation = 0
        self.rendered: list[str] = []
        self.state = _snapshot(self._roots())

    def _roots(self) -> list[Path]:
        return [self.content, render.TEMPLATES, render.STATIC]

    # -------------------------------------------------------------- loading
    def _file_key(self, path: Path) -> str | None:
        """Department-year key ("slug/year") a content file belongs to."""
        try:
            rel = path.resolve().relative_to(self.content)
        except ValueError:
            return None
        parts = rel.parts
        if len(parts) >= 2:
            year = parts[1][:4]
            if year.isdigit():
                return f"{parts[0]}/{year}"
        return None

    def _load_dept(self, slug: str, path: Path) -> None:
        errors: list[ContentError] = []
        key = f"{slug}/{path.stem}"
        dept = load_department_year(path, slug, errors)
        if errors or dept is None:
            self.dept_errors[key] = errors
            return
        self.dept_errors.pop(key, None)
        self.depts[key] = dept
        self.findings[key] = audit(dept)

    def _load_site(self) -> None:
        errors: list[ContentError] = []
        site = load_site(self.content / "site.yaml", errors)
        self.site_errors = errors
        if not errors:
            self.site = site

    def full(self) -> list[str]:
        self._load_site()
        self.depts, self.dept_errors, self.findings = {}, {}, {}
        for slug, path in department_files(self.content):
            self._load_dept(slug, path)
        return self._render(None)

    def changed(self) -> list[str]:
        """Look for saved files and rebuild what they affect; returns pages written."""
        now = _snapshot(self._roots())
        changes = {p for p in set(now) | set(self.state) if now.get(p) != self.state.get(p)}
        self.state = now
        if not changes:
            return []
        return self.apply([Path(p) for p in sorted(changes)])

    def apply(self, paths: list[Path]) -> list[str]:
        content_paths = [p for p in paths if self._inside(p, self.content)]
        if len(content_paths) != len(paths) or any(p.name == "site.yaml" for p in content_paths):
            return self.full()                     # templates, assets or portal settings changed
        keys = {self._file_key(p) for p in content_paths} - {None}
        files = {f"{slug}/{p.stem}": (slug, p) for slug, p in department_files(self.content)}
        for key in keys:
            if key in files:
                self._load_dept(*files[key])
            else:                                   # department-year deleted
                self.depts.pop(key, None)
                self.dept_errors.pop(key, None)
                self.findings.pop(key, None)
        return self._render(keys)

    @staticmethod
    def _inside(path: Path, root: Path) -> bool:
        try:
            path.resolve().relative_to(root)
            return True
        except ValueError:
            return False

    # -------------------------------------------------------------- output
    @property
    def errors(self) -> list[ContentError]:
        errs = list(self.site_errors)
        for key in sorted(self.dept_errors):
            errs.extend(self.dept_errors[key])
        return sorted(errs, key=ContentError.sort_key)

    def _render(self, only: set[str] | None) -> list[str]:
        self.generation += 1
        written: list[str] = []
        if only is not None:   # keys whose files now load; a broken file keeps its last good pages
            only = {k for k in only if k not in self.dept_errors}
        if self.site is not None and not self.site_errors and (only is None or only):
            depts = [self.depts[k] for k in sorted(self.depts)]
            findings = {d.key: self.findings[d.key] for d in depts}
            ctx = pages_mod.build_contexts(self.site, depts, findings, only=only, preview=True)
            self.out.mkdir(parents=True, exist_ok=True)
            written = render.write_site(self.out, self.site, depts, findings, ctx, only=only)
        self.rendered = written
        self._write_status()
        return written

    def _write_status(self) -> None:
        target = self.out / "__preview"
        target.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(OVERLAY_JS, target / "overlay.js")
        errors = [dict(file=e.path, line=e.line, col=e.col, where=e.where, message=e.message, text=str(e),
                       source=_source_line(e)) for e in self.errors]
        findings = sum(len(f) for f in self.findings.values())
        real = sum(1 for fs in self.findings.values() for f in fs if not f.rounding)
        status = dict(generation=self.generation, rendered=self.rendered, errors=errors,
                      findings=findings, real_findings=real)
        (target / "status.json").write_text(json.dumps(status, ensure_ascii=False, indent=1), encoding="utf-8")

    def report(self, seconds: float) -> None:
        for e in self.errors:
            print(f"错误 {e}", file=sys.stderr)
            src = _source_line(e)
            if src:
                print(f"    {src}", file=sys.stderr)
        if not self.errors:
            total = sum(len(f) for f in self.findings.values())
            print(f"已更新 {len(self.rendered)} 个页面（{seconds * 1000:.0f} 毫秒），勾稽差异 {total} 处")


def _source_line(error: ContentError) -> str:
    if not error.line:
        return ""
    path = Path(error.path)
    try:
        lines = path.read_bytes().decode("utf-8", errors="replace").lstrip("\ufeff").split("\n")
        return lines[error.line - 1].rstrip("\r") if error.line <= len(lines) else ""
    except OSError:
        return ""


def serve(content: Path, host: str = "127.0.0.1", port: int = 8000, out: Path | None = None) -> None:
    from livereload import Server

    out = out or Path(tempfile.mkdtemp(prefix="portal-preview-"))
    preview = Preview(content, out)
    started = time.perf_counter()
    preview.full()
    preview.report(time.perf_counter() - started)

    def rebuild():
        t0 = time.perf_counter()
        try:
            written = preview.changed()
        except ContentErrors as exc:  # pragma: no cover - loaders collect errors themselves
            preview.dept_errors["*"] = exc.errors
            preview._write_status()
            written = []
        if written or preview.errors:
            preview.report(time.perf_counter() - t0)

    server = Server()
    for root in (content, render.TEMPLATES, render.STATIC):
        server.watch(str(root), rebuild, delay=0.1)
    print(f"预览地址：http://{host}:{port}/ （按 Ctrl+C 退出）")
    sys.stdout.flush()
    server.serve(root=str(out), host=host, port=port, open_url_delay=None, restart_delay=0, default_filename="index.html")
