"""Editors' preview: live reload in a real browser, the error overlay, partial
rebuilds (counted, not timed), drafts and `portal new`."""
from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.build import build
from generator.load import load_content
from generator.serve import Preview

ROOT = Path(__file__).resolve().parent.parent
DEPT = "linfen-ybzx/2023.yaml"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for(predicate, timeout=20.0, step=0.2):
    end = time.time() + timeout
    while time.time() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    raise AssertionError("timed out waiting")


@pytest.fixture()
def content_copy(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(ROOT / "content", target)
    return target


def test_partial_rebuild_renders_only_the_changed_department(content_copy, tmp_path):
    preview = Preview(content_copy, tmp_path / "out")
    full = preview.full()
    assert any(p.startswith("yima-ybj/") for p in full)
    path = content_copy / DEPT
    path.write_text(path.read_text(encoding="utf-8").replace("5,417.27", "5,417.30", 1), encoding="utf-8")
    written = preview.changed()
    assert "linfen-ybzx/2023/index.html" in written
    assert {"index.html", "compare.html", "quality.html"} <= set(written)
    others = [p for p in written if "/" in p and not p.startswith("linfen-ybzx/")]
    assert others == [], others
    status = json.loads((tmp_path / "out" / "__preview" / "status.json").read_text(encoding="utf-8"))
    assert status["rendered"] == written and status["errors"] == []


def test_broken_file_keeps_last_pages_and_reports_address(content_copy, tmp_path):
    preview = Preview(content_copy, tmp_path / "out")
    preview.full()
    page = tmp_path / "out" / "linfen-ybzx" / "2023" / "index.html"
    before = page.read_text(encoding="utf-8")
    path = content_copy / DEPT
    good = path.read_text(encoding="utf-8")
    path.write_text(good.replace("5,417.27", "5,4I7.27", 1), encoding="utf-8")
    assert preview.changed() == []
    assert page.read_text(encoding="utf-8") == before
    status = json.loads((tmp_path / "out" / "__preview" / "status.json").read_text(encoding="utf-8"))
    (err,) = status["errors"]
    line = good[: good.index("5,417.27")].count("\n") + 1
    assert err["line"] == line and err["file"].endswith(DEPT) and "5,4I7.27" in err["source"]
    assert "不是金额" in err["message"]
    path.write_text(good, encoding="utf-8")
    assert preview.changed() and preview.errors == []


def test_drafts_show_in_preview_not_in_build(content_copy, tmp_path):
    path = content_copy / DEPT
    path.write_text(path.read_text(encoding="utf-8").replace("草稿: 否", "草稿: 是", 1), encoding="utf-8")
    preview = Preview(content_copy, tmp_path / "preview")
    assert "linfen-ybzx/2023/index.html" in preview.full()
    html = (tmp_path / "preview" / "linfen-ybzx" / "2023" / "index.html").read_text(encoding="utf-8")
    assert "草稿：本页内容尚未发布" in html
    result = build(content_copy, tmp_path / "site", search=False)
    assert not (tmp_path / "site" / "linfen-ybzx").exists()
    assert "临汾市医疗保险服务中心" not in (tmp_path / "site" / "index.html").read_text(encoding="utf-8")
    assert all(not p.startswith("linfen-ybzx") for p in result.rendered)


def test_portal_new_scaffold_checks_and_stays_unpublished(tmp_path):
    run = lambda *a: subprocess.run([sys.executable, "-m", "generator", *a], cwd=tmp_path, capture_output=True,
                                    text=True, timeout=120)
    created = run("new", "shi-caizheng", "2024", "--name", "示例市财政局")
    assert created.returncode == 0, created.stderr
    text = (tmp_path / "content" / "shi-caizheng" / "2024.yaml").read_text(encoding="utf-8")
    for n in range(1, 11):
        assert f"公开{n:02d}表:" in text
    assert "# 栏目：科目编码 | 科目名称 | 本年支出合计 | 基本支出 | 项目支出" in text
    checked = run("check")
    assert checked.returncode == 0, checked.stderr
    _, depts = load_content(tmp_path / "content", include_drafts=True)
    assert [d.name for d in depts] == ["示例市财政局"] and len(depts[0].tables) == 10
    built = run("build", "--no-search")
    assert built.returncode == 0, built.stderr
    assert not (tmp_path / "site" / "shi-caizheng").exists()
    again = run("new", "shi-caizheng", "2024")
    assert again.returncode == 1 and "已存在" in again.stderr


def test_live_reload_in_browser(content_copy, tmp_path):
    from conftest import make_driver

    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "generator", "serve", "--content", str(content_copy),
                             "--port", str(port)], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}/"
    driver = None
    try:
        wait_for(lambda: _ok(base + "__preview/status.json"), timeout=60)
        driver = make_driver()
        driver.get(base + "linfen-ybzx/2023/index.html")
        assert "5,417.27" in driver.page_source
        driver.execute_script("window.__sameTab = 'yes';")
        handle = driver.current_window_handle
        path = content_copy / DEPT
        good = path.read_text(encoding="utf-8")
        path.write_text(good.replace("一般公共预算财政拨款收入 | 1 | 5,417.27", "一般公共预算财政拨款收入 | 1 | 6,001.23", 1),
                        encoding="utf-8")
        wait_for(lambda: "6,001.23" in driver.page_source, timeout=30)
        assert driver.current_window_handle == handle
        # broken file: overlay with file:line, page content stays
        broken_line = good[: good.index("一般公共预算财政拨款收入 | 1 | 5,417.27")].count("\n") + 1
        path.write_text(good.replace("一般公共预算财政拨款收入 | 1 | 5,417.27", "一般公共预算财政拨款收入 | 1 | 5,4l7.27", 1),
                        encoding="utf-8")
        overlay = wait_for(lambda: driver.find_elements("css selector", "#preview-overlay .preview-error-location"), timeout=30)
        assert f"linfen-ybzx/2023.yaml:{broken_line}" in overlay[0].text
        assert "不是金额" in driver.find_element("id", "preview-overlay").text
        # fixed file: the overlay goes by itself
        path.write_text(good, encoding="utf-8")
        wait_for(lambda: not driver.find_elements("id", "preview-overlay") and "5,417.27" in driver.page_source, timeout=30)
        assert proc.poll() is None, "server stopped"
    finally:
        if driver is not None:
            driver.quit()
        proc.terminate()
        proc.wait(timeout=10)


