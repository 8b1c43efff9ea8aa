"""Issue 12, "the published site always equals the content, and no editor's
file is ever lost": reuse only provable output (manifest inside the site),
one build per output folder, output folders the build may replace, drafts
that never touch a published page, and environment errors as one Chinese
line with their own exit codes."""
from __future__ import annotations

import csv
import errno
import hashlib
import html
import io
import json
import random
import re
import shutil
import socket
import threading
import time
from pathlib import Path

import pytest

from generator import build as build_mod
from generator import cli
from generator import pages as pages_mod
from generator import render
from generator.amounts import fmt_amount, fmt_plain
from generator.build import build
from generator.errors import ContentError
from generator.load import load_content
from generator.pages import table_figures
from generator.registry import TABLE_FILES

ROOT = Path(__file__).resolve().parent.parent
CONTENT = ROOT / "content"
DEPT = "linfen-ybzx/2023.yaml"
FIGURE = "一般公共预算财政拨款收入 | 1 | 5,417.27"


@pytest.fixture()
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT, target)
    return target


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """CLI builds and the error log use a cache folder of their own."""
    monkeypatch.setenv("PORTAL_CACHE", str(tmp_path / "cli-cache"))


def _digest(root: Path, skip: tuple[str, ...] = ()) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file() and p.relative_to(root).as_posix() not in skip}


def _set_figure(content: Path, new: str) -> None:
    path = content / DEPT
    text = path.read_text(encoding="utf-8")
    old = re.search(r"一般公共预算财政拨款收入 \| 1 \| [\d,.]+", text).group(0)
    path.write_text(text.replace(old, f"一般公共预算财政拨款收入 | 1 | {new}", 1), encoding="utf-8")


# ---------------------------------------------------------------- site == content

_MARK = re.compile(r'<a class="finding-mark.*?</a>', re.S)
_ROW = re.compile(r'<tr id="[^"]*"[^>]*>(.*?)</tr>', re.S)
_CELL = re.compile(r"<(th|td)[^>]*>(.*?)</\1>", re.S)
_TAG = re.compile(r"<[^>]+>")


def _html_rows(page: str, anchor: str) -> list[list[str]]:
    start = page.index(f'id="{anchor}-cap"')
    region = page[start: page.index("</table>", start)]
    return [[html.unescape(_TAG.sub("", _MARK.sub("", c[1]))).strip() for c in _CELL.findall(row)]
            for row in _ROW.findall(region)]


def _csv_rows(path: Path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_bytes().decode("utf-8-sig"))))


def assert_site_matches_content(content: Path, out: Path) -> int:
    """Every amount of every table, as loaded from the YAML, is on its page
    (formatted), in its CSV, data.json, data/all.json and data/all-tables.csv
    (exact). Returns how many amounts were checked."""
    _, depts = load_content(content)
    bundle = {(d["department"], d["year"]): d for d in json.loads((out / "data" / "all.json").read_text(encoding="utf-8"))}
    assert len(bundle) == len(depts)
    long_rows = {tuple(r) for r in _csv_rows(out / "data" / "all-tables.csv")[1:]}
    checked = 0
    for dept in depts:
        base = out / dept.slug / str(dept.year)
        data = json.loads((base / "data.json").read_text(encoding="utf-8"))
        portal = bundle[(dept.name, dept.year)]
        page = (base / "index.html").read_text(encoding="utf-8")
        for group, tables in (("tables", dept.tables), ("other_tables", dept.others)):
            for n, table in enumerate(tables):
                csv_name = TABLE_FILES[table.id] if group == "tables" else table.anchor
                csv_rows = _csv_rows(base / "data" / f"{csv_name}.csv")[1:]
                json_rows = data[group][n]["rows"]
                portal_rows = portal[group][n]["rows"]
                page_rows = _html_rows(page, table.anchor) if table.rows else []
                assert len(csv_rows) == len(json_rows) == len(portal_rows) == len(table.rows), (dept.key, table.id)
                assert len(page_rows) == len(table.rows), (dept.key, table.id)
                header = render.table_header(table)
                # the page folds the 科目编码 column into the name column (issue 18) and shows
                # counted rows in their unit: compare with the reader's format of the same value
                fold = 1 if table.shape in ("subject", "econ") else 0
                shown = {(id(row), i): text for row, i, text in table_figures(table)}
                for r, row in enumerate(table.rows):
                    for i, cell in enumerate(row.cells):
                        if cell.kind != "amount":
                            continue
                        where = (dept.key, table.id or table.title, r, i)
                        plain = fmt_plain(cell.value)
                        assert csv_rows[r][i] == plain, where
                        assert json_rows[r][i] == plain, where
                        assert portal_rows[r][i] == plain, where
                        assert page_rows[r][i - fold if i >= fold else i] == shown[(id(row), i)], where
                        assert (dept.name, str(dept.year), table.id or table.title, table.title, str(r + 1),
                                header[i], plain) in long_rows, where
                        checked += 1
    return checked


