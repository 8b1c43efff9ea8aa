"""Full-text search index (Pagefind), built over the finished HTML in the
temporary build directory, so it is swapped in with the rest of the site."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .errors import ContentError, ContentErrors


PROJECT = Path(__file__).resolve().parent.parent


def pagefind_command() -> list[str] | None:
    """Pagefind 1.6 from `make tools` (npm) if present, else PyPI's 1.5 binary."""
    env = os.environ.get("PORTAL_PAGEFIND")
    if env:
        return [env]
    tools = PROJECT / ".tools" / "pagefind" / "pagefind_extended"
    if tools.exists():
        return [str(tools)]
    exe = Path(sys.executable).with_name("pagefind_extended")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("pagefind_extended") or shutil.which("pagefind")
    if found:
        return [found]
    try:
        import pagefind_bin_extended  # noqa: F401
        return [sys.executable, "-m", "pagefind_bin_extended"]
    except ImportError:
        return None


def index_site(site_dir: Path) -> None:
    cmd = pagefind_command()
    if cmd is None:
        raise ContentErrors([ContentError("", 0, 0, "", "未安装全文检索工具 Pagefind（pip install 'pagefind[extended]'），或使用 --no-search")])
    result = subprocess.run(cmd + ["--site", str(site_dir), "--force-language", "zh-cn", "--quiet"],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise ContentErrors([ContentError("", 0, 0, "", f"Pagefind 建立索引失败：{result.stderr.strip()[:500]}")])