def _ok(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as r:
            return r.status == 200
    except OSError:
        return False


def test_a_save_reuses_the_content_survey_but_a_new_file_is_surveyed(content_copy, tmp_path, monkeypatch):
    """Editing a file cannot change which files are content, so the preview
    keeps its last survey of the content folder (about 0.2 s at 2,000
    departments); a file that appears or disappears is surveyed again."""
    import generator.serve as serve_mod
    surveys = []
    real = serve_mod.department_folders
    monkeypatch.setattr(serve_mod, "department_folders", lambda *a, **k: surveys.append(1) or real(*a, **k))
    preview = Preview(content_copy, tmp_path / "out")
    preview.full()
    assert len(surveys) == 1
    path = content_copy / DEPT
    time.sleep(0.01)
    path.write_text(path.read_text(encoding="utf-8").replace("5,417.27", "5,417.30", 1), encoding="utf-8")
    assert "linfen-ybzx/2023/index.html" in preview.changed()
    assert len(surveys) == 1
    stray = content_copy / "linfen-ybzx" / "2023" / "情况说明.txt"
    stray.write_text("一、说明\n", encoding="utf-8")
    preview.changed()
    assert len(surveys) == 2
    assert any("情况说明.txt" in e.path for e in preview.errors), [str(e) for e in preview.errors]
    stray.unlink()
    preview.changed()
    assert len(surveys) == 3 and not preview.errors


def test_a_template_saved_during_the_preview_is_used_at_once(content_copy, tmp_path, monkeypatch):
    """Builds compile each template once (no check of the file on every page);
    the preview must compile them again when a template is saved."""
    from generator import render
    templates = tmp_path / "templates"
    shutil.copytree(render.TEMPLATES, templates)
    monkeypatch.setattr(render, "TEMPLATES", templates)
    monkeypatch.setattr(render.environment.__wrapped__, "__defaults__", (str(templates),))
    render.environment.cache_clear()
    try:
        preview = Preview(content_copy, tmp_path / "out")
        preview.full()
        page = tmp_path / "out" / "linfen-ybzx" / "2023" / "index.html"
        assert "模板已修改" not in page.read_text(encoding="utf-8")
        time.sleep(0.05)   # a distinct mtime
        base = templates / "base.html"
        base.write_text(base.read_text(encoding="utf-8").replace("</footer>", "<p>模板已修改</p></footer>"),
                        encoding="utf-8")
        written = preview.changed()
        assert "linfen-ybzx/2023/index.html" in written
        assert "模板已修改" in page.read_text(encoding="utf-8")
    finally:
        monkeypatch.undo()
        render.environment.cache_clear()
