"""Lighthouse (mobile: a mid-range phone on a slow 4G link, 4x CPU slowdown)
on each page type of the portal built from content/, served gzip-compressed
the way a government web server serves it. A script to read, not a timed
test: `make lighthouse` prints the scores and writes bench/lighthouse.json.

Needs Node/npm (Debian: `apt-get install npm`) and Debian's Chromium; the
`lighthouse` npm package is installed into .tools/lighthouse on first use.
"""
from __future__ import annotations

import functools
import gzip
import http.server
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOOLS = ROOT / ".tools" / "lighthouse"
LIGHTHOUSE_VERSION = os.environ.get("LIGHTHOUSE_VERSION", "12")
PAGES = {
    "首页": "index.html",
    "部门": "linfen-ybzx/2023/index.html",
    "绩效": "linfen-ybzx/2023/02-ylfwbz.html",
    "比较": "compare.html",
    "数据质量": "quality.html",
    "搜索": "search.html?q=%E5%85%AC%E5%8A%A1%E7%94%A8%E8%BD%A6",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
METRICS = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift",
           "speed-index")
COMPRESSIBLE = (".html", ".css", ".js", ".json", ".svg", ".csv", ".xml", ".txt", ".mjs")


class GzipHandler(http.server.SimpleHTTPRequestHandler):
    """Static files, gzip-compressed when the client accepts it, cached like assets should be."""

    def log_message(self, *args):
        pass

    def send_head(self):
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if not path.is_file() or "gzip" not in self.headers.get("Accept-Encoding", "") \
                or not path.name.endswith(COMPRESSIBLE):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "max-age=31536000" if "?v=" in self.path else "no-cache")
        self.end_headers()
        return io.BytesIO(body)


def lighthouse_bin() -> Path:
    exe = TOOLS / "node_modules" / ".bin" / "lighthouse"
    if not exe.exists():
        if not shutil.which("npm"):
            sys.exit("需要 npm（Debian：apt-get install npm）来安装 lighthouse")
        print(f"安装 lighthouse@{LIGHTHOUSE_VERSION}（npm）到 {TOOLS} …", flush=True)
        TOOLS.mkdir(parents=True, exist_ok=True)
        subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix", str(TOOLS),
                        f"lighthouse@{LIGHTHOUSE_VERSION}"], check=True)
    return exe


def build_site(out: Path) -> None:
    subprocess.run([sys.executable, "-m", "generator", "build", "--content", str(ROOT / "content"), "--out", str(out)],
                   check=True, cwd=ROOT, stdout=subprocess.DEVNULL)


def main() -> int:
    exe = lighthouse_bin()
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with tempfile.TemporaryDirectory(prefix="portal-lh-") as tmp:
        site = Path(tmp) / "site"
        build_site(site)
        handler = functools.partial(GzipHandler, directory=str(site))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        base = f"http://127.0.0.1:{server.server_address[1]}/"
        results = {}
        try:
            for name, page in PAGES.items():
                report = Path(tmp) / "report.json"
                cmd = [str(exe), base + page, "--quiet", "--output=json", f"--output-path={report}",
                       "--only-categories=" + ",".join(CATEGORIES), "--form-factor=mobile",
                       "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage"]
                env = dict(os.environ, CHROME_PATH=chromium)
                run = subprocess.run(cmd, env=env, capture_output=True, text=True)
                if run.returncode or not report.exists():
                    print(f"{name}: lighthouse 失败：{run.stderr.strip()[-300:]}")
                    continue
                data = json.loads(report.read_text(encoding="utf-8"))
                scores = {c: round((data["categories"][c]["score"] or 0) * 100) for c in CATEGORIES}
                metrics = {m: data["audits"][m]["displayValue"] for m in METRICS if m in data["audits"]}
                results[name] = dict(page=page, scores=scores, metrics=metrics)
                print(f"{name:<6} 性能 {scores['performance']:>3}  无障碍 {scores['accessibility']:>3}  "
                      f"最佳实践 {scores['best-practices']:>3}  SEO {scores['seo']:>3}  "
                      + "  ".join(f"{k}={v}" for k, v in metrics.items()), flush=True)
        finally:
            server.shutdown()
    out = ROOT / "bench" / "lighthouse.json"
    out.write_text(json.dumps(results, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"结果已写入 {out.relative_to(ROOT)}")
    return 0 if results else 1


if __name__ == "__main__":
    sys.exit(main())
