"""Issue 15: the package installs. A wheel built from the source tree, with
no packaging warnings, installed into a fresh virtual environment, builds the
example site from another directory with the `portal` command (templates,
static assets and form sets come from the installed package)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("wheel")
    source = tmp_path_factory.mktemp("source") / "portal"   # a copy: setuptools writes build/ into the tree it builds
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(
        ".git", ".venv", ".tools", ".cache", "site", "build", "bench", "tests", "*.egg-info", "__pycache__", ".site*"))
    run = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-v", "-w", str(out), str(source)],
                         capture_output=True, text=True, cwd=out)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1
    return wheels[0], run.stdout + run.stderr


def test_wheel_builds_without_packaging_warnings(wheel):
    _, log = wheel
    problems = [line for line in log.splitlines()
                if any(w in line for w in ("Package would be ignored", "SetuptoolsDeprecationWarning",
                                           "should be listed in", "is deprecated"))]
    assert not problems, "\n".join(problems)


def test_wheel_carries_templates_assets_and_forms(wheel):
    import zipfile

    names = set(zipfile.ZipFile(wheel[0]).namelist())
    for needed in ("generator/templates/base.html", "generator/templates/dept.html", "generator/static/site.css",
                   "generator/static/site.js", "generator/preview/overlay.js", "generator/forms/national.yaml",
                   "generator/forms/shanghai-2024.yaml"):
        assert needed in names, needed


def test_installed_portal_builds_the_example_site_from_another_directory(wheel, tmp_path):
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = venv / "bin" / "pip"
    subprocess.run([str(pip), "install", "-q", "--no-deps", "--no-index", str(wheel[0])], check=True)
    # the dependencies (jinja2, markdown, …) from the test environment, behind the fresh venv's own packages;
    # a .pth in a directory named by another .pth is not run, so the source tree's editable install stays out
    site_packages = Path(subprocess.run([str(venv / "bin" / "python"), "-c",
                                         "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                                        capture_output=True, text=True, check=True).stdout.strip())
    (site_packages / "zz-test-deps.pth").write_text(sysconfig.get_paths()["purelib"] + "\n", encoding="utf-8")
    where = subprocess.run([str(venv / "bin" / "python"), "-c", "import generator.render as r; print(r.TEMPLATES)"],
                           capture_output=True, text=True, cwd=tmp_path, check=True).stdout.strip()
    assert where.startswith(str(venv)), where
    work = tmp_path / "elsewhere"
    work.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PORTAL_CACHE")}
    run = subprocess.run([str(venv / "bin" / "portal"), "build", "--no-search", "--content", str(ROOT / "content"),
                          "--out", str(work / "site")], capture_output=True, text=True, cwd=work, env=env)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "已生成" in run.stdout
    assert (work / "site" / "index.html").is_file() and (work / "site" / "static" / "site.css").is_file()
    assert "临汾市医疗保险服务中心" in (work / "site" / "linfen-ybzx" / "2023" / "index.html").read_text(encoding="utf-8")