def _fresh_equals(content: Path, out: Path, tmp_path: Path) -> None:
    """The site equals a build from scratch of the same content, byte for byte."""
    fresh = tmp_path / "fresh"
    build(content, fresh, search=False, cache=False)
    assert _digest(out) == _digest(fresh)


def test_interrupted_build_then_rebuild_publishes_new_figure(content, tmp_path, monkeypatch):
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(content, out, search=False, cache=cache)
    _set_figure(content, "6,001.23")
    with monkeypatch.context() as m:
        def interrupted(*args, **kwargs):
            raise KeyboardInterrupt
        m.setattr(render, "write_bundle", interrupted)    # after the department tasks wrote the cache
        with pytest.raises(KeyboardInterrupt):
            build(content, out, search=False, cache=cache)
    build(content, out, search=False, cache=cache)
    page = (out / "linfen-ybzx" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "6,001.23" in page
    t01 = _csv_rows(out / "linfen-ybzx" / "2023" / "data" / "t01.csv")
    assert t01[1][2] == "6001.23"
    assert "6001.23" in (out / "linfen-ybzx" / "2023" / "data.json").read_text(encoding="utf-8")
    assert "6001.23" in (out / "data" / "all.json").read_text(encoding="utf-8")
    assert_site_matches_content(content, out)
    _fresh_equals(content, out, tmp_path)


def test_edit_build_undo_build_publishes_original_figure_everywhere(content, tmp_path):
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(content, out, search=False, cache=cache)
    _set_figure(content, "6,001.23")
    build(content, out, search=False, cache=cache)
    _set_figure(content, "5,417.27")                    # undo: the first build's cache entry matches again
    build(content, out, search=False, cache=cache)
    page = (out / "linfen-ybzx" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "5,417.27" in page and "6,001.23" not in page
    assert "6001.23" not in (out / "linfen-ybzx" / "2023" / "data.json").read_text(encoding="utf-8")
    assert "6,001.23" not in (out / "compare.html").read_text(encoding="utf-8")
    assert_site_matches_content(content, out)
    _fresh_equals(content, out, tmp_path)


def test_hand_edited_site_file_is_rendered_again_not_reused(content, tmp_path):
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(content, out, search=False, cache=cache)
    data = out / "linfen-ybzx" / "2023" / "data.json"
    data.write_text(data.read_text(encoding="utf-8").replace("5417.27", "9999.99"), encoding="utf-8")
    result = build(content, out, search=False, cache=cache)
    assert result.reused == 4                          # the other departments still come from the cache
    assert "9999.99" not in data.read_text(encoding="utf-8")
    _fresh_equals(content, out, tmp_path)


def test_content_copy_elsewhere_never_reuses_pages_naming_the_other_copy(tmp_path):
    """Findings and data.json name the YAML files; an identical copy of the
    content in another folder, sharing the cache, gets its own file names."""
    a, b = tmp_path / "a" / "content", tmp_path / "b" / "content"
    shutil.copytree(CONTENT, a)
    shutil.copytree(CONTENT, b)
    out, cache = tmp_path / "site", tmp_path / "cache"
    build(a, out, search=False, cache=cache)
    build(b, out, search=False, cache=cache)
    assert str(a) not in (out / "quality.html").read_text(encoding="utf-8")
    _fresh_equals(b, out, tmp_path)


def test_second_build_into_same_folder_waits_and_never_mixes(tmp_path, monkeypatch, capsys):
    """Two builds at once with warm caches: the second waits for the first,
    and the site is then wholly the second's content."""
    a, b = tmp_path / "a" / "content", tmp_path / "b" / "content"
    shutil.copytree(CONTENT, a)
    shutil.copytree(CONTENT, b)
    _set_figure(b, "6,001.23")
    out, cache = tmp_path / "site", tmp_path / "cache"
    for c in (a, b, a):                                 # both cache entries warm, site from a
        build(c, out, search=False, cache=cache, jobs=1)
    paused, release = threading.Event(), threading.Event()
    real = render.write_bundle

    def slow_bundle(*args, **kwargs):
        if threading.current_thread().name == "build-a":
            paused.set()
            release.wait(10)
        return real(*args, **kwargs)
    monkeypatch.setattr(render, "write_bundle", slow_bundle)
    failures = []

    def run(c):
        try:
            build(c, out, search=False, cache=cache, jobs=1)
        except BaseException as exc:   # pragma: no cover - reported below
            failures.append(exc)
    _set_figure(a, "7,777.77")
    ta = threading.Thread(target=run, args=(a,), name="build-a")
    tb = threading.Thread(target=run, args=(b,), name="build-b")
    ta.start()
    assert paused.wait(20)
    tb.start()
    time.sleep(0.7)
    b_finished_while_a_ran = not tb.is_alive()
    release.set()
    ta.join(30)
    tb.join(30)
    assert not failures, failures
    assert not b_finished_while_a_ran
    assert "等待" in capsys.readouterr().err
    page = (out / "linfen-ybzx" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "6,001.23" in page and "7,777.77" not in page
    assert_site_matches_content(b, out)
    _fresh_equals(b, out, tmp_path)


# -- the property: any sequence of edits, builds, interrupted builds and undos

def _edit_random_amount(path: Path, rng: random.Random) -> None:
    """Change one amount of a table row (决算表 or 其他表) to another."""
    lines = path.read_text(encoding="utf-8").split("\n")
    amount = re.compile(r"(?<=\| )\d{1,3}(?:,\d{3})*\.\d+(?= \||'|$)")
    spots, inside = [], False
    for i, line in enumerate(lines):
        if line and not line[0].isspace():
            inside = line.startswith(("决算表:", "其他表:"))
        elif inside:
            spots += [(i, m) for m in amount.finditer(line)]
    i, m = rng.choice(spots)
    new = f"{rng.randint(0, 99999):,}.{rng.randint(0, 99):02d}"
    lines[i] = lines[i][: m.start()] + new + lines[i][m.end():]
    path.write_text("\n".join(lines), encoding="utf-8")


def _interrupt(monkeypatch, rng: random.Random) -> str:
    """Make the next build stop with Ctrl-C at a random step."""
    def stop(*args, **kwargs):
        raise KeyboardInterrupt
    where = rng.choice(["department", "portal", "bundle", "swap"])
    if where == "department":                            # part-way through the department tasks
        calls, real = [0], render.write_downloads
        after = rng.randint(1, 5)

        def downloads(*args, **kwargs):
            calls[0] += 1
            if calls[0] >= after:
                raise KeyboardInterrupt
            return real(*args, **kwargs)
        monkeypatch.setattr(render, "write_downloads", downloads)
    elif where == "portal":
        monkeypatch.setattr(pages_mod, "portal_pages", stop)
    elif where == "bundle":
        monkeypatch.setattr(render, "write_bundle", stop)
    else:                                                # everything written, not yet swapped in
        monkeypatch.setattr(build_mod, "_swap", stop)
    return where


def test_random_edit_build_interrupt_undo_sequences_keep_site_equal_to_content(tmp_path, monkeypatch):
    rng = random.Random(20241212)
    files = sorted(p.relative_to(CONTENT).as_posix() for p in CONTENT.glob("*/*.yaml"))
    for seq in range(8):
        base = tmp_path / f"seq{seq}"
        content, out, cache = base / "content", base / "site", base / "cache"
        shutil.copytree(CONTENT, content)
        history: list[tuple[Path, str]] = []
        log = []
        for _ in range(8):
            step = rng.choice(["edit", "edit", "build", "interrupt", "undo"])
            log.append(step)
            if step == "edit":
                path = content / rng.choice(files)
                history.append((path, path.read_text(encoding="utf-8")))
                _edit_random_amount(path, rng)
            elif step == "undo" and history:
                path, text = history.pop()
                path.write_text(text, encoding="utf-8")
            elif step == "build":
                build(content, out, search=False, cache=cache)
                assert assert_site_matches_content(content, out) > 100, log
            elif step == "interrupt":
                with monkeypatch.context() as m:
                    log.append(_interrupt(m, rng))
                    with pytest.raises(KeyboardInterrupt):
                        build(content, out, search=False, cache=cache)
        build(content, out, search=False, cache=cache)
        assert_site_matches_content(content, out)
        fresh = base / "fresh"
        build(content, fresh, search=False, cache=False)
        assert _digest(out) == _digest(fresh), log


# ---------------------------------------------------------------- never delete what the generator did not make

def _main(capsys, *argv) -> tuple[int, str, str]:
    code = cli.main([str(a) for a in argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _tree(root: Path) -> dict[str, str]:
    return _digest(root)


def test_out_is_content_dir_is_refused_and_keeps_every_yaml(content, capsys):
    before = _tree(content)
    code, out, err = _main(capsys, "build", "--content", content, "--out", content, "--no-search")
    assert code == 2 and "内容目录" in err and "Traceback" not in err
    assert _tree(content) == before


def test_out_inside_content_dir_is_refused(content, capsys):
    before = _tree(content)
    code, _, err = _main(capsys, "build", "--content", content, "--out", content / "site", "--no-search")
    assert code == 2 and "内容目录" in err
    assert _tree(content) == before and not (content / "site").exists()


def test_out_is_project_root_is_refused_and_keeps_user_files(tmp_path, monkeypatch, capsys):
    project = tmp_path / "project"
    shutil.copytree(CONTENT, project / "content")
    (project / "我的笔记.txt").write_text("不要删", encoding="utf-8")
    before = _tree(project)
    monkeypatch.chdir(project)
    code, _, err = _main(capsys, "build", "--content", "content", "--out", ".", "--no-search")
    assert code == 2 and "项目目录" in err
    assert _tree(project) == before


def test_out_folder_with_user_files_is_refused(content, tmp_path, capsys):
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "决算说明.docx").write_bytes(b"PK\x03\x04 word document")
    code, _, err = _main(capsys, "build", "--content", content, "--out", docs, "--no-search")
    assert code == 2 and ".portal-site" in err and "Traceback" not in err
    assert (docs / "决算说明.docx").read_bytes() == b"PK\x03\x04 word document"
    assert [p.name for p in docs.iterdir()] == ["决算说明.docx"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".docs-")]


def test_out_root_is_refused_without_traceback(content, capsys):
    code, _, err = _main(capsys, "build", "--content", content, "--out", "/", "--no-search")
    assert code == 2 and "根目录" in err and "Traceback" not in err


def test_out_home_is_refused(content, tmp_path, monkeypatch, capsys):
    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("HOME", str(home))
    code, _, err = _main(capsys, "build", "--content", content, "--out", home, "--no-search")
    assert code == 2 and "主目录" in err
    assert list(home.iterdir()) == []


def test_out_existing_file_is_refused(content, tmp_path, capsys):
    target = tmp_path / "site"
    target.write_text("a file", encoding="utf-8")
    code, _, err = _main(capsys, "build", "--content", content, "--out", target, "--no-search")
    assert code == 2 and "不是文件夹" in err
    assert target.read_text(encoding="utf-8") == "a file"


def test_out_own_site_new_and_empty_folders_are_replaced(content, tmp_path, capsys):
    empty = tmp_path / "empty"
    empty.mkdir()
    for target in (tmp_path / "new" / "site", empty, empty):     # new, empty, then its own site
        code, _, err = _main(capsys, "build", "--content", content, "--out", target, "--no-search")
        assert code == 0, err
        assert (target / ".portal-site").is_file() and (target / "index.html").is_file()


def test_leftover_build_folders_of_killed_builds_are_removed(content, tmp_path):
    out = tmp_path / "site"
    left = [tmp_path / ".site-build-abc123_x", tmp_path / ".site-old-4242"]
    kept = [tmp_path / ".site-build-keep-me", tmp_path / ".other-build-abc123", tmp_path / "site-old-1"]
    for d in left + kept:
        (d / "deep").mkdir(parents=True)
        (d / "deep" / "page.html").write_text("x", encoding="utf-8")
    build(content, out, search=False, cache=tmp_path / "cache")
    assert [d for d in left if d.exists()] == []
    assert all(d.exists() for d in kept)


def test_portal_new_never_overwrites_existing_notes(tmp_path, capsys):
    content = tmp_path / "content"
    notes = content / "shi-caizheng" / "2024" / "情况说明.md"
    notes.parent.mkdir(parents=True)
    notes.write_text("## 编辑已经写好的说明\n", encoding="utf-8")
    code, _, err = _main(capsys, "new", "shi-caizheng", "2024", "--content", content)
    assert code == 1 and "情况说明.md" in err and "已存在" in err
    assert notes.read_text(encoding="utf-8") == "## 编辑已经写好的说明\n"
    assert not (content / "shi-caizheng" / "2024.yaml").exists() and not (content / "site.yaml").exists()


# ---------------------------------------------------------------- drafts

def test_draft_year_changes_no_published_page(content, tmp_path):
    from generator.scaffold import new_department

    cache = tmp_path / "cache"
    before = tmp_path / "before"
    build(content, before, search=False, cache=cache)
    new_department(content, "linfen-ybzx", 2024)           # a 2024 draft (草稿: 是)
    new_department(content, "new-dept", 2024, "新部门")      # and a department with only a draft
    after = tmp_path / "after"
    build(content, after, search=False, cache=cache)
    for name in ("compare.html", "index.html"):
        assert (after / name).read_bytes() == (before / name).read_bytes(), name
    assert _digest(after, skip=(".portal/manifest.json",)) == _digest(before, skip=(".portal/manifest.json",))
    assert not [p for p in after.rglob("*") if "2024" in p.relative_to(after).as_posix()]
    assert not (after / "new-dept").exists()


# ---------------------------------------------------------------- environment errors

def _one_line(err: str) -> str:
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert len(lines) == 1, err
    assert "Traceback" not in err
    return lines[0]


def _log(tmp_path) -> str:
    return (tmp_path / "cli-cache" / "portal-error.log").read_text(encoding="utf-8")


@pytest.mark.parametrize("code, words", [(errno.ENOSPC, "磁盘空间不足"), (errno.EROFS, "只读"),
                                         (errno.EACCES, "没有写入权限")])
def test_disk_full_or_read_only_is_one_chinese_line_exit_3(content, tmp_path, monkeypatch, capsys, code, words):
    out = tmp_path / "site"
    assert _main(capsys, "build", "--content", content, "--out", out, "--no-search")[0] == 0
    before = _digest(out)

    def fail(target, *args, **kwargs):
        raise OSError(code, "simulated", str(target / "index.html"))
    monkeypatch.setattr(render, "write_pages", fail)
    rc, _, err = _main(capsys, "build", "--content", content, "--out", out, "--no-search")
    assert rc == 3
    line = _one_line(err)
    assert words in line and "网站未更新" in line and "portal-error.log" in line
    assert "Traceback" in _log(tmp_path) and "simulated" in _log(tmp_path)
    assert _digest(out) == before


def test_port_in_use_is_one_chinese_line_exit_3(content, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        rc, _, err = _main(capsys, "serve", "--content", content, "--port", port)
    assert rc == 3
    line = _one_line(err)
    assert f"端口 {port} 已被占用" in line and "--port" in line


def test_recursion_error_is_one_chinese_line_exit_4(content, tmp_path, monkeypatch, capsys):
    def deep(*args, **kwargs):
        raise RecursionError("maximum recursion depth exceeded")
    monkeypatch.setattr(pages_mod, "portal_pages", deep)
    rc, _, err = _main(capsys, "build", "--content", content, "--out", tmp_path / "site", "--no-search")
    assert rc == 4
    assert "嵌套" in _one_line(err) and "RecursionError" in _log(tmp_path)


def test_unknown_error_asks_for_bug_report_exit_4_with_log(content, tmp_path, monkeypatch, capsys):
    def bug(*args, **kwargs):
        raise ValueError("boom-42")
    monkeypatch.setattr(render, "write_sitemap", bug)
    rc, _, err = _main(capsys, "build", "--content", content, "--out", tmp_path / "site", "--no-search")
    assert rc == 4
    line = _one_line(err)
    assert "报告问题" in line and str(tmp_path / "cli-cache" / "portal-error.log") in line
    log = _log(tmp_path)
    assert "Traceback" in log and "ValueError: boom-42" in log
    assert not (tmp_path / "site").exists()


def test_content_errors_stay_exit_1(content, tmp_path, capsys):
    path = content / DEPT
    path.write_text(path.read_text(encoding="utf-8").replace(FIGURE, FIGURE.replace("5,417.27", "5,4I7.27")),
                    encoding="utf-8")
    rc, _, err = _main(capsys, "build", "--content", content, "--out", tmp_path / "site", "--no-search")
    assert rc == 1 and "不是金额" in err


def test_warnings_are_printed_after_build_and_check(content, tmp_path, monkeypatch, capsys):
    real = build_mod.department_folders

    def folders(root, errors, warnings=None):
        if warnings is not None:
            warnings.append(ContentError("content/linfen-ybzx/2023.yml", 0, 0, "", "文件名不是“年度.yaml”，未使用"))
        return real(root, errors)
    monkeypatch.setattr(build_mod, "department_folders", folders)
    result = build(content, tmp_path / "s1", search=False, cache=False)
    assert [w.path for w in result.warnings if w.where != "门户设置"] == ["content/linfen-ybzx/2023.yml"]
    for argv in (["build", "--content", content, "--out", tmp_path / "s2", "--no-search"], ["check", "--content", content]):
        rc, _, err = _main(capsys, *argv)
        assert rc == 0
        assert "警告：content/linfen-ybzx/2023.yml：文件名不是“年度.yaml”，未使用" in err.splitlines()
